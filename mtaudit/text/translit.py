"""Transliteration to lowercase ASCII and spelling keys, for comparing names across scripts."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["skeleton", "spelling_key", "transliterate"]


_CYR = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "є": "ye",
    "ё": "yo",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "і": "i",
    "ї": "yi",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "ў": "u",
    "ђ": "dj",
    "ј": "j",
    "љ": "lj",
    "њ": "nj",
    "ћ": "c",
    "џ": "dz",
}


_GREEK = {
    "α": "a",
    "β": "v",
    "γ": "g",
    "δ": "d",
    "ε": "e",
    "ζ": "z",
    "η": "i",
    "θ": "th",
    "ι": "i",
    "κ": "k",
    "λ": "l",
    "μ": "m",
    "ν": "n",
    "ξ": "x",
    "ο": "o",
    "π": "p",
    "ρ": "r",
    "σ": "s",
    "ς": "s",
    "τ": "t",
    "υ": "y",
    "φ": "f",
    "χ": "ch",
    "ψ": "ps",
    "ω": "o",
}


def transliterate(word: str) -> str:
    """A lowercase ASCII rendering of a word: Cyrillic/Greek romanised, diacritics dropped.

    Deliberately simple (one table for Ukrainian, Russian, Belarusian, Serbian, Bulgarian): it
    only has to bring a name close enough to its Latin spelling for :func:`names_match`.
    """
    # words recur across sentences and checks: memoise the short ones (bounded memory)
    return _cached_transliterate(word) if len(word) <= 40 else _transliterate(word)


@lru_cache(maxsize=16384)
def _cached_transliterate(word: str) -> str:
    return _transliterate(word)


def _transliterate(word: str) -> str:
    out = []
    for ch in word.lower():
        if ch in _CYR:
            out.append(_CYR[ch])
        elif ch in _GREEK:
            out.append(_GREEK[ch])
        else:
            d = unicodedata.normalize("NFKD", ch)
            out.append("".join(c for c in d if not unicodedata.combining(c)))
    s = "".join(out)
    s = s.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("œ", "oe")
    s = s.replace("ł", "l").replace("đ", "d").replace("ı", "i")
    return "".join(c for c in s if c.isalnum())


_SKELETON_SUBS = (
    ("shch", "sh"),
    ("dzh", "j"),
    ("zh", "j"),
    ("kh", "h"),
    ("tsch", "ch"),
    ("sch", "sh"),
    ("ck", "k"),
    ("ph", "f"),
    ("th", "t"),
    ("x", "ks"),
    ("w", "v"),
    ("q", "k"),
    ("c", "k"),
    ("g", "h"),
    ("z", "s"),
    ("j", "y"),
)


_SPELLING_SUBS = (
    ("sch", "s"),
    ("kh", "h"),  # romanised Cyrillic х: Mikhail, Mihail, Estonian Mihhail
    ("ph", "f"),
    ("th", "t"),
    ("ck", "k"),
    ("qu", "kv"),
    ("x", "ks"),
    ("c", "k"),
    ("q", "k"),
    ("w", "v"),
    ("z", "s"),
    ("y", "i"),
    ("j", "i"),
)


def spelling_key(s: str) -> str:
    """A transliterated word with Latin spelling conventions merged (c/k, w/v, s/z, y/i/j, ph/f,
    th/t, kh/h) and doubled letters collapsed: Hercules → herkules, Hawaii → havai."""
    for a, b in _SPELLING_SUBS:
        s = s.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", s)


def skeleton(s: str) -> str:
    """Consonant skeleton of a transliterated word, for spelling-tolerant name matching."""
    for a, b in _SKELETON_SUBS:
        s = s.replace(a, b)
    s = re.sub(r"[aeiouy]", "", s)
    return re.sub(r"(.)\1+", r"\1", s)
