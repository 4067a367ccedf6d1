"""Experiment (issue 19, session 27d): an ensemble of the two bundled encoders for alignment.

:class:`EnsembleEncoder` (kept here: the experiment did not win, so nothing ships) puts
``√w · u_USE`` and ``√(1 − w) · u_E5`` side by side, so the aligner's cosine is ``w · cos_USE + (1 − w) · cos_E5`` with no aligner change.
Variants: the weight ``w``; E5's compressed cosine range centred first, per side (the side's
E5 mean removed, :mod:`mtaudit.align.center`, fitted on the side's sentences and applied to its
joined groups too); the aligner's own ``center=`` on the whole ensemble vector.

Scored on Text+Berg de–fr (``bench_textberg``: ``dev`` is the selection set, test is scored once
for a single candidate, ``--split test``) and on the WMT22 news document-alignment tune set
(``bench_news_docalign``, ``--news``). Embeddings come from the benchmarks' disk cache
(``$MTAUDIT_BENCH_CACHE``), so timings of the alignment runs exclude encoding; the encoding cost
is measured separately (``--speed``) on fresh encoders over the strings the aligner asked for.

    MTAUDIT_BENCH_CACHE=/work/cache/issue19E OMP_NUM_THREADS=1 \\
        python -m benchmarks.bench_align_ensemble --split dev [--news] [--speed]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from .bench_news_docalign import (
    TUNE_PAIRS,
    doc_case,
    docs,
    encoder_for,
    save_encoders,
    to_segments,
)
from .bench_textberg import TEST_DOCS, load_doc, score


class EnsembleEncoder:
    """Two encoders as one: ``[√w · u₁, √(1 − w) · u₂]`` of their unit vectors, so a dot
    product is ``w · cos₁ + (1 − w) · cos₂`` and the rows stay unit-norm."""

    def __init__(self, first: Any, second: Any, weight: float) -> None:
        if not 0.0 < weight < 1.0:
            raise ValueError(f"the weight must lie strictly between 0 and 1, not {weight}")
        self.first, self.second, self.weight = first, second, float(weight)
        self.name = f"{first.name}*{weight:g}+{second.name}*{1.0 - weight:g}"
        self.version = f"{first.version}; {second.version}"

    def encode(self, sentences: Sequence[str], lang: str | None = None) -> np.ndarray:
        from mtaudit.encoders import normalise_rows

        a = normalise_rows(self.first.encode(sentences, lang))
        b = normalise_rows(self.second.encode(sentences, lang))
        if len(sentences) == 0:
            return np.zeros((0, a.shape[1] + b.shape[1]), dtype=np.float32)
        out = np.hstack([np.sqrt(self.weight) * a, np.sqrt(1.0 - self.weight) * b])
        return normalise_rows(out)


class Recorder:
    """Passes through to ``inner`` and remembers every distinct ``(lang, string)`` asked for."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.version = getattr(inner, "version", "")
        self.seen: set[tuple[str | None, str]] = set()

    def encode(self, sentences: Sequence[str], lang: str | None = None) -> np.ndarray:
        self.seen.update((lang, s) for s in sentences)
        return self.inner.encode(sentences, lang)


#: label → (kind, weight of USE, E5 per-side centering spec, aligner ``center=``)
VARIANTS: dict[str, tuple[str, float, str | None, str | None]] = {
    "USE alone (today's de–fr default)": ("use", 1.0, None, None),
    "E5 alone": ("e5", 0.0, None, None),
    "E5 alone, aligner center=mean": ("e5", 0.0, None, "mean"),
    "ensemble w=0.2": ("ens", 0.2, None, None),
    "ensemble w=0.3": ("ens", 0.3, None, None),
    "ensemble w=0.4": ("ens", 0.4, None, None),
    "ensemble w=0.5": ("ens", 0.5, None, None),
    "ensemble w=0.6": ("ens", 0.6, None, None),
    "ensemble w=0.7": ("ens", 0.7, None, None),
    "ensemble w=0.85": ("ens", 0.85, None, None),
    "ensemble w=0.5, E5 centred per side": ("ens", 0.5, "mean", None),
    "ensemble w=0.7, E5 centred per side": ("ens", 0.7, "mean", None),
    "ensemble w=0.85, E5 centred per side": ("ens", 0.85, "mean", None),
    "ensemble w=0.7, aligner center=cap:0.6": ("ens", 0.7, None, "cap:0.6"),
}


def doc_encoder(
    variant: tuple[str, float, str | None, str | None],
    src: Sequence[str],
    tgt: Sequence[str],
    src_lang: str,
    tgt_lang: str,
) -> Any:
    """The encoder of ``variant`` for one document pair (E5 centring is fitted per side)."""
    from mtaudit.align.center import CenteredEncoder, fit, parse

    kind, w, e5_center, _ = variant
    use, e5 = encoder_for(src_lang, tgt_lang, "use"), encoder_for(src_lang, tgt_lang, "e5")
    if kind == "use":
        return use
    if kind == "e5":
        return e5
    second: Any = e5
    spec = parse(e5_center)
    if spec is not None:
        tx = fit(e5.encode(list(src), src_lang), spec)
        ty = fit(e5.encode(list(tgt), tgt_lang), spec)
        second = CenteredEncoder(e5, ty, {src_lang: tx, tgt_lang: ty})
    return EnsembleEncoder(use, second, w)


def align_case(
    variant: tuple[str, float, str | None, str | None],
    src: list[str],
    tgt: list[str],
    src_lang: str,
    tgt_lang: str,
) -> tuple[list[tuple[list[int], list[int]]], set[tuple[str | None, str]]]:
    from mtaudit.align.translation import align_translation

    rec = Recorder(doc_encoder(variant, src, tgt, src_lang, tgt_lang))
    links = align_translation(
        src, tgt, rec, src_lang=src_lang, tgt_lang=tgt_lang, center=variant[3]
    )
    return [(lk.source, lk.target) for lk in links], rec.seen


def textberg(labels: Sequence[str], split: str) -> list[str]:
    names = ["dev"] if split == "dev" else TEST_DOCS
    rows = []
    for label in labels:
        golds, tests, strings = [], [], 0
        t0 = time.perf_counter()
        for name in names:
            src, tgt, gold = load_doc(name)
            links, seen = align_case(VARIANTS[label], src, tgt, "de", "fr")
            golds.append(gold)
            tests.append(links)
            strings += len(seen)
        save_encoders()
        r = score(golds, tests)
        rows.append(
            f"| {label} | {split} | {r['p_strict']:.3f} | {r['r_strict']:.3f} | "
            f"**{r['f_strict']:.4f}** | {r['f_lax']:.4f} | {strings} | "
            f"{time.perf_counter() - t0:.1f} s |"
        )
        print(rows[-1], flush=True)
    return rows


def news_tune(labels: Sequence[str]) -> list[str]:
    rows = []
    for label in labels:
        cells = []
        for pair in TUNE_PAIRS:
            golds, tests = [], []
            for d in docs("tune", [pair]):
                src, tgt, gold = doc_case(d)
                links, _ = align_case(VARIANTS[label], src, tgt, d.src_lang, d.tgt_lang)
                golds.append(gold)
                tests.append(to_segments(gold, links))
            save_encoders()
            cells.append(f"{score(golds, tests)['f_strict']:.4f}")
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
        print(rows[-1], flush=True)
    return rows


def speed(sample: int = 400) -> list[str]:
    """Sentences/s of fresh USE and E5 encoders (one thread) on a sample of the strings the
    ensemble's aligner asked for on Text+Berg dev (sentences and joined groups)."""
    from mtaudit.encoders import E5Encoder, USEEncoder

    src, tgt, _ = load_doc("dev")
    _, seen = align_case(VARIANTS["ensemble w=0.7"], src, tgt, "de", "fr")
    singles = {("de", s) for s in src} | {("fr", s) for s in tgt}
    strings = sorted(seen)
    random.Random(0).shuffle(strings)
    strings = strings[:sample]
    rows = [
        f"Strings the aligner asked for on dev: {len(seen)} ({len(seen & singles)} sentences, "
        f"{len(seen - singles)} joined groups); timed on a random {len(strings)} of them."
    ]
    print(rows[-1], flush=True)
    for enc in (USEEncoder(threads=1), E5Encoder()):
        enc.encode(["Aufwärmen."], "de")  # load the model outside the timing
        t0 = time.perf_counter()
        for lang in ("de", "fr"):
            texts = [s for lg, s in strings if lg == lang]
            enc.encode(texts, lang)
        dt = time.perf_counter() - t0
        rows.append(f"{enc.name}: {len(strings) / dt:.1f} strings/s ({dt:.1f} s)")
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="dev", choices=["dev", "test", "none"])
    ap.add_argument("--variants", nargs="*", default=list(VARIANTS))
    ap.add_argument("--news", action="store_true")
    ap.add_argument("--speed", action="store_true")
    args = ap.parse_args()
    labels = [v for v in VARIANTS if v in args.variants or any(a == v for a in args.variants)]
    if args.split != "none":
        print("| variant | split | P strict | R strict | F1 strict | F1 lax | strings | time |")
        print("|---|---|---|---|---|---|---|---|")
        textberg(labels, args.split)
    if args.news:
        print("| variant | " + " | ".join(f"news tune {p}" for p in TUNE_PAIRS) + " |")
        news_tune(labels)
    if args.speed:
        speed()


if __name__ == "__main__":
    main()
