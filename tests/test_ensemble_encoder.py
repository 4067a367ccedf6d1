"""The two-encoder ensemble (issue 19, session 27d): cosines mix by the weight, rows stay unit."""

from __future__ import annotations

import numpy as np
import pytest

from mtaudit.encoders import EnsembleEncoder, HashingEncoder, normalise_rows
from mtaudit.errors import InputError


class FakeEncoder:
    """Deterministic random unit vectors per string (seeded by the string and the name)."""

    def __init__(self, name: str, dim: int) -> None:
        self.name = name
        self.version = f"{name}-v1"
        self.dim = dim
        self.calls: list[tuple[list[str], str | None]] = []

    def encode(self, sentences, lang=None):  # type: ignore[no-untyped-def]
        self.calls.append((list(sentences), lang))
        rows = []
        for s in sentences:
            seed = sum(ord(c) for c in f"{self.name}|{s}") % (2**31)
            rows.append(np.random.RandomState(seed).randn(self.dim))
        if not rows:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise_rows(np.vstack(rows) * 3.0)


SENTS = ["Der Hund schläft.", "Le chien dort.", "Ein ganz anderer Satz.", "x"]


@pytest.mark.parametrize("w", [0.3, 0.5, 0.7, 0.85])
def test_cosine_is_weighted_mix(w: float) -> None:
    a, b = FakeEncoder("a", 16), FakeEncoder("b", 8)
    ens = EnsembleEncoder(a, b, w)
    v = ens.encode(SENTS, "de")
    assert v.shape == (4, 24) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    ua, ub = a.encode(SENTS), b.encode(SENTS)
    want = w * (ua @ ua.T) + (1 - w) * (ub @ ub.T)
    np.testing.assert_allclose(v @ v.T, want, atol=1e-5)


def test_language_is_passed_and_empty_input() -> None:
    a, b = FakeEncoder("a", 4), FakeEncoder("b", 3)
    ens = EnsembleEncoder(a, b, 0.7)
    ens.encode(["Hallo."], "de")
    assert a.calls[-1] == (["Hallo."], "de") and b.calls[-1] == (["Hallo."], "de")
    assert ens.encode([], "fr").shape == (0, 7)


def test_deterministic_with_real_encoders() -> None:
    ens = EnsembleEncoder(HashingEncoder(), HashingEncoder(dim=256, n=2), 0.5)
    np.testing.assert_array_equal(ens.encode(SENTS), ens.encode(SENTS))


def test_signature_names_both_models_and_weight() -> None:
    ens = EnsembleEncoder(FakeEncoder("use-x", 4), FakeEncoder("e5-y", 4), 0.7)
    assert ens.name == "use-x*0.7+e5-y*0.3"
    assert "use-x-v1" in ens.version and "e5-y-v1" in ens.version
    assert ens.calibration == "generic"


@pytest.mark.parametrize("w", [0.0, 1.0, -0.2, 1.5])
def test_weight_must_be_inside_unit_interval(w: float) -> None:
    with pytest.raises(InputError):
        EnsembleEncoder(FakeEncoder("a", 4), FakeEncoder("b", 4), w)


def test_aligns_through_translation_aligner() -> None:
    from mtaudit.align.translation import align_translation

    src = [f"Satz Nummer {i} über Thema {i * 7}." for i in range(10)]
    ens = EnsembleEncoder(HashingEncoder(), HashingEncoder(dim=512, n=4), 0.7)
    links = align_translation(src, list(src), ens, src_lang="de", tgt_lang="de")
    assert [(lk.source, lk.target) for lk in links] == [([i], [i]) for i in range(10)]
