"""Held-out figures of the multilingual LM's garble profile (``lex+mlm``, Gemma-3-270M).

Reads the examples :func:`train_garble.build_multilingual_dataset` makes (German, French,
Romanian; hash split) and the shipped ``mtaudit/data/garble_model.json``, and prints Markdown:

* the *test* split (never used for weights or thresholds): AUROC and the share of clean /
  corrupted sentences flagged at the shipped thresholds, per language, next to the shipped
  ``lex+lg`` profile on the same sentences;
* leave-one-language-out: the profile refitted on the train split of the other two languages
  (thresholds on their dev split) and tested on the test split of the language left out;
* real errors: MQM TED en-de test talks (``talk.5``, ``talk.6``), segments with a Major Fluency
  error against the same fixed sample of No-error ones that ``benchmarks/bench_fluency.py``
  uses;
* speed: 100 German sentences read by Gemma (no cache).

    python scripts/eval_multilingual_garble.py [--benchdata DIR] [--out FILE]

LM outputs come from the cache ``scripts/train_garble.py --multilingual`` fills.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import train_garble as tg  # noqa: E402

from mtaudit.fluency import FluencyScorer, GemmaScorer, load_garble_model  # noqa: E402
from mtaudit.fluency.model import GarbleModel, Profile  # noqa: E402

LEVELS = ("fluency", "major", "critical")


def _rates(probs: np.ndarray, y: np.ndarray, thr: dict[str, float] | list[dict[str, float]]) -> str:
    """``clean % / corrupted %`` flagged at each threshold level (one set, or one per row)."""
    rows = thr if isinstance(thr, list) else [thr] * len(probs)
    cells = []
    for level in LEVELS:
        hit = probs >= np.array([t[level] for t in rows])
        cells.append(f"{hit[y == 0].mean():.1%} / {hit[y == 1].mean():.1%}")
    return " | ".join(cells)


def _predict(prof: Profile, rows: list[dict[str, Any]]) -> np.ndarray:
    return prof.predict([d["feats"] for d in rows])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--benchdata")
    ap.add_argument("--out", help="also write the Markdown here")
    ap.add_argument("--no-speed", action="store_true", help="skip the speed measurement")
    args = ap.parse_args(argv)
    bd = tg.benchdata_dir(args.benchdata)
    model = load_garble_model()
    ml = model.profiles[tg.ML_PROFILE_NAME]
    lexlg = model.profiles["lex+lg"]
    n_ml = int(model.meta.get("n_ml", 800))
    data = tg.build_multilingual_dataset(bd, n_ml)
    gemma = GemmaScorer()
    tg.extract(data, tg.ml_cache_path(gemma), gemma)
    out: list[str] = []
    langs = list(tg.ML_LANGS)
    test = [d for d in data if d["split"] == "test"]

    # ------------------------------------------------------------------ held-out test split
    out.append(
        f"### Synthetic corruptions, test split ({sum(d['label'] for d in test)} corrupted / "
        f"{sum(1 - d['label'] for d in test)} clean)\n"
    )
    out.append(
        "| language | n corrupted / clean | `lex+mlm` AUROC | `lex+lg` AUROC (shipped; deployed "
        "for de only) | `lex+mlm` clean / corrupted flagged at fluency | at major | at critical "
        "| same, pooled thresholds: fluency | major | critical |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for lang in [*langs, "all"]:
        rows = [d for d in test if lang in ("all", d["lang"])]
        y = np.array([d["label"] for d in rows])
        p = _predict(ml, rows)
        b = _predict(lexlg, rows)
        thr = [ml.thresholds_for(d["lang"]) for d in rows]
        out.append(
            f"| {lang} | {int(y.sum())} / {int((1 - y).sum())} | **{tg.auroc(p, y):.3f}** | "
            f"{tg.auroc(b, y):.3f} | {_rates(p, y, thr)} | {_rates(p, y, ml.thresholds)} |"
        )
    kinds = sorted({d["kind"] for d in test if d["label"] == 1})
    out.append("\n| corruption (all languages) | n | `lex+mlm` AUROC vs clean | flagged at major |")
    out.append("|---|---|---|---|")
    clean = [d for d in test if d["label"] == 0]
    pc = _predict(ml, clean)
    for kind in kinds:
        pos = [d for d in test if d["kind"] == kind]
        pp = _predict(ml, pos)
        y = np.r_[np.ones(len(pp)), np.zeros(len(pc))]
        au = tg.auroc(np.r_[pp, pc], y)
        major = np.array([ml.thresholds_for(d["lang"])["major"] for d in pos])
        out.append(f"| {kind} | {len(pos)} | {au:.3f} | {(pp >= major).mean():.0%} |")

    # ------------------------------------------------------------------ leave one language out
    out.append(
        "\n### Leave one language out\n\nRefitted on the train split of the other languages "
        "(thresholds from their dev split), tested on the test split of the language left out.\n"
    )
    out.append(
        "| left out | train languages | AUROC (never seen) | AUROC (all languages, shipped) | "
        "clean / corrupted flagged at fluency | at major | at critical |"
    )
    out.append("|---|---|---|---|---|---|---|")
    for lang in langs:
        others = [g for g in langs if g != lang]
        spec = {"features": tg.LOCAL_LM_FEATURES, "langs": others}
        prof = tg.train_profile("lolo", spec, data)
        rows = [d for d in test if d["lang"] == lang]
        y = np.array([d["label"] for d in rows])
        p = _predict(prof, rows)
        out.append(
            f"| {lang} | {', '.join(others)} | **{tg.auroc(p, y):.3f}** | "
            f"{tg.auroc(_predict(ml, rows), y):.3f} | {_rates(p, y, prof.thresholds)} |"
        )

    # ------------------------------------------------------------------ MQM German, real errors
    rng = random.Random(7)  # the sample benchmarks/bench_fluency.py draws
    mqm = [r for r in tg.load_mqm_german(bd) if r["split"] == "test" and r["label"] != "other"]
    pos = [r for r in mqm if r["label"] == "major_fluency"]
    neg = [r for r in mqm if r["label"] == "clean"]
    sample = pos + rng.sample(neg, min(400, len(neg)))
    rows = [
        {"text": r["text"], "label": int(r["label"] == "major_fluency"), "lang": "de"}
        for r in sample
    ]
    tg.extract(rows, tg.ml_cache_path(gemma), gemma)
    y = np.array([d["label"] for d in rows])
    p, b = _predict(ml, rows), _predict(lexlg, rows)
    out.append(
        f"\n### German MQM TED test talks: Major Fluency ({int(y.sum())}) vs No-error "
        f"({int((1 - y).sum())})\n"
    )
    out.append("| profile | AUROC | clean / error flagged at fluency | at major | at critical |")
    out.append("|---|---|---|---|---|")
    out.append(
        f"| `lex+mlm` (Gemma) | {tg.auroc(p, y):.3f} | {_rates(p, y, ml.thresholds_for('de'))} |"
    )
    out.append(f"| `lex+lg` (shipped) | {tg.auroc(b, y):.3f} | {_rates(b, y, lexlg.thresholds)} |")

    # ------------------------------------------------------------------ speed
    if not args.no_speed:
        texts = [r["text"] for r in sample[100:200]]
        scorer = FluencyScorer(
            None, model=GarbleModel({ml.name: ml}), link_grammar=False, multilingual=gemma
        )
        scorer.score(["Ein kurzer Satz zum Aufwärmen."], "de")
        t0, c0 = time.perf_counter(), time.process_time()
        scorer.score(texts, "de")
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        words = np.mean([len(t.split()) for t in texts])
        out.append(
            f"\nSpeed: {wall:.1f} s wall, {cpu:.1f} s CPU for 100 German sentences (mean "
            f"{words:.0f} words), {gemma.n_threads} threads, {os.cpu_count()} CPUs."
        )
    text = "\n".join(out) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
