"""Word tokens, scripts and markup: how the checks read a sentence's surface."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

__all__ = [
    "NUMLIKE",
    "alnum_len",
    "dominant_script",
    "drop_urlish",
    "is_cjk",
    "letters",
    "markup_share",
    "script_of",
    "tokens",
]


def alnum_len(text: str) -> int:
    """Number of letters and digits: the length measure used for length ratios."""
    return sum(map(str.isalnum, text))


def letters(text: str) -> int:
    """Number of letters."""
    return sum(map(str.isalpha, text))


_CJK_RE = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u0e00-\u0e7f"
    "\U00020000-\U0002ffff]"
)


def is_cjk(ch: str) -> bool:
    """Han, kana, hangul or Thai: scripts written without spaces between words."""
    return _CJK_RE.match(ch) is not None


_TOKEN_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


#: Texts up to this length have their tokens memoised (the checks tokenise a sentence several
#: times in a row); the cache holds :data:`_TOKEN_CACHE_SIZE` of them, so its memory is bounded.
_TOKEN_CACHE_MAX_CHARS = 2000


_TOKEN_CACHE_SIZE = 256


def tokens(text: str) -> list[tuple[int, int, str]]:
    """Word tokens ``(start, end, token)``; CJK characters are one token each."""
    if len(text) <= _TOKEN_CACHE_MAX_CHARS:
        return list(_cached_tokens(text))
    return _tokens(text)


@lru_cache(maxsize=_TOKEN_CACHE_SIZE)
def _cached_tokens(text: str) -> tuple[tuple[int, int, str], ...]:
    return tuple(_tokens(text))


def _tokens(text: str) -> list[tuple[int, int, str]]:
    if _CJK_RE.search(text) is None:  # no CJK anywhere: every match is one token
        return [(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(text)]
    out: list[tuple[int, int, str]] = []
    for m in _TOKEN_RE.finditer(text):
        a, w = m.start(), m.group(0)
        if _CJK_RE.search(w):
            run = a
            for k, c in enumerate(w):
                if is_cjk(c):
                    if run < a + k:
                        out.append((run, a + k, text[run : a + k]))
                    out.append((a + k, a + k + 1, c))
                    run = a + k + 1
            if run < m.end():
                out.append((run, m.end(), text[run : m.end()]))
        else:
            out.append((a, m.end(), w))
    return out


def script_of(ch: str) -> str:
    """``"latin"``, ``"cyrillic"``, ``"greek"``, ``"cjk"`` or ``"other"`` for a letter."""
    if ch.isascii():
        return "latin"
    if is_cjk(ch):
        return "cjk"
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return "other"
    for script in ("LATIN", "CYRILLIC", "GREEK"):
        if name.startswith(script):
            return script.lower()
    return "other"


def dominant_script(text: str) -> str | None:
    """The script most letters of ``text`` are written in."""
    if text.isascii():
        return "latin" if any(map(str.isalpha, text)) else None
    counts: dict[str, int] = {}
    # per distinct letter, in order of first occurrence (so scripts too: ties go the same way)
    for ch, n in Counter(filter(str.isalpha, text)).items():
        sc = script_of(ch)
        counts[sc] = counts.get(sc, 0) + n
    return max(counts, key=lambda k: counts[k]) if counts else None


NUMLIKE = re.compile(r"\d")


#: URLs, e-mail addresses and markup/code chunks (``class=B``, ``List_of_x#cite``, ``{{``):
#: copied on purpose, so they are no evidence of an untranslated sentence.
_URLISH = re.compile(r"(?:https?://|www\.)\S+|\S*\s?=\s?\S*|\S*[_#{}|<>\\/@]\S*")


#: What every match of :data:`_URLISH` contains (``http://`` has a slash): a text without any of
#: it has no match, found with one cheap scan instead of ``_URLISH``'s scan from every offset.
_URLISH_HINT = re.compile(r"[=_#{}|<>\\/@]|www\.")


def drop_urlish(text: str) -> str:
    """``text`` with URLs and markup/code chunks replaced by a space."""
    return _URLISH.sub(" ", text) if _URLISH_HINT.search(text) else text


def markup_share(text: str) -> float:
    """Share of the non-blank characters of ``text`` in URLs and markup/code chunks."""
    total = len(text) - sum(map(str.isspace, text))
    if not total:
        return 0.0
    if not _URLISH_HINT.search(text):
        return 0 / total
    code = sum(
        len(g) - sum(map(str.isspace, g)) for g in (m.group(0) for m in _URLISH.finditer(text))
    )
    return code / total
