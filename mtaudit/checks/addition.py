"""``addition``: target content with no counterpart in the source."""

from __future__ import annotations

from .coverage import CoverageCheck

__all__ = ["AdditionCheck"]


class AdditionCheck(CoverageCheck):
    """Target content with no counterpart in the source."""

    code = "addition"
    default_severity = "major"
    side_name = "target"
    description = (
        "target content absent from the source: a content target sentence in no link, or a link "
        "whose target is much longer (and less similar) than the document's links"
    )
    params = {**CoverageCheck.params, "comparable_severity": "minor"}

    def _unlinked_message(self) -> str:
        return "target sentence has no counterpart in the source"

    def _partial_message(self, got: float, expected: float) -> str:
        return (
            f"target is much longer than its source suggests ({int(got)} letters/digits, "
            f"about {int(round(expected))} expected): it may add content"
        )
