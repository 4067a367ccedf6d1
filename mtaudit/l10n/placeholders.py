"""What a translation must carry over unchanged: placeholders, markup, URLs, whitespace and
accelerators, extracted as :class:`Token`\\ s with their offsets (pure regular expressions and a
small ICU MessageFormat reader; no dependency). The checks in ``mtaudit/checks/`` compare them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "Token",
    "accelerators",
    "braces",
    "edge_whitespace",
    "entities",
    "icu_arguments",
    "icu_cases",
    "markdown_code",
    "markdown_links",
    "printf",
    "tags",
    "urls",
]


@dataclass(frozen=True)
class Token:
    """One thing to carry over: its comparison key, the text as written and its offsets."""

    key: str
    text: str
    start: int
    end: int


# --------------------------------------------------------------------------- printf

#: C/Python printf placeholders (``%s``, ``%-5.2f``, ``%(name)s``, ``%1$s``, ``%lld``), and Qt's
#: ``%1``. Not after a digit (``50% off``) and no space flag (``50 % of``), so prose percentages
#: are not placeholders; ``%%`` is an escaped percent sign.
_PRINTF = re.compile(
    r"(?<![\d%])%(?:%|(?P<pos>[1-9]\d?\$)?(?P<name>\([A-Za-z_]\w*\))?[-+#0']*(?:\d+|\*)?"
    r"(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|q|j|z|t|I64|I32)?(?P<conv>[diouxXeEfFgGcrsaAp@])"
    r"|(?P<qt>[1-9]\d?)(?![\d$]))"
)


def printf(text: str) -> list[Token]:
    """The printf placeholders of ``text`` (key: the placeholder without width/precision for
    positional and named ones, as written otherwise)."""
    out = []
    for m in _PRINTF.finditer(text):
        s = m.group(0)
        if s == "%%":
            continue
        if m.group("qt"):
            key = f"%{m.group('qt')}"
        elif m.group("pos") or m.group("name"):
            key = f"%{m.group('pos') or ''}{m.group('name') or ''}{m.group('conv')}"
        else:
            key = s
        out.append(Token(key, s, m.start(), m.end()))
    return out


# --------------------------------------------------------------------------- braces and ICU


@dataclass(frozen=True)
class _Arg:
    name: str
    kind: str  # "" for a simple argument, else the ICU type (plural, select, number, …)
    keys: tuple[str, ...]
    start: int
    end: int
    text: str


_NAME = re.compile(r"^\s*([A-Za-z_][\w.-]*|\d+)?\s*(?:(![rsa]))?\s*(?::[^{}]*)?\s*$")
_ICU_HEAD = re.compile(r"^\s*([A-Za-z_][\w.-]*|\d+)\s*,\s*([a-z]+)\s*(?:,(.*))?$", re.S)
_COMPLEX = ("plural", "select", "selectordinal")
_CASE = re.compile(r"\s*(offset:\s*\d+\s*)?(=?[\w-]+)\s*\{")
#: ICU messages nest (a select in a plural case); deeper than this is not read.
_MAX_DEPTH = 12


def _closers(text: str) -> dict[int, int]:
    """For each ``{`` of ``text`` that is closed, the index of its ``}`` (one pass, so that a
    text of unclosed braces costs linear time)."""
    out: dict[int, int] = {}
    stack: list[int] = []
    for k, c in enumerate(text):
        if c == "{":
            stack.append(k)
        elif c == "}" and stack:
            out[stack.pop()] = k
    return out


def _matching(text: str, i: int, closers: dict[int, int] | None = None) -> int:
    """The index of the ``}`` closing the ``{`` at ``i`` (-1 if none)."""
    return (closers if closers is not None else _closers(text)).get(i, -1)


def _icu_cases(body: str) -> tuple[list[str], list[tuple[int, int]]]:
    """The case keys (``one``, ``=0``, ``other``) of a plural/select body and their bodies' spans."""
    keys, spans, k = [], [], 0
    closers = _closers(body)
    while k < len(body):
        m = _CASE.match(body, k)
        if not m:
            break
        open_at = m.end() - 1
        close = _matching(body, open_at, closers)
        if close < 0:
            break
        keys.append(m.group(2))
        spans.append((open_at + 1, close))
        k = close + 1
    return keys, spans


def _args(text: str, base: int = 0, depth: int = 0) -> list[_Arg]:
    """Brace arguments of ``text``: simple ``{name}``/``{0!r}``/``{}`` and ICU ``{n, plural, …}``
    (with the arguments inside their cases); ``{{``/``}}`` escapes and ``{{ mustache }}`` too."""
    out: list[_Arg] = []
    closers = _closers(text) if "{" in text else {}
    next_close = -2
    i = 0
    while i < len(text):
        c = text[i]
        if c != "{":
            i += 1
            continue
        if text.startswith("{{", i):
            if next_close != -1 and next_close < i + 2:  # the next "}}", found once per stretch
                next_close = text.find("}}", i + 2)
            end = next_close
            inner = text[i + 2 : end] if 0 <= end - i <= 200 else ""  # a name, not a stretch
            if inner and re.fullmatch(r"\s*[\w.-]+\s*", inner):
                out.append(
                    _Arg(
                        "{{" + inner.strip() + "}}",
                        "mustache",
                        (),
                        base + i,
                        base + end + 2,
                        text[i : end + 2],
                    )
                )
                i = end + 2
            else:
                i += 2  # an escaped brace
            continue
        close = _matching(text, i, closers)
        if close < 0:
            i += 1
            continue
        inner = text[i + 1 : close]
        head = _ICU_HEAD.match(inner)
        if head and head.group(2) in _COMPLEX:
            keys, spans = _icu_cases(head.group(3) or "")
            off = i + 1 + head.start(3) if head.group(3) is not None else i + 1
            out.append(
                _Arg(
                    head.group(1),
                    head.group(2),
                    tuple(keys),
                    base + i,
                    base + close + 1,
                    text[i : close + 1],
                )
            )
            if depth < _MAX_DEPTH:
                for a, b in spans:
                    out.extend(_args((head.group(3) or "")[a:b], base + off + a, depth + 1))
        elif head:
            out.append(
                _Arg(
                    head.group(1),
                    head.group(2),
                    (),
                    base + i,
                    base + close + 1,
                    text[i : close + 1],
                )
            )
        else:
            m = _NAME.match(inner)
            if m and "{" not in inner:
                out.append(
                    _Arg(
                        (m.group(1) or "") + (m.group(2) or ""),
                        "",
                        (),
                        base + i,
                        base + close + 1,
                        text[i : close + 1],
                    )
                )
        i = close + 1
    return out


def braces(text: str) -> list[Token]:
    """``{name}``, ``{0}``, ``{}``, ``{0!r}``, ``{x:.2f}``, ``{{ var }}`` and ICU simple
    arguments (``{n, number}``); key: the argument name (with its conversion)."""
    out, auto = [], 0
    for a in _args(text):
        if a.kind in _COMPLEX:
            continue
        if a.kind == "mustache":
            key = a.name
        else:
            name = a.name
            if name == "" or name.startswith("!"):  # auto-numbered: {} is {0}, {!r} is {0!r}
                name, auto = f"{auto}{name}", auto + 1
            key = "{" + name + "}"
        out.append(Token(key, a.text, a.start, a.end))
    return out


def icu_arguments(text: str) -> list[Token]:
    """ICU plural/select/selectordinal arguments; key ``name,type`` (the case keys are compared
    by the check, as they differ between languages for plurals)."""
    return [
        Token(f"{a.name},{a.kind}", a.text, a.start, a.end)
        for a in _args(text)
        if a.kind in _COMPLEX
    ]


def icu_cases(token: Token) -> tuple[str, ...]:
    """The case keys of an ICU argument token."""
    for a in _args(token.text):
        if a.kind in _COMPLEX:
            return a.keys
    return ()


# --------------------------------------------------------------------------- markup

_TAG = re.compile(r"<(/?)([A-Za-z][\w.-]*(?::[\w.-]+)?)((?:\s+[^<>]*?)?)\s*(/?)>")
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#\d{1,7}|#[xX][0-9A-Fa-f]{1,6});")
#: Entities a translation may add or drop for its typography (spaces, soft hyphens).
TYPOGRAPHIC_ENTITIES = frozenset(
    {
        "&nbsp;",
        "&#160;",
        "&#xa0;",
        "&#xA0;",
        "&thinsp;",
        "&#8239;",
        "&shy;",
        "&#173;",
        "&ensp;",
        "&emsp;",
        "&zwnj;",
        "&zwj;",
    }
)


def tags(text: str) -> list[Token]:
    """HTML/XML tags; key ``<b>``, ``</b>``, ``<br/>`` (attributes left out: their values may be
    translated, as ``title`` and ``alt`` are; URLs in them are compared as URLs)."""
    out = []
    for m in _TAG.finditer(text):
        close, name, _, empty = m.groups()
        key = f"<{close}{name.lower()}{'/' if empty else ''}>"
        out.append(Token(key, m.group(0), m.start(), m.end()))
    return out


def entities(text: str) -> list[Token]:
    """Character entities (``&amp;``, ``&#169;``), not the typographic spaces."""
    return [
        Token(m.group(0), m.group(0), m.start(), m.end())
        for m in _ENTITY.finditer(text)
        if m.group(0) not in TYPOGRAPHIC_ENTITIES
    ]


# --------------------------------------------------------------------------- URLs, e-mail, Markdown

_URL = re.compile(
    r"(?:(?:https?|ftp)://|www\.)[^\s<>\"'`)\]]+[^\s<>\"'`)\].,;:!?]"
    r"|(?<![\w.+%-])[\w.+%-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_MD_LINK = re.compile(
    r"(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^\s()<>]*(?:\([^\s()]*\))?)>?"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
)
_MD_CODE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def markdown_links(text: str) -> list[Token]:
    """Markdown link and image targets (``[text](target)``): key the target."""
    return [Token(m.group(3), m.group(0), m.start(3), m.end(3)) for m in _MD_LINK.finditer(text)]


def urls(text: str) -> list[Token]:
    """URLs and e-mail addresses outside Markdown link targets (those are compared as links)."""
    inside = [(t.start, t.end) for t in markdown_links(text)]
    return [
        Token(
            m.group(0).rstrip("/").lower() if "@" in m.group(0) else m.group(0).rstrip("/"),
            m.group(0),
            m.start(),
            m.end(),
        )
        for m in _URL.finditer(text)
        if not any(a <= m.start() < b for a, b in inside)
    ]


def markdown_code(text: str) -> list[Token]:
    """Inline code spans (`` `code` ``): key the code."""
    return [
        Token(m.group(2).strip(), m.group(0), m.start(), m.end()) for m in _MD_CODE.finditer(text)
    ]


# --------------------------------------------------------------------------- whitespace, accelerators


def edge_whitespace(text: str) -> tuple[str, str]:
    """The leading and trailing whitespace of ``text`` (all of it leading when it is blank)."""
    body = text.lstrip()
    lead = text[: len(text) - len(body)]
    return lead, body[len(body.rstrip()) :]


_ACCEL = {
    "&": re.compile(r"(?<![\w&])&(?!&|#|\w+;)(\w)"),
    "_": re.compile(r"(?<![\w_])_(?!_)(\w)"),
    "~": re.compile(r"(?<![\w~])~(\w)"),
}


#: An accelerator anywhere in a word (``Farb_name``, ``O_rt``): translations move it inside words.
_ACCEL_IN_WORD = {
    "&": re.compile(r"(?<!&)&(?!&|#|\w+;)(\w)"),
    "_": re.compile(r"(?<!_)_(?!_)(\w)"),
    "~": re.compile(r"(?<!~)~(\w)"),
}


def accelerators(text: str, marker: str, *, in_words: bool = False, known: str = "") -> list[Token]:
    """Keyboard accelerators marked with ``marker`` (``&File``, ``_Save``); key the marker.

    By default only a marker starting a word counts (``snake_case`` is no accelerator).
    ``in_words`` also counts one inside a word, except in words that occur in ``known`` (the
    source: an identifier such as ``GTK_DEBUG`` copied over is not an accelerator).
    """
    rx = (_ACCEL_IN_WORD if in_words else _ACCEL)[marker]
    words = set(re.findall(r"\S+", known)) if in_words else set()
    out = []
    for m in rx.finditer(text):
        inside = m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_")
        if words and inside:
            a = text.rfind(" ", 0, m.start()) + 1
            b = text.find(" ", m.end())
            if text[a : b if b >= 0 else len(text)] in words:
                continue
        out.append(Token(marker, m.group(0), m.start(), m.end()))
    return out
