"""The source-conditioned LM (``--profile deep``): word-tag MCC gain and throughput.

    python benchmarks/bench_deep.py --cache [--pairs ro-en,si-en]   # fill the LM cache
    python scripts/train_word_tags.py --deep [--no-write]          # dev MCC with/without
    python benchmarks/bench_deep.py --speed 200 --pairs ro-en       # pairs/s, deep vs full

Data: MLQE-PE post-editing tags (:mod:`benchmarks.bench_word_tags`). To keep LM time within
reach, a fixed subsample: of the 1,000 train sentences per pair the word-tag trainer samples,
those with ``k % 10 < 2`` (200 per pair; every fourth of them held back to choose the
candidate and threshold) and of the 1,000 dev sentences those with ``k % 8 == 0`` (125 per
pair). Each model
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
    return k % 10 < 2


def dev_keep(k: int) -> bool:
    return k % 8 == 0


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


def _key(it) -> str:
    return hashlib.sha1(f"{it.src}\t{it.text}".encode()).hexdigest()[:16]


def cond_scores(items: list, key: str, compute: bool = True, batch: int = 32) -> list | None:
    """Cached ``(offsets, cond, uncond)`` per item (``None`` if some are not cached and not
    ``compute``). The cache is one file per ``key`` (pair and split) holding every item scored
    so far, by a hash of its source and target; it is rewritten after each batch."""
    path = cache_dir() / f"cond_{key}.pkl"
    have: dict = pickle.loads(path.read_bytes()) if path.is_file() else {}
    todo = [it for it in items if _key(it) not in have]
    if todo and not compute:
        return None
    if todo:
        from mtaudit.fluency.conditioned import GemmaConditionedScorer

        sl, tl = items[0].pair.split("-")
        lm = GemmaConditionedScorer(n_threads=1)
        t0 = time.time()
        for k in range(0, len(todo), batch):
            part = todo[k : k + batch]
            res = lm.conditioned_logprobs([it.src for it in part], [it.text for it in part], sl, tl)
            for it, r in zip(part, res, strict=True):
                have[_key(it)] = (r.offsets, r.cond.astype(np.float32), r.uncond.astype(np.float32))
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(pickle.dumps(have))
            os.replace(tmp, path)
            done = min(k + batch, len(todo))
            print(
                f"  {key}: {done}/{len(todo)} {time.time() - t0:.0f}s", file=sys.stderr, flush=True
            )
    return [have[_key(it)] for it in items]


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


def speed(pair: str, n: int) -> dict[str, float]:
    """Pairs/s of ``audit_pairs`` on the first ``n`` dev pairs of ``pair``, profiles ``full``
    and ``deep`` (same process, models loaded and warmed up on 10 pairs first; one timed run
    each), with the load average before each run."""
    import mtaudit

    sl, tl = pair.split("-")
    items = load(pair, "dev")[:n]
    pairs = [(it.src, it.text) for it in items]
    out = {}
    for profile in ("full", "deep"):
        mtaudit.audit_pairs(pairs[:10], src_lang=sl, tgt_lang=tl, profile=profile)
        load_avg = os.getloadavg()[0]
        t0 = time.perf_counter()
        rep = mtaudit.audit_pairs(pairs, src_lang=sl, tgt_lang=tl, profile=profile)
        dt = time.perf_counter() - t0
        out[profile] = n / dt
        print(
            f"{pair} {profile}: {n / dt:.2f} pairs/s ({dt:.1f} s for {n}; load average "
            f"{load_avg:.1f} before; word_tags={rep.signature.components.get('word_tags')})",
            flush=True,
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", action="store_true")
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
    if args.speed:
        for pair in pairs:
            speed(pair, args.speed)


if __name__ == "__main__":
    main()
