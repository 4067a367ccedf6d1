"""Coarse-to-fine band for long documents in translation-mode alignment (Vecalign's recursive
downsampling)."""

from __future__ import annotations

import numpy as np

from .beads import TranslationSettings
from .dp import Lattice, band_from_path, full_band, viterbi
from .sides import unit_rows

__all__ = ["coarse_path", "touches_edge"]


_COARSE_TYPES = [(1, 0), (1, 1), (1, 2), (2, 1)]


def _coarse_scores(
    X: np.ndarray, Y: np.ndarray, lat: Lattice, s: TranslationSettings, block: int = 64
) -> np.ndarray:
    """Cosine-only scores of 1-0, 1-1, 1-2 and 2-1 links over mean-pooled embeddings."""
    n = lat.n
    mx, my = Y.mean(axis=0), X.mean(axis=0)
    pairs = [unit_rows(X[:-1] + X[1:]), unit_rows(Y[:-1] + Y[1:])]
    xg = {
        1: np.vstack([np.zeros((1, X.shape[1]), np.float32), X]),
        2: np.vstack([np.zeros((2, X.shape[1]), np.float32), pairs[0]]),
    }
    yg = {
        1: np.vstack([np.zeros((1, Y.shape[1]), np.float32), Y]),
        2: np.vstack([np.zeros((2, Y.shape[1]), np.float32), pairs[1]]),
    }
    scores = np.full((len(lat.types), n + 1, lat.width), -np.inf, dtype=np.float32)
    for bk in lat.blocks(block):
        for t, (a, b) in enumerate(lat.types):
            ok = bk.valid & (bk.rows[:, None] >= a) & (b <= bk.J)
            if b == 0:
                scores[t, bk.r0 : bk.r1][ok] = s.skip
                continue
            xa, yb = xg[a][bk.r0 : bk.r1], yg[b][bk.cmin : bk.cmax]
            cos = (xa @ yb.T)[bk.rix, bk.rel]
            hub = 0.5 * ((xa @ mx)[:, None] + (yb @ my)[bk.rel])
            h = s.sentence_weight * 0.5 * (a + b)
            sc = (s.link_weight + h) * cos - h * (s.margin * hub + s.offset) - s.link_margin * hub
            scores[t, bk.r0 : bk.r1][ok] = sc[ok]
    return scores


def _halve(v: np.ndarray) -> np.ndarray:
    n = v.shape[0]
    out = v[0 : n - n % 2 : 2] + v[1 : n - n % 2 : 2]
    if n % 2:
        out = np.vstack([out, v[-1:]])
    return unit_rows(out)


def coarse_path(X: np.ndarray, Y: np.ndarray, s: TranslationSettings) -> list[tuple[int, int]]:
    """Nodes of an approximate path at sentence level (Vecalign's recursive downsampling)."""
    levels = [(X, Y)]
    while True:
        px, py = levels[-1]
        if (px.shape[0] + 1) * (py.shape[0] + 1) <= s.full_lattice:
            break
        if min(px.shape[0], py.shape[0]) <= 4 * s.coarse_band:
            break
        levels.append((_halve(px), _halve(py)))
    # The finest level is left to the caller's banded many-to-many search: the path of the
    # level above, projected, is accurate to a sentence or two.
    coarse = levels[1:] if len(levels) > 1 else levels
    nodes: list[tuple[int, int]] | None = None
    for lx, ly in reversed(coarse):
        n, m = lx.shape[0], ly.shape[0]
        if nodes is None:
            lo, hi = full_band(n, m)
        else:
            lo, hi = band_from_path(_project(nodes, n, m), n, m, s.coarse_band)
        lat = Lattice(lo, hi, _COARSE_TYPES)
        ins = np.full(m + 1, s.skip)
        _, path = viterbi(_coarse_scores(lx, ly, lat, s), lat, ins)
        nodes = [(0, 0)] + [(i, j) for i, j, _ in path]
    assert nodes is not None
    if len(levels) > 1:
        nodes = _project(nodes, X.shape[0], Y.shape[0])
    return nodes


def _project(nodes: list[tuple[int, int]], n: int, m: int) -> list[tuple[int, int]]:
    """Nodes of a path on a halved level, mapped to the level below (``n x m`` sentences)."""
    return [(min(2 * i, n), min(2 * j, m)) for i, j in nodes]


def touches_edge(path: list[tuple[int, int, int]], lat: Lattice) -> bool:
    """Whether the path runs along the band's boundary (where the lattice itself goes on)."""
    return any(j == lat.lo[i] and j > 0 or j == lat.hi[i] - 1 and j < lat.m for i, j, _ in path)
