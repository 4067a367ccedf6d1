"""Retold-article ("comparable") alignment: non-monotone, partial, with a confidence per link.

When the target is not a translation but a retelling — an outlet restating another's report in its
own order, splitting and merging sentences, adding material of its own and leaving much out — a
monotone aligner is the wrong tool. Here each target sentence is linked to the source sentence(s)
it restates, or to none.

Method. Every decision is made in units of the pair's own *spread* (the robust standard deviation
of the cosines of all its sentence pairs, from a sample) and from ranks, never from absolute
cosines, so one setting serves a wide-range encoder (USE: random pairs ~0.1, translations ~0.8)
and a compressed one (E5: ~0.75 vs ~0.88), and an encoder never calibrated here:

1. The similarities ``S[j, i]`` (target *j*, source *i*) are computed block by block; kept are
   each target's two best sources, the CSLS neighbourhood means of both sides (the mean of each
   sentence's ``k`` best cosines on the other side), each source's three best targets, and a
   sample for the background median and spread. Memory is linear in the two lengths (10,000 x 10,000
   sentences: 255 MB peak, 6 s after encoding; the former whole-matrix version: 2.4 GB, 24 s).
2. A target is linked to its best source when the CSLS margin (Lample et al. 2018: the cosine
   minus the mean of the two neighbourhood means, which discounts hubs and topical documents) is
   at least ``csls_min`` spreads — ``mutual_bonus`` less when the two are each other's best match
   (mutual nearest neighbours), ``sequence_bonus`` less when the link continues the sequence of a
   neighbouring link — and the cosine is ``z_min`` spreads above the background median. A
   target whose best source prefers another target takes its second best instead when that one
   prefers it (``mutual_second``).
3. Many-to-one and one-to-many restatements (:func:`_joins`): a linked target may take a second
   source (its second best or a neighbour of its source), and an unlinked target next to a linked
   one may join that link (a sentence split in two), when a logistic score over in-document
   evidence — adjacency, sequence, cosine gap, the margin over competing sentences, the gain of
   the joined text and of length agreement, all ranks or differences in spreads — clears
   ``join_min``. Two unlinked neighbouring targets with one best source are linked together
   when their joined text clears the single-link bar (:func:`_split_pairs`).
4. Links sharing a sentence are merged, up to ``max_group`` sentences a side.

Lexical anchors (``lexical``, :mod:`.lexical`): numbers and names shared by two sentences —
names transliterated to ASCII and compared by consonant skeleton, so Cyrillic and Latin spellings
meet — add ``lexical`` spreads times their rarity weight to the pair's cosine before all of the
above (the embeddings are extended, so ranks, margins and joined texts all see it).

Chosen (and the join weights fitted, ``bench_news_retold.fit_joins``) on the *tune* documents of
``benchmarks/bench_news_retold.py`` (WMT22 en–uk, en–ru, de–fr news retold in both directions;
USE for ru and de–fr, E5 for uk) and reported there on held-out
documents and on four language pairs never tuned on. Before (absolute CSLS ≥ 0.06, tuned on
Text+Berg de–fr with USE) held-out F1 was 0.31 uk→en and 0.47 hr→en (the E5 pairs), 0.94 ru→en.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..encoders import Encoder
from ..report import Link
from .center import center_shared
from .center import parse as parse_center

__all__ = [
    "ComparableSettings",
    "JoinCandidates",
    "Neighbours",
    "align_comparable",
    "csls",
    "join_candidates",
    "lexical_inputs",
    "neighbours",
    "settings_neighbours",
    "standardise",
]


@dataclass(frozen=True)
class ComparableSettings:
    """Parameters of :func:`align_comparable`.

    Every threshold is in units of the pair's own *spread* — the robust standard deviation of
    the cosines of (a sample of) all its sentence pairs — so one setting serves encoders with
    wide (USE) and compressed (E5) cosine ranges, and encoders never calibrated here. Chosen on
    the tune documents of ``benchmarks/bench_news_retold.py`` (en–uk, en–ru, de–fr, both
    directions, USE and E5).
    """

    #: Minimum z-score of a link's cosine against the pair's background (median / spread).
    z_min: float = 1.0
    #: Minimum CSLS margin (cosine minus the mean neighbourhood similarity of both sentences),
    #: in spreads: the deciding threshold.
    csls_min: float = 0.45
    #: ... lowered by this much (in spreads) when the two sentences are each other's best match
    #: (mutual nearest neighbours).
    mutual_bonus: float = 0.3
    #: ... and by this much when the link continues the sequence of a neighbouring link.
    sequence_bonus: float = 0.5
    #: ... for the target's best source, or its second best too (2).
    sequence_top: int = 2
    #: A link whose source breaks the neighbours' sequence moves to the target's second best
    #: when that one continues it, is within ``second_gap`` and clears the lowered bar.
    sequence_override: bool = True
    #: A neighbouring link is in sequence when its source is at most this many sentences away
    #: (2 also allows for a merged or dropped sentence between them).
    sequence_reach: int = 1
    #: A target whose best source prefers another target takes its second best instead when
    #: that one prefers it (mutual) and clears the bar (not when the two are neighbours: that
    #: is a merged restatement, see :func:`_joins`).
    mutual_second: bool = True
    #: ... when its cosine is within this many spreads of the best one.
    second_gap: float = 0.5
    #: Link two unlinked neighbouring targets with the same best source as one split
    #: restatement when their joined text clears the single-link bar (see :func:`_split_pairs`).
    split_pairs: bool = True
    #: Look for many-to-one and one-to-many restatements (see :func:`_joins`).
    joins: bool = True
    #: A join (a second source for a linked target, or a neighbouring target for a linked
    #: source: see :func:`_joins`) is made when its logistic score is at least this (0 = even
    #: odds on the tune documents).
    join_min: float = -0.5
    #: Neighbourhood size for CSLS.
    k: int = 4
    #: Largest number of sentences on either side of one link.
    max_group: int = 4
    #: Logistic scale (in spreads) of the confidence around ``csls_min``.
    confidence_scale: float = 0.25
    #: Target sentences per block of the similarity computation (memory is ``block x n_src``).
    block: int = 512
    #: Similarities sampled per target sentence for the background (median / spread).
    background: int = 64
    #: Measure the spread on the cosines less each sentence's mean cosine (see
    #: :func:`neighbours`), not on the raw cosines. Off: on the tune documents it helps the USE
    #: pairs but not E5 (whose raw spread is 40% hub offsets, USE's 20%); see docs/alignment.md.
    centred_spread: bool = False
    #: Rank each target's candidate sources by CSLS (the cosine less half the source's
    #: neighbourhood mean: hubs discounted) instead of by cosine. With E5 the gold source is the
    #: best CSLS match more often than the best cosine (tune uk→en 0.969 vs 0.948); off by
    #: default, see docs/alignment.md (with ``k = 3``: tune F1 up in every direction, held-out
    #: mixed).
    csls_rank: bool = False
    #: ... and each source's best target (``col_best``, the mutual test) by CSLS too.
    csls_col: bool = False
    #: Weight (in spreads) of the lexical anchors shared by two sentences — numbers and names
    #: matched after transliteration, weighted by rarity (:mod:`.lexical`) — added to their
    #: cosine; 0 = off.
    lexical: float = 0.75
    #: Letters of a transliterated name that must agree (see :data:`.lexical.PREFIX`).
    lexical_prefix: int = 4
    #: Centre each side's embeddings (and its joined texts) on the side's mean before every
    #: decision (:mod:`.center`: ``"off"``, ``"mean"``, ``"mean:S"``, ``"cap:R"``,
    #: ``"abtt:K[:S]"``); the reported similarities stay raw cosines. ``"cap:0.6"`` removes only
    #: the part of a side's mean beyond norm 0.6: E5 sides (mean norm ~0.9) lose a third of it,
    #: USE sides (~0.3–0.6) nothing. Tune uk→en 0.963 → 0.968 (three retellings a document:
    #: 0.969 → 0.976), every other dev set equal; the whole mean or the top directions removed
    #: lowered every set (``benchmarks/bench_align_center.py``, docs/benchmarks.md).
    center: str = "cap:0.6"


def standardise(sim: np.ndarray) -> np.ndarray:
    """Robust z-scores of a similarity matrix against its own distribution (median / MAD)."""
    if sim.size == 0:
        return sim.astype(np.float32)
    med = float(np.median(sim))
    mad = float(np.median(np.abs(sim - med))) * 1.4826
    spread = max(mad, float(sim.std()) * 0.5, 1e-3)
    return ((sim - med) / spread).astype(np.float32)


def csls(sim: np.ndarray, k: int = 4) -> np.ndarray:
    """Cross-domain similarity local scaling: ``2·cos − r_row − r_col`` (halved to stay in cos units).

    ``r_row[j]`` is the mean of row *j*'s ``k`` largest similarities and ``r_col[i]`` the same for
    column *i*; a sentence that is close to everything (a hub) is discounted.
    """
    if sim.size == 0:
        return sim.astype(np.float32)
    kr = max(1, min(k, sim.shape[1]))
    kc = max(1, min(k, sim.shape[0]))
    r_row = np.sort(sim, axis=1)[:, -kr:].mean(axis=1)
    r_col = np.sort(sim, axis=0)[-kc:, :].mean(axis=0)
    return (sim - 0.5 * (r_row[:, None] + r_col[None, :])).astype(np.float32)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _confidence(score: float, s: ComparableSettings) -> float:
    """Logistic in the CSLS margin (in spreads) over the threshold: 0.5 at the threshold."""
    return float(1.0 / (1.0 + np.exp(-(score - s.csls_min) / s.confidence_scale)))


@dataclass
class Neighbours:
    """What the aligner keeps of the ``n_t x n_s`` similarity matrix, computed block by block
    (memory ``O((n_t + n_s) · k)`` besides one block): each target's ``top`` best sources, the
    CSLS neighbourhood means of both sides, each source's best target, and the background."""

    top_idx: np.ndarray  # (n_t, top) best sources per target, best first
    top_sim: np.ndarray  # (n_t, top) their cosines
    r_row: np.ndarray  # (n_t,) mean of each target's k best cosines
    r_col: np.ndarray  # (n_s,) mean of each source's k best cosines
    col_best: np.ndarray  # (n_s,) each source's best target
    median: float  # median cosine of (a sample of) all pairs
    spread: float  # robust standard deviation of those cosines
    col_idx: np.ndarray | None = None  # (3, n_s) each source's three best targets, best first
    col_sim: np.ndarray | None = None  # (3, n_s) their cosines (-inf where there are fewer)

    def z(self, sim: np.ndarray) -> np.ndarray:
        return (sim - self.median) / self.spread


def neighbours(
    tgt_emb: np.ndarray,
    src_emb: np.ndarray,
    *,
    k: int = 4,
    top: int = 2,
    block: int = 512,
    background: int = 64,
    centred: bool = False,
    csls_rank: bool = False,
    csls_col: bool = False,
) -> Neighbours:
    """Block-wise nearest-neighbour statistics of ``tgt_emb @ src_emb.T`` (see :class:`Neighbours`).

    The background is every pair when there are at most ``background`` sources, else the
    ``background`` sources evenly spread over the document, for every target. With ``centred``
    the spread is that of the sample's *interaction* part: each cosine less its target's and its
    source's mean cosine (plus the grand mean), so that sentences close to everything (hubs) do
    not widen the unit every decision is measured in (see ``ComparableSettings.centred_spread``).
    """
    n_t, n_s = len(tgt_emb), len(src_emb)
    kr, kc, top = max(1, min(k, n_s)), max(1, min(k, n_t)), max(1, min(top, n_s))
    out_top = top
    # with ``csls_rank`` a pool of the best cosines is kept and re-ranked by CSLS at the end
    top = max(top, min(n_s, 8)) if csls_rank else top
    top_idx = np.zeros((n_t, top), dtype=np.int64)
    top_sim = np.zeros((n_t, top), dtype=np.float32)
    r_row = np.zeros(n_t, dtype=np.float32)
    col_top = np.full((kc, n_s), -np.inf, dtype=np.float32)
    col_best = np.zeros(n_s, dtype=np.int64)
    col_best_sim = np.full(n_s, -np.inf, dtype=np.float32)
    c3 = min(3, n_t)
    col_idx = np.full((c3, n_s), -1, dtype=np.int64)
    col_sim = np.full((c3, n_s), -np.inf, dtype=np.float32)
    cols = np.unique(np.linspace(0, n_s - 1, num=min(background, n_s)).round().astype(np.int64))
    sample = []
    row_mean = np.zeros(n_t, dtype=np.float64)
    col_sum = np.zeros(n_s, dtype=np.float64)
    src = np.asarray(src_emb, dtype=np.float32)
    for b0 in range(0, n_t, block):
        b1 = min(n_t, b0 + block)
        sim = np.asarray(tgt_emb[b0:b1], dtype=np.float32) @ src.T  # (b, n_s)
        rows = np.arange(b1 - b0)[:, None]
        part = np.argpartition(-sim, top - 1, axis=1)[:, :top] if top < n_s else None
        cand = part if part is not None else np.tile(np.arange(n_s), (b1 - b0, 1))
        cs = sim[rows, cand]
        order = np.lexsort((cand, -cs), axis=1)  # best first, ties to the lower index
        top_idx[b0:b1] = cand[rows, order][:, :top]
        top_sim[b0:b1] = cs[rows, order][:, :top]
        r_row[b0:b1] = -np.partition(-sim, kr - 1, axis=1)[:, :kr].mean(axis=1)
        both = np.vstack([col_top, sim])
        col_top = -np.partition(-both, kc - 1, axis=0)[:kc]
        # each source's best target (by CSLS too with ``csls_col``: the row term is known here)
        csim = sim - 0.5 * r_row[b0:b1, None] if csls_col else sim
        bj = csim.argmax(axis=0)
        bv = csim[bj, np.arange(n_s)]
        better = bv > col_best_sim
        col_best[better] = bj[better] + b0
        col_best_sim[better] = bv[better]
        cb = min(c3, b1 - b0)
        bi = (
            np.argpartition(-sim, cb - 1, axis=0)[:cb]
            if cb < b1 - b0
            else np.tile(np.arange(b1 - b0)[:, None], (1, n_s))
        )
        all_i = np.vstack([col_idx, bi + b0])
        all_s = np.vstack([col_sim, sim[bi, np.arange(n_s)[None, :]]])
        order = np.argsort(-all_s, axis=0, kind="stable")[:c3]
        col_idx = np.take_along_axis(all_i, order, axis=0)
        col_sim = np.take_along_axis(all_s, order, axis=0)
        sample.append(sim[:, cols])
        row_mean[b0:b1] = sim.mean(axis=1)
        col_sum += sim.sum(axis=0)
    bg2 = np.vstack(sample) if sample else np.zeros((1, 1), dtype=np.float32)
    bg = bg2.ravel()
    med = float(np.median(bg))
    res = bg
    if centred and n_t > 1 and n_s > 1:
        col_mean = col_sum / n_t
        res = (bg2 - row_mean[:, None] - col_mean[cols][None, :] + row_mean.mean()).ravel()
    rmed = float(np.median(res))
    mad = float(np.median(np.abs(res - rmed))) * 1.4826
    spread = max(mad, float(res.std()) * 0.5, 1e-3)
    r_col = col_top.mean(axis=0)
    if csls_rank:
        score = top_sim - 0.5 * r_col[top_idx]
        order = np.lexsort((top_idx, -score), axis=1)[:, :out_top]
        top_idx = np.take_along_axis(top_idx, order, axis=1)
        top_sim = np.take_along_axis(top_sim, order, axis=1)
    return Neighbours(top_idx, top_sim, r_row, r_col, col_best, med, spread, col_idx, col_sim)


def settings_neighbours(
    tgt_emb: np.ndarray, src_emb: np.ndarray, s: ComparableSettings
) -> Neighbours:
    """:func:`neighbours` as :func:`align_comparable` computes them under settings ``s`` (the
    join fitter of the benchmarks reads the same)."""
    return neighbours(
        tgt_emb,
        src_emb,
        k=s.k,
        top=2,
        block=s.block,
        background=s.background,
        centred=s.centred_spread,
        csls_rank=s.csls_rank,
        csls_col=s.csls_col,
    )


def lexical_inputs(
    src: Sequence[str],
    tgt: Sequence[str],
    src_emb: np.ndarray,
    tgt_emb: np.ndarray,
    encoder: Encoder,
    s: ComparableSettings,
) -> tuple[np.ndarray, np.ndarray, Encoder]:
    """The embeddings and encoder the decisions use: with ``s.lexical`` both sides (and any
    joined text) extended by their weighted lexical anchors (:func:`.lexical.lexical_extend`),
    so that every similarity is ``cosine + lexical * spread * shared anchors``; the spread is
    that of the raw cosines (the background sample of :func:`neighbours`)."""
    if s.lexical <= 0 or len(src) == 0 or len(tgt) == 0:
        return src_emb, tgt_emb, encoder
    from .lexical import lexical_extend

    n_s = len(src_emb)
    cols = np.unique(np.linspace(0, n_s - 1, num=min(s.background, n_s)).round().astype(np.int64))
    bg = np.asarray(tgt_emb, dtype=np.float32) @ np.asarray(src_emb, dtype=np.float32)[cols].T
    bg = bg.ravel()
    mad = float(np.median(np.abs(bg - np.median(bg)))) * 1.4826
    spread = max(mad, float(bg.std()) * 0.5, 1e-3)
    ext = lexical_extend(src, tgt, src_emb, tgt_emb, encoder, s.lexical, spread, s.lexical_prefix)
    return ext if ext is not None else (src_emb, tgt_emb, encoder)  # type: ignore[return-value]


def _margin(nb: Neighbours, j: int, i: int, sim: float) -> float:
    """CSLS margin of target ``j`` and source ``i`` (cosine ``sim``), in spreads."""
    return (sim - 0.5 * (float(nb.r_row[j]) + float(nb.r_col[i]))) / nb.spread


def first_links(nb: Neighbours, s: ComparableSettings) -> dict[int, tuple[int, float]]:
    """Each target's best source when it clears the thresholds: target -> (source, cosine)."""
    sp, n_t = nb.spread, len(nb.top_idx)

    def margin(j: int, i: int, sim: float) -> float:
        return _margin(nb, j, i, sim)

    def passes(j: int, i: int, sim: float) -> bool:
        need = s.csls_min - (s.mutual_bonus if nb.col_best[i] == j else 0.0)
        return (sim - nb.median) / sp >= s.z_min and margin(j, i, sim) >= need

    best: dict[int, tuple[int, float]] = {}  # accepted target -> (source, cosine)
    for j in range(n_t):
        i1, v1 = int(nb.top_idx[j, 0]), float(nb.top_sim[j, 0])
        if s.mutual_second and nb.top_idx.shape[1] > 1 and nb.col_best[i1] != j:
            # the best source prefers another target, the second best prefers this one
            i2, v2 = int(nb.top_idx[j, 1]), float(nb.top_sim[j, 1])
            ok = nb.col_best[i2] == j and abs(i2 - i1) != 1 and (v1 - v2) / sp <= s.second_gap
            ok = ok and passes(j, i1, v1)
            if ok and passes(j, i2, v2):
                best[j] = (i2, v2)
                continue
        if passes(j, i1, v1):
            best[j] = (i1, v1)

    # A retelling keeps the order within a paragraph: a target whose best source continues the
    # sequence of a neighbouring link (j - 1 -> i - 1 or j + 1 -> i + 1) needs less.
    def in_sequence(j: int, i: int) -> bool:
        before, after = best.get(j - 1, (-9,))[0], best.get(j + 1, (-9,))[0]
        return 1 <= i - before <= s.sequence_reach or 1 <= after - i <= s.sequence_reach

    grown = s.sequence_bonus > 0
    while grown:
        grown = False
        for j in range(n_t):
            if j in best:
                continue
            for r in range(min(s.sequence_top, nb.top_idx.shape[1])):
                i1, v1 = int(nb.top_idx[j, r]), float(nb.top_sim[j, r])
                if in_sequence(j, i1):
                    need = s.csls_min - s.sequence_bonus
                    need -= s.mutual_bonus if nb.col_best[i1] == j else 0.0
                    if (v1 - nb.median) / sp >= s.z_min and margin(j, i1, v1) >= need:
                        best[j] = (i1, v1)
                        grown = True
                        break
    if s.sequence_override and nb.top_idx.shape[1] > 1:
        # a link out of sequence whose close second best continues a neighbour's sequence
        for j in sorted(best):
            i1, v1 = best[j]
            if i1 != int(nb.top_idx[j, 0]):
                continue

            i2, v2 = int(nb.top_idx[j, 1]), float(nb.top_sim[j, 1])
            if (
                not in_sequence(j, i1)
                and in_sequence(j, i2)
                and abs(i2 - i1) != 1
                and (v1 - v2) / sp <= s.second_gap
            ):
                need = s.csls_min - s.sequence_bonus
                need -= s.mutual_bonus if nb.col_best[i2] == j else 0.0
                if (v2 - nb.median) / sp >= s.z_min and margin(j, i2, v2) >= need:
                    best[j] = (i2, v2)
    return best


def align_comparable(
    src: Sequence[str],
    tgt: Sequence[str],
    encoder: Encoder,
    *,
    src_emb: np.ndarray | None = None,
    tgt_emb: np.ndarray | None = None,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    settings: ComparableSettings | None = None,
) -> list[Link]:
    """Link each target sentence to the source sentence(s) it restates, or to none.

    Returns only links with both sides non-empty, ordered by their first target sentence. Indices
    are positions in ``src`` / ``tgt``. ``src_emb`` / ``tgt_emb`` may pass precomputed embeddings.
    Memory grows linearly with the two lengths (the similarity matrix is never held whole).
    """
    s = settings or ComparableSettings()
    n_s, n_t = len(src), len(tgt)
    if n_s == 0 or n_t == 0:
        return []
    if src_emb is None:
        src_emb = encoder.encode(list(src), src_lang)
    if tgt_emb is None:
        tgt_emb = encoder.encode(list(tgt), tgt_lang)
    raw_s, raw_t, raw_enc = src_emb, tgt_emb, encoder
    centred = center_shared(src_emb, tgt_emb, encoder, parse_center(s.center), src_lang, tgt_lang)
    if centred is not None:
        src_emb, tgt_emb, encoder = centred
        raw_enc = encoder.raw_encoder()
    xs, xt, xenc = lexical_inputs(src, tgt, src_emb, tgt_emb, encoder, s)
    nb = settings_neighbours(xt, xs, s)
    best = first_links(nb, s)
    edges = [(j, i, _margin(nb, j, i, v)) for j, (i, v) in best.items()]
    if s.joins:
        edges += _joins(src, tgt, xs, xt, xenc, nb, best, s, src_lang, tgt_lang)

    # Merge edges into links (connected components over sentences of both sides).
    uf = _UnionFind(n_t + n_s)
    edges.sort(key=lambda e: -e[2])
    members_t: dict[int, set[int]] = {}
    members_s: dict[int, set[int]] = {}
    kept: list[tuple[int, int, float]] = []
    for j, i, zz in edges:
        rj, ri = uf.find(j), uf.find(n_t + i)
        tj, sj = members_t.get(rj, {j}), members_s.get(rj, set())
        ti, si = members_t.get(ri, set()), members_s.get(ri, {i})
        if rj != ri and (len(tj | ti) > s.max_group or len(sj | si) > s.max_group):
            continue  # would make the link too large: keep the stronger edges only
        uf.union(j, n_t + i)
        root = uf.find(j)
        members_t[root] = tj | ti
        members_s[root] = sj | si
        kept.append((j, i, zz))

    groups: dict[int, tuple[set[int], set[int], list[float]]] = {}
    for j, i, zz in kept:
        root = uf.find(j)
        g = groups.setdefault(root, (set(), set(), []))
        g[0].add(i)
        g[1].add(j)
        g[2].append(zz)

    link_src = [sorted(g[0]) for g in groups.values()]
    link_tgt = [sorted(g[1]) for g in groups.values()]
    # a link's confidence is that of its strongest sentence pair: the sentences joined to it
    # passed a join decision of their own, and their weaker margins say how far the link
    # extends, not whether it exists
    zs = [max(g[2]) for g in groups.values()]
    sims = _group_similarity(
        src, tgt, link_src, link_tgt, raw_s, raw_t, raw_enc, s, src_lang, tgt_lang
    )
    links = [
        Link(source=a, target=b, similarity=float(sv), confidence=_confidence(zz, s))
        for a, b, sv, zz in zip(link_src, link_tgt, sims, zs)
    ]
    links.sort(key=lambda lk: (lk.target[0], lk.source[0]))
    return links


# Logistic weights of a join's evidence (intercept first), fitted on the candidate joins of the
# tune documents of ``benchmarks/bench_news_retold.py`` (en–uk, en–ru, de–fr, both directions,
# USE and E5 pooled; L2 1.0); every feature is a rank, an adjacency or a difference in spreads,
# so the same weights serve any encoder. Refit with ``bench_news_retold.fit_joins()``.
#: second source i2 for a target j linked to i1: 1, adjacent (|i2 - i1| = 1), in sequence (the
#: target after / before j is linked to the source after / before i2), i2 linked elsewhere,
#: gap (cos(j, i1) - cos(j, i2)), column margin (cos(j, i2) - i2's best other target), gain of
#: the joined source text, length gain
SOURCE_JOIN = (-2.81, 2.02, 1.73, -1.13, -0.08, 1.04, 2.27, 2.63)
#: neighbouring target j2 of a target j linked to i1 (j2 unlinked): 1, z of cos(j2, i1), gap
#: (cos(j, i1) - cos(j2, i1)), row margin (cos(j2, i1) - j2's best other source), column margin
#: (cos(j2, i1) - i1's best target other than j, j2), gain of the joined target text, length gain
TARGET_JOIN = (0.15, 1.11, -0.62, 0.64, 0.1, 2.73, 1.58)
# a join's features are clipped to this many spreads (tiny documents have no "other" sentence)
_CLIP = 6.0
# a candidate is encoded (joined text) only when this gain (spreads) would make it join; on the
# tune documents 98% of true joins gained less (keeps the joined-text encodings few)
_GAIN_CAP = 2.0


@dataclass
class JoinCandidates:
    """Candidate joins and their features (the order of :data:`SOURCE_JOIN` /
    :data:`TARGET_JOIN` without the intercept): ``source`` rows are ``(target j, second source
    i2)``, ``target`` rows ``(linked target j, neighbouring target j2)``."""

    source: list[tuple[int, int]]
    source_x: np.ndarray  # (len(source), 7)
    target: list[tuple[int, int]]
    target_x: np.ndarray  # (len(target), 6)


def join_candidates(
    src: Sequence[str],
    tgt: Sequence[str],
    src_emb: np.ndarray,
    tgt_emb: np.ndarray,
    encoder: Encoder,
    nb: Neighbours,
    best: dict[int, tuple[int, float]],
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    join_min: float | None = None,
) -> JoinCandidates:
    """The candidate joins of the first-pass links ``best`` (target -> (source, cosine)) and
    their evidence (see :func:`_joins`). With ``join_min``, candidates that could not reach it
    whatever the gain of their joined text are left out (and not encoded)."""
    sp = nb.spread
    n_s, n_t = len(src), len(tgt)
    linked = {i for i, _ in best.values()}
    ls = np.array([len(x) for x in src], dtype=np.float64) + 10.0
    lt = np.array([len(x) for x in tgt], dtype=np.float64) + 10.0
    # the pair's length ratio, from the links found so far (a retelling covers part of its
    # source, so the documents' total lengths would not do); 1 when there are too few links to
    # tell, as one merged link would pass for the ratio itself
    pairs = [lt[j] / ls[i] for j, (i, _) in best.items()]
    ratio = float(np.median(pairs)) if len(pairs) >= 5 else 1.0
    col_idx = nb.col_idx if nb.col_idx is not None else nb.col_best[None, :]
    col_sim = nb.col_sim
    if col_sim is None:
        col_sim = np.full(col_idx.shape, -np.inf, dtype=np.float32)

    def clip(x: float) -> float:
        return float(min(_CLIP, max(-_CLIP, x)))

    def col_other(i: int, skip: tuple[int, ...]) -> float:
        """Source ``i``'s best cosine with a target not in ``skip`` (the median if none)."""
        for k in range(col_idx.shape[0]):
            if col_idx[k, i] >= 0 and col_idx[k, i] not in skip and np.isfinite(col_sim[k, i]):
                return float(col_sim[k, i])
        return nb.median

    def length_gain(t_len: float, s_one: float, s_two: float) -> float:
        return float(abs(np.log(t_len / (ratio * s_one))) - abs(np.log(t_len / (ratio * s_two))))

    def linked_to(j: int) -> int:
        return best[j][0] if j in best else -1

    def hopeless(x: list[float], w: tuple[float, ...], gain_at: int) -> bool:
        if join_min is None:
            return False
        part = w[0] + sum(wk * xk for k, (wk, xk) in enumerate(zip(w[1:], x)) if k != gain_at)
        return part + abs(w[1 + gain_at]) * _GAIN_CAP < join_min

    src_c: list[tuple[int, int]] = []
    src_x: list[list[float]] = []
    tgt_c: list[tuple[int, int]] = []
    tgt_x: list[list[float]] = []
    for j, (i1, v1) in best.items():
        cands = {i1 - 1, i1 + 1}
        if n_s > 1:
            cands.add(int(nb.top_idx[j, 1]))
        for i2 in sorted(cands):
            if not (0 <= i2 < n_s) or i2 == i1:
                continue
            v2 = float(tgt_emb[j] @ src_emb[i2])
            seq = (i2 == i1 + 1 and linked_to(j + 1) == i2 + 1) or (
                i2 == i1 - 1 and linked_to(j - 1) == i2 - 1
            )
            x = [
                float(abs(i2 - i1) == 1),
                float(seq),
                float(i2 in linked),
                clip((v1 - v2) / sp),
                clip((v2 - col_other(i2, (j,))) / sp),
                0.0,  # gain of the joined text, below
                clip(length_gain(lt[j], ls[i1], ls[i1] + ls[i2])),
            ]
            if not hopeless(x, SOURCE_JOIN, 5):
                src_c.append((j, i2))
                src_x.append(x)
        for j2 in (j - 1, j + 1):
            if 0 <= j2 < n_t and j2 not in best:
                v2 = float(tgt_emb[j2] @ src_emb[i1])
                if n_s > 1:
                    row_other = float(nb.top_sim[j2, 1 if int(nb.top_idx[j2, 0]) == i1 else 0])
                else:
                    row_other = nb.median
                x = [
                    clip((v2 - nb.median) / sp),
                    clip((v1 - v2) / sp),
                    clip((v2 - row_other) / sp),
                    clip((v2 - col_other(i1, (j, j2))) / sp),
                    0.0,  # gain of the joined text, below
                    clip(length_gain(ls[i1], lt[j] / ratio**2, (lt[j] + lt[j2]) / ratio**2)),
                ]
                if not hopeless(x, TARGET_JOIN, 4):
                    tgt_c.append((j, j2))
                    tgt_x.append(x)
    if src_c:
        texts = [" ".join(src[i] for i in sorted((best[j][0], i2))) for j, i2 in src_c]
        vecs = encoder.encode(texts, src_lang)
        for x, (j, _), vec in zip(src_x, src_c, vecs, strict=True):
            x[5] = clip((float(tgt_emb[j] @ vec) - best[j][1]) / sp)
    if tgt_c:
        texts = [" ".join(tgt[k] for k in sorted((j, j2))) for j, j2 in tgt_c]
        vecs = encoder.encode(texts, tgt_lang)
        for x, (j, _), vec in zip(tgt_x, tgt_c, vecs, strict=True):
            i1, v1 = best[j]
            x[4] = clip((float(vec @ src_emb[i1]) - v1) / sp)
    return JoinCandidates(
        src_c,
        np.array(src_x, dtype=np.float64).reshape(-1, len(SOURCE_JOIN) - 1),
        tgt_c,
        np.array(tgt_x, dtype=np.float64).reshape(-1, len(TARGET_JOIN) - 1),
    )


def _joins(
    src: Sequence[str],
    tgt: Sequence[str],
    src_emb: np.ndarray,
    tgt_emb: np.ndarray,
    encoder: Encoder,
    nb: Neighbours,
    best: dict[int, tuple[int, float]],
    s: ComparableSettings,
    src_lang: str | None,
    tgt_lang: str | None,
) -> list[tuple[int, int, float]]:
    """Extra edges for restatements that merge or split sentences.

    * A target sentence ``j`` linked to source ``i1`` may restate a second source sentence
      ``i2`` too: its second-best source or a neighbour of ``i1`` (``i1 ± 1``).
    * A target sentence ``j2`` next to ``j`` (``j ± 1``), itself unlinked, may be the other half
      of a split restatement of ``i1``.

    Each candidate is judged on its own evidence within the document, not on one threshold: a
    logistic score (:data:`SOURCE_JOIN`, :data:`TARGET_JOIN`) over whether it is adjacent and
    in sequence with the neighbouring links, how far its cosine is below the first link's, its
    margin over the other sentences competing for it (is ``j`` the second source's best
    target? is ``i1`` the neighbour's best source?), how much better the joined text matches,
    and how much better the lengths agree (``|log(len_t / (r · len_s))|``, ``r`` the median
    length ratio of the links found). The best candidate per sentence joins when its score is at
    least ``join_min``. Each candidate costs one encoding of a joined text (at most five a link).
    """
    sp = nb.spread
    jc = join_candidates(
        src, tgt, src_emb, tgt_emb, encoder, nb, best, src_lang, tgt_lang, s.join_min
    )
    out: list[tuple[int, int, float]] = []

    def margin(j: int, i: int) -> float:
        v = float(tgt_emb[j] @ src_emb[i])
        return (v - 0.5 * (float(nb.r_row[j]) + float(nb.r_col[i]))) / sp

    # the best extra source per target, the best extra target per unlinked neighbour
    pick: dict[int, tuple[float, int]] = {}
    score = SOURCE_JOIN[0] + jc.source_x @ np.array(SOURCE_JOIN[1:])
    for (j, i2), sc in zip(jc.source, score, strict=True):
        if sc >= s.join_min and sc > pick.get(j, (-np.inf,))[0]:
            pick[j] = (float(sc), i2)
    out += [(j, i2, margin(j, i2)) for j, (_, i2) in pick.items()]
    tpick: dict[int, tuple[float, int]] = {}
    score = TARGET_JOIN[0] + jc.target_x @ np.array(TARGET_JOIN[1:])
    for (j, j2), sc in zip(jc.target, score, strict=True):
        if sc >= s.join_min and sc > tpick.get(j2, (-np.inf,))[0]:
            tpick[j2] = (float(sc), best[j][0])
    out += [(j2, i1, margin(j2, i1)) for j2, (_, i1) in tpick.items()]
    if s.split_pairs:
        out += _split_pairs(tgt, src_emb, tgt_emb, encoder, nb, best, s, tgt_lang, set(tpick))
    return out


def _split_pairs(
    tgt: Sequence[str],
    src_emb: np.ndarray,
    tgt_emb: np.ndarray,
    encoder: Encoder,
    nb: Neighbours,
    best: dict[int, tuple[int, float]],
    s: ComparableSettings,
    tgt_lang: str | None,
    taken: set[int],
) -> list[tuple[int, int, float]]:
    """Two unlinked target sentences close together (``j``, ``j + 1`` or ``j + 2``) with the
    same best source ``i``, neither clearing the bar alone: the halves of one restatement split
    in two, linked when their joined text clears the single-link bar (z and CSLS margin, the
    neighbourhood taken as the larger of the two halves')."""
    sp, n_t = nb.spread, len(tgt)
    free = [j for j in range(n_t) if j not in best and j not in taken]
    linked = {i for i, _ in best.values()}
    cand = []
    for j in free:
        i = int(nb.top_idx[j, 0])
        if i in linked:
            continue  # restated elsewhere already (or a hub): not the source of a split
        for j2 in (j + 1, j + 2):
            if j2 < n_t and j2 not in best and j2 not in taken and int(nb.top_idx[j2, 0]) == i:
                cand.append((j, j2, i))
    if not cand:
        return []
    vecs = encoder.encode([tgt[j] + " " + tgt[j2] for j, j2, _ in cand], tgt_lang)
    out: list[tuple[int, int, float]] = []
    used: set[int] = set()
    for (j, j2, i), vec in zip(cand, vecs, strict=True):
        if j in used or j2 in used:
            continue
        v = float(vec @ src_emb[i])
        m = (v - 0.5 * (max(float(nb.r_row[j]), float(nb.r_row[j2])) + float(nb.r_col[i]))) / sp
        need = s.csls_min - (s.mutual_bonus if nb.col_best[i] in (j, j2) else 0.0)
        if (v - nb.median) / sp >= s.z_min and m >= need:
            out += [(j, i, m), (j2, i, m)]
            used |= {j, j2}
    return out


def _group_similarity(
    src: Sequence[str],
    tgt: Sequence[str],
    link_src: list[list[int]],
    link_tgt: list[list[int]],
    src_emb: np.ndarray,
    tgt_emb: np.ndarray,
    encoder: Encoder,
    s: ComparableSettings,
    src_lang: str | None,
    tgt_lang: str | None,
) -> list[float]:
    """Cosine of each link's joined source and joined target text (single rows reuse embeddings)."""
    need_s = [i for i, a in enumerate(link_src) if len(a) > 1]
    need_t = [i for i, b in enumerate(link_tgt) if len(b) > 1]
    es = {k: src_emb[a[0]] for k, a in enumerate(link_src) if len(a) == 1}
    et = {k: tgt_emb[b[0]] for k, b in enumerate(link_tgt) if len(b) == 1}
    if need_s:
        vecs = encoder.encode([" ".join(src[i] for i in link_src[k]) for k in need_s], src_lang)
        es.update(zip(need_s, vecs))
    if need_t:
        vecs = encoder.encode([" ".join(tgt[j] for j in link_tgt[k]) for k in need_t], tgt_lang)
        et.update(zip(need_t, vecs))
    return [float(es[k] @ et[k]) for k in range(len(link_src))]
