"""Stage 1 — load: read documents and pre-aligned pair files into plain, validated text.

Every problem a user can cause here (missing file, binary or undecodable bytes, an empty document,
a malformed pairs line, an input over the size cap) raises :class:`~mtaudit.errors.InputError`
with a one-line message that names the file (and line) and says how to fix it.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Document",
    "Pair",
    "read_bytes",
    "read_text",
    "read_document",
    "read_pairs",
    "parse_pairs",
    "has_lone_surrogate",
    "is_tsv_header",
    "load_json_line",
    "too_big_message",
]

#: Default cap on the size of one input file (bytes); raise it with ``--max-input-mb``.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
#: The unit of ``--max-input-mb`` (a mebibyte, as the CLI converts it).
_MB = 1024 * 1024


@dataclass
class Document:
    """A document's full text, where it came from and, if known, its language."""

    text: str
    path: str | None = None
    lang: str | None = None
    #: True when the text holds one sentence per line (``--presplit``).
    presplit: bool = False


@dataclass
class Pair:
    """One pre-aligned segment pair (``reference`` is optional)."""

    source: str
    target: str
    reference: str | None = None
    #: 1-based line number in the pairs file.
    line: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


def _is_utf16(data: bytes) -> bool:
    try:
        data.decode("utf-16")
    except UnicodeDecodeError:
        return False
    return True


def _decode(data: bytes, name: str, encoding: str) -> str:
    utf8 = encoding.lower().replace("_", "-") in ("utf-8", "utf8")
    if utf8 and data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) and _is_utf16(data):
        raise InputError(
            f"{name}: looks like UTF-16 text (byte-order mark); pass --encoding utf-16"
        )
    if b"\x00" in data[:8192] and utf8:
        raise InputError(f"{name}: looks like a binary file (NUL bytes); expected UTF-8 text")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}; try --encoding utf-8") from None
    enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not valid {encoding} (byte {exc.start}); "
            "pass --encoding with the file's encoding (e.g. --encoding cp1252)"
        ) from None


def read_bytes(path: str | Path, *, max_bytes: int, what: str = "a text file") -> bytes:
    """The bytes of ``path``, at most ``max_bytes`` of them, read once: the one reader every
    file mtaudit opens goes through (inputs, references, manifests, policies).

    A missing file, a directory, an unreadable file and a file (or a pipe or device such as
    ``/dev/zero``, which reports no size) over the cap raise :class:`InputError`; no more than
    ``max_bytes + 1`` bytes are ever held.
    """
    p = Path(path)
    name = str(path)
    if name == "-":
        raise InputError("reading from standard input is not supported; pass a file path")
    if not p.exists():
        raise InputError(f"{name}: no such file")
    if p.is_dir():
        raise InputError(f"{name}: is a directory, expected {what}")
    try:
        size = p.stat().st_size
        if size > max_bytes:  # refused before reading a byte
            raise InputError(too_big_message(name, size, max_bytes))
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise InputError(too_big_message(name, None, max_bytes))
    return data


def read_text(
    path: str | Path, *, encoding: str = "utf-8", max_bytes: int = DEFAULT_MAX_BYTES
) -> str:
    """Read a text file with clear errors for missing, oversized, binary or undecodable files."""
    return _decode(read_bytes(path, max_bytes=max_bytes), str(path), encoding)


def too_big_message(name: str, size: int | None, max_bytes: int) -> str:
    """The error for an input over the size limit (``size`` None: size unknown, a stream)."""
    what = f"{size / _MB:.1f} MB exceeds" if size is not None else "larger than"
    return (
        f"{name}: {what} the input limit of {max_bytes / _MB:g} MB ({max_bytes} bytes); "
        "raise it with --max-input-mb"
    )


def read_document(
    path: str | Path,
    *,
    lang: str | None = None,
    presplit: bool = False,
    encoding: str = "utf-8",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Document:
    """Read a document file (paragraphs on lines, or one sentence per line when ``presplit``)."""
    text = read_text(path, encoding=encoding, max_bytes=max_bytes)
    if not text.strip():
        raise InputError(f"{path}: the document is empty")
    return Document(text=text, path=str(path), lang=lang, presplit=presplit)


def parse_pairs(lines: Iterable[str], name: str = "<pairs>", fmt: str | None = None) -> list[Pair]:
    """Parse pairs from TSV (``source<TAB>target[<TAB>reference]``) or JSONL lines.

    ``fmt`` is ``"tsv"`` or ``"jsonl"``; ``None`` guesses from the first non-blank line.
    Blank lines are skipped. A malformed line raises :class:`InputError` naming ``name:line``.
    """
    pairs: list[Pair] = []
    first = True
    for lineno, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        if first and fmt != "jsonl" and is_tsv_header(line):
            first = False
            continue  # a header row (source<TAB>target[<TAB>reference]) is not a pair
        first = False
        if fmt is None:
            fmt = "jsonl" if line.lstrip().startswith("{") else "tsv"
        if fmt == "jsonl":
            obj = load_json_line(line, f"{name}:{lineno}")
            if not isinstance(obj, dict):
                raise InputError(f"{name}:{lineno}: expected a JSON object with source and target")
            src, tgt, ref = obj.get("source"), obj.get("target"), obj.get("reference")
            if not isinstance(src, str) or not isinstance(tgt, str):
                raise InputError(
                    f"{name}:{lineno}: 'source' and 'target' must be strings in every JSON line"
                )
            if ref is not None and not isinstance(ref, str):
                raise InputError(f"{name}:{lineno}: 'reference' must be a string")
            for key, value in (("source", src), ("target", tgt), ("reference", ref)):
                if value is not None and has_lone_surrogate(value):
                    raise InputError(
                        f"{name}:{lineno}: '{key}' holds a lone surrogate escape (such as "
                        "\\ud800), which is not text; fix the JSON"
                    )
            extra = {k: v for k, v in obj.items() if k not in ("source", "target", "reference")}
            pairs.append(Pair(src, tgt, ref, lineno, extra))
        else:
            fields = line.split("\t")
            if len(fields) < 2:
                raise InputError(
                    f"{name}:{lineno}: no tab found; each line must be source<TAB>target"
                )
            if len(fields) > 3:
                raise InputError(
                    f"{name}:{lineno}: {len(fields)} tab-separated fields; "
                    "expected source<TAB>target[<TAB>reference]"
                )
            ref = fields[2] if len(fields) == 3 else None
            pairs.append(Pair(fields[0], fields[1], ref, lineno))
    if not pairs:
        raise InputError(f"{name}: no segment pairs found (the file is empty)")
    return pairs


_TSV_HEADERS = (("source", "target"), ("source", "target", "reference"))


def is_tsv_header(line: str) -> bool:
    """Whether a TSV line is the header row ``source<TAB>target[<TAB>reference]`` (any case)."""
    return tuple(f.strip().lower() for f in line.split("\t")) in _TSV_HEADERS


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def has_lone_surrogate(text: str) -> bool:
    """Whether ``text`` holds a surrogate code point (only a JSON ``\\udXXX`` escape makes one)."""
    return _SURROGATE_RE.search(text) is not None


def load_json_line(line: str, where: str) -> object:
    """``json.loads`` with every failure (bad syntax, nesting too deep) an :class:`InputError`
    naming ``where``."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: invalid JSON ({exc.msg})") from None
    except RecursionError:
        raise InputError(f"{where}: invalid JSON (nested too deeply)") from None


def read_pairs(
    path: str | Path, *, encoding: str = "utf-8", max_bytes: int = DEFAULT_MAX_BYTES
) -> list[Pair]:
    """Read a pairs file: ``.jsonl``/``.json`` as JSON lines, anything else as TSV."""
    text = read_text(path, encoding=encoding, max_bytes=max_bytes)
    suffix = Path(path).suffix.lower()
    fmt = (
        "jsonl" if suffix in (".jsonl", ".json", ".ndjson") else "tsv" if suffix == ".tsv" else None
    )
    return parse_pairs(text.splitlines(), name=str(path), fmt=fmt)
