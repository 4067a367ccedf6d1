"""Huge single documents: the memory-bounding code paths, exercised at small scale.

A 100,000-sentence document pair is audited in ``docs/scale.md`` (measured there); these tests
check the pieces that keep its memory linear and free of duplicate copies, on inputs that take
seconds:

* the report's JSON is written one sentence, link and finding at a time, with exactly the bytes
  ``json.dumps(report.to_dict(), indent=2)`` gives;
* the encoder cache (every sentence and joined group the aligner embedded) is released before
  the checks run, and a side without page furniture is not copied into a second matrix;
* a document long enough for the banded aligner (coarse-to-fine path, band around it) goes
  through the whole pipeline.
"""

from __future__ import annotations

import gc
import json
import weakref

import numpy as np

import mtaudit.pipeline as pipeline
from mtaudit.encoders import CachingEncoder, HashingEncoder
from mtaudit.load import Document
from mtaudit.pipeline import audit

SRC = (
    "Der Bericht {i} beschreibt die Lage im Tal.\n"
    "Im Jahr {y} kamen {k} Besucher in das Museum {i}.\n"
    "Die Gemeinde plant eine neue Brücke über den Fluss.\n"
)
TGT = (
    "Le rapport {i} décrit la situation dans la vallée.\n"
    "En {y}, {k} visiteurs sont venus au musée {i}.\n"
    "La commune prévoit un nouveau pont sur la rivière.\n"
)


def _pair(blocks: int) -> tuple[str, str]:
    """``3 * blocks`` sentences a side, one a line, no two lines alike (numbers differ)."""
    src = "".join(
        SRC.format(i=i, y=1900 + i, k=10 * i + 7).replace("Brücke", f"Brücke {i}")
        for i in range(blocks)
    )
    tgt = "".join(
        TGT.format(i=i, y=1900 + i, k=10 * i + 7).replace("pont", f"pont {i}")
        for i in range(blocks)
    )
    return src, tgt


def _audit(src: str, tgt: str, **kw):  # type: ignore[no-untyped-def]
    return audit(
        Document(text=src, presplit=True),
        Document(text=tgt, presplit=True),
        src_lang="de",
        tgt_lang="fr",
        mode="translation",
        profile="fast",
        encoder=HashingEncoder(),
        **kw,
    )


def test_json_written_in_pieces_is_byte_identical():
    src, tgt = _pair(20)
    tgt = tgt.replace("En 1905, 57 visiteurs", "En 1905, 99 visiteurs")  # a number mismatch
    report = _audit(src, tgt)
    assert report.findings and report.links
    for indent in (2, 0, 4, None):
        for timing in (True, False):
            ref = json.dumps(report.to_dict(timing=timing), ensure_ascii=False, indent=indent)
            assert report.to_json(indent=indent, timing=timing) == ref
    pieces = list(report.iter_json())
    assert len(pieces) > len(report.source.sentences)  # one piece per sentence at least
    assert "".join(pieces) == report.to_json()
    # empty lists and an empty summary keep json's own form ("[]", "{}")
    report.links, report.findings, report.summary = [], [], {}
    assert report.to_json() == json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


def test_encoder_cache_released_before_checks(monkeypatch):
    caches: list[weakref.ref] = []
    seen: dict[str, object] = {}

    class Tracked(CachingEncoder):
        def __init__(self, inner):  # type: ignore[no-untyped-def]
            super().__init__(inner)
            caches.append(weakref.ref(self))

    real_run_checks = pipeline.run_checks

    def run_checks(ctx, checks, **kwargs):  # type: ignore[no-untyped-def]
        gc.collect()
        seen["cache_alive"] = any(ref() is not None for ref in caches)
        seen["src_emb"] = ctx.src_emb
        return real_run_checks(ctx, checks, **kwargs)

    monkeypatch.setattr(pipeline, "CachingEncoder", Tracked)
    monkeypatch.setattr(pipeline, "run_checks", run_checks)
    src, tgt = _pair(10)
    report = _audit(src, tgt)
    assert caches and seen["cache_alive"] is False
    emb = seen["src_emb"]
    assert isinstance(emb, np.ndarray) and emb.shape[0] == len(report.source.sentences)


def test_full_matrix_copies_only_with_furniture():
    emb = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert pipeline._full_matrix(3, [0, 1, 2], emb) is emb
    full = pipeline._full_matrix(4, [0, 1, 3], emb)
    assert full.shape == (4, 4) and not full[2].any()
    assert np.array_equal(full[[0, 1, 3]], emb)


def test_banded_long_document_completes():
    # 3 x 240 = 720 sentences a side: (n + 1)(m + 1) is past the aligner's full-lattice limit
    # (400,000 cells), so the coarse-to-fine band is what aligns it.
    src, tgt = _pair(240)
    report = _audit(src, tgt)
    n = len(report.source.sentences)
    assert n == len(report.target.sentences) == 720
    assert (n + 1) ** 2 > 400_000
    linked = sum(1 for lk in report.links if lk.source and lk.target)
    assert linked >= 0.9 * len(report.links)
    assert json.loads(report.to_json())["summary"]["links"] == len(report.links)
