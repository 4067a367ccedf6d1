"""The document summary's verdict line."""

from __future__ import annotations

from mtaudit.report import Finding, Link, Sentence, Side
from mtaudit.summary import summarise


def _side(n: int) -> Side:
    sents, pos = [], 0
    for i in range(n):
        text = f"Sentence number {i} is here."
        sents.append(Sentence(i, text, pos, pos + len(text)))
        pos += len(text) + 1
    return Side("en", sents, text=" ".join(s.text for s in sents))


def _finding(side: str, sentence: int, code: str, severity: str) -> Finding:
    return Finding(code, severity, side, sentence, (0, 4), "m", {})


def _verdict(findings: list[Finding]) -> str:
    links = [Link(source=[i], target=[i], similarity=0.9, confidence=1.0) for i in range(3)]
    return summarise("translation", _side(3), _side(3), links, findings)["verdict"]


def test_clean_report_has_no_major_problems() -> None:
    assert _verdict([_finding("target", 0, "fluency", "minor")]).startswith(
        "No major problems found: 100% of the source content"
    )


def test_a_garbled_source_sentence_is_a_problem() -> None:
    """A major finding anywhere (here: a garbled sentence in the source) is not 'no problems',
    and it is counted once."""
    v = _verdict([_finding("source", 1, "garbled", "major")])
    assert v.startswith("Problems found: 1 garbled sentence(s);")
    assert "other major" not in v


def test_target_sentences_and_other_major_findings_are_counted() -> None:
    v = _verdict([_finding("target", 2, "omission", "major")])
    assert v.startswith("Problems found: 1 of 3 target sentences with major or critical problems")
    v = _verdict(
        [_finding("source", 0, "omission", "major"), _finding("source", 1, "garbled", "major")]
    )
    assert "1 garbled sentence(s)" in v and "1 other major finding(s)" in v
