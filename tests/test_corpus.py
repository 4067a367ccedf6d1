"""Corpus mode: shards, bad units, profiles; on a local Ray instance, the same bytes as in-process.

The Ray tests share one local instance (module-scoped fixture) and are skipped when ray is not
installed (``pip install 'mtaudit[ray]'``); the in-process (``--engine local``) tests always run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mtaudit.batch import audit_batch, items_from_manifest
from mtaudit.cli import main
from mtaudit.config import Settings
from mtaudit.corpus import CorpusSettings, audit_corpus, pair_files
from mtaudit.encoders import HashingEncoder
from mtaudit.errors import InputError
from mtaudit.load import read_pairs
from mtaudit.pipeline import audit, audit_pairs

SENTENCES = [
    "The council met on Monday.",
    "It approved the budget for the new school.",
    "Rain is expected in the north.",
    "Temperatures will fall to five degrees overnight.",
    "The museum opens at nine.",
    "Tickets cost twelve euros for adults.",
    "The train to Lyon was delayed.",
]
FAST = ["--src-lang", "en", "--tgt-lang", "en", "--encoder", "hashing", "--profile", "fast"]
SETTINGS = Settings(src_lang="en", tgt_lang="en", encoder="hashing", profile="fast")


def _corpus(root: Path) -> Path:
    """Two good pairs files, one with a malformed line, and one binary file."""
    d = root / "corpus"
    (d / "sub").mkdir(parents=True)
    with (d / "a.jsonl").open("w", encoding="utf-8") as fh:
        for k in range(9):
            s = f"{SENTENCES[k % 7]} Item {k}."
            t = s if k != 4 else "Bees communicate by dancing in hives."
            fh.write(json.dumps({"source": s, "target": t}) + "\n")
            if k == 5:
                fh.write('{"source": "no closing quote}\n')  # line 7: malformed
    (d / "sub" / "b.tsv").write_text(
        "".join(f"{s}\t{s}\n" for s in SENTENCES[:4]), encoding="utf-8"
    )
    (d / "sub" / "c.tsv").write_bytes(b"\x00\x01binary\x00")
    (d / "notes.txt").write_text("not a pairs file\n", encoding="utf-8")
    return d


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    _, err = capsys.readouterr()
    return code, err


def _records(out: Path) -> list[dict]:
    return [json.loads(x) for x in (out / "reports.jsonl").read_text("utf-8").splitlines()]


# --------------------------------------------------------------------------- in-process


def test_local_corpus_shards_and_bad_units(tmp_path, capsys):
    d = _corpus(tmp_path)
    out = tmp_path / "out"
    code, err = _run(capsys, "corpus", "--pairs", d, "--out-dir", out, "--engine", "local",
                     "--shard-size", "4", *FAST)  # fmt: skip
    assert code == 1, err  # units that fail to run fail the run by default
    a, b, c = str(d / "a.jsonl"), str(d / "sub" / "b.tsv"), str(d / "sub" / "c.tsv")
    idx = json.loads((out / "index.json").read_text("utf-8"))
    ids = [it["id"] for it in idx["items"]]
    # a.jsonl: 9 good pairs on lines 1-6 and 8-10 → shards 1-4, 5-9 (skipping 7), 10-10.
    assert ids == [f"{a}:1-4", f"{a}:5-9", f"{a}:7", f"{a}:10-10", f"{b}:1-4", c]
    by_id = {it["id"]: it for it in idx["items"]}
    assert by_id[f"{a}:7"]["status"] == "error"
    assert by_id[f"{a}:7"]["error"].startswith(f"{a}:7: invalid JSON")
    assert by_id[c]["status"] == "error" and "binary" in by_id[c]["error"]
    assert idx["summary"]["errors"] == 2 and idx["summary"]["audited"] == 4
    assert idx["summary"]["verdict"].startswith("Corpus failed: 6 items")
    assert "2 failed to run" in idx["summary"]["verdict"]
    assert idx["input"]["shard_size"] == 4
    assert f"{a}:7: invalid JSON" in err
    records = _records(out)
    assert [r["id"] for r in records] == ids
    assert records[2]["report"] is None
    shard = records[1]["report"]
    assert [s["line"] for s in shard["source"]["sentences"]] == [5, 6, 8, 9]
    assert shard["signature"]["settings"]["profile"] == "fast"
    assert shard["signature"]["skipped"]["fluency"] == "disabled"
    assert shard["timing"] == {}
    assert (out / "index.md").read_text("utf-8").startswith("# mtaudit corpus report")
    assert [p.name for p in out.glob(".*")] == [".mtaudit-out"]  # no temporary files left
    code, err = _run(capsys, "corpus", "--pairs", d, "--out-dir", out, "--engine", "local",
                     "--allow-errors", *FAST)  # fmt: skip
    assert code == 0, err


def test_whole_file_shard_is_the_single_process_report(tmp_path):
    d = _corpus(tmp_path)
    b = str(d / "sub" / "b.tsv")
    result = audit_corpus(
        pairs=[b], settings=SETTINGS, corpus=CorpusSettings(engine="local"), out_dir=tmp_path / "o"
    )
    assert result.passed and len(result.items) == 1
    report = audit_pairs(
        read_pairs(b),
        src_lang="en",
        tgt_lang="en",
        encoder=HashingEncoder(),
        path=b,
        profile="fast",
    )
    single = json.loads(report.to_json())
    single["timing"] = {}
    assert json.dumps(_records(tmp_path / "o")[0]["report"]) == json.dumps(single)


def test_missing_file_and_folder_rules(tmp_path):
    d = _corpus(tmp_path)
    files = pair_files([d, tmp_path / "missing.jsonl"])
    assert [Path(f).name for f in files] == ["a.jsonl", "b.tsv", "c.tsv", "missing.jsonl"]
    (d / "x").mkdir()
    with pytest.raises(InputError, match="no pairs files"):
        pair_files([d / "x"])
    outside = tmp_path / "elsewhere.jsonl"
    outside.write_text('{"source": "a", "target": "a"}\n', encoding="utf-8")
    (d / "link.jsonl").symlink_to(outside)
    with pytest.raises(InputError, match="outside"):
        pair_files([d])
    assert str(d / "link.jsonl") in pair_files([d], allow_outside=True)
    result = audit_corpus(
        pairs=[str(tmp_path / "missing.jsonl")],
        settings=SETTINGS,
        corpus=CorpusSettings(engine="local"),
        out_dir=tmp_path / "o",
    )
    assert result.items[0].status == "error" and "no such file" in result.items[0].error


def test_bad_corpus_settings(tmp_path):
    for corpus, msg in [
        (CorpusSettings(engine="spark"), "unknown engine"),
        (CorpusSettings(shard_size=0), "shard-size"),
        (CorpusSettings(actors=0), "actors"),
        (CorpusSettings(engine="local", jobs=-1), "--jobs"),
        (CorpusSettings(engine="ray", jobs=2), "--engine local"),
    ]:
        with pytest.raises(InputError, match=msg):
            audit_corpus(pairs=["x.tsv"], settings=SETTINGS, corpus=corpus, out_dir=tmp_path)
    with pytest.raises(InputError, match="full"):
        audit_corpus(
            pairs=["x.tsv"],
            settings=Settings(fluency=False, profile="full"),
            out_dir=tmp_path,
        )


# --------------------------------------------------------------------------- --jobs


def test_local_jobs_write_the_same_bytes(tmp_path, capsys):
    d = _corpus(tmp_path)
    outs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        code, err = _run(capsys, "corpus", "--pairs", d, "--out-dir", out, "--engine", "local",
                         "--jobs", jobs, "--shard-size", "3", "--allow-errors", *FAST)  # fmt: skip
        assert code == 0, err
        outs[jobs] = {
            n: (out / n).read_bytes() for n in ("reports.jsonl", "index.json", "index.md")
        }
        assert json.loads((out / "timing.json").read_text("utf-8"))["jobs"] == int(jobs)
    # a.jsonl: lines 1-3, 4-6, the malformed line 7, 8-10; b.tsv: 1-3, 4-4; c.tsv (binary)
    assert len(_records(tmp_path / "out2")) == 7
    for name, data in outs["1"].items():
        assert outs["2"][name] == data, name


def _crash_on_unit_two(unit, render):
    """A pool work function that kills its worker process on the third unit (lines 5-6)."""
    import os

    from mtaudit.runner import run_unit

    if unit.id.endswith(":5-6"):
        os._exit(3)
    return run_unit(unit, render)


def test_a_worker_crash_costs_one_unit(tmp_path):
    from mtaudit.corpus import file_units
    from mtaudit.runner import crash_message, run_pool

    pairs = tmp_path / "p.tsv"
    pairs.write_text("".join(f"{s}\t{s}\n" for s in SENTENCES), encoding="utf-8")
    keyed = file_units(0, str(pairs), SETTINGS, 2)
    assert [key for key, _ in keyed] == [[0, 1], [0, 3], [0, 5], [0, 7]]
    got = list(run_pool([u for _, u in keyed], SETTINGS, 2, what="unit", work=_crash_on_unit_two))
    results = [res for _, res in got]
    assert results[2].status == "error" and results[2].error == crash_message("unit")
    assert "json" not in results[2].texts
    assert [r.status for k, r in enumerate(results) if k != 2] == ["ok"] * 3


# --------------------------------------------------------------------------- profiles


def test_profiles_recorded_in_the_signature():
    fast = audit(
        "The council met. It approved the budget.",
        "The council met. It approved the budget.",
        src_lang="en",
        tgt_lang="en",
        encoder=HashingEncoder(),
        profile="fast",
    )
    assert fast.signature.settings["profile"] == "fast"
    assert fast.signature.skipped["fluency"] == "disabled"
    assert "profile:fast" in fast.signature.format()
    plain = audit_pairs([("a b c", "a b c")], src_lang="en", tgt_lang="en",
                        encoder=HashingEncoder(), fluency=False)  # fmt: skip
    assert "profile" not in plain.signature.settings  # no profile asked: reports unchanged
    with pytest.raises(InputError, match="unknown profile"):
        audit_pairs([("a", "a")], encoder=HashingEncoder(), profile="turbo")
    with pytest.raises(InputError, match="full"):
        audit_pairs([("a", "a")], encoder=HashingEncoder(), fluency=False, profile="full")


def test_profile_on_audit_and_batch_cli(tmp_path, capsys):
    pairs = tmp_path / "p.tsv"
    pairs.write_text("The council met.\tThe council met.\n", encoding="utf-8")
    out = tmp_path / "r.json"
    code, err = _run(capsys, "audit", "--pairs", pairs, "-o", out, *FAST)
    assert code == 0, err
    assert json.loads(out.read_text("utf-8"))["signature"]["settings"]["profile"] == "fast"
    code, err = _run(capsys, "audit", "--pairs", pairs, "-o", out, "--profile", "full",
                     "--no-fluency", "--encoder", "hashing")  # fmt: skip
    assert code == 2 and "full" in err
    manifest = tmp_path / "m.csv"
    manifest.write_text("pairs\np.tsv\n", encoding="utf-8")
    code, err = _run(capsys, "batch", "--manifest", manifest, "--out-dir", tmp_path / "b", *FAST)
    assert code == 0, err
    idx = json.loads((tmp_path / "b" / "index.json").read_text("utf-8"))
    assert idx["settings"]["profile"] == "fast"


# --------------------------------------------------------------------------- on Ray


@pytest.fixture(scope="module")
def ray_instance():
    """One local Ray instance for this module: 2 CPUs, loopback only, no dashboard."""
    import os

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray = pytest.importorskip("ray")
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        logging_level="warning",
        _node_ip_address="127.0.0.1",
    )
    yield ray
    ray.shutdown()


def _same_files(a: Path, b: Path) -> None:
    for name in ("reports.jsonl", "index.json", "index.md"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_ray_pairs_corpus_matches_in_process(ray_instance, tmp_path, capsys):
    d = _corpus(tmp_path)
    common = ["corpus", "--pairs", d, "--shard-size", "4", *FAST]
    code_l, _ = _run(capsys, *common, "--engine", "local", "--out-dir", tmp_path / "local")
    code_r, err = _run(capsys, *common, "--actors", "2", "--out-dir", tmp_path / "ray")
    assert code_l == code_r == 1, err
    _same_files(tmp_path / "local", tmp_path / "ray")
    assert "failed to run" in err and ":7: invalid JSON" in err
    timing = json.loads((tmp_path / "ray" / "timing.json").read_text("utf-8"))
    assert timing["engine"] == "ray" and timing["actors"] == 2
    assert timing["cpus_per_actor"] < 1  # fractional: the read tasks keep a share of the CPUs


def test_ray_manifest_corpus_matches_batch(ray_instance, tmp_path):
    d = tmp_path / "docs"
    d.mkdir()
    for k in range(3):
        text = " ".join(SENTENCES[k : k + 3]) + "\n"
        (d / f"{k}.en.txt").write_text(text, encoding="utf-8")
        (d / f"{k}.de.txt").write_text(text, encoding="utf-8")
    (d / "p.tsv").write_text("".join(f"{s}\t{s}\n" for s in SENTENCES), encoding="utf-8")
    (d / "items.csv").write_text(
        "source,target,pairs,id\n"
        "0.en.txt,0.de.txt,,zero\n"
        "1.en.txt,missing.txt,,broken\n"
        ",,p.tsv,pairs\n"
        "2.en.txt,2.de.txt,,two\n",
        encoding="utf-8",
    )
    items = items_from_manifest(d / "items.csv")
    settings = Settings(
        src_lang="en", tgt_lang="en", encoder="hashing", profile="fast", mode="translation"
    )
    batch = audit_batch(items, settings, out_dir=tmp_path / "batch")
    res = audit_corpus(
        items=items,
        settings=settings,
        corpus=CorpusSettings(actors=2, cpus_per_actor=0.5),
        out_dir=tmp_path / "ray",
    )
    assert [it.status for it in res.items] == ["ok", "error", "ok", "ok"]
    assert "missing.txt: no such file" in (res.items[1].error or "")
    assert res.verdict.startswith("Corpus failed: 4 items") and "1 failed to run" in res.verdict
    records = _records(tmp_path / "ray")
    for it, rec in zip(batch.items, records):
        assert rec["id"] == it.id and rec["status"] == it.status
        if it.status != "error":
            single = (tmp_path / "batch" / it.reports["json"]).read_text("utf-8")
            assert json.dumps(rec["report"]) == json.dumps(json.loads(single))
    audit_corpus(
        items=items,
        settings=settings,
        corpus=CorpusSettings(engine="local"),
        out_dir=tmp_path / "local",
    )
    _same_files(tmp_path / "local", tmp_path / "ray")


def test_parquet_pairs_files(tmp_path, capsys):
    """Parquet input: rows number like lines, a null target is an error record with its row,
    the reference column is carried, extra columns are ignored; a file without the columns and
    a file that is not Parquet each become one error record. The good rows get the same report as
    the same pairs read from JSONL."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    d = tmp_path / "pq"
    d.mkdir()
    src = [f"{SENTENCES[k % 7]} Item {k}." for k in range(6)]
    tgt = list(src)
    tgt[2] = None  # row 3: no target
    pq.write_table(
        pa.table({"source": src, "target": tgt, "reference": src, "domain": ["news"] * 6}),
        d / "a.parquet",
    )
    pq.write_table(pa.table({"src": ["x"], "tgt": ["y"]}), d / "b.parquet")
    (d / "c.parquet").write_bytes(b"PAR1 not really parquet")
    out = tmp_path / "out"
    code, err = _run(capsys, "corpus", "--pairs", d, "--out-dir", out, "--engine", "local",
                     "--shard-size", "100", "--allow-errors", *FAST)  # fmt: skip
    assert code == 0, err
    a, b, c = (str(d / n) for n in ("a.parquet", "b.parquet", "c.parquet"))
    idx = json.loads((out / "index.json").read_text("utf-8"))
    by_id = {it["id"]: it for it in idx["items"]}
    assert list(by_id) == [f"{a}:1-6", f"{a}:3", b, c]
    assert (
        by_id[f"{a}:3"]["error"]
        == f"{a}:3: 'source' and 'target' must be non-null strings in every row"
    )
    assert "no 'source' and no 'target' column" in by_id[b]["error"]
    assert by_id[c]["error"].startswith(f"{c}: not a readable Parquet file")
    rec = next(r for r in _records(out) if r["id"] == f"{a}:1-6")
    jl = tmp_path / "a.jsonl"
    jl.write_text(
        "".join(
            json.dumps({"source": s, "target": t, "reference": s}) + "\n"
            for s, t in zip(src, tgt, strict=True)
            if t is not None
        ),
        encoding="utf-8",
    )
    ref = audit_pairs(read_pairs(jl), src_lang="en", tgt_lang="en", encoder=HashingEncoder(),
                      fluency=False, profile="fast").to_dict()  # fmt: skip
    ref.pop("timing", None)
    assert len(rec["report"]["links"]) == 5
    assert rec["report"]["findings"] == ref["findings"]
    assert [lk["quality"] for lk in rec["report"]["links"]] == [
        lk["quality"] for lk in ref["links"]
    ]


def test_parquet_output_matches_the_jsonl_records(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    d = _corpus(tmp_path)
    out = tmp_path / "out"
    code, err = _run(capsys, "corpus", "--pairs", d, "--out-dir", out, "--engine", "local",
                     "--shard-size", "4", "--allow-errors", "--parquet", *FAST)  # fmt: skip
    assert code == 0, err
    recs = _records(out)
    table = pq.read_table(out / "reports.parquet")
    assert table.schema.field("quality").type == pa.float64()
    rows = table.to_pylist()
    assert [r["id"] for r in rows] == [r["id"] for r in recs]
    for row, rec in zip(rows, recs, strict=True):
        assert row["status"] == rec["status"] and row["error"] == rec["error"]
        assert row["quality"] == rec["quality"]
        assert row["findings_total"] == (rec["findings"] or {}).get("total")
        if rec["report"] is None:
            assert row["report"] is None
        else:
            assert json.loads(row["report"]) == rec["report"]
    assert not list(out.glob(".*tmp"))
    # without the flag no Parquet file is left from an earlier run
    _run(capsys, "corpus", "--pairs", d, "--out-dir", out, "--engine", "local",
         "--shard-size", "4", "--allow-errors", *FAST)  # fmt: skip
    assert not (out / "reports.parquet").exists()


def test_pairs_in_context_reaches_every_shard(tmp_path, capsys):
    d = _corpus(tmp_path)
    out = tmp_path / "out"
    code, err = _run(capsys, "corpus", "--pairs", d / "sub" / "b.tsv", "--out-dir", out,
                     "--engine", "local", "--shard-size", "2", "--pairs-in-context",
                     *FAST)  # fmt: skip
    assert code == 0, err
    records = _records(out)
    assert len(records) == 2
    for r in records:
        assert r["report"]["signature"]["settings"]["pairs_in_context"] is True
    index = json.loads((out / "index.json").read_text("utf-8"))
    assert index["settings"]["pairs_in_context"] is True
