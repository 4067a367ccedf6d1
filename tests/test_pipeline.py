"""The whole pipeline with a model-free encoder: report shape, schema, determinism, modes."""

from __future__ import annotations

import jsonschema
import pytest

import mtaudit
from mtaudit.encoders import HashingEncoder
from mtaudit.errors import InputError

SRC = (
    "Weather warning for the coast\n\n"
    "Heavy rain is expected on Monday in the north of the country. "
    "The authorities have closed three schools. "
    "Residents should avoid the river banks.\n\n"
    "The storm is expected to move east on Tuesday.\n"
)


def _audit(src: str, tgt: str, **kw):
    kw.setdefault("encoder", HashingEncoder())
    kw.setdefault("fluency", False)
    kw.setdefault("src_lang", "en")
    kw.setdefault("tgt_lang", "en")
    return mtaudit.audit(src, tgt, **kw)


def test_report_shape_and_offsets(report_schema):
    tgt = SRC.replace("three schools", "three schools and a hospital")
    rep = _audit(SRC, tgt, mode="translation")
    jsonschema.validate(rep.to_dict(), report_schema)
    for side in (rep.source, rep.target):
        for s in side.sentences:
            assert side.text[s.start : s.end] == s.text
    # near-identical documents: every content sentence is linked 1-1, in order
    assert [(lk.source, lk.target) for lk in rep.links] == [([i], [i]) for i in range(5)]
    assert rep.summary["coverage"] == 1.0
    assert rep.signature.encoder.startswith("hashing")
    assert rep.signature.skipped.get("fluency") == "disabled"


def test_deterministic_json():
    tgt = SRC.replace("Monday", "Sunday")
    a = _audit(SRC, tgt).to_json(timing=False)
    b = _audit(SRC, tgt).to_json(timing=False)
    assert a == b


def test_auto_mode_is_reported():
    rep = _audit(SRC, SRC)
    assert rep.mode in ("translation", "comparable")
    assert "mode_evidence" in rep.summary


def test_furniture_is_not_content():
    src = "close\n" + SRC + "This story has been updated with additional details.\n"
    rep = _audit(src, SRC, mode="translation")
    furn = [f for f in rep.findings if f.code == "furniture"]
    assert {rep.source.sentences[f.sentence].text for f in furn} == {
        "close",
        "This story has been updated with additional details.",
    }
    linked = {i for lk in rep.links for i in lk.source}
    assert all(not rep.source.sentences[i].furniture for i in linked)


def test_pairs(report_schema):
    rep = mtaudit.audit_pairs(
        [("Good morning.", "Good morning!"), ("See you.", "")],
        src_lang="en",
        tgt_lang="en",
        encoder=HashingEncoder(),
        fluency=False,
    )
    jsonschema.validate(rep.to_dict(), report_schema)
    assert rep.mode == "pairs"
    assert [(lk.source, lk.target) for lk in rep.links] == [([0], [0]), ([1], [1])]


def test_bad_arguments():
    with pytest.raises(InputError, match="mode"):
        _audit(SRC, SRC, mode="sideways")
    with pytest.raises(InputError, match="empty"):
        _audit(SRC, "   \n")
    with pytest.raises(InputError, match="limit"):
        _audit(SRC, SRC, max_sentences=2)


def test_progress_messages():
    seen: list[str] = []
    _audit(SRC, SRC, mode="translation", progress=seen.append)
    assert seen[0] == "segmenting"
    assert any(m.startswith("aligning") for m in seen)
    assert "running checks" in seen
