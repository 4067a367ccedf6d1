"""Stage 3 (align, retold-article mode) and the automatic mode choice."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mtaudit.align import choose_mode
from mtaudit.align.comparable import align_comparable, csls, standardise
from mtaudit.encoders import HashingEncoder

SOURCE = [
    "The city council approved the new budget for public transport on Tuesday.",
    "Bus fares will fall by ten percent from the first of March.",
    "The mayor said the plan would cut traffic in the old town.",
    "Opposition members criticised the cost of the tram extension.",
    "The extension is expected to open in two thousand twenty-seven.",
    "Local shops welcomed the decision.",
]
# A retelling in the same language: reordered, partial, one sentence of its own.
RETOLD = [
    "Bus fares will fall by ten percent from March, the council said.",
    "A famous chef opened a new restaurant near the harbour yesterday evening.",
    "The city council approved the new budget for public transport.",
    "Opposition members criticised the cost of the tram extension plan.",
]


def test_retelling_links_restated_sentences_only():
    links = align_comparable(SOURCE, RETOLD, HashingEncoder())
    pairs = {(tuple(lk.source), tuple(lk.target)) for lk in links}
    assert ((1,), (0,)) in pairs
    assert ((0,), (2,)) in pairs
    assert ((3,), (3,)) in pairs
    assert all(1 not in lk.target for lk in links)  # the unrelated sentence stays unlinked
    for lk in links:
        assert 0.0 <= lk.confidence <= 1.0
        assert -1.0 <= lk.similarity <= 1.0001


def test_empty_sides():
    assert align_comparable([], RETOLD, HashingEncoder()) == []
    assert align_comparable(SOURCE, [], HashingEncoder()) == []


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=12),
    st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=12),
)
def test_links_are_valid_for_any_input(src, tgt):
    links = align_comparable(src, tgt, HashingEncoder(dim=64))
    seen_t: set[int] = set()
    for lk in links:
        assert lk.source and lk.target
        assert all(0 <= i < len(src) for i in lk.source)
        assert all(0 <= j < len(tgt) for j in lk.target)
        assert not seen_t & set(lk.target)  # each target sentence in at most one link
        seen_t |= set(lk.target)
        assert len(lk.source) <= 4 and len(lk.target) <= 4


def test_csls_and_standardise_shapes():
    rng = np.random.default_rng(0)
    sim = rng.uniform(-1, 1, size=(5, 7)).astype(np.float32)
    assert csls(sim).shape == sim.shape
    z = standardise(sim)
    assert abs(float(np.median(z))) < 1e-5
    assert standardise(np.zeros((0, 3))).shape == (0, 3)


def test_choose_mode():
    rng = np.random.default_rng(1)
    src = rng.normal(size=(40, 16)).astype(np.float32)
    src /= np.linalg.norm(src, axis=1, keepdims=True)
    noisy = src + 0.05 * rng.normal(size=src.shape).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    mode, ev = choose_mode(src, noisy)
    assert mode == "translation" and ev["order_correlation"] > 0.95
    shuffled = noisy[rng.permutation(40)][:15]
    mode, ev = choose_mode(src, shuffled)
    assert mode == "comparable"


def test_neighbours_blockwise_match_the_full_matrix():
    from mtaudit.align.comparable import neighbours

    rng = np.random.default_rng(3)
    t = rng.normal(size=(37, 8)).astype(np.float32)
    s = rng.normal(size=(23, 8)).astype(np.float32)
    full = t @ s.T
    nb = neighbours(t, s, k=4, top=2, block=5, background=1000)
    assert np.array_equal(nb.top_idx[:, 0], full.argmax(axis=1))
    assert np.allclose(nb.top_sim[:, 1], np.sort(full, axis=1)[:, -2], atol=1e-6)
    assert np.allclose(nb.r_row, np.sort(full, axis=1)[:, -4:].mean(axis=1), atol=1e-5)
    assert np.allclose(nb.r_col, np.sort(full, axis=0)[-4:, :].mean(axis=0), atol=1e-5)
    assert np.array_equal(nb.col_best, full.argmax(axis=0))
    assert abs(nb.median - float(np.median(full))) < 1e-6
    # each source's three best targets, best first (used by the join evidence)
    assert np.array_equal(nb.col_idx, np.argsort(-full, axis=0, kind="stable")[:3])
    assert np.allclose(nb.col_sim, -np.sort(-full, axis=0)[:3], atol=1e-6)


def _compress(emb: np.ndarray, shift: float) -> np.ndarray:
    """The same geometry with cosines squeezed towards 1, as a compressed-range encoder has."""
    common = np.zeros(emb.shape[1] + 1, dtype=np.float32)
    common[-1] = 1.0
    out = np.hstack([emb, np.zeros((len(emb), 1), dtype=np.float32)]) + shift * common
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def test_decisions_do_not_depend_on_the_cosine_range():
    """Thresholds are in units of the pair's own spread: squeezing every cosine towards 1 (an
    E5-like encoder) leaves the links as they were."""
    enc = HashingEncoder()
    se, te = enc.encode(SOURCE), enc.encode(RETOLD)
    wide = align_comparable(SOURCE, RETOLD, enc, src_emb=se, tgt_emb=te)
    settings_ = __import__("mtaudit.align.comparable", fromlist=["x"]).ComparableSettings(
        joins=False
    )
    wide = align_comparable(SOURCE, RETOLD, enc, src_emb=se, tgt_emb=te, settings=settings_)
    narrow = align_comparable(
        SOURCE, RETOLD, enc, src_emb=_compress(se, 2.0), tgt_emb=_compress(te, 2.0),
        settings=settings_,
    )  # fmt: skip
    assert [(lk.source, lk.target) for lk in wide] == [(lk.source, lk.target) for lk in narrow]
    assert wide


def test_a_merged_retelling_links_both_sources():
    src = SOURCE
    retold = [
        SOURCE[3] + " " + SOURCE[4],
        "A famous chef opened a new restaurant near the harbour.",
    ]
    links = align_comparable(src, retold, HashingEncoder())
    assert [(lk.source, lk.target) for lk in links] == [([3, 4], [0])]


def test_a_split_retelling_links_both_halves():
    """One source sentence restated in two target sentences: both join its link."""
    retold = [
        "A famous chef opened a new restaurant near the harbour.",
        "Opposition members criticised",
        "the cost of the tram extension.",
        "Bus fares will fall by ten percent from the first of March.",
    ]
    links = align_comparable(SOURCE, retold, HashingEncoder())
    pairs = [(lk.source, lk.target) for lk in links]
    assert ([3], [1, 2]) in pairs
    assert ([1], [3]) in pairs
    assert all(0 not in lk.target for lk in links)


def test_join_candidates_carry_rank_and_margin_evidence():
    """Every join feature is a rank, an adjacency or a difference in spreads: squeezing the
    cosines (an E5-like range) leaves them unchanged."""
    from mtaudit.align.comparable import (
        SOURCE_JOIN,
        TARGET_JOIN,
        ComparableSettings,
        first_links,
        join_candidates,
        neighbours,
    )

    class Squeezed(HashingEncoder):
        def __init__(self, shift: float) -> None:
            super().__init__()
            self.shift = shift

        def encode(self, sentences, lang=None):  # type: ignore[no-untyped-def]
            return _compress(super().encode(sentences, lang), self.shift)

    retold = [SOURCE[3] + " " + SOURCE[4], RETOLD[1], SOURCE[0]]
    feats = []
    for shift in (0.0, 2.0):
        enc = Squeezed(shift)
        a, b = enc.encode(SOURCE), enc.encode(retold)
        nb = neighbours(b, a)
        best = first_links(nb, ComparableSettings())
        jc = join_candidates(SOURCE, retold, a, b, enc, nb, best)
        assert jc.source_x.shape[1] == len(SOURCE_JOIN) - 1
        assert jc.target_x.shape[1] == len(TARGET_JOIN) - 1
        feats.append((jc.source, jc.source_x))
    assert feats[0][0] and feats[0][0] == feats[1][0]
    assert np.allclose(feats[0][1], feats[1][1], atol=0.05)


def test_centred_spread_discounts_hub_offsets():
    from mtaudit.align.comparable import neighbours

    rng = np.random.default_rng(3)
    src = rng.normal(size=(30, 16)).astype(np.float32)
    tgt = rng.normal(size=(25, 16)).astype(np.float32)
    src /= np.linalg.norm(src, axis=1, keepdims=True)
    tgt /= np.linalg.norm(tgt, axis=1, keepdims=True)
    raw = neighbours(tgt, src)
    assert neighbours(tgt, src, centred=True).spread <= raw.spread * 1.05
    # a shared direction in every sentence (strong hubs) widens the raw spread, not the centred
    hub_t = rng.uniform(0, 1.5, size=(25, 1)).astype(np.float32)
    hub_s = rng.uniform(0, 1.5, size=(30, 1)).astype(np.float32)
    common = rng.normal(size=16).astype(np.float32)
    tgt2 = tgt + hub_t * common / np.linalg.norm(common)
    src2 = src + hub_s * common / np.linalg.norm(common)
    tgt2 /= np.linalg.norm(tgt2, axis=1, keepdims=True)
    src2 /= np.linalg.norm(src2, axis=1, keepdims=True)
    assert neighbours(tgt2, src2, centred=True).spread < 0.8 * neighbours(tgt2, src2).spread


def test_csls_rank_prefers_the_less_hubby_source():
    from mtaudit.align.comparable import neighbours

    rng = np.random.default_rng(5)
    src = rng.normal(size=(12, 16)).astype(np.float32)
    src /= np.linalg.norm(src, axis=1, keepdims=True)
    tgt = src.copy()
    # source 0 becomes a hub: close to every target, slightly closer to target 1 than its own
    src[0] = tgt.mean(axis=0) * 0.2 + tgt[1] * 0.8
    src[0] /= np.linalg.norm(src[0])
    tgt[1] = (tgt[1] + 0.3 * src[0]) / np.linalg.norm(tgt[1] + 0.3 * src[0])
    cos = neighbours(tgt, src)
    ranked = neighbours(tgt, src, csls_rank=True)
    assert cos.top_idx.shape == ranked.top_idx.shape == (12, 2)
    # the pool is re-ranked by CSLS: the same set of scores, possibly another order
    for j in range(12):
        score = ranked.top_sim[j] - 0.5 * ranked.r_col[ranked.top_idx[j]]
        assert score[0] >= score[1] - 1e-6
    np.testing.assert_allclose(ranked.r_col, cos.r_col, atol=1e-6)


def test_lexical_keys_meet_across_scripts():
    from mtaudit.align.lexical import keys, skeleton

    uk = keys("Зеленського привітав Байден у Києві 24 лютого 2022 року")
    en = keys("Biden greeted Zelensky in Kyiv on 24 February 2022")
    assert {"zlns", "bdn", "kv", "#24", "#2022"} <= uk & en
    assert skeleton("reagan") == skeleton("reygan") == "rgn"
    assert keys("1,200 or 1 200") == {"#1200"}
    assert keys("no names here, all lower case") == set()


def test_lexical_extension_adds_rarity_weighted_anchors_to_the_cosine():
    from mtaudit.align.lexical import lexical_extend

    src = ["Байден прибув до Києва.", "Погода була гарна.", "Байден говорив довго."]
    tgt = ["Biden arrived in Kyiv.", "It rained."]
    enc = HashingEncoder()
    se, te = enc.encode(src), enc.encode(tgt)
    xs, xt, xenc = lexical_extend(src, tgt, se, te, enc, weight=1.0, spread=0.5)
    bonus = xt @ xs.T - te @ se.T
    # "bdn" is in two source sentences (weight 1/2), "kv" in one (weight 1): 0.5 * (1/2 + 1)
    assert np.isclose(bonus[0, 0], 0.75) and np.isclose(bonus[0, 2], 0.25)
    assert np.allclose(bonus[1], 0.0) and np.allclose(bonus[:, 1], 0.0)
    # a joined text is extended the same way
    assert np.allclose(xenc.encode([src[0]]), xs[:1], atol=1e-6)
    # nothing shared, nothing added
    assert lexical_extend(["Погода."], ["It rained."], se[:1], te[:1], enc, 1.0, 0.5) is None


def test_a_shared_name_decides_between_equally_close_sources():
    """Two source sentences equally close to a retold one by the encoder: the one sharing its
    (transliterated) name and number is linked."""
    from dataclasses import replace

    from mtaudit.align.comparable import ComparableSettings

    rng = np.random.default_rng(0)
    n = 12
    base = rng.normal(size=(n, 64)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    src = [f"Речення номер {k} без імен." for k in range(n)]
    src[3] = "Президент зустрівся з міністром кілька разів."
    src[7] = "Зеленський зустрівся з Байденом 17 разів."
    se = base.copy()
    se[7] = se[3]  # the encoder cannot tell 3 from 7 (a tie goes to the lower index)
    tgt = ["Zelensky met Biden 17 times."] + [f"sentence {k} of its own" for k in range(5)]
    te = np.vstack([se[7] * 0.9 + 0.1 * base[0], rng.normal(size=(5, 64))]).astype(np.float32)
    te /= np.linalg.norm(te, axis=1, keepdims=True)
    enc = HashingEncoder()
    off = replace(ComparableSettings(), lexical=0.0, joins=False)
    on = replace(ComparableSettings(), joins=False)
    assert on.lexical > 0
    got = align_comparable(src, tgt, enc, src_emb=se, tgt_emb=te, settings=on)
    assert [(lk.source, lk.target) for lk in got if 0 in lk.target] == [([7], [0])]
    plain = align_comparable(src, tgt, enc, src_emb=se, tgt_emb=te, settings=off)
    assert [lk.source for lk in plain if 0 in lk.target] != [[7]]
