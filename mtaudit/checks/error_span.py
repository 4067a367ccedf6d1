"""``error_span``: runs of target words the word-level error tags say are probably wrong.

Reads ``ctx.signals["word_tags"]["target"][i]``, left by the word-tag stage
(:mod:`mtaudit.score.wordtags`): sentence-local word spans and ``p_bad`` per word. A run is a
stretch of consecutive words at or above ``threshold`` (default: the tag model's dev-chosen
threshold, chosen for word-level MCC on held-out train data); punctuation between two bad
words joins the run. A run is reported when its highest ``p_bad`` reaches ``min_peak``;
severity is ``minor`` (``major`` when the peak reaches ``major_peak``, if set; unset by default). Without word tags (no
model file) the check produces nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..report import Finding
from .base import Check, CheckContext
from .common import check_number_param

__all__ = ["ErrorSpanCheck"]


class ErrorSpanCheck(Check):
    """Words of a target sentence that post-editors would probably change."""

    code = "error_span"
    default_severity = "minor"
    description = (
        "Run of target words with a high probability of being wrong (word-level error tags "
        "learned from MLQE-PE post-edits: LM surprise, word frequency, copying, position)."
    )
    params: dict[str, Any] = {
        "threshold": None,  # p_bad for a word to join a run; None = the model's threshold
        "min_peak": 0.6,  # a run is reported when its highest p_bad reaches this
        # ... and is major from this peak on; None (default): always minor, because on good
        # human translations the tags still flag many sentences (docs/checks.md)
        "major_peak": None,
        "min_words": 1,
    }

    def __init__(self, severity: str | None = None, **overrides: Any) -> None:
        super().__init__(severity, **overrides)
        if self.p["threshold"] is not None:
            check_number_param(self, "threshold", 0)
        check_number_param(self, "min_peak", 0)
        if self.p["major_peak"] is not None:
            check_number_param(self, "major_peak", 0)
        check_number_param(self, "min_words", 1)

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        from ..wordtags import runs

        tags = (ctx.signals.get("word_tags") or {}).get("target") or []
        doc = ctx.target
        for i, tag in enumerate(tags):
            if tag is None or i >= len(doc.sentences):
                continue
            spans, p, profile, model_thr = tag
            sent = doc.sentences[i]
            thr = float(self.p["threshold"] if self.p["threshold"] is not None else model_thr)
            punct = [not any(c.isalnum() for c in sent.text[s:e]) for s, e in spans]
            for a, b in runs(p, thr, punct):
                n_words = sum(1 for k in range(a, b) if not punct[k])
                peak = float(max(p[a:b]))
                if n_words < int(self.p["min_words"]) or peak < float(self.p["min_peak"]):
                    continue
                s, e = spans[a][0], spans[b - 1][1]
                major = self.p["major_peak"]
                severity = "major" if major is not None and peak >= float(major) else self.severity
                yield self.finding(
                    "target",
                    sent.index,
                    (sent.start + s, sent.start + e),
                    f"probably mistranslated or broken (p={peak:.2f}): “{sent.text[s:e]}”",
                    {
                        "p_bad_max": round(peak, 4),
                        "p_bad_mean": round(float(p[a:b].mean()), 4),
                        "words": n_words,
                        "threshold": round(thr, 4),
                        "profile": profile,
                    },
                    severity=severity,
                )
