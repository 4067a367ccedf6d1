"""``mistranslation``: a learned detector of critical meaning errors in a link (negation, toxicity,
numbers, names, untranslated or hallucinated content). The model: :mod:`.mistranslation_model`;
how it was trained and validated: ``docs/checks.md``."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..errors import InputError, ModelUnavailableError
from ..report import Finding, Link
from .base import Check, CheckContext
from .common import content_sentences, whole
from .mistranslation_model import FAMILY, CriticalProfile, load_critical_model, predict_links

__all__ = ["MistranslationCheck"]


class MistranslationCheck(Check):
    """A learned critical-error detector over a link's cross-lingual and lexical evidence."""

    code = "mistranslation"
    default_severity = "critical"
    uses = ("number_mismatch", "name_mismatch")
    kinds = tuple(dict.fromkeys(FAMILY.values()))
    description = (
        "the link probably carries a critical meaning error (negation, toxicity, numbers, names, "
        "untranslated or hallucinated content): a logistic model over cheap cross-lingual and "
        "lexical evidence, trained on WMT21 critical-error data"
    )
    params = {
        "threshold": None,
        "unseen_threshold": None,
        "major_threshold": None,
        "model_path": None,
        "top_features": 3,
    }

    def __init__(self, severity: str | None = None, **overrides: Any) -> None:
        super().__init__(severity, **overrides)
        for name in ("threshold", "unseen_threshold", "major_threshold"):
            v = self.p[name]
            if v is not None and (
                isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1
            ):
                raise InputError(f"check '{self.code}': {name} must be in [0, 1] or null")
        self._warned = False

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        if not ctx.links or ctx.mode == "comparable":
            return
        try:
            model = load_critical_model(self.p["model_path"])
        except ModelUnavailableError as exc:
            if not self._warned:
                warnings.warn(f"check 'mistranslation' skipped: {exc}", stacklevel=2)
                self._warned = True
            return
        probs, x, profile = predict_links(ctx, model)
        thr, validated = profile.threshold_for(ctx.source.lang, ctx.target.lang)
        if not validated and self.p["unseen_threshold"] is not None:
            thr = float(self.p["unseen_threshold"])
        if self.p["threshold"] is not None:
            thr = float(self.p["threshold"])
        major = self.p["major_threshold"]
        for lk, p, row in zip(ctx.links, probs, x, strict=True):
            sev: str | None = None
            if p >= thr:
                sev = self.severity
            elif major is not None and p >= float(major):
                sev = "major"
            if sev is None:
                continue
            yield self._finding(ctx, lk, float(p), thr, row, profile, sev, validated)

    def _finding(
        self,
        ctx: CheckContext,
        lk: Link,
        p: float,
        thr: float,
        row: np.ndarray,
        profile: CriticalProfile,
        sev: str,
        validated: bool = True,
    ) -> Finding:
        contrib = profile.contributions(row)
        top = sorted(contrib.items(), key=lambda kv: -kv[1])[: int(self.p["top_features"])]
        top = [(f, c) for f, c in top if c > 0]
        kind = FAMILY.get(top[0][0]) if top else None
        values = dict(zip(profile.features, row, strict=True))
        t_sents = content_sentences(ctx.target, lk.target) or [ctx.target.sentences[lk.target[0]]]
        sent = t_sents[0]
        what = f" ({kind})" if kind else ""
        unvalidated = "" if validated else " (threshold for language pairs it was not validated on)"
        return self.finding(
            "target",
            sent.index,
            whole(sent),
            f"probable critical mistranslation{what}: p={p:.2f} ≥ {thr:.2f}{unvalidated}",
            {
                "probability": round(p, 4),
                "threshold": round(thr, 4),
                "validated_pair": validated,
                "profile": profile.name,
                "kind": kind,
                "top_features": [
                    {"feature": f, "value": round(float(values[f]), 4), "logit": round(c, 3)}
                    for f, c in top
                ],
                "source": list(lk.source),
            },
            severity=sev,
            code=f"{self.code}.{kind}" if kind else None,
        )
