"""Language identification: which language a sentence or a document is written in.

:func:`detect_language` returns the ISO 639-1 code of a text's language (ISO 639-3 for the few
languages without a two-letter code), or ``None`` when there is too little text to tell.
``candidates`` restricts the answer, e.g. to a pair's two languages when checking whether a
target sentence was left in the source language. :func:`detect_document_language` does the same
for a whole document given as sentences.

The default backend is ``py3langid`` (a naive-Bayes model over byte n-grams, ~140 languages,
deterministic by construction), refined by three things that short texts need:

* script rules: any kana means Japanese, any Hangul Korean, mostly-Han text Chinese;
* Cyrillic orthography: ``і ї є ґ`` rule out Russian (and Bulgarian, Serbian, Macedonian),
  ``ы э ё ъ`` rule out Ukrainian;
* a mild prior (×0.3) against languages outside the ~30 most used on the web, so that a
  two-word English or Spanish phrase is not called Nigerian Pidgin or Galician.

The ``langdetect`` backend is kept for comparison. ``langdetect`` is random unless seeded; here
every call builds a fresh detector with a fixed seed, so its answer depends only on the text,
not on earlier calls or on the process. The project's measurements on short and full sentences
are in ``docs/benchmarks.md`` (``benchmarks/bench_segmentation.py``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from .errors import InputError, ModelUnavailableError

__all__ = [
    "BACKENDS",
    "MIN_LETTERS",
    "base_lang",
    "detect_language",
    "detect_document_language",
    "detect_with_confidence",
    "lang_probability",
    "normalise_code",
]

#: Backends :func:`detect_language` accepts.
BACKENDS = ("py3langid", "langdetect")
#: Least amount of text (letters; Han, kana and Hangul count double) to guess a language from.
MIN_LETTERS = 3
#: Characters of a document :func:`detect_document_language` looks at (evenly sampled).
_DOCUMENT_BUDGET = 20_000

#: Languages with the most web content; others get a mild prior (see module docstring).
_MAJOR = frozenset(
    {"en", "zh", "es", "fr", "de", "ru", "ja", "pt", "it", "ar", "ko", "uk", "pl", "nl", "tr"}
    | {"fa", "vi", "id", "hi", "sv", "cs", "el", "he", "hu", "ro", "da", "fi", "no", "th"}
)
_MINOR_PRIOR = 0.3
#: Model labels mapped to the ISO 639-1 code of their macrolanguage.
_ALIASES = {
    "ary": "ar",
    "arz": "ar",
    "yue": "zh",
    "wuu": "zh",
    "uzs": "uz",
    "gug": "gn",
    "sdh": "ku",
    "zh-cn": "zh",
    "zh-tw": "zh",
}
_NO_LANGUAGE = "zxx"

_NOISE = re.compile(
    r"(?:https?://|www\.)\S+|[^\s@]{1,64}@[^\s@]{1,255}\.\w+|[@#]\w+|[\d_]+",
    re.IGNORECASE,
)
#: Longest text (after cleaning) the statistical model reads; the rest adds time, not accuracy.
_MAX_CHARS = 50_000
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_UK_ONLY = re.compile("[іїєґІЇЄҐ]")
_RU_NOT_UK = re.compile("[ыэёъЫЭЁЪ]")
_CYRILLIC_NOT_UK = ("ru", "bg", "sr", "mk")


def base_lang(lang: str | None) -> str | None:
    """The base language of a code: ``"pt-BR"`` / ``"pt_BR"`` → ``"pt"``; None for no code."""
    if not lang or not isinstance(lang, str):
        return None
    return lang.strip().replace("_", "-").split("-")[0].lower() or None


def normalise_code(code: str | None) -> str | None:
    """``"pt-BR"`` → ``"pt"``, ``"zh_Hant"`` → ``"zh"``, ``"EN"`` → ``"en"``; aliases folded."""
    if not code or not isinstance(code, str):
        return None
    low = code.strip().lower().replace("_", "-")
    if low in _ALIASES:
        return _ALIASES[low]
    base = low.split("-")[0]
    return _ALIASES.get(base, base) or None


def _clean(text: str) -> str:
    return _NOISE.sub(" ", text)


def _letter_weight(text: str) -> int:
    weight = 0
    for ch in text:
        if ch.isalpha():
            weight += (
                2
                if ord(ch) >= 0x1100 and (_HAN.match(ch) or _KANA.match(ch) or _HANGUL.match(ch))
                else 1
            )
            if weight >= 64:
                break
    return weight


# --------------------------------------------------------------------------------------------
# Backends: each returns {code: score} over every language it knows (higher is likelier)
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=2)
def _py3langid(norm_probs: bool = True) -> Any:
    """py3langid's model: probabilities (``norm_probs``) or raw log-scores, loaded once each."""
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ModelUnavailableError(
            "language identification needs the package 'py3langid': pip install py3langid"
        ) from exc
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=norm_probs)


def _scores_py3langid(text: str) -> dict[str, float]:
    ranked = _py3langid().rank(text)
    if not ranked or ranked[0][1] - ranked[-1][1] < 1e-9:
        return {}  # no n-gram features: the model abstains
    scores: dict[str, float] = {}
    for label, score in ranked:
        code = normalise_code(label) or label
        weight = 1.0 if code in _MAJOR else _MINOR_PRIOR
        value = float(score) * weight
        if value > scores.get(code, -1.0):
            scores[code] = value
    return scores


@lru_cache(maxsize=1)
def _langdetect_factory():  # type: ignore[no-untyped-def]
    try:
        from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ModelUnavailableError(
            "the langdetect backend needs the package 'langdetect': pip install langdetect"
        ) from exc
    factory = DetectorFactory()  # private: the global langdetect factory is left untouched
    factory.load_profile(PROFILES_DIRECTORY)
    factory.seed = 0
    return factory


def _scores_langdetect(text: str) -> dict[str, float]:
    from langdetect.lang_detect_exception import LangDetectException

    detector = _langdetect_factory().create()
    detector.seed = 0  # a fresh, seeded detector per call: no dependence on call history
    detector.append(text)
    try:
        # Private in langdetect 1.0.9 (pinned): fills detector.langprob for every language,
        # where the public get_probabilities() drops those under 0.1 (needed for candidates).
        detector._detect_block()
    except LangDetectException:
        return {}
    scores: dict[str, float] = {}
    for label, prob in zip(detector.langlist, detector.langprob, strict=False):
        code = normalise_code(label) or label
        scores[code] = max(scores.get(code, 0.0), float(prob))
    return scores


_BACKENDS = {"py3langid": _scores_py3langid, "langdetect": _scores_langdetect}


def _apply_script_rules(text: str, scores: dict[str, float]) -> dict[str, float]:
    """Overrule the statistical scores where the script settles the question."""
    if _KANA.search(text):
        return {"ja": 1.0, **{k: v * 1e-3 for k, v in scores.items() if k != "ja"}}
    if _HANGUL.search(text):
        return {"ko": 1.0, **{k: v * 1e-3 for k, v in scores.items() if k != "ko"}}
    han = len(_HAN.findall(text))
    if han and 2 * han >= sum(ch.isalpha() for ch in text):
        # Han-only text: Chinese, but keep Japanese as the runner-up for restricted choices.
        rest = {k: v * 1e-3 for k, v in scores.items() if k not in ("zh", "ja")}
        return {"zh": 1.0, "ja": 0.5, **rest}
    uk_only = _UK_ONLY.search(text) is not None
    ru_not_uk = _RU_NOT_UK.search(text) is not None
    if uk_only and not ru_not_uk:
        return {k: v for k, v in scores.items() if k not in _CYRILLIC_NOT_UK}
    if ru_not_uk and not uk_only:
        return {k: v for k, v in scores.items() if k != "uk"}
    return scores


def _best(scores: dict[str, float], allowed: set[str] | None) -> str | None:
    best_code, best_score = None, -1.0
    for code, score in scores.items():
        if code == _NO_LANGUAGE or (allowed is not None and code not in allowed):
            continue
        tie_break = score == best_score and best_code is not None and code < best_code
        if score > best_score or tie_break:
            best_code, best_score = code, score
    return best_code


def _allowed(candidates: Sequence[str] | None) -> set[str] | None:
    if candidates is None:
        return None
    if isinstance(candidates, str):
        candidates = [candidates]
    return {c for c in (normalise_code(x) for x in candidates) if c}


def detect_language(
    text: str, candidates: Sequence[str] | None = None, *, backend: str = "py3langid"
) -> str | None:
    """ISO 639-1 code of ``text``'s language, or ``None`` when it cannot tell (too little text).

    ``candidates`` (codes such as ``["en", "uk"]``; regional variants are folded to their base
    code) restricts the answer to those languages; with a single candidate the answer is that
    candidate whenever the text is long enough to judge at all. Deterministic: the same text,
    candidates and backend always give the same answer, in any process.
    """
    if backend not in _BACKENDS:
        raise InputError(
            f"unknown language-identification backend {backend!r}; use one of {BACKENDS}"
        )
    if not isinstance(text, str):
        return None
    cleaned = _clean(text[: 4 * _MAX_CHARS])[:_MAX_CHARS]
    if _letter_weight(cleaned) < MIN_LETTERS:
        return None
    allowed = _allowed(candidates)
    if allowed is not None and not allowed:
        return None
    if allowed is not None and len(allowed) == 1:
        return next(iter(allowed))
    scores = _apply_script_rules(cleaned, _BACKENDS[backend](cleaned))
    return _best(scores, allowed)


def _sample(sentences: Sequence[str], budget: int) -> str:
    """Evenly spaced sentences (at most ``budget`` characters in total), joined by newlines."""
    total = sum(len(s) for s in sentences if isinstance(s, str))
    if total <= budget:
        return "\n".join(s for s in sentences if isinstance(s, str))
    step = total / budget
    picked: list[str] = []
    used = 0
    next_at = 0.0
    seen = 0
    for s in sentences:
        if not isinstance(s, str):
            continue
        if seen >= next_at and used < budget:
            piece = s[: budget - used]
            picked.append(piece)
            used += len(piece)
            next_at = seen + len(piece) * step
        seen += len(s)
    return "\n".join(picked)


def detect_document_language(
    sentences: Sequence[str],
    candidates: Sequence[str] | None = None,
    *,
    backend: str = "py3langid",
) -> str | None:
    """The language of a document given as its sentences (or ``None`` if it has too little text).

    The whole text is classified at once (an even sample of about 20,000 characters for long
    documents), so the language with most of the text wins and short page furniture in other
    languages ("close", "ua en ru") does not sway it.
    """
    if isinstance(sentences, str):
        sentences = [sentences]
    return detect_language(_sample(list(sentences), _DOCUMENT_BUDGET), candidates, backend=backend)


# --------------------------------------------------------------------------------------------
# A language's probability over a candidate set (py3langid's raw scores, normalised here)
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _norm_code(label: str) -> str:
    return normalise_code(label) or label


@dataclass(frozen=True)
class _CodeTable:
    """py3langid's labels grouped by :func:`_norm_code`: the codes in sorted order, and for each
    code its one label or (``zh``: ``zh`` and ``yue``…) its several labels."""

    codes: tuple[str, ...]
    index: dict[str, int]
    n_labels: int
    single_labels: tuple[Any, ...]
    single_pos: np.ndarray
    multi_code: dict[Any, str]


@lru_cache(maxsize=1)
def _code_table() -> _CodeTable:
    labels = list(dict.fromkeys(_py3langid(False).nb_classes))
    by_code: dict[str, list[Any]] = {}
    for label in labels:
        by_code.setdefault(_norm_code(str(label)), []).append(label)
    codes = tuple(sorted(by_code))
    index = {c: k for k, c in enumerate(codes)}
    single = [(index[c], ls[0]) for c, ls in by_code.items() if len(ls) == 1]
    return _CodeTable(
        codes=codes,
        index=index,
        n_labels=len(labels),
        single_labels=tuple(label for _, label in single),
        single_pos=np.array([k for k, _ in single], dtype=np.intp),
        multi_code={label: c for c, ls in by_code.items() if len(ls) > 1 for label in ls},
    )


def _temperature(text: str) -> float:
    # py3langid's own calibration: a softmax at temperature sqrt(bytes of the encoded text)
    plain = text.lower() if text.isupper() else text
    return math.sqrt(len(unicodedata.normalize("NFC", plain).encode("utf8", "replace")) or 1)


def _code_scores(text: str) -> np.ndarray | None:
    """Every code's log-score for ``text`` at py3langid's temperature, in
    :attr:`_CodeTable.codes` order (several labels of a code summed with logaddexp, in rank
    order); None if py3langid's ranking does not have one entry per label."""
    table = _code_table()
    ranked = _py3langid(False).rank(text)
    scores = dict(ranked)
    if len(ranked) != table.n_labels or len(scores) != table.n_labels:
        return None
    temperature = _temperature(text)
    out = np.empty(len(table.codes))
    try:
        # what logaddexp over a single value gives: the value itself
        out[table.single_pos] = np.array(list(map(scores.__getitem__, table.single_labels)))
    except KeyError:
        return None
    out[table.single_pos] /= temperature
    multi: dict[str, list[float]] = {}
    multi_code = table.multi_code
    for label, score in [x for x in ranked if x[0] in multi_code]:
        multi.setdefault(multi_code[label], []).append(float(score))
    for code, values in multi.items():
        out[table.index[code]] = np.logaddexp.reduce(np.asarray(values) / temperature)
    out.flags.writeable = False
    return out


#: Texts up to this length have their code scores memoised: the ``untranslated`` and
#: ``wrong_language`` checks identify the same texts' language; the cache is bounded (~1.1 kB of
#: scores per text; 4,096 texts cover a 1,000-pair corpus shard twice over).
_LANG_CACHE_MAX_CHARS = 1000


@lru_cache(maxsize=4096)
def _cached_code_scores(text: str) -> np.ndarray | None:
    return _code_scores(text)


def lang_probability(
    text: str, candidates: Iterable[str] | None = None
) -> tuple[str, float] | None:
    """py3langid's best language over ``candidates`` (all its languages when ``None``) and its
    probability normalised over those candidates, with regional labels folded (``yue`` counts as
    ``zh``). ``None`` when py3langid is not installed or knows fewer than two candidates."""
    try:
        _py3langid(False)
    except Exception:  # pragma: no cover - py3langid missing or broken
        return None
    full = _cached_code_scores(text) if len(text) <= _LANG_CACHE_MAX_CHARS else _code_scores(text)
    if full is None:  # pragma: no cover - a py3langid whose rank is not one entry per label
        return _lang_probability_plain(text, candidates)
    table = _code_table()
    if candidates is None:
        codes: Sequence[str] = table.codes
        per_code = full
    else:
        # the softmax over the candidates only (the same as py3langid's set_languages)
        codes = sorted(c for c in set(candidates) if c in table.index)
        if len(codes) < 2:
            return None
        per_code = full[[table.index[c] for c in codes]]
    return _softmax_best(codes, per_code)


def _softmax_best(codes: Sequence[str], per_code: np.ndarray) -> tuple[str, float] | None:
    if not np.all(np.isfinite(per_code)) or float(per_code.max() - per_code.min()) == 0.0:
        return None  # no features: the model abstains
    probs = np.exp(per_code - per_code.max())
    probs /= probs.sum()
    k = int(np.argmax(probs))
    return codes[k], float(probs[k])


def _lang_probability_plain(
    text: str, candidates: Iterable[str] | None = None
) -> tuple[str, float] | None:
    """:func:`lang_probability` straight from py3langid's ranking (no table, no memo)."""
    ident = _py3langid(False)
    scores: dict[str, list[float]] = {}
    for label, score in ident.rank(text):
        scores.setdefault(_norm_code(str(label)), []).append(float(score))
    if candidates is not None:
        wanted = set(candidates)
        scores = {k: v for k, v in scores.items() if k in wanted}
        if len(scores) < 2:
            return None
    if not scores:
        return None
    codes = sorted(scores)
    temperature = _temperature(text)
    per_code = np.array([np.logaddexp.reduce(np.asarray(scores[c]) / temperature) for c in codes])
    return _softmax_best(codes, per_code)


def detect_with_confidence(
    text: str,
    candidates: Iterable[str] | None = None,
    min_confidence: float = 0.0,
    unless: Iterable[str] = (),
) -> tuple[str | None, float | None]:
    """Language of ``text`` and a confidence in it.

    py3langid's normalised probability is computed first (it is the confidence). When it is below
    ``min_confidence``, or the language is one of ``unless`` (answers the caller does not act
    on), that answer is returned as is; otherwise it is confirmed with
    :func:`detect_language` (which adds script and orthography rules) — if the
    two disagree the confidence is 0. Without py3langid the language comes from
    ``detect_language`` alone, with confidence ``None``.
    """
    cands = sorted({c for c in (base_lang(x) for x in candidates) if c}) if candidates else None
    lp = lang_probability(text, cands)
    if lp is not None and (lp[1] < min_confidence or lp[0] in set(unless)):
        return lp
    try:
        shared = base_lang(detect_language(text, cands))
    except Exception:  # a detector failure must not sink the audit
        return None, None
    if lp is None:
        return shared, None
    if shared is None:
        return None, None
    return (shared, lp[1]) if shared == lp[0] else (shared, 0.0)
