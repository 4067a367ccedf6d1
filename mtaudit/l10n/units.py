"""Reading localisation units through translate-toolkit: one :class:`~mtaudit.load.Pair` per
translated unit (per plural form), with the unit id, the file line, the context and the state.

Bilingual files (PO, XLIFF 1.2/2.0, TMX, Qt TS) hold source and target in each unit; monolingual
files (Android ``strings.xml``, ``.properties``, i18n JSON) hold one language, and a source file
and its translation are matched by unit id. Untranslated units are counted and listed in the
report (``summary.l10n``), not audited; fuzzy (needs-review) units are audited and listed.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError, ModelUnavailableError
from ..load import Pair, read_bytes

__all__ = [
    "BILINGUAL",
    "FORMATS",
    "MONOLINGUAL",
    "L10nInput",
    "read_bilingual",
    "read_monolingual",
    "unit_label",
]

#: Formats whose every unit holds source and target.
BILINGUAL: tuple[str, ...] = ("po", "xliff", "tmx", "ts")
#: Formats that hold one language (a source file and its translation are compared).
MONOLINGUAL: tuple[str, ...] = ("android", "properties", "json", "markdown", "strings")
FORMATS: tuple[str, ...] = BILINGUAL + MONOLINGUAL

#: format -> (module, class) in translate-toolkit.
_STORES = {
    "po": ("translate.storage.pypo", "pofile"),
    "xliff": ("translate.storage.xliff", "xlifffile"),
    "xliff2": ("translate.storage.xliff2", "Xliff2File"),
    "tmx": ("translate.storage.tmx", "tmxfile"),
    "ts": ("translate.storage.ts2", "tsfile"),
    "android": ("translate.storage.aresource", "AndroidResourceFile"),
    "properties": ("translate.storage.properties", "javautf8file"),
    "json": ("translate.storage.jsonl10n", "JsonFile"),
    # iOS/macOS Localizable.strings: UTF-8 (what Xcode writes today) or UTF-16 with a BOM
    "strings": ("translate.storage.properties", "stringsutf8file"),
    "strings16": ("translate.storage.properties", "stringsfile"),
}

_INSTALL = "pip install 'mtaudit[l10n]'"


@dataclass
class L10nInput:
    """A localisation input read into pairs: what is audited and what is only reported."""

    format: str
    #: One pair per translated unit (per plural form); ``extra`` holds ``unit``, ``state``,
    #: ``context``, ``plural`` and, for two files, ``source_line``.
    pairs: list[Pair]
    #: The file the translator edits (the target file; the only file of a bilingual format).
    path: str
    #: The source file of a monolingual pair (``None`` for a bilingual file).
    source_path: str | None = None
    source_lang: str | None = None
    target_lang: str | None = None
    units: int = 0
    #: Units audited (a plural unit is one unit and several pairs).
    audited: int = 0
    untranslated: list[dict[str, Any]] = field(default_factory=list)
    fuzzy: list[dict[str, Any]] = field(default_factory=list)
    #: Source units with no counterpart in the target file (monolingual formats).
    missing: list[dict[str, Any]] = field(default_factory=list)
    #: Format-specific notes (e.g. Markdown blocks skipped).
    notes: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The ``summary.l10n`` entry of the report."""
        out: dict[str, Any] = {
            "format": self.format,
            "units": self.units,
            "audited": self.audited,
            "segments": len(self.pairs),
            "untranslated": self.untranslated,
            "fuzzy": self.fuzzy,
        }
        if self.source_path is not None:
            out["source_file"] = self.source_path
            out["missing"] = self.missing
        out.update(self.notes)
        return out


def _store_class(key: str) -> Any:
    module, name = _STORES[key]
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise ModelUnavailableError(
            f"reading {key} files needs translate-toolkit ({exc.name or exc} is missing); "
            f"{_INSTALL}"
        ) from None
    return getattr(mod, name)


def _parse(key: str, data: bytes, path: str) -> Any:
    """The translate-toolkit store of ``data``; a parse error is one :class:`InputError`."""
    cls = _store_class(key)
    try:
        return cls.parsestring(data)
    except Exception as exc:  # the parsers raise ValueError, lxml and PoParseError alike
        msg = " ".join(str(exc).split()) or type(exc).__name__
        line = getattr(exc, "lineno", None)
        if line is None:
            m = re.search(r"\bline (\d+)", msg)
            line = int(m.group(1)) if m else None
        where = f"{path}:{line}" if line else path
        raise InputError(f"{where}: not a valid {key} file ({msg[:200]})") from None


def unit_label(uid: str) -> str:
    """A unit id as the report shows it (translate-toolkit joins context and id with U+0004)."""
    return uid.replace("\x04", " | ")


def _forms(value: Any) -> list[str]:
    """The plural forms of a unit's source or target (one form for a plain string)."""
    strings = getattr(value, "strings", None)
    if strings and len(strings) > 1:
        return [str(s) for s in strings]
    return [] if value is None else [str(value)]


def _xml_line(unit: Any, child: str | None = None) -> int | None:
    el = getattr(unit, "xmlelement", None)
    if el is None:
        return None
    if child is not None:
        for sub in el.iter():
            tag = sub.tag if isinstance(sub.tag, str) else ""
            if tag.rsplit("}", 1)[-1] == child:
                return int(sub.sourceline) if sub.sourceline else None
    return int(el.sourceline) if el.sourceline else None


class _Lines:
    """Line lookups in a file's text (for formats whose parser keeps no line numbers)."""

    def __init__(self, data: bytes) -> None:
        utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
        self.lines = data.decode("utf-16" if utf16 else "utf-8", "replace").splitlines()

    def keyword_after(self, line: int | None, keyword: str) -> int | None:
        """The line of the first ``keyword`` (``msgid``, ``msgstr``) at or after ``line``."""
        if line is None:
            return None
        for k in range(max(line - 1, 0), len(self.lines)):
            if self.lines[k].lstrip().startswith(keyword):
                return k + 1
        return line

    def key(self, key: str, fmt: str) -> int | None:
        """The first line defining ``key`` (properties ``key=…``, JSON ``"key":``, iOS strings
        ``"key" = …;``)."""
        last = key.rsplit(".", 1)[-1] if fmt == "json" else key
        if not last:
            return None
        if fmt == "json":
            pat = re.compile(r'"' + re.escape(last) + r'"\s*:')
        elif fmt == "strings":
            pat = re.compile(r'^\s*"?' + re.escape(last) + r'"?\s*=')
        else:
            pat = re.compile(r"^\s*" + re.escape(last) + r"\s*[=:\s]")
        for k, text in enumerate(self.lines):
            if pat.search(text):
                return k + 1
        return None


def _line_of(unit: Any, fmt: str, lines: _Lines, *, target: bool) -> int | None:
    if fmt == "po":
        first = getattr(unit, "line_number", None)  # the entry's first (comment) line
        return lines.keyword_after(first, "msgstr" if target else "msgid")
    if fmt in ("xliff", "xliff2", "ts"):
        child = ("translation" if fmt == "ts" else "target") if target else "source"
        return _xml_line(unit, child) or _xml_line(unit)
    if fmt in ("properties", "json", "strings"):
        # the key's own line (translate-toolkit's line number starts at the unit's comments)
        return lines.key(str(unit.getid()), fmt) or getattr(unit, "line_number", None)
    return _xml_line(unit)


#: XLIFF 1.2 target states that mean "not final": audited, listed as fuzzy.
_XLIFF_UNSURE = re.compile(r"^(new|needs-.*)$")


def _state(unit: Any, target_forms: list[str], key: str) -> str:
    if not any(t.strip() for t in target_forms):
        return "untranslated"
    if key in ("xliff", "xliff2"):
        el = getattr(unit, "xmlelement", None)
        states = [
            str(sub.get("state"))
            for sub in (el.iter() if el is not None else ())
            if isinstance(sub.tag, str) and sub.get("state") is not None
        ]
        if str((el.get("approved") if el is not None else None) or "") == "yes":
            return "translated"
        return "fuzzy" if any(_XLIFF_UNSURE.match(st) for st in states) else "translated"
    try:
        if unit.isfuzzy():
            return "fuzzy"
    except Exception:  # some stores do not implement it
        return "translated"
    return "translated"


def _context(unit: Any) -> str | None:
    try:
        ctx = unit.getcontext()
    except Exception:
        return None
    return str(ctx) if ctx else None


def _is_header(unit: Any) -> bool:
    try:
        return bool(unit.isheader()) or bool(getattr(unit, "isobsolete", lambda: False)())
    except Exception:
        return False


def _langs(store: Any) -> tuple[str | None, str | None]:
    def get(name: str) -> str | None:
        fn = getattr(store, f"get{name}language", None)
        try:
            value = fn() if fn else None
        except Exception:
            value = None
        return str(value).replace("_", "-").split("-")[0].lower() if value else None

    return get("source"), get("target")


def _pairs_of(
    uid: str,
    src_forms: list[str],
    tgt_forms: list[str],
    line: int | None,
    state: str,
    context: str | None,
    source_line: int | None = None,
) -> list[Pair]:
    """One pair per target plural form; form k translates source form min(k, last)."""
    label = unit_label(uid)
    plural = len(tgt_forms) > 1 or len(src_forms) > 1
    out = []
    for k, tgt in enumerate(tgt_forms):
        src = src_forms[min(k, len(src_forms) - 1)] if src_forms else ""
        extra: dict[str, Any] = {"unit": f"{label}[{k}]" if plural else label, "state": state}
        if context:
            extra["context"] = context
        if plural:
            extra["plural"] = k
        if source_line is not None:
            extra["source_line"] = source_line
        out.append(Pair(src, tgt, None, line, extra))
    return out


def _where(uid: str, line: int | None) -> dict[str, Any]:
    return {"unit": unit_label(uid), "line": line}


def _xliff12_ids(units: list[Any]) -> dict[str, tuple[str, str]]:
    """XLIFF 1.2: translate-toolkit's id (``original`` U+0004 ``id``) → (the bare trans-unit
    ``id`` a translator searches for, the ``<file>``'s ``original``), for every id that is unique
    in the file; an id that two ``<file>`` elements share keeps the qualified form."""
    bare: dict[str, list[tuple[str, str]]] = {}
    for unit in units:
        uid = str(unit.getid())
        if "\x04" not in uid:
            continue
        original, _, tid = uid.rpartition("\x04")
        bare.setdefault(tid, []).append((uid, original))
    return {
        found[0][0]: (tid, found[0][1]) for tid, found in bare.items() if tid and len(found) == 1
    }


def read_bilingual(fmt: str, path: str, *, max_bytes: int) -> L10nInput:
    """Read a PO, XLIFF, TMX or TS file (every unit holds source and target)."""
    data = read_bytes(path, max_bytes=max_bytes, what=f"a {fmt} file")
    key = fmt
    if fmt == "xliff" and re.search(rb"<xliff[^>]*\sversion\s*=\s*[\"']2", data[:4096]):
        key = "xliff2"
    store = _parse(key, data, path)
    lines = _Lines(data)
    result = L10nInput(fmt, [], path)
    result.source_lang, result.target_lang = _langs(store)
    xliff_ids = _xliff12_ids(store.units) if key == "xliff" else {}
    for unit in store.units:
        if _is_header(unit):
            continue
        uid = str(unit.getid())
        uid, original = xliff_ids.get(uid, (uid, None))
        src_forms = _forms(unit.source)
        if not any(s.strip() for s in src_forms):
            continue  # an empty source (a PO header, an empty TMX tuv): nothing to translate
        result.units += 1
        tgt_forms = _forms(unit.target)
        line = _line_of(unit, key, lines, target=True)
        state = _state(unit, tgt_forms, key)
        if state == "untranslated":
            result.untranslated.append(_where(uid, line))
            continue
        if state == "fuzzy":
            result.fuzzy.append(_where(uid, line))
        result.audited += 1
        s_line = _line_of(unit, key, lines, target=False)
        result.pairs.extend(
            _pairs_of(uid, src_forms, tgt_forms, line, state, _context(unit) or original, s_line)
        )
    return result


def read_monolingual(fmt: str, source: str, target: str, *, max_bytes: int) -> L10nInput:
    """Read a source file and its translation (Android, properties, JSON), matched by unit id.

    A unit of the target missing from the source is ignored (it is not a translation of
    anything); a source unit missing from the target is listed as ``missing``; a target unit
    whose value is empty (or equal to an empty source) is untranslated.
    """
    stores = []
    for path in (source, target):
        data = read_bytes(path, max_bytes=max_bytes, what=f"a {fmt} file")
        key = fmt
        if fmt == "strings" and data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            key = "strings16"
        stores.append((_parse(key, data, path), _Lines(data)))
    (s_store, s_lines), (t_store, t_lines) = stores
    result = L10nInput(fmt, [], target, source_path=source)
    by_id = {}
    for unit in t_store.units:
        if not _is_header(unit):
            by_id.setdefault(str(unit.getid()), unit)
    for unit in s_store.units:
        if _is_header(unit):
            continue
        uid = str(unit.getid())
        src_forms = _forms(unit.source)
        if not any(s.strip() for s in src_forms):
            continue
        result.units += 1
        s_line = _line_of(unit, fmt, s_lines, target=False)
        tu = by_id.get(uid)
        if tu is None:
            result.missing.append({**_where(uid, s_line), "source_line": s_line})
            continue
        tgt_forms = _forms(tu.source)
        line = _line_of(tu, fmt, t_lines, target=True)
        if not any(t.strip() for t in tgt_forms):
            result.untranslated.append(_where(uid, line))
            continue
        result.audited += 1
        ctx = _context(unit)
        result.pairs.extend(
            _pairs_of(
                uid, src_forms, tgt_forms, line, "translated", None if ctx == uid else ctx, s_line
            )
        )
    return result
