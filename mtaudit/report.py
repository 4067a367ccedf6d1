"""The audit report: plain dataclasses with ``to_dict()`` / ``to_json()``.

The JSON form is described by ``docs/report.schema.json`` and versioned by :data:`SCHEMA_VERSION`.
Offsets (``start``, ``end``, ``span``) are Python string indices (code points) into the original
document text of their side, so ``text[start:end]`` is always the sentence or the span.

Everything in a report is deterministic for the same input and settings, except ``timing``, which
holds wall-clock figures and is kept in its own field so it can be dropped before comparing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = [
    "SCHEMA_VERSION",
    "SEVERITIES",
    "Sentence",
    "Side",
    "Link",
    "Finding",
    "Signature",
    "Report",
]

SCHEMA_VERSION = "1.1"

Severity = Literal["minor", "major", "critical"]
SideName = Literal["source", "target"]
#: Severities from least to most serious.
SEVERITIES: tuple[str, ...] = ("minor", "major", "critical")


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


@dataclass
class Sentence:
    """One sentence (or pre-aligned segment) of a document side."""

    index: int
    text: str
    start: int
    end: int
    furniture: bool = False
    #: 0–100, higher is more fluent; ``None`` when no fluency scorer ran.
    fluency: float | None = None
    #: 1-based line of the input file the sentence starts on.
    line: int | None = None
    #: The localisation unit (PO entry, trans-unit, tu, resource name) the segment is; only in
    #: the JSON when set (l10n input, issue 21).
    unit: str | None = None
    #: Target sentences: word-level error tags, ``[{"start", "end", "p_bad"}]`` (offsets into the
    #: side's text); ``None`` (left out of the JSON) when the sentence was not tagged.
    tokens: list[dict[str, Any]] | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["fluency"] = _round(self.fluency, 2)
        if self.unit is None:
            del d["unit"]
        if self.tokens is None:
            del d["tokens"]
        return d


@dataclass
class Side:
    """One document of the pair: its language, sentences and (optionally) where it came from."""

    lang: str | None
    sentences: list[Sentence]
    path: str | None = None
    #: The full original text the offsets index into (not serialised).
    text: str = field(default="", repr=False)

    @property
    def content(self) -> list[Sentence]:
        """The sentences that are translation content (not page furniture)."""
        return [s for s in self.sentences if not s.furniture]

    def to_dict(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "path": self.path,
            "sentences": [s.to_dict() for s in self.sentences],
        }


@dataclass
class Link:
    """Source sentences ``source`` correspond to target sentences ``target``.

    ``similarity`` is the encoder cosine between the joined sides; ``confidence`` (0–1) is how sure
    the aligner is of this link; ``quality`` (0–100) is filled by the scoring stage.
    """

    source: list[int]
    target: list[int]
    similarity: float
    confidence: float = 1.0
    quality: float | None = None
    scores: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": list(self.source),
            "target": list(self.target),
            "similarity": _round(self.similarity),
            "confidence": _round(self.confidence),
            "quality": _round(self.quality, 2),
            "scores": self.scores,
        }


@dataclass
class Finding:
    """Something wrong (or notable) about one sentence, with the evidence behind it.

    ``span`` is ``[start, end]`` in the side's document text and lies inside the sentence.
    """

    code: str
    severity: Severity
    side: SideName
    sentence: int | None
    span: tuple[int, int] | None
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "side": self.side,
            "sentence": self.sentence,
            "span": list(self.span) if self.span is not None else None,
            "message": self.message,
            "evidence": self.evidence,
        }


@dataclass
class Signature:
    """How a report was made, in the spirit of sacrebleu's signatures."""

    version: str
    mode: str
    encoder: str
    settings: dict[str, Any] = field(default_factory=dict)
    components: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def format(self) -> str:
        """A compact one-line form, e.g. ``mtaudit:0.1.0|mode:comparable|enc:use-…``."""
        parts = [f"mtaudit:{self.version}", f"mode:{self.mode}", f"enc:{self.encoder}"]
        parts += [
            f"{k}:{v}"
            for k, v in sorted(self.settings.items())
            if isinstance(v, (str, int, float, bool)) and v != ""
        ]
        return "|".join(parts)


@dataclass
class Report:
    """The result of an audit."""

    mode: str
    source: Side
    target: Side
    links: list[Link]
    findings: list[Finding]
    summary: dict[str, Any]
    signature: Signature
    timing: dict[str, float] = field(default_factory=dict)
    schema_version: str = SCHEMA_VERSION

    def side(self, name: SideName) -> Side:
        """The :class:`Side` called ``name`` (``"source"`` or ``"target"``)."""
        return self.source if name == "source" else self.target

    def findings_for(self, side: SideName, sentence: int) -> list[Finding]:
        """Findings attached to sentence ``sentence`` of ``side``."""
        return [f for f in self.findings if f.side == side and f.sentence == sentence]

    def to_dict(self, *, timing: bool = True) -> dict[str, Any]:
        """A JSON-ready dict; ``timing=False`` drops the wall-clock field (for byte comparisons)."""
        d: dict[str, Any] = {
            "schema_version": self.schema_version,
            "mode": self.mode,
            "signature": self.signature.to_dict(),
            "summary": self.summary,
            "source": self.source.to_dict(),
            "target": self.target.to_dict(),
            "links": [link.to_dict() for link in self.links],
            "findings": [f.to_dict() for f in self.findings],
        }
        if timing:
            d["timing"] = {k: round(v, 3) for k, v in self.timing.items()}
        return d

    def to_json(self, *, indent: int | None = 2, timing: bool = True) -> str:
        """The report as JSON text (keys in a stable order, non-ASCII kept as is).

        The same text as ``json.dumps(self.to_dict(timing=timing), ensure_ascii=False,
        indent=indent)``, built one sentence, link and finding at a time (see
        :meth:`iter_json`) so a long document never holds its whole report as a dict too.
        """
        if indent is None:
            return json.dumps(self.to_dict(timing=timing), ensure_ascii=False, indent=indent)
        return "".join(self.iter_json(indent=indent, timing=timing))

    def iter_json(self, *, indent: int = 2, timing: bool = True) -> Iterator[str]:
        """:meth:`to_json`'s text in pieces (for writing a long report to a file as it is made).

        Memory: one sentence, link or finding as a dict at a time, never the whole report."""

        def side(s: Side) -> dict[str, Any]:
            return {
                "lang": s.lang,
                "path": s.path,
                "sentences": _Rows(s.sentences),
            }

        d: dict[str, Any] = {
            "schema_version": self.schema_version,
            "mode": self.mode,
            "signature": self.signature.to_dict(),
            "summary": self.summary,
            "source": side(self.source),
            "target": side(self.target),
            "links": _Rows(self.links),
            "findings": _Rows(self.findings),
        }
        if timing:
            d["timing"] = {k: round(v, 3) for k, v in self.timing.items()}
        return _json_pieces(d, indent, 0)


class _Rows:
    """A list of report objects serialised lazily, one ``to_dict()`` at a time."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items


def _json_pieces(value: Any, indent: int, level: int) -> Iterator[str]:
    """``json.dumps(value, ensure_ascii=False, indent=indent)`` at nesting ``level``, in pieces.

    The report's own containers (the top-level dict, each side and the :class:`_Rows` lists)
    are written here with the separators and line breaks ``json`` uses; every other value is
    dumped whole by ``json`` and its line breaks indented to ``level`` (JSON strings escape
    their own newlines, so every line break in a dump is structural)."""
    pad = "\n" + " " * (indent * (level + 1))
    if isinstance(value, _Rows):
        if not value.items:
            yield "[]"
            return
        yield "["
        for k, item in enumerate(value.items):
            yield ("," if k else "") + pad
            yield _dump(item.to_dict(), indent, level + 1)
        yield "\n" + " " * (indent * level) + "]"
    elif _lazy(value):
        yield "{"
        for k, (key, item) in enumerate(value.items()):
            yield ("," if k else "") + pad + json.dumps(key, ensure_ascii=False) + ": "
            yield from _json_pieces(item, indent, level + 1)
        yield "\n" + " " * (indent * level) + "}"
    else:
        yield _dump(value, indent, level)


def _lazy(value: Any) -> bool:
    """A dict holding :class:`_Rows` somewhere inside (written piece by piece)."""
    return isinstance(value, dict) and any(isinstance(v, _Rows) or _lazy(v) for v in value.values())


def _dump(value: Any, indent: int, level: int) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return text.replace("\n", "\n" + " " * (indent * level)) if level else text
