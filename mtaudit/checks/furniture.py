"""``furniture``: page residue (buttons, bylines, captions, credits) that is not translation content.

Runs at the ``segment`` stage, before alignment: a sentence it flags is marked
``Sentence.furniture`` and is kept out of alignment and of the other checks. The rules are in
:mod:`mtaudit.furniture`. Pre-aligned pairs are all content: it does not run on them.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..furniture import detect_furniture
from ..report import Finding
from .base import Check, CheckContext

__all__ = ["FurnitureCheck"]


class FurnitureCheck(Check):
    """Page furniture: navigation, bylines, datelines, captions, credits, update notices."""

    code = "furniture"
    default_severity = "minor"
    description = "Page furniture (headers, footers, page numbers): not translation content"
    stage = "segment"

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        for side_name in ("source", "target"):
            side = ctx.side(side_name)
            hits = detect_furniture(
                side.text, [(s.start, s.end) for s in side.sentences], side.lang
            )
            for sent, hit in zip(side.sentences, hits):
                if hit is None:
                    continue
                sent.furniture = True
                yield self.finding(
                    side_name,
                    sent.index,
                    (sent.start, sent.end),
                    f"page furniture ({hit.rule.replace('_', ' ')}), not translation content",
                    {"rule": hit.rule, "matched": hit.matched},
                )
