"""Per-side embedding centering for alignment (:mod:`mtaudit.align.center`), off against on.

Each document side's mean sentence vector is subtracted from its sentence (and joined-text)
embeddings before aligning (variants: a share of the mean, the top principal directions too).
Compared on the selection sets only, each scored with the aligner's other settings at their
defaults:

* retold news, *tune* documents (``bench_news_retold``: en–uk, en–ru, de–fr, both directions),
  comparable mode — mean link F1 over the six directions;
* Text+Berg ``dev`` (``bench_textberg``), translation mode — strict F1;
* news document alignment, *tune* documents (``bench_news_docalign``: en–uk, en–ru, de–fr),
  translation mode — strict F1 per pair;
* the synthetic selection set (``align_synth``, with fragments), translation mode — strict F1.

``--heldout SPEC[,SPEC]`` scores the final candidates once on the held-out sets (retold
held-out, all seven pairs; Text+Berg test; news docalign held-out). Embeddings are cached on
disk (``bench_news_docalign.DiskCacheEncoder``, ``$MTAUDIT_BENCH_CACHE``).

    python -m benchmarks.bench_align_center --dev off,mean,mean:0.5,abtt:1,abtt:2
    python -m benchmarks.bench_align_center --heldout off,mean
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from typing import Any

from .common import Timer

TITLE = "Alignment: per-side embedding centering"

DEV_VARIANTS = ["off", "mean", "mean:0.5", "abtt:1", "abtt:2"]


def retold(split: str, spec: str, reps: int = 1) -> dict[str, Any]:
    """Comparable mode on retold news; ``reps`` > 1 scores further retellings of each document
    (other seeds; ``bench_news_retold.cases``) for a less noisy figure."""
    from mtaudit.align.comparable import ComparableSettings

    from . import bench_news_retold as nr
    from .bench_news_docalign import PAIRS, TUNE_PAIRS, save_encoders

    pairs = TUNE_PAIRS if split == "tune" else PAIRS
    s = replace(ComparableSettings(), center=spec)
    res = {d: nr.evaluate(items, s) for d, items in nr.cases(split, pairs, reps).items()}
    save_encoders()
    return {"mean_F1": nr.pooled(res), **{d: round(r["F1"], 4) for d, r in res.items()}}


def _encoder(src_lang: str, tgt_lang: str) -> Any:
    from .bench_news_docalign import encoder_for

    return encoder_for(src_lang, tgt_lang)


def textberg(docs: list[str], spec: str) -> dict[str, Any]:
    from . import bench_textberg as tb
    from .bench_news_docalign import save_encoders

    r, _, _ = tb.evaluate(docs, _encoder("de", "fr"), {"center": spec})
    save_encoders()
    return {"f_strict": r["f_strict"], "f_lax": r["f_lax"]}


def docalign(split: str, spec: str) -> dict[str, Any]:
    from .bench_news_docalign import PAIRS, TUNE_PAIRS, evaluate_docalign

    pairs = TUNE_PAIRS if split == "tune" else PAIRS
    res = evaluate_docalign(split, pairs, {"center": spec})
    return {p: round(r["f_strict"], 4) for p, r in res.items()}


_SYNTH: list[Any] = []


def synth(spec: str) -> dict[str, Any]:
    from . import align_synth
    from . import bench_textberg as tb
    from .bench_news_docalign import save_encoders

    if not _SYNTH:
        _SYNTH.extend(align_synth.build())
    out = {}
    for prefix in ("ted", "mlqe"):
        part = [d for d in _SYNTH if d.name.startswith(prefix)]
        out[prefix] = round(
            tb.evaluate_synth(part, _encoder("en", "de"), {"center": spec})["f_strict"], 4
        )
    save_encoders()
    return out


def dev(specs: list[str], which: list[str], reps: int = 1) -> list[dict[str, Any]]:
    rows = []
    for spec in specs:
        row: dict[str, Any] = {"center": spec}
        with Timer() as t:
            if "retold" in which:
                row["retold_tune"] = retold("tune", spec, reps)
            if "textberg" in which:
                row["textberg_dev"] = textberg(["dev"], spec)
            if "docalign" in which:
                row["docalign_tune"] = docalign("tune", spec)
            if "synth" in which:
                row["synth"] = synth(spec)
        row["seconds"] = round(t.seconds, 1)
        print(json.dumps(row, ensure_ascii=False), flush=True)
        rows.append(row)
    return rows


def heldout(specs: list[str], which: list[str]) -> list[dict[str, Any]]:
    from .bench_textberg import TEST_DOCS

    rows = []
    for spec in specs:
        row: dict[str, Any] = {"center": spec}
        if "retold" in which:
            row["retold_heldout"] = retold("heldout", spec)
        if "textberg" in which:
            row["textberg_test"] = textberg(TEST_DOCS, spec)
        if "docalign" in which:
            row["docalign_heldout"] = docalign("heldout", spec)
        print(json.dumps(row, ensure_ascii=False), flush=True)
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dev", help="comma-separated centering specs scored on the selection sets")
    ap.add_argument("--heldout", help="comma-separated specs scored once on the held-out sets")
    ap.add_argument(
        "--sets", default="retold,textberg,docalign,synth", help="which sets (comma-separated)"
    )
    ap.add_argument("--reps", type=int, default=1, help="retellings per tune document")
    args = ap.parse_args(argv)
    which = args.sets.split(",")
    if not args.dev and not args.heldout:
        args.dev = ",".join(DEV_VARIANTS)
    if args.dev:
        dev(args.dev.split(","), which, args.reps)
    if args.heldout:
        heldout(args.heldout.split(","), which)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
