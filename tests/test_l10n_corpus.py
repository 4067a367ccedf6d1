"""``mtaudit corpus`` over localisation files (issue 21): a bilingual PO/XLIFF/TMX/TS file is one
unit of work read through :mod:`mtaudit.l10n`, so its record holds the report ``mtaudit audit
FILE`` gives (sentences with the unit id and the line); a malformed file is one error record."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("translate.storage.pypo", reason="the l10n extra: pip install 'mtaudit[l10n]'")

from mtaudit.cli import main  # noqa: E402
from mtaudit.corpus import pair_files  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "l10n"
FAST = ["--encoder", "hashing", "--no-fluency"]


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _tree(root: Path) -> Path:
    d = root / "locale"
    (d / "de").mkdir(parents=True)
    shutil.copy(DATA / "app.de.po", d / "de" / "app.po")
    shutil.copy(DATA / "app.de.xlf", d / "de" / "app.xlf")
    shutil.copy(DATA / "malformed.po", d / "bad.po")
    (d / "notes.txt").write_text("not an input\n", encoding="utf-8")
    return d


def _records(out: Path) -> list[dict]:
    return [json.loads(x) for x in (out / "reports.jsonl").read_text("utf-8").splitlines()]


def test_folder_search_finds_l10n_files_unless_off(tmp_path):
    d = _tree(tmp_path)
    found = [Path(p).relative_to(d).as_posix() for p in pair_files([d])]
    assert found == ["bad.po", "de/app.po", "de/app.xlf"]
    with pytest.raises(Exception, match="no pairs files"):
        pair_files([d], l10n="off")


def test_local_corpus_reports_unit_and_line_like_audit(capsys, tmp_path):
    d = _tree(tmp_path)
    out = tmp_path / "out"
    code, _, err = _run(capsys, "corpus", "--pairs", d, "--out-dir", out, "--engine", "local",
                        "--shard-size", "2", *FAST)  # fmt: skip
    assert code == 1  # the malformed file failed to run
    bad, po, xlf = (str(d / n) for n in ("bad.po", "de/app.po", "de/app.xlf"))
    records = _records(out)
    assert [r["id"] for r in records] == [bad, po, xlf]  # one unit per file, never cut
    assert records[0]["status"] == "error" and records[0]["report"] is None
    assert records[0]["error"].startswith(f"{bad}:2: not a valid po file")
    assert f"{bad}:2: not a valid po file" in err
    # every audited sentence carries its unit id and file line; the finding points at the entry
    rep = records[1]["report"]
    sents = rep["target"]["sentences"]
    assert all(s.get("unit") and s.get("line") for s in sents)
    assert rep["summary"]["l10n"]["format"] == "po"
    (printf,) = [f for f in rep["findings"] if f["code"] == "printf_mismatch"]
    lines = (d / "de" / "app.po").read_text("utf-8").splitlines()
    hit = sents[printf["sentence"]]
    assert lines[hit["line"] - 1].startswith("msgstr")
    assert [s["unit"] for s in records[2]["report"]["target"]["sentences"]] == [
        "greet",
        "help",
    ]
    # the record's report is the one `mtaudit audit FILE` prints (without its timing)
    code, text, _ = _run(capsys, "audit", po, *FAST, "--format", "json")
    single = json.loads(text)
    single["timing"] = {}
    assert json.dumps(rep, sort_keys=True) == json.dumps(single, sort_keys=True)


def test_l10n_off_reads_a_po_file_as_pairs_lines(capsys, tmp_path):
    po = tmp_path / "app.po"
    shutil.copy(DATA / "app.de.po", po)
    out = tmp_path / "out"
    _run(capsys, "corpus", "--pairs", po, "--out-dir", out, "--engine", "local", "--l10n", "off",
         *FAST)  # fmt: skip
    records = _records(out)
    assert len(records) > 1  # read line by line as a TSV pairs file, not as one catalogue
    assert all(r["id"].startswith(f"{po}:") for r in records)


@pytest.mark.slow
def test_ray_corpus_of_l10n_files_matches_in_process(capsys, tmp_path):
    import os

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    pytest.importorskip("ray")
    d = _tree(tmp_path)
    common = ["corpus", "--pairs", d, *FAST]
    code_l, _, _ = _run(capsys, *common, "--engine", "local", "--out-dir", tmp_path / "local")
    code_r, _, err = _run(capsys, *common, "--num-cpus", "2", "--actors", "1",
                          "--out-dir", tmp_path / "ray")  # fmt: skip
    assert code_l == code_r == 1, err
    for name in ("reports.jsonl", "index.json", "index.md"):
        assert (tmp_path / "local" / name).read_bytes() == (tmp_path / "ray" / name).read_bytes()
