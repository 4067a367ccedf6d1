"""Model-free fluency signals: words, unigram frequencies, and link-grammar parses.

Every component here is optional and degrades to "not available" (``None``) rather than failing:

* :func:`unigram_logprob` — ``wordfreq`` (a dependency of the fluency extra; 42 languages).
* :class:`LinkParser` — Debian's ``python3-link-grammar``; its binding lives in the system
  ``dist-packages``, which a virtualenv does not see, so that folder is appended to ``sys.path``
  only when the binding is actually there.
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..langid import base_lang

__all__ = [
    "Word",
    "words",
    "unigram_logprob",
    "wordfreq_covers",
    "LinkParser",
    "PUNCT_LOGPROB",
]

_WORD_RE = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]", re.UNICODE)
#: Unigram log-probability used for punctuation (wordfreq does not count it).
PUNCT_LOGPROB = math.log(0.01)
#: Floor for words wordfreq has never seen.
MIN_FREQ = 1e-9


@dataclass(frozen=True)
class Word:
    """A word or punctuation mark of a sentence, with its character span."""

    text: str
    start: int
    end: int

    @property
    def is_punct(self) -> bool:
        return not any(c.isalnum() for c in self.text)


def words(text: str) -> list[Word]:
    """Split ``text`` into words and punctuation marks (offsets index into ``text``)."""
    return [Word(m.group(), m.start(), m.end()) for m in _WORD_RE.finditer(text)]


_WF_LANGS: frozenset[str] | None = None


def _wordfreq_langs() -> frozenset[str]:
    global _WF_LANGS
    if _WF_LANGS is None:
        try:
            import wordfreq
        except ImportError:
            return frozenset()  # not cached: a later install is picked up
        import importlib.util

        langs = set(wordfreq.available_languages())
        # wordfreq tokenises these with optional packages and raises without them
        for lang, module in (("ja", "MeCab"), ("ko", "MeCab"), ("zh", "jieba")):
            if importlib.util.find_spec(module) is None:
                langs.discard(lang)
        _WF_LANGS = frozenset(langs)
    return _WF_LANGS


def wordfreq_covers(lang: str | None) -> bool:
    """True if ``wordfreq`` is installed and has a word list for ``lang``."""
    return (base_lang(lang) or "") in _wordfreq_langs()


@functools.lru_cache(maxsize=200_000)
def _freq(word: str, lang: str) -> float:
    import wordfreq

    return float(wordfreq.word_frequency(word, lang))


def unigram_logprob(word: str, lang: str | None) -> float:
    """Natural-log unigram probability of ``word`` (floored at :data:`MIN_FREQ`)."""
    if not any(c.isalnum() for c in word):
        return PUNCT_LOGPROB
    return math.log(max(_freq(word, (base_lang(lang) or "")), MIN_FREQ))


def word_frequency(word: str, lang: str | None) -> float:
    """Raw wordfreq frequency of ``word`` (0.0 for an unknown word)."""
    if not wordfreq_covers(lang):
        return 0.0
    return _freq(word, (base_lang(lang) or ""))


# ---------------------------------------------------------------------------------------------
# link-grammar

_SYSTEM_DIST = "/usr/lib/python3/dist-packages"
_LG_LANGS = frozenset({"en", "de", "ru", "lt", "fa", "he", "tr", "ar", "id", "kz", "th", "vn"})


@functools.lru_cache(maxsize=1)
def _linkgrammar() -> Any | None:
    try:
        import linkgrammar  # noqa: F401
    except ImportError:
        if not (Path(_SYSTEM_DIST) / "linkgrammar").is_dir():
            return None
        if _SYSTEM_DIST not in sys.path:
            sys.path.append(_SYSTEM_DIST)
        try:
            import linkgrammar  # noqa: F401
        except Exception:
            return None
    except Exception:
        return None
    import linkgrammar as lg

    return lg


@dataclass
class ParseResult:
    """The best link-grammar linkage of a sentence: words it had to skip and the linkage's costs."""

    null_count: int
    disjunct_cost: float
    link_cost: float
    n_words: int


class LinkParser:
    """Link-grammar parses, one dictionary per language, loaded once per process.

    :meth:`for_lang` returns ``None`` when the binding or the language's dictionary is missing.
    Parsing is bounded by ``max_seconds`` per sentence; sentences longer than ``max_words`` are not
    parsed (``parse`` returns ``None``).
    """

    _cache: dict[str, LinkParser | None] = {}
    _lock = threading.Lock()

    def __init__(self, lg: Any, dictionary: Any, lang: str, max_seconds: float, max_words: int):
        self._lg = lg
        self._dict = dictionary
        self.lang = lang
        self.max_words = max_words
        self._opts = lg.ParseOptions(
            verbosity=0,
            linkage_limit=50,
            max_null_count=250,
            max_parse_time=max(1, int(math.ceil(max_seconds))),
        )
        self.version = str(getattr(lg.Clinkgrammar, "linkgrammar_get_version", lambda: "")())

    @classmethod
    def for_lang(
        cls, lang: str | None, max_seconds: float = 1.0, max_words: int = 60
    ) -> LinkParser | None:
        base = base_lang(lang) or ""
        with cls._lock:
            if base not in cls._cache:
                cls._cache[base] = cls._load(base, max_seconds, max_words)
            return cls._cache[base]

    @classmethod
    def _load(cls, base: str, max_seconds: float, max_words: int) -> LinkParser | None:
        if base not in _LG_LANGS:
            return None
        lg = _linkgrammar()
        if lg is None:
            return None
        try:
            _silence(lg)
            dictionary = lg.Dictionary(base)
        except Exception:
            return None
        return cls(lg, dictionary, base, max_seconds, max_words)

    def parse(self, text: str) -> ParseResult | None:
        """Parse ``text``; ``None`` if it is too long or the parser fails."""
        n = len(words(text))
        if n == 0 or n > self.max_words:
            return None
        try:
            sent = self._lg.Sentence(text, self._dict, self._opts)
            linkages = sent.parse()
            best = next(iter(linkages), None)
            if best is None:
                return None
            return ParseResult(
                null_count=int(sent.null_count()),
                disjunct_cost=float(best.disjunct_cost()),
                link_cost=float(best.link_cost()),
                n_words=n,
            )
        except Exception:  # LG_TimerExhausted and parse errors: no parse
            return None


def _silence(lg: Any) -> None:
    """Route link-grammar's info/debug messages away from stderr."""
    with contextlib.suppress(Exception):
        lg.LG_Error.set_handler(lambda *_a: None)
