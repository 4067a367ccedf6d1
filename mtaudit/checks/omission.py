"""``omission``: source content that the target leaves out."""

from __future__ import annotations

from .coverage import CoverageCheck

__all__ = ["OmissionCheck"]


class OmissionCheck(CoverageCheck):
    """Source content that the target leaves out."""

    code = "omission"
    default_severity = "major"
    side_name = "source"
    description = (
        "source content missing from the target: a content source sentence in no link, or a link "
        "whose target is much shorter (and less similar) than the document's links"
    )

    def _unlinked_message(self) -> str:
        return "source sentence has no counterpart in the target"

    def _partial_message(self, got: float, expected: float) -> str:
        return (
            f"target is much shorter than its source suggests ({int(got)} letters/digits, "
            f"about {int(round(expected))} expected): part of the source may be left out"
        )
