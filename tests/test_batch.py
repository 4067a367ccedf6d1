"""Batch mode: folders and manifests, bad items, path escapes, exit codes, --jobs determinism."""

from __future__ import annotations

import io
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from mtaudit.batch import (
    BatchItem,
    ProgressBar,
    audit_batch,
    items_from_dirs,
    items_from_manifest,
)
from mtaudit.cli import main
from mtaudit.config import Settings
from mtaudit.errors import InputError
from mtaudit.files import OUT_MARKER
from mtaudit.policy import Policy

# Same-language documents: the model-free hashing encoder links a sentence to its copy, so a
# faithful "translation" is a copy and an unrelated text is all omissions.
GOOD = [
    "The council met on Monday. It approved the budget for the new school.\n",
    "Rain is expected in the north. Temperatures will fall to five degrees overnight.\n",
    "The museum opens at nine. Tickets cost twelve euros for adults.\n",
    "The train to Lyon was delayed. Passengers waited on the platform for an hour.\n",
]
UNRELATED = "Quantum gravity remains unsolved. Bees communicate by dancing in hives.\n"
FAST = [
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
SETTINGS = Settings(
    src_lang="en", tgt_lang="en", encoder="hashing", fluency=False, mode="translation"
)


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _index(out: Path) -> dict:
    return json.loads((out / "index.json").read_text(encoding="utf-8"))


def _no_temp_files(out: Path) -> bool:
    return not [p for p in out.rglob(".*") if p.is_file() and p.name != OUT_MARKER]


# --------------------------------------------------------------------------- folders


def test_directory_pairs_unmatched_reported(tmp_path, capsys):
    src, tgt = tmp_path / "en", tmp_path / "de"
    for k, name in enumerate(["a.txt", "sub/b.txt"]):
        _write(src / name, GOOD[k])
        _write(tgt / name, GOOD[k])
    _write(src / "only-source.txt", GOOD[2])
    _write(tgt / "only-target.txt", GOOD[3])
    _write(src / ".hidden.txt", GOOD[3])
    out = tmp_path / "out"
    code, stdout, err = _run(capsys, "batch", src, tgt, "--out-dir", out, *FAST)
    assert code == 1, err  # unmatched files fail the batch by default
    assert stdout == ""
    idx = _index(out)
    by_id = {it["id"]: it for it in idx["items"]}
    assert list(by_id) == ["a.txt", "only-source.txt", "only-target.txt", "sub/b.txt"]
    assert by_id["a.txt"]["status"] == "ok" and by_id["a.txt"]["reports"] == {
        "json": "items/a.json"
    }
    assert by_id["sub/b.txt"]["reports"] == {"json": "items/sub/b.json"}
    assert "no matching file" in by_id["only-source.txt"]["error"]
    assert "target folder" in by_id["only-source.txt"]["error"]
    assert "source folder" in by_id["only-target.txt"]["error"]
    assert idx["summary"]["errors"] == 2 and idx["summary"]["exit_code"] == 1
    assert "2 failed to run" in idx["summary"]["verdict"] and "Batch failed" in err
    report = json.loads((out / "items" / "a.json").read_text(encoding="utf-8"))
    assert report["timing"] == {} and report["source"]["path"] == str(src / "a.txt")
    md = (out / "index.md").read_text(encoding="utf-8")
    assert md.startswith("# mtaudit batch report")
    assert "only-source.txt" in md and "## Items that failed to run" in md
    assert json.loads((out / "timing.json").read_text())["items"]["a.txt"]["total"] >= 0
    assert _no_temp_files(out)

    code, _, err = _run(capsys, "batch", src, tgt, "--out-dir", out, "--allow-errors", *FAST)
    assert code == 0, err
    assert "allowed by --allow-errors" in _index(out)["summary"]["verdict"]


def test_directory_glob_and_reference_dir(tmp_path, capsys):
    src, tgt, ref = tmp_path / "s", tmp_path / "t", tmp_path / "r"
    _write(src / "a.txt", "One line here.\nAnother line here.\n")
    _write(tgt / "a.txt", "One line here.\nAnother line there.\n")
    _write(ref / "a.txt", "One line here.\nAnother line here.\n")
    _write(src / "notes.md", "ignored\n")
    out = tmp_path / "out"
    code, _, err = _run(
        capsys,
        "batch",
        src,
        tgt,
        "--out-dir",
        out,
        "--glob",
        "*.txt",
        "--reference-dir",
        ref,
        "--presplit",
        *FAST,
    )
    assert code == 0, err
    assert [it["id"] for it in _index(out)["items"]] == ["a.txt"]
    report = json.loads((out / "items" / "a.json").read_text(encoding="utf-8"))
    assert report["links"][0]["scores"]["bleu"] == 100.0


# --------------------------------------------------------------------------- manifests


def _good_docs(root: Path, n: int) -> list[tuple[str, str]]:
    rows = []
    for k in range(n):
        s = _write(root / "docs" / f"src{k}.txt", GOOD[k % len(GOOD)])
        t = _write(root / "docs" / f"tgt{k}.txt", GOOD[k % len(GOOD)])
        rows.append((s.relative_to(root).as_posix(), t.relative_to(root).as_posix()))
    return rows


def test_csv_manifest_formats_and_ids(tmp_path, capsys):
    rows = _good_docs(tmp_path, 3)
    lines = ["id,source,target"] + [f"doc {k}/x,{s},{t}" for k, (s, t) in enumerate(rows)]
    manifest = _write(tmp_path / "items.csv", "\n".join(lines) + "\n")
    out = tmp_path / "out"
    code, _, err = _run(
        capsys,
        "batch",
        "--manifest",
        manifest,
        "--out-dir",
        out,
        "--format",
        "json,markdown",
        "--format",
        "junit",
        *FAST,
    )
    assert code == 0, err
    idx = _index(out)
    assert idx["input"] == {"manifest": str(manifest)}
    assert [it["id"] for it in idx["items"]] == ["doc 0/x", "doc 1/x", "doc 2/x"]
    first = idx["items"][0]
    assert first["location"] == f"{manifest}:2"
    assert first["reports"] == {
        "json": "items/doc_0/x.json",
        "markdown": "items/doc_0/x.md",
        "junit": "items/doc_0/x.junit.xml",
    }
    assert (out / "items/doc_0/x.md").read_text(encoding="utf-8").startswith("# mtaudit report")
    assert (out / "items/doc_0/x.junit.xml").read_text(encoding="utf-8").startswith("<?xml")
    assert set(first["findings"]) == {"total", "minor", "major", "critical"}
    assert idx["settings"]["formats"] == ["json", "markdown", "junit"]


def test_jsonl_manifest_with_pairs_and_malformed_lines(tmp_path, capsys):
    rows = _good_docs(tmp_path, 2)
    _write(tmp_path / "p.tsv", "Hello there.\tHello there.\nThank you.\tThank you.\n")
    _write(tmp_path / "broken.tsv", "Hello there.\tHello there.\nno tab on this line\n")
    lines = [
        json.dumps({"source": rows[0][0], "target": rows[0][1]}),
        "{not json",
        json.dumps({"pairs": "p.tsv", "id": "pairs"}),
        json.dumps({"source": rows[1][0]}),  # no target
        json.dumps({"pairs": "broken.tsv"}),
        json.dumps({"source": rows[1][0], "target": rows[1][1], "colour": "red"}),
    ]
    manifest = _write(tmp_path / "m.jsonl", "\n".join(lines) + "\n")
    out = tmp_path / "out"
    code, _, err = _run(capsys, "batch", "--manifest", manifest, "--out-dir", out, *FAST)
    assert code == 1
    items = _index(out)["items"]
    assert [it["status"] for it in items] == ["ok", "error", "ok", "error", "error", "error"]
    assert items[0]["id"] == rows[0][0]
    assert items[1]["location"] == f"{manifest}:2" and "invalid JSON" in items[1]["error"]
    assert items[2]["reports"] == {"json": "items/pairs.json"}
    assert "'target' are both needed" in items[3]["error"]
    assert f"{tmp_path / 'broken.tsv'}:2" in items[4]["error"]  # the pairs file's own line
    assert "colour" in items[5]["error"]
    assert err.count("mtaudit: ") == 4  # one line per errored item
    report = json.loads((out / "items" / "pairs.json").read_text(encoding="utf-8"))
    assert report["mode"] == "pairs"


def test_bad_items_among_good_ones(tmp_path, capsys):
    rows = _good_docs(tmp_path, 2)
    _write(tmp_path / "docs" / "bad.txt", b"\xff\xfe\xfa not utf-8")
    _write(tmp_path / "docs" / "empty.txt", "")
    lines = [
        "source,target",
        f"{rows[0][0]},{rows[0][1]}",
        f"{rows[0][0]},docs/bad.txt",
        f"docs/missing.txt,{rows[1][1]}",
        f"{rows[1][0]},docs/empty.txt",
        "only-one-field",
        f"{rows[1][0]},{rows[1][1]}",
    ]
    manifest = _write(tmp_path / "m.csv", "\n".join(lines) + "\n")
    out = tmp_path / "out"
    code, _, err = _run(capsys, "batch", "--manifest", manifest, "--out-dir", out, *FAST)
    assert code == 1
    items = _index(out)["items"]
    assert [it["status"] for it in items] == ["ok", "error", "error", "error", "error", "ok"]
    assert "not valid utf-8" in items[1]["error"] and "bad.txt" in items[1]["error"]
    assert "no such file" in items[2]["error"]
    assert "empty" in items[3]["error"]
    assert items[4]["location"] == f"{manifest}:6" and "1 fields" in items[4]["error"]
    # Derived ids stay unique; so do the report files.
    assert items[5]["id"] == f"{rows[1][0]}~2"
    assert items[5]["reports"] == {"json": "items/docs/src1-2.json"}
    assert items[0]["reports"] == {"json": "items/docs/src0.json"}
    assert "4 failed to run" in err and "Traceback" not in err
    assert _no_temp_files(out)


def test_manifest_usage_errors(tmp_path, capsys):
    rows = _good_docs(tmp_path, 1)
    out = tmp_path / "out"
    cases = {
        "typo.csv": ("source,traget\n", "header"),
        "dup.csv": (
            f"id,source,target\nx,{rows[0][0]},{rows[0][1]}\nx,{rows[0][0]},{rows[0][1]}\n",
            "duplicate id",
        ),
        "empty.csv": ("source,target\n", "no items"),
    }
    for name, (text, expect) in cases.items():
        manifest = _write(tmp_path / name, text)
        code, _, err = _run(capsys, "batch", "--manifest", manifest, "--out-dir", out, *FAST)
        assert code == 2 and expect in err and len(err.strip().splitlines()) == 1, (name, err)
    assert not out.exists()


# --------------------------------------------------------------------------- path escapes


def test_paths_outside_the_manifest_folder(tmp_path, capsys):
    root = tmp_path / "project"
    rows = _good_docs(root, 1)
    outside = _write(tmp_path / "outside.txt", GOOD[0])
    manifest_dir = root
    variants = {
        "dotdot": "../outside.txt",
        "absolute": str(outside),
    }
    if hasattr(os, "symlink"):
        link = root / "docs" / "link.txt"
        try:
            link.symlink_to(outside)
            variants["symlink"] = "docs/link.txt"
        except OSError:  # pragma: no cover - no symlink permission
            pass
    for kind, path in variants.items():
        out = tmp_path / f"out-{kind}"
        manifest = _write(manifest_dir / f"{kind}.csv", f"source,target\n{rows[0][0]},{path}\n")
        code, _, err = _run(capsys, "batch", "--manifest", manifest, "--out-dir", out, *FAST)
        assert code == 2, (kind, err)
        assert "outside" in err and "--allow-outside" in err and f"{manifest}:2" in err
        assert not (out / "index.json").exists()
        code, _, err = _run(
            capsys, "batch", "--manifest", manifest, "--out-dir", out, "--allow-outside", *FAST
        )
        assert code == 0, (kind, err)
        assert _index(out)["items"][0]["status"] == "ok"
    # Inside the folder, ``..`` that comes back is fine.
    manifest = _write(root / "ok.csv", f"source,target\ndocs/../{rows[0][0]},{rows[0][1]}\n")
    assert len(items_from_manifest(manifest)) == 1


def test_symlink_out_of_a_source_folder(tmp_path):
    if not hasattr(os, "symlink"):  # pragma: no cover
        pytest.skip("no symlinks")
    src, tgt = tmp_path / "s", tmp_path / "t"
    _write(tgt / "a.txt", GOOD[0])
    src.mkdir()
    outside = _write(tmp_path / "secret.txt", GOOD[0])
    (src / "a.txt").symlink_to(outside)
    with pytest.raises(InputError, match="allow-outside"):
        items_from_dirs(src, tgt)
    assert items_from_dirs(src, tgt, allow_outside=True)[0].error is None


# --------------------------------------------------------------------------- the gate


def test_gate_exit_codes(tmp_path, capsys):
    rows = _good_docs(tmp_path, 2)
    _write(tmp_path / "docs" / "unrelated.txt", UNRELATED)
    lines = ["id,source,target", f"good,{rows[0][0]},{rows[0][1]}"]
    manifest = _write(tmp_path / "m.csv", "\n".join(lines) + "\n")
    both = _write(tmp_path / "m2.csv", "\n".join(lines + [f"bad,{rows[1][0]},docs/unrelated.txt"]))
    policy = _write(tmp_path / "strict.toml", "min_quality = 70\n")
    out = tmp_path / "out"
    common = ["batch", "--out-dir", out, "--policy", policy, *FAST]
    code, _, err = _run(capsys, *common, "--manifest", manifest)
    assert code == 0, err
    assert _index(out)["items"][0]["status"] == "pass"
    assert "Batch passed: 1 item — 1 passed, 0 failed the gate." in err
    code, _, err = _run(capsys, *common, "--manifest", both)
    assert code == 1, err
    idx = _index(out)
    assert [it["status"] for it in idx["items"]] == ["pass", "fail"]
    assert idx["items"][1]["gate"]["verdict"].startswith("Gate failed")
    assert "Gate failed" in (out / "index.md").read_text(encoding="utf-8")
    # The same flags as ``audit``: --fail-on none / --min-quality override the file.
    code, _, err = _run(capsys, *common, "--manifest", both, "--min-quality", "101")
    assert code == 2 and "min_quality" in err
    # Usage errors: exit 2, one line, nothing run.
    bad_policy = _write(tmp_path / "bad.toml", "min_qualty = 3\n")
    for argv, expect in [
        (["batch", "--manifest", manifest, "--out-dir", out, "--policy", bad_policy], "min_qualty"),
        (["batch", "--manifest", manifest, "--out-dir", out, "--format", "yaml"], "yaml"),
        (["batch", "--out-dir", out], "SOURCE_DIR"),
        (["batch", tmp_path, tmp_path, "--manifest", manifest, "--out-dir", out], "not both"),
        (["batch", "--manifest", manifest, "--out-dir", manifest], "not a folder"),
        (["batch", "--manifest", manifest, "--out-dir", out, "--disable", "nope"], "nope"),
        (["batch", "--manifest", manifest, "--out-dir", out, "--jobs", "-1"], "--jobs"),
        (["batch", "--manifest", manifest, "--out-dir", out, "--time-budget", "-1"], "budget"),
        (["batch", tmp_path / "no", tmp_path, "--out-dir", out], "not a folder"),
        (["batch", "--manifest", tmp_path / "none.csv", "--out-dir", out], "no such file"),
    ]:
        code, _, err = _run(capsys, *argv)
        assert code == 2 and expect in err, (argv, err)
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_without_policy_errors_still_fail(tmp_path):
    good = _write(tmp_path / "a.txt", GOOD[0])
    items = [
        BatchItem(id="a", source=str(good), target=str(good)),
        BatchItem(id="b", source=str(good), target=str(tmp_path / "missing.txt")),
    ]
    result = audit_batch(items, SETTINGS)  # no out_dir: nothing written
    assert [it.status for it in result.items] == ["ok", "error"]
    assert result.items[0].reports == {} and result.exit_code == 1 and not result.passed
    allowed = audit_batch(items, replace(SETTINGS, allow_errors=True))
    assert allowed.exit_code == 0
    gated = audit_batch(items[:1], replace(SETTINGS, policy=Policy()))
    assert gated.items[0].status == "pass" and gated.verdict.startswith("Batch passed")


# --------------------------------------------------------------------------- --jobs


def test_jobs_1_and_2_write_identical_files(tmp_path, capsys):
    rows = _good_docs(tmp_path, 5)
    _write(tmp_path / "docs" / "unrelated.txt", UNRELATED)
    lines = ["source,target"] + [f"{s},{t}" for s, t in rows]
    lines += [f"{rows[0][0]},docs/unrelated.txt", "docs/missing.txt,docs/tgt0.txt"]
    manifest = _write(tmp_path / "m.csv", "\n".join(lines) + "\n")
    outs = {}
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        code, _, err = _run(
            capsys,
            "batch",
            "--manifest",
            manifest,
            "--out-dir",
            out,
            "--jobs",
            jobs,
            "--format",
            "json,markdown,junit,sarif,html",
            "--fail-on",
            "critical",
            *FAST,
        )
        assert code == 1, err  # the missing file
        outs[jobs] = {
            p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != "timing.json"
        }
        assert json.loads((out / "timing.json").read_text())["jobs"] == jobs
    assert len(outs[1]) == 3 + 6 * 5  # index.json, index.md, the marker, formats per item
    assert outs[1].keys() == outs[2].keys()
    for name in outs[1]:
        assert outs[1][name] == outs[2][name], name


# --------------------------------------------------------------------------- progress


def test_progress_bar_only_on_a_terminal(tmp_path, capsys):
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    good = _write(tmp_path / "a.txt", GOOD[0])
    items = [BatchItem(id=f"i{k}", source=str(good), target=str(good)) for k in range(3)]
    tty = Tty()
    audit_batch(items, SETTINGS, progress=ProgressBar(len(items), stream=tty))
    shown = tty.getvalue()
    assert "\r" in shown and "3/3" in shown and shown.endswith("\n")
    pipe = io.StringIO()
    audit_batch(items, SETTINGS, progress=ProgressBar(len(items), stream=pipe))
    assert pipe.getvalue() == ""
    # The CLI under pytest has no terminal: no bar on stderr.
    manifest = _write(tmp_path / "m.csv", "source,target\na.txt,a.txt\n")
    code, _, err = _run(capsys, "batch", "--manifest", manifest, "--out-dir", tmp_path / "o", *FAST)
    assert code == 0 and "\r" not in err


def test_write_atomic_leaves_nothing_behind_on_failure(tmp_path, monkeypatch):
    from mtaudit import files

    target = tmp_path / "sub" / "r.json"
    files.write_atomic(target, "first\n")

    def boom(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        files.write_atomic(target, "second\n")
    assert target.read_text() == "first\n"  # the old file is whole
    assert [p.name for p in target.parent.iterdir()] == ["r.json"]


def _crash_on_boom(unit, render):
    """A pool work function that kills its worker process on the unit called ``boom``."""
    if unit.id == "boom":
        os._exit(3)
    from mtaudit.runner import run_unit

    return run_unit(unit, render)


def test_a_crashing_worker_loses_only_its_item(tmp_path):
    from mtaudit.runner import run_pool

    good = _write(tmp_path / "a.txt", GOOD[0])
    ids = ["a", "b", "boom", "c", "d"]
    units = [BatchItem(id=i, source=str(good), target=str(good)).to_unit() for i in ids]
    got = list(run_pool(units, SETTINGS, 2, render=False, work=_crash_on_boom))
    assert [u.id for u, _ in got] == ids
    statuses = {u.id: res.status for u, res in got}
    assert statuses == {"a": "ok", "b": "ok", "boom": "error", "c": "ok", "d": "ok"}
    assert "crashed while auditing this item" in got[2][1].error


def _die_on_boom(task):
    if task == "boom":
        os._exit(3)
    return task.upper()


def _no_init():
    pass


def test_a_pool_that_breaks_while_tasks_are_submitted_loses_only_the_crashing_task():
    """The pool can break between two submissions (seen on CI): the task being submitted must
    go on in the next pool, not end the run with BrokenProcessPool."""
    import time

    from mtaudit.runner import isolated_pool

    def call(ex, task):
        if task == "c":
            time.sleep(1.0)  # let the worker running "boom" die before "c" is submitted
        return ex.submit(_die_on_boom, task)

    got = list(
        isolated_pool(["a", "boom", "c", "d"], 1, _no_init, (), call, lambda t, why: why, "crashed")
    )
    assert got == [("a", "A"), ("boom", "crashed"), ("c", "C"), ("d", "D")]


def test_an_lm_that_fails_to_load_is_skipped_and_named(monkeypatch):
    import mtaudit
    import mtaudit.fluency
    from mtaudit.encoders import HashingEncoder
    from mtaudit.errors import ModelUnavailableError

    def broken():
        raise ModelUnavailableError("the LM is not installed\nmore detail")

    monkeypatch.setattr(mtaudit.fluency, "default_scorer", broken)
    report = mtaudit.audit(GOOD[0], GOOD[0], encoder=HashingEncoder())
    assert report.signature.skipped["fluency"] == "the LM is not installed"
    assert "fluency" not in report.signature.components


def test_multilingual_lm_setting_reaches_every_item(tmp_path, capsys):
    rows = _good_docs(tmp_path, 2)
    lines = ["source,target"] + [f"{s},{t}" for s, t in rows]
    manifest = _write(tmp_path / "m.csv", "\n".join(lines) + "\n")
    out = tmp_path / "out"
    code, _, err = _run(capsys, "batch", "--manifest", manifest, "--out-dir", out,
                        "--multilingual-lm", "--no-fluency", *FAST)  # fmt: skip
    assert code == 0, err
    index = json.loads((out / "index.json").read_text("utf-8"))
    assert index["settings"]["multilingual_lm"] is True
    for item in index["items"]:
        report = json.loads((out / item["reports"]["json"]).read_text("utf-8"))
        assert report["signature"]["settings"]["multilingual_lm"] is True
