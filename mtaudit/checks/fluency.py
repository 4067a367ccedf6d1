"""The ``garbled`` and ``fluency`` checks.

Both read the per-sentence :class:`~mtaudit.fluency.FluencyResult` that the pipeline computed once
with :func:`~mtaudit.fluency.compute_fluency_signals` and stored as
``ctx.signals["fluency"][side][i]``. Without that signal (no LM installed, or the stage was
switched off) they produce nothing; the pipeline records why in the report's signature.

Thresholds come from the garble model (chosen on dev data by ``scripts/train_garble.py`` as fixed
false-alarm rates on clean sentences) unless the config overrides them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..report import Finding
from .base import Check, CheckContext

__all__ = ["GarbledCheck", "FluencyCheck", "garble_span"]

_CLAUSE_END = re.compile(r"[,;:!?.…)\]\"”»—–]|\s-\s")
#: How far (characters) a garbled span may be carried right to the end of its clause.
MAX_EXTEND = 120


def garble_span(text: str, span: tuple[int, int] | None, extend: bool = True) -> tuple[int, int]:
    """The damaged part of a garbled sentence, local offsets.

    Starts from the located worst window; with ``extend`` it is carried right to the end of the
    clause (the next clause punctuation or the sentence end, at most :data:`MAX_EXTEND`
    characters): after a fused or cut clause, what follows the break is the misplaced material.
    Without a located span the whole sentence is returned.
    """
    if span is None:
        lead = len(text) - len(text.lstrip())
        return lead, len(text.rstrip())
    s, e = span
    if extend:
        m = _CLAUSE_END.search(text, e)
        stop = m.start() if m else len(text.rstrip())
        if stop - e <= MAX_EXTEND:
            e = max(e, stop)
    return s, e


def _sides(p: Mapping[str, Any]) -> list[str]:
    sides = p.get("sides", ["source", "target"])
    return [s for s in ("source", "target") if s in sides]


def _evidence(res: Any, p: float) -> dict[str, Any]:
    sig = dict(res.signals)
    keep = {k: sig[k] for k in sorted(sig) if k != "p_garbled"}
    return {
        "p_garbled": round(p, 4),
        "fluency": round(float(res.score), 2),
        "profile": res.profile,
        "signals": keep,
    }


class GarbledCheck(Check):
    """A sentence that reads as broken: fused or cut clauses, misplaced or doubled words."""

    code = "garbled"
    default_severity = "major"
    description = (
        "Sentence reads as garbled (fused/cut clauses, misplaced words): calibrated probability "
        "from LM surprise normalised by word frequency, a per-token break probe on the LM's "
        "surprisal and hidden states (English), parse cost and lexical signals."
    )
    params: dict[str, Any] = {
        "threshold": None,  # p_garbled for a finding; None = the model's dev-chosen 'major'
        "critical_threshold": None,  # None = the model's 'critical'
        "extend_span": True,
        "sides": ["source", "target"],
        # results of weaker profiles (dev AUROC below this, e.g. wordfreq + link-grammar for
        # German: 0.65) are scored but do not raise findings
        "min_reliability": 0.75,
    }

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        signals = ctx.signals.get("fluency") or {}
        for side in _sides(self.p):
            doc = ctx.side(side)
            for i, res in enumerate(signals.get(side, [])):
                if res is None or i >= len(doc.sentences) or doc.sentences[i].furniture:
                    continue
                if res.reliability < float(self.p["min_reliability"]):
                    continue
                p = res.p_garbled
                thr = self.p["threshold"]
                if thr is None:
                    thr = res.thresholds.get("major", 0.5)
                crit = self.p["critical_threshold"]
                if crit is None:
                    crit = res.thresholds.get("critical", 0.95)
                if p < thr:
                    continue
                sent = doc.sentences[i]
                s, e = garble_span(sent.text, res.span, bool(self.p["extend_span"]))
                severity = "critical" if p >= max(crit, thr) else self.severity
                ev = _evidence(res, p)
                ev["threshold"] = round(float(thr), 4)
                yield self.finding(
                    side,
                    sent.index,
                    (sent.start + s, sent.start + e),
                    f"garbled sentence (p={p:.2f}): “{sent.text[s:e]}” does not read as "
                    "well-formed text",
                    ev,
                    severity=severity,
                )


class FluencyCheck(Check):
    """Low fluency that is not (yet) garbled."""

    code = "fluency"
    default_severity = "minor"
    description = (
        "Low fluency score (0–100) below the dev-chosen level, for sentences not flagged garbled."
    )
    params: dict[str, Any] = {
        "min_score": None,  # flag below this score; None = 100 * (1 - model's 'fluency' threshold)
        "sides": ["source", "target"],
        "min_reliability": 0.75,  # see GarbledCheck
    }

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        signals = ctx.signals.get("fluency") or {}
        for side in _sides(self.p):
            doc = ctx.side(side)
            for i, res in enumerate(signals.get(side, [])):
                if res is None or i >= len(doc.sentences) or doc.sentences[i].furniture:
                    continue
                if res.reliability < float(self.p["min_reliability"]):
                    continue
                p = res.p_garbled
                min_score = self.p["min_score"]
                if min_score is None:
                    min_score = 100.0 * (1.0 - res.thresholds.get("fluency", 0.5))
                major = res.thresholds.get("major", 0.5)
                if res.score >= min_score or p >= major:
                    continue
                sent = doc.sentences[i]
                s, e = res.span if res.span is not None else garble_span(sent.text, None)
                ev = _evidence(res, p)
                ev["min_score"] = round(float(min_score), 2)
                yield self.finding(
                    side,
                    sent.index,
                    (sent.start + s, sent.start + e),
                    f"low fluency ({res.score:.0f}/100); least fluent part: “{sent.text[s:e]}”",
                    ev,
                )
