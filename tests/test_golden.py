"""Golden outputs: batch and corpus runs whose every file must stay byte for byte the same.

``tests/data/golden/expected`` was written by mtaudit before the settings/runner refactor (issue
17) from the inputs in ``tests/data/golden/inputs``: a batch over two folders (the seed pair, a
short English–German pair, a file with no counterpart) in every report format with a gate
policy, and a local corpus run over a TSV and a JSONL pairs file with a malformed line. Both run
the ``fast`` profile (no language model, whose native build differs between machines), so the
files are machine-independent. A change that alters them on purpose must regenerate them and say
why in a commit of its own.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mtaudit.cli import main

GOLDEN = Path(__file__).resolve().parent / "data" / "golden"


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "work"
    shutil.copytree(GOLDEN / "inputs", work)
    monkeypatch.chdir(work)
    return work


def _same_tree(got: Path, expected: Path) -> None:
    want = sorted(p.relative_to(expected) for p in expected.rglob("*") if p.is_file())
    have = sorted(
        p.relative_to(got)
        for p in got.rglob("*")
        if p.is_file() and p.name not in ("timing.json", ".mtaudit-out")
    )
    assert have == want
    for rel in want:
        assert (got / rel).read_bytes() == (expected / rel).read_bytes(), rel


def test_batch_files_are_unchanged(inputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = inputs / "out"
    code = main(
        ["batch", "src", "tgt", "--out-dir", str(out), "--format",
         "json,markdown,html,junit,sarif,github", "--policy", "policy.toml", "--profile", "fast"]
    )  # fmt: skip
    assert code == 1  # the seed pair fails the gate, and one file has no counterpart
    _same_tree(out, GOLDEN / "expected" / "batch")


def test_corpus_files_are_unchanged(inputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = inputs / "out"
    code = main(
        ["corpus", "--pairs", "pairs.tsv", "pairs2.jsonl", "--out-dir", str(out), "--engine",
         "local", "--shard-size", "50", "--src-lang", "en", "--tgt-lang", "de", "--profile",
         "fast"]
    )  # fmt: skip
    assert code == 1  # the malformed JSON line is an error unit
    _same_tree(out, GOLDEN / "expected" / "corpus")
