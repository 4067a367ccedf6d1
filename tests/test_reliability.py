"""The fourteen ways a careless or hostile user could hang, exhaust or mislead mtaudit (issue 18),
each as a test of the behaviour ``docs/reliability.md`` promises."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mtaudit.cli import main
from mtaudit.errors import error_line, first_line, one_line
from mtaudit.files import OUT_MARKER, check_output_path, write_atomic
from mtaudit.load import read_bytes
from mtaudit.text.copy import copied_runs, copy_similarity

FAST = ("--profile", "fast", "--encoder", "hashing", "--no-fluency")
ROOT = Path(__file__).resolve().parent.parent


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _pairs(path: Path, src: str, tgt: str) -> Path:
    path.write_text(json.dumps({"source": src, "target": tgt}) + "\n", encoding="utf-8")
    return path


def _one_error_line(err: str) -> None:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("mtaudit: error: "), err
    assert "Traceback" not in err


# 1. long repetitive segments are linear-time ----------------------------------------------


def test_copy_similarity_of_long_repetitive_text_is_bounded() -> None:
    t0 = time.process_time()
    sim, _ = copy_similarity("word " * 5000, "Wort " * 5000)
    runs = copied_runs("the word " * 5000, "the word " * 5000, 3)
    assert 0.0 <= sim <= 1.0 and runs  # a long copy is still found
    assert time.process_time() - t0 < 20  # generous: difflib took minutes here


def test_long_repetitive_pair_audits(tmp_path: Path, capsys) -> None:
    f = _pairs(tmp_path / "p.jsonl", "word " * 2000, "Wort " * 2000)
    code, out, err = _run(capsys, "audit", "--pairs", f, *FAST, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["summary"]["verdict"]


def test_many_capitalised_words_audit(tmp_path: Path, capsys) -> None:
    words = [f"Name{chr(97 + k % 26)}{chr(97 + k // 26 % 26)}x" for k in range(3000)]
    f = _pairs(tmp_path / "p.jsonl", " ".join(words), " ".join(reversed(words)))
    code, _, err = _run(capsys, "audit", "--pairs", f, *FAST, "--format", "json")
    assert code == 0, err


def test_one_huge_word_audits(tmp_path: Path, capsys) -> None:
    f = _pairs(tmp_path / "p.jsonl", "a" * 200_000 + "@", "b" * 200_000)
    code, _, err = _run(capsys, "audit", "--pairs", f, *FAST, "--format", "json")
    assert code == 0, err


def test_thousands_of_numbers_match_in_near_linear_time() -> None:
    from mtaudit.text.number_matching import compare_numbers
    from mtaudit.text.numbers import extract_numbers

    same = extract_numbers(" ".join(["1,234.5"] * 3000), "en")
    t0 = time.process_time()
    cmp = compare_numbers(same, list(same))
    assert cmp.ok and len(cmp.matched) == len(same)  # every repeat finds its own counterpart
    rng = __import__("random").Random(3)
    src = extract_numbers(" ".join(str(rng.randrange(10**6)) for _ in range(5000)), "en")
    tgt = extract_numbers(" ".join(str(rng.randrange(10**6)) for _ in range(5000)), "en")
    cmp = compare_numbers(src, tgt)
    assert len(cmp.matched) + len(cmp.substituted) + len(cmp.added) == len(tgt)
    assert time.process_time() - t0 < 20  # generous: the all-against-all pairing took ~170 s


def test_a_pair_of_thousands_of_dates_audits(tmp_path: Path, capsys) -> None:
    f = _pairs(
        tmp_path / "p.jsonl",
        "On 12 March 2020 and 5 May 1999 " * 1500,
        "Am 12. März 2020 und 5. Mai 1998 " * 1500,
    )
    code, out, err = _run(capsys, "audit", "--pairs", f, *FAST, "--format", "json")
    assert code == 0, err
    found = [f for f in json.loads(out)["findings"] if f["code"] == "number_mismatch"]
    assert len(found) == 1500  # each 1998 for 1999, and nothing else
    assert {f["evidence"]["source_value"] for f in found} == {1999.0}


# 2. comparable mode works in blocks -----------------------------------------------------------


def test_comparable_mode_memory_is_linear_at_10k_by_10k() -> None:
    import random
    import tracemalloc

    from mtaudit.align.comparable import align_comparable
    from mtaudit.encoders import HashingEncoder

    rng = random.Random(0)
    words = [f"w{k}" for k in range(5000)]
    src = [" ".join(rng.choice(words) for _ in range(rng.randint(6, 20))) for _ in range(10_000)]
    tgt = [s if rng.random() < 0.7 else " ".join(rng.choice(words) for _ in range(12)) for s in src]
    rng.shuffle(tgt)
    enc = HashingEncoder(dim=256)
    se, te = enc.encode(src), enc.encode(tgt)
    tracemalloc.start()
    try:
        links = align_comparable(src, tgt, enc, src_emb=se, tgt_emb=te)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(links) > 5000  # most of the 7,000 shared sentences are found
    # the full float32 similarity matrix alone would be 400 MB (float64: 800 MB)
    assert peak < 300 * 2**20, f"peak {peak / 2**20:.0f} MB"


# 3. every file is read through one capped reader --------------------------------------------


def test_policy_from_dev_zero_is_refused(tmp_path: Path, capsys) -> None:
    src, tgt = tmp_path / "s.txt", tmp_path / "t.txt"
    src.write_text("One sentence here.\n", encoding="utf-8")
    tgt.write_text("Ein Satz hier.\n", encoding="utf-8")
    code, _, err = _run(capsys, "audit", src, tgt, *FAST, "--policy", "/dev/zero")
    assert code == 2
    _one_error_line(err)
    assert "larger than the input limit" in err


def test_read_bytes_never_holds_more_than_the_cap() -> None:
    with pytest.raises(Exception, match="larger than"):
        read_bytes("/dev/zero", max_bytes=1000)


# 4, 5. -o: devices written in place, regular files with the umask's mode --------------------


def test_output_to_dev_null_stays_a_device(tmp_path: Path, capsys) -> None:
    f = _pairs(tmp_path / "p.jsonl", "Hello there.", "Hallo da.")
    code, out, err = _run(capsys, "audit", "--pairs", f, *FAST, "-o", "/dev/null")
    assert code == 0, err and out == ""
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_output_to_a_fifo_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    write_atomic(fifo, "report\n")
    got.append(reader.communicate(timeout=30)[0])
    assert got == [b"report\n"] and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_symlink_output_replaces_its_target(tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o640)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_atomic(link, "new")
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640


def test_new_reports_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "r.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "r.json").st_mode) == 0o644


# 6. policy codes are checked against the registry ----------------------------------------------


@pytest.mark.parametrize(
    "text, hint",
    [
        ('[severity]\nnumber_mismach = "critical"\n', "did you mean 'number_mismatch'"),
        ('ignore = ["nonexistent_code"]\n', "unknown finding code 'nonexistent_code'"),
        ('[severity]\n"garbled.fused" = "minor"\n', "unknown finding code 'garbled.fused'"),
    ],
)
def test_misspelt_policy_codes_are_refused(tmp_path: Path, capsys, text: str, hint: str) -> None:
    pol = tmp_path / "mtaudit.toml"
    pol.write_text(text, encoding="utf-8")
    f = _pairs(tmp_path / "p.jsonl", "Hello there.", "Hallo da.")
    code, _, err = _run(capsys, "audit", "--pairs", f, *FAST, "--policy", pol)
    assert code == 2
    _one_error_line(err)
    assert hint in err and "mtaudit.toml:" in err


def test_declared_sub_kinds_are_accepted(tmp_path: Path) -> None:
    from mtaudit.policy import parse_policy

    p = parse_policy('ignore = ["untranslated.partial", "repetition.loop", "mistranslation"]\n')
    assert "repetition.loop" in p.ignore


# 7, 14. one sanitiser for messages that echo user text -------------------------------------------


def test_one_line_escapes_newlines_controls_and_surrogates() -> None:
    assert one_line("a\n::error title=x::y\r\x1b[31m\u2028\u202e\ud800") == (
        "a\\n::error title=x::y\\r\\x1b[31m\\u2028\\u202e\\ud800"
    )
    exc = ValueError("first\nsecond")
    assert error_line(exc) == "first\\nsecond" and first_line(exc) == "first"


def test_file_name_with_a_workflow_command_stays_on_one_line(tmp_path: Path, capsys) -> None:
    src = tmp_path / "src"
    tgt = tmp_path / "tgt"
    src.mkdir()
    tgt.mkdir()
    evil = "a\n::error title=pwned::x.txt"
    (src / evil).write_text("One sentence here.\n", encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = _run(capsys, "batch", src, tgt, "--out-dir", out, *FAST)
    assert code == 1
    assert not any(ln.lstrip().startswith("::") for ln in err.splitlines()), err
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    (item,) = [it for it in index["items"] if it["status"] == "error"]
    assert "no matching file" in item["error"] and "target folder" in item["error"]


# 8. write errors exit 2, before the audit runs --------------------------------------------------


def test_unwritable_output_exits_2_before_the_audit(tmp_path: Path, capsys) -> None:
    f = _pairs(tmp_path / "p.jsonl", "Hello there.", "Hallo da.")
    code, _, err = _run(capsys, "audit", "--pairs", f, *FAST, "-o", "/proc/mtaudit-report.json")
    assert code == 2
    _one_error_line(err)
    assert "cannot write" in err


def test_check_output_path_probes_the_folder() -> None:
    with pytest.raises(Exception, match="cannot write"):
        check_output_path("/proc/x.json")


def test_a_failed_write_is_one_line_and_leaves_no_temporary(tmp_path: Path, monkeypatch) -> None:
    import errno

    from mtaudit.errors import OutputError

    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fd: int, *a, **k) -> None:
            self.fh = real_fdopen(fd, *a, **k)

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            self.fh.close()

        def fileno(self) -> int:
            return self.fh.fileno()

        def write(self, data: bytes) -> None:
            raise OSError(errno.EFBIG, "File too large")

    monkeypatch.setattr(os, "fdopen", Full)
    with pytest.raises(OutputError, match="cannot write .File too large."):
        write_atomic(tmp_path / "r.json", "{}")
    assert list(tmp_path.iterdir()) == []


# 9, 10. lone surrogates and deep nesting are bad lines, not crashes ------------------------------


def test_lone_surrogate_in_pairs_is_a_bad_line(tmp_path: Path, capsys) -> None:
    f = tmp_path / "p.jsonl"
    f.write_text('{"source": "Hello \\ud800", "target": "Hallo"}\n', encoding="utf-8")
    code, _, err = _run(capsys, "audit", "--pairs", f, *FAST)
    assert code == 2
    _one_error_line(err)
    assert "p.jsonl:1" in err and "surrogate" in err


def test_deeply_nested_json_is_a_bad_line_in_corpus(tmp_path: Path, capsys) -> None:
    f = tmp_path / "p.jsonl"
    nested = '{"source": "x", "target": "y", "extra": ' + "[" * 5000 + "]" * 5000 + "}"
    f.write_text(nested + '\n{"source": "Hello there.", "target": "Hallo da."}\n', "utf-8")
    out = tmp_path / "out"
    code, _, err = _run(
        capsys, "corpus", "--engine", "local", "--pairs", f, "--out-dir", out, *FAST
    )
    assert code == 1, err
    lines = (out / "reports.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and "nested too deeply" in lines[0]


# 11. bad flag values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flag",
    [
        ("--max-input-mb", "nan"),
        ("--max-input-mb", "inf"),
        ("--encoding", "rot13"),
        ("--min-quality", "nan"),
        ("--time-budget", "nan"),
    ],
)
def test_bad_flag_values_exit_2(tmp_path: Path, capsys, flag: tuple[str, str]) -> None:
    f = _pairs(tmp_path / "p.jsonl", "Hello there.", "Hallo da.")
    code, _, err = _run(capsys, "audit", "--pairs", f, *FAST, *flag)
    assert code == 2
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err


# 12. SIGTERM tears the pool down --------------------------------------------------------------


def test_sigterm_stops_a_batch_and_its_workers(tmp_path: Path) -> None:
    src, tgt = tmp_path / "src", tmp_path / "tgt"
    src.mkdir()
    tgt.mkdir()
    for k in range(40):
        (src / f"{k}.txt").write_text("The cat sat on the mat. " * 40, encoding="utf-8")
        (tgt / f"{k}.txt").write_text("Die Katze sass auf der Matte. " * 40, encoding="utf-8")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mtaudit",
            "batch",
            str(src),
            str(tgt),
            "--out-dir",
            str(tmp_path / "out"),
            "--jobs",
            "2",
            *FAST,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    time.sleep(8)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)  # returns only once stdout/stderr are closed by all
    assert proc.returncode in (143, 0, 1), err
    left = [p for p in (tmp_path / "out").rglob("*.tmp")] if (tmp_path / "out").exists() else []
    assert not left


# 13. the out-dir marker ------------------------------------------------------------------------


def test_out_dir_with_foreign_files_is_refused(tmp_path: Path, capsys) -> None:
    src, tgt = tmp_path / "src", tmp_path / "tgt"
    src.mkdir()
    tgt.mkdir()
    (src / "a.txt").write_text("One sentence here.\n", encoding="utf-8")
    (tgt / "a.txt").write_text("Ein Satz hier.\n", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "index.md").write_text("my own notes", encoding="utf-8")
    code, _, err = _run(capsys, "batch", src, tgt, "--out-dir", project, *FAST)
    assert code == 2
    _one_error_line(err)
    assert (project / "index.md").read_text(encoding="utf-8") == "my own notes"
    # an out-dir mtaudit wrote can be used again, and is never read as input
    out = src / "reports"
    assert _run(capsys, "batch", src, tgt, "--out-dir", out, *FAST)[0] == 0
    assert (out / OUT_MARKER).is_file()
    code, _, err = _run(capsys, "batch", src, tgt, "--out-dir", out, *FAST)
    assert code == 0, err
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert [it["id"] for it in index["items"]] == ["a.txt"]


# also seen -------------------------------------------------------------------------------------


def test_utf16_file_suggests_the_encoding(tmp_path: Path, capsys) -> None:
    src, tgt = tmp_path / "s.txt", tmp_path / "t.txt"
    src.write_text("One sentence here.\n", encoding="utf-16")
    tgt.write_text("Ein Satz hier.\n", encoding="utf-8")
    code, _, err = _run(capsys, "audit", src, tgt, *FAST)
    assert code == 2 and "--encoding utf-16" in err


def test_tsv_header_row_is_not_a_pair(tmp_path: Path) -> None:
    from mtaudit.load import read_pairs

    f = tmp_path / "p.tsv"
    f.write_text("source\ttarget\nHello.\tHallo.\n", encoding="utf-8")
    assert [(p.source, p.line) for p in read_pairs(f)] == [("Hello.", 2)]
