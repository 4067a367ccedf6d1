"""Which languages each bundled encoder covers, and how well: measured on WMT22 news.

For every language pair of ``news_docs/wmt22`` and every bundled encoder (USE only where it
covers both languages; E5; the hashing fallback), on the **held-out** documents of
``bench_news_docalign`` (the tune documents were used to tune the aligners):

* **retrieval P@1** — for each WMT segment of a document, is its human reference the nearest of
  the document's reference segments by cosine (and the other way round; the mean of both)? This
  measures the encoder alone, without an aligner: what share of sentences it can tell apart
  from their neighbours in the same article.
* **margin** — the median, over segments, of (cosine with its reference − the best cosine with
  another reference segment of the document), in units of the document's robust spread of
  cosines (MAD of all pairs); higher means the links stand out more clearly.
* **document alignment strict F1** — ``bench_news_docalign``'s test (paragraphs re-segmented by
  mtaudit, translation aligner, default settings) with that encoder forced.

Command: ``python -m benchmarks.bench_encoder_coverage`` (embeddings cached under
``$MTAUDIT_BENCH_CACHE``, as for the other news benchmarks).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .common import Timer

TITLE = "Encoder coverage: retrieval and alignment per language pair (WMT22 news)"

ENCODER_NAMES = ("use", "e5", "hashing")


def _covers(name: str, src: str, tgt: str) -> bool:
    from mtaudit.encoders import USE_LANGUAGES

    return name != "use" or {src, tgt} <= USE_LANGUAGES


def retrieval(se: np.ndarray, te: np.ndarray) -> tuple[float, list[float]]:
    """P@1 of segment *k* finding reference *k* (mean of both directions) and the per-segment
    margins in robust-spread units."""
    sims = se @ te.T
    n = len(sims)
    idx = np.arange(n)
    p1 = 0.5 * (
        float(np.mean(sims.argmax(axis=1) == idx)) + float(np.mean(sims.argmax(axis=0) == idx))
    )
    med = float(np.median(sims))
    spread = float(np.median(np.abs(sims - med))) * 1.4826 or 1e-6
    diag = sims[idx, idx]
    off = sims.copy()
    off[idx, idx] = -np.inf
    rival = np.maximum(off.max(axis=1), off.max(axis=0))
    return p1, list((diag - rival) / spread)


def evaluate(pairs: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """One row per (pair, encoder) with ``docs``, ``segments``, ``p1``, ``margin``, ``f_strict``
    and ``f_lax``."""
    from mtaudit.align.translation import align_translation

    from .bench_news_docalign import PAIRS, doc_case, docs, encoder_for, save_encoders
    from .bench_textberg import score

    rows = []
    for pair in pairs or PAIRS:
        src_lang, tgt_lang = pair.split("-")
        held = [d for d in docs("heldout", [pair]) if len(d.src) == len(d.ref)]
        for name in ENCODER_NAMES:
            if not _covers(name, src_lang, tgt_lang):
                continue
            enc = encoder_for(src_lang, tgt_lang, name)
            p1s, weights, margins, golds, tests = [], [], [], [], []
            for d in held:
                se = enc.encode(d.src, src_lang)
                te = enc.encode(d.ref, tgt_lang)
                p1, m = retrieval(se, te)
                p1s.append(p1)
                weights.append(len(d.src))
                margins += m
                src, tgt, gold = doc_case(d)
                links = align_translation(
                    src,
                    tgt,
                    enc,
                    src_lang=src_lang,
                    tgt_lang=tgt_lang,
                    src_emb=enc.encode(src, src_lang),
                    tgt_emb=enc.encode(tgt, tgt_lang),
                )
                golds.append(gold)
                tests.append([(lk.source, lk.target) for lk in links])
            r = score(golds, tests)
            rows.append(
                {
                    "pair": pair,
                    "encoder": enc.name,
                    "docs": len(held),
                    "segments": int(sum(weights)),
                    "p1": float(np.average(p1s, weights=weights)) if p1s else float("nan"),
                    "margin": float(np.median(margins)) if margins else float("nan"),
                    "f_strict": r["f_strict"],
                    "f_lax": r["f_lax"],
                }
            )
            save_encoders()
    return rows


def run(quick: bool = False) -> str:
    from mtaudit.encoders import default_encoder

    with Timer() as t:
        rows = evaluate(["en-uk", "en-ru"] if quick else None)
    lines = [
        "| pair | encoder | default for the pair | docs / segments | retrieval P@1 | median margin "
        "(spreads) | doc-align strict F1 | lax F1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        default = default_encoder(*r["pair"].split("-")).name == r["encoder"]
        lines.append(
            f"| {r['pair']} | {r['encoder']} | {'yes' if default else ''} | {r['docs']} / "
            f"{r['segments']} | {r['p1']:.3f} | {r['margin']:.1f} | {r['f_strict']:.3f} | "
            f"{r['f_lax']:.3f} |"
        )
    return (
        "Held-out WMT22 news documents (source vs human reference; documents whose two sides have "
        "the same number of segments). USE is run only where it covers both languages.\n\n"
        + "\n".join(lines)
        + f"\n\n({t.seconds:.0f} s)"
    )


if __name__ == "__main__":
    print(run())
