"""The CI gate's policy: which reports pass, from a TOML file or in code / command-line flags.

A policy file (conventionally ``mtaudit.toml``) holds only data — it is parsed with the standard
library's ``tomllib`` (``tomli`` on Python 3.10), never executed::

    min_quality = 70            # document quality 0–100 (skipped when the report has none)
    max_flagged_share = 0.10    # share of target content sentences with major/critical findings
    max_garbled_share = 0.05    # share of target content sentences with a garbled finding
    max_omitted_share = 0.20    # share of source content not linked to the target
    fail_on = "critical"        # fail on any finding this severe or worse ("none": never)
    ignore = ["name_mismatch"]  # drop findings with these codes (a code also covers its sub-kinds)

    [severity]                  # per-code severity overrides
    number_mismatch = "critical"
    "repetition.loop" = "minor"

Every key is optional; an empty file is a policy with no rules (every report passes).

Validation errors are :class:`~mtaudit.errors.InputError` with a one-line message of the form
``mtaudit.toml:7: key 'fail_on': …``. ``tomllib`` reports no positions for keys, so the line is
found by scanning the file text: table headers (``[severity]``) are tracked and the first line
that assigns the key (bare, quoted or dotted, or inside an inline table) in the right table is
taken. This is exact for ordinary policy files; for exotic layouts (a key repeated inside a
multi-line string, say) it may point at a nearby line, and without a match the message names no
line rather than a wrong one.
"""

from __future__ import annotations

import difflib
import math
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import InputError
from .load import read_bytes
from .report import SEVERITIES

__all__ = [
    "Policy",
    "POLICY_KEYS",
    "load_policy",
    "parse_policy",
    "policy_from_mapping",
    "code_matches",
    "find_key_line",
]

#: The keys a policy may hold, with a one-line description each (used in error messages).
POLICY_KEYS: dict[str, str] = {
    "min_quality": "a number 0–100",
    "max_flagged_share": "a number 0–1",
    "max_garbled_share": "a number 0–1",
    "max_omitted_share": "a number 0–1",
    "fail_on": f"one of {', '.join(SEVERITIES)}, none",
    "severity": "a table of finding code = severity",
    "ignore": "a list of finding codes",
}

#: Largest policy file read (bytes): a policy is a few hundred lines of TOML.
POLICY_MAX_BYTES = 1024 * 1024
_CODE_RE = re.compile(r"^[a-z_]+(\.[a-z_]+)*$")
_SHARE_KEYS = ("max_flagged_share", "max_garbled_share", "max_omitted_share")


@dataclass(frozen=True)
class Policy:
    """What a report must satisfy to pass the gate. ``None`` (or empty) means "no such rule".

    ``severity`` maps a finding code to the severity it should have; ``ignore`` lists codes whose
    findings are dropped. A code also matches its sub-kinds: ``repetition`` covers ``repetition.loop``
    (the most specific entry wins). ``origin`` names where the policy came from (for messages).
    """

    min_quality: float | None = None
    max_flagged_share: float | None = None
    max_garbled_share: float | None = None
    max_omitted_share: float | None = None
    fail_on: str | None = None
    severity: Mapping[str, str] = field(default_factory=dict)
    ignore: tuple[str, ...] = ()
    origin: str | None = None

    def __post_init__(self) -> None:
        # Validate and normalise the in-code form too (a file is validated with line numbers
        # before it gets here): numbers become floats, ``fail_on="none"`` becomes ``None``.
        for key, value in _validate(self._as_mapping(), _Locator(None, None, known_codes=False)).items():
            object.__setattr__(self, key, value)

    def _as_mapping(self) -> dict[str, Any]:
        return {
            "min_quality": self.min_quality,
            "max_flagged_share": self.max_flagged_share,
            "max_garbled_share": self.max_garbled_share,
            "max_omitted_share": self.max_omitted_share,
            "fail_on": self.fail_on,
            "severity": dict(self.severity),
            "ignore": list(self.ignore),
        }

    @property
    def is_empty(self) -> bool:
        """True when the policy sets no rule at all."""
        return not self.rules and not self.severity and not self.ignore

    @property
    def rules(self) -> list[str]:
        """The names of the gate rules that are set, in evaluation order."""
        names = ["min_quality", *_SHARE_KEYS, "fail_on"]
        return [n for n in names if getattr(self, n) is not None]

    def with_overrides(
        self,
        *,
        min_quality: float | None = None,
        max_flagged_share: float | None = None,
        max_garbled_share: float | None = None,
        max_omitted_share: float | None = None,
        fail_on: str | None = None,
        severity: Mapping[str, str] | None = None,
        ignore: Iterable[str] | None = None,
        where: str = "command line",
    ) -> Policy:
        """A copy with the given values replacing this policy's (``None`` keeps the current one).

        Meant for command-line flags over a policy file: ``--fail-on major`` beats
        ``fail_on = "critical"`` in the file; ``fail_on="none"`` switches the rule off.
        ``severity`` entries are merged over the current ones; ``ignore`` codes are added.
        Bad values raise :class:`InputError` naming ``where`` (e.g. ``command line: key
        'min_quality': must be between 0 and 100, got 120``).
        """
        changes: dict[str, Any] = {}
        for key, value in (
            ("min_quality", min_quality),
            ("max_flagged_share", max_flagged_share),
            ("max_garbled_share", max_garbled_share),
            ("max_omitted_share", max_omitted_share),
        ):
            if value is not None:
                changes[key] = value
        if fail_on is not None:
            changes["fail_on"] = _norm_fail_on(fail_on)
        if severity:
            changes["severity"] = {**self.severity, **severity}
        if ignore is not None:
            changes["ignore"] = tuple(dict.fromkeys([*self.ignore, *ignore]))
        if not changes:
            return self
        given = {**changes, "fail_on": fail_on} if fail_on is not None else changes
        _validate(given, _Locator(where, None))
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The policy as plain data (the same shape as the TOML file), for reports and logs."""
        d: dict[str, Any] = {k: v for k, v in self._as_mapping().items() if v not in (None, [], {})}
        if self.origin:
            d["origin"] = self.origin
        return d


def code_matches(code: str, pattern: str) -> bool:
    """True when finding ``code`` is ``pattern`` or one of its sub-kinds (``repetition.loop``)."""
    return code == pattern or code.startswith(pattern + ".")


# --------------------------------------------------------------------------- validation


class _Locator:
    """Turns a key path into ``file:line: `` for messages (no line when no text was given)."""

    def __init__(self, name: str | None, text: str | None, *, known_codes: bool = True) -> None:
        self.name = name
        self.text = text
        #: Whether codes must name findings of registered checks (a file, the command line);
        #: a Policy built in code may name the codes of a check registered later.
        self.known_codes = known_codes

    def where(self, path: tuple[str, ...]) -> str:
        line = find_key_line(self.text, path) if self.text is not None else None
        if self.name is None:
            return "policy: "
        return f"{self.name}:{line}: " if line else f"{self.name}: "

    def fail(self, path: tuple[str, ...], problem: str) -> InputError:
        key = ".".join(_quote_key(p) for p in path)
        return InputError(f"{self.where(path)}key '{key}': {problem}")


def _quote_key(part: str) -> str:
    return part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else f'"{part}"'


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    return f"a {type(value).__name__}"


def _norm_fail_on(value: str) -> str | None:
    return None if value == "none" else value


def _flatten_codes(table: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> dict[str, Any]:
    """``{repetition = {loop = "minor"}}`` (from the dotted key ``repetition.loop``) → flat codes."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        path = (*prefix, key)
        if isinstance(value, Mapping):
            flat.update(_flatten_codes(value, path))
        else:
            flat[".".join(path)] = value
    return flat


def _unknown_code(code: str) -> str | None:
    """Why ``code`` names no finding any registered check gives (None when it does)."""
    from .checks import known_codes  # the registry imports the checks; they never import this

    codes = known_codes()
    if code in codes:
        return None
    near = difflib.get_close_matches(code, list(codes), n=1, cutoff=0.75)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    return f"unknown finding code {code!r}{hint} (`mtaudit checks` lists them)"


def _validate(data: Mapping[str, Any], loc: _Locator) -> dict[str, Any]:
    """Check every key and value; return normalised constructor arguments for :class:`Policy`."""
    out: dict[str, Any] = {}
    for key in data:
        if key not in POLICY_KEYS:
            near = difflib.get_close_matches(str(key), list(POLICY_KEYS), n=1)
            hint = f"; did you mean '{near[0]}'?" if near else ""
            raise InputError(
                f"{loc.where((key,))}unknown key '{key}'{hint} (known: {', '.join(POLICY_KEYS)})"
            )
    for key in ("min_quality", *_SHARE_KEYS):
        value = data.get(key)
        if value is None:
            continue
        top = 100 if key == "min_quality" else 1
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise loc.fail((key,), f"expected {POLICY_KEYS[key]}, got {_type_name(value)}")
        if math.isnan(value) or not 0 <= value <= top:
            raise loc.fail((key,), f"must be between 0 and {top}, got {value}")
        out[key] = float(value)
    fail_on = data.get("fail_on")
    if fail_on is not None:
        if not isinstance(fail_on, str):
            raise loc.fail(("fail_on",), f"expected a string, got {_type_name(fail_on)}")
        if fail_on not in (*SEVERITIES, "none"):
            raise loc.fail(
                ("fail_on",), f"unknown severity {fail_on!r}; use {POLICY_KEYS['fail_on']}"
            )
        out["fail_on"] = _norm_fail_on(fail_on)
    sev = data.get("severity")
    if sev is not None:
        if not isinstance(sev, Mapping):
            raise loc.fail(
                ("severity",), f"expected {POLICY_KEYS['severity']}, got {_type_name(sev)}"
            )
        flat = _flatten_codes(sev)
        for code, level in flat.items():
            path = ("severity", *code.split("."))
            if not _CODE_RE.match(code):
                raise loc.fail(path, "not a finding code (lower-case letters, '_' and '.')")
            if not isinstance(level, str):
                raise loc.fail(path, f"expected a severity string, got {_type_name(level)}")
            if level not in SEVERITIES:
                raise loc.fail(
                    path, f"unknown severity {level!r}; use one of {', '.join(SEVERITIES)}"
                )
            unknown = _unknown_code(code) if loc.known_codes else None
            if unknown:
                raise loc.fail(path, unknown)
        out["severity"] = flat
    ignore = data.get("ignore")
    if ignore is not None:
        if not isinstance(ignore, (list, tuple)):
            raise loc.fail(
                ("ignore",), f"expected {POLICY_KEYS['ignore']}, got {_type_name(ignore)}"
            )
        for item in ignore:
            if not isinstance(item, str):
                raise loc.fail(("ignore",), f"expected finding codes, got {_type_name(item)}")
            if not _CODE_RE.match(item):
                raise loc.fail(
                    ("ignore",), f"{item!r} is not a finding code (lower-case letters, '_', '.')"
                )
            unknown = _unknown_code(item) if loc.known_codes else None
            if unknown:
                raise loc.fail(("ignore",), unknown)
        out["ignore"] = tuple(dict.fromkeys(ignore))
    return out


def policy_from_mapping(
    data: Mapping[str, Any], *, origin: str | None = None, text: str | None = None
) -> Policy:
    """A :class:`Policy` from plain data shaped like the TOML file (e.g. ``tomllib`` output).

    ``origin`` (a file name) and ``text`` (that file's text) make error messages point at lines.
    """
    if not isinstance(data, Mapping):
        raise InputError(
            f"{origin or 'policy'}: expected a table of settings, got {_type_name(data)}"
        )
    args = _validate(data, _Locator(origin, text))
    return Policy(**args, origin=origin)


def _toml_loads(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        try:
            import tomli as tomllib
        except ImportError as exc:
            raise InputError(
                "reading a policy file on Python 3.10 needs the 'tomli' package: pip install tomli"
            ) from exc
    return tomllib.loads(text)


_POS_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_END_RE = re.compile(r"\s*\(at end of document\)\s*$")


def parse_policy(text: str, name: str = "policy.toml") -> Policy:
    """Parse policy TOML ``text``; ``name`` is the file name used in error messages."""
    try:
        data = _toml_loads(text)
    except InputError:
        raise
    except RecursionError:  # tomllib recurses into nested arrays and inline tables
        raise InputError(f"{name}: TOML nested too deeply for a policy file") from None
    except ValueError as exc:  # tomllib.TOMLDecodeError is a ValueError
        msg = str(exc)
        m = _POS_RE.search(msg)
        if m:
            where = f"{name}:{m.group(1)}:{m.group(2)}"
            msg = msg[: m.start()]
        elif _END_RE.search(msg):
            lines = text.splitlines() or [""]
            where = f"{name}:{len(lines)}:{len(lines[-1]) + 1}"
            msg = _END_RE.sub("", msg) + " at end of file"
        else:
            where = name
        raise InputError(f"{where}: TOML syntax error: {msg}") from None
    return policy_from_mapping(data, origin=name, text=text)


def load_policy(path: str | Path) -> Policy:
    """Read and validate a policy file (TOML, UTF-8). Any problem is an :class:`InputError`."""
    name = str(path)
    if not Path(path).exists():
        raise InputError(f"{name}: policy file not found")
    raw = read_bytes(path, max_bytes=POLICY_MAX_BYTES, what="a policy file (TOML)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{name}:{line}: policy file is not UTF-8 text") from None
    return parse_policy(text, name)


# --------------------------------------------------------------------------- key → line


_HEADER_RE = re.compile(r"^\s*\[\[?\s*(?P<key>[^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_ASSIGN_RE = re.compile(rf"^\s*(?P<key>{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")


def _split_key(dotted: str) -> tuple[str, ...]:
    parts = re.findall(_KEY_PART, dotted)
    out = []
    for part in parts:
        if part[:1] in "\"'":
            part = part[1:-1]
        out.append(part)
    return tuple(out)


def _norm_path(path: tuple[str, ...]) -> tuple[str, ...]:
    """``("severity", "repetition.loop")`` and ``("severity", "garbled", "fused")`` compare equal."""
    return tuple(".".join(path).split("."))


def find_key_line(text: str | None, path: tuple[str, ...]) -> int | None:
    """The 1-based line of ``text`` (TOML) that sets the key ``path``, or ``None`` if not found.

    Tracks ``[table]`` headers and matches bare, quoted and dotted keys; a key set inside an
    inline table (``severity = { number_mismatch = "critical" }``) is found on that line. When
    only a parent of ``path`` is found (``[severity]`` for ``severity.x``), its line is returned.
    """
    if not text or not path:
        return None
    path = _norm_path(path)
    table: tuple[str, ...] = ()
    best: tuple[int, int] | None = None  # (matched depth, line)
    for lineno, line in enumerate(text.splitlines(), start=1):
        head = _HEADER_RE.match(line)
        if head and "=" not in head.group("key"):
            table = _norm_path(_split_key(head.group("key")))
            if table and path[: len(table)] == table:
                depth = len(table)
                if depth == len(path):
                    return lineno
                if best is None or depth > best[0]:
                    best = (depth, lineno)
            continue
        assign = _ASSIGN_RE.match(line)
        if not assign:
            continue
        full = _norm_path(table + _split_key(assign.group("key")))
        if full == path:
            return lineno
        if path[: len(full)] == full:
            # An inline table or array on this line may hold the rest of the path.
            rest = path[len(full) :]
            tail = line[assign.end() :]
            leaf = re.escape(rest[-1])
            pattern = rf"""(?:^|[{{,\s.])(?:{leaf}|"{leaf}"|'{leaf}')\s*="""
            if re.search(pattern, tail):
                return lineno
            if best is None or len(full) > best[0]:
                best = (len(full), lineno)
    return best[1] if best else None
