"""Critical error detection on WMT21 QE Task 3 (en→de/cs/ja/zh), dev split.

Data: ``critical_errors/wmt21/`` of the benchmark folder (github sheffieldnlp/mlqe-pe,
``data/catastrophic_errors/``, CC0). Each item is one source sentence (English Wikipedia talk-page
comments) and its MT output, labelled ERR when the majority of three annotators saw a critical
error (toxicity added or removed, wrong named entities, numbers or units, negation or sentiment
reversed, safety risks, untranslated or hallucinated content).

Each item is audited on its own as one pre-aligned pair: one sentence per side, one link
``[0]→[0]`` whose similarity is the cosine of the bundled encoder for the pair (USE for de/ja/zh,
E5 for cs). An item counts as ERR when mtaudit's cross-lingual and surface checks raise a
``critical`` finding (and, separately, any finding of ``major`` or worse). Beside it, in the same
run: a cosine baseline (ERR when similarity < t, with t maximising MCC on the *train* split) and a
combined rule (critical finding OR similarity < t', t' fitted on train for the combination).

The MT outputs in this data are tokenised (``3 . 000``, ``E - Mail``, Japanese split into
morphemes, even digits: ``27 00``). Real MT output is not, so targets are detokenised with a few
rules first (:func:`detokenise`); sources are used as they are.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from .common import Timer, benchdata

TITLE = "Critical error detection: WMT21 (dev)"

PAIRS = ("ende", "encs", "enja", "enzh")
#: The checks this benchmark exercises (those of ``crosslingual.py`` and ``surface.py``).
CODES = (
    "untranslated",
    "wrong_language",
    "omission",
    "addition",
    "number_mismatch",
    "name_mismatch",
    "repetition",
    "truncated",
)
QUICK_DEV = 200
QUICK_TRAIN = 1500

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"


def detokenise(text: str, lang: str, source: str = "") -> str:
    """Undo the tokenisation of the WMT21 MT outputs: spaces around punctuation and inside
    numbers; for Japanese and Chinese, spaces between characters. Two digit groups split by a
    space (``27 00``) are joined when the joined number occurs in the source (the tokeniser splits
    numbers, but "3 2月" is 3 February)."""
    t = text.strip()
    t = re.sub(r"(\d) ([.,:]) (?=\d)", r"\1\2", t)
    t = re.sub(r"(?<=\w) - (?=\w)", "-", t)
    t = re.sub(r" ([.,:;!?%)\]}])", r"\1", t)
    t = re.sub(r"([(\[{]) ", r"\1", t)
    t = re.sub(r"(?<=\w) (['’])(?=\w)", r"\1", t)
    if lang in ("ja", "zh"):
        t = re.sub(rf"(?<=[{_CJK}]) (?=\S)|(?<=\S) (?=[{_CJK}])", "", t)
        src_digits = set(re.findall(r"\d+", source.replace(",", "").replace(".", "")))
        t = re.sub(
            r"(\d+) (\d+)",
            lambda m: (
                m.group(1) + m.group(2) if m.group(1) + m.group(2) in src_digits else m.group(0)
            ),
            t,
        )
    return t


def load(pair: str, split: str, limit: int | None = None) -> list[tuple[str, str, int]]:
    """``(source, target, is_err)`` items of a pair and split (first ``limit`` items)."""
    path = benchdata() / "critical_errors" / "wmt21" / f"{pair}_majority_{split}.tsv"
    items = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 5:
                continue
            items.append((cols[1], detokenise(cols[2], pair[2:], cols[1]), int(cols[-1] == "ERR")))
            if limit is not None and len(items) >= limit:
                break
    return items


def mcc(pred: Sequence[int], gold: Sequence[int]) -> float:
    """Matthews correlation coefficient of binary predictions."""
    p, g = np.asarray(pred, bool), np.asarray(gold, bool)
    tp, tn = float(np.sum(p & g)), float(np.sum(~p & ~g))
    fp, fn = float(np.sum(p & ~g)), float(np.sum(~p & g))
    den = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return 0.0 if den == 0 else (tp * tn - fp * fn) / den


def prf(pred: Sequence[int], gold: Sequence[int]) -> tuple[float, float, float]:
    """MCC, precision and recall of the positive (ERR) class."""
    p, g = np.asarray(pred, bool), np.asarray(gold, bool)
    tp = float(np.sum(p & g))
    prec = tp / max(1.0, float(np.sum(p)))
    rec = tp / max(1.0, float(np.sum(g)))
    return mcc(pred, gold), prec, rec


def best_threshold(
    scores: np.ndarray, gold: Sequence[int], base: np.ndarray | None = None
) -> float:
    """The threshold t maximising MCC of ``(scores < t) | base`` (ties: the lower t)."""
    cands = np.unique(np.round(scores, 4))
    best_t, best_m = -math.inf, -2.0
    base_arr = np.zeros(len(scores), bool) if base is None else base.astype(bool)
    for t in cands:
        m = mcc((scores < t) | base_arr, gold)
        if m > best_m + 1e-12:
            best_t, best_m = float(t), m
    return best_t


def _audit(items: list[tuple[str, str, int]], tgt_lang: str, sims: np.ndarray, checks: list):
    """Run the checks on each item; return (max severity rank per item, findings per code)."""
    from mtaudit.checks.base import CheckContext
    from mtaudit.report import Link, Sentence, Side

    rank = {"minor": 1, "major": 2, "critical": 3}
    worst = np.zeros(len(items), dtype=int)
    codes: list[Counter] = []
    for k, (src, tgt, _) in enumerate(items):
        s_side = Side("en", [Sentence(0, src, 0, len(src))], text=src)
        t_side = Side(tgt_lang, [Sentence(0, tgt, 0, len(tgt))], text=tgt)
        ctx = CheckContext(s_side, t_side, [Link([0], [0], float(sims[k]))], mode="pairs")
        c: Counter = Counter()
        for check in checks:
            for f in check.run(ctx):
                worst[k] = max(worst[k], rank[f.severity])
                c[(f.code, f.severity)] += 1
        codes.append(c)
    return worst, codes


def _similarities(items: list[tuple[str, str, int]], encoder, tgt_lang: str) -> np.ndarray:
    s = encoder.encode([x[0] for x in items], "en")
    t = encoder.encode([x[1] for x in items], tgt_lang)
    return np.einsum("ij,ij->i", s, t)


def run(quick: bool = False) -> str:
    """Run the benchmark and return its Markdown body."""
    from mtaudit.checks import crosslingual, surface  # noqa: F401  (register the checks)
    from mtaudit.checks.base import REGISTRY
    from mtaudit.encoders import default_encoder

    checks = [REGISTRY[c]() for c in CODES]
    rows = []
    per_code: dict[str, Counter] = {}
    n_crit = n_items = 0
    major_vs_base: list[tuple[str, float, float]] = []
    timings = []
    for pair in PAIRS:
        tgt = pair[2:]
        dev = load(pair, "dev", QUICK_DEV if quick else None)
        train = load(pair, "train", QUICK_TRAIN if quick else None)
        enc = default_encoder("en", tgt)
        with Timer() as t_enc:
            sim_dev = _similarities(dev, enc, tgt)
            sim_train = _similarities(train, enc, tgt)
        gold_dev = [x[2] for x in dev]
        gold_train = [x[2] for x in train]
        with Timer() as t_chk:
            worst_dev, codes_dev = _audit(dev, tgt, sim_dev, checks)
            worst_train, _ = _audit(train, tgt, sim_train, checks)
        timings.append((pair, enc.name, len(dev) + len(train), t_enc.seconds, t_chk.seconds))
        crit_dev, crit_train = worst_dev >= 3, worst_train >= 3
        major_dev, major_train = worst_dev >= 2, worst_train >= 2
        t_base = best_threshold(sim_train, gold_train)
        t_comb = best_threshold(sim_train, gold_train, base=crit_train)
        t_comb2 = best_threshold(sim_train, gold_train, base=major_train)
        results = {
            "checks: any critical": prf(crit_dev, gold_dev),
            "checks: any major+": prf(major_dev, gold_dev),
            f"baseline: cos < {t_base:.3f}": prf(sim_dev < t_base, gold_dev),
            f"critical OR cos < {t_comb:.3f}": prf(crit_dev | (sim_dev < t_comb), gold_dev),
            f"major+ OR cos < {t_comb2:.3f}": prf(major_dev | (sim_dev < t_comb2), gold_dev),
        }
        err = sum(gold_dev)
        n_crit += int(np.sum(crit_dev))
        n_items += len(dev)
        major_vs_base.append((pair, results["checks: any major+"][1], err / max(1, len(dev))))
        for name, (m, p, r) in results.items():
            rows.append(
                f"| {pair[:2]}→{tgt} | {enc.name} | {len(dev)} | {err} | {name} | "
                f"{m:.3f} | {p:.3f} | {r:.3f} |"
            )
        per_code[pair] = Counter()
        for k, c in enumerate(codes_dev):
            for (code, sev), _n in c.items():
                per_code[pair][(code, sev, gold_dev[k])] += 1

    if quick:
        scope = (
            f"Quick variant: the first {QUICK_DEV} dev items per pair; thresholds fitted on the "
            f"first {QUICK_TRAIN} train items."
        )
    else:
        scope = "Full dev split (1000 items per pair); thresholds fitted on the full train split."
    out = [
        scope,
        "",
        "Each item is audited alone as one pre-aligned pair (mode `pairs`, one link) by the "
        "checks " + ", ".join(f"`{c}`" for c in CODES) + " with their default settings. "
        "MCC is the task's official metric; precision and recall are of the ERR class. "
        "Cosine thresholds are chosen on the train split (maximum MCC; for the combined rules, "
        "the MCC of the combination) and applied to dev.",
        "",
        "| pair | encoder | items | ERR | rule | MCC | precision | recall |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "Findings on dev by code and severity (items with at least one; ERR / NOT items):",
        "",
        "| pair | code | severity | on ERR items | on NOT items | precision |",
        "|---|---|---|---|---|---|",
    ]
    for pair in PAIRS:
        keys = sorted({(c, s) for c, s, _ in per_code[pair]})
        for code, sev in keys:
            e = per_code[pair][(code, sev, 1)]
            n = per_code[pair][(code, sev, 0)]
            prec = e / max(1, e + n)
            out.append(f"| {pair[:2]}→{pair[2:]} | `{code}` | {sev} | {e} | {n} | {prec:.2f} |")
    out += [
        "",
        "Time (encoding dev+train / running the checks on dev+train):",
        "",
        *[
            f"- {p[:2]}→{p[2:]} ({name}, {n} items): encode {a:.1f} s, checks {b:.1f} s"
            for p, name, n, a, b in timings
        ],
        "",
        "What the numbers say: WMT21's critical errors are mostly about *meaning* — toxicity "
        "added or dropped, negation and sentiment flips, mistranslated named entities — in short, "
        "noisy talk-page comments. mtaudit's checks look for surface symptoms (untranslated text, "
        "wrong language, lost or changed numbers and names, loops, cuts). On this data a "
        f"critical finding is rare ({n_crit} of {n_items} dev items). Precision of the major+ "
        "rule against the ERR base rate: "
        + "; ".join(f"{p[:2]}→{p[2:]} {prec:.2f} vs {base:.2f}" for p, prec, base in major_vs_base)
        + ". Many major findings on NOT items are real but non-critical errors (dropped "
        "sentences, copied phrases) that the task's labels do not count. The encoder cosine is a "
        "different, weak signal; adding the checks to it moves MCC by a few hundredths at most. "
        "None of this is a critical-error detector: WMT21 systems fine-tuned large cross-lingual "
        "models on the train split.",
    ]
    return "\n".join(out)
