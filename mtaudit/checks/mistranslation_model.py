"""The model behind ``mistranslation``: features of a link, cue lists, and a logistic model per
encoder profile (``mtaudit/data/critical_model.json``, trained by ``scripts/train_critical.py``).
The features and how the thresholds were chosen: ``docs/checks.md``."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelUnavailableError
from ..langid import base_lang
from ..report import Finding
from ..resources import data_path, read_json
from ..text.copy import copy_similarity
from ..text.tokens import markup_share, tokens
from .base import Check, CheckContext
from .common import content_sentences, joined
from .linkstats import length_prior
from .name_mismatch import NameMismatchCheck
from .number_mismatch import NumberMismatchCheck

__all__ = [
    "ENCODER_FEATURES",
    "FAMILY",
    "FEATURES",
    "NEGATION_CUES",
    "TOXIC_CUES",
    "TOXIC_PROTOTYPES",
    "CriticalModel",
    "CriticalProfile",
    "Cues",
    "cue_count",
    "cue_counts",
    "link_feature_matrix",
    "link_vectors",
    "load_critical_model",
    "predict_links",
    "prototype_matrix",
    "sigmoid",
    "text_features",
]

_MODEL_PATH = data_path("critical_model.json")

#: Scalar features, in model order.
FEATURES: tuple[str, ...] = (
    "cos",
    "margin",
    "len_dev",
    "len_signed",
    "log_len",
    "neg_src",
    "neg_tgt",
    "neg_diff",
    "tox_src",
    "tox_tgt",
    "tox_diff",
    "proto_src",
    "proto_tgt",
    "proto_diff",
    "num_bad",
    "name_bad",
    "copy",
    "src_caps",
    "src_markup",
    "src_excl",
)


#: Features that need an encoder (left at their training mean by the ``default`` profile).
ENCODER_FEATURES = frozenset({"cos", "margin", "proto_src", "proto_tgt", "proto_diff"})


#: Which evidence family a feature belongs to (the finding's sub-kind when it dominates).
FAMILY = {
    "neg_src": "negation",
    "neg_tgt": "negation",
    "neg_diff": "negation",
    "tox_src": "toxicity",
    "tox_tgt": "toxicity",
    "tox_diff": "toxicity",
    "proto_src": "toxicity",
    "proto_tgt": "toxicity",
    "proto_diff": "toxicity",
    "num_bad": "number",
    "name_bad": "name",
    "copy": "untranslated",
}


@dataclass(frozen=True)
class Cues:
    """A language's cue list: whole words, word prefixes and suffixes, and substrings (for
    scripts without spaces and for compounds). ``not_prefixes`` vetoes a prefix match."""

    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    substrings: tuple[str, ...] = ()
    not_prefixes: tuple[str, ...] = ()


def _cue_table(kind: str) -> dict[str, Cues]:
    return {
        lang: Cues(
            frozenset(c.get("words", ())),
            tuple(c.get("prefixes", ())),
            tuple(c.get("suffixes", ())),
            tuple(c.get("substrings", ())),
            tuple(c.get("not_prefixes", ())),
        )
        for lang, c in read_json("critical_cues.json")[kind].items()
    }


#: Negation cues per language (general grammar, not fitted to any data). Czech negates verbs with
#: the prefix ``ne-``: any word starting with it counts, minus the common non-negated ``ne…``
#: words (``nebo``, ``než``, the superlative ``nej-``, ``někdo``…).
NEGATION_CUES: dict[str, Cues] = _cue_table("negation")
#: Profanity and insult cues per language (common swear words and slurs; general knowledge).
TOXIC_CUES: dict[str, Cues] = _cue_table("toxic")
#: English phrases standing for toxic content; each side's highest encoder cosine with them is a
#: language-independent toxicity cue (the multilingual encoder maps a translation close to them).
TOXIC_PROTOTYPES: tuple[str, ...] = tuple(read_json("critical_cues.json")["toxic_prototypes"])


def _norm_token(w: str) -> str:
    return w.lower().replace("’", "'")


def cue_count(text: str, cues: Cues | None) -> int:
    """How many cue occurrences ``text`` holds (0 when there is no cue list)."""
    return cue_counts(text, (cues,))[0]


def cue_counts(text: str, cue_lists: Sequence[Cues | None]) -> list[int]:
    """:func:`cue_count` of ``text`` for each of ``cue_lists`` (tokenising ``text`` once)."""
    out: list[int] = []
    low: str | None = None
    norm: list[str] | None = None
    for cues in cue_lists:
        if cues is None or not text:
            out.append(0)
            continue
        if low is None:
            low = text.lower()
        n = 0
        for s in cues.substrings:
            n += low.count(s)
        if cues.words or cues.prefixes or cues.suffixes:
            if norm is None:
                norm = [_norm_token(w) for _, _, w in tokens(text)]
            words, prefixes, not_prefixes, suffixes = (
                cues.words,
                cues.prefixes,
                cues.not_prefixes,
                cues.suffixes,
            )
            for t in norm:
                # str.startswith/endswith with a tuple: any of them (False for an empty tuple)
                if (
                    t in words
                    or t.startswith(prefixes)
                    and not t.startswith(not_prefixes)
                    or t.endswith(suffixes)
                ):
                    n += 1
        out.append(n)
    return out


_EXCL_RE = re.compile(r"[!?]")


#: Character similarity up to which the ``copy`` feature is 0.
_COPY_FLOOR = 0.5


def text_features(
    src: str, tgt: str, src_lang: str | None, tgt_lang: str | None
) -> dict[str, float]:
    """The text-only features of one source/target pair (no encoder, no other checks)."""
    a, b = base_lang(src_lang), base_lang(tgt_lang)
    s_alnum = sum(map(str.isalnum, src))
    t_alnum = sum(map(str.isalnum, tgt))
    prior, _ = length_prior(a, b)
    r = math.log((t_alnum + 1) / (s_alnum + 1)) - prior
    neg_s, tox_s = cue_counts(src, (NEGATION_CUES.get(a or ""), TOXIC_CUES.get(a or "")))
    neg_t, tox_t = cue_counts(tgt, (NEGATION_CUES.get(b or ""), TOXIC_CUES.get(b or "")))
    neg_known = (a in NEGATION_CUES) and (b in NEGATION_CUES)
    tox_known = (a in TOXIC_CUES) and (b in TOXIC_CUES)
    letters = [c for c in src if c.isalpha()]
    caps = sum(map(str.isupper, letters)) / len(letters) if letters else 0.0
    # only a similarity above 0.5 counts, so a difflib upper bound at or below it is as good
    # as the exact ratio (and far cheaper)
    copy, n_cmp = copy_similarity(src, tgt, _COPY_FLOOR) if a != b else (0.0, 0)
    return {
        "len_dev": abs(r),
        "len_signed": r,
        "log_len": math.log1p(s_alnum),
        "neg_src": float(min(neg_s, 3)),
        "neg_tgt": float(min(neg_t, 3)),
        "neg_diff": float(min(abs(neg_s - neg_t), 3)) if neg_known else 0.0,
        "tox_src": float(min(tox_s, 3)),
        "tox_tgt": float(min(tox_t, 3)),
        "tox_diff": float(min(abs(tox_s - tox_t), 3)) if tox_known else 0.0,
        # related languages share ~40–50% of their characters anyway: only the excess counts
        "copy": max(0.0, float(copy) - _COPY_FLOOR) / (1.0 - _COPY_FLOOR) if n_cmp >= 10 else 0.0,
        "src_caps": caps,
        "src_markup": markup_share(src),
        "src_excl": float(min(len(_EXCL_RE.findall(src)), 3)),
    }


@dataclass
class CriticalProfile:
    """Logistic regression for one encoder:
    ``p = sigmoid(intercept + sum(coef * (x - mean) / std) + emb_src·s + emb_diff·(t - s))``."""

    name: str
    coef: dict[str, float]
    mean: dict[str, float]
    std: dict[str, float]
    intercept: float
    threshold: float
    #: Typical cosine of an unrelated pair (the margin's fallback neighbourhood).
    random_cos: float = 0.1
    #: Optional weights on the source embedding and on (target − source), same dimension.
    emb_src: np.ndarray | None = None
    emb_diff: np.ndarray | None = None
    #: Language pairs (``"en-de"``, source first) whose false-alarm rate :attr:`threshold` was
    #: checked on (the training pairs and the good translations that capped it). Empty: all.
    validated_pairs: tuple[str, ...] = ()
    #: The threshold for any other pair (chosen on good human translations of a pair the model
    #: never saw; ``None``: :attr:`threshold` everywhere).
    unseen_threshold: float | None = None

    def threshold_for(self, src_lang: str | None, tgt_lang: str | None) -> tuple[float, bool]:
        """The probability threshold for a language pair, and whether the pair is validated."""
        pair = f"{base_lang(src_lang)}-{base_lang(tgt_lang)}"
        if not self.validated_pairs or pair in self.validated_pairs:
            return self.threshold, True
        if self.unseen_threshold is None:
            return self.threshold, False
        return max(self.threshold, self.unseen_threshold), False

    @property
    def features(self) -> list[str]:
        """The scalar features this profile uses, in model order."""
        return [f for f in FEATURES if f in self.coef]

    def logits(
        self,
        x: np.ndarray,
        src_vec: np.ndarray | None = None,
        tgt_vec: np.ndarray | None = None,
    ) -> np.ndarray:
        """Logits for rows of ``x`` (columns in :attr:`features` order) and link vectors."""
        names = self.features
        mu = np.array([self.mean[f] for f in names])
        sd = np.array([self.std[f] or 1.0 for f in names])
        w = np.array([self.coef[f] for f in names])
        out = self.intercept + ((x - mu) / sd) @ w
        if (
            self.emb_src is not None
            and src_vec is not None
            and src_vec.shape[1] == len(self.emb_src)
        ):
            out = out + src_vec @ self.emb_src
            if self.emb_diff is not None and tgt_vec is not None:
                out = out + (tgt_vec - src_vec) @ self.emb_diff
        return out

    def contributions(self, row: np.ndarray) -> dict[str, float]:
        """Each scalar feature's share of the logit for one row (``coef * z``)."""
        return {
            f: self.coef[f] * (float(v) - self.mean[f]) / (self.std[f] or 1.0)
            for f, v in zip(self.features, row, strict=True)
        }

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "coef": self.coef,
            "mean": self.mean,
            "std": self.std,
            "intercept": self.intercept,
            "threshold": self.threshold,
            "random_cos": self.random_cos,
        }
        if self.emb_src is not None:
            d["emb_src"] = [round(float(v), 5) for v in self.emb_src]
        if self.emb_diff is not None:
            d["emb_diff"] = [round(float(v), 5) for v in self.emb_diff]
        if self.validated_pairs:
            d["validated_pairs"] = list(self.validated_pairs)
        if self.unseen_threshold is not None:
            d["unseen_threshold"] = self.unseen_threshold
        return d

    @classmethod
    def from_dict(cls, name: str, d: Mapping[str, Any]) -> CriticalProfile:
        unknown = set(d["coef"]) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown feature(s) {sorted(unknown)}")
        es, ed = d.get("emb_src"), d.get("emb_diff")
        return cls(
            name=name,
            coef={k: float(v) for k, v in d["coef"].items()},
            mean={k: float(d["mean"][k]) for k in d["coef"]},
            std={k: float(d["std"][k]) for k in d["coef"]},
            intercept=float(d["intercept"]),
            threshold=float(d["threshold"]),
            random_cos=float(d.get("random_cos", 0.1)),
            emb_src=None if es is None else np.asarray(es, dtype=np.float64),
            emb_diff=None if ed is None else np.asarray(ed, dtype=np.float64),
            validated_pairs=tuple(str(x) for x in d.get("validated_pairs", ())),
            unseen_threshold=(
                None if d.get("unseen_threshold") is None else float(d["unseen_threshold"])
            ),
        )


@dataclass
class CriticalModel:
    """Per-encoder profiles plus what the training script recorded."""

    profiles: dict[str, CriticalProfile]
    meta: dict[str, Any] = field(default_factory=dict)

    def profile(self, encoder_name: str | None) -> CriticalProfile:
        """The profile for an encoder (by ``Encoder.name``), else the ``default`` one."""
        if encoder_name and encoder_name in self.profiles:
            return self.profiles[encoder_name]
        return self.profiles.get("default") or next(iter(self.profiles.values()))

    def to_json(self) -> str:
        d = {
            "meta": self.meta,
            "features": list(FEATURES),
            "profiles": {k: p.to_dict() for k, p in self.profiles.items()},
        }
        return json.dumps(d, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> CriticalModel:
        d = json.loads(text)
        profiles = {k: CriticalProfile.from_dict(k, v) for k, v in d["profiles"].items()}
        if not profiles:
            raise ValueError("no profiles")
        return cls(profiles=profiles, meta=dict(d.get("meta", {})))


@lru_cache(maxsize=4)
def _load(path: str) -> CriticalModel:
    p = Path(path)
    if not p.is_file():
        raise ModelUnavailableError(
            f"critical-error model not found at {p}; re-install mtaudit or train one with "
            "scripts/train_critical.py"
        )
    try:
        return CriticalModel.from_json(p.read_text(encoding="utf-8"))
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelUnavailableError(
            f"critical-error model at {p} is unreadable ({type(exc).__name__}: {exc}); "
            "re-train it with scripts/train_critical.py"
        ) from exc


def load_critical_model(path: str | Path | None = None) -> CriticalModel:
    """The bundled model (``mtaudit/data/critical_model.json``) or the one at ``path``.

    Raises :class:`~mtaudit.errors.ModelUnavailableError` with a one-line reason when the file is
    missing or unreadable.
    """
    return _load(str(path or _MODEL_PATH))


#: Prototype vectors per encoder name (computed once per process and encoder).
_PROTOTYPES: dict[str, np.ndarray] = {}


def prototype_matrix(encoder: Any) -> np.ndarray | None:
    """The encoder's vectors of :data:`TOXIC_PROTOTYPES` (cached per encoder name), or None."""
    if encoder is None:
        return None
    name = str(getattr(encoder, "name", type(encoder).__name__))
    if name not in _PROTOTYPES:
        try:
            vecs = np.asarray(encoder.encode(list(TOXIC_PROTOTYPES), "en"), dtype=np.float32)
        except Exception:  # an encoder that fails here only costs the prototype features
            return None
        _PROTOTYPES[name] = _unit_rows(vecs.reshape(len(TOXIC_PROTOTYPES), -1))
    return _PROTOTYPES[name]


def _unit_rows(m: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(m, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return m / n


def link_vectors(emb: np.ndarray | None, groups: Sequence[Sequence[int]]) -> np.ndarray | None:
    """Unit vector per link side (normalised sum of its sentence embeddings), or None."""
    if emb is None or emb.ndim != 2 or emb.shape[1] == 0 or not groups:
        return None
    if any(max(g) >= len(emb) for g in groups):
        return None
    sums = np.stack([emb[list(g)].astype(np.float32).sum(axis=0) for g in groups])
    return _unit_rows(sums)


def _helper_findings(ctx: CheckContext, check: Check) -> list[Finding] | None:
    """The findings of helper ``check`` (default settings) on ``ctx``: those of the same check
    that :func:`~mtaudit.checks.base.run_checks` already ran, when it ran with the same class and
    parameters (severity aside: it changes no finding's existence, side or sentence), else a run
    of ``check`` itself; None if that fails."""
    done = ctx.earlier.get(check.code)
    if done is not None and type(done[0]) is type(check) and done[0].p == check.p:
        return done[1]
    try:
        return list(check.run(ctx))
    except Exception:  # a helper check failing only costs its feature
        return None


def _finding_counts(ctx: CheckContext, checks: Sequence[Check]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for check in checks:
        found = _helper_findings(ctx, check)
        if found is None:
            continue
        for f in found:
            if f.side == "target" and f.sentence is not None:
                counts[f.sentence] = counts.get(f.sentence, 0) + 1
    return counts


def link_feature_matrix(
    ctx: CheckContext, profile: CriticalProfile
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, list[str]]:
    """Feature rows (columns: ``profile.features``) for every link in ``ctx.links``, the links'
    source and target vectors (None without embeddings), and the joined target text per link."""
    from ..score.quality import margins

    links = ctx.links
    src_lang, tgt_lang = ctx.source.lang, ctx.target.lang
    s_texts = [joined(content_sentences(ctx.source, lk.source)) for lk in links]
    t_texts = [joined(content_sentences(ctx.target, lk.target)) for lk in links]
    sv = link_vectors(ctx.src_emb, [lk.source for lk in links])
    tv = link_vectors(ctx.tgt_emb, [lk.target for lk in links])
    have_emb = sv is not None and tv is not None and sv.shape[1] == tv.shape[1]
    if not have_emb:
        sv = tv = None
    cos = np.array([float(lk.similarity) for lk in links])
    src_pool = [s.index for s in ctx.source.sentences if not s.furniture]
    tgt_pool = [s.index for s in ctx.target.sentences if not s.furniture]
    marg = np.asarray(
        margins(links, ctx.src_emb, ctx.tgt_emb, src_pool, tgt_pool, profile.random_cos)
    )
    proto = prototype_matrix(ctx.encoder) if have_emb else None
    if proto is not None and sv is not None and tv is not None and proto.shape[1] == sv.shape[1]:
        p_src = (sv @ proto.T).max(axis=1)
        p_tgt = (tv @ proto.T).max(axis=1)
    else:
        p_src = np.full(len(links), profile.mean.get("proto_src", 0.0))
        p_tgt = np.full(len(links), profile.mean.get("proto_tgt", 0.0))
    helpers = [NumberMismatchCheck(), NameMismatchCheck()]
    num_counts = _finding_counts(ctx, helpers[:1])
    name_counts = _finding_counts(ctx, helpers[1:])
    rows = []
    for k, lk in enumerate(links):
        feat = text_features(s_texts[k], t_texts[k], src_lang, tgt_lang)
        feat["cos"] = float(cos[k])
        feat["margin"] = float(marg[k])
        feat["proto_src"] = float(p_src[k])
        feat["proto_tgt"] = float(p_tgt[k])
        feat["proto_diff"] = float(p_src[k] - p_tgt[k])
        feat["num_bad"] = float(min(sum(num_counts.get(j, 0) for j in lk.target), 3))
        feat["name_bad"] = float(min(sum(name_counts.get(j, 0) for j in lk.target), 3))
        rows.append([feat[f] for f in profile.features])
    x = np.asarray(rows, dtype=np.float64).reshape(len(links), len(profile.features))
    return x, sv, tv, t_texts


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))


def predict_links(
    ctx: CheckContext, model: CriticalModel
) -> tuple[np.ndarray, np.ndarray, CriticalProfile]:
    """Probability of a critical error for every link, the feature rows, and the profile used."""
    profile = model.profile(getattr(ctx.encoder, "name", None))
    if not ctx.links:
        return np.zeros(0), np.zeros((0, len(profile.features))), profile
    x, sv, tv, _ = link_feature_matrix(ctx, profile)
    return sigmoid(profile.logits(x, sv, tv)), x, profile
