"""End to end on the two seed articles with the real bundled encoder.

The seeds are an example of the problem class, not something the code knows: these tests only
check that the generic pipeline does the right thing on them.
"""

from __future__ import annotations

import jsonschema
import pytest

import mtaudit
from mtaudit.load import read_document


@pytest.fixture(scope="module")
def seed_report(seed_paths):
    src, tgt = seed_paths
    return mtaudit.audit(read_document(src), read_document(tgt), fluency=False)


def _find(side, fragment):
    hits = [s for s in side.sentences if fragment in s.text]
    assert hits, fragment
    return hits[0]


def test_languages_and_mode(seed_report):
    assert seed_report.source.lang == "en" and seed_report.target.lang == "en"
    assert seed_report.mode == "comparable"


def test_restated_quote_is_linked(seed_report):
    s = _find(seed_report.source, "If the story is true that there were multiple")
    t = _find(seed_report.target, "If the story is true that there have been multiple")
    assert any(s.index in lk.source and t.index in lk.target for lk in seed_report.links)


def test_sentence_without_counterpart_is_unlinked(seed_report):
    t = _find(seed_report.target, "Are Musk and Putin in contact?")
    assert all(t.index not in lk.target for lk in seed_report.links)


@pytest.mark.parametrize(
    "side, fragment",
    [
        ("source", "close"),
        ("source", "CNN"),
        ("source", "This story has been updated"),
        ("source", "contributed to this report"),
        ("target", "ua en ru"),
        ("target", "Photo: Bill Nelson ("),
    ],
)
def test_page_furniture_is_flagged(seed_report, side, fragment):
    sd = seed_report.side(side)
    sent = next(s for s in sd.sentences if fragment in s.text and len(s.text) < 120)
    assert sent.furniture
    assert any(
        f.code == "furniture" and f.side == side and f.sentence == sent.index
        for f in seed_report.findings
    )


def test_clean_article_sentences_are_content(seed_report):
    t = _find(seed_report.target, "He believes an investigation is necessary.")
    assert not t.furniture


def test_schema(seed_report, report_schema):
    jsonschema.validate(seed_report.to_dict(), report_schema)
