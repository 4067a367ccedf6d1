"""Helpers shared by the report formats: offsets → line/column, locations, safe text."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ..report import SEVERITIES, Finding, Report, Sentence, Side

__all__ = [
    "LineIndex",
    "Region",
    "finding_region",
    "finding_sentence",
    "is_furniture",
    "sentence_at",
    "severity_rank",
    "side_label",
    "span_text",
    "xml_safe",
    "describe_code",
]

_RANK = {s: k for k, s in enumerate(SEVERITIES)}


def severity_rank(severity: str) -> int:
    """0 for minor, 1 major, 2 critical (−1 for anything else)."""
    return _RANK.get(severity, -1)


def is_furniture(finding: Finding) -> bool:
    """True for the ``furniture`` marker findings (page furniture, not translation content)."""
    return finding.code.split(".", 1)[0] == "furniture"


class LineIndex:
    """Maps code-point offsets of ``text`` to 1-based (line, column).

    Line breaks are ``\\n``, ``\\r\\n`` and a lone ``\\r`` (as in the pipeline's ``line``);
    columns count Unicode code points, so they match SARIF's ``unicodeCodePoints``.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        for m in re.finditer(r"\r\n|\r|\n", text):
            starts.append(m.end())
        self.starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        """``(line, column)`` of ``offset`` (clamped to the text)."""
        offset = max(0, min(offset, len(self.text)))
        k = bisect.bisect_right(self.starts, offset) - 1
        return k + 1, offset - self.starts[k] + 1


@dataclass(frozen=True)
class Region:
    """A 1-based text region; ``end_column`` is exclusive (the column after the last character).

    ``start_column``/``end_*`` are ``None`` when only the line is known (no document text).
    """

    start_line: int
    start_column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    snippet: str | None = None


def finding_sentence(report: Report, finding: Finding) -> Sentence | None:
    """The sentence a finding is attached to, or ``None``."""
    if finding.sentence is None:
        return None
    return sentence_at(report.side(finding.side), finding.sentence)


def sentence_at(side: Side, index: int) -> Sentence | None:
    """Sentence ``index`` of ``side`` (by its ``index`` field), or ``None``."""
    sents = side.sentences
    if 0 <= index < len(sents) and sents[index].index == index:
        return sents[index]
    for s in sents:
        if s.index == index:
            return s
    return None


def _bounds(report: Report, finding: Finding) -> tuple[int, int] | None:
    if finding.span is not None:
        a, b = finding.span
        return (a, b) if 0 <= a <= b else None
    sent = finding_sentence(report, finding)
    return (sent.start, sent.end) if sent is not None else None


def span_text(report: Report, finding: Finding) -> str:
    """The text the finding points at (its span, else its sentence), or ``""``."""
    side = report.side(finding.side)
    b = _bounds(report, finding)
    if b is not None and side.text and b[1] <= len(side.text):
        return side.text[b[0] : b[1]]
    sent = finding_sentence(report, finding)
    if sent is None:
        return ""
    if finding.span is not None and sent.start <= finding.span[0] <= finding.span[1] <= sent.end:
        return sent.text[finding.span[0] - sent.start : finding.span[1] - sent.start]
    return sent.text


def finding_region(
    report: Report, finding: Finding, index: LineIndex | None = None
) -> Region | None:
    """Where a finding is, in lines and columns of its side's text.

    Uses the span, else the sentence's bounds; without the document text (a report read back
    from JSON) only the sentence's ``line`` is known. ``None`` for document-level findings.
    """
    side = report.side(finding.side)
    sent = finding_sentence(report, finding)
    if sent is not None and sent.unit is not None and sent.line is not None:
        # a localisation unit: its text is not the file's, the line is where the unit is
        return Region(sent.line, snippet=span_text(report, finding) or None)
    b = _bounds(report, finding)
    if b is not None and side.text and b[1] <= len(side.text):
        idx = index or LineIndex(side.text)
        sl, sc = idx.position(b[0])
        el, ec = idx.position(b[1])
        return Region(sl, sc, el, ec, side.text[b[0] : b[1]])
    sent = finding_sentence(report, finding)
    if sent is not None and sent.line is not None:
        return Region(sent.line, snippet=span_text(report, finding) or None)
    return None


def side_label(side: Side, name: str) -> str:
    """The side's file path, or ``source.txt`` / ``target.txt`` for text given directly."""
    return side.path or f"{name}.txt"


_XML_BAD = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` with characters XML 1.0 cannot hold (controls, lone surrogates) as U+FFFD."""
    return _XML_BAD.sub("\ufffd", text)


def describe_code(code: str) -> tuple[str, str | None]:
    """A one-line description of a finding code and the check's default severity (if known).

    Reads the check registry; a sub-kind such as ``untranslated.partial`` falls back to its base check,
    an unknown code to a generic text.
    """
    from ..checks import REGISTRY

    base = code.split(".", 1)[0]
    cls = REGISTRY.get(code) or REGISTRY.get(base)
    if cls is not None and getattr(cls, "description", ""):
        desc = str(cls.description)
        if code != base:
            desc = f"{desc} (kind: {code.split('.', 1)[1]})"
        return desc, getattr(cls, "default_severity", None)
    words = code.replace("_", " ").replace(".", ": ")
    return f"mtaudit finding: {words}", None
