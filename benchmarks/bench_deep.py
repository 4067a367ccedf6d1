"""The source-conditioned LM (``--profile deep``): word-tag MCC gain and throughput.

    python benchmarks/bench_deep.py --cache [--pairs ro-en,si-en]   # fill the LM cache
    python benchmarks/bench_deep.py --measure                       # dev MCC with/without
    python benchmarks/bench_deep.py --speed 200 --pairs ro-en       # pairs/s, deep vs full

Data: MLQE-PE post-editing tags (:mod:`benchmarks.bench_word_tags`). To keep LM time within
reach, a fixed subsample: of the 1,000 train sentences per pair the word-tag trainer samples,
those with ``k % 10 < 3`` (300 per pair; ``k % 4 == 3`` of them held back to choose the
threshold) and of the 1,000 dev sentences those with ``k % 4 == 0`` (250 per pair). Each model
compared is fitted on the same train rows and read on the same dev rows; the shipped model
is read on the same dev rows too (the baseline).

The conditioned LM's per-token log-probabilities (with and without the source) are cached under
``$MTAUDIT_DEEP_CACHE`` (default ``/tmp/mtaudit-deep``), one file per pair and split.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pickle
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_word_tags import PAIRS, TRAIN_PER_PAIR, load  # noqa: E402
from benchmarks.common import machine  # noqa: E402


def train_keep(k: int) -> bool:
    return k % 10 < 3


def dev_keep(k: int) -> bool:
    return k % 4 == 0


def subsample(pair: str, split: str) -> list:
    """The measured items of ``pair``/``split`` (see the module docstring)."""
    if split == "train":
        items = load(pair, "train", TRAIN_PER_PAIR)
        return [it for k, it in enumerate(items) if train_keep(k)]
    items = load(pair, "dev")
    return [it for k, it in enumerate(items) if dev_keep(k)]


def cache_dir() -> Path:
    p = Path(os.environ.get("MTAUDIT_DEEP_CACHE", "/tmp/mtaudit-deep"))
    p.mkdir(parents=True, exist_ok=True)
    return p


def cond_scores(items: list, key: str, compute: bool = True, batch: int = 32) -> list | None:
    """Cached ``(offsets, cond, uncond)`` per item (``None`` if not cached and not ``compute``)."""
    h = hashlib.sha1("\n".join(f"{it.src}\t{it.text}" for it in items).encode()).hexdigest()[:12]
    path = cache_dir() / f"cond_{key}_{h}.pkl"
    if path.is_file():
        return pickle.loads(path.read_bytes())
    if not compute:
        return None
    from mtaudit.fluency.conditioned import GemmaConditionedScorer

    sl, tl = items[0].pair.split("-") if items else ("", "")
    lm = GemmaConditionedScorer(n_threads=1)
    out: list = []
    t0 = time.time()
    for k in range(0, len(items), batch):
        part = items[k : k + batch]
        res = lm.conditioned_logprobs([it.src for it in part], [it.text for it in part], sl, tl)
        out.extend((r.offsets, r.cond.astype(np.float32), r.uncond.astype(np.float32)) for r in res)
        print(
            f"  {key}: {len(out)}/{len(items)} {time.time() - t0:.0f}s", file=sys.stderr, flush=True
        )
    path.write_bytes(pickle.dumps(out))
    return out


def deep_rows(pair: str, split: str, with_deep: bool = True) -> list:
    """``(feats, y, tok, tags, hter)`` per measured item of ``pair``/``split``: the shipped
    model's features (the fluency LM's for into-English pairs, from the word-tag cache; the
    encoder cosine; the pseudo-document medians, over the same 1,000 items as the trainer) and,
    with ``with_deep``, the conditioned LM's (:data:`mtaudit.wordtags.DEEP_FEATURES`)."""
    from benchmarks.bench_word_tags import cosines, lm_scores, mlqe_doc_stats, word_rows
    from mtaudit.fluency.conditioned import word_logprobs
    from mtaudit.wordtags import deep_features, word_spans

    sl, tl = pair.split("-")
    full = load(pair, split, TRAIN_PER_PAIR if split == "train" else None)
    keep = train_keep if split == "train" else dev_keep
    idx = [k for k in range(len(full)) if keep(k)]
    scores = lm_scores(full, f"{pair}_{split}", compute=False) if tl == "en" else None
    if tl == "en" and scores is None:
        raise SystemExit(f"no fluency-LM cache for {pair} {split} ($MTAUDIT_WORDTAG_CACHE)")
    cos = cosines(pair, split)
    docs = mlqe_doc_stats(full, cos)
    cond = cond_scores([full[k] for k in idx], f"{pair}_{split}", compute=False)
    if with_deep and cond is None:
        raise SystemExit(f"no conditioned-LM cache for {pair} {split}: run --cache first")
    rows = []
    for i, k in enumerate(idx):
        it = full[k]
        adq = None if cos is None else float(cos[k])
        feats, y, tok = word_rows(it, None if scores is None else scores[k], sl, tl, adq, docs[k])
        if not feats:
            continue
        if with_deep and cond is not None:
            offs, c, u = cond[i]
            spans = word_spans(it.text)
            feats.update(
                deep_features(
                    word_logprobs(it.text, offs, c, spans), word_logprobs(it.text, offs, u, spans)
                )
            )
        rows.append((feats, y, tok, np.array(it.tags), it.hter))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", action="store_true")
    ap.add_argument("--measure", action="store_true")
    ap.add_argument("--speed", type=int, default=0)
    ap.add_argument("--pairs", default=",".join(PAIRS))
    args = ap.parse_args()
    pairs = args.pairs.split(",")
    print(f"machine: {machine()}", flush=True)
    if args.cache:
        for pair in pairs:
            for split in ("dev", "train"):
                t0 = time.time()
                items = subsample(pair, split)
                cond_scores(items, f"{pair}_{split}")
                print(f"{pair} {split}: {len(items)} in {time.time() - t0:.0f}s", flush=True)


if __name__ == "__main__":
    main()
