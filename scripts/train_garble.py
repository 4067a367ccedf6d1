"""Train mtaudit's garble model and write ``mtaudit/data/garble_model.json``.

Data (read from the external benchmark folder, never copied into the repository):

* clean English: the source side of WMT21 critical-error ``*_train.tsv``, the ``source`` column of
  MQM TED en-de, and the ``original`` column of MLQE-PE en-de / en-zh (all human-written English);
* clean German: MQM TED en-de system translations that the expert rater marked ``No-error``, plus
  the real positives of MQM TED: segments with a *Major* ``Fluency/*`` error;
* synthetic positives: each clean sentence is corrupted once (:mod:`mtaudit.fluency.synth`).

Splits are fixed: English by a hash of the sentence, German by talk (``talk.1``–``talk.3`` train,
``talk.4`` dev, ``talk.5`` test). Weights are fitted on train; thresholds are chosen on dev
(clean-sentence false-alarm rates of 5 % / 1 % / 0.2 % for minor / major / critical); test is left
for ``benchmarks/bench_fluency.py``.

    python scripts/train_garble.py [--benchdata DIR] [--n-en 2400] [--n-de 900]

Features are cached under ``~/.cache/mtaudit/garble_features.json`` (LM scoring is the slow part).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mtaudit.fluency.features import LEX_FEATURES, LM_FEATURES, PARSE_FEATURES  # noqa: E402
from mtaudit.fluency.lm import SmolLM2Scorer  # noqa: E402
from mtaudit.fluency.model import GarbleModel, Profile  # noqa: E402
from mtaudit.fluency.scorer import FluencyScorer  # noqa: E402
from mtaudit.fluency.synth import KINDS, corrupt, split_of  # noqa: E402

SEED = 20261122
DE_SPLIT = {"talk.1": "train", "talk.2": "train", "talk.3": "train", "talk.4": "dev", "talk.5": "test"}
FPR = {"fluency": 0.05, "major": 0.01, "critical": 0.002}
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mtaudit"

csv.field_size_limit(10**7)


# ------------------------------------------------------------------------------------------------
# data


def benchdata_dir(arg: str | None) -> Path:
    path = Path(arg or os.environ.get("MTAUDIT_BENCHDATA") or ROOT.parent / "shared" / "benchdata")
    if not path.is_dir():
        raise SystemExit(f"benchmark data not found at {path}; pass --benchdata")
    return path


_GOOD = re.compile(r"^[A-Z\"“'‘][^\n]*[.!?\"”']$")
_INNER_END = re.compile(r"[.!?]\s+[A-Z\"“]")


def _clean_en(text: str) -> bool:
    n = len(text.split())
    return (
        8 <= n <= 60
        and bool(_GOOD.match(text))
        and "http" not in text
        and not _INNER_END.search(text)
        and "(" not in text
        and " ," not in text
        and " ." not in text
        and sum(c.isascii() for c in text) > 0.97 * len(text)
        and not any(w.isupper() and len(w) > 4 for w in text.split())
    )


def load_clean_english(bd: Path) -> list[str]:
    """Human-written English sentences (deduplicated, filtered, sorted for reproducibility)."""
    out: set[str] = set()
    for f in sorted((bd / "critical_errors" / "wmt21").glob("*_train.tsv")):
        with f.open(encoding="utf-8") as fh:
            for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                if len(row) > 1 and _clean_en(row[1].strip()):
                    out.add(row[1].strip())
    with (bd / "mqm" / "ted_ende" / "mqm_ted_ende.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if _clean_en(row["source"].strip()):
                out.add(row["source"].strip())
    for pair in ("en-de", "en-zh"):
        for f in sorted((bd / "da" / "mlqe_pe" / pair).glob("*.tsv")):
            with f.open(encoding="utf-8") as fh:
                for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                    if _clean_en(row["original"].strip()):
                        out.add(row["original"].strip())
    return sorted(out)


def load_mqm_german(bd: Path) -> list[dict[str, Any]]:
    """MQM TED en-de system segments: text, doc split, label (clean / major fluency / other)."""
    segs: dict[tuple[str, str, str], list[dict[str, str]]] = defaultdict(list)
    with (bd / "mqm" / "ted_ende" / "mqm_ted_ende.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            segs[(row["system"], row["doc"], row["seg_id"])].append(row)
    out = []
    for (system, doc, seg), rows in sorted(segs.items()):
        target = re.sub(r"</?v>", "", rows[0]["target"]).strip()
        cats = {(r["category"], r["severity"]) for r in rows}
        if cats == {("No-error", "No-error")}:
            label = "clean"
        elif any(c.startswith("Fluency") and s == "Major" for c, s in cats):
            label = "major_fluency"
        else:
            label = "other"
        out.append(
            {
                "text": target,
                "system": system,
                "doc": doc,
                "seg": seg,
                "split": DE_SPLIT.get(doc, "test"),
                "label": label,
                "source": rows[0]["source"].strip(),
            }
        )
    return out


def make_synthetic(
    clean: list[str], rng: random.Random, lang: str, group: str
) -> list[dict[str, Any]]:
    """One clean and one corrupted example per clean sentence (kinds cycled evenly)."""
    vocab = sorted({w for s in clean for w in s.split() if w.isalpha() and w.islower()})
    out: list[dict[str, Any]] = []
    for k, s in enumerate(clean):
        out.append({"text": s, "label": 0, "kind": "clean", "lang": lang, "split": group})
        for attempt in range(6):
            kind = KINDS[(k + attempt) % len(KINDS)]
            partner = clean[rng.randrange(len(clean))]
            if partner == s:
                continue
            c = corrupt(s, partner, rng, kind, vocab)
            if c is not None:
                out.append(
                    {
                        "text": c.text,
                        "label": 1,
                        "kind": c.kind,
                        "region": list(c.region),
                        "lang": lang,
                        "split": group,
                    }
                )
                break
    return out


def build_dataset(bd: Path, n_en: int, n_de: int) -> list[dict[str, Any]]:
    """The full, reproducible example list (English and German, all splits)."""
    rng = random.Random(SEED)
    en = load_clean_english(bd)
    by_split: dict[str, list[str]] = defaultdict(list)
    for s in en:
        by_split[split_of(s)].append(s)
    data: list[dict[str, Any]] = []
    for split, frac in (("train", 0.7), ("dev", 0.15), ("test", 0.15)):
        pool = by_split[split]
        rng.shuffle(pool)
        data += make_synthetic(sorted(pool[: int(n_en * frac)]), rng, "en", split)
    de = load_mqm_german(bd)
    for split, frac in (("train", 0.6), ("dev", 0.2), ("test", 0.2)):
        seen: set[str] = set()
        clean = []
        for r in de:
            if r["split"] == split and r["label"] == "clean" and r["text"] not in seen:
                seen.add(r["text"])
                clean.append(r["text"])
        rng.shuffle(clean)
        data += make_synthetic(sorted(clean[: int(n_de * frac)]), rng, "de", split)
        for r in de:
            if r["split"] == split and r["label"] == "major_fluency":
                data.append(
                    {"text": r["text"], "label": 1, "kind": "mqm_major_fluency", "lang": "de",
                     "split": split}
                )
    return data


# ------------------------------------------------------------------------------------------------
# features


def extract(data: list[dict[str, Any]], scorer: FluencyScorer, cache_path: Path) -> None:
    """Add ``feats`` (all groups) to every example, using and updating the on-disk cache."""
    cache: dict[str, dict[str, float]] = {}
    if cache_path.exists():
        cache = json.loads(cache_path.read_text(encoding="utf-8"))
    for lang in sorted({d["lang"] for d in data}):
        todo = sorted({d["text"] for d in data if d["lang"] == lang} - {
            k.split("\t", 1)[1] for k in cache if k.startswith(lang + "\t")
        })
        t0 = time.perf_counter()
        for i in range(0, len(todo), 200):
            batch = todo[i : i + 200]
            feats, _, _ = scorer.features(batch, lang, force_groups=("lm", "lex", "lg"))
            for s, f in zip(batch, feats, strict=True):
                cache[f"{lang}\t{s}"] = f
            done = i + len(batch)
            el = time.perf_counter() - t0
            print(f"  {lang}: {done}/{len(todo)} scored, {el:.0f}s", file=sys.stderr, flush=True)
            cache_path.parent.mkdir(parents=True, exist_ok=True)
            cache_path.write_text(json.dumps(cache), encoding="utf-8")
    for d in data:
        d["feats"] = cache[f"{d['lang']}\t{d['text']}"]


# ------------------------------------------------------------------------------------------------
# logistic regression (Newton / IRLS with an L2 penalty), numpy only


def fit_lr(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 50) -> tuple[np.ndarray, float]:
    n, k = x.shape
    xa = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(k + 1)
    reg = np.full(k + 1, l2)
    reg[-1] = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(xa @ w)))
        g = xa.T @ (p - y) + reg * w
        h = (xa * (p * (1 - p))[:, None]).T @ xa + np.diag(reg)
        step = np.linalg.solve(h, g)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def auroc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve (ties count half)."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels).astype(bool)
    pos, neg = scores[labels], scores[~labels]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(len(order))
    allv = np.concatenate([pos, neg])[order]
    # average ranks for ties
    i = 0
    r = np.empty(len(allv))
    while i < len(allv):
        j = i
        while j + 1 < len(allv) and allv[j + 1] == allv[i]:
            j += 1
        r[i : j + 1] = (i + j) / 2 + 1
        i = j + 1
    ranks[order] = r
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


PROFILES: dict[str, dict[str, Any]] = {
    "lex+lg+lm": {"features": LM_FEATURES + LEX_FEATURES + PARSE_FEATURES, "langs": ["en"]},
    "lex+lm": {"features": LM_FEATURES + LEX_FEATURES, "langs": ["en"]},
    "lex+lg": {"features": LEX_FEATURES + PARSE_FEATURES, "langs": ["*"]},
    "lex": {"features": LEX_FEATURES, "langs": ["*"]},
}


def matrix(rows: list[dict[str, Any]], feats: tuple[str, ...]) -> np.ndarray:
    return np.array(
        [[float(r["feats"].get(f, np.nan)) for f in feats] for r in rows], dtype=np.float64
    ).reshape(len(rows), len(feats))


def train_profile(name: str, spec: dict[str, Any], data: list[dict[str, Any]]) -> Profile:
    feats = tuple(spec["features"])
    langs = spec["langs"]
    use = [d for d in data if "*" in langs or d["lang"] in langs]
    train = [d for d in use if d["split"] == "train"]
    dev = [d for d in use if d["split"] == "dev"]
    xtr = matrix(train, feats)
    mean = np.nanmean(xtr, axis=0)
    mean = np.where(np.isfinite(mean), mean, 0.0)
    scale = np.nanstd(xtr, axis=0)
    scale = np.where(np.isfinite(scale) & (scale > 1e-9), scale, 1.0)

    def z(x: np.ndarray) -> np.ndarray:
        v = (x - mean) / scale
        return np.where(np.isfinite(v), v, 0.0)

    ytr = np.array([d["label"] for d in train], dtype=np.float64)
    coef, intercept = fit_lr(z(xtr), ytr)
    prof = Profile(name, list(feats), mean, scale, coef, intercept, langs=langs)
    pdev = prof.predict([d["feats"] for d in dev])
    ydev = np.array([d["label"] for d in dev])
    clean = np.sort(pdev[ydev == 0])
    thr = {}
    for level, fpr in FPR.items():
        q = float(np.quantile(clean, 1.0 - fpr)) if len(clean) else 0.5
        thr[level] = max(q, 0.05)
    thr["critical"] = max(thr["critical"], thr["major"])
    prof.thresholds = thr
    info: dict[str, Any] = {
        "n_train": len(train),
        "n_dev": len(dev),
        "dev_auroc": round(auroc(pdev, ydev), 4),
        "dev_recall_at_major": round(float((pdev[ydev == 1] >= thr["major"]).mean()), 4),
    }
    for lang in sorted({d["lang"] for d in dev}):
        m = np.array([d["lang"] == lang for d in dev])
        info[f"dev_auroc_{lang}"] = round(auroc(pdev[m], ydev[m]), 4)
    prof.info = info
    return prof


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--benchdata")
    ap.add_argument("--n-en", type=int, default=2400, help="clean English sentences (all splits)")
    ap.add_argument("--n-de", type=int, default=900, help="clean German sentences (all splits)")
    ap.add_argument("--out", default=str(ROOT / "mtaudit" / "data" / "garble_model.json"))
    ap.add_argument("--cache", default=str(CACHE / "garble_features.json"))
    args = ap.parse_args(argv)
    bd = benchdata_dir(args.benchdata)
    data = build_dataset(bd, args.n_en, args.n_de)
    print(f"{len(data)} examples", file=sys.stderr)
    scorer = FluencyScorer(SmolLM2Scorer(), model=GarbleModel({}))
    extract(data, scorer, Path(args.cache))
    profiles = {name: train_profile(name, spec, data) for name, spec in PROFILES.items()}
    model = GarbleModel(
        profiles,
        meta={
            "trained_by": "scripts/train_garble.py",
            "seed": SEED,
            "n_en": args.n_en,
            "n_de": args.n_de,
            "lm": SmolLM2Scorer.name,
            "false_alarm_rates": FPR,
        },
    )
    Path(args.out).write_text(model.to_json(), encoding="utf-8")
    for name, p in profiles.items():
        print(name, json.dumps(p.info), json.dumps(p.thresholds), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
