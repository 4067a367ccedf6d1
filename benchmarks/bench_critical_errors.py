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

The learned ``mistranslation`` check (:mod:`mtaudit.checks.critical`, trained by
``scripts/train_critical.py`` on the train splits only) is scored on dev with the threshold from
its model file, next to a length-only rule and the cosine baseline of the same run; each dev file
is also audited as one pairs document (the way ``audit-pairs`` sees a file), and a hallucination
test replaces every dev target with another item's target. Embeddings and features are cached in
:func:`cache_dir`.

The MT outputs in this data are tokenised (``3 . 000``, ``E - Mail``, Japanese split into
morphemes, even digits: ``27 00``). Real MT output is not, so targets are detokenised with a few
rules first (:func:`detokenise`); sources are used as they are.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .common import Timer, benchdata

TITLE = "Critical error detection: WMT21 (dev)"

PAIRS = ("ende", "encs", "enja", "enzh")
#: The rule-based checks this benchmark exercises beside the learned one.
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


def cache_dir() -> Path:
    """Where embeddings are cached: ``$MTAUDIT_CRITICAL_CACHE`` or ``/tmp/mtaudit_critical_cache``."""
    path = Path(os.environ.get("MTAUDIT_CRITICAL_CACHE", "/tmp/mtaudit_critical_cache"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def encoder_tag(encoder) -> str:
    """The encoder's name and a hash of its version (the tokenizer is part of it), for cache keys."""
    version = hashlib.sha1(str(getattr(encoder, "version", "")).encode()).hexdigest()[:8]
    return f"{encoder.name}-{version}"


def cached_encode(encoder, texts: Sequence[str], lang: str) -> np.ndarray:
    """``encoder.encode(texts, lang)``, cached on disk by encoder name and version and a hash of
    the texts."""
    h = hashlib.sha1("\n".join(texts).encode("utf-8")).hexdigest()[:16]
    path = cache_dir() / f"{encoder_tag(encoder)}_{lang}_{len(texts)}_{h}.npy"
    if path.exists():
        return np.load(path)
    emb = np.asarray(encoder.encode(list(texts), lang), dtype=np.float32)
    np.save(path, emb)
    return emb


def pairs_context(
    items: Sequence[tuple[str, str, int]],
    tgt_lang: str,
    encoder,
    src_emb: np.ndarray,
    tgt_emb: np.ndarray,
):
    """All items of a split as one pre-aligned pairs document: item k is link ``[k]→[k]``
    (as ``mtaudit audit-pairs`` would see a pairs file)."""
    from mtaudit.checks.base import CheckContext
    from mtaudit.report import Link, Sentence, Side

    def side(lang: str, texts: list[str]) -> Side:
        sents, pos = [], 0
        for k, t in enumerate(texts):
            sents.append(Sentence(k, t, pos, pos + len(t)))
            pos += len(t) + 1
        return Side(lang, sents, text="\n".join(texts))

    sims = np.einsum("ij,ij->i", src_emb, tgt_emb)
    links = [Link([k], [k], float(sims[k])) for k in range(len(items))]
    return CheckContext(
        side("en", [x[0] for x in items]),
        side(tgt_lang, [x[1] for x in items]),
        links,
        mode="pairs",
        encoder=encoder,
        src_emb=src_emb,
        tgt_emb=tgt_emb,
    )


def critical_features(
    pair: str, split: str, encoder, limit: int | None = None
) -> dict[str, np.ndarray]:
    """Features of :mod:`mtaudit.checks.critical` for every item of a split (all features,
    model order), the link vectors, gold labels and cosines; cached in :func:`cache_dir` under a
    hash of the feature code — every check module (the features include other checks' findings,
    e.g. ``name_mismatch``) and the word lists in ``mtaudit/data`` — so a re-run recomputes
    nothing and a changed check is never served stale features."""
    import mtaudit.checks.mistranslation_model as crit

    checks_dir = Path(crit.__file__).resolve().parent
    sources = sorted(checks_dir.glob("*.py")) + sorted(checks_dir.parent.glob("data/*.txt"))
    digest = hashlib.sha1()
    for f in sources:
        digest.update(f.name.encode() + b"\0" + f.read_bytes())
    code_hash = digest.hexdigest()[:10]
    path = cache_dir() / f"feat_{encoder_tag(encoder)}_{pair}_{split}_{limit}_{code_hash}.npz"
    if path.exists():
        d = np.load(path)
        return {k: d[k] for k in d.files}
    items = load(pair, split, limit)
    tgt = pair[2:]
    se = cached_encode(encoder, [x[0] for x in items], "en")
    te = cached_encode(encoder, [x[1] for x in items], tgt)
    ctx = pairs_context(items, tgt, encoder, se, te)
    full = crit.CriticalProfile(
        "all", {f: 0.0 for f in crit.FEATURES}, {}, {}, 0.0, 0.5, random_cos=0.1
    )
    full.mean = {f: 0.0 for f in crit.FEATURES}
    full.std = {f: 1.0 for f in crit.FEATURES}
    with Timer() as t:
        x, _, _, _ = crit.link_feature_matrix(ctx, full)
    out = {
        "x": x,
        "src": se,
        "tgt": te,
        "gold": np.array([it[2] for it in items], dtype=np.int8),
        "cos": np.einsum("ij,ij->i", se, te),
        "seconds": np.array(t.seconds),
    }
    np.savez(path, **out)
    return out


def _similarities(items: list[tuple[str, str, int]], encoder, tgt_lang: str) -> np.ndarray:
    s = cached_encode(encoder, [x[0] for x in items], "en")
    t = cached_encode(encoder, [x[1] for x in items], tgt_lang)
    return np.einsum("ij,ij->i", s, t)


def auroc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve: P(score of a positive > score of a negative), ties halved."""
    pos, neg = scores[positive.astype(bool)], scores[~positive.astype(bool)]
    if not len(pos) or not len(neg):
        return float("nan")
    allv = np.concatenate([pos, neg])
    order = allv.argsort(kind="mergesort")
    ranks = np.empty(len(allv))
    sorted_v = allv[order]
    # average ranks over ties
    _, first, counts = np.unique(sorted_v, return_index=True, return_counts=True)
    avg = first + (counts - 1) / 2.0 + 1
    ranks[order] = np.repeat(avg, counts)
    r_pos = ranks[: len(pos)].sum()
    return float((r_pos - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def _critical_run(pair: str, split: str, enc, limit: int | None):
    """Probabilities of the ``mistranslation`` check's model for a split seen as one pairs
    document, plus the features and the profile used."""
    from mtaudit.checks.mistranslation_model import FEATURES, load_critical_model, sigmoid

    model = load_critical_model()
    prof = model.profile(enc.name)
    d = critical_features(pair, split, enc, limit)
    cols = [FEATURES.index(f) for f in prof.features]
    p = sigmoid(prof.logits(d["x"][:, cols], d["src"], d["tgt"]))
    return p, d, prof


def _check_findings(items, tgt: str, enc, se, te, alone: bool) -> tuple[np.ndarray, float]:
    """Run the registered ``mistranslation`` check itself (as the pipeline would) and return a
    flag per item (a critical finding) and the seconds it took. ``alone``: each item is its own
    one-link document (no neighbourhood for the margin)."""
    from mtaudit.checks.mistranslation import MistranslationCheck

    check = MistranslationCheck()
    flags = np.zeros(len(items), bool)
    with Timer() as t:
        if alone:
            for k in range(len(items)):
                ctx = pairs_context(items[k : k + 1], tgt, enc, se[k : k + 1], te[k : k + 1])
                flags[k] = any(f.severity == "critical" for f in check.run(ctx))
        else:
            ctx = pairs_context(items, tgt, enc, se, te)
            for f in check.run(ctx):
                if f.severity == "critical" and f.sentence is not None:
                    flags[f.sentence] = True
    return flags, t.seconds


def _hallucination(items, tgt: str, enc, se, te) -> dict[str, float]:
    """Replace every dev target with the target of another item (an unrelated sentence in the
    right language: a hallucination) and rank them against the faithful (NOT) originals."""
    from mtaudit.checks.mistranslation_model import load_critical_model, predict_links
    from mtaudit.score.quality import score_links

    n = len(items)
    perm = np.roll(np.arange(n), n // 2)
    fake = [(items[k][0], items[perm[k]][1], 1) for k in range(n)]
    model = load_critical_model()
    out = {}
    for name, its, t_emb in (("orig", items, te), ("fake", fake, te[perm])):
        ctx = pairs_context(its, tgt, enc, se, t_emb)
        p, _, _ = predict_links(ctx, model)
        score_links(ctx, [])
        out[name + "_p"] = p
        out[name + "_q"] = np.array([lk.quality for lk in ctx.links], dtype=float)
        out[name + "_cos"] = np.array([lk.similarity for lk in ctx.links], dtype=float)
    faithful = np.array([x[2] == 0 for x in items])
    lab = np.concatenate([np.ones(n), np.zeros(int(faithful.sum()))])
    res = {}
    for key, sign in (("p", -1.0), ("q", 1.0), ("cos", 1.0)):
        # higher = more faithful; hallucinated should rank below faithful
        sc = np.concatenate([sign * out["fake_" + key], sign * out["orig_" + key][faithful]])
        res[key] = auroc(-sc, lab)
    thr = load_critical_model().profile(enc.name).threshold
    res["flagged"] = float(np.mean(out["fake_p"] >= thr))
    return res


def run(quick: bool = False) -> str:
    """Run the benchmark and return its Markdown body."""
    from mtaudit.checks.base import REGISTRY
    from mtaudit.checks.mistranslation_model import FEATURES, load_critical_model
    from mtaudit.encoders import default_encoder

    checks = [REGISTRY[c]() for c in CODES]
    model = load_critical_model()
    rows, crit_rows, hall_rows = [], [], []
    hall_gaps: list[float] = []
    agree: list[int] = []
    vs_base: list[tuple[str, float, float]] = []
    per_code: dict[str, Counter] = {}
    n_crit = n_items = 0
    major_vs_base: list[tuple[str, float, float]] = []
    timings = []
    ld = FEATURES.index("len_dev")
    for pair in PAIRS:
        tgt = pair[2:]
        lim_dev, lim_train = (QUICK_DEV, QUICK_TRAIN) if quick else (None, None)
        dev = load(pair, "dev", lim_dev)
        train = load(pair, "train", lim_train)
        enc = default_encoder("en", tgt)
        with Timer() as t_enc:
            sim_dev = _similarities(dev, enc, tgt)
            sim_train = _similarities(train, enc, tgt)
        gold_dev = [x[2] for x in dev]
        gold_train = [x[2] for x in train]
        with Timer() as t_chk:
            worst_dev, codes_dev = _audit(dev, tgt, sim_dev, checks)
            worst_train, _ = _audit(train, tgt, sim_train, checks)
        crit_dev, crit_train = worst_dev >= 3, worst_train >= 3
        major_dev, major_train = worst_dev >= 2, worst_train >= 2
        t_base = best_threshold(sim_train, gold_train)
        t_comb = best_threshold(sim_train, gold_train, base=crit_train)
        t_comb2 = best_threshold(sim_train, gold_train, base=major_train)
        # the learned check: model probabilities (dev file as one pairs document), the check
        # itself run through the registry the same way, and each item alone
        p_dev, f_dev, prof = _critical_run(pair, "dev", enc, lim_dev)
        _, f_train, _ = _critical_run(pair, "train", enc, lim_train)
        len_train, len_dev = f_train["x"][:, ld], f_dev["x"][:, ld]
        t_len = -best_threshold(-len_train, gold_train)  # ERR when len_dev > t
        se = cached_encode(enc, [x[0] for x in dev], "en")
        te = cached_encode(enc, [x[1] for x in dev], tgt)
        flags_doc, sec_doc = _check_findings(dev, tgt, enc, se, te, alone=False)
        flags_alone, sec_alone = _check_findings(dev, tgt, enc, se, te, alone=True)
        agree.append(int(np.sum(flags_doc == (p_dev >= prof.threshold))))
        vs_base.append((pair, prf(flags_doc, gold_dev)[0], prf(sim_dev < t_base, gold_dev)[0]))
        timings.append(
            (
                pair,
                enc.name,
                len(dev) + len(train),
                t_enc.seconds,
                t_chk.seconds,
                sec_doc,
                sec_alone,
                len(dev),
            )
        )
        results = {
            f"length only: len_dev > {t_len:.3f}": prf(len_dev > t_len, gold_dev),
            f"baseline: cos < {t_base:.3f}": prf(sim_dev < t_base, gold_dev),
            f"**`mistranslation` p ≥ {prof.threshold:.2f}** (file as one document)": prf(
                flags_doc, gold_dev
            ),
            "`mistranslation`, each item alone": prf(flags_alone, gold_dev),
            "checks: any critical": prf(crit_dev, gold_dev),
            "checks: any major+": prf(major_dev, gold_dev),
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
        g = np.asarray(gold_dev)
        crit_rows.append(
            f"| {pair[:2]}→{tgt} | `{prof.name}` | {auroc(p_dev, g):.3f} | "
            f"{auroc(-sim_dev, g):.3f} | {auroc(len_dev, g):.3f} |"
        )
        h = _hallucination(dev, tgt, enc, se, te)
        hall_gaps.append(h["cos"] - h["q"])
        hall_rows.append(
            f"| {pair[:2]}→{tgt} | {h['p']:.3f} | {h['q']:.3f} | {h['cos']:.3f} | "
            f"{h['flagged']:.2f} |"
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
    meta = model.meta.get("profiles", {})
    cv_lines = [
        f"- `{name}` (trained on {', '.join(info.get('pairs', []))}): 5-fold CV on train, mean "
        f"MCC {info.get('cv_mean_mcc')}; leave-one-pair-out MCC (train on the other pairs, "
        "test on this pair's train split) "
        + (
            ", ".join(f"{k} {v}" for k, v in info["leave_one_pair_out_mcc"].items())
            if info.get("leave_one_pair_out_mcc")
            else "n/a (one pair)"
        )
        for name, info in meta.items()
    ]
    abl_lines = [
        f"- `{name}`: "
        + ", ".join(f"{k} {v}" for k, v in info["ablation_cv_mean_mcc_without"].items())
        for name, info in meta.items()
        if "ablation_cv_mean_mcc_without" in info
    ]
    out = [
        scope,
        "",
        "**The `mistranslation` check** (`mtaudit/checks/critical.py`) is a logistic model over "
        "cheap features (cosine, CSLS-style margin, length ratio, negation and profanity cue "
        "counts per side, similarity to toxic prototype phrases, number/name findings, copied "
        "text, source register, and a learned projection of the sentence embeddings), trained by "
        "`scripts/train_critical.py` on the **train** splits (pairs pooled); its threshold is "
        "the one in the model file, chosen by 5-fold cross-validation on train. Dev was not used "
        "for anything but these figures. Each dev file is audited as one pairs document (item k "
        "is link [k]→[k], as `mtaudit audit-pairs` would see it); the row *each item alone* "
        "audits every item as its own one-link document (the margin then falls back to the "
        "model's prior neighbourhood). The check run through the registry and the model's "
        f"probabilities agree on {sum(agree)} of {n_items} dev items.",
        "",
        "Beside it, in the same run: a length-only rule (ERR when the length deviation exceeds "
        "t), the cosine baseline (ERR when cos < t) and the older rules from the surface and "
        "cross-lingual checks "
        + ", ".join(f"`{c}`" for c in CODES)
        + " (each item alone, default settings). All thresholds t are chosen on the train split "
        "(maximum MCC) and applied to dev. MCC is the task's official metric; precision and "
        "recall are of the ERR class.",
        "",
        "| pair | encoder | items | ERR | rule | MCC | precision | recall |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "Ranking quality on dev (AUROC of ERR vs NOT; threshold-free): the model's probability, "
        "the cosine (lower = ERR) and the length deviation.",
        "",
        "| pair | profile | probability | cosine | length deviation |",
        "|---|---|---|---|---|",
        *crit_rows,
        "",
        "Do hallucinated translations rank below faithful ones? Every dev target replaced by the "
        "target of another dev item (fluent text in the right language, unrelated to the source), "
        "ranked against the faithful (NOT) originals: AUROC that a faithful pair ranks above a "
        "hallucinated one by the `mistranslation` probability (lower = more faithful), the link "
        "quality score (`mtaudit.score.quality`) and the raw cosine; and the share of "
        "hallucinated pairs the check flags critical.",
        "",
        "| pair | by probability | by link quality | by cosine | flagged critical |",
        "|---|---|---|---|---|",
        *hall_rows,
        "",
        "Cross-validation on train (from the model file):",
        "",
        *cv_lines,
        "",
        *(
            [
                "Ablation (CV mean MCC on train without a feature family; full model above):",
                "",
                *abl_lines,
                "",
            ]
            if abl_lines
            else []
        ),
        "Findings of the surface/cross-lingual checks on dev by code and severity (items with at "
        "least one; ERR / NOT items):",
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
        "Time (encoding dev+train, cached after the first run / the surface checks on dev+train "
        "/ the `mistranslation` check on dev as one document and item by item, embeddings given):",
        "",
        *[
            f"- {p[:2]}→{p[2:]} ({name}, {n} items): encode {a:.1f} s, checks {b:.1f} s, "
            f"`mistranslation` {c:.1f} s per {nd} as a document, {d:.1f} s item by item"
            for p, name, n, a, b, c, d, nd in timings
        ],
        "",
        "What the numbers say: WMT21's critical errors are mostly about *meaning* in short, noisy "
        "talk-page comments — toxicity added or dropped, negation and sentiment flips, "
        "mistranslated named entities. The surface checks alone hardly fire "
        f"({n_crit} critical of {n_items} dev items; major+ precision vs the ERR base rate: "
        + "; ".join(f"{p[:2]}→{p[2:]} {prec:.2f} vs {base:.2f}" for p, prec, base in major_vs_base)
        + "). The learned check beats the cosine baseline of the same run on every pair ("
        + "; ".join(f"{p[:2]}→{p[2:]} {a:.2f} vs {b:.2f}" for p, a, b in vs_base)
        + ") but stays well below the issue's aim of 0.5, worst on en→ja: a frozen sentence "
        "encoder plus cue lists cannot see *which* word lost its toxicity or polarity, nor a "
        "sentiment reversal without a negation cue, nor a wrong word sense; WMT21's best systems "
        "fine-tuned large cross-lingual models on this train split. The ablation shows where the "
        "gain comes from: the profanity cues and the source's register (toxic, shouting talk-page "
        "comments are where this MT went critically wrong) and the embedding projection; negation "
        "cues, numbers, names and copied text barely move it (such errors are rare in this data, "
        "and the negation-cue difference is noisy: translations restructure negation). Leaning on "
        "the source is a property of this data set as much as of translation errors; expect less "
        "on clean, non-toxic text. Hallucinated (unrelated) targets are ranked below faithful "
        "pairs almost perfectly by the cosine; the probability follows, except for en→cs, where "
        "the E5 profile (trained on en→cs only) weighs the cosine little. "
        + (
            "The link quality score ranks them as well as the cosine it reads (largest AUROC gap "
            f"{max(hall_gaps):.3f})."
            if max(hall_gaps, default=0.0) <= 0.01
            else "The link quality score ranks them worse than the cosine it reads (AUROC up to "
            f"{max(hall_gaps):.3f} lower)."
        ),
        "",
        *_false_alarms(),
    ]
    return "\n".join(out)


def _false_alarms() -> list[str]:
    """Share of good translations (MLQE-PE DA dev odd rows, human mean >= 80) the check flags
    critical, at the shipped threshold and at the train-MCC threshold the cap raised."""
    from mtaudit.checks.mistranslation_model import load_critical_model, predict_links

    from .bench_quality import DA_PAIRS, da_context, da_split, load_da

    model = load_critical_model()
    profiles = model.meta.get("profiles", {})
    rows_out = []
    for pair in DA_PAIRS:
        rows = load_da(pair)
        ctx = da_context(pair, rows)
        probs, _, prof = predict_links(ctx, model)
        odd = da_split(len(rows))[1]
        da = np.array([float(rows[k]["mean"]) for k in odd])
        p = probs[odd]
        good, bad = da >= 80.0, da < 30.0
        cap = profiles.get(prof.name, {}).get("false_alarm_cap", {})
        before = float(cap.get("mcc_threshold", prof.threshold))
        rows_out.append(
            f"| {pair} | `{prof.name}` | {int(good.sum())} | {(p[good] >= before).mean():.1%} "
            f"(p ≥ {before:.2f}) | **{(p[good] >= prof.threshold).mean():.1%}** "
            f"(p ≥ {prof.threshold:.2f}) | {int(bad.sum())} | {(p[bad] >= prof.threshold).mean():.1%} |"
        )
    return [
        "### False alarms on good translations (MLQE-PE DA dev, odd rows)",
        "",
        "The share of translations human raters scored 80 or more that the check flags "
        "critical, each file audited as one pairs document; beside it, the share of those "
        "scored below 30. The thresholds chosen for MCC on WMT21 train are raised by the "
        "training script until at most 2 % of the good translations in the *even* rows of the "
        "pairs a profile serves are flagged (the E5 profile, trained on en→cs comments only, "
        "flagged most clean Wikipedia translations into English before). These odd rows were "
        "not used for that. The cap costs recall on WMT21 (the table above is at the capped "
        "thresholds).",
        "",
        "| pair | profile | good (DA ≥ 80) | flagged at the train-MCC threshold | flagged, shipped "
        "| poor (DA < 30) | flagged, shipped |",
        "|---|---|---|---|---|---|---|",
        *rows_out,
    ]
