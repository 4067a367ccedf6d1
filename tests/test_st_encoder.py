"""``--encoder st:PATH``: the user's own sentence-transformers model, end to end, offline.

A tiny random-weight model is built here (:mod:`st_tiny`) and run through audit, batch and
corpus (``--engine local`` with two worker processes, and Ray when installed). Needs torch and sentence-transformers (the
``[st]`` extra; ``make test-comet`` runs it) and is skipped without them. The tests that need
neither (bad paths, a missing package) are in ``tests/test_encoders.py``.
"""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("sentence_transformers")

from mtaudit.cli import main  # noqa: E402
from mtaudit.config import Settings  # noqa: E402
from mtaudit.encoders import make_encoder  # noqa: E402
from mtaudit.encoders_st import SentenceTransformerEncoder  # noqa: E402
from mtaudit.pipeline import audit  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import st_tiny  # noqa: E402

DOC = [
    "The council met on Monday.",
    "It approved the budget for the new school.",
    "Rain is expected in the north.",
    "Temperatures will fall to five degrees overnight.",
    "The museum opens at nine.",
    "Tickets cost twelve euros for adults.",
    "The train to Lyon was delayed.",
    "Passengers waited on the platform for an hour.",
]
# The "translation" is a copy with one edit: a same-language pair a random-weight model can
# link (its vectors see little beyond the word pieces; on unrelated sentences its cosines sit in
# a narrow 0.94-0.99 band, so only rank/margin decisions can link anything).
EDITED = [s.replace("nine", "ten") for s in DOC]
LANGS = ["--src-lang", "en", "--tgt-lang", "en", "--no-fluency"]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    return st_tiny.build_st_model(tmp_path_factory.mktemp("st") / "tiny-st")


@pytest.fixture()
def no_network(no_network, monkeypatch):
    """The shared no-network fixture (tests/conftest.py), plus every Hub download refused."""
    import huggingface_hub

    def refuse(*args, **kwargs):
        no_network.append(args)
        raise OSError("network access attempted in a test")

    for attr in ("hf_hub_download", "snapshot_download"):
        monkeypatch.setattr(huggingface_hub, attr, refuse)
    return no_network


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _write_pair(root: Path, name: str = "doc") -> tuple[Path, Path]:
    root.mkdir(parents=True, exist_ok=True)
    src, tgt = root / f"{name}.src.txt", root / f"{name}.tgt.txt"
    src.write_text(" ".join(DOC) + "\n", encoding="utf-8")
    tgt.write_text(" ".join(EDITED) + "\n", encoding="utf-8")
    return src, tgt


def _check_report(report: dict, model_dir: Path) -> None:
    sig = report["signature"]
    assert sig["encoder"].startswith(f"st:{model_dir.name}@sentence-transformers ")
    assert "sha256:" in sig["encoder"] and sig["encoder"].endswith("calibration generic")
    assert sig["components"]["calibration"] == "generic"
    pairs = sorted((tuple(lk["source"]), tuple(lk["target"])) for lk in report["links"])
    assert pairs == [((i,), (i,)) for i in range(len(DOC))]  # every sentence to its copy
    assert all(0 <= lk["quality"] <= 100 for lk in report["links"])


# --------------------------------------------------------------------------- the encoder


def test_encoder_vectors_name_version_and_pickling(model_dir, no_network):
    enc = make_encoder(f"st:{model_dir}", 1)
    assert isinstance(enc, SentenceTransformerEncoder)
    assert enc.name == "st:tiny-st" and enc.calibration == "generic"
    assert enc.version.startswith("sentence-transformers ") and "torch " in enc.version
    vecs = enc.encode(DOC + ["", "x" * 10_000])
    assert vecs.shape == (len(DOC) + 2, 32) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vecs, enc.encode(DOC + ["", "x" * 10_000]))  # deterministic
    assert np.allclose(vecs[:3], enc.encode(DOC[:3]), atol=1e-6)  # padding: last bits only
    assert enc.encode([]).shape == (0, 32)
    again = pickle.loads(pickle.dumps(enc))
    assert again.version == enc.version and np.array_equal(
        again.encode(DOC[:2]), enc.encode(DOC[:2])
    )


def test_version_hashes_the_model_files(model_dir, tmp_path):
    import shutil

    copy = tmp_path / "tiny-st"
    shutil.copytree(model_dir, copy)
    same = SentenceTransformerEncoder(copy).version
    assert same == make_encoder(f"st:{model_dir}", 1).version  # same files, same hash
    (copy / ".git").mkdir()
    (copy / ".git" / "objects").write_bytes(b"repository data")  # hidden: not part of the model
    assert SentenceTransformerEncoder(copy).version == same
    cfg = copy / "config_sentence_transformers.json"
    data = json.loads(cfg.read_text(encoding="utf-8"))
    data["note"] = "edited"
    cfg.write_text(json.dumps(data), encoding="utf-8")
    from mtaudit import encoders_st

    encoders_st._models.pop(str(copy.resolve()), None)
    assert SentenceTransformerEncoder(copy).version != same


def test_settings_keep_an_absolute_picklable_path(model_dir, monkeypatch):
    monkeypatch.chdir(model_dir.parent)
    settings = Settings(encoder=f"st:{model_dir.name}")
    assert settings.encoder == f"st:{model_dir.resolve()}"
    assert pickle.loads(pickle.dumps(settings)) == settings


# --------------------------------------------------------------------------- audit


def test_audit_cli_end_to_end(model_dir, tmp_path, capsys, no_network):
    src, tgt = _write_pair(tmp_path)
    out = tmp_path / "r.json"
    code, _, err = _run(capsys, "audit", src, tgt, "--encoder", f"st:{model_dir}",
                        "--mode", "translation", *LANGS, "-o", out)  # fmt: skip
    assert code in (0, 1), err
    _check_report(json.loads(out.read_text(encoding="utf-8")), model_dir)


def test_audit_python_api_auto_mode(model_dir):
    report = audit(
        " ".join(DOC),
        " ".join(EDITED),
        settings=Settings(encoder=f"st:{model_dir}", src_lang="en", tgt_lang="en", fluency=False),
    )
    d = report.to_dict()
    assert d["mode"] == "translation"  # auto picks it from ranks/margins, whatever the range
    _check_report(d, model_dir)
    # the same by keyword, the name given where an encoder object would go
    again = audit(" ".join(DOC), " ".join(EDITED), encoder=f"st:{model_dir}", src_lang="en",
                  tgt_lang="en", fluency=False).to_dict()  # fmt: skip
    assert again["signature"] == d["signature"] and again["links"] == d["links"]


def test_audit_pairs_api(model_dir):
    from mtaudit.pipeline import audit_pairs

    report = audit_pairs(list(zip(DOC, EDITED)), encoder=f"st:{model_dir}", src_lang="en",
                         tgt_lang="en", fluency=False).to_dict()  # fmt: skip
    assert report["signature"]["components"]["calibration"] == "generic"
    assert len(report["links"]) == len(DOC)
    assert all(0 <= lk["quality"] <= 100 for lk in report["links"])


def test_retold_article_links_by_rank(model_dir):
    """Comparable mode on a shuffled, partial retelling: the kept sentences link to their
    originals, the foreign ones stay unlinked — with cosines compressed into a narrow band."""
    order = [5, 0, 3, 7, 2]
    foreign = ["Bees communicate by dancing in hives.", "Quantum gravity remains unsolved."]
    tgt = [EDITED[i] for i in order[:3]] + [foreign[0]] + [EDITED[i] for i in order[3:]]
    tgt.append(foreign[1])
    report = audit(
        "\n".join(DOC),
        "\n".join(tgt),
        settings=Settings(
            encoder=f"st:{model_dir}",
            src_lang="en",
            tgt_lang="en",
            fluency=False,
            mode="comparable",
            presplit=True,
        ),  # fmt: skip
    )
    links = {(tuple(lk.source), tuple(lk.target)) for lk in report.links}
    expected = {((i,), (j,)) for j, i in enumerate(order[:3])}
    expected |= {((i,), (j + 4,)) for j, i in enumerate(order[3:])}
    assert expected <= links
    linked_targets = {j for _, t in links for j in t}
    assert 3 not in linked_targets and len(tgt) - 1 not in linked_targets


# --------------------------------------------------------------------------- batch and corpus


def test_batch_two_workers(model_dir, tmp_path, capsys):
    src_dir, tgt_dir = tmp_path / "src", tmp_path / "tgt"
    src_dir.mkdir()
    tgt_dir.mkdir()
    for k in range(3):
        (src_dir / f"d{k}.txt").write_text(" ".join(DOC) + "\n", encoding="utf-8")
        (tgt_dir / f"d{k}.txt").write_text(" ".join(EDITED) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = _run(capsys, "batch", src_dir, tgt_dir, "--out-dir", out, "--jobs", "2",
                        "--encoder", f"st:{model_dir}", "--mode", "translation", *LANGS)  # fmt: skip
    assert code in (0, 1), err
    idx = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert [it["status"] for it in idx["items"]] == ["ok"] * 3
    for k in range(3):
        _check_report(json.loads((out / "items" / f"d{k}.json").read_text("utf-8")), model_dir)


def test_corpus_local_engine(model_dir, tmp_path, capsys):
    pairs = tmp_path / "corpus" / "a.jsonl"
    pairs.parent.mkdir()
    with pairs.open("w", encoding="utf-8") as fh:
        for s, t in zip(DOC, EDITED):
            fh.write(json.dumps({"source": s, "target": t}) + "\n")
    out = tmp_path / "out"
    code, _, err = _run(capsys, "corpus", "--pairs", pairs.parent, "--out-dir", out,
                        "--engine", "local", "--jobs", "2", "--shard-size", "4",
                        "--encoder", f"st:{model_dir}", *LANGS)  # fmt: skip
    assert code in (0, 1), err
    records = [json.loads(x) for x in (out / "reports.jsonl").read_text("utf-8").splitlines()]
    assert len(records) == 2
    for rec in records:
        report = rec.get("report", rec)
        sig = report["signature"]
        assert sig["encoder"].startswith("st:tiny-st@") and sig["encoder"].endswith("generic")
        assert len(report["links"]) == 4


def test_corpus_on_ray_matches_local_engine(model_dir, tmp_path, capsys, monkeypatch):
    """Ray actors load the user's model from its path (the settings carry it, not the model) and
    write exactly what the in-process engine writes."""
    ray = pytest.importorskip("ray")
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    pairs = tmp_path / "corpus" / "a.jsonl"
    pairs.parent.mkdir()
    with pairs.open("w", encoding="utf-8") as fh:
        for s, t in zip(DOC, EDITED):
            fh.write(json.dumps({"source": s, "target": t}) + "\n")
    common = ["corpus", "--pairs", pairs.parent, "--shard-size", "4",
              "--encoder", f"st:{model_dir}", *LANGS]  # fmt: skip
    code_l, _, err = _run(capsys, *common, "--engine", "local", "--out-dir", tmp_path / "local")
    assert code_l in (0, 1), err
    ray.init(num_cpus=2, include_dashboard=False, logging_level="warning",
             _node_ip_address="127.0.0.1")  # fmt: skip
    try:
        code_r, _, err = _run(capsys, *common, "--engine", "ray", "--actors", "2",
                              "--out-dir", tmp_path / "ray")  # fmt: skip
    finally:
        ray.shutdown()
    assert code_r == code_l, err
    for name in ("reports.jsonl", "index.json"):
        assert (tmp_path / "local" / name).read_bytes() == (tmp_path / "ray" / name).read_bytes()
    timing = json.loads((tmp_path / "ray" / "timing.json").read_text("utf-8"))
    assert timing["engine"] == "ray"
    records = [
        json.loads(x) for x in (tmp_path / "ray" / "reports.jsonl").read_text("utf-8").splitlines()
    ]
    assert len(records) == 2
    assert all(rec.get("report", rec)["signature"]["encoder"].startswith("st:tiny-st@")
               for rec in records)  # fmt: skip


# --------------------------------------------------------------------------- bad folders


def test_a_plain_transformers_folder_is_refused(model_dir, capsys):
    bert = model_dir.parent / (model_dir.name + ".parts") / "bert"
    assert (bert / "config.json").is_file()
    code, _, err = _run(capsys, "audit", "a.txt", "b.txt", "--encoder", f"st:{bert}")
    assert code == 2
    assert err.count("\n") == 1 and "not a sentence-transformers model folder" in err


def test_a_broken_folder_fails_in_one_line(model_dir, tmp_path, capsys):
    import shutil

    broken = tmp_path / "broken-st"
    shutil.copytree(model_dir, broken)
    (broken / "model.safetensors").write_bytes(b"not weights")
    src, tgt = _write_pair(tmp_path)
    code, _, err = _run(capsys, "audit", src, tgt, "--encoder", f"st:{broken}", *LANGS)
    assert code == 2, err
    assert err.count("\n") == 1 and "cannot load the sentence-transformers model" in err
    # worker processes would each fail to load it: batch and corpus refuse it before they start
    for k in range(2):
        _write_pair(tmp_path / "docs", f"d{k}")
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "source,target\n" + "".join(f"docs/d{k}.src.txt,docs/d{k}.tgt.txt\n" for k in range(2)),
        encoding="utf-8",
    )
    for argv in (
        ("batch", "--manifest", manifest, "--out-dir", tmp_path / "b", "--jobs", "2"),
        ("corpus", "--manifest", manifest, "--out-dir", tmp_path / "c", "--engine", "local",
         "--jobs", "2"),
    ):  # fmt: skip
        code, _, err = _run(capsys, *argv, "--encoder", f"st:{broken}", *LANGS)
        assert code == 2, err
        assert err.count("\n") == 1 and "cannot load the sentence-transformers model" in err
