"""benchmarks/run.py keeps the hand-written parts of docs/benchmarks.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import run as bench_run


@pytest.fixture()
def doc_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    results = tmp_path / "results"
    results.mkdir()
    monkeypatch.setattr(bench_run, "RESULTS", results)
    monkeypatch.setattr(bench_run, "DOC", tmp_path / "benchmarks.md")
    return tmp_path


def test_result_goes_between_markers_and_nothing_else_changes(doc_dir: Path) -> None:
    (doc_dir / "results" / "x.md").write_text("## X\n\nnew figure 2\n", encoding="utf-8")
    begin, end = bench_run.markers("x")
    doc = f"# Benchmarks\n\nhand-written A\n\n{begin}\n## X\n\nold figure 1\n{end}\n\nhand-written B\n"
    (doc_dir / "benchmarks.md").write_text(doc, encoding="utf-8")
    bench_run.assemble(["x"])
    out = (doc_dir / "benchmarks.md").read_text(encoding="utf-8")
    assert "new figure 2" in out and "old figure 1" not in out
    assert (
        out.index("hand-written A")
        < out.index(begin)
        < out.index(end)
        < out.index("hand-written B")
    )
    assert out.count(begin) == 1
    bench_run.assemble(["x"])  # idempotent
    assert (doc_dir / "benchmarks.md").read_text(encoding="utf-8") == out


def test_result_without_markers_is_appended(doc_dir: Path, capsys: pytest.CaptureFixture) -> None:
    (doc_dir / "results" / "y.md").write_text("## Y\n\nfigure\n", encoding="utf-8")
    (doc_dir / "benchmarks.md").write_text("# Benchmarks\n\nhand-written\n", encoding="utf-8")
    bench_run.assemble(["y"])
    out = (doc_dir / "benchmarks.md").read_text(encoding="utf-8")
    assert out.startswith("# Benchmarks\n\nhand-written\n\n<!-- BEGIN benchmarks.run: y -->")
    assert out.rstrip().endswith("<!-- END benchmarks.run: y -->")
    assert "appended" in capsys.readouterr().err


def test_only_modules_with_run_are_listed() -> None:
    names = bench_run.available()
    assert "textberg" in names
    assert "align_center" not in names and "deep" not in names  # standalone experiments
