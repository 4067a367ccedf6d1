"""Per-side embedding centering (mtaudit.align.center) and its hooks in both aligners."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from test_align_translation import SENTENCES

from mtaudit.align import center
from mtaudit.align.comparable import ComparableSettings, align_comparable
from mtaudit.align.translation import align_translation
from mtaudit.encoders import HashingEncoder


def test_parse():
    assert center.parse("off") is None
    assert center.parse(None) is None
    assert center.parse("mean") == center.CenterSpec(1.0, 0)
    assert center.parse("mean:0.5") == center.CenterSpec(0.5, 0)
    assert center.parse("abtt:2") == center.CenterSpec(1.0, 2)
    assert center.parse("abtt:1:0.25") == center.CenterSpec(0.25, 1)
    for bad in ("centre", "mean:2", "abtt", "abtt:x", "mean:0.5:1"):
        with pytest.raises(ValueError):
            center.parse(bad)


def test_mean_removal_and_directions():
    rng = np.random.default_rng(0)
    common = rng.normal(size=16)
    x = rng.normal(size=(40, 16)) * 0.3 + common
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    t = center.fit(x, center.parse("mean"))
    y = t.apply(x)
    assert np.allclose(np.linalg.norm(y, axis=1), 1.0, atol=1e-5)
    # the centred rows have (nearly) no common direction left
    assert np.linalg.norm((x - x.mean(0)).mean(0)) < 1e-6
    assert float((y @ y.T).mean()) < float((x @ x.T).mean()) - 0.3
    t2 = center.fit(x, center.parse("abtt:2"))
    assert t2.directions.shape == (2, 16)
    assert np.allclose(t2.apply(x) @ t2.directions.T, 0.0, atol=1e-5)
    half = center.fit(x, center.parse("mean:0.5"))
    assert np.allclose(half.shift, 0.5 * x.mean(0), atol=1e-6)


def test_centered_encoder_keeps_raw_vectors():
    enc = HashingEncoder(dim=64)
    raw = enc.encode(SENTENCES, "en")
    t = center.fit(raw, center.parse("mean"))
    ce = center.CenteredEncoder(enc, t)
    assert np.allclose(ce.encode(SENTENCES[:3], "en"), t.apply(raw[:3]), atol=1e-6)
    assert np.allclose(ce.raw_encoder().encode(SENTENCES[:3], "en"), raw[:3], atol=1e-6)
    assert ce.encode([], "en").shape[0] == 0


def test_small_sides_are_not_centred():
    enc = HashingEncoder(dim=32)
    e = enc.encode(SENTENCES[:3], "en")
    assert center.center_pair(e, e, enc, center.parse("mean")) is None
    assert center.center_shared(e, e, enc, center.parse("mean"), "en", "de") is None


@pytest.mark.parametrize("spec", ["mean", "mean:0.5", "abtt:1"])
def test_translation_aligner_with_centering(spec):
    enc = HashingEncoder()
    src = SENTENCES
    tgt = [SENTENCES[0] + " " + SENTENCES[1]] + SENTENCES[2:]
    links = align_translation(src, tgt, enc, src_lang="en", tgt_lang="en", center=spec)
    assert [i for lk in links for i in lk.source] == list(range(len(src)))
    assert [j for lk in links for j in lk.target] == list(range(len(tgt)))
    off = align_translation(src, tgt, enc, src_lang="en", tgt_lang="en", center="off")
    # an identical pair aligns the same; reported similarities stay raw cosines
    by_link = {(tuple(lk.source), tuple(lk.target)): lk.similarity for lk in off}
    for lk in links:
        key = (tuple(lk.source), tuple(lk.target))
        if key in by_link:
            assert lk.similarity == pytest.approx(by_link[key], abs=1e-5)
    got = [(lk.source, lk.target) for lk in links]
    assert got[2:] == [(lk.source, lk.target) for lk in off][2:]


def test_comparable_aligner_with_centering():
    enc = HashingEncoder()
    retold = [SENTENCES[5], SENTENCES[2], "An unrelated remark about the weather in Bern."]
    retold += [SENTENCES[8], SENTENCES[0], SENTENCES[3], SENTENCES[7], SENTENCES[9]]
    s = replace(ComparableSettings(), center="mean")
    links = align_comparable(SENTENCES, retold, enc, src_lang="en", tgt_lang="en", settings=s)
    got = {(lk.source[0], lk.target[0]) for lk in links}
    assert {(5, 0), (2, 1), (8, 3), (0, 4)} <= got
    for lk in links:
        if len(lk.source) == len(lk.target) == 1:  # raw cosine: identical texts
            assert lk.similarity == pytest.approx(1.0, abs=1e-5)


def test_comparable_centering_per_language():
    enc = HashingEncoder()
    retold = [SENTENCES[5], SENTENCES[2], SENTENCES[8], SENTENCES[0], SENTENCES[3]]
    retold += [SENTENCES[7], SENTENCES[9], SENTENCES[1]]
    s = replace(ComparableSettings(), center="abtt:1:0.5")
    links = align_comparable(SENTENCES, retold, enc, src_lang="en", tgt_lang="de", settings=s)
    assert {(5, 0), (2, 1), (8, 2), (0, 3)} <= {(lk.source[0], lk.target[0]) for lk in links}


def test_cap_removes_only_the_excess_of_the_mean():
    rng = np.random.default_rng(1)
    tight = rng.normal(size=(60, 12)) * 0.2 + 1.0  # anisotropic: mean norm near 1
    tight /= np.linalg.norm(tight, axis=1, keepdims=True)
    loose = rng.normal(size=(60, 12))  # isotropic: mean norm small
    loose /= np.linalg.norm(loose, axis=1, keepdims=True)
    spec = center.parse("cap:0.6")
    assert spec == center.CenterSpec(1.0, 0, 0.6)
    t = center.fit(tight, spec)
    assert np.linalg.norm(tight.mean(0) - t.shift) == pytest.approx(0.6, abs=1e-4)
    assert np.allclose(center.fit(loose, spec).shift, 0.0)
    with pytest.raises(ValueError):
        center.parse("cap:2")


def test_settings_option_reaches_both_modes():
    import mtaudit
    from mtaudit.config import Settings
    from mtaudit.errors import InputError

    with pytest.raises(InputError, match="--align-center"):
        Settings(align_center="sideways")
    text = " ".join(SENTENCES)
    for mode in ("translation", "comparable"):
        for spec in (None, "off", "mean"):
            rep = mtaudit.audit(
                text,
                text,
                encoder=HashingEncoder(),
                fluency=False,
                src_lang="en",
                tgt_lang="en",
                mode=mode,
                align_center=spec,
            )
            assert {(tuple(lk.source), tuple(lk.target)) for lk in rep.links} == {
                ((i,), (i,)) for i in range(len(SENTENCES))
            }
            assert ("align_center" in rep.signature.settings) == (spec is not None)
