"""``error_span``: runs of target words the word-level error tags say are probably wrong.

Reads ``ctx.signals["word_tags"]["target"][i]``, left by the word-tag stage
(:mod:`mtaudit.score.wordtags`): sentence-local word spans, ``p_bad`` per word, the profile, its
threshold and its finding peaks. A run is a
stretch of consecutive words at or above ``threshold`` (default: the tag model's dev-chosen
threshold, chosen for word-level MCC on held-out train data); punctuation between two bad
words joins the run. A run is reported when its highest ``p_bad`` reaches ``min_peak``;
severity is ``minor``, ``major`` when the peak reaches ``major_peak`` (unset by default: always
minor; ``calibrated_major=True`` takes the profile's calibrated major peak). The minor peak
is the tag profile's own (``WordTagProfile.peaks``), chosen for a stated false-alarm rate on
good translations (about 5 % of sentences with a minor finding, 1 % with a major one; see
``docs/checks.md``); the pooled profiles (pairs without their own) are never major, as their
calibration does not hold on unseen pairs; 0.6 and never major for a model without peaks. A ``major_peak`` above 1
turns major findings off. Without word tags (no model file) the check produces nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..report import Finding
from .base import Check, CheckContext
from .common import check_bool_param, check_number_param

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
        # a run is reported when its highest p_bad reaches this; None = the profile's peak,
        # calibrated on good translations (0.6 when the model has none)
        "min_peak": None,
        # ... and is major from this peak on; None = never major, unless calibrated_major (then
        # the profile's calibrated major peak); above 1: never major
        "major_peak": None,
        # use the tag profiles' calibrated major peaks: off by default, because on good news
        # translations the en-zh profile still made majors on 9.6 % of sentences
        "calibrated_major": False,
        "min_words": 1,
    }

    def __init__(self, severity: str | None = None, **overrides: Any) -> None:
        super().__init__(severity, **overrides)
        if self.p["threshold"] is not None:
            check_number_param(self, "threshold", 0)
        if self.p["min_peak"] is not None:
            check_number_param(self, "min_peak", 0)
        if self.p["major_peak"] is not None:
            check_number_param(self, "major_peak", 0)
        check_number_param(self, "min_words", 1)
        check_bool_param(self, "calibrated_major")

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        from ..wordtags import runs

        tags = (ctx.signals.get("word_tags") or {}).get("target") or []
        doc = ctx.target
        for i, tag in enumerate(tags):
            if tag is None or i >= len(doc.sentences):
                continue
            spans, p, profile, model_thr = tag[:4]
            peaks = tag[4] if len(tag) > 4 else {}
            sent = doc.sentences[i]
            thr = float(self.p["threshold"] if self.p["threshold"] is not None else model_thr)
            min_peak = self.p["min_peak"]
            min_peak = float(peaks.get("minor", 0.6) if min_peak is None else min_peak)
            major = self.p["major_peak"]
            if major is None:
                major = peaks.get("major") if self.p["calibrated_major"] else None
            else:
                major = float(major)
            punct = [not any(c.isalnum() for c in sent.text[s:e]) for s, e in spans]
            for a, b in runs(p, thr, punct):
                n_words = sum(1 for k in range(a, b) if not punct[k])
                peak = float(max(p[a:b]))
                if n_words < int(self.p["min_words"]) or peak < min_peak:
                    continue
                s, e = spans[a][0], spans[b - 1][1]
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
