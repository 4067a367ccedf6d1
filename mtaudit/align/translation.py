"""Translation-mode sentence alignment: monotone, many-to-many, near-linear in document length.

The target is a translation of the source, so the alignment is a monotone path through the
``(n + 1) x (m + 1)`` lattice of sentence boundaries whose steps are links of ``a`` source and
``b`` target sentences: 1-1, 1-2, 2-1, 2-2, … up to ``max_group`` a side, plus 1-0 (a source
sentence left out of the translation) and 0-1 (a target sentence added). The method follows
Vecalign (Thompson & Koehn 2019) and Bertalign (Liu & Zhu 2022):

1. **Sentence and group embeddings.** Every sentence is embedded once. A run of ``k``
   consecutive sentences (a side of a many-to-many link) is first represented by the normalised
   sum of its sentence vectors; the runs that matter are then embedded as joined text (Vecalign's
   "overlaps"), see step 4.
2. **Link score.** For a link of ``a`` source and ``b`` target sentences (``a, b >= 1``)::

       sim   = 1 − (1 − cos) / (1 − hub)
       score = link_weight · sim · log2(1 + short / long)
               − length_weight · |log(len_tgt / (ratio · len_src))|
               + anchor_weight · shared
               [ + sentence_weight · h · (cos − margin · hub − offset), h = (a + b) / 2 ]
               [ + dice_weight · dice − many_penalty · [a > 1 and b > 1] ]

   and a null link scores ``skip · clip(best / skip_ref, 0, 1)`` [ ``· min(1, len / (skip_short ·
   L))`` ]; the bracketed terms are off by default (see below). ``cos`` is the cosine of the
   two sides. ``hub`` is the mean similarity of each side to the other document's sentences
   around the same position (for unit vectors, a dot product with the other side's local mean
   vector), so ``1 − hub`` is the mean cosine distance to random sentences and ``sim`` is
   Vecalign's normalised cost turned into a similarity: 1 for identical vectors, 0 for a pair
   no closer than random sentences. It discounts generic sentences that are close to everything
   and makes the scale the same for encoders with wide (USE) and compressed (E5) cosine ranges
   (``normalise=False``: ``cos − link_margin · hub``). ``short / long`` is the ratio of the two
   sides' character lengths after scaling the source by the pair's own length ratio
   (Bertalign's length factor); the additive log length ratio is Gale–Church in spirit and
   separates the groupings the bounded factor barely tells apart. ``best`` is the sentence's
   best ``sim`` to any single sentence of the other side in the band: leaving out a sentence
   with a clear counterpart costs the full ``skip``, leaving out one that matches nothing (a
   caption, an OCR fragment, an added remark) is nearly free, so such a sentence is no longer
   glued onto a neighbouring link just to avoid the skip penalty. The optional factor ``min(1,
   len / (skip_short · L))`` does the same for short lines (``len`` in characters, the source
   scaled by the length ratio, ``L`` the average sentence length of the pair): a page number or
   a two-word fragment barely changes the joined-text embedding of a link it is glued onto, so
   only a near-zero skip cost keeps it apart. It is off by default: chosen on the dev document
   and synthetic documents, it lowered strict F1 on the Text+Berg test documents, where the
   short lines it left out were mostly part of a gold link. ``shared`` is the rarity-weighted
   number of *anchors* — numbers, names and other tokens written the same way in both
   documents, plus ``? ! : ; ( ) %`` — found on both sides of the link, each pair of
   occurrences weighted by ``1 / max(local frequency)``. Anchors matter most where a boundary
   is in doubt: a name or a number that moved into the neighbouring sentence in translation
   pulls the two sentences into one link.

   Scores count per link, which by itself favours splitting a group into smaller links; the
   optional per-sentence term (``sentence_weight``, counting every sentence once whatever the
   grouping) favours merging. Tuned on the dev document, that richer model (and the other
   bracketed terms) fitted dev better but did not carry over to the test documents as well as
   the per-link model, so it is off by default (``benchmarks/bench_textberg.py`` lists both).
3. **Search.** The best path is found by dynamic programming (:mod:`mtaudit.align.dp`). Small
   documents use the whole lattice. Long ones get a band: a coarse-to-fine pass (Vecalign's
   recursive downsampling: neighbouring sentences are merged level by level, a 1-1/1-2/2-1 path
   is found on the smallest level and refined level by level inside a narrow band around the
   projection of the coarser path) gives an approximate path at sentence level, and the full
   many-to-many search runs in a band of ``band`` sentences around it; if the result touches the
   band's edge, the band is re-centred on it and the search repeated. Time and memory grow
   linearly with the length.
4. **Refinement** (``overlaps="refine"``, the default). The forward–backward algorithm gives the
   posterior probability of every possible link in the band. The runs of sentences that appear in
   a many-to-many link with probability at least ``refine_threshold`` are embedded as joined text,
   and the search is repeated with those exact group embeddings (the other groups keep their
   summed vectors, so a higher threshold degrades gracefully towards ``"mean"``). That keeps
   Vecalign's accuracy at a fraction of its encoding cost: embedding every run of up to four
   sentences costs ten times the sentences' own encoding, refinement adds about a fifth.
   ``"exact"`` embeds every run, ``"mean"`` none.
5. **Confidence** is the posterior probability of each chosen link over all paths in the band
   (forward–backward at ``temperature``): how much of the probability mass agrees with this link
   rather than a shifted boundary, another grouping or a null link.

The parameters were tuned on the Text+Berg German–French *dev* document and checked on synthetic
document pairs built from other parallel text (``benchmarks/align_synth.py``);
``benchmarks/bench_textberg.py`` reports the *test* documents. Nothing in the method is
specific to a language pair: lengths are relative to the pair's own ratio, anchors are whatever
both documents share, and the hubness correction adapts to the encoder's cosine range.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace

import numpy as np

from ..encoders import Encoder
from ..report import Link
from .dp import Lattice, band_from_path, edge_posteriors, full_band, link_posteriors, viterbi

__all__ = [
    "TranslationSettings",
    "align_translation",
    "link_types",
    "format_vecalign",
    "parse_vecalign",
]


@dataclass(frozen=True)
class TranslationSettings:
    """Parameters of :func:`align_translation` (tuned on Text+Berg de–fr dev; see the module
    docstring for the score they enter)."""

    #: Largest number of sentences on either side of one link.
    max_group: int = 4
    #: Largest ``a + b`` of a link of ``a`` source and ``b`` target sentences (``None``: one more
    #: than ``max_group``, so 1-4, 2-3, 3-2 and 4-1 are allowed but not 2-4 or 3-3).
    max_total: int | None = None
    #: Score of a null link (one sentence with no counterpart), for a sentence that has a good
    #: match on the other side (see ``skip_ref``).
    skip: float = -0.2
    #: Scale the null-link score by how well the sentence could be matched at all: a sentence
    #: whose best normalised similarity to any single sentence of the other side (within the
    #: band) is ``b`` is left out at ``skip · clip(b / skip_ref, 0, 1)``. Leaving out a sentence
    #: that matches nothing (a stray caption, an OCR fragment, an added remark) is nearly free,
    #: leaving out one with a clear counterpart costs the full ``skip``. 0 turns this off.
    skip_ref: float = 0.5
    #: Added to a null link's score per average sentence length of its sentence.
    skip_length: float = 0.0
    #: Scale the null-link score of a sentence shorter than this fraction of the average
    #: sentence length (in characters, source lengths scaled by the pair's length ratio) by its
    #: length over that: leaving out a page number, an OCR fragment or a stray caption costs
    #: next to nothing even when it happens to resemble something on the other side, so it is
    #: not glued onto a neighbouring link, whose joined-text embedding it barely changes.
    #: 0 (the default) turns this off: 0.25 helped the dev document and the synthetic documents
    #: with inserted fragments but lowered strict F1 on the Text+Berg test documents, where the
    #: short lines it left out were mostly part of a gold link (lax precision fell).
    skip_short: float = 0.0
    #: Weight of the per-link term ``(cos − link_margin · hub) · length factor``.
    link_weight: float = 1.0
    #: Hubness correction of the per-link term (the similarity of each side to the other
    #: document's sentences around the same position).
    link_margin: float = 1.0
    #: Use Vecalign's normalised cost: the per-link similarity is ``1 − (1 − cos) / (1 − hub)``
    #: (1 for identical vectors, 0 for a pair as far apart as random sentences) instead of the
    #: difference ``cos − link_margin · hub``.
    normalise: bool = True
    #: Weight of the per-sentence term ``h · (cos − margin · hub − offset)`` (0, the default:
    #: links are scored per link only, as in Bertalign).
    sentence_weight: float = 0.0
    #: How the per-sentence term counts a link's sentences in ``h``: 0 = by number
    #: ((a + b) / 2), 1 = by length (characters over the average sentence length).
    length_mass: float = 0.0
    #: Hubness correction of the per-sentence term.
    margin: float = 1.0
    #: Per-sentence threshold of the per-sentence term.
    offset: float = 0.2
    #: The hubness correction uses the other side's sentences within this many sentences of the
    #: corresponding position (0: the whole document).
    hub_window: int = 200
    #: Multiply the per-link term by Bertalign's length factor ``log2(1 + short / long)``.
    length_product: bool = True
    #: Weight of an additive length cost ``|log(len_tgt / (ratio · len_src))|``.
    length_weight: float = 0.1
    #: Characters added to both lengths before the ratio (damps very short sentences).
    length_smoothing: float = 20.0
    #: Weight of the rarity-weighted count of anchors shared by the two sides of a link.
    anchor_weight: float = 0.75
    #: Anchors are weighted by ``1 / their frequency`` within this many sentences.
    anchor_window: int = 100
    #: Weight of the Dice ratio of those anchors.
    dice_weight: float = 0.0
    #: Penalty of a many-to-many link (two or more sentences on both sides).
    many_penalty: float = 0.0
    #: Group embeddings: ``"refine"`` (joined text for the likely groups), ``"exact"`` (joined
    #: text for every run of sentences) or ``"mean"`` (normalised sums only; fastest).
    overlaps: str = "refine"
    #: Posterior probability above which a group is embedded as joined text (``"refine"``).
    refine_threshold: float = 0.2
    #: Drop many-sentence links whose groups were not embedded as joined text (instead of
    #: scoring them with the summed sentence vectors).
    refine_strict: bool = False
    #: Temperature of the path distribution used to pick the groups to refine.
    refine_temperature: float = 0.1
    #: Half-width of the band (in sentences) of the search around the coarse path.
    band: int = 8
    #: Lattices up to this many nodes are searched in full (no coarse pass).
    full_lattice: int = 400_000
    #: Half-width of the band at each level of the coarse-to-fine pass.
    coarse_band: int = 6
    #: Temperature of the path distribution behind ``confidence``.
    temperature: float = 0.1

    def total(self) -> int:
        """The effective largest ``a + b``."""
        return self.max_total if self.max_total is not None else self.max_group + 1


def link_types(max_group: int, max_total: int | None = None) -> list[tuple[int, int]]:
    """Link types ``(a, b)`` searched for: 1-0, then every ``1 <= a, b <= max_group`` with
    ``a + b <= max_total`` (insertions 0-1 are handled by the DP kernels separately)."""
    total = max_total if max_total is not None else max_group + 1
    types = [(1, 0)]
    for a in range(1, max_group + 1):
        for b in range(1, max_group + 1):
            if a + b <= total:
                types.append((a, b))
    return types


# --------------------------------------------------------------------------------------------
# anchors: tokens written the same way on both sides


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
    lo = np.searchsorted(keys, qtok * span + _clip(qpos, 0, size), side="left")
    hi = np.searchsorted(keys, qtok * span + _clip(qpos, 0, size) + 2 * window, side="right")
    return hi - lo


def _anchor_tokens(text: str) -> set[str]:
    """Candidate anchors of a sentence: numbers (separators removed), words written with a
    capital letter or a digit (case-folded), and a few punctuation marks that survive
    translation."""
    toks: set[str] = set()
    for num in _NUMBER.findall(text):
        toks.add("#" + re.sub(r"\D", "", num))
    for w in _WORD.findall(text):
        # capitalised, or containing a digit (``not isalpha``), but not a bare number
        if len(w) >= 2 and (w[0].isupper() or not w.isalpha()) and not w.isdigit():
            toks.add(w.casefold())
    toks.update(_ANCHOR_PUNCT.intersection(text))
    return toks


@dataclass
class _Anchors:
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
    def build(cls, src: Sequence[str], tgt: Sequence[str], window: int) -> _Anchors:
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


# --------------------------------------------------------------------------------------------
# per-side features


def _clip(v: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """``np.clip`` for integer index arrays without its per-call overhead."""
    return np.minimum(np.maximum(v, lo), hi)


def _unit(mat: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(mat, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return (mat / norms).astype(np.float32)


def _encode_unique(encoder: Encoder, strings: list[str], lang: str | None) -> np.ndarray:
    """Encode each distinct string once; rows follow ``strings``."""
    uniq: dict[str, int] = {}
    for text in strings:
        uniq.setdefault(text, len(uniq))
    if not uniq:
        return np.zeros((0, 0), dtype=np.float32)
    vecs = np.asarray(encoder.encode(list(uniq), lang), dtype=np.float32)
    idx = np.fromiter((uniq[t] for t in strings), dtype=np.int64, count=len(strings))
    return vecs[idx]


@dataclass
class _Side:
    """One side's sentences, their embeddings, lengths and any exactly embedded groups."""

    sentences: Sequence[str]
    lang: str | None
    single: np.ndarray  # (n, d) unit rows
    len_prefix: np.ndarray  # (n + 1,) cumulative character lengths
    mass_prefix: np.ndarray  # (n + 1,) cumulative anchor weight
    #: group size a -> (n + 1,) row in ``exact_vecs`` of the group ending at i, or -1
    exact_idx: dict[int, np.ndarray] = field(default_factory=dict)
    exact_vecs: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.sentences)

    def group_vecs(self, a: int, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Embeddings of the groups of ``a`` sentences ending at ``ends`` (ends ``< a`` give
        zero rows) and whether each is an exact (joined-text) embedding."""
        ok = (ends >= a) & (ends <= self.n)
        e = np.where(ok, ends, min(a, self.n))
        last = self.n - 1
        if a == 1:
            vecs = self.single[_clip(e - 1, 0, last)]
            return np.where(ok[:, None], vecs, 0.0).astype(np.float32), ok
        acc = self.single[_clip(e - 1, 0, last)]
        for k in range(1, a):
            acc = acc + self.single[_clip(e - 1 - k, 0, last)]
        vecs = _unit(acc)
        exact = np.zeros(len(ends), dtype=bool)
        idx = self.exact_idx.get(a)
        if idx is not None and self.exact_vecs is not None:
            rows = idx[e]
            exact = ok & (rows >= 0)
            if exact.any():
                vecs[exact] = self.exact_vecs[rows[exact]]
        vecs[~ok] = 0.0
        return vecs, exact

    def group_lengths(self, a: int, ends: np.ndarray) -> np.ndarray:
        e = _clip(ends, a, self.n)
        return self.len_prefix[e] - self.len_prefix[e - a] + (a - 1)

    def group_mass(self, a: int, ends: np.ndarray) -> np.ndarray:
        e = _clip(ends, a, self.n)
        return self.mass_prefix[e] - self.mass_prefix[e - a]

    def add_exact(self, encoder: Encoder, groups: dict[int, np.ndarray]) -> None:
        """Embed the joined text of the groups ``{a: ends}`` not embedded yet."""
        todo: list[tuple[int, int]] = []
        for a, ends in groups.items():
            idx = self.exact_idx.setdefault(a, np.full(self.n + 1, -1, dtype=np.int64))
            todo += [(a, int(e)) for e in ends if e >= a and idx[e] < 0]
        if not todo:
            return
        texts = [" ".join(self.sentences[e - a : e]) for a, e in todo]
        vecs = _unit(_encode_unique(encoder, texts, self.lang))
        base = 0 if self.exact_vecs is None else len(self.exact_vecs)
        self.exact_vecs = vecs if self.exact_vecs is None else np.vstack([self.exact_vecs, vecs])
        for k, (a, e) in enumerate(todo):
            self.exact_idx[a][e] = base + k


def _make_side(
    sentences: Sequence[str],
    encoder: Encoder,
    lang: str | None,
    mass: np.ndarray,
    emb: np.ndarray | None = None,
) -> _Side:
    if emb is None:
        emb = _encode_unique(encoder, list(sentences), lang)
    elif len(emb) != len(sentences):
        raise ValueError(f"got {len(emb)} embeddings for {len(sentences)} sentences")
    single = _unit(np.asarray(emb, dtype=np.float32))
    lens = np.array([len(t) for t in sentences], dtype=np.float64)
    len_prefix = np.concatenate([[0.0], np.cumsum(lens)])
    mass_prefix = np.concatenate([[0.0], np.cumsum(mass)])
    return _Side(sentences, lang, single, len_prefix, mass_prefix)


# --------------------------------------------------------------------------------------------
# scores


def _band_scores(
    x: _Side,
    y: _Side,
    pairs: tuple[np.ndarray, ...],
    lat: Lattice,
    s: TranslationSettings,
    ratio: float,
    require_exact: bool,
    del_scores: np.ndarray,
    block: int = 64,
) -> np.ndarray:
    """Scores of every link type ending at every band node, shape ``(T, n + 1, W)``; with
    ``require_exact``, many-sentence groups without a joined-text embedding are excluded.
    ``del_scores[i]`` is the score of leaving out source sentence ``i``."""
    mean_len = _mean_length(x, y, ratio)
    n, _m = lat.n, lat.m
    types = lat.types
    scores = np.full((len(types), n + 1, lat.width), -np.inf, dtype=np.float32)
    big_a = max(a for a, _ in types)
    big_b = max(b for _, b in types)
    by_a: dict[int, list[tuple[int, int]]] = {}
    for t, (a, b) in enumerate(types):
        by_a.setdefault(a, []).append((t, b))
    pi, pj, pw = pairs
    k = s.length_smoothing
    for r0 in range(0, n + 1, block):
        r1 = min(n + 1, r0 + block)
        rows = np.arange(r0, r1)
        J = lat.lo[r0:r1, None] + lat.cols[None, :]
        valid = lat.hi[r0:r1, None] > J
        cmin, cmax = int(lat.lo[r0]), int(lat.hi[r1 - 1])
        ycols = np.arange(cmin, cmax)
        rel = _clip(J - cmin, 0, cmax - cmin - 1)
        rix = np.arange(r1 - r0)[:, None]
        # anchors: dense block of pair weights over the sentences these links can contain,
        # turned into a 2-D prefix sum so that any link's rectangle is four lookups
        s0, s1 = max(0, r0 - big_a), max(0, r1 - 1)
        t0, t1 = max(0, cmin - big_b), max(0, cmax - 1)
        lo_p, hi_p = np.searchsorted(pi, [s0, s1])
        bi, bj, bw = pi[lo_p:hi_p], pj[lo_p:hi_p], pw[lo_p:hi_p]
        keep = (bj >= t0) & (bj < t1)
        dense = np.zeros((s1 - s0 + 1, t1 - t0 + 1), dtype=np.float64)
        np.add.at(dense, (bi[keep] - s0 + 1, bj[keep] - t0 + 1), bw[keep])
        prefix = dense.cumsum(axis=0).cumsum(axis=1)
        ycache: dict[int, tuple[np.ndarray, ...]] = {}
        scale = y.n / max(x.n, 1)
        mean_y = _local_mean(y.single, 0.5 * (r0 + r1) * scale, s.hub_window * scale)
        mean_x = _local_mean(x.single, 0.5 * (cmin + cmax) / scale, s.hub_window)
        for a, tb in by_a.items():
            xa, xa_exact = x.group_vecs(a, rows)
            hub_x = xa @ mean_y
            len_x = x.group_lengths(a, rows)[:, None] * ratio + k
            mass_x = x.group_mass(a, rows)[:, None]
            ri = _clip(rows - s0, 0, s1 - s0)[:, None]
            ra = _clip(rows - a - s0, 0, s1 - s0)[:, None]
            for t, b in tb:
                ok = valid & (rows[:, None] >= a) & (b <= J)
                if b == 0:
                    del_sc = del_scores[_clip(rows - 1, 0, x.n - 1)]
                    scores[t, r0:r1][ok] = np.broadcast_to(del_sc[:, None], ok.shape)[ok]
                    continue
                if b not in ycache:
                    yb, yb_exact = y.group_vecs(b, ycols)
                    ycache[b] = (
                        yb,
                        yb_exact[rel],
                        (yb @ mean_x)[rel],
                        y.group_lengths(b, ycols)[rel] + k,
                        y.group_mass(b, ycols)[rel],
                    )
                yb, yb_exact, hub_y, len_y, mass_y = ycache[b]
                if require_exact and (a > 1 or b > 1):
                    if a > 1:
                        ok &= xa_exact[:, None]
                    if b > 1:
                        ok &= yb_exact
                    if not ok.any():
                        continue
                cos = (xa @ yb.T)[rix, rel]
                h = 0.5 * (a + b)
                if s.length_mass:
                    h_len = 0.5 * (len_x + len_y - 2 * k) / mean_len
                    h = (1 - s.length_mass) * h + s.length_mass * h_len
                h = s.sentence_weight * h
                hub = 0.5 * (hub_x[:, None] + hub_y)
                if s.normalise:
                    per_link = s.link_weight * (1.0 - (1.0 - cos) / np.maximum(1.0 - hub, 1e-3))
                else:
                    per_link = s.link_weight * (cos - s.link_margin * hub)
                if s.length_product:
                    lx, ly = len_x - k, len_y - k
                    per_link *= np.log2(
                        1.0 + np.minimum(lx, ly) / np.maximum(np.maximum(lx, ly), 1.0)
                    )
                sc = per_link + h * (cos - s.margin * hub - s.offset)
                sc -= s.length_weight * np.abs(np.log(len_y / len_x))
                if s.anchor_weight or s.dice_weight:
                    cj = _clip(J - t0, 0, t1 - t0)
                    cb = _clip(J - b - t0, 0, t1 - t0)
                    shared = prefix[ri, cj] - prefix[ra, cj] - prefix[ri, cb] + prefix[ra, cb]
                    tot = mass_x + mass_y
                    dice = np.divide(2 * shared, tot, out=np.zeros_like(shared), where=tot > 0)
                    sc += s.anchor_weight * shared + s.dice_weight * np.minimum(dice, 1.0)
                if a > 1 and b > 1:
                    sc -= s.many_penalty
                scores[t, r0:r1][ok] = sc[ok]
    return scores


def _local_mean(vecs: np.ndarray, center: float, half: float) -> np.ndarray:
    """Mean of the rows within ``half`` of ``center`` (all rows when ``half <= 0``)."""
    if half <= 0:
        return vecs.mean(axis=0)
    lo = max(0, int(center - half))
    hi = min(len(vecs), max(lo + 1, int(np.ceil(center + half))))
    lo = min(lo, hi - 1)
    return vecs[lo:hi].mean(axis=0)


def _mean_length(x: _Side, y: _Side, ratio: float) -> float:
    """Average sentence length of both sides, in target characters."""
    total = x.len_prefix[-1] * ratio + y.len_prefix[-1]
    return max(float(total) / max(x.n + y.n, 1), 1.0)


def _best_match(
    x: _Side, y: _Side, lat: Lattice, s: TranslationSettings, block: int = 64
) -> tuple[np.ndarray, np.ndarray]:
    """Per sentence, the best normalised similarity ``1 − (1 − cos) / (1 − hub)`` to a single
    sentence of the other side within the band (clipped at 0), for both sides."""
    n = lat.n
    best_x = np.zeros(x.n)
    best_y = np.zeros(y.n)
    scale = y.n / max(x.n, 1)
    for r0 in range(1, n + 1, block):
        r1 = min(n + 1, r0 + block)
        rows = np.arange(r0, r1)
        J = lat.lo[r0:r1, None] + lat.cols[None, :]
        valid = (lat.hi[r0:r1, None] > J) & (J >= 1)
        cmin, cmax = max(int(lat.lo[r0]), 1), int(lat.hi[r1 - 1])
        if cmax <= cmin:
            continue
        rel = _clip(J - cmin, 0, cmax - cmin - 1)
        mean_y = _local_mean(y.single, 0.5 * (r0 + r1) * scale, s.hub_window * scale)
        mean_x = _local_mean(x.single, 0.5 * (cmin + cmax) / scale, s.hub_window)
        xs = x.single[rows - 1]
        ys = y.single[cmin - 1 : cmax - 1]
        cos = (xs @ ys.T)[np.arange(r1 - r0)[:, None], rel]
        hub = 0.5 * ((xs @ mean_y)[:, None] + (ys @ mean_x)[rel])
        sim = np.where(valid, 1.0 - (1.0 - cos) / np.maximum(1.0 - hub, 1e-3), -np.inf)
        best_x[rows - 1] = np.maximum(sim.max(axis=1), 0.0)
        np.maximum.at(best_y, (J - 1)[valid], sim[valid])
    return best_x, best_y


def _null_scores(
    x: _Side, y: _Side, lat: Lattice, ratio: float, s: TranslationSettings
) -> tuple[np.ndarray, np.ndarray]:
    """Scores of leaving out each source sentence (``(n,)``) and of inserting each target
    sentence (``(m + 1,)``, index ``j`` = sentence ``j - 1``)."""
    mean_len = _mean_length(x, y, ratio)
    del_sc = s.skip + s.skip_length * ratio * np.diff(x.len_prefix) / mean_len
    ins_sc = s.skip + s.skip_length * np.diff(y.len_prefix) / mean_len
    if s.skip_ref > 0:
        bx, by = _best_match(x, y, lat, s)
        del_sc = del_sc * np.clip(bx / s.skip_ref, 0.0, 1.0)
        ins_sc = ins_sc * np.clip(by / s.skip_ref, 0.0, 1.0)
    if s.skip_short > 0:
        short = s.skip_short * mean_len
        del_sc = del_sc * np.minimum(ratio * np.diff(x.len_prefix) / short, 1.0)
        ins_sc = ins_sc * np.minimum(np.diff(y.len_prefix) / short, 1.0)
    return del_sc, np.concatenate([[0.0], ins_sc])


def _likely_groups(
    post: np.ndarray, lat: Lattice, threshold: float
) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Ends of the source and target groups of two or more sentences that appear in a link
    with posterior probability at least ``threshold``."""
    gx: dict[int, set[int]] = {}
    gy: dict[int, set[int]] = {}
    for t, (a, b) in enumerate(lat.types):
        if a < 2 and b < 2:
            continue
        ii, cc = np.nonzero(post[t] >= threshold)
        jj = lat.lo[ii] + cc
        if a > 1:
            gx.setdefault(a, set()).update(ii.tolist())
        if b > 1:
            gy.setdefault(b, set()).update(jj.tolist())
    return (
        {a: np.array(sorted(v), dtype=np.int64) for a, v in gx.items()},
        {b: np.array(sorted(v), dtype=np.int64) for b, v in gy.items()},
    )


# --------------------------------------------------------------------------------------------
# coarse-to-fine band for long documents

_COARSE_TYPES = [(1, 0), (1, 1), (1, 2), (2, 1)]


def _coarse_scores(
    X: np.ndarray, Y: np.ndarray, lat: Lattice, s: TranslationSettings, block: int = 64
) -> np.ndarray:
    """Cosine-only scores of 1-0, 1-1, 1-2 and 2-1 links over mean-pooled embeddings."""
    n = lat.n
    mx, my = Y.mean(axis=0), X.mean(axis=0)
    pairs = [_unit(X[:-1] + X[1:]), _unit(Y[:-1] + Y[1:])]
    xg = {
        1: np.vstack([np.zeros((1, X.shape[1]), np.float32), X]),
        2: np.vstack([np.zeros((2, X.shape[1]), np.float32), pairs[0]]),
    }
    yg = {
        1: np.vstack([np.zeros((1, Y.shape[1]), np.float32), Y]),
        2: np.vstack([np.zeros((2, Y.shape[1]), np.float32), pairs[1]]),
    }
    scores = np.full((len(lat.types), n + 1, lat.width), -np.inf, dtype=np.float32)
    for r0 in range(0, n + 1, block):
        r1 = min(n + 1, r0 + block)
        rows = np.arange(r0, r1)
        J = lat.lo[r0:r1, None] + lat.cols[None, :]
        valid = lat.hi[r0:r1, None] > J
        cmin, cmax = int(lat.lo[r0]), int(lat.hi[r1 - 1])
        rel = _clip(J - cmin, 0, cmax - cmin - 1)
        for t, (a, b) in enumerate(lat.types):
            ok = valid & (rows[:, None] >= a) & (b <= J)
            if b == 0:
                scores[t, r0:r1][ok] = s.skip
                continue
            xa, yb = xg[a][r0:r1], yg[b][cmin:cmax]
            cos = (xa @ yb.T)[np.arange(r1 - r0)[:, None], rel]
            hub = 0.5 * ((xa @ mx)[:, None] + (yb @ my)[rel])
            h = s.sentence_weight * 0.5 * (a + b)
            sc = (s.link_weight + h) * cos - h * (s.margin * hub + s.offset) - s.link_margin * hub
            scores[t, r0:r1][ok] = sc[ok]
    return scores


def _halve(v: np.ndarray) -> np.ndarray:
    n = v.shape[0]
    out = v[0 : n - n % 2 : 2] + v[1 : n - n % 2 : 2]
    if n % 2:
        out = np.vstack([out, v[-1:]])
    return _unit(out)


def _coarse_path(X: np.ndarray, Y: np.ndarray, s: TranslationSettings) -> list[tuple[int, int]]:
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


def _touches_edge(path: list[tuple[int, int, int]], lat: Lattice) -> bool:
    """Whether the path runs along the band's boundary (where the lattice itself goes on)."""
    return any(j == lat.lo[i] and j > 0 or j == lat.hi[i] - 1 and j < lat.m for i, j, _ in path)


# --------------------------------------------------------------------------------------------
# the aligner


def _settings(max_group: int, overrides: dict[str, object]) -> TranslationSettings:
    names = {f.name for f in fields(TranslationSettings)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise TypeError(f"unknown alignment settings: {', '.join(unknown)}")
    s = replace(TranslationSettings(max_group=max_group), **overrides)  # type: ignore[arg-type]
    if s.max_group < 1:
        raise ValueError("max_group must be at least 1")
    if s.overlaps not in ("refine", "exact", "mean"):
        raise ValueError(f"overlaps must be 'refine', 'exact' or 'mean', not {s.overlaps!r}")
    return s


def align_translation(
    src: Sequence[str],
    tgt: Sequence[str],
    encoder: Encoder,
    *,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    max_group: int = 4,
    src_emb: np.ndarray | None = None,
    tgt_emb: np.ndarray | None = None,
    **settings: object,
) -> list[Link]:
    """Align a document with its translation, monotonically, allowing many-to-many links.

    Returns links in document order; every source and every target sentence is in exactly one
    link. A source sentence missing from the translation gets ``Link(source=[i], target=[])``,
    an added target sentence ``Link(source=[], target=[j])``. ``similarity`` is the encoder
    cosine between the joined source and the joined target sentences of the link (0.0 for null
    links); ``confidence`` is the link's posterior probability over alignments (0–1).

    ``max_group`` bounds the sentences on either side of one link; other keyword arguments
    override fields of :class:`TranslationSettings`. ``src_emb`` / ``tgt_emb`` may pass the
    sentences' embeddings by ``encoder`` if already computed (joined groups are still encoded
    with ``encoder``). Deterministic for a deterministic encoder.
    """
    s = _settings(max_group, settings)
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [Link(source=[i], target=[], similarity=0.0) for i in range(n)] + [
            Link(source=[], target=[j], similarity=0.0) for j in range(m)
        ]
    anchors = _Anchors.build(src, tgt, s.anchor_window)
    x = _make_side(src, encoder, src_lang, anchors.x_mass, src_emb)
    y = _make_side(tgt, encoder, tgt_lang, anchors.y_mass, tgt_emb)
    total_x, total_y = float(x.len_prefix[-1]), float(y.len_prefix[-1])
    ratio = total_y / total_x if total_x > 0 and total_y > 0 else 1.0
    types = [(a, b) for a, b in link_types(s.max_group, s.total()) if a <= n and b <= m]
    big_a = max(a for a, _ in types)
    big_b = max(b for _, b in types)
    if s.overlaps == "exact":
        x.add_exact(encoder, {a: np.arange(a, n + 1) for a in range(2, big_a + 1)})
        y.add_exact(encoder, {b: np.arange(b, m + 1) for b in range(2, big_b + 1)})

    if (n + 1) * (m + 1) <= s.full_lattice:
        lo, hi = full_band(n, m)
        banded = False
    else:
        lo, hi = band_from_path(_coarse_path(x.single, y.single, s), n, m, s.band)
        banded = True
    for _ in range(3):
        lat = Lattice(lo, hi, types)
        del_sc, ins = _null_scores(x, y, lat, ratio, s)
        pairs = anchors.pairs(lat, big_a, big_b)
        if s.overlaps == "refine":
            first = _band_scores(x, y, pairs, lat, s, ratio, False, del_sc)
            post, _ = edge_posteriors(first, lat, ins, s.refine_temperature)
            gx, gy = _likely_groups(post, lat, s.refine_threshold)
            del first, post
            x.add_exact(encoder, gx)
            y.add_exact(encoder, gy)
        scores = _band_scores(x, y, pairs, lat, s, ratio, s.refine_strict, del_sc)
        _, path = viterbi(scores, lat, ins)
        if not banded or not _touches_edge(path, lat):
            break
        nodes = [(0, 0)] + [(i, j) for i, j, _ in path]
        lo, hi = band_from_path(nodes, n, m, s.band)
    post_links = link_posteriors(scores, lat, ins, path, s.temperature)
    return _links(path, post_links, lat, x, y, encoder)


def _links(
    path: list[tuple[int, int, int]],
    post: np.ndarray,
    lat: Lattice,
    x: _Side,
    y: _Side,
    encoder: Encoder,
) -> list[Link]:
    steps = [((0, 1) if t == -1 else lat.types[t], i, j) for i, j, t in path]
    # the similarity of a many-sentence link is that of its joined texts
    gx: dict[int, list[int]] = {}
    gy: dict[int, list[int]] = {}
    for (a, b), i, j in steps:
        if a and b:
            if a > 1:
                gx.setdefault(a, []).append(i)
            if b > 1:
                gy.setdefault(b, []).append(j)
    x.add_exact(encoder, {a: np.array(v) for a, v in gx.items()})
    y.add_exact(encoder, {b: np.array(v) for b, v in gy.items()})
    sims = np.zeros(len(steps))
    by_type: dict[tuple[int, int], list[int]] = {}
    for k, ((a, b), _, _) in enumerate(steps):
        if a and b:
            by_type.setdefault((a, b), []).append(k)
    for (a, b), ks in by_type.items():
        u, _ = x.group_vecs(a, np.array([steps[k][1] for k in ks]))
        v, _ = y.group_vecs(b, np.array([steps[k][2] for k in ks]))
        sims[ks] = np.einsum("ij,ij->i", u, v)
    links: list[Link] = []
    for ((a, b), i, j), p, sim in zip(steps, post, sims, strict=True):
        links.append(
            Link(
                source=list(range(i - a, i)),
                target=list(range(j - b, j)),
                similarity=round(float(sim), 6),
                confidence=round(float(p), 6),
            )
        )
    return links


# --------------------------------------------------------------------------------------------
# the Vecalign / gold text format


def format_vecalign(links: Sequence[Link]) -> str:
    """Links in the Vecalign format, one per line: ``[0]:[0, 1]:0.812`` (the number is the
    link's similarity; ``[]:[3]:0.000`` for an inserted sentence)."""
    return "".join(f"{list(lk.source)}:{list(lk.target)}:{lk.similarity:.3f}\n" for lk in links)


def parse_vecalign(text: str) -> list[tuple[list[int], list[int]]]:
    """Read links in the Vecalign / gold format (``[src ids]:[tgt ids]`` with an optional
    ``:score``), one per line; blank lines are skipped."""
    out: list[tuple[list[int], list[int]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        left, sep, rest = line.partition("]:[")
        if not sep:
            raise ValueError(f"not a link: {line!r}")
        right = rest.split("]", 1)[0]
        src = [int(v) for v in left.lstrip("[").split(",") if v.strip()]
        tgt = [int(v) for v in right.split(",") if v.strip()]
        out.append((src, tgt))
    return out
