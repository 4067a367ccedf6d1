"""``number_mismatch``: numbers, amounts, percentages and dates that differ between a source and its
target (extraction and comparison: :mod:`mtaudit.text.numbers`)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import InputError
from ..report import Finding, Link, Sentence, Side
from ..text.number_matching import compare_numbers, magnitude_ratio, value_keys
from ..text.numbers import NumberMention, extract_numbers
from .base import Check, CheckContext
from .common import (
    check_number_param,
    check_severity_param,
    content_sentences,
    doc_span,
    joined,
    rounded,
    whole,
)

__all__ = ["NumberMismatchCheck"]


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
            near_t = value_keys(
                m
                for s in _neighbour_text(ctx.target, lk.target, window)
                for m in extract_numbers(s.text, tgt_lang)
            )
            near_s = value_keys(
                m
                for s in _neighbour_text(ctx.source, lk.source, window)
                for m in extract_numbers(s.text, src_lang)
            )
            for sm, tm in cmp.substituted:
                yield self._substitution(ctx, t_sents, lk, sm, tm)
            if unpaired_sev:
                for tm in cmp.added:
                    if tm.value <= self.p["ignore_added_upto"] and tm.value == int(tm.value):
                        continue  # "a week" → "1 week", "twice" → "2 Mal", "both" → "beide 2"
                    if re.sub(r"\D", "", tm.text) in s_digits:
                        continue
                    if value_keys([tm]) & near_s:  # matched next door
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
                    if value_keys([sm]) & near_t:
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
                "ratio": rounded(ratio, 6) if math.isfinite(ratio) else None,
                "source": list(lk.source),
            },
            severity=sev,
        )
