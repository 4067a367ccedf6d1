"""The command line: exit codes, one-line errors, no partial output files."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mtaudit.cli import main

SRC = "The council met on Monday.\nIt approved the budget.\n"
TGT = "Der Rat tagte am Montag.\nEr billigte den Haushalt.\n"


@pytest.fixture()
def docs(tmp_path):
    s, t = tmp_path / "src.txt", tmp_path / "tgt.txt"
    s.write_text(SRC, encoding="utf-8")
    t.write_text(TGT, encoding="utf-8")
    return s, t


def _run(capsys, *argv):
    code = main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return code, out, err


def test_audit_json_to_file(docs, tmp_path, capsys):
    s, t = docs
    out = tmp_path / "r.json"
    code, _, err = _run(
        capsys,
        "audit",
        s,
        t,
        "--src-lang",
        "en",
        "--tgt-lang",
        "de",
        "--encoder",
        "hashing",
        "--no-fluency",
        "--mode",
        "translation",
        "-o",
        out,
    )
    assert code == 0, err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["mode"] == "translation"
    assert data["source"]["lang"] == "en" and data["target"]["lang"] == "de"
    assert len(data["source"]["sentences"]) == 2
    assert err.strip()  # the verdict line


def test_audit_markdown_stdout(docs, capsys):
    s, t = docs
    code, out, _ = _run(
        capsys,
        "audit",
        s,
        t,
        "--src-lang",
        "en",
        "--tgt-lang",
        "de",
        "--encoder",
        "hashing",
        "--no-fluency",
        "--format",
        "markdown",
    )
    assert code == 0
    assert out.startswith("# mtaudit report")


def test_pairs_mode(tmp_path, capsys):
    p = tmp_path / "p.tsv"
    p.write_text("Hello.\tHallo.\nThank you.\tDanke.\n", encoding="utf-8")
    code, out, _ = _run(
        capsys,
        "audit",
        "--pairs",
        p,
        "--src-lang",
        "en",
        "--tgt-lang",
        "de",
        "--encoder",
        "hashing",
        "--no-fluency",
    )
    assert code == 0
    data = json.loads(out)
    assert [(lk["source"], lk["target"]) for lk in data["links"]] == [([0], [0]), ([1], [1])]
    assert data["source"]["sentences"][1]["line"] == 2


def test_align_vecalign_format(docs, capsys):
    s, t = docs
    code, out, _ = _run(
        capsys,
        "align",
        s,
        t,
        "--src-lang",
        "en",
        "--tgt-lang",
        "de",
        "--encoder",
        "hashing",
        "--presplit",
    )
    assert code == 0
    lines = out.strip().splitlines()
    assert lines and all(line.startswith("[") and line.count(":") == 2 for line in lines)


@pytest.mark.parametrize(
    "content, expect",
    [
        (b"", "empty"),
        (b"\x00\x01\x02\x03binary", "binary"),
        (b"\xff\xfe\xfa invalid", "--encoding"),
    ],
)
def test_bad_input_exits_2_without_output(docs, tmp_path, capsys, content, expect):
    s, _ = docs
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    out = tmp_path / "out.json"
    code, stdout, err = _run(capsys, "audit", s, bad, "--encoder", "hashing", "-o", out)
    assert code == 2
    assert expect in err and str(bad) in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert not out.exists() and stdout == ""
    assert list(tmp_path.glob(".out.json.*")) == []


def test_usage_errors(docs, tmp_path, capsys):
    s, t = docs
    code, _, err = _run(capsys, "audit", s, tmp_path / "missing.txt")
    assert code == 2 and "no such file" in err
    code, _, err = _run(capsys, "audit", s, t, "--format", "yaml")
    assert code == 2 and "--format" in err and len(err.strip().splitlines()) == 1
    pairs = tmp_path / "p.tsv"
    pairs.write_text("no tab on this line\n", encoding="utf-8")
    code, _, err = _run(capsys, "audit", "--pairs", pairs)
    assert code == 2 and f"{pairs}:1" in err
    code, _, err = _run(capsys, "audit", s, t, "--mode", "sideways")
    assert code == 2 and len(err.strip().splitlines()) == 1
    code, _, err = _run(capsys, "audit", s, t, "--disable", "no_such_check", "--encoder", "hashing")
    assert code == 2 and "no_such_check" in err


def test_python_dash_m():
    r = subprocess.run(
        [sys.executable, "-m", "mtaudit", "--version"], capture_output=True, text=True, check=False
    )
    assert r.returncode == 0 and r.stdout.startswith("mtaudit ")


def test_gate_exit_codes(docs, tmp_path, capsys):
    s, t = docs
    common = [
        "audit",
        s,
        t,
        "--src-lang",
        "en",
        "--tgt-lang",
        "de",
        "--encoder",
        "hashing",
        "--no-fluency",
        "--mode",
        "comparable",
    ]
    strict = tmp_path / "strict.toml"
    strict.write_text('fail_on = "minor"\nmax_omitted_share = 0.0\n', encoding="utf-8")
    out = tmp_path / "r.xml"
    # A hashing encoder cannot see that English and German sentences correspond, so nothing is
    # linked: all source content counts as omitted and the strict gate fails.
    code, _, err = _run(capsys, *common, "--policy", strict, "--format", "junit", "-o", out)
    assert code == 1, err
    assert out.exists()  # the report is written before the failing exit code
    assert "Gate failed" in err
    lenient = tmp_path / "lenient.toml"
    lenient.write_text('fail_on = "none"\n', encoding="utf-8")
    code, _, err = _run(capsys, *common, "--policy", lenient)
    assert code == 0, err
    bad = tmp_path / "bad.toml"
    bad.write_text('fail_on = "major"\nmin_qualty = 3\n', encoding="utf-8")
    code, _, err = _run(capsys, *common, "--policy", bad)
    assert code == 2 and "min_qualty" in err and ":2" in err
    assert len(err.strip().splitlines()) == 1


def test_reference_scores(tmp_path, capsys):
    s, t, r = tmp_path / "s.txt", tmp_path / "t.txt", tmp_path / "r.txt"
    s.write_text("The council met on Monday.\nIt approved the budget.\n", encoding="utf-8")
    t.write_text("The council met on Monday.\nIt approved a budget.\n", encoding="utf-8")
    r.write_text("The council met on Monday.\nIt approved the budget.\n", encoding="utf-8")
    common = [
        "audit",
        s,
        t,
        "--presplit",
        "--src-lang",
        "en",
        "--tgt-lang",
        "en",
        "--encoder",
        "hashing",
        "--no-fluency",
        "--mode",
        "translation",
    ]
    code, out, err = _run(capsys, *common, "--reference", r)
    assert code == 0, err
    data = json.loads(out)
    assert data["links"][0]["scores"]["bleu"] == 100.0
    assert data["links"][1]["scores"]["chrf"] < 100.0
    assert "bleu" in data["summary"]["reference_scores"]["corpus"]
    assert any(k.startswith("sacrebleu.") for k in data["signature"]["components"])
    r.write_text("Only one line.\n", encoding="utf-8")
    code, out, err = _run(capsys, *common, "--reference", r)
    assert code == 2 and "1 segments" in err and out == ""


def test_comet_model_errors(docs, tmp_path, capsys):
    s, t = docs
    code, _, err = _run(capsys, "audit", s, t, "--comet-model", tmp_path / "nope")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_batch_subcommand_usage(tmp_path, capsys):
    code, _, err = _run(capsys, "batch", tmp_path, tmp_path)  # no --out-dir
    assert code == 2 and "--out-dir" in err
    code, out, _ = _run(capsys, "batch", "--help")
    assert code == 0 and "--manifest" in out and "--jobs" in out and "--allow-outside" in out
