"""Word-level error tags: for each word of a target sentence, the probability that it is wrong.

A small model (``mtaudit/data/word_tag_model.json``, fitted by ``scripts/train_word_tags.py`` on
MLQE-PE post-editing tags, see ``docs/quality.md``) reads per-word features:

* **LM** (profile ``lm``, when the fluency LM read the target sentence): the word's LM
  log-probability given the words before it, the same minus its unigram log-probability (the
  fluency scorer's normalised score), the neighbours' scores (a wrong word makes the *next* word
  surprising), and the sentence's mean and worst scores. These reuse the fluency check's LM pass:
  no second LM pass is made.
* **Lexical** (both profiles): unigram frequency in the target and in the source language,
  length, relative position, punctuation, digits, capitals.
* **Cross-lingual** (both profiles): the word is copied from the source, a number the source does
  not have, the sentences' length ratio, the link's calibrated encoder cosine, and the cosine and
  length ratio relative to the document's medians (:data:`DOC_FEATURES`).

Profile ``lex`` uses the lexical and cross-lingual features only (the ``fast`` profile, and target
languages the fluency LM does not read).

All functions here are pure: they take texts (and optionally the fluency scorer's
:class:`~mtaudit.fluency.features.WordScores`) and return numbers.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "LEX_FEATURES",
    "DOC_FEATURES",
    "DOC_MIN_LINKS",
    "DEEP_FEATURES",
    "deep_features",
    "LM_FEATURES",
    "SENT_FEATURES",
    "DocStats",
    "doc_stats",
    "len_ratio",
    "WordTagModel",
    "WordTagProfile",
    "load_word_tag_model",
    "word_features",
    "word_spans",
    "tag_words",
]

MODEL_PATH = Path(__file__).resolve().parent / "data" / "word_tag_model.json"

#: Words as the fluency scorer splits them (:func:`mtaudit.fluency.lexical.words`), except that
#: Chinese and Japanese characters are words of their own (the text has no spaces).
_WORD_RE = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
    r"|(?:(?![\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])\w)+"
    r"(?:['’](?:(?![\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])\w)+)*"
    r"|[^\w\s]",
    re.UNICODE,
)
_DIGIT_RE = re.compile(r"\d+")

LEX_FEATURES = (
    "bias",
    "rel_pos",
    "is_first",
    "is_last",
    "log_chars",
    "is_punct",
    "has_digit",
    "cap",
    "tgt_logf",
    "src_logf",
    "copied",
    "copied_alpha",
    "num_unsupported",
    "len_ratio",
    "log_len",
    "sent_copied",
    "nb_tgt_logf",
)
#: Sentence-level features from the alignment: the link's encoder cosine on the quality model's
#: calibrated scale (0 = unrelated sentences, 1 = a typical translation). A word of a link the
#: encoder finds far from its source is more likely wrong.
SENT_FEATURES = ("adq", "adq_low")
#: The same signals relative to the document: the link's ``adq`` minus the median ``adq`` of the
#: document's links, and its length ratio minus theirs. Encoders and language pairs shift both
#: (ja-en on USE has low raw cosines and short English for long Japanese): a link is judged
#: against its neighbours, not against the pairs the model was trained on. 0 when the document
#: has fewer than :data:`DOC_MIN_LINKS` links.
DOC_FEATURES = ("adq_rel", "len_rel")
DOC_MIN_LINKS = 4
LM_FEATURES = (
    "lm",
    "norm",
    "prev_norm",
    "next_norm",
    "next_lm",
    "sent_norm_mean",
    "sent_norm_min",
    "norm_minus_mean",
    "win3_min",
)

#: Source-conditioned LM features (profile ``deep``, :mod:`mtaudit.fluency.conditioned`): the
#: word's log-probability with the source read first (``d_cond``) and without (``d_uncond``),
#: their difference (``d_gain``: how much the source explains the word), the neighbours' gain,
#: the worst conditioned score around the word and the sentence's mean gain.
DEEP_FEATURES = (
    "d_cond",
    "d_uncond",
    "d_gain",
    "d_prev_gain",
    "d_next_gain",
    "d_next_cond",
    "d_win3_cond",
    "d_sent_gain",
    "d_gain_rel",
    "d_cond_rel",
)


def deep_features(cond: np.ndarray, uncond: np.ndarray) -> dict[str, np.ndarray]:
    """The :data:`DEEP_FEATURES` columns from per-word conditioned/unconditioned log-probs."""
    c = np.maximum(np.asarray(cond, dtype=np.float64), -30.0)
    u = np.maximum(np.asarray(uncond, dtype=np.float64), -30.0)
    g = np.clip(c - u, -20.0, 20.0)
    pad = np.concatenate([[0.0], c, [0.0]])
    return {
        "d_cond": c,
        "d_uncond": u,
        "d_gain": g,
        "d_prev_gain": np.concatenate([[0.0], g[:-1]]),
        "d_next_gain": np.concatenate([g[1:], [0.0]]),
        "d_next_cond": np.concatenate([c[1:], [0.0]]),
        "d_win3_cond": np.minimum(np.minimum(pad[:-2], pad[1:-1]), pad[2:]),
        "d_sent_gain": np.full(len(g), g.mean()),
        "d_gain_rel": g - g.mean(),
        "d_cond_rel": c - c.mean(),
    }


@dataclass(frozen=True)
class DocStats:
    """Document-level medians the :data:`DOC_FEATURES` are relative to (``None``: not known)."""

    adq_median: float | None = None
    len_ratio_median: float | None = None


def _n_alnum(words: Sequence[tuple[str, int, int]]) -> int:
    return max(1, sum(1 for w, _, _ in words if any(c.isalnum() for c in w)))


_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: Chinese/Japanese characters per word-equivalent for the script-neutral length ratio.
CJK_CHARS_PER_WORD = 1.5


def _n_sn(words: Sequence[tuple[str, int, int]]) -> float:
    """Word count with each CJK character as 1/:data:`CJK_CHARS_PER_WORD` of a word."""
    n = 0.0
    for w, _, _ in words:
        if any(c.isalnum() for c in w):
            n += 1.0 / CJK_CHARS_PER_WORD if _CJK_RE.fullmatch(w) else 1.0
    return max(1.0, n)


def len_ratio(source: str, target: str) -> float:
    """log(target words / source words), the ``len_ratio`` feature of a sentence."""
    return math.log(_n_alnum(_words(target)) / _n_alnum(_words(source)))


def doc_stats(adqs: Sequence[float | None], ratios: Sequence[float]) -> DocStats:
    """Medians over a document's links (each with at least :data:`DOC_MIN_LINKS` values)."""
    a = [float(x) for x in adqs if x is not None]
    return DocStats(
        float(np.median(a)) if len(a) >= DOC_MIN_LINKS else None,
        float(np.median(ratios)) if len(ratios) >= DOC_MIN_LINKS else None,
    )


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _WORD_RE.finditer(text)]


@lru_cache(maxsize=300_000)
def _logf(word: str, lang: str) -> float:
    """log10 unigram frequency (wordfreq), -9 when unknown or wordfreq is missing."""
    from .fluency.lexical import wordfreq_covers

    if not lang or not wordfreq_covers(lang):  # no nearest-language stand-in: unknown is unknown
        return -9.0
    import wordfreq

    try:
        f = wordfreq.word_frequency(word, lang)
    except (LookupError, ValueError):
        return -9.0
    return math.log10(f) if f > 0 else -9.0


def _base(lang: str | None) -> str:
    return (lang or "").split("-")[0].split("_")[0].lower()


def word_features(
    source: str,
    target: str,
    src_lang: str | None,
    tgt_lang: str | None,
    lm: np.ndarray | None = None,
    norm: np.ndarray | None = None,
    adq: float | None = None,
    doc: DocStats | None = None,
    deep: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[list[tuple[int, int]], dict[str, np.ndarray]]:
    """The target's words (character spans) and one feature column per name.

    ``deep`` is the source-conditioned LM's ``(cond, uncond)`` log-probability per word of the
    same words (:func:`mtaudit.fluency.conditioned.word_logprobs`); when given, the
    :data:`DEEP_FEATURES` columns are filled too.

    ``lm``/``norm`` are the fluency scorer's per-word LM log-probability and normalised score for
    the same words (:func:`mtaudit.fluency.features.word_scores` splits words the same way); when
    given, the :data:`LM_FEATURES` columns are filled too. ``adq`` is the link's calibrated encoder
    cosine (:data:`SENT_FEATURES`); left out when ``None``. ``doc`` gives the document medians
    of the :data:`DOC_FEATURES` (each feature 0 when its median is unknown).
    """
    tw = _words(target)
    sw = _words(source)
    n = len(tw)
    spans = [(s, e) for _, s, e in tw]
    if n == 0:
        return spans, {}
    sl, tl = _base(src_lang), _base(tgt_lang)
    src_lower = {w.lower() for w, _, _ in sw if any(c.isalnum() for c in w)}
    src_nums = set(_DIGIT_RE.findall(source))
    f: dict[str, np.ndarray] = {k: np.zeros(n) for k in LEX_FEATURES}
    f["bias"][:] = 1.0
    n_src, n_tgt = _n_alnum(sw), _n_alnum(tw)
    f["len_ratio"][:] = math.log(n_tgt / n_src)
    f["len_ratio_sn"] = np.full(n, math.log(_n_sn(tw) / _n_sn(sw)))
    doc = doc or DocStats()
    f["len_rel"] = np.full(
        n, 0.0 if doc.len_ratio_median is None else math.log(n_tgt / n_src) - doc.len_ratio_median
    )
    f["adq_rel"] = np.zeros(n)
    if adq is not None and doc.adq_median is not None:
        f["adq_rel"][:] = float(np.clip(float(adq) - doc.adq_median, -2.0, 1.0))
    f["log_len"][:] = math.log1p(n_tgt)
    for i, (w, _, _) in enumerate(tw):
        alpha = any(c.isalpha() for c in w)
        punct = not any(c.isalnum() for c in w)
        f["rel_pos"][i] = i / max(1, n - 1)
        f["is_first"][i] = float(i == 0)
        f["is_last"][i] = float(i == n - 1)
        f["log_chars"][i] = math.log1p(len(w))
        f["is_punct"][i] = float(punct)
        f["has_digit"][i] = float(any(c.isdigit() for c in w))
        f["cap"][i] = float(i > 0 and w[:1].isupper())
        if not punct:
            f["tgt_logf"][i] = _logf(w.lower(), tl) + 9.0
            f["src_logf"][i] = _logf(w.lower(), sl) + 9.0
        cop = (not punct) and w.lower() in src_lower
        f["copied"][i] = float(cop)
        f["copied_alpha"][i] = float(cop and alpha and not w[:1].isupper())
        nums = _DIGIT_RE.findall(w)
        f["num_unsupported"][i] = float(bool(nums) and any(x not in src_nums for x in nums))
    f["sent_copied"][:] = f["copied_alpha"].mean()
    tf = f["tgt_logf"]
    nb = np.empty(n)
    nb[0] = tf[1] if n > 1 else tf[0]
    nb[-1] = tf[-2] if n > 1 else tf[-1]
    if n > 2:
        nb[1:-1] = np.minimum(tf[:-2], tf[2:])
    f["nb_tgt_logf"] = nb
    if adq is not None:
        f["adq"] = np.full(n, float(adq))
        f["adq_low"] = np.full(n, max(0.0, 0.75 - float(adq)))
    if lm is not None and norm is not None and len(lm) == n:
        lm = np.maximum(np.asarray(lm, dtype=np.float64), -30.0)
        nm = np.clip(np.asarray(norm, dtype=np.float64), -20.0, 20.0)
        f["lm"] = lm
        f["norm"] = nm
        f["prev_norm"] = np.concatenate([[0.0], nm[:-1]])
        f["next_norm"] = np.concatenate([nm[1:], [0.0]])
        f["next_lm"] = np.concatenate([lm[1:], [0.0]])
        f["sent_norm_mean"] = np.full(n, nm.mean())
        f["sent_norm_min"] = np.full(n, nm.min())
        f["norm_minus_mean"] = nm - nm.mean()
        pad = np.concatenate([[0.0], nm, [0.0]])
        f["win3_min"] = np.minimum(np.minimum(pad[:-2], pad[1:-1]), pad[2:])
    if deep is not None and len(deep[0]) == n and len(deep[1]) == n:
        f.update(deep_features(deep[0], deep[1]))
    return spans, f


def word_spans(target: str) -> list[tuple[int, int]]:
    """The target's words as :func:`word_features` splits them (character spans)."""
    return [(s, e) for _, s, e in _words(target)]


@dataclass
class WordTagProfile:
    """One fitted model: feature names, standardisation, weights (logistic or one hidden layer)."""

    name: str
    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    w1: np.ndarray | None
    b1: np.ndarray | None
    w2: np.ndarray
    b2: float
    threshold: float
    info: dict[str, Any] = field(default_factory=dict)
    #: Thresholds of the language pairs it was trained on (``"ro-en"``), chosen on held-out
    #: train sentences: their MT differs widely in how much of it is wrong (15-65 % of words).
    thresholds_by_pair: dict[str, float] = field(default_factory=dict)
    #: The ``error_span`` finding's peaks for this profile (``{"minor": p, "major": p}``): a run
    #: is reported when its highest ``p_bad`` reaches ``minor``, as major from ``major``; chosen
    #: for a stated false-alarm rate on good translations (``info["peaks"]`` says which).
    peaks: dict[str, float] = field(default_factory=dict)

    def threshold_for(self, src_lang: str | None, tgt_lang: str | None) -> float:
        """The decision threshold for a language pair (the overall one for unseen pairs)."""
        key = f"{_base(src_lang)}-{_base(tgt_lang)}"
        return float(self.thresholds_by_pair.get(key, self.threshold))

    def predict(self, feats: dict[str, np.ndarray]) -> np.ndarray:
        """``p_bad`` per word."""
        n = len(next(iter(feats.values())))
        # a feature the caller could not compute reads the training mean (standardised 0)
        x = np.stack(
            [feats[k] if k in feats else np.full(n, m) for k, m in zip(self.features, self.mean)],
            axis=1,
        )
        x = (x - self.mean) / self.scale
        if self.w1 is not None and self.b1 is not None:
            h = np.tanh(x @ self.w1 + self.b1)
            z = h @ self.w2 + self.b2
        else:
            z = x @ self.w2 + self.b2
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    @classmethod
    def from_dict(cls, name: str, d: dict[str, Any]) -> WordTagProfile:
        arr = np.asarray
        return cls(
            name=name,
            features=list(d["features"]),
            mean=arr(d["mean"], dtype=np.float64),
            scale=arr(d["scale"], dtype=np.float64),
            w1=None if d.get("w1") is None else arr(d["w1"], dtype=np.float64),
            b1=None if d.get("b1") is None else arr(d["b1"], dtype=np.float64),
            w2=arr(d["w2"], dtype=np.float64),
            b2=float(d["b2"]),
            threshold=float(d["threshold"]),
            info=dict(d.get("info", {})),
            thresholds_by_pair={k: float(v) for k, v in d.get("thresholds_by_pair", {}).items()},
            peaks={k: float(v) for k, v in d.get("peaks", {}).items()},
        )


@dataclass
class WordTagModel:
    """The shipped profiles (``lm``, ``lex``) and what they were trained on (``meta``)."""

    profiles: dict[str, WordTagProfile]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"word-tags/{self.meta.get('version', '?')}"

    def profile_for(
        self, src_lang: str | None, tgt_lang: str | None, lm: bool, deep: bool = False
    ) -> WordTagProfile:
        """The pair's own profile if the model has one (``lm/ro-en``), else the pooled one
        (``lm``, ``lex``); ``lm`` profiles only when the LM features are there, ``deep`` ones
        (``deep/ro-en``, the source-conditioned LM's) only when its features are."""
        pair = f"{_base(src_lang)}-{_base(tgt_lang)}"
        kinds = ("lm", "lex") if lm else ("lex",)
        for kind in ("deep", *kinds) if deep else kinds:
            for key in (f"{kind}/{pair}", kind):
                if key in self.profiles:
                    return self.profiles[key]
        return next(iter(self.profiles.values()))


_MODEL: WordTagModel | None = None


def load_word_tag_model(path: str | Path | None = None) -> WordTagModel | None:
    """The shipped model (cached); ``None`` when the file is missing."""
    global _MODEL
    if path is None and _MODEL is not None:
        return _MODEL
    p = Path(path) if path is not None else MODEL_PATH
    if not p.is_file():
        return None
    d = json.loads(p.read_text(encoding="utf-8"))
    model = WordTagModel(
        {k: WordTagProfile.from_dict(k, v) for k, v in d["profiles"].items()},
        dict(d.get("meta", {})),
    )
    if path is None:
        _MODEL = model
    return model


def tag_words(
    source: str,
    target: str,
    src_lang: str | None,
    tgt_lang: str | None,
    model: WordTagModel,
    lm: np.ndarray | None = None,
    norm: np.ndarray | None = None,
    adq: float | None = None,
    doc: DocStats | None = None,
    deep: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[list[tuple[int, int]], np.ndarray, str]:
    """``(spans, p_bad, profile)`` for the words of ``target`` (spans index into ``target``)."""
    spans, feats = word_features(source, target, src_lang, tgt_lang, lm, norm, adq, doc, deep)
    if not spans:
        return spans, np.zeros(0), ""
    prof = model.profile_for(src_lang, tgt_lang, "lm" in feats, "d_cond" in feats)
    return spans, prof.predict(feats), prof.name


def runs(
    p_bad: Sequence[float], threshold: float, is_punct: Sequence[bool]
) -> list[tuple[int, int]]:
    """Maximal runs ``[i, j)`` of words with ``p_bad >= threshold`` (punctuation between two bad
    words joins the run; a run never starts or ends on punctuation)."""
    out: list[tuple[int, int]] = []
    n = len(p_bad)
    i = 0
    while i < n:
        if p_bad[i] >= threshold and not is_punct[i]:
            j = i + 1
            while j < n:
                if p_bad[j] >= threshold and not is_punct[j]:
                    j += 1
                    continue
                k = j
                while k < n and is_punct[k]:
                    k += 1
                if k < n and k > j and p_bad[k] >= threshold:
                    j = k + 1
                    continue
                break
            out.append((i, j))
            i = j
        else:
            i += 1
    return out
