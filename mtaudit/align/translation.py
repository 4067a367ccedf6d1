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
   short lines it left out were mostly part of a gold link. The optional factor ``min(1,
   letters / skip_letters)`` (``letters`` the sentence's count of ``str.isalpha`` characters)
   makes a line without a single letter free to leave out; it is off by default for the same
   reason (issue 19 session 25: synthetic set with fragments 0.933 → 0.964, test 0.913 →
   0.910). ``shared`` is the rarity-weighted
   number of *anchors* — numbers, names and other tokens written the same way in both
   documents, plus ``? ! : ; ( ) %`` — found on both sides of the link: each occurrence
   weighs ``1 / max(local frequency)``, and per token the link counts the smaller of its two
   sides' weights (``anchor_count="matched"``), so a token repeated in neighbouring sentences
   counts the same in one 2-2 link as in two 1-1 links. Counting every pair of occurrences
   instead (``"pairs"``, the count before issue 19 session 24) grows with the product of the
   occurrences and glued correct 1-1 links into 2-2 links wherever a name or a colon recurred
   (WMT22 news: strict F1 0.96 against 0.99). Anchors matter most where a boundary
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

from collections.abc import Sequence
from dataclasses import fields, replace

import numpy as np

from ..encoders import Encoder
from ..report import Link
from . import center as _center
from .anchors import Anchors
from .beads import TranslationSettings, band_scores, likely_groups, link_types, null_scores
from .coarse import coarse_path, touches_edge
from .dp import Lattice, band_from_path, edge_posteriors, full_band, link_posteriors, viterbi
from .sides import Side, make_side

__all__ = [
    "TranslationSettings",
    "align_translation",
    "link_types",
    "format_vecalign",
    "parse_vecalign",
]


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
    if s.anchor_count not in ("matched", "pairs"):
        raise ValueError(f"anchor_count must be 'matched' or 'pairs', not {s.anchor_count!r}")
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
    center: str | None = None,
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
    with ``encoder``). ``center`` centres each side's embeddings on its own mean before
    aligning (:mod:`.center`; ``None`` = :data:`CENTER`); the reported similarities stay raw
    encoder cosines. Deterministic for a deterministic encoder.
    """
    s = _settings(max_group, settings)
    spec = _center.parse(CENTER if center is None else center)
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [Link(source=[i], target=[], similarity=0.0) for i in range(n)] + [
            Link(source=[], target=[j], similarity=0.0) for j in range(m)
        ]
    anchors = Anchors.build(src, tgt, s.anchor_window)
    x = make_side(src, encoder, src_lang, anchors.x_mass, src_emb)
    y = make_side(tgt, encoder, tgt_lang, anchors.y_mass, tgt_emb)
    x_raw, y_raw, enc_x, enc_y, raw_enc = x, y, encoder, encoder, encoder
    centred = _center.center_pair(x.single, y.single, encoder, spec)
    if centred is not None:  # align on centred vectors, report raw cosines
        cx, cy, enc_x, enc_y = centred
        x = replace(x, single=cx, exact_idx={}, exact_vecs=None)
        y = replace(y, single=cy, exact_idx={}, exact_vecs=None)
        raw_enc = _RawPair(enc_x, enc_y, src_lang, tgt_lang)
    total_x, total_y = float(x.len_prefix[-1]), float(y.len_prefix[-1])
    ratio = total_y / total_x if total_x > 0 and total_y > 0 else 1.0
    types = [(a, b) for a, b in link_types(s.max_group, s.total()) if a <= n and b <= m]
    big_a = max(a for a, _ in types)
    big_b = max(b for _, b in types)
    if s.overlaps == "exact":
        x.add_exact(enc_x, {a: np.arange(a, n + 1) for a in range(2, big_a + 1)})
        y.add_exact(enc_y, {b: np.arange(b, m + 1) for b in range(2, big_b + 1)})

    if (n + 1) * (m + 1) <= s.full_lattice:
        lo, hi = full_band(n, m)
        banded = False
    else:
        lo, hi = band_from_path(coarse_path(x.single, y.single, s), n, m, s.band)
        banded = True
    for _ in range(3):
        lat = Lattice(lo, hi, types)
        del_sc, ins = null_scores(x, y, lat, ratio, s)
        if s.overlaps == "refine":
            first = band_scores(x, y, anchors, lat, s, ratio, False, del_sc)
            post, _ = edge_posteriors(first, lat, ins, s.refine_temperature)
            gx, gy = likely_groups(post, lat, s.refine_threshold)
            del first, post
            x.add_exact(enc_x, gx)
            y.add_exact(enc_y, gy)
        scores = band_scores(x, y, anchors, lat, s, ratio, s.refine_strict, del_sc)
        _, path = viterbi(scores, lat, ins)
        if not banded or not touches_edge(path, lat):
            break
        nodes = [(0, 0)] + [(i, j) for i, j, _ in path]
        lo, hi = band_from_path(nodes, n, m, s.band)
    post_links = link_posteriors(scores, lat, ins, path, s.temperature)
    return _links(path, post_links, lat, x_raw, y_raw, raw_enc)


#: The default of ``align_translation(center=...)`` (see :mod:`.center`).
CENTER = "off"


class _RawPair:
    """The raw (uncentred) vectors of both sides' centred encoders, by the side's language."""

    def __init__(self, ex: object, ey: object, src_lang: str | None, tgt_lang: str | None):
        self.ex, self.ey, self.src_lang = ex.raw_encoder(), ey.raw_encoder(), src_lang  # type: ignore[attr-defined]
        self.name, self.version = self.ex.name, self.ex.version

    def encode(self, sentences: Sequence[str], lang: str | None = None) -> np.ndarray:
        return (self.ex if lang == self.src_lang else self.ey).encode(sentences, lang)


def _links(
    path: list[tuple[int, int, int]],
    post: np.ndarray,
    lat: Lattice,
    x: Side,
    y: Side,
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
