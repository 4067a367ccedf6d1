"""Retold-article ("comparable") alignment: non-monotone, partial, with a confidence per link.

When the target is not a translation but a retelling — an outlet restating another's report in its
own order, splitting and merging sentences, adding material of its own and leaving much out — a
monotone aligner is the wrong tool. Here each target sentence is linked to the source sentence(s)
it restates, or to none.

Method (all on one similarity matrix, so it is cheap):

1. ``S[j, i]`` = cosine of target sentence *j* and source sentence *i*.
2. The deciding score is CSLS (Lample et al. 2018): the cosine minus the mean similarity of
   each sentence to its nearest neighbours on the other side. It adapts to the encoder's range
   (E5 compresses its cosines into ~0.7–0.9, USE does not) and to how topical the two documents
   are, and discounts hubs (a sentence close to everything). A weak floor on the cosine's
   robust z-score against the pair's whole similarity matrix is kept as a sanity check.
3. A target sentence is linked to its best source when both scores clear their thresholds; a
   second source joins when it is nearly as good and the joined pair explains the target better
   than either alone (one target restating two source sentences).
4. Links sharing a sentence are merged (two target sentences restating one source sentence), up
   to ``max_group`` sentences a side.

Tried and not kept (no gain on dev, ``--tune``): matching targets against clauses of long
source sentences, and down-weighting the source side of CSLS (for hub sources restated by several
targets) — F1 stayed within ±0.005 of the plain method.

The thresholds were set on synthetic retellings built from the Text+Berg *dev* document (target
sentences shuffled, 40% dropped, foreign sentences inserted); ``benchmarks/bench_comparable.py``
measures them on the *test* documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..encoders import Encoder
from ..report import Link

__all__ = ["ComparableSettings", "align_comparable", "standardise", "csls"]


@dataclass(frozen=True)
class ComparableSettings:
    """Parameters of :func:`align_comparable` (defaults chosen on Text+Berg dev retellings)."""

    #: Minimum robust z-score of a link's cosine against the pair's background (a weak floor: on
    #: dev, F1 was flat for 1.5–3.0 once the CSLS threshold was set, so the loosest was kept).
    z_min: float = 1.5
    #: Minimum CSLS score (cosine minus the mean neighbourhood similarity of both sentences); the
    #: deciding threshold (dev F1 0.808 at 0.06–0.07, 0.76 at 0.0, 0.79 at 0.10).
    csls_min: float = 0.06
    #: A second source joins when its cosine is within this of the best one ...
    second_gap: float = 0.12
    #: ... and the joined sources' cosine with the target beats the best single one by this.
    second_gain: float = 0.02
    #: Neighbourhood size for CSLS.
    k: int = 4
    #: Largest number of sentences on either side of one link.
    max_group: int = 4
    #: Logistic scale (in CSLS units) of the confidence around ``csls_min``.
    confidence_scale: float = 0.03


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
    """Logistic in the CSLS margin over the threshold: 0.5 at the threshold."""
    return float(1.0 / (1.0 + np.exp(-(score - s.csls_min) / s.confidence_scale)))


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
    """
    s = settings or ComparableSettings()
    n_s, n_t = len(src), len(tgt)
    if n_s == 0 or n_t == 0:
        return []
    if src_emb is None:
        src_emb = encoder.encode(list(src), src_lang)
    if tgt_emb is None:
        tgt_emb = encoder.encode(list(tgt), tgt_lang)
    sim = tgt_emb @ src_emb.T  # (n_t, n_s)
    z = standardise(sim)
    c = csls(sim, s.k)

    # Candidate edges: each target's best source (and perhaps a second one).
    edges: list[tuple[int, int, float]] = []  # (target, source, csls)
    order = np.argsort(-sim, axis=1, kind="stable")
    second_candidates: list[tuple[int, int, int]] = []
    for j in range(n_t):
        i1 = int(order[j, 0])
        if z[j, i1] < s.z_min or c[j, i1] < s.csls_min:
            continue
        edges.append((j, i1, float(c[j, i1])))
        if n_s > 1:
            i2 = int(order[j, 1])
            if (
                sim[j, i1] - sim[j, i2] <= s.second_gap
                and z[j, i2] >= s.z_min
                and c[j, i2] >= s.csls_min
            ):
                second_candidates.append((j, i1, i2))

    if second_candidates:
        joined = [" ".join(src[i] for i in sorted((i1, i2))) for _, i1, i2 in second_candidates]
        jemb = encoder.encode(joined, src_lang)
        for (j, _i1, i2), vec in zip(second_candidates, jemb):
            if float(tgt_emb[j] @ vec) >= float(sim[j, _i1]) + s.second_gain:
                edges.append((j, i2, float(c[j, i2])))

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
