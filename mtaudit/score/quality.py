"""A calibrated, reference-free quality score per link (0–100, higher is better).

A small model over features every audit has at hand (encoder cosines on a per-encoder calibrated
scale, margins, length, numbers, copying, fluency), fitted by ``scripts/train_quality.py`` on
MLQE-PE direct assessments and stored as JSON in ``mtaudit/data/quality_model.json``; fixed
penalties for major/critical findings are subtracted. Only numpy runs at audit time. The features,
the fit and the measured figures are described in ``docs/quality.md``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..checks.base import CheckContext
from ..langid import base_lang
from ..report import Finding, Link

__all__ = [
    "FEATURES",
    "Calibration",
    "GENERIC_MATCH_SPREADS",
    "generic_calibration",
    "is_generic",
    "QualityProfile",
    "QualityModel",
    "load_quality_model",
    "link_features",
    "text_features",
    "margins",
    "score_links",
    "document_quality",
]

#: The fitted features, in model order.
FEATURES: tuple[str, ...] = (
    "adq",
    "adq_margin",
    "len_dev",
    "log_len",
    "num_miss",
    "copy",
    "flu",
    "flu_missing",
    # added for the learned model (issue 20)
    "lm_mean",
    "slor",
    "min1",
    "win4",
    "nbad",
    "dip",
    "p_garbled",
    "oov",
    "tgt_log_len",
    "rep",
    "name_miss",
    "punct_dev",
    "src_lm_mean",
    "src_slor",
    "src_win4",
    "src_lm_missing",
)
#: Fluency signals read into features of the same name, when the LM scored the sentence (the
#: worst value over the link's target sentences); otherwise the profile's training mean fills in.
LM_SIGNALS: tuple[str, ...] = ("lm_mean", "slor", "min1", "win4", "nbad", "dip", "p_garbled")
#: Source-side fluency signals (``src_<name>``): how hard the source is for the LM; an English
#: source is scored by the same fluency run, so these cost nothing extra.
SRC_SIGNALS: tuple[str, ...] = ("lm_mean", "slor", "win4")
#: Larger values are worse for these signals, so "worst" is the maximum; the minimum for the rest.
_WORSE_HIGH = frozenset({"nbad", "dip", "p_garbled"})
#: Nearest other-side neighbours averaged for the margin.
K_NEIGHBOURS = 4
#: Below this many links the expected length ratio comes from the script prior, not the median.
MIN_LINKS_FOR_MEDIAN = 5
#: Largest neighbourhood searched per side (evenly spaced sample beyond it), to bound the cost.
MAX_NEIGHBOURHOOD = 1000
#: Severities that count as findings features.
COUNTED_SEVERITIES = ("major", "critical")
#: A fluency result counts for ``flu`` only when it has this signal, i.e. when the LM scored the
#: sentence. The lexical/link-grammar-only fluency profiles (e.g. German) do not track human
#: quality judgements (measured on MLQE-PE en-de: leave-one-pair-out r 0.15 with them, 0.20 without).
FLUENCY_REQUIRES = "lm_mean"

_MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "quality_model.json"

# characters per "unit of content" relative to Latin-script languages, for the length prior
_CHAR_DENSITY = {"zh": 0.3, "ja": 0.4, "ko": 0.45, "th": 0.9}
# a number: digits with inner separators ("1,000.5", "12:30", "10 000")
_NUMBER = re.compile(r"\d+(?:[.,:\u00a0\u202f ]\d+)*")
_NON_DIGIT = re.compile(r"\D")
# a word for the copy feature: 3+ word characters, not all digits
_WORD = re.compile(r"[^\W\d_]{3,}")
# any word (for repetitions)
_ANY_WORD = re.compile(r"[^\W_]+")
# a capitalised Latin-script word (a name candidate), not at the start of the text
_CAP = re.compile(r"(?<=[\w,;:] )[A-Z][a-z]{2,}")
# sentence punctuation whose count a translation usually keeps
_PUNCT = re.compile(r"[?!:;()\"«»“”„%]")


@dataclass
class Calibration:
    """How one encoder's cosines map to the shared scale: ``random_cos`` (unrelated sentence
    pairs) becomes 0 and ``match_cos`` (typical real translations) becomes 1."""

    random_cos: float = 0.1
    match_cos: float = 0.8

    @property
    def span(self) -> float:
        """``match_cos - random_cos`` (at least 0.01)."""
        return max(self.match_cos - self.random_cos, 0.01)

    def to_dict(self) -> dict[str, float]:
        return {"random_cos": self.random_cos, "match_cos": self.match_cos}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Calibration:
        return cls(random_cos=float(d["random_cos"]), match_cos=float(d["match_cos"]))


@dataclass
class QualityProfile:
    """A linear model: ``score = intercept + sum(coef * (x - mean) / std)`` over :data:`FEATURES`."""

    name: str
    coef: dict[str, float]
    mean: dict[str, float]
    std: dict[str, float]
    intercept: float
    #: Value of ``flu`` when fluency is missing (the training mean).
    flu_fill: float = 0.9
    #: Values of the :data:`LM_SIGNALS` (and ``oov``) when the sentence has none (training means).
    fill: dict[str, float] = field(default_factory=dict)
    #: Optional hidden layer on the same standardised inputs: ``{"w1": [[…] per input], "b1": […],
    #: "w2": […]}``; its output ``tanh(z @ w1 + b1) @ w2`` adds to the linear part (score points).
    hidden: dict[str, Any] | None = None

    def _inputs(self) -> list[str]:
        return [f for f in FEATURES if f in self.coef]

    def standardised(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        """The rows as the model reads them: ``(x - mean) / std`` over the profile's features."""
        names = self._inputs()
        x = np.array([[float(r.get(f, 0.0)) for f in names] for r in rows], dtype=np.float64)
        x = x.reshape(len(rows), len(names))
        mu = np.array([self.mean.get(f, 0.0) for f in names])
        sd = np.array([self.std.get(f, 1.0) or 1.0 for f in names])
        return (x - mu) / sd

    def predict(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        """Prediction (DA scale, not clipped) for feature rows."""
        if not rows:
            return np.zeros(0)
        z = self.standardised(rows)
        w = np.array([self.coef[f] for f in self._inputs()])
        out = self.intercept + z @ w
        if self.hidden:
            w1 = np.asarray(self.hidden["w1"], dtype=np.float64)
            b1 = np.asarray(self.hidden["b1"], dtype=np.float64)
            w2 = np.asarray(self.hidden["w2"], dtype=np.float64)
            out = out + np.tanh(z @ w1 + b1) @ w2
        return out

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "coef": self.coef,
            "mean": self.mean,
            "std": self.std,
            "intercept": self.intercept,
            "flu_fill": self.flu_fill,
        }
        if self.fill:
            d["fill"] = self.fill
        if self.hidden:
            d["hidden"] = self.hidden
        return d

    @classmethod
    def from_dict(cls, name: str, d: Mapping[str, Any]) -> QualityProfile:
        return cls(
            name=name,
            coef={k: float(v) for k, v in d["coef"].items()},
            mean={k: float(v) for k, v in d["mean"].items()},
            std={k: float(v) for k, v in d["std"].items()},
            intercept=float(d["intercept"]),
            flu_fill=float(d.get("flu_fill", 0.9)),
            fill={k: float(v) for k, v in d.get("fill", {}).items()},
            hidden=d.get("hidden"),
        )


@dataclass
class QualityModel:
    """Linear profiles, per-encoder calibrations and the fixed penalties for findings."""

    profiles: dict[str, QualityProfile]
    #: ``{"<encoder name>": Calibration, "default": Calibration}``.
    calibration: dict[str, Calibration] = field(default_factory=lambda: {"default": Calibration()})
    #: ``{"default": {"major": p, "critical": p}, "<family>": {...}}`` in score points.
    finding_penalty: dict[str, dict[str, float]] = field(
        default_factory=lambda: {"default": {"major": 10.0, "critical": 30.0}}
    )
    meta: dict[str, Any] = field(default_factory=dict)
    #: What the report's signature records: the model file's name and hash (set when loaded).
    ident: str = "in-memory"

    def profile(self, encoder_name: str | None) -> QualityProfile:
        """The profile for an encoder (by ``Encoder.name``), else the ``default`` one."""
        if encoder_name and encoder_name in self.profiles:
            return self.profiles[encoder_name]
        return self.profiles.get("default") or next(iter(self.profiles.values()))

    def calibration_for(self, encoder_name: str | None) -> Calibration:
        """The cosine calibration of an encoder, else the ``default`` one."""
        if encoder_name and encoder_name in self.calibration:
            return self.calibration[encoder_name]
        return self.calibration.get("default") or Calibration()

    def penalty(self, family: str, severity: str) -> float:
        """Points subtracted for one finding of ``family`` at ``severity``."""
        table = self.finding_penalty.get(family) or self.finding_penalty.get("default", {})
        return float(table.get(severity, 0.0))

    def to_json(self) -> str:
        d = {
            "meta": self.meta,
            "features": list(FEATURES),
            "calibration": {k: c.to_dict() for k, c in self.calibration.items()},
            "profiles": {k: p.to_dict() for k, p in self.profiles.items()},
            "finding_penalty": self.finding_penalty,
        }
        return json.dumps(d, indent=1, sort_keys=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> QualityModel:
        d = json.loads(text)
        return cls(
            profiles={k: QualityProfile.from_dict(k, v) for k, v in d["profiles"].items()},
            calibration={k: Calibration.from_dict(v) for k, v in d.get("calibration", {}).items()}
            or {"default": Calibration()},
            finding_penalty={
                k: {s: float(p) for s, p in v.items()} for k, v in d["finding_penalty"].items()
            },
            meta=dict(d.get("meta", {})),
        )


@lru_cache(maxsize=4)
def _load(path: str) -> QualityModel:
    text = Path(path).read_text(encoding="utf-8")
    model = QualityModel.from_json(text)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    model.ident = f"{Path(path).name} sha256:{digest}"
    return model


def load_quality_model(path: str | Path | None = None) -> QualityModel:
    """The bundled model (``mtaudit/data/quality_model.json``) or the one at ``path``."""
    return _load(str(path or _MODEL_PATH))


# -- features -------------------------------------------------------------------------------------


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def _sample(idx: list[int]) -> np.ndarray:
    arr = np.asarray(idx, dtype=np.int64)
    if len(arr) > MAX_NEIGHBOURHOOD:
        arr = arr[np.linspace(0, len(arr) - 1, MAX_NEIGHBOURHOOD).astype(np.int64)]
    return arr


#: Links scored per matrix product in :func:`margins` (bounds memory on long documents).
_CHUNK = 1024


def _link_vectors(emb: np.ndarray, groups: Sequence[Sequence[int]]) -> np.ndarray:
    """Unit vector of each link side: the normalised sum of its sentence embeddings."""
    if all(len(g) == 1 for g in groups):
        return emb[[g[0] for g in groups]].astype(np.float32)
    out = np.zeros((len(groups), emb.shape[1]), dtype=np.float32)
    for r, g in enumerate(groups):
        out[r] = _unit(emb[list(g)].astype(np.float32).sum(axis=0))
    return out


def _neighbourhood(
    vecs: np.ndarray,
    own: Sequence[Sequence[int]],
    pool: np.ndarray,
    pool_mat: np.ndarray,
    k: int,
    fallback: float,
) -> np.ndarray:
    """Mean of the ``k`` highest cosines of each vector with the pool, the link's own sentences
    left out; ``fallback`` where fewer than two pool sentences remain."""
    out = np.full(len(vecs), fallback, dtype=np.float64)
    if len(pool) < 2:
        return out
    pos = {int(j): p for p, j in enumerate(pool)}
    kk = min(k, len(pool))
    for start in range(0, len(vecs), _CHUNK):
        sims = vecs[start : start + _CHUNK] @ pool_mat.T
        valid = np.full(len(sims), len(pool))
        for r, ids in enumerate(own[start : start + _CHUNK]):
            for j in ids:
                p = pos.get(int(j))
                if p is not None:
                    sims[r, p] = -np.inf
                    valid[r] -= 1
        top = np.partition(sims, -kk, axis=1)[:, -kk:].astype(np.float64)
        top[~np.isfinite(top)] = np.nan
        with np.errstate(all="ignore"):
            mean = np.nanmean(np.where(np.isnan(top).all(axis=1, keepdims=True), 0.0, top), 1)
        out[start : start + len(sims)] = np.where(valid >= 2, mean, fallback)
    return out


def margins(
    links: Sequence[Link],
    src_emb: np.ndarray | None,
    tgt_emb: np.ndarray | None,
    src_pool: list[int],
    tgt_pool: list[int],
    random_cos: float,
    k: int = K_NEIGHBOURS,
) -> list[float]:
    """``cos - ½(neighbourhood(src) + neighbourhood(tgt))`` per link.

    ``neighbourhood(src)`` is the mean of the ``k`` highest cosines between the link's source
    vector and target sentences *outside* the link (from ``tgt_pool``, an evenly spaced sample of
    at most :data:`MAX_NEIGHBOURHOOD` sentences); likewise for the target side. A side with fewer
    than two such sentences uses ``random_cos`` instead. Cost: one (links × pool) matrix product
    per side, in chunks.
    """
    have = (
        src_emb is not None
        and tgt_emb is not None
        and src_emb.ndim == 2
        and tgt_emb.ndim == 2
        and src_emb.shape[1] == tgt_emb.shape[1]
        and src_emb.shape[1] > 0
    )
    if not have or not links:
        return [float(lk.similarity) - random_cos for lk in links]
    assert src_emb is not None and tgt_emb is not None
    s_pool, t_pool = _sample(src_pool), _sample(tgt_pool)
    s_mat = src_emb[s_pool].astype(np.float32)
    t_mat = tgt_emb[t_pool].astype(np.float32)
    sv = _link_vectors(src_emb, [lk.source for lk in links])
    tv = _link_vectors(tgt_emb, [lk.target for lk in links])
    n_src = _neighbourhood(sv, [lk.target for lk in links], t_pool, t_mat, k, random_cos)
    n_tgt = _neighbourhood(tv, [lk.source for lk in links], s_pool, s_mat, k, random_cos)
    sims = np.array([float(lk.similarity) for lk in links])
    return (sims - 0.5 * (n_src + n_tgt)).tolist()


def _density(lang: str | None) -> float:
    return _CHAR_DENSITY.get(base_lang(lang) or "", 1.0)


def text_features(source: str, target: str) -> tuple[float, float]:
    """``(num_miss, copy)`` of one source/target text pair (see the module docstring)."""
    ns = Counter(_NON_DIGIT.sub("", m) for m in _NUMBER.findall(source))
    nt = Counter(_NON_DIGIT.sub("", m) for m in _NUMBER.findall(target))
    miss = sum((ns - nt).values()) + sum((nt - ns).values())
    num_miss = miss / (1.0 + sum(ns.values()) + sum(nt.values()))
    src_words = {w.casefold() for w in _WORD.findall(source)}
    tgt_words = [w.casefold() for w in _WORD.findall(target)]
    copy = sum(w in src_words for w in tgt_words) / len(tgt_words) if tgt_words else 0.0
    return num_miss, copy


def surface_features(source: str, target: str) -> dict[str, float]:
    """``rep``, ``name_miss`` and ``punct_dev`` of one source/target text pair (``docs/quality.md``)."""
    words = [w.casefold() for w in _ANY_WORD.findall(target)]
    rep = 1.0 - len(set(words)) / len(words) if words else 0.0
    tgt_fold = target.casefold()
    names = {m for m in _CAP.findall(source)}
    missing = sum(n.casefold() not in tgt_fold for n in names)
    ps = Counter(_PUNCT.findall(source))
    pt = Counter(_PUNCT.findall(target))
    pdiff = sum((ps - pt).values()) + sum((pt - ps).values())
    return {
        "rep": rep,
        "name_miss": missing / (1.0 + len(names)),
        "punct_dev": pdiff / (1.0 + sum(ps.values()) + sum(pt.values())),
    }


def _worst(values: list[float]) -> float | None:
    return min(values) if values else None


def link_features(
    ctx: CheckContext,
    findings: Sequence[Finding],
    profile: QualityProfile,
    calibration: Calibration | None = None,
) -> list[dict[str, float]]:
    """The feature values of every link in ``ctx.links`` (fitted features + findings counts).

    ``calibration`` maps the encoder's cosines to the shared scale (default: :class:`Calibration`).
    """
    cal = calibration or Calibration()
    links = ctx.links
    src_sents, tgt_sents = ctx.source.sentences, ctx.target.sentences
    src_pool = [s.index for s in src_sents if not s.furniture]
    tgt_pool = [s.index for s in tgt_sents if not s.furniture]
    marg = np.asarray(margins(links, ctx.src_emb, ctx.tgt_emb, src_pool, tgt_pool, cal.random_cos))
    cos = np.array([float(lk.similarity) for lk in links])
    adq = (cos - cal.random_cos) / cal.span
    adq_margin = marg / cal.span

    def text(sents: Sequence[Any], idx: Sequence[int]) -> str:
        return " ".join(sents[i].text.strip() for i in idx)

    src_text = [text(src_sents, lk.source) for lk in links]
    tgt_text = [text(tgt_sents, lk.target) for lk in links]
    src_chars = np.array([len(t) for t in src_text], dtype=np.float64)
    tgt_chars = np.array([len(t) for t in tgt_text], dtype=np.float64)
    ratios = np.log((tgt_chars + 1.0) / (src_chars + 1.0))
    if len(links) >= MIN_LINKS_FOR_MEDIAN:
        expected = float(np.median(ratios))
    else:
        expected = math.log(_density(ctx.target.lang) / _density(ctx.source.lang))
    len_dev = np.abs(ratios - expected)
    log_len = np.log1p(src_chars)

    flu_side = ctx.signals.get("fluency", {}).get("target") or []
    src_flu = ctx.signals.get("fluency", {}).get("source") or []
    counts: dict[int, dict[str, int]] = {}
    for f in findings:
        if f.side != "target" or f.sentence is None or f.severity not in COUNTED_SEVERITIES:
            continue
        key = f"findings.{f.code.split('.')[0]}.{f.severity}"
        per = counts.setdefault(f.sentence, {})
        per[key] = per.get(key, 0) + 1

    rows: list[dict[str, float]] = []
    for k, lk in enumerate(links):
        results = [res for j in lk.target if j < len(flu_side) and (res := flu_side[j]) is not None]
        # only LM-backed fluency results count (see FLUENCY_REQUIRES)
        signals = [getattr(r, "signals", None) or {} for r in results]
        flu = _worst(
            [
                float(r.score)
                for r, sg in zip(results, signals, strict=True)
                if getattr(r, "score", None) is not None and FLUENCY_REQUIRES in sg
            ]
        )
        num_miss, copy = text_features(src_text[k], tgt_text[k])
        lm_sg = [sg for sg in signals if FLUENCY_REQUIRES in sg]
        row: dict[str, float] = {
            "adq": float(adq[k]),
            "adq_margin": float(adq_margin[k]),
            "len_dev": float(len_dev[k]),
            "log_len": float(log_len[k]),
            "num_miss": num_miss,
            "copy": copy,
            "flu": flu / 100.0 if flu is not None else profile.flu_fill,
            "flu_missing": 0.0 if flu is not None else 1.0,
        }
        for name in LM_SIGNALS:
            vals = [float(sg[name]) for sg in lm_sg if name in sg]
            if vals:
                row[name] = max(vals) if name in _WORSE_HIGH else min(vals)
            else:
                row[name] = profile.fill.get(name, 0.0)
        oov = [float(sg["oov"]) for sg in signals if "oov" in sg]
        row["oov"] = max(oov) if oov else profile.fill.get("oov", 0.0)
        row["tgt_log_len"] = float(np.log1p(tgt_chars[k]))
        src_sg = [
            sg
            for i in lk.source
            if i < len(src_flu)
            and (res := src_flu[i]) is not None
            and FLUENCY_REQUIRES in (sg := getattr(res, "signals", None) or {})
        ]
        for name in SRC_SIGNALS:
            vals = [float(sg[name]) for sg in src_sg if name in sg]
            key = f"src_{name}"
            row[key] = min(vals) if vals else profile.fill.get(key, 0.0)
        row["src_lm_missing"] = 0.0 if src_sg else 1.0
        row.update(surface_features(src_text[k], tgt_text[k]))
        for j in lk.target:
            for key, n in counts.get(j, {}).items():
                row[key] = row.get(key, 0.0) + n
        rows.append(row)
    return rows


def _penalty(row: Mapping[str, float], model: QualityModel) -> float:
    total = 0.0
    for key, n in row.items():
        if key.startswith("findings."):
            _, family, severity = key.split(".", 2)
            total += n * model.penalty(family, severity)
    return total


#: Generic calibration (an encoder the project has no calibration for): a real translation's
#: cosine sits this many background spreads above the document pair's background median. Measured
#: with the two calibrated encoders on WMT22 news documents (20 per pair, every other one of the
#: first 40 with 8+ segments) and their human references, median per document: USE en-ru 4.5,
#: de-fr 4.6; E5 en-uk 3.1, en-hr 3.7. The value between the two encoders' is used: a wide-range
#: model's translations score a little above 1 on the shared scale, a compressed one's below.
GENERIC_MATCH_SPREADS = 4.1
#: Fewest content sentences a side needs for a per-document calibration (else the default one).
GENERIC_MIN_SENTENCES = 4


def is_generic(model: QualityModel, encoder: Any) -> bool:
    """Whether ``encoder`` says the project has no calibration for it (``calibration =
    "generic"``, as ``st:PATH`` encoders do) and the quality model has none under its name.
    Other encoders the model does not know keep its fixed ``default`` calibration."""
    if getattr(encoder, "calibration", None) != "generic":
        return False
    return getattr(encoder, "name", None) not in model.calibration


def generic_calibration(ctx: CheckContext) -> Calibration | None:
    """A calibration from the document pair itself, in units of its own cosine spread:
    ``random_cos`` the median cosine of (a sample of) all content sentence pairs, ``match_cos``
    :data:`GENERIC_MATCH_SPREADS` robust standard deviations above it. None when a side has fewer
    than :data:`GENERIC_MIN_SENTENCES` content sentences or there are no embeddings."""
    src_emb, tgt_emb = ctx.src_emb, ctx.tgt_emb
    if src_emb is None or tgt_emb is None or src_emb.ndim != 2 or tgt_emb.ndim != 2:
        return None
    if src_emb.shape[1] != tgt_emb.shape[1] or src_emb.shape[1] == 0:
        return None
    s_pool = _sample([s.index for s in ctx.source.sentences if not s.furniture])
    t_pool = _sample([s.index for s in ctx.target.sentences if not s.furniture])
    s_pool, t_pool = s_pool[:: max(1, len(s_pool) // 256)], t_pool[:: max(1, len(t_pool) // 256)]
    if min(len(s_pool), len(t_pool)) < GENERIC_MIN_SENTENCES:
        return None
    if s_pool.max() >= len(src_emb) or t_pool.max() >= len(tgt_emb):
        return None
    sims = (tgt_emb[t_pool].astype(np.float32) @ src_emb[s_pool].astype(np.float32).T).ravel()
    med = float(np.median(sims))
    mad = float(np.median(np.abs(sims - med))) * 1.4826
    spread = max(mad, float(sims.std()) * 0.5, 1e-3)
    return Calibration(random_cos=med, match_cos=med + GENERIC_MATCH_SPREADS * spread)


def score_links(
    ctx: CheckContext, findings: Sequence[Finding], model: QualityModel | None = None
) -> None:
    """Set ``link.quality`` (0–100) for every link in ``ctx.links``.

    The feature values go into ``link.scores["quality_features"]`` (rounded). The profile and the
    cosine calibration are chosen by ``ctx.encoder.name`` (the ``default`` ones when there is no
    encoder or it is unknown).
    """
    if not ctx.links:
        return
    model = model or load_quality_model()
    name = getattr(ctx.encoder, "name", None)
    profile = model.profile(name)
    cal = model.calibration_for(name)
    if is_generic(model, ctx.encoder):
        cal = generic_calibration(ctx) or cal
        ctx.signals["quality_calibration"] = "generic"
    rows = link_features(ctx, findings, profile, cal)
    base = profile.predict(rows)
    for lk, row, b in zip(ctx.links, rows, base, strict=True):
        q = float(np.clip(b, 0.0, 100.0)) - _penalty(row, model)
        lk.quality = round(float(np.clip(q, 0.0, 100.0)), 2)
        lk.scores["quality_features"] = {k: round(float(v), 4) for k, v in row.items()}
        lk.scores["quality_profile"] = profile.name
    ctx.signals["quality_model"] = model.ident


def document_quality(ctx: CheckContext, findings: Sequence[Finding]) -> float | None:
    """One 0–100 figure for the document pair: the content-weighted mean of the link qualities.

    Each link weighs the number of characters of its source and target sentences, so a long
    sentence counts more than a heading. In translation (and pairs) mode, content sentences that no
    link covers are omissions (source) or additions (target): they join the mean with quality 0
    and their own character weight, so a translation that drops half the text cannot score well.
    In comparable mode a retelling may legitimately leave content out, so only linked content
    counts. Links without a quality are scored first (with the bundled model). ``None`` when there
    is nothing to score (no links and no content). ``findings`` is used only when links still
    need scoring.
    """
    if any(lk.quality is None for lk in ctx.links):
        score_links(ctx, findings)
    src, tgt = ctx.source.sentences, ctx.target.sentences
    total_w = 0.0
    total = 0.0
    linked_s: set[int] = set()
    linked_t: set[int] = set()
    for lk in ctx.links:
        w = sum(len(src[i].text.strip()) for i in lk.source)
        w += sum(len(tgt[j].text.strip()) for j in lk.target)
        w = max(float(w), 1.0)
        total_w += w
        total += w * float(lk.quality or 0.0)
        linked_s.update(lk.source)
        linked_t.update(lk.target)
    if ctx.mode != "comparable":
        for sents, linked in ((src, linked_s), (tgt, linked_t)):
            for s in sents:
                if not s.furniture and s.index not in linked and s.text.strip():
                    total_w += float(len(s.text.strip()))
    if total_w <= 0:
        return None
    return round(total / total_w, 2)
