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
   sentence's ``k`` best cosines on the other side), each source's best target, and a sample for
   the background median and spread. Memory is linear in the two lengths (10,000 x 10,000
   sentences: 255 MB peak, 6 s after encoding; the former whole-matrix version: 2.4 GB, 24 s).
2. A target is linked to its best source when the CSLS margin (Lample et al. 2018: the cosine
   minus the mean of the two neighbourhood means, which discounts hubs and topical documents) is
   at least ``csls_min`` spreads — ``mutual_bonus`` less when the two are each other's best match
   (mutual nearest neighbours) — and the cosine is ``z_min`` spreads above the background median.
3. Many-to-one and one-to-many restatements (:func:`_joins`): a linked target may take a second
   source (its second best or a neighbour of its source), and an unlinked target next to a linked
   one may join that link (a sentence split in two), when the joined text matches better, the
   lengths agree better, and the cosine is close enough — with a lower bar when the extra sentence
   is the other's best match and otherwise unlinked.
4. Links sharing a sentence are merged, up to ``max_group`` sentences a side.

Chosen on the *tune* documents of ``benchmarks/bench_news_retold.py`` (WMT22 en–uk, en–ru, de–fr
news retold in both directions; USE for ru and de–fr, E5 for uk) and reported there on held-out
documents and on four language pairs never tuned on. Before (absolute CSLS ≥ 0.06, tuned on
Text+Berg de–fr with USE) held-out F1 was 0.31 uk→en and 0.47 hr→en (the E5 pairs), 0.94 ru→en.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..encoders import Encoder
from ..report import Link

__all__ = [
    "ComparableSettings",
    "Neighbours",
    "align_comparable",
    "csls",
    "neighbours",
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
    #: Look for many-to-one and one-to-many restatements (see :func:`_joins`).
    joins: bool = True
    #: A second source may join a target's link when its cosine with the target is within this
    #: many spreads of the best one ...
    second_gap: float = 2.0
    #: ... and at least this many spreads above the background median ...
    second_z: float = 0.0
    #: ... and the joined text's cosine beats the single sentence's by this many spreads (the
    #: same rules let a neighbouring target sentence join a source's link).
    second_gain: float = 0.5
    #: A second source needs less (``mutual_gain``) when the target is *its* best match, no
    #: other target is linked to it, and their CSLS margin is at least this (spreads) ...
    mutual_csls: float = -0.3
    #: ... and the joined text matches at least this much better (spreads) than the single one.
    mutual_gain: float = 0.0
    #: Every such join must also make the lengths agree better: ``|log(len_t / (r · len_s))|``
    #: (``r`` the median length ratio of the links found) must fall by at least this.
    length_gain: float = 0.1
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
) -> Neighbours:
    """Block-wise nearest-neighbour statistics of ``tgt_emb @ src_emb.T`` (see :class:`Neighbours`).

    The background is every pair when there are at most ``background`` sources, else the
    ``background`` sources evenly spread over the document, for every target.
    """
    n_t, n_s = len(tgt_emb), len(src_emb)
    kr, kc, top = max(1, min(k, n_s)), max(1, min(k, n_t)), max(1, min(top, n_s))
    top_idx = np.zeros((n_t, top), dtype=np.int64)
    top_sim = np.zeros((n_t, top), dtype=np.float32)
    r_row = np.zeros(n_t, dtype=np.float32)
    col_top = np.full((kc, n_s), -np.inf, dtype=np.float32)
    col_best = np.zeros(n_s, dtype=np.int64)
    col_best_sim = np.full(n_s, -np.inf, dtype=np.float32)
    cols = np.unique(np.linspace(0, n_s - 1, num=min(background, n_s)).round().astype(np.int64))
    sample = []
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
        bj = sim.argmax(axis=0)
        bv = sim[bj, np.arange(n_s)]
        better = bv > col_best_sim
        col_best[better] = bj[better] + b0
        col_best_sim[better] = bv[better]
        sample.append(sim[:, cols].ravel())
    bg = np.concatenate(sample) if sample else np.zeros(1, dtype=np.float32)
    med = float(np.median(bg))
    mad = float(np.median(np.abs(bg - med))) * 1.4826
    spread = max(mad, float(bg.std()) * 0.5, 1e-3)
    r_col = col_top.mean(axis=0)
    return Neighbours(top_idx, top_sim, r_row, r_col, col_best, med, spread)


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
    nb = neighbours(tgt_emb, src_emb, k=s.k, top=2, block=s.block, background=s.background)
    sp = nb.spread

    def margin(j: int, i: int, sim: float) -> float:
        """CSLS margin of target ``j`` and source ``i``, in spreads."""
        return (sim - 0.5 * (float(nb.r_row[j]) + float(nb.r_col[i]))) / sp

    def passes(j: int, i: int, sim: float) -> bool:
        need = s.csls_min - (s.mutual_bonus if nb.col_best[i] == j else 0.0)
        return (sim - nb.median) / sp >= s.z_min and margin(j, i, sim) >= need

    # Edges: each target's best source when it clears the thresholds.
    edges: list[tuple[int, int, float]] = []  # (target, source, margin)
    best: dict[int, tuple[int, float]] = {}  # accepted target -> (source, cosine)
    for j in range(n_t):
        i1, v1 = int(nb.top_idx[j, 0]), float(nb.top_sim[j, 0])
        if passes(j, i1, v1):
            edges.append((j, i1, margin(j, i1, v1)))
            best[j] = (i1, v1)
    if s.joins:
        edges += _joins(src, tgt, src_emb, tgt_emb, encoder, nb, best, s, src_lang, tgt_lang)

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
    zs = [min(g[2]) for g in groups.values()]
    sims = _group_similarity(
        src, tgt, link_src, link_tgt, src_emb, tgt_emb, encoder, s, src_lang, tgt_lang
    )
    links = [
        Link(source=a, target=b, similarity=float(sv), confidence=_confidence(zz, s))
        for a, b, sv, zz in zip(link_src, link_tgt, sims, zs)
    ]
    links.sort(key=lambda lk: (lk.target[0], lk.source[0]))
    return links


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

    * A target sentence linked to source ``i`` may restate a second source sentence too: its
      second-best source or a neighbour of ``i`` (``i ± 1``). It joins when its cosine is close
      to the best one (``second_gap``), above the background (``second_z``), and the joined
      source text matches the target better than ``i`` alone (``second_gain``).
    * A target sentence next to one linked to ``i`` (``j ± 1``), itself unlinked, may be the
      other half of a split restatement of ``i``: it joins under the same three rules with the
      roles swapped (the joined *target* text against ``i``).

    Each candidate costs one encoding of a joined text; there are at most five per link.
    """
    sp = nb.spread
    n_s, n_t = len(src), len(tgt)
    # (target, second source / neighbouring target, its cosine, the gain it needs)
    src_c: list[tuple[int, int, float, float]] = []
    tgt_c: list[tuple[int, int, float, float]] = []
    linked = {i for i, _ in best.values()}
    ls = np.array([len(x) for x in src], dtype=np.float64) + 10.0
    lt = np.array([len(x) for x in tgt], dtype=np.float64) + 10.0
    # the pair's length ratio, from the links found so far (a retelling covers part of its
    # source, so the documents' total lengths would not do); 1 when there are too few links to
    # tell, as one merged link would pass for the ratio itself
    pairs = [lt[j] / ls[i] for j, (i, _) in best.items()]
    ratio = float(np.median(pairs)) if len(pairs) >= 5 else 1.0

    def fits(t_len: float, s_one: float, s_two: float) -> bool:
        """Whether a second sentence makes the lengths agree better by ``length_gain``."""
        one = abs(np.log(t_len / (ratio * s_one)))
        two = abs(np.log(t_len / (ratio * s_two)))
        return one - two >= s.length_gain

    for j, (i1, v1) in best.items():
        found: dict[int, float] = {}
        for i2 in (int(nb.top_idx[j, 1]) if n_s > 1 else i1, i1 - 1, i1 + 1):
            if 0 <= i2 < n_s and i2 != i1 and i2 not in found:
                found[i2] = float(tgt_emb[j] @ src_emb[i2])
        for i2, v2 in found.items():
            if (v2 - nb.median) / sp < s.second_z or not fits(lt[j], ls[i1], ls[i1] + ls[i2]):
                continue
            m2 = (v2 - 0.5 * (float(nb.r_row[j]) + float(nb.r_col[i2]))) / sp
            if nb.col_best[i2] == j and i2 not in linked and m2 >= s.mutual_csls:
                src_c.append((j, i2, v2, s.mutual_gain))  # j is i2's best match, i2 unlinked
            elif (v1 - v2) / sp <= s.second_gap:
                src_c.append((j, i2, v2, s.second_gain))
        for j2 in (j - 1, j + 1):
            if 0 <= j2 < n_t and j2 not in best:
                v2 = float(tgt_emb[j2] @ src_emb[i1])
                if (v2 - nb.median) / sp < s.second_z or not fits(
                    ls[i1], lt[j] / ratio**2, (lt[j] + lt[j2]) / ratio**2
                ):
                    continue
                m2 = (v2 - 0.5 * (float(nb.r_row[j2]) + float(nb.r_col[i1]))) / sp
                if nb.top_idx[j2, 0] == i1 and m2 >= s.mutual_csls:
                    tgt_c.append((j, j2, v2, s.mutual_gain))  # i1 is j2's best match too
                elif (v1 - v2) / sp <= s.second_gap:
                    tgt_c.append((j, j2, v2, s.second_gain))
    out: list[tuple[int, int, float]] = []
    # the best extra source per target, the best extra target per unlinked neighbour
    gains: dict[int, tuple[float, int, float]] = {}
    if src_c:
        texts = [" ".join(src[i] for i in sorted((best[j][0], i2))) for j, i2, _, _ in src_c]
        vecs = encoder.encode(texts, src_lang)
        for (j, i2, v2, need), vec in zip(src_c, vecs, strict=True):
            gain = (float(tgt_emb[j] @ vec) - best[j][1]) / sp
            if gain >= need and gain > gains.get(j, (-np.inf,))[0]:
                gains[j] = (gain, i2, v2)
        for j, (_, i2, v2) in gains.items():
            out.append((j, i2, (v2 - 0.5 * (float(nb.r_row[j]) + float(nb.r_col[i2]))) / sp))
    tgains: dict[int, tuple[float, int]] = {}
    if tgt_c:
        texts = [" ".join(tgt[k] for k in sorted((j, j2))) for j, j2, _, _ in tgt_c]
        vecs = encoder.encode(texts, tgt_lang)
        for (j, j2, _, need), vec in zip(tgt_c, vecs, strict=True):
            i1, v1 = best[j]
            gain = (float(vec @ src_emb[i1]) - v1) / sp
            if gain >= need and gain > tgains.get(j2, (-np.inf,))[0]:
                tgains[j2] = (gain, i1)
        for j2, (_, i1) in tgains.items():
            v2 = float(tgt_emb[j2] @ src_emb[i1])
            out.append((j2, i1, (v2 - 0.5 * (float(nb.r_row[j2]) + float(nb.r_col[i1]))) / sp))
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
