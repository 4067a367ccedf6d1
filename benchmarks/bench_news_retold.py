"""Retold-article ("comparable") alignment on real news: WMT22 documents cut, shuffled and padded.

From a WMT22 document and its human reference (``bench_news_docalign`` loads them; same
domains, same tune / held-out split by ``doc_id``) a *retelling* is built in either direction:
``X→Y`` means the source article is in X and the retelling in Y. The retelling takes the
Y side's segments in paragraphs of one to four, drops 30% of the paragraphs (at least two are
kept), shuffles the rest, splits some long segments in two at a word boundary near the middle
(15%: both halves restate one source segment), merges some neighbouring segments (15%: one
retold sentence restates two), and inserts foreign sentences — segments of another document of
the same split in language Y — amounting to 20% of the retelling. Everything is seeded by the
pair, the document and the direction.

Gold: the (source segment, retold sentence) pairs. Scores are precision/recall/F1 over linked
pairs, counts summed over the documents; *foreign linked* is the share of inserted foreign
sentences linked to anything; *auto* the share of retellings ``choose_mode`` calls comparable.

Tuned (``--tune``) on the tune documents of en–uk, en–ru and de–fr (both directions); reported on
the held-out documents of all seven pairs. :func:`fit_joins` refits the join weights of the
comparable aligner (``SOURCE_JOIN`` / ``TARGET_JOIN``) on the same tune documents.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .bench_news_docalign import (
    PAIRS,
    TUNE_PAIRS,
    NewsDoc,
    docs,
    encoder_for,
    paragraphs,
    save_encoders,
)
from .common import Timer

TITLE = "Retold-article alignment: real WMT22 news, shuffled, cut and padded"

DROP = 0.3
SPLIT = 0.15
MERGE = 0.15
FOREIGN = 0.2


def _split_at_middle(text: str) -> tuple[str, str] | None:
    words = text.split()
    if len(words) < 14:
        return None
    mid = len(words) // 2
    # prefer a comma within three words of the middle
    for off in (0, 1, -1, 2, -2, 3, -3):
        k = mid + off
        if 3 <= k <= len(words) - 3 and words[k - 1].endswith(","):
            mid = k
            break
    return " ".join(words[:mid]), " ".join(words[mid:])


def make_retelling(
    side: Sequence[str], foreign: Sequence[str], seed: str
) -> tuple[list[str], set[tuple[int, int]]]:
    """A retelling of ``side`` (one segment per source segment) and its gold pairs
    ``{(source segment, retold sentence)}``."""
    rng = random.Random(seed)
    blocks = paragraphs(len(side), rng)
    kept = [b for b in blocks if rng.random() >= DROP]
    if len(kept) < 2:
        kept = rng.sample(blocks, min(2, len(blocks)))
    rng.shuffle(kept)
    items: list[tuple[str, list[int]]] = []
    for a, b in kept:
        k = a
        while k < b:
            if k + 1 < b and rng.random() < MERGE:
                items.append((side[k] + " " + side[k + 1], [k, k + 1]))
                k += 2
                continue
            halves = _split_at_middle(side[k]) if rng.random() < SPLIT else None
            if halves:
                items += [(halves[0], [k]), (halves[1], [k])]
            else:
                items.append((side[k], [k]))
            k += 1
    n_foreign = max(1, round(FOREIGN * len(items)))
    for sent in rng.sample(list(foreign), min(n_foreign, len(foreign))):
        items.insert(rng.randrange(0, len(items) + 1), (sent, []))
    retold = [t for t, _ in items]
    gold = {(s, j) for j, (_, ss) in enumerate(items) for s in ss}
    return retold, gold


def cases(
    split: str, pairs: Sequence[str], reps: int = 1
) -> dict[str, list[tuple[NewsDoc, str, str, list[str], list[str], set[tuple[int, int]]]]]:
    """Per direction ``"X→Y (file pair)"``: ``(doc, src_lang, tgt_lang, source, retelling, gold)``.

    ``reps`` > 1 adds further retellings of each document (other seeds: other cuts, orders,
    splits, merges and foreign sentences) for a less noisy tune figure."""
    out: dict[str, list[Any]] = {}
    for pair in pairs:
        ds = docs(split, [pair])
        for direction in ("fwd", "rev"):
            for k, d in enumerate(ds):
                other = ds[(k + 1) % len(ds)]
                if direction == "fwd":
                    sl, tl, src, side, foreign = d.src_lang, d.tgt_lang, d.src, d.ref, other.ref
                else:
                    sl, tl, src, side, foreign = d.tgt_lang, d.src_lang, d.ref, d.src, other.src
                for rep in range(reps):
                    seed = f"{pair}|{d.doc_id}|{direction}" + (f"|{rep}" if rep else "")
                    retold, gold = make_retelling(side, foreign, seed)
                    out.setdefault(f"{sl}→{tl} ({pair})", []).append(
                        (d, sl, tl, list(src), retold, gold)
                    )
    return out


def evaluate(
    items: list[Any], settings: Any = None, encoder: str | None = None
) -> dict[str, float]:
    from mtaudit.align import choose_mode
    from mtaudit.align.comparable import align_comparable

    tp = fp = fn = 0
    foreign_linked = foreign_total = auto = 0
    for _d, sl, tl, src, retold, gold in items:
        enc = encoder_for(sl, tl, encoder)
        se, te = enc.encode(src, sl), enc.encode(retold, tl)
        kw = {"settings": settings} if settings is not None else {}
        links = align_comparable(
            src, retold, enc, src_emb=se, tgt_emb=te, src_lang=sl, tgt_lang=tl, **kw
        )
        pred = {(s, t) for lk in links for s in lk.source for t in lk.target}
        tp += len(pred & gold)
        fp += len(pred - gold)
        fn += len(gold - pred)
        gold_t = {t for _, t in gold}
        linked_t = {t for lk in links for t in lk.target}
        foreign_total += len(retold) - len(gold_t)
        foreign_linked += len(linked_t - gold_t)
        auto += choose_mode(se, te)[0] == "comparable"
    p = tp / max(1, tp + fp)
    r = tp / max(1, tp + fn)
    f = 2 * p * r / max(1e-9, p + r)
    return {
        "P": p,
        "R": r,
        "F1": f,
        "foreign_linked": foreign_linked / max(1, foreign_total),
        "auto": auto / max(1, len(items)),
        "n": len(items),
    }


def evaluate_all(
    split: str, pairs: Sequence[str], settings: Any = None, encoder: str | None = None
) -> dict[str, dict[str, float]]:
    out = {d: evaluate(items, settings, encoder) for d, items in cases(split, pairs).items()}
    save_encoders()
    return out


def pooled(results: dict[str, dict[str, float]]) -> float:
    """Mean F1 over directions (each direction counts once)."""
    return sum(r["F1"] for r in results.values()) / max(1, len(results))


def _rows(results: dict[str, dict[str, float]], split: str) -> list[str]:
    rows = []
    for direction, r in results.items():
        seen = "tuned pair" if direction.split("(")[1].rstrip(")") in TUNE_PAIRS else "unseen"
        rows.append(
            f"| {direction} | {split} ({seen}) | {int(r['n'])} | {r['P']:.3f} | {r['R']:.3f} | "
            f"{r['F1']:.3f} | {r['foreign_linked']:.3f} | {r['auto']:.2f} |"
        )
    return rows


def run(quick: bool = False) -> str:
    from mtaudit.align.comparable import ComparableSettings

    with Timer() as t:
        tune = evaluate_all("tune", TUNE_PAIRS)
        held = evaluate_all("heldout", PAIRS[:3] if quick else PAIRS)
    s = ComparableSettings()
    return (
        "Link precision/recall over (source segment, retold sentence) pairs; default encoder per "
        f"pair (USE where it covers both languages, else E5); settings {s}.\n\n"
        "| direction | split | retellings | P | R | F1 | foreign linked | auto |\n"
        "|---|---|---|---|---|---|---|---|\n"
        + "\n".join(_rows(tune, "tune") + _rows(held, "held-out"))
        + f"\n\n({t.seconds:.0f} s)"
    )


def tune(grid: dict[str, Sequence[Any]], reps: int = 1) -> None:
    """Grid over ComparableSettings fields on the tune documents (``reps`` retellings of each);
    prints mean F1 per point."""
    import itertools

    from mtaudit.align.comparable import ComparableSettings

    all_cases = cases("tune", TUNE_PAIRS, reps)
    keys = list(grid)
    for vals in itertools.product(*(grid[k] for k in keys)):
        s = replace(ComparableSettings(), **dict(zip(keys, vals, strict=True)))
        res = {d: evaluate(items, s) for d, items in all_cases.items()}
        print(
            " ".join(f"{k}={v}" for k, v in zip(keys, vals, strict=True)),
            f"meanF1={pooled(res):.4f} minF1={min(r['F1'] for r in res.values()):.4f}",
            " ".join(f"{d}:{r['F1']:.3f}" for d, r in res.items()),
            flush=True,
        )
    save_encoders()


def _logistic(x: Any, y: Any, l2: float = 1.0, steps: int = 50) -> Any:
    """L2-regularised logistic regression by Newton's method (intercept unpenalised)."""
    import numpy as np

    xx = np.c_[np.ones(len(x)), x]
    w = np.zeros(xx.shape[1])
    pen = l2 * np.r_[0.0, np.ones(len(w) - 1)]
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-xx @ w))
        grad = xx.T @ (p - y) + pen * w
        hess = (xx * (p * (1 - p))[:, None]).T @ xx + np.diag(pen)
        w -= np.linalg.solve(hess, grad)
    return w


def fit_joins(settings: Any = None, reps: int = 1) -> tuple[list[float], list[float]]:
    """Refit ``SOURCE_JOIN`` / ``TARGET_JOIN`` (mtaudit/align/comparable.py) on the candidate
    joins of the *tune* documents (``reps`` retellings of each, see :func:`cases`): a candidate
    is positive when the gold pairs hold it."""
    import numpy as np

    from mtaudit.align.comparable import (
        ComparableSettings,
        first_links,
        join_candidates,
        lexical_inputs,
        settings_neighbours,
    )

    s = settings or ComparableSettings()
    xs, ys, xt, yt = [], [], [], []
    for items in cases("tune", TUNE_PAIRS, reps).values():
        for _d, sl, tl, src, retold, gold in items:
            enc = encoder_for(sl, tl)
            se, te = enc.encode(src, sl), enc.encode(retold, tl)
            se, te, xenc = lexical_inputs(src, retold, se, te, enc, s)
            nb = settings_neighbours(te, se, s)
            best = first_links(nb, s)
            jc = join_candidates(src, retold, se, te, xenc, nb, best, sl, tl)
            xs.append(jc.source_x)
            ys += [float((i2, j) in gold) for j, i2 in jc.source]
            xt.append(jc.target_x)
            yt += [float((best[j][0], j2) in gold) for j, j2 in jc.target]
    save_encoders()
    ws = _logistic(np.vstack(xs), np.array(ys))
    wt = _logistic(np.vstack(xt), np.array(yt))
    print(f"SOURCE_JOIN = {tuple(round(float(v), 2) for v in ws)}  ({len(ys)}, {sum(ys):.0f} +)")
    print(f"TARGET_JOIN = {tuple(round(float(v), 2) for v in wt)}  ({len(yt)}, {sum(yt):.0f} +)")
    return [float(v) for v in ws], [float(v) for v in wt]


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--tune", action="store_true")
    args = ap.parse_args()
    if args.tune:
        tune({})
    else:
        print(run())
