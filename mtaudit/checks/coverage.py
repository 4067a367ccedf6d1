"""What ``omission`` and ``addition`` share: content in no link, and links much shorter or longer than the
document's own links suggest."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..report import Finding, Link, Sentence
from ..text.tokens import alnum_len
from .base import Check, CheckContext
from .common import check_number_param, check_severity_param, content_sentences, rounded, whole
from .linkstats import link_stats

__all__ = ["CoverageCheck"]


class CoverageCheck(Check):
    """Shared logic of ``omission`` (source side) and ``addition`` (target side)."""

    kinds = ("partial",)

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
                    "log_length_ratio": rounded(stats.log_ratio[k]),
                    "z_length": rounded(stats.z_len[k]),
                    "similarity": rounded(lk.similarity),
                    "z_similarity": rounded(zs),
                    "doc_length_center": rounded(stats.center),
                    "doc_length_spread": rounded(stats.spread),
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
