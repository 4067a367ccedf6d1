"""Anchors for translation-mode alignment: numbers, names and other tokens written the same way
in both documents, weighted by their rarity around the passage (:class:`Anchors`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .dp import Lattice
from .sides import clip_index

__all__ = ["Anchors"]


_NUMBER = re.compile(r"\d+(?:[.,'’ ]\d{3})*(?:[.,]\d+)?")
_WORD = re.compile(r"\w+")
_ANCHOR_PUNCT = frozenset("?!:;()%")


def _window_count(
    tok: np.ndarray, pos: np.ndarray, qtok: np.ndarray, qpos: np.ndarray, window: int, size: int
) -> np.ndarray:
    """For each query ``(qtok, qpos)``: how many of the occurrences ``(tok, pos)`` (sorted) have
    the same token and a position within ``window`` of ``qpos``."""
    if len(qtok) == 0:
        return np.zeros(0, dtype=np.int64)
    span = size + 2 * window + 2
    keys = tok * span + pos + window
    lo = np.searchsorted(keys, qtok * span + clip_index(qpos, 0, size), side="left")
    hi = np.searchsorted(keys, qtok * span + clip_index(qpos, 0, size) + 2 * window, side="right")
    return hi - lo


def number_keys(text: str) -> set[str]:
    """The numbers of a sentence as anchor keys, separators removed (``1,200`` -> ``#1200``)."""
    return {"#" + re.sub(r"\D", "", num) for num in _NUMBER.findall(text)}


def _anchor_tokens(text: str) -> set[str]:
    """Candidate anchors of a sentence: numbers (separators removed), words written with a
    capital letter or a digit (case-folded), and a few punctuation marks that survive
    translation."""
    toks = number_keys(text)
    for w in _WORD.findall(text):
        # capitalised, or containing a digit (``not isalpha``), but not a bare number
        if len(w) >= 2 and (w[0].isupper() or not w.isalpha()) and not w.isdigit():
            toks.add(w.casefold())
    toks.update(_ANCHOR_PUNCT.intersection(text))
    return toks


@dataclass
class Anchors:
    """Anchor occurrences of both sides, restricted to tokens found on both sides."""

    x_tok: np.ndarray  # token id of each source occurrence
    x_pos: np.ndarray  # its sentence
    y_tok: np.ndarray
    y_pos: np.ndarray
    x_w: np.ndarray  # weight of each source occurrence
    y_w: np.ndarray
    x_mass: np.ndarray  # per source sentence: sum of its anchors' weights
    y_mass: np.ndarray

    @classmethod
    def build(cls, src: Sequence[str], tgt: Sequence[str], window: int) -> Anchors:
        """Anchor occurrences; an occurrence's weight is ``1 / max(local frequency)``: the number
        of sentences within ``window`` sentences (scaled by the length ratio on the target side)
        that contain the same token, on either side, so that weights do not depend on how much
        text surrounds a passage."""
        tx = [_anchor_tokens(t) for t in src]
        ty = [_anchor_tokens(t) for t in tgt]
        vocab = sorted(set().union(*tx) & set().union(*ty))
        ids = {tok: k for k, tok in enumerate(vocab)}

        def occ(sets: list[set[str]]) -> tuple[np.ndarray, np.ndarray]:
            pairs = sorted((ids[t], i) for i, ts in enumerate(sets) for t in ts if t in ids)
            arr = np.array(pairs, dtype=np.int64).reshape(-1, 2)
            return arr[:, 0], arr[:, 1]

        n, m = len(src), len(tgt)
        x_tok, x_pos = occ(tx)
        y_tok, y_pos = occ(ty)
        wx = max(1, window)
        wy = max(1, round(window * m / max(n, 1)))
        cx = _window_count(x_tok, x_pos, x_tok, x_pos, wx, n)
        cy = _window_count(y_tok, y_pos, y_tok, y_pos, wy, m)
        # frequency of the token on the other side around the corresponding position
        ox = _window_count(
            y_tok, y_pos, x_tok, np.rint(x_pos * m / max(n, 1)).astype(np.int64), wy, m
        )
        oy = _window_count(
            x_tok, x_pos, y_tok, np.rint(y_pos * n / max(m, 1)).astype(np.int64), wx, n
        )
        x_w = 1.0 / np.maximum(cx, ox)
        y_w = 1.0 / np.maximum(cy, oy)
        x_mass = np.bincount(x_pos, weights=x_w, minlength=n)
        y_mass = np.bincount(y_pos, weights=y_w, minlength=m)
        return cls(x_tok, x_pos, y_tok, y_pos, x_w, y_w, x_mass, y_mass)

    def pairs(self, lat: Lattice, big_a: int, big_b: int) -> tuple[np.ndarray, ...]:
        """Occurrence pairs ``(source sentence, target sentence, weight)`` of the same anchor
        that some link in the band could contain, sorted by source sentence."""
        empty = np.zeros(0, dtype=np.int64)
        if len(self.x_tok) == 0 or len(self.y_tok) == 0:
            return empty, empty, np.zeros(0)
        n, m = lat.n, lat.m
        span = m + 2
        keys = self.y_tok * span + self.y_pos
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        ypos = self.y_pos[order]
        yw = self.y_w[order]
        # a link containing source sentence s ends on a row in s+1 .. s+big_a and contains
        # target sentences from lo[s+1] - big_b up to hi[s+big_a] - 2
        s = self.x_pos
        jlo = lat.lo[s + 1] - big_b
        jhi = lat.hi[np.minimum(s + big_a, n)] - 1
        start = np.searchsorted(keys, self.x_tok * span + np.maximum(jlo, 0), side="left")
        stop = np.searchsorted(keys, self.x_tok * span + np.maximum(jhi, 0), side="left")
        count = np.maximum(stop - start, 0)
        total = int(count.sum())
        if total == 0:
            return empty, empty, np.zeros(0)
        rep = np.repeat(np.arange(len(s)), count)
        offs = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
        pi = s[rep]
        pj = ypos[start[rep] + offs]
        pw = np.minimum(self.x_w[rep], yw[start[rep] + offs])
        order = np.argsort(pi, kind="stable")
        return pi[order], pj[order], pw[order]

    def block_prefix(
        self, s0: int, s1: int, t0: int, t1: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The anchors of source sentences ``s0 .. s1 - 1`` and target sentences ``t0 .. t1 - 1``
        as prefix sums (index ``u`` sums the first ``u`` sentences of the range): ``(px, py,
        pair)``. A token found once on each side is one occurrence pair of weight ``min(w_x,
        w_y)``, and these pairs are summed into the 2-D prefix ``pair``, ``(s1 - s0 + 1, t1 - t0 +
        1)``; the ``K`` tokens repeated on a side get a prefix of their weights per side, ``px``
        ``(K, s1 - s0 + 1)`` and ``py`` ``(K, t1 - t0 + 1)``, to be matched per link."""
        kx = np.nonzero((self.x_pos >= s0) & (self.x_pos < s1))[0]
        ky = np.nonzero((self.y_pos >= t0) & (self.y_pos < t1))[0]
        S, T = max(s1 - s0, 0) + 1, max(t1 - t0, 0) + 1
        common, cx = np.unique(self.x_tok[kx], return_counts=True)
        uy, cy = np.unique(self.y_tok[ky], return_counts=True)
        cx = cx[np.isin(common, uy)]
        common = common[np.isin(common, uy)]
        cy = cy[np.searchsorted(uy, common)]
        single = common[(cx == 1) & (cy == 1)]
        multi = common[(cx > 1) | (cy > 1)]
        pair = np.zeros((S, T))
        if len(single):
            ix = kx[np.isin(self.x_tok[kx], single)]
            iy = ky[np.isin(self.y_tok[ky], single)]
            # both sorted by token (occurrences are stored sorted by token, then sentence)
            w = np.minimum(self.x_w[ix], self.y_w[iy])
            np.add.at(pair, (self.x_pos[ix] - s0 + 1, self.y_pos[iy] - t0 + 1), w)
            pair = pair.cumsum(axis=0).cumsum(axis=1)
        px = np.zeros((len(multi), S))
        py = np.zeros((len(multi), T))
        for side, keep, tok, pos, w, base in (
            (px, kx, self.x_tok, self.x_pos, self.x_w, s0),
            (py, ky, self.y_tok, self.y_pos, self.y_w, t0),
        ):
            if not len(multi):
                break
            sel = keep[np.isin(tok[keep], multi)]
            np.add.at(side, (np.searchsorted(multi, tok[sel]), pos[sel] - base + 1), w[sel])
            np.cumsum(side, axis=1, out=side)
        return px, py, pair
