"""Sentence alignment on Text+Berg de–fr (Bleualign gold), strict and lax P/R/F1.

Data: ``alignment/textberg_defr/`` in the benchmark folder (``$MTAUDIT_BENCHDATA``), copied from
``bleualign_data/`` of https://github.com/thompsonb/vecalign (originally Bleualign, Sennrich &
Volk 2010; GPL-2). ``dev`` (1 document) is the tuning set; ``test0``..``test6`` are reported.

Scoring follows Vecalign's ``score.py`` (Sennrich & Volk 2011): a system link is a strict hit
if it equals a gold link, a lax hit if one of its source sentences is linked in gold to one of
its target sentences; recall is the same with gold and system swapped after dropping null links;
counts are summed over the documents before precision, recall and F1 are taken.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .common import Timer, benchdata, blas_note

TITLE = "Sentence alignment: Text+Berg de–fr"

Alignment = Sequence[tuple[Sequence[int], Sequence[int]]]

TEST_DOCS = [f"test{i}" for i in range(7)]
#: Published strict F1 on the seven test documents.
PUBLISHED = {"Vecalign + LASER": 0.902, "Bertalign + LaBSE": 0.936}


def data_dir() -> Path:
    return benchdata() / "alignment" / "textberg_defr"


def load_doc(name: str) -> tuple[list[str], list[str], list[tuple[list[int], list[int]]]]:
    """Source sentences, target sentences and gold links of one document."""
    from mtaudit.align.translation import parse_vecalign

    d = data_dir()
    src = (d / f"{name}.de").read_text(encoding="utf-8").splitlines()
    tgt = (d / f"{name}.fr").read_text(encoding="utf-8").splitlines()
    gold = parse_vecalign((d / f"{name}.defr").read_text(encoding="utf-8"))
    return src, tgt, gold


def _precision_counts(gold: Alignment, test: Alignment) -> tuple[int, int, int, int]:
    """``(tp_strict, fp_strict, tp_lax, fp_lax)`` of ``test`` against ``gold``."""
    gold_set = {(tuple(x), tuple(y)) for x, y in gold if len(x) or len(y)}
    test_set = {(tuple(x), tuple(y)) for x, y in test if len(x) or len(y)}
    src_to_gold_tgt: dict[int, set[int]] = defaultdict(set)
    for gx, gy in gold_set:
        for i in gx:
            src_to_gold_tgt[i].update(gy)
    tps = fps = tpl = fpl = 0
    for tx, ty in test_set:
        if (tx, ty) in gold_set:
            tps += 1
            tpl += 1
            continue
        fps += 1
        linked: set[int] = set()
        for i in tx:
            linked |= src_to_gold_tgt[i]
        if linked & set(ty):
            tpl += 1
        else:
            fpl += 1
    return tps, fps, tpl, fpl


def score(golds: Iterable[Alignment], tests: Iterable[Alignment]) -> dict[str, float]:
    """Strict and lax precision, recall and F1, counts summed over documents first."""
    p = [0, 0, 0, 0]
    r = [0, 0, 0, 0]
    for gold, test in zip(golds, tests, strict=True):
        p = [u + v for u, v in zip(p, _precision_counts(gold, test), strict=True)]
        gold_nn = [(x, y) for x, y in gold if len(x) and len(y)]
        test_nn = [(x, y) for x, y in test if len(x) and len(y)]
        r = [u + v for u, v in zip(r, _precision_counts(test_nn, gold_nn), strict=True)]

    def ratio(tp: int, fp: int) -> float:
        return tp / (tp + fp) if tp + fp else 0.0

    def f1(pr: float, rc: float) -> float:
        return 2 * pr * rc / (pr + rc) if pr + rc else 0.0

    out = {
        "p_strict": ratio(p[0], p[1]),
        "r_strict": ratio(r[0], r[1]),
        "p_lax": ratio(p[2], p[3]),
        "r_lax": ratio(r[2], r[3]),
    }
    out["f_strict"] = f1(out["p_strict"], out["r_strict"])
    out["f_lax"] = f1(out["p_lax"], out["r_lax"])
    return out


class MemoEncoder:
    """Wraps an encoder so each distinct string is encoded once across all runs; counts the
    strings it really encodes and the time spent doing so."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.version = inner.version
        self.cache: dict[tuple[str | None, str], np.ndarray] = {}
        self.encoded = 0
        self.seconds = 0.0

    def encode(self, sentences: Sequence[str], lang: str | None = None) -> np.ndarray:
        todo = sorted({s for s in sentences if (lang, s) not in self.cache})
        if todo:
            t0 = time.perf_counter()
            vecs = self.inner.encode(todo, lang)
            self.seconds += time.perf_counter() - t0
            self.encoded += len(todo)
            for s, v in zip(todo, vecs, strict=True):
                self.cache[(lang, s)] = np.asarray(v, dtype=np.float32)
        if not sentences:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([self.cache[(lang, s)] for s in sentences])


def plain_dp(
    src: Sequence[str],
    tgt: Sequence[str],
    encoder: Any,
    src_lang: str,
    tgt_lang: str,
    max_group: int = 3,
    skip: float = -0.1,
) -> list[tuple[list[int], list[int]]]:
    """The issue-19 baseline: a plain monotone DP over the full lattice, links up to 3-3 scored
    on joined-text embeddings as ``(cos − mean cosine of 2,000 random sentence pairs) · (0.7 +
    0.3 · shorter / longer characters)``, a fixed ``skip`` for 1-0 and 0-1; nothing tuned."""
    from mtaudit.align.dp import Lattice, full_band, viterbi
    from mtaudit.align.sides import make_side

    n, m = len(src), len(tgt)
    x = make_side(src, encoder, src_lang, np.zeros(n))
    y = make_side(tgt, encoder, tgt_lang, np.zeros(m))
    x.add_exact(encoder, {a: np.arange(a, n + 1) for a in range(2, max_group + 1)})
    y.add_exact(encoder, {b: np.arange(b, m + 1) for b in range(2, max_group + 1)})
    rng = np.random.RandomState(0)
    ii, jj = rng.randint(0, n, 2000), rng.randint(0, m, 2000)
    mu = float(np.mean(np.einsum("ij,ij->i", x.single[ii], y.single[jj])))
    types = [(1, 0)] + [
        (a, b)
        for a in range(1, max_group + 1)
        for b in range(1, max_group + 1)
        if a <= n and b <= m
    ]
    lat = Lattice(*full_band(n, m), types)
    scores = np.full((len(types), n + 1, m + 1), -np.inf, np.float32)
    ends_x, ends_y = np.arange(n + 1), np.arange(m + 1)
    for t, (a, b) in enumerate(types):
        if b == 0:
            scores[t, 1:, :] = skip
            continue
        cos = x.group_vecs(a, ends_x)[0] @ y.group_vecs(b, ends_y)[0].T
        lx = x.group_lengths(a, ends_x)[:, None]
        ly = y.group_lengths(b, ends_y)[None, :]
        sc = (cos - mu) * (0.7 + 0.3 * np.minimum(lx, ly) / np.maximum(np.maximum(lx, ly), 1))
        sc[:a, :] = -np.inf
        sc[:, :b] = -np.inf
        scores[t] = sc
    _, path = viterbi(scores, lat, np.full(m + 1, skip))
    out = []
    for i, j, t in path:
        a, b = (0, 1) if t == -1 else types[t]
        out.append((list(range(i - a, i)), list(range(j - b, j))))
    return out


#: (label, settings) — the default, the baselines and the ablations, in table order; the
#: setting ``aligner`` replaces mtaudit's aligner by another function (the plain DP).
METHODS: list[tuple[str, dict[str, Any]]] = [
    ("**mtaudit (default)**", {}),
    ("baseline: plain DP (issue 19: links ≤ 3-3, joined text, cos − random mean)",
     dict(aligner=plain_dp)),
    (
        "previous default (issue 19 before session 24: anchors counted per occurrence pair)",
        dict(anchor_count="pairs"),
    ),
    ("option: links ≤ 5 a side, a + b ≤ 6 (`max_group=5`)", dict(max_group=5)),
    ("option: free skip for lines without letters (`skip_letters=1`)", dict(skip_letters=1.0)),
    ("option: both (session 25 candidate)", dict(max_group=5, skip_letters=1.0)),
    (
        "baseline: 1-1/null DP over raw cosine",
        dict(
            max_group=1, normalise=False, link_margin=0.0, length_product=False,
            length_weight=0.0, anchor_weight=0.0, skip_ref=0.0,
        ),
    ),
    (
        "baseline: many-to-many DP over raw cosine, summed overlaps",
        dict(
            normalise=False, link_margin=0.0, length_product=False, length_weight=0.0,
            anchor_weight=0.0, skip_ref=0.0, overlaps="mean",
        ),
    ),
    (
        "previous default (difference margin, constant skip, no length cost)",
        dict(normalise=False, skip_ref=0.0, length_weight=0.0),
    ),
    ("option: short-line skip discount (`skip_short=0.25`)", dict(skip_short=0.25)),
    ("ablation: difference margin instead of normalised cost", dict(normalise=False)),
    ("ablation: constant skip cost", dict(skip_ref=0.0)),
    ("ablation: no additive length cost", dict(length_weight=0.0)),
    ("ablation: no length factor", dict(length_product=False)),
    ("ablation: no anchors", dict(anchor_weight=0.0)),
    ("ablation: summed overlaps only (no joined-text embeddings)", dict(overlaps="mean")),
    ("variant: joined-text embeddings for every run", dict(overlaps="exact")),
]  # fmt: skip

#: Rows also scored on the synthetic selection set (labels of ``METHODS``).
SYNTH_METHODS = [
    "**mtaudit (default)**",
    "option: both (session 25 candidate)",
    "previous default (issue 19 before session 24: anchors counted per occurrence pair)",
    "baseline: many-to-many DP over raw cosine, summed overlaps",
    "previous default (difference margin, constant skip, no length cost)",
    "option: short-line skip discount (`skip_short=0.25`)",
    "ablation: no anchors",
]


def evaluate(
    docs: list[str], encoder: Any, settings: dict[str, Any]
) -> tuple[dict[str, float], float, list[list[tuple[list[int], list[int]]]]]:
    """Align ``docs`` with ``settings``; returns scores, seconds and the predicted links."""
    from mtaudit.align.translation import align_translation

    golds, tests = [], []
    with Timer() as t:
        for name in docs:
            src, tgt, gold = load_doc(name)
            golds.append(gold)
            if "aligner" in settings:
                tests.append(settings["aligner"](src, tgt, encoder, "de", "fr"))
                continue
            links = align_translation(src, tgt, encoder, src_lang="de", tgt_lang="fr", **settings)
            tests.append([(lk.source, lk.target) for lk in links])
    return score(golds, tests), t.seconds, tests


def evaluate_synth(docs: list[Any], encoder: Any, settings: dict[str, Any]) -> dict[str, float]:
    """Scores on synthetic documents (:mod:`benchmarks.align_synth`)."""
    from mtaudit.align.translation import align_translation

    golds, tests = [], []
    for d in docs:
        links = align_translation(
            d.src, d.tgt, encoder, src_lang=d.src_lang, tgt_lang=d.tgt_lang, **settings
        )
        golds.append(d.gold)
        tests.append([(lk.source, lk.target) for lk in links])
    return score(golds, tests)


def _synth_table(enc: Any, quick: bool) -> list[str]:
    """Strict F1 on the synthetic selection set, with and without inserted fragments."""
    from . import align_synth

    sets = [
        ("fragments", align_synth.build()),
        ("whole sentences", align_synth.build(fragments=False)),
    ]
    head = ["method"]
    for name, _ in sets:
        head += [f"TED en–de, {name}", f"MLQE en–de/zh, {name}"]
    lines = [
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    methods = dict(METHODS)
    for label in SYNTH_METHODS[:1] if quick else SYNTH_METHODS:
        cells = []
        for _, docs in sets:
            for prefix in ("ted", "mlqe"):
                part = [d for d in docs if d.name.startswith(prefix)]
                cells.append(f"{evaluate_synth(part, enc, methods[label])['f_strict']:.3f}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    n_links = {name: sum(1 for d in docs for x, y in d.gold if x and y) for name, docs in sets}
    docs0 = sets[0][1]
    lines += [
        "",
        f"Synthetic selection set (`benchmarks/align_synth.py`, built at run time, seed 13): "
        f"{sum(d.name.startswith('ted') for d in docs0)} TED talk translations (WMT21 MQM en–de, "
        f"the human reference and three systems) and "
        f"{sum(d.name.startswith('mlqe') for d in docs0)} pseudo-documents of 250 MLQE-PE "
        f"sentence pairs (en–de, en–zh); {n_links['fragments']} non-null gold links with "
        "fragments, "
        f"{n_links['whole sentences']} without. Neighbouring sentences are joined (2-1, 1-2), "
        "split at a comma, translations deleted, and unrelated sentences — with *fragments*, "
        "also short page-furniture lines such as `- 812 -`, `(1290)` or a lone word — inserted "
        "on either side. Strict F1; the encoder is the same.",
    ]
    return lines


def _row(label: str, split: str, r: dict[str, float], seconds: str) -> str:
    cells = [r["p_strict"], r["r_strict"], r["f_strict"], r["p_lax"], r["r_lax"], r["f_lax"]]
    return f"| {label} | {split} | " + " | ".join(f"{v:.3f}" for v in cells) + f" | {seconds} |"


def run(quick: bool = False) -> str:
    from mtaudit.encoders import default_encoder

    test_docs = ["test0", "test2", "test4"] if quick else TEST_DOCS
    methods = METHODS[:4] if quick else METHODS
    inner = default_encoder("de", "fr")
    inner.encode(["Aufwärmen."], "de")  # load the model outside the timings
    enc = MemoEncoder(inner)
    lines = [
        "| method | documents | P strict | R strict | **F1 strict** | P lax | R lax | F1 lax "
        "| time |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    splits = [("test", test_docs), ("dev (tuning set)", ["dev"])]
    default_time = {}
    default_f: dict[str, float] = {}
    for label, settings in methods:
        for split, docs in splits:
            before_s, before_n = enc.seconds, enc.encoded
            r, seconds, _ = evaluate(docs, enc, settings)
            enc_s = enc.seconds - before_s
            if label.startswith("**"):
                default_time[split] = (seconds, enc_s, enc.encoded - before_n)
                default_f[split] = r["f_strict"]
                when = f"{seconds:.1f} s (encoding {enc_s:.1f} s)"
            else:
                extra = (
                    f", +{enc.encoded - before_n} strings encoded" if enc.encoded > before_n else ""
                )
                when = f"{seconds - enc_s:.1f} s{extra}"
            lines.append(_row(label, split, r, when))
    for name, f in PUBLISHED.items():
        lines.append(f"| {name} (published) | test | | | {f:.3f} | | | | |")

    sentences = {
        split: sum(len(load_doc(d)[0]) + len(load_doc(d)[1]) for d in docs)
        for split, docs in splits
    }
    t_test = default_time.get("test")
    notes = [
        "",
        f"Encoder: `{inner.name}` {inner.version} (the default for de–fr). Test: "
        f"{len(test_docs)} documents, {sentences['test']} sentences; dev: 1 document, "
        f"{sentences['dev (tuning set)']} sentences. Every default parameter was chosen on dev "
        "only.",
        "",
        "Time: the default row is wall-clock time with a cold embedding cache (encoding "
        "included, model loading excluded); the other rows reuse the cached sentence embeddings, "
        "so their time is the alignment itself plus any joined-text groups they encode anew. "
        + blas_note(),
    ]
    if t_test:
        notes.append(
            f"The default encoded {t_test[2]} distinct strings for the test documents "
            f"({t_test[1]:.1f} s of its {t_test[0]:.1f} s)."
        )
    f_test = default_f.get("test", 0.0)
    verdict = (
        "reaches" if f_test >= 0.93 else "stays below"
    )  # the project's target; not a tuning criterion
    notes += [
        "",
        "Issue 19, session 24: the plain DP (its row) beat the previous default on test but "
        "not on dev; on the WMT22 news tune documents it beat it clearly (en–uk 0.996 vs "
        "0.961). The cause was the anchor count: every pair of occurrences of a shared token "
        "in a link was counted, so a name repeated in two neighbouring sentences counted twice "
        "as much in one 2-2 link as in two 1-1 links and glued correct 1-1 links together "
        "(without anchors, news matched the plain DP but dev fell to 0.870). Counting per token "
        "the weight both sides share (`anchor_count='matched'`, the default now) keeps the "
        "anchors' gain on dev (0.917 → 0.925) and reaches the plain DP on news; skip, "
        "skip_ref, length terms and 3-3 links were re-checked on dev, news tune and the "
        "synthetic set with the new count and left as they were. Test was scored once, after "
        "choosing. "
        "The default's parameters (skip −0.2, skip_ref 0.5, length weight 0.1, anchor weight "
        "0.75, normalised cost) were chosen on the dev document; the synthetic documents below "
        "are a second selection set. A short-line skip discount (`skip_short=0.25`: leaving out "
        "a line shorter than a quarter of the average sentence length costs proportionally "
        "less, so that page numbers and OCR debris are not glued onto a neighbouring link) beat "
        "the default on both (its rows above and below; by a single link on dev, clearly only "
        "where fragments were inserted). Scored once on test it did worse (its row above; lax precision fell: the short lines "
        "it left out were mostly inside gold links), so it stays an option and the default is "
        "unchanged; that last decision was taken after seeing test. Tried on the selection data "
        "and not adopted: an ensemble with the multilingual-e5-small encoder (USE + E5 cosines, "
        "E5 at equal or half weight: no better than USE alone on dev and lower on the synthetic "
        "sets, so E5 restricted to doubtful regions was not pursued), minimum-Bayes-risk "
        "decoding over link posteriors (±0.001), a per-sentence group penalty (helps synthetic, "
        "hurts dev), blending joined-text with summed group embeddings, `max_group` 5, a lower "
        "refinement threshold, and retuning skip, skip_ref, anchor and length weights (the "
        "current values stayed best on dev). None of these was scored on test. "
        "**The test documents are not pristine:** earlier versions of this table scored several "
        "configurations on them, so the test figures are an optimistic estimate. For this "
        "version the test documents were scored once with each final candidate. "
        f"The default {verdict} the 0.93 strict F1 the project aims for "
        "(Bertalign with LaBSE: 0.936): the remaining errors are grouping decisions (1-1 + 1-1 "
        "against 2-2, partial groups of long many-to-many links), not misplaced boundaries (lax "
        "F1 ≈ 0.99).",
        "",
        "Issue 19, session 25: the remaining dev errors were sorted by kind (22 wrong "
        "groupings; six of them gold 3-3, 1-5, 2-5 or 4-3 links the default's link types cannot "
        "express, several near-ties of 1-1 + 0-1 against 1-2, and page-furniture lines). Two "
        "options came out of it, chosen on dev, the synthetic set and news tune: links of up to "
        "five sentences a side with a + b ≤ 6 (`max_group=5`) and a free skip for lines without "
        "a letter (`skip_letters=1`). Together they raised dev 0.925 → 0.937 and the synthetic "
        "set with fragments 0.933 → 0.964, news tune unchanged; scored once on test they lowered "
        "it 0.913 → 0.909 (each alone by about 0.002), so neither is the default — that decision "
        "was taken after seeing test. Also tried on dev/synthetic/news tune only and not adopted: "
        "a constant cost per non-null link (offsetting the per-link sum's preference for "
        "splits; no gain on dev, news tune fell at 0.2), and retuning skip, skip_ref, length "
        "and anchor weights with the larger link types (the current values stayed best).",
        "",
        "Published figures: Thompson & Koehn 2019 (Vecalign, LASER embeddings) and Liu & Zhu 2022 "
        "(Bertalign, LaBSE embeddings), same documents and scoring. Monotone aligners cannot get "
        "the few crossing gold links (e.g. `test1`) nor gold links with gaps.",
        "",
        "### Selection set: synthetic documents",
        "",
    ]
    synth_enc = MemoEncoder(default_encoder("en", "de"))
    notes += _synth_table(synth_enc, quick)
    return "\n".join(lines + notes)
