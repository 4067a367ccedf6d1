"""Pure-numpy dynamic-programming kernels for monotone many-to-many sentence alignment.

The alignment lattice has a node ``(i, j)`` for "the first ``i`` source and ``j`` target sentences
are consumed"; a link of type ``(a, b)`` is an edge from ``(i - a, j - b)`` to ``(i, j)``. Only
nodes inside a *band* are considered: row ``i`` holds the columns ``lo[i] <= j < hi[i]``, stored
left-aligned in a rectangular array of width ``W = max(hi - lo)`` (column ``c`` of row ``i`` is
node ``(i, lo[i] + c)``). Both ``lo`` and ``hi`` are non-decreasing, so the band is a monotone
corridor around an expected path; with ``lo = 0`` and ``hi = m + 1`` it is the full lattice.

Edge scores are given per type in band coordinates: ``S[t, i, c]`` is the score of the link of
type ``types[t]`` (every type has ``a >= 1``) that *ends* at node ``(i, lo[i] + c)``, ``-inf``
where impossible. Insertions ``(0, 1)`` are separate: their score depends only on the target
sentence and is given as a vector ``ins[j]`` (inserting target sentence ``j - 1``).

Each row is processed with a handful of vectorised numpy calls: all edges into the row are
gathered from the earlier rows with one precomputed flat index, and the chain of insertions
along the row is one cumulative maximum (Viterbi) or cumulative log-sum-exp (forward–backward)
after subtracting the running sum of insertion scores. Cost: ``O(rows x width x types)`` time and
``O(rows x width)`` memory besides the scores.

Everything here is independent of embeddings and text: the aligner builds the scores, these
functions find the best path (:func:`viterbi`), and the posterior probability of every edge
(:func:`edge_posteriors`) or of the links of a path (:func:`link_posteriors`) under the Gibbs
distribution over paths.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Block",
    "full_band",
    "band_from_path",
    "viterbi",
    "Lattice",
    "edge_posteriors",
    "link_posteriors",
]

NEG = -np.inf


def full_band(n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """The band covering the whole ``(n + 1) x (m + 1)`` lattice."""
    return np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m + 1, dtype=np.int64)


def band_from_path(
    nodes: Sequence[tuple[int, int]] | np.ndarray, n: int, m: int, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """A band of half-width ``width`` around a monotone path through the lattice.

    ``nodes`` are the lattice nodes ``(i, j)`` the path visits, in order, from ``(0, 0)`` to
    ``(n, m)``; consecutive nodes may be several rows and columns apart (the whole rectangle
    between them is kept). Every node within ``width`` rows or columns of that is in the band.
    """
    pts = np.asarray(nodes, dtype=np.int64).reshape(-1, 2)
    pi, pj = pts[:, 0], pts[:, 1]
    rows = np.arange(n + 1, dtype=np.int64)
    # Step k joins node k to node k + 1 and allows columns pj[k]..pj[k + 1] on rows
    # pi[k]..pi[k + 1]: lo[i] comes from the first step reaching row i, hi[i] from the last
    # step starting at or before it.
    first = np.searchsorted(pi[1:], rows, side="left")
    last = np.searchsorted(pi[:-1], rows, side="right") - 1
    lo = pj[np.clip(first, 0, len(pj) - 1)]
    hi = pj[np.clip(last + 1, 0, len(pj) - 1)] + 1
    if width > 0:
        lo = lo[np.maximum(rows - width, 0)] - width
        hi = hi[np.minimum(rows + width, n)] + width
    lo = np.clip(lo, 0, m)
    hi = np.clip(hi, 1, m + 1)
    lo[0] = 0
    hi[n] = m + 1
    hi = np.maximum(hi, lo + 1)
    return lo, hi


@dataclass(frozen=True)
class Block:
    """A run of band rows ``r0 .. r1 - 1`` (:meth:`Lattice.blocks`), with the band nodes of those
    rows as a ``(r1 - r0, W)`` grid: ``J`` their columns, ``valid`` which are in the band (and
    at or right of the block's first column), and ``rel`` their columns relative to ``cmin``
    (clipped into ``cmin .. cmax - 1``, the columns the block's rows span)."""

    r0: int
    r1: int
    rows: np.ndarray
    J: np.ndarray
    valid: np.ndarray
    cmin: int
    cmax: int
    rel: np.ndarray

    @property
    def rix(self) -> np.ndarray:
        """Row numbers within the block, ``(r1 - r0, 1)``: ``mat[rix, rel]`` picks every band node
        of the block from a ``(rows, cmax - cmin)`` matrix."""
        return np.arange(self.r1 - self.r0)[:, None]


@dataclass
class Lattice:
    """A band plus the link types, with the flat gather indices the kernels share."""

    lo: np.ndarray
    hi: np.ndarray
    types: list[tuple[int, int]]

    def __post_init__(self) -> None:
        self.lo = np.asarray(self.lo, dtype=np.int64)
        self.hi = np.asarray(self.hi, dtype=np.int64)
        self.n = len(self.lo) - 1
        self.m = int(self.hi[-1]) - 1
        self.width = int((self.hi - self.lo).max())
        self.widths = self.hi - self.lo
        ta = np.array([a for a, _ in self.types], dtype=np.int64)
        tb = np.array([b for _, b in self.types], dtype=np.int64)
        self.ta, self.tb = ta, tb
        # Padded row layout used by the gathers: [pad x -inf | W band cells | 1 x -inf].
        self.pad = max(1, int(tb.max()) if len(tb) else 0)
        self.stride = self.pad + self.width + 1
        self.cols = np.arange(self.width, dtype=np.int64)
        rows = np.arange(self.n + 1, dtype=np.int64)[:, None]
        # Arrays of node values have n + 2 rows in the padded layout; row n + 1 is all -inf and
        # stands in for the start (end) row of edges that would begin before row 0 (end after
        # row n), so the kernels need no masks.
        sentinel = self.n + 1
        # Edges ending on row i: flat index of the start node of column 0, per type, and the
        # largest valid flat index in the start row (its right -inf cell).
        p = np.where(rows - ta >= 0, rows - ta, sentinel)
        lo_p = self.lo[np.minimum(p, self.n)]
        self._in_base = p * self.stride + self.pad + (self.lo[:, None] - lo_p) - tb
        self._in_max = (p * self.stride + self.pad + self.width)[:, :, None]
        # Edges starting on row i: the same for their end nodes, plus the flat index of the end
        # row's scores (scores have n + 1 rows; out-of-range ends read row n, masked by -inf).
        q = np.where(rows + ta <= self.n, rows + ta, sentinel)
        qs = np.minimum(q, self.n)
        self._out_base = q * self.stride + self.pad + (self.lo[:, None] - self.lo[qs]) + tb
        self._out_min = (q * self.stride + self.pad)[:, :, None]
        self._out_max = (q * self.stride + self.pad + self.width)[:, :, None]
        t_index = np.arange(len(self.types), dtype=np.int64)[None, :]
        self._out_score = (t_index * (self.n + 1) + qs) * self.width - self._out_min[:, :, 0]
        self.lo_list = self.lo.tolist()
        self.hi_list = self.hi.tolist()
        self.width_list = self.widths.tolist()

    def blocks(self, size: int = 64, first_row: int = 0, first_col: int = 0) -> Iterator[Block]:
        """The band in runs of ``size`` rows from ``first_row`` on, leaving out the columns left
        of ``first_col`` (and runs that would have none)."""
        for r0 in range(first_row, self.n + 1, size):
            r1 = min(self.n + 1, r0 + size)
            J = self.lo[r0:r1, None] + self.cols[None, :]
            valid = self.hi[r0:r1, None] > J
            if first_col:
                valid &= first_col <= J
            cmin, cmax = max(int(self.lo[r0]), first_col), int(self.hi[r1 - 1])
            if cmax <= cmin:
                continue
            rel = np.minimum(np.maximum(J - cmin, 0), cmax - cmin - 1)
            yield Block(r0, r1, np.arange(r0, r1), J, valid, cmin, cmax, rel)

    def values(self) -> np.ndarray:
        """A fresh ``-inf`` array for node values in the padded layout, ``(n + 2, stride)``."""
        return np.full((self.n + 2, self.stride), NEG, dtype=np.float64)

    def incoming(self, i: int) -> np.ndarray:
        """Flat indices (into :meth:`values`) of the start node of every edge ending on row
        ``i``, shape ``(T, W)``."""
        lin = self._in_base[i][:, None] + self.cols
        # Start columns only ever overshoot to the right (lo is non-decreasing): clip into the
        # start row's right padding cell.
        np.minimum(lin, self._in_max[i], out=lin)
        return lin

    def outgoing(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """For every edge *starting* on row ``i`` at column ``c``: flat index (into
        :meth:`values`) of its end node, and flat index (into the scores) of the edge's score,
        both ``(T, W)``."""
        lin = self._out_base[i][:, None] + self.cols
        np.maximum(lin, self._out_min[i] - self.pad, out=lin)
        np.minimum(lin, self._out_max[i], out=lin)
        col = lin + self._out_score[i][:, None]
        # the score's column within its row, clipped to the row (an end outside the band reads
        # some score of its row; its node value is -inf, which wins)
        base = self._out_score[i][:, None] + self._out_min[i]
        np.maximum(col, base, out=col)
        np.minimum(col, base + self.width - 1, out=col)
        return lin, col


def _ins_prefix(ins: np.ndarray, m: int) -> np.ndarray:
    q = np.zeros(m + 1, dtype=np.float64)
    if m:
        q[1:] = np.cumsum(np.asarray(ins, dtype=np.float64)[1 : m + 1])
    return q


def viterbi(
    scores: np.ndarray, lat: Lattice, ins: np.ndarray
) -> tuple[float, list[tuple[int, int, int]]]:
    """The best-scoring monotone path from ``(0, 0)`` to ``(n, m)`` inside the band.

    Returns the path's total score and its links as ``(i, j, t)``: the link of type
    ``lat.types[t]`` ending at node ``(i, j)``, in order; insertions have ``t = -1``. Ties are
    broken deterministically (earlier types first, then insertions).
    """
    n, m, W = lat.n, lat.m, lat.width
    q = _ins_prefix(ins, m)
    D = lat.values()
    flat = D.reshape(-1)
    back = np.full((n + 1, W), -2, dtype=np.int8)
    pad = lat.pad
    T = len(lat.types)
    for i in range(n + 1):
        w = lat.width_list[i]
        if T:
            cand = flat[lat.incoming(i)]
            cand += scores[:, i, :]
            arg = np.argmax(cand, axis=0)[:w].astype(np.int8)
            best = cand.max(axis=0)[:w]
        else:
            best = np.full(w, NEG)
            arg = np.full(w, -2, dtype=np.int8)
        if i == 0:
            best[0] = 0.0
            arg[0] = -2
        # insertions: D[j] = max(best[j], D[j-1] + ins[j])  <=>  D - Q = cummax(best - Q)
        qs = q[lat.lo_list[i] : lat.hi_list[i]]
        v = best - qs
        acc = np.maximum.accumulate(v)
        arg[acc > v] = -1
        np.add(acc, qs, out=D[i, pad : pad + w])
        back[i, :w] = arg
    total = float(D[n, lat.pad + m - lat.lo[n]])
    if not np.isfinite(total):
        raise ValueError("no path through the band")
    path: list[tuple[int, int, int]] = []
    i, j = n, m
    while i > 0 or j > 0:
        t = int(back[i, j - lat.lo[i]])
        path.append((i, j, t))
        if t == -1:
            j -= 1
        else:
            a, b = lat.types[t]
            i, j = i - a, j - b
    path.reverse()
    return total, path


def _forward_backward(
    scores: np.ndarray, lat: Lattice, ins: np.ndarray, temperature: float
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray, float]:
    """Log forward and backward sums (padded layout) of tempered scores: ``(F, B, 1/T, ins/T,
    log Z)``."""
    n, m = lat.n, lat.m
    inv = 1.0 / temperature
    ins_t = np.asarray(ins, dtype=np.float64) * inv
    q = _ins_prefix(ins_t, m)
    T = len(lat.types)

    pad = lat.pad
    Fw = lat.values()
    fflat = Fw.reshape(-1)
    for i in range(n + 1):
        w = lat.width_list[i]
        if T:
            cand = np.multiply(scores[:, i, :], inv, dtype=np.float64)
            cand += fflat[lat.incoming(i)]
            acc = np.logaddexp.reduce(cand, axis=0)[:w]
        else:
            acc = np.full(w, NEG)
        if i == 0:
            acc[0] = 0.0
        qs = q[lat.lo_list[i] : lat.hi_list[i]]
        Fw[i, pad : pad + w] = np.logaddexp.accumulate(acc - qs) + qs

    Bw = lat.values()
    bflat = Bw.reshape(-1)
    sflat = scores.reshape(-1)
    for i in range(n, -1, -1):
        w = lat.width_list[i]
        if T:
            lin, sidx = lat.outgoing(i)
            cand = np.multiply(sflat[sidx], inv, dtype=np.float64)
            cand += bflat[lin]
            acc = np.logaddexp.reduce(cand, axis=0)[:w]
        else:
            acc = np.full(w, NEG)
        if i == n:
            acc[m - lat.lo_list[n]] = 0.0
        # G[j] = logaddexp(acc[j], ins[j+1] + G[j+1])  <=>  G + Q = reverse-logcumsumexp(acc + Q)
        qs = q[lat.lo_list[i] : lat.hi_list[i]]
        Bw[i, pad : pad + w] = np.logaddexp.accumulate((acc + qs)[::-1])[::-1] - qs
    Z = float(Fw[n, lat.pad + m - lat.lo[n]])
    return Fw, Bw, inv, ins_t, Z


def edge_posteriors(
    scores: np.ndarray, lat: Lattice, ins: np.ndarray, temperature: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Posterior probability of every edge under ``P(path) ∝ exp(score / temperature)``.

    Returns ``(P, P_ins)``: ``P[t, i, c]`` for the link of type ``t`` ending at band cell
    ``(i, c)``, and ``P_ins[i, c]`` for the insertion ending there.
    """
    n = lat.n
    Fw, Bw, inv, ins_t, Z = _forward_backward(scores, lat, ins, temperature)
    band_b = Bw[: n + 1, lat.pad : lat.pad + lat.width]
    P = np.zeros(scores.shape, dtype=np.float32)
    fflat = Fw.reshape(-1)
    step = max(1, 2**20 // max(1, len(lat.types) * lat.width))  # rows per chunk
    for r0 in range(0, n + 1, step):
        r1 = min(n + 1, r0 + step)
        lin = lat._in_base[r0:r1, :, None] + lat.cols
        np.minimum(lin, lat._in_max[r0:r1], out=lin)
        logp = fflat[lin].transpose(1, 0, 2)
        logp += inv * scores[:, r0:r1, :]
        logp += band_b[r0:r1] - Z
        np.minimum(logp, 0.0, out=logp)
        P[:, r0:r1, :] = np.exp(logp)
    j = lat.lo[:, None] + lat.cols[None, :]
    prev = Fw[: n + 1, lat.pad - 1 : lat.pad - 1 + lat.width]  # node (i, j - 1)
    ins_sc = ins_t[np.clip(j, 0, lat.m)]
    logp = prev + ins_sc + band_b - Z
    logp[(j < 1) | (j >= lat.hi[:, None])] = NEG
    P_ins = np.exp(np.minimum(logp, 0.0)).astype(np.float32)
    return P, P_ins


def link_posteriors(
    scores: np.ndarray,
    lat: Lattice,
    ins: np.ndarray,
    path: Sequence[tuple[int, int, int]],
    temperature: float = 1.0,
) -> np.ndarray:
    """Posterior probability of each link of ``path`` (see :func:`edge_posteriors`).

    A link the aligner is sure of has a posterior near 1; one with a close alternative (another
    grouping, a shifted boundary, a null link instead) gets less.
    """
    Fw, Bw, inv, ins_t, Z = _forward_backward(scores, lat, ins, temperature)
    out = np.empty(len(path), dtype=np.float64)
    pad = lat.pad
    for k, (i, j, t) in enumerate(path):
        if t == -1:
            pi, pj, s = i, j - 1, ins_t[j]
        else:
            a, b = lat.types[t]
            pi, pj, s = i - a, j - b, inv * float(scores[t, i, j - lat.lo[i]])
        logp = Fw[pi, pad + pj - lat.lo[pi]] + s + Bw[i, pad + j - lat.lo[i]] - Z
        out[k] = np.exp(min(logp, 0.0))
    return out
