"""Cross-lingual checks: what a linked source and target disagree on.

``untranslated``, ``wrong_language``, ``omission``, ``addition``, ``number_mismatch`` and
``name_mismatch``. Each compares the sentences of a link (or a sentence in no link) and attaches
its findings to the sentence a reader would fix. Every threshold is a parameter; how the defaults
were chosen is in ``docs/checks.md``.

Language identification goes through :func:`mtaudit.langid.detect_language` (imported lazily)
and is confirmed by py3langid's normalised probability; when neither is importable the
language-based parts are skipped.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from ..errors import InputError
from ..report import SEVERITIES, Finding, Link, Sentence, Side
from .base import Check, CheckContext, register
from .numbers import NumberMention, compare_numbers, extract_numbers, magnitude_ratio
from .placenames import renderings

__all__ = [
    "UntranslatedCheck",
    "WrongLanguageCheck",
    "OmissionCheck",
    "AdditionCheck",
    "NumberMismatchCheck",
    "NameMismatchCheck",
    "LinkStats",
    "link_stats",
    "transliterate",
    "LENGTH_PRIORS",
]

# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


def base_lang(lang: str | None) -> str | None:
    """``"en-GB"`` → ``"en"``; ``None``/empty → ``None``."""
    if not lang:
        return None
    return lang.replace("_", "-").split("-")[0].lower() or None


def same_language(ctx: CheckContext) -> bool:
    """True when both sides are declared in the same language (e.g. an English retelling)."""
    a, b = base_lang(ctx.source.lang), base_lang(ctx.target.lang)
    return a is not None and a == b


def alnum_len(text: str) -> int:
    """Number of letters and digits: the length measure used for length ratios."""
    return sum(map(str.isalnum, text))


def letters(text: str) -> int:
    """Number of letters."""
    return sum(map(str.isalpha, text))


def check_severity_param(check: Check, name: str, *, allow_none: bool = True) -> None:
    """Raise :class:`InputError` unless parameter ``name`` of ``check`` is a severity (or None)."""
    value = check.p.get(name)
    if value is None and allow_none:
        return
    if value not in SEVERITIES:
        allowed = f"{SEVERITIES}" + (" or null" if allow_none else "")
        raise InputError(f"check '{check.code}': {name} must be one of {allowed}, not {value!r}")


def check_number_param(check: Check, name: str, lo: float | None = None) -> None:
    """Raise :class:`InputError` unless parameter ``name`` of ``check`` is a number (≥ ``lo``)."""
    value = check.p.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"check '{check.code}': {name} must be a number, not {value!r}")
    if lo is not None and value < lo:
        raise InputError(f"check '{check.code}': {name} must be ≥ {lo}, not {value!r}")


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


def content_sentences(side: Side, indices: Iterable[int]) -> list[Sentence]:
    """The non-furniture sentences among ``indices``."""
    return [side.sentences[i] for i in indices if not side.sentences[i].furniture]


def joined(sents: Sequence[Sentence]) -> str:
    """Sentences joined by a space (for link-level comparisons)."""
    return " ".join(s.text for s in sents)


def locate(sents: Sequence[Sentence], offset: int) -> tuple[Sentence, int]:
    """Map an offset in :func:`joined` text to (sentence, local offset)."""
    pos = 0
    for s in sents:
        if offset < pos + len(s.text) + 1:
            return s, max(0, min(offset - pos, len(s.text)))
        pos += len(s.text) + 1
    last = sents[-1]
    return last, len(last.text)


def doc_span(sents: Sequence[Sentence], a: int, b: int) -> tuple[Sentence, tuple[int, int]]:
    """Map ``[a, b)`` in :func:`joined` text to the sentence holding ``a`` and document offsets."""
    s, la = locate(sents, a)
    _, lb = locate(sents, max(a, b - 1))
    s2, _ = locate(sents, max(a, b - 1))
    lb = lb + 1 if s2 is s else len(s.text)
    lb = max(la, min(lb, len(s.text)))
    return s, (s.start + la, s.start + lb)


def whole(sent: Sentence) -> tuple[int, int]:
    """The span of a whole sentence."""
    return (sent.start, sent.end)


# ---- language identification --------------------------------------------------------------


@lru_cache(maxsize=1)
def _py3langid() -> Any:
    """py3langid's model, returning raw log-scores (normalised here, over any candidate set)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)


@lru_cache(maxsize=512)
def _norm_code(label: str) -> str:
    try:
        from ..langid import normalise_code
    except ImportError:  # pragma: no cover - langid is part of the package
        return base_lang(label) or label
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
    labels = list(dict.fromkeys(_py3langid().nb_classes))
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
    ranked = _py3langid().rank(text)
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
        _py3langid()
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
    ident = _py3langid()
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


def detect(
    text: str,
    candidates: Iterable[str] | None = None,
    min_confidence: float = 0.0,
    unless: Iterable[str] = (),
) -> tuple[str | None, float | None]:
    """Language of ``text`` and a confidence in it.

    py3langid's normalised probability is computed first (it is the confidence). When it is below
    ``min_confidence``, or the language is one of ``unless`` (answers the caller does not act
    on), that answer is returned as is; otherwise it is confirmed with
    :func:`mtaudit.langid.detect_language` (which adds script and orthography rules) — if the
    two disagree the confidence is 0. Without py3langid the language comes from
    ``detect_language`` alone, with confidence ``None``.
    """
    cands = sorted({c for c in (base_lang(x) for x in candidates) if c}) if candidates else None
    lp = lang_probability(text, cands)
    if lp is not None and (lp[1] < min_confidence or lp[0] in set(unless)):
        return lp
    try:
        from ..langid import detect_language  # lazy: a sibling module
    except ImportError:  # pragma: no cover - until/unless the module exists
        return lp if lp is not None else (None, None)
    try:
        shared = base_lang(detect_language(text, cands))
    except Exception:  # a detector failure must not sink the audit
        return None, None
    if lp is None:
        return shared, None
    if shared is None:
        return None, None
    return (shared, lp[1]) if shared == lp[0] else (shared, 0.0)


# ---- names and transliteration -------------------------------------------------------------

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


def names_match(name: str, token: str) -> bool:
    """Whether target ``token`` renders source name ``name`` (inflection, transliteration).

    Both are compared in :func:`transliterate` form: equal, or the token extends the name by an
    inflectional ending (``Putin`` → ``Putins``, ``Путіна``), or their consonant skeletons agree
    the same way (``Musk`` / ``Маск``, ``Zelensky`` / ``Зеленський``).
    """
    n, t = transliterate(name), transliterate(token)
    if not n or not t:
        return False
    if n == t:
        return True
    if t.startswith(n) and len(t) - len(n) <= 4 and len(n) >= 3:
        return True
    if n.startswith(t) and len(n) - len(t) <= 2 and len(t) >= 4:
        return True
    # a shared stem with a different ending: Parsons → Parsonovým, Krivichs → Krivichů
    common = len(os.path.commonprefix([n, t]))
    if common >= max(4, len(n) - 2) and len(t) <= len(n) + 6:
        return True
    if script_of(name[0]) == script_of(token[0]):
        # same script: spelling conventions (Hercules → Herkules, Hawaii → Havaji) and case
        # endings (Gaza → Gaze, Nicaragua → Nikaraguy) are the same name, but a changed letter
        # inside the stem is a changed name (Brendle → Brandle)
        kn, kt = spelling_key(n), spelling_key(t)
        if kn == kt:
            return True
        if len(kn) >= 3 and kn[:-1] == kt[:-1] and kn[-1] in "aeiou" and kt[-1] in "aeiou":
            return True  # Gaza → Gaze, Lara → Laro
        stem = len(kn) - 2
        return stem >= 3 and kn[:stem] == kt[:stem] and len(kt) <= len(kn) + 4
    sn, st = skeleton(n), skeleton(t)
    if len(sn) >= 2 and st.startswith(sn) and len(st) - len(sn) <= 2:
        return difflib.SequenceMatcher(None, n, t[: len(n) + 1]).ratio() >= 0.5
    return False


#: English words that are capitalised without being names (pronoun, days, months, nationalities,
#: titles and the common words of organisation names) — they are translated, not carried over.
_COMMON_CAPITALISED = _wordset(
    """
    i i'm i've i'd i'll ok okay mr mrs ms dr prof sir madam st jr sr
    monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december
    american americans african america's british english french german germans russian russians
    ukrainian ukrainians european europeans chinese japanese korean indian italian spanish polish
    dutch swedish norwegian danish finnish greek turkish arab arabic israeli palestinian iranian
    iraqi syrian afghan pakistani mexican canadian australian brazilian jewish muslim muslims
    christian christians catholic protestant islamic buddhist hindu western eastern northern
    southern soviet latin nordic baltic asian asians western democrat democrats republican
    republicans democratic liberal conservative labour
    president presidents minister ministers prime secretary general chief director chairman
    senator senators governor mayor king queen prince princess pope saint lord lady captain
    colonel officer officers department ministry office agency council committee commission
    parliament senate congress court supreme federal national international state states united
    kingdom union republic government party army navy force forces air police university college
    school institute foundation museum church hospital bank company group center centre house
    street square road avenue river lake mountain mount island islands north south east west
    central new old great royal city county province region district world cup league club team
    news times post journal daily herald tribune press report reports wikipedia article page
    talk user users editor editors admin administrator admins today yesterday tomorrow god lol
    internet web online email english-language hello hi hey thanks thank please yes no dear
    the of and to in on at by for from with into onto over after about as is are was be but
    an a it if or so do no up we he me my am ok btw ie eg url lol omg fyi imo imho aka etc pov
    npov afd tv ps re fwiw
    nazi nazis jew jews czech orthodox christ christianity islam bible quran catholics muslims
    protestants britons brits communist communists socialist socialists fascist fascists
    """
)
#: Frequent English words, capitalised only as sentence openers, in headlines or for emphasis.
#: Generated from the 6,000 most frequent English words of wordfreq 3.1: kept when Debian's
#: hunspell en_US lists them in lowercase only, or when they are ≥ 10× rarer in de/fr/es/it/nl/pt
#: text than in English (so not names: "only", "white") — but never when hunspell lists them as
#: proper nouns only. Names (John, Trump, China, Obama, Google) are frequent across languages or
#: capitalised in hunspell, so they stay out.
_EN_COMMON = _wordset(
    """
    abandoned abilities ability able aboard abortion about above abroad absence absolute
    absolutely abstract abuse academic academy accent accept acceptance accepted accepting
    access accessible accident accidentally accompanied accomplished accordance according
    account accounting accuracy accurate accused ace achieve achieved achievement acid
    acknowledge acquire acquired acquisition across act acted acting action active actively
    activist activists activities activity actor actors actress actual actually adapted add
    added addiction adding addition additional additionally address addressed addresses adds
    adjacent adjusted administration administrative admission admit admitted adopt adopted
    adoption adult adults advance advanced advantage adventure advertising advice advised
    advisory advocate affair affairs affect affected affects afford affordable afraid after
    afternoon afterwards again against age aged agencies agency agenda agent ages aggressive
    ago agree agreed agreement agreements agricultural agriculture ah ahead aid aim aimed
    aims air aircraft airport aka alarm album alcohol alert alien alike alive all alleged
    alliance allies allow allowed allowing allows almost alone along alongside already
    alright also alternate alternative although always amateur amazing ambassador amendment
    americans among amongst amount amounts analysis ancient and anger angry animal animals
    animation anime anniversary announce announced announcement annoying annual annually
    anonymous another answer answered answers anti anxiety any anybody anymore anyone
    anything anytime anyway anywhere apart apartment apologize app apparent apparently
    appeal appeals appear appearance appeared appearing appears applicable application
    applied applies apply applying appointed appointment appreciate appreciated appreciation
    approach approached approaches approaching appropriate approval approved approximately
    architecture are area areas arena argue argued arguing argument armed arms army around
    arranged arrangement arrest arrested arrival arrive arrived arriving arrow arsenal
    article artificial artist artistic artists artwork ash aside ask asked asking asks
    asleep aspect ass assault assembly assessment asset assets asshole assigned assignment
    assist assistance assistant associate associated associates association assume assumed
    assuming at athlete athletes athletic atmosphere attached attack attacked attacking
    attacks attempt attempted attempting attempts attend attendance attended attending
    attention attitude attorney attract attracted attraction attractive auction audience
    audio aunt author authorities authority authorized authors auto automatic automatically
    autumn availability available avenue average aviation avoid aw awake award awarded aware
    awareness away awesome awful awkward babe babies baby back backed background backing
    backup bacteria bad badly bag bags balance balanced balls ban band bang bank banking
    bankruptcy banned banner bare barely barrel barrier base baseball based basement basic
    basically basis basketball bat bath bathroom battery battle battles bay be beam beans
    bear bearing bears beast beat beaten beating beautiful beauty became because become
    becomes becoming bed bedroom beds beef been beer before began beginning begins begun
    behalf behavior behaviour behind being beings belief beliefs believe believed believes
    believing belong belongs beloved below belt bench bend beneath benefit benefits beside
    besides bet beta better between beyond bid big bigger biggest bike billion bills bin
    binding biological biology birds birth birthday bit bitch bitcoin bite bitter black
    blade blame blank blast bless blessed blew blind block blocked blocking blog blood
    bloody blow blowing blown blue board boards boat boats bodies body bold bomb bombs bonds
    bone bones bonus book books boom boost boot border bored boring born boss both bother
    bottle bottles bottom bought bound boundaries boundary bow bowl box boxes boxing boy
    boyfriend brain branch brand brave breach bread break breakfast breaks breast breath
    breathe breathing brick brief briefly bright brilliant bring bringing brings bro broad
    broadcast broke broken bronze brother brothers brought brush bubble bucks build building
    buildings built bulk bullet bullshit bunch burden bureau buried burn burned burning
    burst bus business businesses busy but butt butter button buy buyers buying by bye cabin
    cabinet cable cake calendar call called calling calls calm came camera cameras camp
    campaign campaigns campus can canal cancel cancelled candidate candidates cannot cant
    capabilities capable capacity cape capital capture captured car carbon cards care cared
    career careful carefully cares cargo caring carpet carried carrier carries carry
    carrying cars cases casino cast casting castle casual catch catching categories category
    catholic cats cattle caught cause caused causing cave cc ceiling celebrate celebrated
    celebrating celebration celebrity cell cells census cent center centers cents centuries
    century ceremony certain certainly certificate certified chain chains chair chairman
    challenge challenges challenging chamber champion championship chancellor change changed
    changes changing channel channels chapter character characteristics characters charge
    charged charging charity charm chart charter chasing chat cheap cheaper cheating check
    checked checking checks cheese chef chemical chemicals chemistry chest chicken chief
    child childhood children chill chip chocolate choice choices choose choosing chose
    chosen christians chronic church churches cinema circle circles circuit circumstances
    cited cities citizen citizens civil civilian claim claimed claiming claims class classic
    classical classification classified classroom clean cleaning clear cleared clearly
    clever click client climate climb climbing clinic clinical clip clock close closed
    closely closer closest closet closing closure clothes clothing cloud clouds club clue
    coach coal coalition coast coastal coat cock code coffee cognitive coin cold
    collaboration collapse colleagues collect collected collecting collection collective
    college colonial colony color colored colors colour colours column combat combination
    combine combined come comedy comes comfort comfortable comic coming command comment
    commentary comments commercial commission commissioner commit commitment committed
    committee common commonly communicate communication communist communities community
    companies companion company compare compared comparing comparison compensation compete
    competing competition competitive competitors complain complaining complaint complaints
    complete completed completely completion complex compliance complicated component
    components composed composition compound comprehensive compromise computer concentration
    concept concern concerned concerning concerns concert concluded conclusion concrete
    condition conduct conducted conference confidence confident confirm confirmed conflict
    confused congratulations congress congressional connect connected connecting connection
    connections conscious consciousness consecutive consent consequences conservation
    conservative conservatives consider considerable consideration considered considering
    consistent consistently consists conspiracy constantly constitutional constructed
    construction consultant consumer consumers consumption contact contain contained
    containing contains contemporary content contest continue continued continues continuing
    continuous contract contracts contrary contrast contribute contributed contribution
    control controlled controller controlling controls controversial controversy convenient
    convention conventional conversation convert converted convicted conviction convince
    convinced cooked cooking cool cooperation cop copper copy copyright corn corner
    corporate corporation corps correct correctly corresponding corrupt corruption cost
    costa costs costume couch could council counsel count counter counties counting
    countries country counts county couple courage course court courtesy cover coverage
    covered covering cow crack craft crap crash crazy cream create created creates creating
    creation creative creator creature creatures credit crew cricket cried crime criminal
    criminals crisis criteria critical criticism critics crop crossed crossing crowd crown
    crucial cruel crush cry crying cultural culture cup cure curious currency current
    currently curriculum curve custody custom customer customers customs cut cute cuts
    cutting cycle dad daddy daily damage damaged damages damn dance dancing danger dangerous
    dark darkness data database date dated daughter daughters day days dead deadline deadly
    deal dealer dealing dealt dear death deaths debate debt debut decade decades decent
    decide decided deciding decision decisions deck declared decline declined decrease
    dedicated deemed deep deeper deeply deer defeat defeated defence defend defending
    defense defensive define defined definitely definition degree degrees delay delayed
    delete deleted delicious deliver delivered delivery demand demanded demanding demands
    democracy democrat democratic democrats demonstrate demonstrated denied density dental
    deny department departments departure depend dependent depending depends deposit
    depressed depression depth deputy der derived described describes describing description
    desert deserve deserved deserves design designated designed desire desired desk
    desperate despite destination destiny destroy destroyed destruction detailed detective
    determination determine determined develop developed developer developers developing
    development developments device devices devil devoted diabetes diagnosis dialogue
    diamond did didnt die died diet difference differences different differently difficult
    difficulties difficulty dig digital dining dinner diplomatic direct directed direction
    directly director directors dirt dirty disability disabled disappeared disappointed
    disaster disc discipline discover discovered discovery discrimination discuss discussed
    discussing discussion disease diseases disgusting dish dishes dismissed disorder
    disorders displayed dispute distance distant distinct distinguished distributed
    distribution district dive diverse diversity divide divided division divorce do doc
    doctors document documentary does dog dogs doing dollar domain domestic dominant
    dominated done door doors dose double doubt down download downtown dozen dozens draft
    drag dragon drama dramatic draw drawing drawn dream dreams dress dressed dressing drink
    drinking drive driven driver drivers drives driving drop dropped dropping drops drove
    drug drum drunk dry dual duck dude due dumb duration during dust duties duty dying
    dynamic each eagle ear earlier early earn earned earning earnings ears earth earthquake
    ease easier easily eastern easy eat eaten eating economic economics economy edge edit
    edited edition editor editorial educated education educational effect effective
    effectively effects efficiency efficient effort egg eggs eh eight eighth either el
    elderly elected election elections electoral electric electrical electricity electronic
    electronics element elementary elements eleven eligible eliminate elite else elsewhere
    email embarrassing embassy embrace emerged emergency emerging emotion emotional emotions
    emperor emphasis empire employed employee employees employer employers employment empty
    en enable enabled encounter encourage encouraged encouraging end ended ending endless
    ends enemies enemy energy enforcement engage engaged engagement engaging engine engineer
    engineering engineers engines english enjoy enjoyed enjoying enormous enough ensure
    enter entered entering entertaining entertainment entire entirely entitled entity
    entrance entry environment environmental epic episode episodes equal equality equally
    equipment equipped equity equivalent error errors escape escaped especially essay
    essential essentially establish established establishing establishment estate estimate
    estimated estimates etc eternal ethics ethnic evaluation even evening event eventually
    ever every everybody everyday everyone everything everywhere evidence evil evolution
    exact exactly exam examination examine example examples excellent except exception
    excess excessive exchange excited excitement exciting exclusive exclusively excuse
    executed execution executive exercise exercises exhibit exhibition exist existed
    existence existing exists exit expand expanded expanding expansion expect expectations
    expected expecting expense expenses expensive experience experienced experiences
    experiment experimental experiments expert explain explained explaining explains
    explanation exploration explore explosion export exposed exposure express expressed
    expression extend extended extension extensive extent external extra extraordinary
    extreme extremely eye eyes face faced facilities facility facing fact factor factors
    factory facts faculty fail failed failing fails failure fair fairly faith fake fall
    falling false fame familiar family famous fan fancy fantastic fantasy far farm farmers
    farming farms fascinating fashion fast faster fastest fat fate father fault favor
    favorite favour favourite fear fears feature featured features featuring federation fee
    feed feedback feeding feel feeling feelings feels fees feet fell fellow felt female
    females feminist fence festival fever few fewer fiction field fifteen fifth fifty fight
    fighter fighters fighting fights figure figured file filed fill filled filling film
    filming filter final finally finals finance financial financing find finding findings
    fine finest finger fingers finish finished finishing fire fired fires firing firm firms
    first fiscal fish fishing fit fitness fits fitted five fix fixed flag flash flat fleet
    flesh flew flexible flight flights flip floating flood floor flow flower flows fluid fly
    flying focus focused focusing folk folks follow followed following follows food foods
    fool foot footage football for force forced forcing foreign forest forever forget
    forgive forgot forgotten form formal format formation formed former formerly forming
    forms formula fort forty forum forward fought found foundation founded founder four
    fourth frame framework franchise fraud free freedom freeze frequency frequent frequently
    fresh friend friendly friends friendship from front frozen fruit ft fuck fucked fuckin
    fucking fuel full fully fun function functional functions fund fundamental funded
    funding funds funeral funny furniture further furthermore future gain gained gaining
    gallery game gaming gang garage garbage garden gas gate gather gathered gathering gave
    gear gender general generally generate generated generation generations generic generous
    genes genetic genius genre gentle gentleman gentlemen genuine germans get gets getting
    ghost giant giants gift gifts girl girlfriend give given gives giving glad glass glasses
    global globe glory go goal goals goes going gold golf gone gonna good goodbye goodness
    goods gorgeous got gotta gotten governing government governments governor grab grade
    gradually graduate graduated grain grammar grand grandfather grandma grandmother granted
    grants graphic grateful grave gravity great greatest greatly grew grid grip ground
    grounds group groups grow growing grown grows growth guarantee guaranteed guard guardian
    guards guess guest guests guidance guide guidelines guilt guilty guitar gulf gun guns
    guy guys gym habit had hair half hand handed handful handle handled handling hands
    handsome hang hanging happen happened happening happens happily happiness happy harbor
    hard hardly hardware harm harmony harsh has hat hate hated hates have haven having hd
    head headed heading headquarters heads heal healing health healthcare healthy hear heard
    hearing heart hearts heat heating heaven heavily heavy height held helicopter hell hello
    helped helpful helping helps hence her here heritage hero heroes herself hey hidden hide
    hiding high higher highest highlight highly highway hilarious him himself hip hire hired
    hiring his historic historical history hit hitting hmm hockey hold holder holding holds
    hole holiday holidays holy home homeless homes homework honest honestly honey honour
    hook hop hope hoped hopefully hopes hoping horrible horror horse horses hospital
    hospitals host hosted hosts hot hotel hour hours house household households houses
    housing how however huge huh human humanity humans humble humor hundred hundreds hung
    hungry hunting hurry hurt hurting hurts husband hybrid icon iconic idea ideal identical
    identification identified identify identity idiot idk if ignore ignored ii iii ill
    illegal illness illustrated image imagination imagine immediate immediately immigration
    immune impact implement implementation implemented importance important imposed
    impossible impressed impression impressive improve improved improvement improvements
    improving inch inches incident include included includes including income incorporated
    increase increased increases increasing increasingly incredible incredibly indeed index
    indians indicate indicated indicates indigenous individual individuals industrial
    industry infected infection infinite inflation influence influenced info inform
    information informed infrastructure ingredients initial initially initiative injured
    injuries injury inner innovation inquiry insane inside insight inspection inspector
    inspiration inspired install installation installed instance instant instantly instead
    institute institution instruction instrument insurance integrated integration integrity
    intellectual intelligence intelligent intended intensity intent intention inter
    interaction interest interested interesting interests interface interior internal
    interpretation intervention interview into introduce introduced introducing introduction
    invasion invented inventory invest invested investigate investigated investigation
    investing investment investors invitation invite invited involve involved involvement
    involves involving ion iron island isolated issue issued issues it item items its itself
    jacket jail jazz jealous jet jewelry jews join joined joining joint joke jokes journal
    journalism journalist journalists journey judge judgment judicial juice jump jumped
    jumping jungle jury just justify keen keep keeping keeps kept key keyboard kick kicked
    kicking kid kidding kill killed killer killing kills kind kinda kinds kingdom kiss
    kitchen km knee knees knew knife knock knocked know knowing knowledge known knows label
    labor laboratory labour lack laid lake lakes landed landing landscape language languages
    lap laptop large largely larger largest laser last lasting late lately latest latter
    laugh laughed laughing launch launched law laws lawyer lawyers lay layer layers laying
    lazy lead leader leadership leading leads leaf league learn learned learning lease least
    leather leave leaves leaving lecture left leg legacy legal legally legend legendary
    legislation legislative legislature legitimate legs length lens less lesser lesson
    lessons let letter letting level levels liability liberals libraries library license
    licensed lied life lifestyle lifetime lift light lighting lightning lights like liked
    likely limit limited limits linear lines link linked lion lip lips liquid list listed
    listen listened listening listing lists lit literally literary literature little live
    lived liver lives living load loaded loads loan loans local locally located location
    locations lock locked log logic logical lonely longer longest look looked looking looks
    loop loose lose loses losing loss losses lost lot lots loud love loved lovely lover
    lovers loves loving low lower lowest loyal loyalty luck lucky lunch luxury lying lyrics
    machine mad made magazine magic magical magnetic mail mainly mainstream maintain
    maintained maintaining maintenance majority make makes makeup making mall mama manage
    managed management manager managing mandatory manner manual manufactured manufacturer
    manufacturers manufacturing many march margin marijuana marked market marketing markets
    marriage married marry marvel mask massive match mate material materials mathematics
    matter matters mature maximum may maybe mayor meal meals mean meaning meaningful means
    meant meanwhile measure measured measures meat mechanical mechanics mechanism medal
    medical medication medicine medium meet meeting meetings meets member members membership
    memorial memories memory men mental mentally mention mentioned menu mercy mere merely
    mess message met metal method methods metres metropolitan mid middle midnight might
    migration mild mile military milk million mind minded minds mine mini minimal minimum
    mining minister ministry minor minority minute miracle mirror missed missile missing
    mission mistake mistakes mix mixed mixing mixture mode model models moderate modern
    modified molecular mom moment money monitor monster month monthly months mood moral more
    moreover morning mortgage most mostly mother mothers motion motivated motivation motor
    mountain mountains mounted mouse mouth move moved movement movements moves movie movies
    moving much mud multi multiple mum municipal murder murdered muscle museum music musical
    muslims must mutual my myself mysterious mystery nail naked name named names narrative
    narrow nasty national native natural naturally nature naval near nearby nearest nearly
    necessarily necessary neck need needed needs negative negotiations neighbor neighborhood
    neighbors neither nerve nervous network networks neutral never nevertheless new newly
    newspaper newspapers next night nightmare nights nine nobody noise nominated non none
    nonsense noon nope nor normally north northern northwest nose not note noted nothing
    notice noticed notion novel now nowadays nowhere nuclear number numerous nurse nurses
    nursing nuts oak object objective objects observation observed obtain obtained obvious
    obviously occasion occasional occasionally occupation occupied occur occurred occurs odd
    odds off offense offensive offer offered offering offers office officer officers
    official officially officials often oil okay old older oldest once one ones ongoing
    online only onto open opened opening openly opens opera operate operated operates
    operating operation operational operations operator operators opinion opponent opponents
    opportunities opportunity opposed opposite option or oral order ordered ordinary organ
    organic organization organizations organized oriented origin original originally other
    others otherwise ought our ourselves out outcome outdoor outer outfit output outside
    outstanding over overall overcome overnight overseas overview owe own owned owner owners
    ownership owns oxygen pack package packed paid pain painful paint painted painting
    paintings pair palace palm panel panic pants paper papers par parade parallel parent
    parish parking parliament parliamentary part partial partially participate participating
    participation particular particularly partly partner partnership party pass passage
    passed passenger passengers passing past patch patent path pathetic patience patient
    patrol pattern patterns pay paying payment payments peace peaceful peak peer penalty
    pension people peoples pepper perceived percent percentage perception perfect perfectly
    perform performance performed performing perhaps period periods permanent permission
    permit permitted person personal personality personally personnel persons perspective
    petition phase phenomenon philosophy phone phones photo photograph photographer
    photographs photography phrase physical physically physician physics piano pic pick
    picked picking picks picture pictures pie piece pieces pig pile pilot pilots pink pipe
    piss pissed pit pitch pizza place placed placing plain plan plane planet planned
    planning plant plants plastic plate platform play played player players playing playoff
    plays pleasant please pleased pleasure plenty plot plug plus pocket podcast poem poems
    poet poetry point pointed pointing police policies policy polish political politician
    politicians politics poll pollution pool poor pop pope popular popularity population
    populations porn portfolio portion portrait position positive possession possibilities
    possibility possible possibly posted poster posting pot potato potential potentially
    pounds poverty powder power powered powerful practical practically practice practices
    praise pray prayer prayers precious precise precisely predicted prefer preference
    preferred pregnancy pregnant preliminary premiere premium preparation prepare prepared
    preparing presence present presentation presented presents preserve presidency president
    presidential press pressed pressure pretend pretty prevent preventing prevention
    previous previously price prices priest primarily primary prime princess principal
    principle principles print printed printing prior priority prison prisoner prisoners
    privacy privilege prize probably problem problems procedure proceed proceedings process
    processes processing produce produced producer produces producing product production
    productive productivity products profession professional professor profile profit
    program programming programs progress progressive project projects prominent promise
    promised promises promote promoted promoting proof propaganda proper properly properties
    property proposal proposals proposed prospect protect protected protecting protection
    protective protein protests protocol proud prove proved proven provide provided provides
    providing province provision psychological psychology pub public publication publicly
    published publisher publishing pull pulled pulling pump punishment punk pupils purchase
    purchased pure purple purpose purposes pursue pursuit push pushed pushing pussy put puts
    putting qualified qualify quality quarter quarters quest question quick quickly quiet
    quietly quit quite quote quoted quotes racial racing racism racist radar radiation
    radical radio raid rail railroad railway rain raise raised raising rally ran random
    range ranging rank ranked ranking ranks rap rape rapid rapidly rare rarely rat rate
    rated rates rating ratings ratio raw reach reached reaches reaching react reaction
    reactions read reader readers reading reads ready real realise realistic reality realize
    realized really rear reason reasonable reasons recall receive received receives
    receiving recently reception recipe recognition recognize recognized recommend
    recommendations recommended record recorded recording recover recovered recovery red
    reduce reduced reducing reduction refer reference references referred referring refers
    reflect reflected reflection reform refugees refused regard regarded regarding
    regardless regards regime region regional regions register registered registration
    regret regular regularly regulation regulations regulatory rejected relate related
    relating relation relationship relationships relative relatively relax release released
    releasing relevant reliable relief religion religious rely remain remained remaining
    remains remarkable remarks remember remembered remind reminded reminder reminds remote
    removal remove removed removing rent repair repeat repeated repeatedly replace replaced
    replacement replacing replied reply report reported reportedly reporting reports
    represent representation representative representatives represented representing
    represents republic republicans reputation request requested requests require required
    requirement requirements requires requiring rescue research researchers reserve reserved
    residence resident residential residents resist resistance resolve resource resources
    respect respective respectively respond responded response responses responsibilities
    responsibility responsible rest restaurant restore restored restricted result resulted
    resulting results resume retain retired retirement retreat return returned returning
    returns reveal revealed reveals revenge reverse reviewed revised revolution
    revolutionary reward rich rid ridge ridiculous riding rifle right rights ring rise
    rising risk risks rival river road roads robot rocket rocks role roll rolled romantic
    roof rookie room rough roughly round rounds route routine row rubber rude rugby ruin
    ruined rule ruled ruling run runner running runs rural russians sacred sacrifice sad
    sadly safe safely safety said saint sake salad salary sale salt same sample samples
    satellite satisfaction satisfied sauce save saved saving savings saw say saying says
    scale scandal scared scary scenario scene scenes schedule scheduled scheme scholars
    scholarship school schools science scientific scientist scientists scope score scored
    scoring scratch scream screaming screen screening screw sea seal sealed search searching
    season seasons seat seats second secondary seconds secret secretary section sector
    secure secured securities security see seed seeds seeing seek seeking seeks seem seemed
    seems seen segment select selected selection self sell selling semi senate senator send
    sending sends sense sensitive sent sentence sentences separate separated separation
    sequence serial series serious seriously serve served server serves service serving
    session set setting settings settle settled settlement seven seventh several severe sex
    sexual sexually sexy shade shadow shake shall shame shape shaped share shared shares
    sharing she shed sheep sheet sheets shelter sheriff shield shift shine ship shipping
    ships shirt shit shock shocked shoe shoes shoot shooting shop shopping shore short
    shorter shortly shot shots should shoulder shoulders show showed shower showing shown
    shut shy sick side sides sight sign signal signals signature signed significance
    significant significantly signing signs silence silent silly silver similar similarly
    simple simply simultaneously since sing singing single singles sink sister sisters sit
    site sits sitting situated situation six sixth size sized sizes ski skill skilled skills
    skin skip sky slave slavery sleep sleeping slept slide slight slightly slip slow slowly
    small smaller smart smell smile smiling smoke smoking smooth snap soap soccer social
    socialist soft software soil solar sold soldier soldiers sole solely solid solo solve
    some somebody somehow someone something sometime sometimes somewhat somewhere song soon
    sooner sorry sort sought soul sounded sounds soup source south southeast southern soviet
    space spaces spare speak speaker speaking speaks special specialist species specific
    specifically spectrum speech speed spell spend spending spent spider spin spirit spirits
    spiritual spoke spoken sponsored sport sporting spot spotted spray spread spreading
    spring spy squad square sri stability stable stadium staff stage stairs stake stand
    standard standing stands star staring start started starting starts state stated
    statement statements stating station statistical statistics status stay stayed staying
    stays steady steal stealing steam steel stem step stepped steps stick still stock stole
    stolen stomach stood stop stopped stopping stops storage store stored stores storm story
    straight strain strange stranger strangers strategic strategies strategy stream street
    streets strength stress stressed stretch strict strictly strike strikes striking string
    strip stroke strong stronger strongest strongly struck structural structure struggle
    struggling stuck student students studied studio study studying stuff stunning stupid
    style sub subject subjects submit submitted subsequent subsequently substance
    substantial substitute succeed succeeded success successful successfully such suck sucks
    sudden suddenly suffer suffered suffering sufficient sugar suggest suggested suggesting
    suggestion suggests suicide suit suitable suite suits sum summary summer summit sunshine
    super supplied supplies supply support supported supporting suppose supposed supreme
    sure surely surface surgeon surgery surprise surprised surprising surrounded surrounding
    surveillance survey survival survive survived suspect suspected suspended suspension
    sustainable sustained swear sweat swim swimming swing switch switched sword symbol
    symptoms syndrome system table tackle tactics tag tail take taken takes taking tale
    talent talented talk talked talking talks tall tank tap tape targeted targets task tasks
    taste tattoo taught tax taxi tea teach teacher teachers teaching team tear tears tech
    technical technique technology teen teenage teeth telephone television tell telling
    tells temperature temperatures temporary ten tend tends tennis tension term terminal
    terms terrible territory terror terrorism terrorist terrorists test tested testimony
    testing text texts than thank thanks that thats the theater theatre theft their them
    theme themes themselves then theories theory therapy there therefore these they thick
    thin thing things think thinking thinks third thirty this tho those thou though thought
    thoughts thousand thousands thread threat threatened threatening threats three threw
    throat through throughout throw throwing thrown thunder thus ticket tie tied tier ties
    tiger tight till time timeline timing tiny tip tired tissue title titles to tobacco
    today together toilet told tomorrow ton tone tongue tonight too took tool top topic
    torture total totally touch touched touching tough tour tourism tourist tournament
    toward towards tower town towns toxic toy toys trace track trade traded trading
    tradition traditional traffic tragedy trail trailer train trained trans transaction
    transfer transferred transformation transit transition translated translation
    transmission transport transportation trap trapped trash trauma travel traveling
    travelling treasure treasury treat treated treating treatment treaty tree trees trend
    trial trials tribe tribute trick tried tries trigger trip triple trips troops trophy
    tropical trouble truck true truly trust trusted truth try trying tube tune tunnel turkey
    turn turned turning turns tweet twelve twenty twice twin twist two type typical
    typically ugh ugly uh ultimate ultimately ultra um unable uncle uncomfortable under
    underground underlying understand understanding understands understood unemployment
    unexpected unfair unfortunate unfortunately uniform unique united units unity universal
    universe universities university unknown unless unlike unlikely unnecessary until
    unusual up upcoming update updated upgrade upon upper upset urgent usage use used useful
    useless user users uses using usual usually utility vacation valid valley valuable value
    values valve variable variety various vary vast vegetables vehicle vehicles venture
    venue verse version versus vertical very vessel vessels veteran veterans via vice victim
    victims victory video view viewed viewers views village vintage violation violence
    violent virtual virtually virus visible vision visit visited visiting visitors visits
    visual vital vocal voice vol volume volunteer volunteers vote voted voters voting vs
    vulnerable wage wages wait waited waiting wake walk walked walking walks wallet wanna
    want wanted wanting wants war warm warned warning warrant warrior warriors was wash
    washing waste wasted watch watched watching water waves way ways we weak weakness wealth
    wealthy weapon weapons wear wearing weather website wedding weed week weekend weekly
    weight weird welcome well welsh went were western wet what whatever wheel wheels when
    whenever where whereas wherever whether which while whilst white who whoever whole whom
    whose why wide widely widespread wife wild wildlife willing win wind window winds wine
    wing winner winners winning wins winter wire wireless wisdom wise wish wishes with
    within without witness witnesses woke woman women won wondered wonderful wondering wood
    wooden word words wore work worked worker workers working works workshop world worlds
    worldwide worn worried worries worry worrying worse worship worst worth worthy would
    wound wounded wow wrap wrapped wrestling write writer writers writes writing written
    wrong wrote xi ya yard yards ye yea yeah year years yellow yep yes yesterday yet yield
    yo you young younger your yours yourself youth zero zone zoo
    """
)


def _data_words(name: str) -> frozenset[str]:
    """The words of a generated word list in ``mtaudit/data`` (``#`` lines are comments)."""
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "data" / name
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


#: More ordinary English words, ranks 6,001–30,000 of wordfreq, kept under stricter rules than
#: :data:`_EN_COMMON` (hunspell lists them in lowercase only *and* they are ≥ 10× rarer in
#: de/fr/es/it/nl/pt text): *Plumbers*, *Realm*, *Brotherhood* in a name are translated.
#: Generated by ``scripts/build_en_common.py``.
_EN_COMMON_MORE = _data_words("en_common_more.txt")
#: Countries, continents and regions whose names are translated rather than carried over
#: (Germany → Deutschland, Russia → Russland / Росія): a missing one is no evidence.
_EXONYMS = _wordset(
    """
    africa albania algeria arabia argentina armenia asia austria australia azerbaijan belarus
    belgium bosnia brazil britain bulgaria cambodia canada caucasus chile china colombia crimea
    croatia cuba cyprus czechia denmark egypt england estonia ethiopia europe finland france
    georgia germany greece holland hungary iceland india indonesia iran iraq ireland israel italy
    japan jordan kazakhstan korea kosovo latvia lebanon libya lithuania macedonia mexico moldova
    mongolia montenegro morocco netherlands norway pakistan palestine poland portugal romania
    russia scotland serbia siberia slovakia slovenia spain sweden switzerland syria taiwan
    thailand tunisia turkey ukraine vietnam wales yemen rwanda singapore nicaragua hawaii baltic
    balkans mediterranean atlantic
    pacific arctic antarctica scandinavia caribbean kyiv kiev moscow warsaw prague vienna rome
    athens lisbon munich cologne venice florence naples copenhagen brussels beijing tokyo
    """
)
_SENT_OPENERS = set(".!?:;\"“”„«»‘’'()[]{}—–-•*#|/>")
_NOUN_CAPS_LANGS = frozenset({"de", "lb"})  # every noun capitalised


@dataclass(frozen=True)
class NameCandidate:
    """A name-like token of the source: its text and local offsets, and the entity it is in."""

    text: str
    start: int
    end: int
    entity: int


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


#: Inflections :func:`common_english` strips to find a listed base: (suffix, replacement).
_SUFFIXES = (
    ("ies", "y"),
    ("es", ""),
    ("s", ""),
    ("ed", ""),
    ("ed", "e"),
    ("d", ""),
    ("ing", ""),
    ("ing", "e"),
    ("ly", ""),
)


def common_english(word: str) -> bool:
    """Whether a lowercase word (or its plural / -ed / -ing base) is a frequent English word."""
    if word in _EN_COMMON or word in _EN_COMMON_MORE or word in _COMMON_CAPITALISED:
        return True
    for suffix, repl in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)] + repl
            if base in _EN_COMMON or base in _EN_COMMON_MORE:
                return True
    return False


_ROMAN = re.compile(r"[IVXLCDM]+")
_DEMONYM = re.compile(r"(?:ian|ians|ean|eans|ese|ish)$")
_CONTRACTION = re.compile(r"(?:n['’]t|['’](?:d|ll|re|ve|m))$", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s?$")


def _is_acronym(w: str) -> bool:
    return len(w) >= 2 and sum(c.isupper() for c in w) >= 2 and not any(c.islower() for c in w[1:2])


def _is_mixed(w: str) -> bool:
    return any(c.isupper() for c in w[1:]) and any(c.islower() for c in w)


def name_candidates(
    text: str,
    lang: str | None,
    lowercase_vocab: set[str] | frozenset[str] = frozenset(),
    known_names: set[str] | frozenset[str] = frozenset(),
) -> list[NameCandidate]:
    """Tokens of a source sentence that look like names and should survive translation.

    Capitalised tokens that are not sentence-initial (or that are known as names from elsewhere
    in the document), acronyms and mixed-case tokens (``NASA``, ``SpaceX``), minus common
    capitalised words and words seen in lowercase in the document. For languages that capitalise
    every noun (German) only acronyms and mixed-case tokens count. Lines in capitals or title
    case give no evidence about names and yield acronym-free nothing.
    """
    toks = [t for t in tokens(text) if any(c.isalpha() for c in t[2])]
    if not toks:
        return []
    letters_all = [c for c in text if c.isalpha()]
    upper_share = sum(c.isupper() for c in letters_all) / max(1, len(letters_all))
    if upper_share > 0.6:
        return []
    # title case: the common words are capitalised too ("Musk Urges Probe Into …")
    common_words = [
        w for _, _, w in toks if len(w) >= 2 and not w.isupper() and common_english(w.lower())
    ]
    title_case = len(common_words) >= 2 and (
        sum(w[0].isupper() for w in common_words) / len(common_words) >= 0.7
    )
    noun_caps = base_lang(lang) in _NOUN_CAPS_LANGS
    main_script = dominant_script(text)
    out: list[NameCandidate] = []
    entity = -1
    prev_end = -10
    shouting = sum(w.isupper() and len(w) >= 3 and common_english(w.lower()) for _, _, w in toks)
    for k, (a, b, w) in enumerate(toks):
        if _CONTRACTION.search(w):
            continue  # a contraction: Isn't, You'd
        poss = _POSSESSIVE.search(w)
        if poss and len(w) - len(poss.group(0)) >= 2:
            w, b = w[: poss.start()], a + poss.start()
        if len(w) >= 3 and w[-1] == "s" and w[:-1].isupper():
            w, b = w[:-1], b - 1  # plural of an acronym: UFOs, NRHPs
        lw = w.lower()
        if _ROMAN.fullmatch(w) or (shouting >= 2 and w.isupper()):
            continue
        foreign = main_script is not None and script_of(w[0]) != main_script
        caps = w.isupper() and len(w) >= 2
        special = (
            (caps and len(w) <= 5 and not common_english(lw))
            or _is_mixed(w)
            or (any(c.isdigit() for c in w) and w[0].isalpha())
            or foreign
        )
        cap = w[0].isupper()
        if not cap and not special:
            continue
        if not any(c.isalpha() for c in w) or is_cjk(w[0]):
            continue
        if lw in _COMMON_CAPITALISED or lw in _EXONYMS:
            continue
        if caps and not special:
            continue  # a shouted word, not an acronym ("MUST", "SIGNED")
        if not special:
            if noun_caps or title_case or len(w) < 2:
                continue
            if common_english(lw) or lw in lowercase_vocab or _DEMONYM.search(lw):
                continue
            before = text[:a].rstrip()
            initial = k == 0 or not before or before[-1] in _SENT_OPENERS
            if initial and lw not in known_names:
                continue
        gap = text[prev_end:a]
        if prev_end < 0 or len(gap) > 2 or gap.strip() not in ("", "-"):
            entity += 1
        out.append(NameCandidate(w, a, b, entity))
        prev_end = b
    return out


# ---- link statistics ------------------------------------------------------------------------

#: log(target alnum chars / source alnum chars) relative to English, per language: median over
#: human translations (WMT21 CED train NOT items for de/cs/ja/zh, MLQE-PE dev for de/et/ro/zh,
#: Text+Berg dev for fr via de). The prior for a pair is ``density[tgt] - density[src]``.
LENGTH_PRIORS: dict[str, float] = {
    "en": 0.0,
    "de": 0.12,
    "fr": 0.11,
    "cs": -0.04,
    "et": -0.04,
    "ro": 0.04,
    "ja": -0.55,
    "zh": -1.02,
}
#: Robust spread (1.4826 × MAD) of that log ratio: ~0.10–0.14 for alphabetic pairs, ~0.19–0.24
#: when one side is Chinese or Japanese (same data). Unknown pairs get the wider value.
_SPREAD_ALPHA = 0.13
_SPREAD_CJK = 0.22
_SPREAD_UNKNOWN = 0.25


def length_prior(src_lang: str | None, tgt_lang: str | None) -> tuple[float, float]:
    """Expected log length ratio (target/source, alnum chars) and its spread for a pair."""
    a, b = base_lang(src_lang), base_lang(tgt_lang)
    if a is not None and a == b:
        return 0.0, _SPREAD_ALPHA
    if a in LENGTH_PRIORS and b in LENGTH_PRIORS:
        cjk = a in ("ja", "zh") or b in ("ja", "zh")
        return LENGTH_PRIORS[b] - LENGTH_PRIORS[a], _SPREAD_CJK if cjk else _SPREAD_ALPHA
    return 0.0, _SPREAD_UNKNOWN


@dataclass
class LinkStats:
    """Per-link numbers and the document's robust distribution of them.

    ``log_ratio`` is log(target/source alnum chars); ``z_len`` its robust z-score against the
    language-pair prior shrunk towards the document's own links; ``z_sim`` the robust z-score of
    the link similarity within the document (``nan`` when there are too few links).
    """

    links: list[Link]
    src_len: np.ndarray
    tgt_len: np.ndarray
    log_ratio: np.ndarray
    z_len: np.ndarray
    z_sim: np.ndarray
    center: float
    spread: float
    sim_center: float
    sim_spread: float


def _robust(x: np.ndarray) -> tuple[float, float]:
    med = float(np.median(x))
    mad = float(np.median(np.abs(x - med))) * 1.4826
    return med, mad


def link_stats(ctx: CheckContext, *, prior_weight: float = 8.0, min_links: int = 8) -> LinkStats:
    """Compute :class:`LinkStats` for the content links of ``ctx``."""
    links = []
    sl, tl = [], []
    for lk in ctx.links:
        s = content_sentences(ctx.source, lk.source)
        t = content_sentences(ctx.target, lk.target)
        if not s or not t:
            continue
        links.append(lk)
        sl.append(sum(alnum_len(x.text) for x in s))
        tl.append(sum(alnum_len(x.text) for x in t))
    src_len = np.asarray(sl, dtype=float)
    tgt_len = np.asarray(tl, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log(np.maximum(tgt_len, 1.0) / np.maximum(src_len, 1.0))
    mu0, sd0 = length_prior(ctx.source.lang, ctx.target.lang)
    # Only links long enough to measure a ratio inform the document's distribution.
    informative = ratio[(src_len >= 20) & (tgt_len >= 5)] if len(ratio) else ratio
    n = len(informative)
    if n:
        med, mad = _robust(informative)
        center = (n * med + prior_weight * mu0) / (n + prior_weight)
        # a document's own spread can be tiny (a few near-identical links): keep ≥ 3/4 of the prior
        spread = math.sqrt((n * mad**2 + prior_weight * sd0**2) / (n + prior_weight))
        spread = max(spread, 0.75 * sd0)
    else:
        center, spread = mu0, sd0
    z_len = (ratio - center) / spread if len(ratio) else ratio
    sims = np.asarray([lk.similarity for lk in links], dtype=float)
    if len(sims) >= min_links:
        sim_center, sim_spread = _robust(sims)
        sim_spread = max(sim_spread, 0.02)
        z_sim = (sims - sim_center) / sim_spread
    else:
        sim_center, sim_spread = float("nan"), float("nan")
        z_sim = np.full(len(sims), np.nan)
    return LinkStats(
        links, src_len, tgt_len, ratio, z_len, z_sim, center, spread, sim_center, sim_spread
    )


def _r(x: float, d: int = 3) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), d)


# --------------------------------------------------------------------------------------------
# untranslated
# --------------------------------------------------------------------------------------------

_NUMLIKE = re.compile(r"\d")
#: URLs, e-mail addresses and markup/code chunks (``class=B``, ``List_of_x#cite``, ``{{``):
#: copied on purpose, so they are no evidence of an untranslated sentence.
_URLISH = re.compile(r"(?:https?://|www\.)\S+|\S*\s?=\s?\S*|\S*[_#{}|<>\\/@]\S*")
#: What every match of :data:`_URLISH` contains (``http://`` has a slash): a text without any of
#: it has no match, found with one cheap scan instead of ``_URLISH``'s scan from every offset.
_URLISH_HINT = re.compile(r"[=_#{}|<>\\/@]|www\.")


def _drop_urlish(text: str) -> str:
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


def _strip_names_numbers(src: str, tgt: str) -> tuple[str, str]:
    """Lowercased word strings of both sides without numbers, URLs and names they share."""
    s_toks = [w for _, _, w in tokens(_drop_urlish(src))]
    t_toks = [w for _, _, w in tokens(_drop_urlish(tgt))]
    shared_caps = {w for w in s_toks if w[:1].isupper()} & {w for w in t_toks if w[:1].isupper()}

    def keep(ws: list[str]) -> str:
        return " ".join(w.lower() for w in ws if not _NUMLIKE.search(w) and w not in shared_caps)

    return keep(s_toks), keep(t_toks)


def copy_similarity(src: str, tgt: str, threshold: float = 0.0) -> tuple[float, int]:
    """Character similarity (difflib ratio) of source and target after dropping shared names
    and numbers, and the number of letters that were compared (of the shorter side).

    When a cheap upper bound already shows the similarity is below ``threshold``, that bound is
    returned instead of the exact ratio.
    """
    # ``untranslated`` and ``mistranslation`` compare the same texts: memoised when short
    cached = len(src) + len(tgt) <= _COPY_CACHE_MAX_CHARS
    a, b, n = _cached_copy_parts(src, tgt) if cached else _copy_parts(src, tgt)
    if not a or not b:
        return 0.0, n
    if threshold > 0:
        # difflib's ratio is 2·M/T with M the characters in its matching blocks, which form a
        # common subsequence: min(len) and the LCS length bound M from above (the LCS bound is
        # tighter than difflib's quick_ratio, which counts common characters in any order)
        total = len(a) + len(b)
        bound = 2.0 * min(len(a), len(b)) / total
        if bound < threshold:
            return bound, n
        bound = 2.0 * (_cached_lcs_length(a, b) if cached else lcs_length(a, b)) / total
        if bound < threshold:
            return bound, n
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio(), n


#: Source + target length up to which :func:`copy_similarity`'s preparation is memoised (in a
#: bounded cache: at most 4,096 pairs of stripped texts of this size).
_COPY_CACHE_MAX_CHARS = 2000


def _copy_parts(src: str, tgt: str) -> tuple[str, str, int]:
    """The stripped texts and the number of letters compared."""
    a, b = _strip_names_numbers(src, tgt)
    return a, b, min(letters(a), letters(b))


@lru_cache(maxsize=4096)
def _cached_copy_parts(src: str, tgt: str) -> tuple[str, str, int]:
    return _copy_parts(src, tgt)


@lru_cache(maxsize=4096)
def _cached_lcs_length(a: str, b: str) -> int:
    return lcs_length(a, b)


def lcs_length(a: str, b: str) -> int:
    """Length of the longest common subsequence of ``a`` and ``b`` (bit-parallel, Hyyrö 2004:
    one bit per character of the longer string, a few integer operations per character of the
    shorter one)."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return 0
    match: dict[str, int] = {}
    bit = 1
    for ch in a:
        match[ch] = match.get(ch, 0) | bit
        bit <<= 1
    mask = bit - 1
    v = mask
    for ch in b:
        u = v & match.get(ch, 0)
        v = ((v + u) | (v - u)) & mask
    return len(a) - v.bit_count()


def copied_runs(src: str, tgt: str, min_tokens: int) -> list[tuple[int, int, int]]:
    """Runs of ≥ ``min_tokens`` consecutive target word tokens copied from the source in order.

    Returns ``(start, end, n_tokens)`` in target offsets. Only lowercase-initial alphabetic tokens
    count towards the length (names, acronyms and numbers are legitimately copied).
    """
    s = [w.lower() for _, _, w in tokens(src)]
    t_toks = tokens(tgt)
    t = [w.lower() for _, _, w in t_toks]
    shared = {w for _, _, w in t_toks if w[:1].islower() and w.isalpha()} & set(s)
    if not shared:
        return []
    sm = difflib.SequenceMatcher(None, s, t, autojunk=False)
    out = []
    for blk in sm.get_matching_blocks():
        if blk.size < min_tokens:
            continue
        run = t_toks[blk.b : blk.b + blk.size]
        content = [w for _, _, w in run if w[:1].islower() and w.isalpha() and len(w) >= 2]
        if len(content) >= min_tokens:
            out.append((run[0][0], run[-1][1], len(content)))
    return out


def _language_text(src: str, tgt: str) -> str:
    """The target without numbers, URLs and capitalised tokens that also occur in the source."""
    s_caps = {w for _, _, w in tokens(src) if w[:1].isupper()}
    kept = [
        w for _, _, w in tokens(_drop_urlish(tgt)) if not _NUMLIKE.search(w) and w not in s_caps
    ]
    return " ".join(kept)


def _links_by_target(ctx: CheckContext) -> dict[int, Link]:
    out: dict[int, Link] = {}
    for lk in ctx.links:
        for j in lk.target:
            out.setdefault(j, lk)
    return out


@register
class UntranslatedCheck(Check):
    """The target copies the source, or is written in the source language."""

    code = "untranslated"
    default_severity = "critical"
    description = (
        "target sentence left untranslated: a copy of its source (names and numbers aside) or "
        "written in the source language; also copied runs of source words inside a translation"
    )
    params = {
        "copy_similarity": 0.9,
        "min_letters": 20,
        "min_confidence": 0.99,
        "partial_min_tokens": 4,
        "partial_severity": "major",
        "max_markup": 0.2,
    }

    def __init__(self, severity: str | None = None, **overrides: Any) -> None:
        super().__init__(severity, **overrides)
        check_number_param(self, "copy_similarity", 0)
        check_number_param(self, "min_letters", 0)
        check_number_param(self, "min_confidence", 0)
        check_number_param(self, "partial_min_tokens", 1)
        check_number_param(self, "max_markup", 0)
        check_severity_param(self, "partial_severity")

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        if same_language(ctx):
            return
        src_lang, tgt_lang = base_lang(ctx.source.lang), base_lang(ctx.target.lang)
        by_target = _links_by_target(ctx)
        for sent in ctx.target.sentences:
            if sent.furniture or not sent.text.strip():
                continue
            lk = by_target.get(sent.index)
            src_text = joined(content_sentences(ctx.source, lk.source)) if lk else ""
            f = self._whole(sent, src_text, src_lang, tgt_lang, lk)
            if f is not None:
                yield f
                continue
            if src_text and self.p["partial_severity"]:
                for a, b, n in copied_runs(src_text, sent.text, int(self.p["partial_min_tokens"])):
                    yield self.finding(
                        "target",
                        sent.index,
                        (sent.start + a, sent.start + b),
                        f"{n} source words copied untranslated into the target",
                        {"copied": sent.text[a:b], "tokens": n, "source": lk.source if lk else []},
                        severity=self.p["partial_severity"],
                        code="untranslated.partial",
                    )

    def _whole(
        self, sent: Sentence, src_text: str, src_lang: str | None, tgt_lang: str | None, lk: Any
    ) -> Finding | None:
        if src_text:
            sim, n = copy_similarity(src_text, sent.text, self.p["copy_similarity"])
            if n >= self.p["min_letters"] and sim >= self.p["copy_similarity"]:
                return self.finding(
                    "target",
                    sent.index,
                    whole(sent),
                    f"target copies its source (similarity {sim:.2f} ignoring names and numbers)",
                    {
                        "kind": "copy",
                        "copy_similarity": round(sim, 3),
                        "letters": n,
                        "source": lk.source,
                    },
                )
        if not src_lang or not tgt_lang:
            return None
        if markup_share(src_text or sent.text) > self.p["max_markup"]:
            return None  # wiki markup, code, file names: copied on purpose
        text = _language_text(src_text, sent.text) if src_text else sent.text
        n_letters = letters(text)
        if n_letters < self.p["min_letters"]:
            return None
        lang, conf = detect(text, {src_lang, tgt_lang}, self.p["min_confidence"], unless={tgt_lang})
        if lang != src_lang or conf is None or conf < self.p["min_confidence"]:
            return None
        return self.finding(
            "target",
            sent.index,
            whole(sent),
            f"target sentence is in the source language ({src_lang}), not {tgt_lang}",
            {
                "kind": "language",
                "detected": lang,
                "confidence": round(conf, 4),
                "letters": n_letters,
                "candidates": sorted({src_lang, tgt_lang}),
                "source": lk.source if lk else [],
            },
        )


# --------------------------------------------------------------------------------------------
# wrong_language
# --------------------------------------------------------------------------------------------


@register
class WrongLanguageCheck(Check):
    """The target sentence is in a language other than the expected ones."""

    code = "wrong_language"
    default_severity = "critical"
    description = (
        "target sentence written in a third language (neither the target nor the source language)"
    )
    params = {"min_letters": 20, "min_confidence": 0.9}

    def __init__(self, severity: str | None = None, **overrides: Any) -> None:
        super().__init__(severity, **overrides)
        check_number_param(self, "min_letters", 0)
        check_number_param(self, "min_confidence", 0)

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        src_lang, tgt_lang = base_lang(ctx.source.lang), base_lang(ctx.target.lang)
        if not tgt_lang:
            return
        expected = {tgt_lang} | ({src_lang} if src_lang else set())
        by_target = _links_by_target(ctx)
        for sent in ctx.target.sentences:
            if sent.furniture:
                continue
            lk = by_target.get(sent.index)
            src_text = joined(content_sentences(ctx.source, lk.source)) if lk else ""
            text = _language_text(src_text, sent.text)
            n = letters(text)
            if n < self.p["min_letters"]:
                continue
            lang, conf = detect(text, None, self.p["min_confidence"], unless=expected)
            if lang is None or lang in expected:
                continue
            if conf is None or conf < self.p["min_confidence"]:
                continue
            yield self.finding(
                "target",
                sent.index,
                whole(sent),
                f"target sentence looks like {lang}, expected {tgt_lang}",
                {
                    "detected": lang,
                    "confidence": round(conf, 4),
                    "letters": n,
                    "expected": sorted(expected),
                },
            )


# --------------------------------------------------------------------------------------------
# omission / addition
# --------------------------------------------------------------------------------------------


class _CoverageCheck(Check):
    """Shared logic of ``omission`` (source side) and ``addition`` (target side)."""

    side_name = "source"
    params = {
        "comparable_severity": None,
        "min_chars": 3,
        "partial": True,
        "partial_severity": "major",
        "z_length": 3.5,
        "z_length_weak": 1.5,
        "z_similarity": 2.0,
        "min_partial_chars": 20,
        "min_links": 8,
        "prior_weight": 8.0,
    }

    def __init__(self, severity: str | None = None, **overrides: Any) -> None:
        super().__init__(severity, **overrides)
        check_severity_param(self, "comparable_severity")
        check_severity_param(self, "partial_severity")
        for name in (
            "min_chars",
            "z_length",
            "z_length_weak",
            "z_similarity",
            "min_partial_chars",
            "min_links",
            "prior_weight",
        ):
            check_number_param(self, name, 0)

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        comparable = ctx.mode == "comparable"
        unlinked_sev = self.p["comparable_severity"] if comparable else self.severity
        side = ctx.side(self.side_name)
        linked = {
            i for lk in ctx.links for i in (lk.source if self.side_name == "source" else lk.target)
        }
        if unlinked_sev:
            for sent in side.sentences:
                if sent.furniture or sent.index in linked:
                    continue
                n = alnum_len(sent.text)
                if n < self.p["min_chars"]:
                    continue
                yield self.finding(
                    self.side_name,
                    sent.index,
                    whole(sent),
                    self._unlinked_message(),
                    {"kind": "unlinked", "chars": n, "mode": ctx.mode},
                    severity=unlinked_sev,
                )
        if not self.p["partial"] or not self.p["partial_severity"] or comparable:
            return
        stats = link_stats(
            ctx, prior_weight=float(self.p["prior_weight"]), min_links=int(self.p["min_links"])
        )
        sign = -1.0 if self.side_name == "source" else 1.0
        for k, lk in enumerate(stats.links):
            if stats.src_len[k] < self.p["min_partial_chars"]:
                continue
            zl = float(stats.z_len[k]) * sign
            zs = float(stats.z_sim[k])
            strong = zl >= self.p["z_length"]
            weak = (
                zl >= self.p["z_length_weak"]
                and not math.isnan(zs)
                and zs <= -self.p["z_similarity"]
            )
            if not (strong or weak):
                continue
            idx = lk.source if self.side_name == "source" else lk.target
            sents = content_sentences(side, idx)
            target_sent = self._pick(ctx, sents, lk)
            expected = stats.src_len[k] * math.exp(stats.center)
            yield self.finding(
                self.side_name,
                target_sent.index,
                whole(target_sent),
                self._partial_message(stats.tgt_len[k], expected),
                {
                    "kind": "partial",
                    "source": list(lk.source),
                    "target": list(lk.target),
                    "source_chars": int(stats.src_len[k]),
                    "target_chars": int(stats.tgt_len[k]),
                    "expected_target_chars": round(float(expected), 1),
                    "log_length_ratio": _r(stats.log_ratio[k]),
                    "z_length": _r(stats.z_len[k]),
                    "similarity": _r(lk.similarity),
                    "z_similarity": _r(zs),
                    "doc_length_center": _r(stats.center),
                    "doc_length_spread": _r(stats.spread),
                    "rule": "length" if strong else "length+similarity",
                },
                severity=self.p["partial_severity"],
                code=f"{self.code}.partial",
            )

    def _pick(self, ctx: CheckContext, sents: list[Sentence], lk: Link) -> Sentence:
        """The sentence of the link to attach a partial finding to: the least similar one."""
        if len(sents) == 1 or ctx.src_emb is None or ctx.tgt_emb is None:
            return sents[0]
        mine = ctx.src_emb if self.side_name == "source" else ctx.tgt_emb
        other = ctx.tgt_emb if self.side_name == "source" else ctx.src_emb
        other_idx = lk.target if self.side_name == "source" else lk.source
        try:
            o = other[other_idx].sum(axis=0)
            scores = [float(mine[s.index] @ o) for s in sents]
        except (IndexError, ValueError):
            return sents[0]
        return sents[int(np.argmin(scores))]

    def _unlinked_message(self) -> str:
        raise NotImplementedError

    def _partial_message(self, got: float, expected: float) -> str:
        raise NotImplementedError


@register
class OmissionCheck(_CoverageCheck):
    """Source content that the target leaves out."""

    code = "omission"
    default_severity = "major"
    side_name = "source"
    description = (
        "source content missing from the target: a content source sentence in no link, or a link "
        "whose target is much shorter (and less similar) than the document's links"
    )

    def _unlinked_message(self) -> str:
        return "source sentence has no counterpart in the target"

    def _partial_message(self, got: float, expected: float) -> str:
        return (
            f"target is much shorter than its source suggests ({int(got)} letters/digits, "
            f"about {int(round(expected))} expected): part of the source may be left out"
        )


@register
class AdditionCheck(_CoverageCheck):
    """Target content with no counterpart in the source."""

    code = "addition"
    default_severity = "major"
    side_name = "target"
    description = (
        "target content absent from the source: a content target sentence in no link, or a link "
        "whose target is much longer (and less similar) than the document's links"
    )
    params = {**_CoverageCheck.params, "comparable_severity": "minor"}

    def _unlinked_message(self) -> str:
        return "target sentence has no counterpart in the source"

    def _partial_message(self, got: float, expected: float) -> str:
        return (
            f"target is much longer than its source suggests ({int(got)} letters/digits, "
            f"about {int(round(expected))} expected): it may add content"
        )


# --------------------------------------------------------------------------------------------
# number_mismatch
# --------------------------------------------------------------------------------------------


def _fmt(m: NumberMention) -> str:
    return m.text.strip()


def _neighbour_text(side: Side, indices: Sequence[int], window: int) -> list[Sentence]:
    if not indices or window <= 0:
        return []
    lo, hi = min(indices) - window, max(indices) + window
    return [
        s
        for s in side.sentences
        if lo <= s.index <= hi and s.index not in indices and not s.furniture
    ]


@register
class NumberMismatchCheck(Check):
    """Numbers, amounts, percentages and dates that differ between a source and its target."""

    code = "number_mismatch"
    default_severity = "major"
    description = (
        "numbers, amounts, percentages or dates of the source missing, added or changed in the "
        "target (compared as normalised values: 44 million = 44,000,000 = 4400万)"
    )
    params = {
        "magnitude_ratio": 10.0,
        "critical_severity": "critical",
        "date_kinds": ["year", "date", "month"],
        "neighbour_window": 1,
        "comparable_unpaired_severity": None,
        "ignore_added_upto": 2,
        "ignore_missing_upto": 1,
    }

    def __init__(self, severity: str | None = None, **overrides: Any) -> None:
        super().__init__(severity, **overrides)
        check_number_param(self, "magnitude_ratio", 1)
        check_number_param(self, "neighbour_window", 0)
        check_number_param(self, "ignore_added_upto", -1)
        check_number_param(self, "ignore_missing_upto", -1)
        check_severity_param(self, "critical_severity")
        check_severity_param(self, "comparable_unpaired_severity")
        if not isinstance(self.p["date_kinds"], (list, tuple)):
            raise InputError(f"check '{self.code}': date_kinds must be a list")

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        src_lang, tgt_lang = ctx.source.lang, ctx.target.lang
        comparable = ctx.mode == "comparable"
        pairs_mode = ctx.mode == "pairs"
        window = 0 if pairs_mode else int(self.p["neighbour_window"])
        unpaired_sev = self.p["comparable_unpaired_severity"] if comparable else self.severity
        for lk in ctx.links:
            s_sents = content_sentences(ctx.source, lk.source)
            t_sents = content_sentences(ctx.target, lk.target)
            if not s_sents or not t_sents:
                continue
            s_text, t_text = joined(s_sents), joined(t_sents)
            s_nums = extract_numbers(s_text, src_lang)
            t_nums = extract_numbers(t_text, tgt_lang)
            if not s_nums and not t_nums:
                continue
            cmp = compare_numbers(s_nums, t_nums)
            if cmp.ok:
                continue
            # digit strings anywhere in the other side, also glued to letters (Srirangam99, ps3)
            s_digits = set(re.findall(r"\d+", s_text))
            t_digits = set(re.findall(r"\d+", t_text))
            # values found next door: an alignment boundary, not a translation error
            near_t = [
                m
                for s in _neighbour_text(ctx.target, lk.target, window)
                for m in extract_numbers(s.text, tgt_lang)
            ]
            near_s = [
                m
                for s in _neighbour_text(ctx.source, lk.source, window)
                for m in extract_numbers(s.text, src_lang)
            ]
            for sm, tm in cmp.substituted:
                yield self._substitution(ctx, t_sents, lk, sm, tm)
            if unpaired_sev:
                for tm in cmp.added:
                    if tm.value <= self.p["ignore_added_upto"] and tm.value == int(tm.value):
                        continue  # "a week" → "1 week", "twice" → "2 Mal", "both" → "beide 2"
                    if re.sub(r"\D", "", tm.text) in s_digits:
                        continue
                    if any(compare_numbers([n], [tm]).matched for n in near_s):
                        continue
                    sent, span = doc_span(t_sents, tm.start, tm.end)
                    yield self.finding(
                        "target",
                        sent.index,
                        span,
                        f"number {_fmt(tm)!r} in the target is not in the source",
                        {
                            "kind": "added",
                            "target_value": tm.values[0],
                            "target_kind": tm.kind,
                            "source_values": [m.values[0] for m in s_nums],
                            "source": list(lk.source),
                        },
                        severity=unpaired_sev,
                    )
                for sm in cmp.missing:
                    if sm.value <= self.p["ignore_missing_upto"] and sm.value == int(sm.value):
                        continue  # "1" → "a", "one"
                    if re.sub(r"\D", "", sm.text) in t_digits:
                        continue
                    if any(compare_numbers([sm], [n]).matched for n in near_t):
                        continue
                    sent = t_sents[0]
                    ssent, sspan = doc_span(s_sents, sm.start, sm.end)
                    yield self.finding(
                        "target",
                        sent.index,
                        whole(sent),
                        f"number {_fmt(sm)!r} of the source is missing from the target",
                        {
                            "kind": "missing",
                            "source_value": sm.values[0],
                            "source_kind": sm.kind,
                            "source_sentence": ssent.index,
                            "source_span": list(sspan),
                            "target_values": [m.values[0] for m in t_nums],
                            "source": list(lk.source),
                        },
                        severity=unpaired_sev,
                    )

    def _substitution(
        self,
        ctx: CheckContext,
        t_sents: list[Sentence],
        lk: Link,
        sm: NumberMention,
        tm: NumberMention,
    ) -> Finding:
        ratio = magnitude_ratio(sm, tm)
        kinds = {sm.kind, tm.kind}
        date_kinds = set(self.p["date_kinds"])
        # only digits against digits escalate: "three decades" → "30 years" is a paraphrase
        critical = not (sm.soft or tm.soft) and (
            ratio >= float(self.p["magnitude_ratio"]) * (1 - 1e-9) or kinds <= date_kinds
        )
        sev = self.p["critical_severity"] if critical and self.p["critical_severity"] else None
        sent, span = doc_span(t_sents, tm.start, tm.end)
        why = (
            f"a factor of {ratio:.3g}"
            if math.isfinite(ratio) and ratio >= 1
            else "a different value"
        )
        return self.finding(
            "target",
            sent.index,
            span,
            f"number {_fmt(tm)!r} in the target stands for {_fmt(sm)!r} in the source ({why})",
            {
                "kind": "changed",
                "source_text": _fmt(sm),
                "source_value": sm.values[0],
                "source_kind": sm.kind,
                "target_value": tm.values[0],
                "target_kind": tm.kind,
                "ratio": _r(ratio, 6) if math.isfinite(ratio) else None,
                "source": list(lk.source),
            },
            severity=sev,
        )


# --------------------------------------------------------------------------------------------
# name_mismatch
# --------------------------------------------------------------------------------------------

_CJK_LANGS = frozenset({"ja", "zh", "ko", "th"})


def _capitalised_neighbours(text: str, start: int, end: int) -> list[str]:
    """The capitalised words right before ``start`` and right after ``end`` in ``text``."""
    out = []
    before = re.search(r"([^\W\d_]+)\s+$", text[:start])
    after = re.match(r"\s+([^\W\d_]+)", text[end:])
    for m in (before, after):
        if m and m.group(1)[:1].isupper() and m.group(1).lower() not in _COMMON_CAPITALISED:
            out.append(m.group(1))
    return out


@register
class NameMismatchCheck(Check):
    """Names of the source that are missing or misspelt in the target."""

    code = "name_mismatch"
    default_severity = "major"
    description = (
        "a name of the source (capitalised mid-sentence, an acronym, a mixed-case or Latin-script "
        "token) missing from the target, or rendered as a different name"
    )
    params = {
        "missing_severity": "minor",
        "comparable_missing_severity": None,
        "different_max_edits": 2,
        "check_cjk_targets": "alphanumeric",
        "place_names": True,
    }

    def __init__(self, severity: str | None = None, **overrides: Any) -> None:
        super().__init__(severity, **overrides)
        check_severity_param(self, "missing_severity")
        check_severity_param(self, "comparable_missing_severity")
        check_number_param(self, "different_max_edits", 0)
        if not isinstance(self.p["place_names"], bool):
            raise InputError(f"check '{self.code}': place_names must be true or false")
        if self.p["check_cjk_targets"] not in ("alphanumeric", "all", "none"):
            raise InputError(
                f"check '{self.code}': check_cjk_targets must be 'alphanumeric', 'all' or 'none'"
            )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        src_lang, tgt_lang = base_lang(ctx.source.lang), base_lang(ctx.target.lang)
        cjk_target = tgt_lang in _CJK_LANGS
        if cjk_target and self.p["check_cjk_targets"] == "none":
            return
        # document vocabularies: words seen more often in lowercase than capitalised
        # mid-sentence, and the other way round (a title quoted mid-sentence, "… the poem
        # În ușa cortului", does not make every sentence-initial "În" a name)
        lower_count: Counter[str] = Counter()
        caps_count: Counter[str] = Counter()
        for s in ctx.source.content:
            toks = tokens(s.text)
            for k, (a, _, w) in enumerate(toks):
                if w[:1].islower():
                    lower_count[w.lower()] += 1
                elif k > 0 and w[:1].isupper():
                    before = s.text[:a].rstrip()
                    if before and before[-1] not in _SENT_OPENERS:
                        caps_count[re.sub(r"['’]s$", "", w.lower())] += 1
        known = {w for w, n in caps_count.items() if n > lower_count[w]}
        lower_vocab = set(lower_count) - known
        for lk in ctx.links:
            s_sents = content_sentences(ctx.source, lk.source)
            t_sents = content_sentences(ctx.target, lk.target)
            if not s_sents or not t_sents:
                continue
            yield from self._link(
                ctx, lk, s_sents, t_sents, (src_lang, tgt_lang), lower_vocab, known, cjk_target
            )

    def _link(
        self,
        ctx: CheckContext,
        lk: Link,
        s_sents: list[Sentence],
        t_sents: list[Sentence],
        langs: tuple[str | None, str | None],
        lower_vocab: set[str],
        known: set[str],
        cjk_target: bool,
    ) -> Iterator[Finding]:
        t_text = joined(t_sents)
        t_toks = [(a, b, w) for a, b, w in tokens(re.sub(r"[-‐]", " ", t_text)) if not is_cjk(w[0])]
        t_lower = re.sub(r"\s+", "", t_text.lower())
        reported_names: set[str] = set()
        src_lang, tgt_lang = langs
        for s in s_sents:
            cands = name_candidates(s.text, src_lang, lower_vocab, known)
            if cjk_target and self.p["check_cjk_targets"] == "alphanumeric":
                # Chinese/Japanese transliterate or translate names and acronyms; only codes
                # with digits (KDE4, A320, Bbb23) are reliably carried over
                cands = [c for c in cands if any(ch.isdigit() for ch in c.text)]
            entities: dict[int, list[NameCandidate]] = {}
            for c in cands:
                entities.setdefault(c.entity, []).append(c)
            s_all = {transliterate(w) for _, _, w in tokens(s.text)}
            for ent in entities.values():
                found = [
                    self._found(c.text, t_toks, t_lower, cjk_target)
                    or any(
                        self._found(r, t_toks, t_lower, cjk_target)
                        for r in self._renderings(c.text, src_lang, tgt_lang)
                    )
                    for c in ent
                ]
                if all(found):
                    continue
                # a close but different name for a token not found: misspelt / mangled name
                reported = False
                for c, ok in zip(ent, found, strict=True):
                    if ok:
                        continue
                    diff = self._different(c.text, t_toks, s_all)
                    if diff is None:
                        continue
                    a, b, w, edits = diff
                    sent, span = doc_span(t_sents, a, b)
                    yield self.finding(
                        "target",
                        sent.index,
                        span,
                        f"name {c.text!r} of the source appears as {w!r} in the target",
                        {
                            "kind": "different",
                            "source_name": c.text,
                            "target_name": w,
                            "letters_changed": int(edits),
                            "source_sentence": s.index,
                            "source_span": [s.start + c.start, s.start + c.end],
                        },
                    )
                    reported = True
                missing_sev = self.p[
                    "comparable_missing_severity"
                    if ctx.mode == "comparable"
                    else "missing_severity"
                ]
                if reported or any(found) or not missing_sev:
                    continue
                # a capitalised neighbour left out as a common word ("Xi" Jinping, "Bill"
                # Nelson) still identifies the entity if the target renders it
                if any(
                    self._found(w, t_toks, t_lower, cjk_target)
                    for w in _capitalised_neighbours(s.text, ent[0].start, ent[-1].end)
                ):
                    continue
                name = s.text[ent[0].start : ent[-1].end]
                if name.lower() in reported_names:
                    continue  # the same name missing from one link is one finding
                reported_names.add(name.lower())
                yield self.finding(
                    "target",
                    t_sents[0].index,
                    whole(t_sents[0]),
                    f"name {name!r} of the source is missing from the target",
                    {
                        "kind": "missing",
                        "mode": ctx.mode,
                        "source_name": name,
                        "source_sentence": s.index,
                        "source_span": [s.start + ent[0].start, s.start + ent[-1].end],
                    },
                    severity=missing_sev,
                )

    def _renderings(self, word: str, src_lang: str | None, tgt_lang: str | None) -> frozenset[str]:
        """The target-language names of a place or language name (CLDR exonyms), if enabled."""
        if not self.p["place_names"]:
            return frozenset()
        return renderings(word, src_lang, tgt_lang)

    @staticmethod
    def _found(
        name: str, t_toks: list[tuple[int, int, str]], t_lower: str, cjk_target: bool
    ) -> bool:
        if re.sub(r"\s+", "", name.lower()) in t_lower:
            return True
        if cjk_target:
            return False
        if name.isupper() and len(name) >= 2:
            # an acronym's letters follow the target language's word order: UE → EU, URSS → USSR
            letters = sorted(name)
            if any(w.isupper() and sorted(w) == letters for _, _, w in t_toks):
                return True
        return any(names_match(name, w) for _, _, w in t_toks)

    def _different(
        self, name: str, t_toks: list[tuple[int, int, str]], s_all: set[str]
    ) -> tuple[int, int, str, float] | None:
        """A capitalised target token spelt like ``name`` with 1–``different_max_edits`` letters
        substituted (same length, same first letter) that renders no source word: a mangled name
        (Brendle → Brandle). Exonyms and inflections change the length, so they are not taken."""
        n = transliterate(name)
        if len(n) < 4:
            return None
        best = None
        for a, b, w in t_toks:
            if not w[:1].isupper() or len(w) < 3:
                continue
            t = transliterate(w)
            if t[:1] != n[:1] or t in s_all:
                continue
            if names_match(name, w) or any(names_match(x, w) for x in s_all if len(x) >= 3):
                continue
            if len(t) != len(n):
                continue
            diff = [k for k, (x, y) in enumerate(zip(n, t, strict=True)) if x != y]
            if not diff or min(diff) >= len(n) - 2:
                continue  # only the ending differs: an inflection
            edits = len(diff)
            if 1 <= edits <= self.p["different_max_edits"] and (best is None or edits < best[3]):
                best = (a, b, w, float(edits))
        return best
