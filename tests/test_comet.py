"""CometScorer on tiny, locally built checkpoints: the code path users take, offline.

Everything but the "not installed" test needs the ``[comet]`` extra and is skipped without it.
The tiny models have random weights: these tests check loading, batching, ordering, references,
determinism and errors, not score quality.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mtaudit.errors import InputError, ModelUnavailableError
from mtaudit.score.comet import CometScorer

HERE = Path(__file__).resolve().parent

ITEMS = [
    {
        "src": "The weather is fine today.",
        "mt": "Погода сьогодні гарна.",
        "ref": "Сьогодні гарна погода.",
    },
    {
        "src": "Prices rose by 3 percent in May.",
        "mt": "Ціни зросли на 5 відсотків.",
        "ref": "Ціни зросли на 3 відсотки в травні.",
    },
    {"src": "Hello.", "mt": "Привіт.", "ref": "Привіт."},
    {
        "src": "Das ist ein kleiner Satz über Wetter und Zeit in der Stadt.",
        "mt": "This is a small sentence.",
        "ref": "This is a short sentence about the weather and time in the city.",
    },
]


@pytest.fixture(scope="module")
def comet_tiny():
    """The checkpoint builder; skips the test without the [comet] extra.

    Also runs torch on one thread meanwhile: on a busy 2-core machine, tiny models are many times
    faster than with two contending OpenMP threads.
    """
    pytest.importorskip("comet")
    import torch

    sys.path.insert(0, str(HERE))
    try:
        import comet_tiny
    finally:
        sys.path.remove(str(HERE))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield comet_tiny
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def tiny(comet_tiny, tmp_path_factory) -> dict[str, Path]:
    """One model folder per kind, sharing one encoder."""
    root = tmp_path_factory.mktemp("comet")
    encoder = comet_tiny.build_encoder(root / "shared-encoder")
    return {
        kind: comet_tiny.build_tiny_checkpoint(root, kind, encoder=encoder)
        for kind in comet_tiny.KINDS
    }


@pytest.fixture()
def no_download(monkeypatch):
    """Make COMET's and the Hub's download functions fail the test if they are ever called."""
    import comet
    import comet.models
    import huggingface_hub

    calls: list[object] = []

    def forbidden(*args, **kwargs):
        calls.append(args)
        raise AssertionError("a download function was called")

    for module, attr in (
        (comet, "download_model"),
        (comet.models, "download_model"),
        (comet.models, "snapshot_download"),
        (huggingface_hub, "snapshot_download"),
        (huggingface_hub, "hf_hub_download"),
    ):
        monkeypatch.setattr(module, attr, forbidden)
    yield calls
    assert calls == []


def _src_mt(items):
    return [{"src": it["src"], "mt": it["mt"]} for it in items]


def test_not_installed_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "comet", None)  # "import comet" now raises ImportError
    with pytest.raises(ModelUnavailableError, match=r"pip install 'mtaudit\[comet\]'"):
        CometScorer("anything")


def test_referenceless_scores_are_deterministic(tiny, no_network, no_download):
    first = CometScorer(tiny["referenceless"])
    second = CometScorer(tiny["referenceless"])
    assert first.name == "tiny-referenceless"
    assert first.version == __import__("comet").__version__
    assert first.signature == f"comet:{first.version}|model:tiny-referenceless"
    assert first.requires_references is False
    a = first.predict(_src_mt(ITEMS))
    b = second.predict(_src_mt(ITEMS))
    assert len(a) == len(ITEMS) and all(isinstance(x, float) and math.isfinite(x) for x in a)
    assert a == b
    assert first.predict(_src_mt(ITEMS)) == a


def test_scores_are_the_same_in_a_fresh_process(tiny):
    here = CometScorer(tiny["referenceless"]).predict(_src_mt(ITEMS))
    code = (
        "import json, sys\n"
        "from mtaudit.score import CometScorer\n"
        "items = json.loads(sys.stdin.read())\n"
        f"scorer = CometScorer({str(tiny['referenceless'])!r}, threads=1)\n"
        "print(json.dumps(scorer.predict(items)))\n"
    )
    env = dict(os.environ, PYTHONHASHSEED="123")
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(_src_mt(ITEMS)),
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == here


def test_length_sorted_batches_restore_input_order(tiny):
    scorer = CometScorer(tiny["referenceless"], batch_size=3)
    rng = random.Random(7)
    words = ["alpha", "beta", "gamma", "delta", "слово", "речення", "Wetter", "Stadt", "42", "9"]
    items = []
    for _ in range(17):
        n_src, n_mt = rng.randint(1, 30), rng.randint(1, 30)
        items.append(
            {
                "src": " ".join(rng.choice(words) for _ in range(n_src)),
                "mt": " ".join(rng.choice(words) for _ in range(n_mt)),
            }
        )
    seen: list[list[dict[str, str]]] = []
    inner = scorer._model.predict

    def spy(samples, **kwargs):
        seen.append(list(samples))
        return inner(samples, **kwargs)

    scorer._model.predict = spy
    scores = scorer.predict(items)
    lengths = [sum(map(len, s.values())) for s in seen[0]]
    assert lengths == sorted(lengths) and lengths != [sum(map(len, i.values())) for i in items]
    assert seen[0][0] is not items[0]  # copies, not the caller's dicts

    # Each score belongs to its own item: the same as scoring the item alone ...
    alone = CometScorer(tiny["referenceless"], batch_size=1).predict(items)  # batches of one
    assert alone == pytest.approx(scores, abs=1e-5)
    # ... and a shuffled input gives the same scores, shuffled.
    perm = list(range(len(items)))
    rng.shuffle(perm)
    shuffled = scorer.predict([items[i] for i in perm])
    assert shuffled == pytest.approx([scores[i] for i in perm], abs=1e-5)
    assert len({round(s, 4) for s in scores}) > len(items) // 2  # the scores tell items apart


def test_reference_based_model_needs_references(tiny):
    scorer = CometScorer(tiny["regression"])
    assert scorer.requires_references is True
    with pytest.raises(InputError, match="reference-based.*--reference"):
        scorer.predict(_src_mt(ITEMS))
    scores = scorer.predict(ITEMS)
    assert len(scores) == len(ITEMS)
    assert all(math.isfinite(s) for s in scores)


def test_mixed_references_are_rejected(tiny):
    scorer = CometScorer(tiny["unified"])
    mixed = [dict(ITEMS[0]), {"src": "a", "mt": "b"}]
    with pytest.raises(InputError, match="1 of 2"):
        scorer.predict(mixed)


def test_unified_model_with_and_without_references(tiny):
    scorer = CometScorer(tiny["unified"])
    assert scorer.requires_references is False
    assert len(scorer.predict(_src_mt(ITEMS))) == len(ITEMS)
    assert len(scorer.predict(ITEMS)) == len(ITEMS)
    ref_only = CometScorer(tiny["unified-ref"])
    assert ref_only.requires_references is True  # detected from hparams: input_segments mt+ref
    with pytest.raises(InputError, match="reference-based"):
        ref_only.predict(_src_mt(ITEMS))


def test_reference_free_model_ignores_references(tiny):
    scorer = CometScorer(tiny["referenceless"])
    assert scorer.predict(ITEMS) == scorer.predict(_src_mt(ITEMS))


def test_empty_and_malformed_items(tiny):
    scorer = CometScorer(tiny["referenceless"])
    assert scorer.predict([]) == []
    with pytest.raises(InputError, match="'mt'"):
        scorer.predict([{"src": "a"}])
    with pytest.raises(InputError, match="not a dict"):
        scorer.predict(["a"])  # type: ignore[list-item]


def test_checkpoint_file_path_and_no_files_left_behind(tiny, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ckpt = tiny["referenceless"] / "checkpoints" / "model.ckpt"
    by_file = CometScorer(ckpt)
    assert by_file.name == "tiny-referenceless"
    assert by_file.predict(_src_mt(ITEMS)) == CometScorer(tiny["referenceless"]).predict(
        _src_mt(ITEMS)
    )
    assert list(tmp_path.iterdir()) == []


def test_moved_checkpoint_still_loads(comet_tiny, tmp_path, no_network, no_download):
    original = comet_tiny.build_tiny_checkpoint(tmp_path / "train", "regression")
    expected = CometScorer(original).predict(ITEMS)
    moved = tmp_path / "elsewhere" / "my-model"
    shutil.move(str(original), str(moved))
    assert not original.exists()
    scorer = CometScorer(moved)
    assert Path(scorer.encoder) == (moved / "encoder").resolve()
    assert scorer.predict(ITEMS) == expected
    # hparams.yaml on disk is left as it was (the rewrite goes to a temporary copy)
    assert str(original / "encoder") in (moved / "hparams.yaml").read_text(encoding="utf-8")


def test_moved_checkpoint_without_its_encoder(comet_tiny, tmp_path):
    original = comet_tiny.build_tiny_checkpoint(tmp_path / "train", "referenceless")
    expected = CometScorer(original).predict(_src_mt(ITEMS))
    moved = tmp_path / "moved"
    shutil.move(str(original), str(moved))
    encoder_home = tmp_path / "encoders" / "xlmr-tiny"
    shutil.move(str(moved / "encoder"), str(encoder_home))
    with pytest.raises(ModelUnavailableError, match="moved"):
        CometScorer(moved)
    assert CometScorer(moved, encoder=encoder_home).predict(_src_mt(ITEMS)) == expected


def test_missing_paths_are_input_errors(tiny, tmp_path):
    with pytest.raises(InputError, match="not found"):
        CometScorer(tmp_path / "nope")
    with pytest.raises(InputError, match="checkpoints/model.ckpt"):
        CometScorer(tmp_path)
    folder = tmp_path / "copy"
    shutil.copytree(tiny["referenceless"], folder)
    (folder / "hparams.yaml").unlink()
    with pytest.raises(InputError, match="hparams.yaml"):
        CometScorer(folder)


def _hf_cache_put(cache: Path, repo_id: str, folder: Path, revision: str = "0" * 40) -> Path:
    """Lay ``folder`` out as the Hugging Face cache does: blobs, plus a snapshot of symlinks."""
    repo = cache / ("models--" + repo_id.replace("/", "--"))
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(revision, encoding="utf-8")
    (repo / "blobs").mkdir()
    snapshot = repo / "snapshots" / revision
    for k, file in enumerate(sorted(p for p in folder.rglob("*") if p.is_file())):
        blob = repo / "blobs" / f"blob{k}"
        shutil.copyfile(file, blob)
        link = snapshot / file.relative_to(folder)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))
    return snapshot


def test_hub_name_without_local_copy_never_downloads(
    tiny, tmp_path, monkeypatch, no_network, no_download
):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    env_before = dict(os.environ)
    with pytest.raises(ModelUnavailableError) as info:
        CometScorer("Unbabel/wmt22-cometkiwi-da")
    message = str(info.value)
    assert "never downloads" in message and "huggingface-cli download" in message
    assert "\n" not in message
    assert dict(os.environ) == env_before


def test_hub_name_in_local_cache_loads_offline(
    tiny, tmp_path, monkeypatch, no_network, no_download
):
    """A model and its encoder fetched earlier into the Hugging Face cache load by name."""
    import yaml

    cache = tmp_path / "hub"
    encoder = _hf_cache_put(cache, "tiny-org/tiny-xlmr", _encoder_of(tiny))
    staged = tmp_path / "staged"
    shutil.copytree(tiny["unified"], staged)
    hparams = yaml.safe_load((staged / "hparams.yaml").read_text(encoding="utf-8"))
    hparams["pretrained_model"] = "tiny-org/tiny-xlmr"  # a Hub name, as in published models
    (staged / "hparams.yaml").write_text(yaml.safe_dump(hparams), encoding="utf-8")
    model = _hf_cache_put(cache, "Unbabel/tiny-kiwi", staged)
    shutil.rmtree(staged)
    assert (model / "checkpoints" / "model.ckpt").is_symlink()
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    env_before = {k: os.environ.get(k) for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}

    scorer = CometScorer("Unbabel/tiny-kiwi")
    assert scorer.name == "Unbabel/tiny-kiwi"
    assert Path(scorer.encoder) == encoder
    assert scorer.predict(_src_mt(ITEMS)) == CometScorer(tiny["unified"]).predict(_src_mt(ITEMS))
    assert {k: os.environ.get(k) for k in env_before} == env_before

    # The same model whose encoder is not in the cache: say how to get it.
    shutil.rmtree(cache / "models--tiny-org--tiny-xlmr")
    with pytest.raises(ModelUnavailableError, match="tiny-org/tiny-xlmr.*huggingface-cli download"):
        CometScorer("Unbabel/tiny-kiwi")


def test_loading_is_offline_and_leaves_no_trace(tiny, monkeypatch):
    import comet
    import huggingface_hub.constants
    import transformers.utils.hub

    seen: list[tuple[object, ...]] = []
    real = comet.load_from_checkpoint

    def spy(*args, **kwargs):
        seen.append(
            (
                os.environ.get("HF_HUB_OFFLINE"),
                os.environ.get("TRANSFORMERS_OFFLINE"),
                huggingface_hub.constants.HF_HUB_OFFLINE,
                transformers.utils.hub.is_offline_mode(),
                kwargs.get("local_files_only"),
            )
        )
        return real(*args, **kwargs)

    monkeypatch.setattr(comet, "load_from_checkpoint", spy)
    env_before = dict(os.environ)
    flags_before = (
        huggingface_hub.constants.HF_HUB_OFFLINE,
        transformers.utils.hub.is_offline_mode(),
    )
    CometScorer(tiny["referenceless"])
    assert seen == [("1", "1", True, True, True)]
    assert dict(os.environ) == env_before
    assert (huggingface_hub.constants.HF_HUB_OFFLINE, transformers.utils.hub.is_offline_mode()) == (
        flags_before
    )


def _encoder_of(tiny: dict[str, Path]) -> Path:
    import yaml

    hparams = yaml.safe_load((tiny["unified"] / "hparams.yaml").read_text(encoding="utf-8"))
    return Path(hparams["pretrained_model"])


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_corrupt_checkpoint(tiny, tmp_path, damage):
    folder = tmp_path / "broken"
    shutil.copytree(tiny["referenceless"], folder)
    ckpt = folder / "checkpoints" / "model.ckpt"
    data = ckpt.read_bytes()
    ckpt.write_bytes(data[: len(data) // 2] if damage == "truncate" else b"not a checkpoint" * 64)
    with pytest.raises(ModelUnavailableError, match="corrupt.*download it again"):
        CometScorer(folder)


def test_unsupported_or_unreadable_hparams(tiny, tmp_path, monkeypatch):
    import yaml

    folder = tmp_path / "ranking"
    shutil.copytree(tiny["referenceless"], folder)
    hparams_file = folder / "hparams.yaml"
    hparams = yaml.safe_load(hparams_file.read_text(encoding="utf-8"))
    hparams_file.write_text(yaml.safe_dump(dict(hparams, class_identifier="ranking_metric")))
    with pytest.raises(ModelUnavailableError, match="ranking_metric"):
        CometScorer(folder)
    hparams_file.write_text("just: [unclosed", encoding="utf-8")
    with pytest.raises(ModelUnavailableError, match="hparams.yaml"):
        CometScorer(folder)
    # COMET applies its sparsemax_patch fix only when pkg_resources imports (setuptools<81).
    hparams_file.write_text(yaml.safe_dump(dict(hparams, layer_transformation="sparsemax_patch")))
    monkeypatch.setitem(sys.modules, "pkg_resources", None)
    with pytest.raises(ModelUnavailableError, match="setuptools<81"):
        CometScorer(folder)


def test_cli_audit_with_comet_model(tiny, tmp_path, capsys):
    """The whole CLI path users take: a pairs file, a local checkpoint, scores in the report."""
    import json

    from mtaudit.cli import main

    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(
        "Das Wetter ist heute schön.\tThe weather is nice today.\tThe weather is fine today.\n"
        "Ich gehe nach Hause.\tI go home.\tI am going home.\n",
        encoding="utf-8",
    )
    outs = []
    for kind in ("referenceless", "regression"):
        code = main(
            [
                "audit",
                "--pairs",
                str(pairs),
                "--src-lang",
                "de",
                "--tgt-lang",
                "en",
                "--encoder",
                "hashing",
                "--no-fluency",
                "--comet-model",
                str(tiny[kind]),
            ]
        )
        out, err = capsys.readouterr()
        assert code == 0, err
        data = json.loads(out)
        scores = [lk["scores"]["comet"] for lk in data["links"]]
        assert len(scores) == 2 and all(isinstance(s, float) for s in scores)
        assert "comet" in data["signature"]["components"]
        assert data["summary"]["comet"]["mean"] is not None
        outs.append(scores)
    # the reference-based model also got BLEU/chrF from the third column
    assert "bleu" in data["links"][0]["scores"]
