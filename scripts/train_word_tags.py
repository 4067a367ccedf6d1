"""Fit the word-level error-tag model and write ``mtaudit/data/word_tag_model.json``.

    MTAUDIT_WORDTAG_CACHE=/some/cache python scripts/train_word_tags.py [--ablate] [--no-write]

Data: MLQE-PE post-editing tags (``$MTAUDIT_BENCHDATA/wordlevel/mlqe_pe``), seven pairs (en-de,
en-zh, et-en, ne-en, ro-en, ru-en, si-en). **Train**: a fixed random sample of
:data:`~benchmarks.bench_word_tags.TRAIN_PER_PAIR` sentences of each pair's 7,000 (the LM
features cost LM time); every fourth sampled sentence (``k % 4 == 3``) is held back to choose
the candidate and the decision threshold (the largest mean per-pair MCC), then the chosen
candidate is refitted on all sampled train sentences. **Dev** (1,000 per pair) is never used for
fitting or choosing; it is reported as the held-out figure.

Two profiles:

* ``lm`` — lexical, cross-lingual and LM features, fitted on the five into-English pairs (the
  bundled fluency LM reads English only).
* ``lex`` — lexical and cross-lingual features only, fitted on all seven pairs (the ``fast``
  profile, and target languages the LM does not read).

Candidates: L2 logistic regression, and a one-hidden-layer tanh network (full-batch Adam).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_word_tags import (  # noqa: E402
    HIGH_HTER,
    NEWS_TRAIN_PAIRS,
    PAIRS,
    TRAIN_PER_PAIR,
    cosines,
    lm_scores,
    load,
    load_news,
    mcc,
    mlqe_doc_stats,
    news_cosines,
    news_doc_stats,
    token_probs,
    word_rows,
)
from mtaudit.wordtags import (  # noqa: E402
    DEEP_FEATURES,
    DOC_FEATURES,
    LEX_FEATURES,
    LM_FEATURES,
    SENT_FEATURES,
    load_word_tag_model,
    word_features,
)

OUT = ROOT / "mtaudit" / "data" / "word_tag_model.json"
SEED = 20261207
#: Use the link's encoder cosine (``adq``; needs the cosine cache).
USE_COS = "--no-cos" not in sys.argv
THRESHOLDS = np.round(np.arange(0.10, 0.71, 0.02), 3)


class Split:
    """Word rows of a set of sentences, with what is needed to score MT tokens."""

    def __init__(self) -> None:
        self.feats: list[dict[str, np.ndarray]] = []
        self.y: list[np.ndarray] = []
        self.tok: list[np.ndarray] = []
        self.tags: list[np.ndarray] = []
        self.pair: list[str] = []
        self.hter: list[float] = []
        self.weight: list[float] = []  # per word of the sentence

    def add(self, feats, y, tok, tags, pair, hter, weight=1.0) -> None:
        self.feats.append(feats)
        self.y.append(y)
        self.tok.append(tok)
        self.tags.append(tags)
        self.pair.append(pair)
        self.hter.append(hter)
        self.weight.append(weight)

    def __add__(self, other: Split) -> Split:
        s = Split()
        for part in (self, other):
            for i in range(len(part.feats)):
                s.add(*(getattr(part, a)[i] for a in _FIELDS))
        return s

    def x(self, names: list[str]) -> np.ndarray:
        return np.concatenate([np.stack([f[k] for k in names], 1) for f in self.feats])

    def yy(self) -> np.ndarray:
        return np.concatenate(self.y)

    def ww(self) -> np.ndarray:
        return np.concatenate([np.full(len(y), w) for y, w in zip(self.y, self.weight)])

    def peaks(self, p_word: np.ndarray) -> np.ndarray:
        """Each sentence's highest ``p_bad`` over its words that are not punctuation."""
        out = np.zeros(len(self.feats))
        k = 0
        for i, f in enumerate(self.feats):
            n = len(f["is_punct"])
            words = p_word[k : k + n][f["is_punct"] == 0]
            out[i] = float(words.max()) if len(words) else 0.0
            k += n
        return out

    def subset(self, keep) -> Split:
        s = Split()
        for i in range(len(self.feats)):
            if keep(i):
                s.add(*(getattr(self, a)[i] for a in _FIELDS))
        return s

    def mcc_by_pair(self, p_word: np.ndarray, thr: float) -> dict[str, float]:
        out: dict[str, tuple[list, list]] = {}
        k = 0
        for _f, tok, tags, pair in zip(self.feats, self.tok, self.tags, self.pair, strict=True):
            n = len(tok)
            pt = token_probs(p_word[k : k + n], tok, len(tags))
            k += n
            ys, ps = out.setdefault(pair, ([], []))
            ys.append(tags)
            ps.append(pt >= thr)
        return {p: mcc(np.concatenate(a), np.concatenate(b)) for p, (a, b) in out.items()}


_FIELDS = ("feats", "y", "tok", "tags", "pair", "hter", "weight")
_MEMO: dict[tuple, list] = {}


def _rows(pair: str, split: str, with_lm: bool, n: int | None, use_cos: bool) -> list:
    key = (pair, split, with_lm, n, use_cos)
    if key in _MEMO:
        return _MEMO[key]
    sl, tl = pair.split("-")
    items = load(pair, split, n)
    scores = lm_scores(items, f"{pair}_{split}", compute=False) if with_lm else None
    if with_lm and scores is None:
        raise SystemExit(f"no LM cache for {pair} {split}: run the LM caching step first")
    cos = cosines(pair, split) if use_cos else None
    if use_cos and cos is None:
        raise SystemExit(f"no cosine cache for {pair} {split}")
    docs = mlqe_doc_stats(items, cos)
    rows = []
    for k, it in enumerate(items):
        adq = None if cos is None else float(cos[k])
        ts = None if scores is None else scores[k]
        feats, y, tok = word_rows(it, ts, sl, tl, adq, docs[k])
        if feats:
            rows.append((feats, y, tok, np.array(it.tags), it.hter))
    _MEMO[key] = rows
    return rows


def build(pairs, split: str, with_lm: bool, n: int | None, use_cos: bool = USE_COS) -> Split:
    s = Split()
    for pair in pairs:
        for feats, y, tok, tags, hter in _rows(pair, split, with_lm, n, use_cos):
            s.add(feats, y, tok, tags, pair, hter)
    return s


def build_news(pairs, part: str, use_cos: bool = USE_COS, with_lm: bool = False) -> Split:
    """WMT22 news documents of ``part``: source and human reference, every word OK (HTER 0);
    ``with_lm``: with the fluency LM's word scores (English targets; computed and cached)."""
    from mtaudit.fluency.features import word_scores
    from mtaudit.fluency.lm import TokenScores

    s = Split()
    for pair in pairs:
        key = ("news", pair, part, use_cos, with_lm)
        if key not in _MEMO:
            sl, tl = pair.split("-")
            items = load_news(pair)
            cos = news_cosines(pair, items, compute=True) if use_cos else None
            docs = news_doc_stats(items, cos)
            ks = [k for k, it in enumerate(items) if it.part == part]
            scores = lm_scores([items[k] for k in ks], f"news_{pair}_{part}") if with_lm else None
            rows = []
            for i, k in enumerate(ks):
                it = items[k]
                adq = None if cos is None else float(cos[k])
                lm = norm = None
                if scores is not None:
                    offs, lps = scores[i]
                    ws = word_scores(it.text, TokenScores([""] * len(offs), list(offs), lps), tl)
                    lm, norm = ws.lm, ws.norm
                spans, feats = word_features(it.src, it.text, sl, tl, lm, norm, adq, docs[k])
                if spans:
                    z = np.zeros(len(spans), dtype=int)
                    rows.append((feats, z, np.arange(len(spans)), z))
            _MEMO[key] = rows
        for feats, y, tok, tags in _MEMO[key]:
            s.add(feats, y, tok, tags, f"news:{pair}", 0.0)
    return s


#: Weight of the news all-OK sentences, all together, relative to the MLQE-PE words: chosen with
#: ``--explore-news`` (the largest high-HTER recall at the calibrated peaks on held-out train
#: sentences while their MCC stays within 0.02 of the variant without negatives).
NEG_WEIGHT = 0.3
#: Good translations into English for the pooled ``lm`` profile (``--lm-news``): the en-ru
#: documents read the other way round (Russian reference as the source, the English original as
#: the translation). The LM reads only English, so the other news pairs have no LM features.
NEWS_LM_PAIRS = ("ru-en",)
#: The pooled profiles' major peak: never (above 1). Their peaks are calibrated on the news dev
#: documents of the training pairs, but on pairs never seen (ja-en, en-hr) a third to a half of
#: good sentences still reach the calibrated major peak (docs/benchmarks.md, session 25), so an
#: unseen pair's findings stay minor; the calibrated value is kept in ``info``.
POOLED_MAJOR = 1.01


def pooled_peaks(prof: dict) -> dict:
    prof["info"]["peaks_calibrated"] = dict(prof["peaks"])
    prof["peaks"]["major"] = POOLED_MAJOR
    return prof


#: Features the pooled profiles (unseen pairs) leave out: the raw length ratio depends on the
#: two scripts (Chinese and Japanese characters are words of their own), so a pair the model
#: has not seen sits far outside the training range (ja-en: mean -0.62 against 0.05); the
#: document-relative ``len_rel`` stays. Per-pair profiles keep it.
POOLED_DROP: tuple[str, ...] = ()  # tried ("len_ratio",): held-out train MCC 0.215 -> 0.176


#: ... and read the script-neutral length ratio instead of the raw one (``len_ratio_sn``: a
#: Chinese/Japanese character counts as 1/1.5 of a word).
POOLED_SWAP = {"len_ratio": "len_ratio_sn"}


def pooled(names: list[str]) -> list[str]:
    return [POOLED_SWAP.get(k, k) for k in names if k not in POOLED_DROP]


#: Share of good-translation sentences allowed an ``error_span`` finding (minor, major).
FALSE_ALARMS = {"minor": 0.05, "major": 0.01}


def calibrate_peaks(goods: list[np.ndarray], thr: float) -> dict[str, float]:
    """The smallest peaks whose false-alarm share stays within :data:`FALSE_ALARMS` on every
    set of good-translation sentence peaks in ``goods`` (never below the word threshold)."""
    out = {}
    for sev, rate in FALSE_ALARMS.items():
        q = max(float(np.quantile(g, 1.0 - rate)) for g in goods if len(g)) + 1e-4
        out[sev] = round(min(1.0, max(thr, q)), 4)
    if out["major"] < out["minor"]:
        out["major"] = out["minor"]
    return out


def good_sets(hold: Split, ph: np.ndarray, news: Split | None, pn) -> list[np.ndarray]:
    """Sentence peaks of the good translations: the news dev documents (each pair) when there
    are any, else the held-out train sentences with HTER 0 (all pairs together). A pooled
    profile tags unseen pairs and domains, which the news documents stand for; a pair's own
    profile (and the pooled ``lm`` one, which no news pair into English trains) has only its
    own good MT."""
    goods = []
    if news is None or not news.feats:
        m = np.array([h == 0.0 for h in hold.hter])
        goods.append(hold.peaks(ph)[m])
    else:
        npk = news.peaks(pn)
        for pair in sorted(set(news.pair)):
            goods.append(npk[np.array([q == pair for q in news.pair])])
    return goods


def recall(split: Split, p_word: np.ndarray, peak: float) -> float:
    """Share of the sentences with HTER >= HIGH_HTER whose peak reaches ``peak``."""
    pk = split.peaks(p_word)
    hi = np.array([h >= HIGH_HTER for h in split.hter])
    return float((pk[hi] >= peak).mean()) if hi.any() else float("nan")


def standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(0)
    scale = x.std(0)
    mean[0], scale[0] = 0.0, 1.0  # bias column
    scale[scale < 1e-9] = 1.0
    return mean, scale


def fit_lr(x: np.ndarray, y: np.ndarray, l2: float, steps: int = 300, sw=None) -> np.ndarray:
    """L2 logistic regression by Newton's method (bias = first column, not penalised); ``sw``
    weighs the rows (mean 1)."""
    sw = np.ones(len(y)) if sw is None else sw / sw.mean()
    w = np.zeros(x.shape[1])
    pen = np.full(x.shape[1], l2)
    pen[0] = 0.0
    for _ in range(min(steps, 30)):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        g = x.T @ (sw * (p - y)) / len(y) + pen * w
        h = (x * (sw * p * (1 - p))[:, None]).T @ x / len(y) + np.diag(pen + 1e-9)
        step = np.linalg.solve(h, g)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


def fit_mlp(x, y, hidden, l2, steps=600, lr=0.02, seed=SEED, sw=None):
    sw = np.ones(len(y)) if sw is None else sw / sw.mean()
    rng = np.random.default_rng(seed)
    d = x.shape[1]
    w1 = rng.normal(0, 1 / np.sqrt(d), (d, hidden))
    b1 = np.zeros(hidden)
    w2 = rng.normal(0, 1 / np.sqrt(hidden), hidden)
    ybar = float((sw * y).sum() / sw.sum())
    b2 = np.log(ybar / (1 - ybar))
    params = [w1, b1, w2, np.array([b2])]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t in range(1, steps + 1):
        h = np.tanh(x @ params[0] + params[1])
        z = h @ params[2] + params[3][0]
        p = 1 / (1 + np.exp(-np.clip(z, -30, 30)))
        dz = sw * (p - y) / len(y)
        g2 = h.T @ dz + l2 * params[2]
        gb2 = np.array([dz.sum()])
        dh = np.outer(dz, params[2]) * (1 - h * h)
        g1 = x.T @ dh + l2 * params[0]
        gb1 = dh.sum(0)
        for i, g in enumerate((g1, gb1, g2, gb2)):
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            params[i] -= lr * (m[i] / (1 - 0.9**t)) / (np.sqrt(v[i] / (1 - 0.999**t)) + 1e-8)
    return params


def predict(cand, params, x):
    if cand[0] == "lr":
        z = x @ params
    else:
        z = np.tanh(x @ params[0] + params[1]) @ params[2] + params[3][0]
    return 1 / (1 + np.exp(-np.clip(z, -30, 30)))


def fit(cand, x, y, sw=None):
    if cand[0] == "lr":
        return fit_lr(x, y, cand[1], sw=sw)
    return fit_mlp(x, y, cand[1], cand[2], sw=sw)


def best_threshold(split: Split, p: np.ndarray) -> tuple[float, float]:
    best = (0.5, -1.0)
    for t in THRESHOLDS:
        m = float(np.mean(list(split.mcc_by_pair(p, float(t)).values())))
        if m > best[1]:
            best = (float(t), m)
    return best


def with_negatives(mlqe: Split, news: Split, neg_weight: float) -> Split:
    """``mlqe`` plus the news sentences, their words weighted so that all of them together weigh
    ``neg_weight`` times the MLQE-PE words."""
    if neg_weight <= 0 or not news.feats:
        return mlqe
    n_m, n_n = len(mlqe.yy()), len(news.yy())
    news = news.subset(lambda i: True)
    news.weight = [neg_weight * n_m / n_n] * len(news.feats)
    return mlqe + news


def run_profile(name, pairs, names, with_lm, cands, log, news_pairs=(), neg_weight=0.0):
    """Fit one profile; ``news_pairs``' train documents join as all-OK sentences (weight
    ``neg_weight``), their dev documents calibrate the finding peaks (else the held-out train
    sentences of HTER 0 do)."""
    tr = build(pairs, "train", with_lm, TRAIN_PER_PAIR)
    dev = build(pairs, "dev", with_lm, None)
    news_tr = build_news(news_pairs, "train", with_lm=with_lm)
    news_dev = build_news(news_pairs, "dev", with_lm=with_lm)
    fit_s = tr.subset(lambda i: i % 4 != 3)
    hold = tr.subset(lambda i: i % 4 == 3)
    fit_n = with_negatives(fit_s, news_tr, neg_weight)
    xf = fit_n.x(names)
    mean, scale = standardise(xf)
    xf = (xf - mean) / scale
    xh = (hold.x(names) - mean) / scale
    best = None
    for cand in cands:
        params = fit(cand, xf, fit_n.yy(), fit_n.ww())
        thr, m = best_threshold(hold, predict(cand, params, xh))
        log(f"  [{name}] {cand}: held-out train mean MCC {m:.3f} at {thr}")
        if best is None or m > best[2]:
            best = (cand, thr, m)
    cand, thr, hm = best
    all_n = with_negatives(tr, news_tr, neg_weight)
    xa = all_n.x(names)
    mean_a, scale_a = standardise(xa)
    params = fit(cand, (xa - mean_a) / scale_a, all_n.yy(), all_n.ww())
    pd = predict(cand, params, (dev.x(names) - mean_a) / scale_a)
    per = dev.mcc_by_pair(pd, thr)
    # per-pair thresholds and the finding peaks, chosen on the held-out train sentences (the
    # candidate fitted without them) and the news dev documents (never trained on)
    params_f = fit(cand, xf, fit_n.yy(), fit_n.ww())
    ph = predict(cand, params_f, xh)
    by_pair = pair_thresholds(hold, ph, pairs, thr)
    pn = predict(cand, params, (news_dev.x(names) - mean_a) / scale_a) if news_dev.feats else None
    peaks = calibrate_peaks(good_sets(hold, ph, news_dev, pn), thr)
    per_pp = {}
    for pair in pairs:
        per_pp[pair] = dev.mcc_by_pair(pd, by_pair[pair])[pair]
    log(
        f"  [{name}] per-pair thresholds {by_pair}: dev "
        + ", ".join(f"{k} {v:.3f}" for k, v in per_pp.items())
        + f"; mean {np.mean(list(per_pp.values())):.3f}"
    )
    rec = {k: round(recall(dev, pd, peaks[k]), 4) for k in peaks}
    log(
        f"  [{name}] chosen {cand} thr {thr}: dev "
        + ", ".join(f"{k} {v:.3f}" for k, v in per.items())
        + f"; mean {np.mean(list(per.values())):.3f}; peaks {peaks}; dev high-HTER recall {rec}"
    )
    d = {
        "features": list(names),
        "mean": mean_a.round(6).tolist(),
        "scale": scale_a.round(6).tolist(),
        "threshold": thr,
        "thresholds_by_pair": by_pair,
        "peaks": peaks,
        "info": {
            "candidate": str(cand),
            "trained_on": {p: TRAIN_PER_PAIR for p in pairs},
            "news_negatives": {
                "pairs": list(news_pairs),
                "sentences": len(news_tr.feats),
                "weight": neg_weight if news_tr.feats else 0.0,
            },
            "peaks": "error_span peaks for at most "
            + ", ".join(f"{int(v * 100)} % {k}" for k, v in FALSE_ALARMS.items())
            + " of good sentences: held-out train sentences with HTER 0"
            + (f" and WMT22 news dev documents ({', '.join(news_pairs)})" if news_pairs else ""),
            "train_words": int(len(tr.yy())),
            "train_bad_rate": round(float(tr.yy().mean()), 4),
            "heldout_train_mean_mcc": round(hm, 4),
            "dev_mcc": {k: round(v, 4) for k, v in per.items()},
            "dev_mean_mcc": round(float(np.mean(list(per.values()))), 4),
            "dev_mcc_pair_thresholds": {k: round(v, 4) for k, v in per_pp.items()},
            "dev_mean_mcc_pair_thresholds": round(float(np.mean(list(per_pp.values()))), 4),
            "dev_high_hter_recall": rec,
        },
    }
    if cand[0] == "lr":
        d.update(w1=None, b1=None, w2=params.round(6).tolist(), b2=0.0)
    else:
        d.update(
            w1=params[0].round(6).tolist(),
            b1=params[1].round(6).tolist(),
            w2=params[2].round(6).tolist(),
            b2=round(float(params[3][0]), 6),
        )
    return d, per


def explore_news(log) -> None:
    """Pooled ``lex`` (LR): news negatives and the document-relative features, one at a time.
    Chosen on the held-out train sentences (MCC, high-HTER recall) and the news dev documents
    (false alarms); MLQE-PE dev is printed but not used to choose."""
    pairs = list(PAIRS)
    tr = build(pairs, "train", False, TRAIN_PER_PAIR)
    fit_s = tr.subset(lambda i: i % 4 != 3)
    hold = tr.subset(lambda i: i % 4 == 3)
    news_tr = build_news(NEWS_TRAIN_PAIRS, "train")
    news_dev = build_news(NEWS_TRAIN_PAIRS, "dev")
    base = list(LEX_FEATURES) + list(SENT_FEATURES)
    no_abs = [k for k in base if k not in ("adq", "adq_low", "len_ratio")]
    variants = [
        ("base", base, 0.0),
        ("base +neg0.3", base, 0.3),
        ("base +doc", base + list(DOC_FEATURES), 0.0),
        ("base +doc +neg0.1", base + list(DOC_FEATURES), 0.1),
        ("base +doc +neg0.3", base + list(DOC_FEATURES), 0.3),
        ("base +doc +neg1", base + list(DOC_FEATURES), 1.0),
        ("rel only +neg0.3", no_abs + list(DOC_FEATURES), 0.3),
    ]
    for label, names, nw in variants:
        fit_n = with_negatives(fit_s, news_tr, nw)
        xf = fit_n.x(names)
        mean, scale = standardise(xf)
        w = fit_lr((xf - mean) / scale, fit_n.yy(), 1e-3, sw=fit_n.ww())
        ph = predict(("lr",), w, (hold.x(names) - mean) / scale)
        pn = predict(("lr",), w, (news_dev.x(names) - mean) / scale)
        thr, m = best_threshold(hold, ph)
        npk = news_dev.peaks(pn)
        fa06 = {q: float((npk[np.array([x == q for x in news_dev.pair])] >= max(0.6, thr)).mean())
                for q in sorted(set(news_dev.pair))}  # fmt: skip
        pk = calibrate_peaks(good_sets(hold, ph, news_dev, pn), thr)
        log(
            f"  {label:22s} hold MCC {m:.3f} thr {thr}; news dev FA at 0.6: "
            + " ".join(f"{k[5:]} {v:.0%}" for k, v in fa06.items())
            + f" (hold high-HTER recall at 0.6: {recall(hold, ph, max(0.6, thr)):.0%})"
            + f"; peaks {pk}; hold high-HTER recall minor {recall(hold, ph, pk['minor']):.0%}"
            f" major {recall(hold, ph, pk['major']):.0%}"
        )


def ablate(pairs, base, extra, with_lm, log):
    """Dev MCC of LR on ``base`` + each group in ``extra`` (threshold chosen on held-out train)."""
    tr = build(pairs, "train", with_lm, TRAIN_PER_PAIR)
    fit_s = tr.subset(lambda i: i % 4 != 3)
    hold = tr.subset(lambda i: i % 4 == 3)
    dev = build(pairs, "dev", with_lm, None)
    for label, names in [("base", base)] + [(f"+{g}", base + g.split(",")) for g in extra]:
        xf = fit_s.x(names)
        mean, scale = standardise(xf)
        w = fit_lr((xf - mean) / scale, fit_s.yy(), 1e-3)
        ph = predict(("lr",), w, (hold.x(names) - mean) / scale)
        thr, _ = best_threshold(hold, ph)
        pd = predict(("lr",), w, (dev.x(names) - mean) / scale)
        per = dev.mcc_by_pair(pd, thr)
        bp = pair_thresholds(hold, ph, pairs, thr)
        pp = {q: dev.mcc_by_pair(pd, bp[q])[q] for q in pairs}
        log(
            f"  {label:40s} dev mean {np.mean(list(per.values())):.3f} "
            f"(pair thresholds {np.mean(list(pp.values())):.3f})  "
            + " ".join(f"{k} {v:.3f}/{pp[k]:.3f}" for k, v in per.items())
        )


def pair_thresholds(hold: Split, ph: np.ndarray, pairs, default: float) -> dict[str, float]:
    """Each pair's best threshold on the held-out train sentences."""
    table = {float(t): hold.mcc_by_pair(ph, float(t)) for t in THRESHOLDS}
    out = {}
    for q in pairs:
        out[q] = max(table, key=lambda t: table[t].get(q, -1.0)) if table else default
    return out


#: ``--deep``: the source-conditioned LM's feature groups, each added to the pair's own
#: profile features (benchmarks/bench_deep.py builds the rows; its sample, not TRAIN_PER_PAIR).
DEEP_GROUPS = {
    "+uncond": ["d_uncond"],
    "+cond": ["d_cond", "d_next_cond", "d_win3_cond", "d_cond_rel"],
    "+deep": list(DEEP_FEATURES),
}


def run_deep(log, write: bool, pairs=PAIRS) -> None:
    """Per pair, dev MCC of the shipped model, its features refitted on the conditioned-LM
    sample and each :data:`DEEP_GROUPS` group added (LR or MLP-8 and the threshold chosen by
    4-fold CV on train); ``write`` adds the ``+deep`` fits as profiles ``deep/<pair>``."""
    from benchmarks.bench_deep import deep_rows

    shipped = load_word_tag_model(OUT)
    sent = list(SENT_FEATURES) + list(DOC_FEATURES)
    table: dict[str, dict[str, float]] = {}
    profiles = {}
    for pair in pairs:
        sl, tl = pair.split("-")
        tr, dev = Split(), Split()
        for split, sp in (("train", tr), ("dev", dev)):
            for feats, y, tok, tags, hter in deep_rows(pair, split):
                sp.add(feats, y, tok, tags, pair, hter)
        row, ys, ps = table.setdefault(pair, {}), [], []
        for f, tok, tags in zip(dev.feats, dev.tok, dev.tags, strict=True):
            prof = shipped.profile_for(sl, tl, "lm" in f)
            ys.append(tags)
            ps.append(token_probs(prof.predict(f), tok, len(tags)) >= prof.threshold_for(sl, tl))
        row["shipped"] = mcc(np.concatenate(ys), np.concatenate(ps))
        base = list(LEX_FEATURES) + sent + (list(LM_FEATURES) if tl == "en" else [])
        fold = np.concatenate([np.full(len(y), i % 4) for i, y in enumerate(tr.y)])
        for label, names in [("base", base)] + [(g, base + x) for g, x in DEEP_GROUPS.items()]:
            xa = tr.x(names)
            mean_a, scale_a = standardise(xa)
            xa, best = (xa - mean_a) / scale_a, None
            for cand in [("lr", 1e-3), ("mlp", 8, 1e-3)]:
                ph = np.zeros(len(fold))  # out-of-fold predictions (4 folds of sentences)
                for k in range(4):
                    pf = fit(cand, xa[fold != k], tr.yy()[fold != k])
                    ph[fold == k] = predict(cand, pf, xa[fold == k])
                thr, m = best_threshold(tr, ph)
                if best is None or m > best[2]:
                    best = (cand, thr, m, ph)
            cand, thr, hm, ph = best
            params = fit(cand, xa, tr.yy())
            pd = predict(cand, params, (dev.x(names) - mean_a) / scale_a)
            row[label] = dev.mcc_by_pair(pd, thr)[pair]
            log(f"  {pair} {label:8s} {cand}: CV {hm:.3f} thr {thr}; dev MCC {row[label]:.3f}")
            if label == "+deep":
                d = {"features": names, "mean": mean_a.round(6).tolist(),
                     "scale": scale_a.round(6).tolist(), "threshold": thr,
                     "thresholds_by_pair": {pair: thr},
                     "peaks": calibrate_peaks(good_sets(tr, ph, None, None), thr)}  # fmt: skip
                d["info"] = {
                    "candidate": str(cand),
                    "trained_on": {pair: len(tr.feats)},
                    "sample": "benchmarks/bench_deep.py (train k % 10 < 3 of the 1,000)",
                    "cv_train_mcc": round(hm, 4),
                    "dev_mcc": {pair: round(row[label], 4)},
                    "dev_subset": "k % 4 == 0 of dev (250)",
                }
                if cand[0] == "lr":
                    d.update(w1=None, b1=None, w2=params.round(6).tolist(), b2=0.0)
                else:
                    d.update(w1=params[0].round(6).tolist(), b1=params[1].round(6).tolist(),
                             w2=params[2].round(6).tolist(), b2=round(float(params[3][0]), 6))  # fmt: skip
                profiles[f"deep/{pair}"] = d
    cols = ["shipped", "base", *DEEP_GROUPS]
    log("dev MCC (same dev subset): pair " + " ".join(cols))
    for pair, row in table.items():
        log(f"  {pair} " + " ".join(f"{row[c]:.3f}" for c in cols))
    log("  mean  " + " ".join(f"{np.mean([r[c] for r in table.values()]):.3f}" for c in cols))
    if write:
        model = json.loads(OUT.read_text(encoding="utf-8"))
        model["profiles"].update(profiles)
        model["meta"]["deep"] = {
            "lm": "Gemma-3-270M (the multilingual extra) reading 'source prompt + target' and the "
            "target alone (mtaudit.fluency.conditioned)",
            "dev_mcc": {p: round(r["+deep"], 4) for p, r in table.items()},
            "dev_mcc_shipped_same_subset": {p: round(r["shipped"], 4) for p, r in table.items()},
        }
        OUT.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        log(f"wrote {OUT} (profiles deep/<pair> added)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ablate", action="store_true")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--quick", action="store_true", help="logistic regression only")
    ap.add_argument("--pair-lr", action="store_true", help="per-pair profiles: regression only")
    ap.add_argument("--pooled-only", action="store_true", help="no per-pair profiles")
    ap.add_argument("--only-lex", action="store_true", help="fit and print the lex profile only")
    ap.add_argument("--no-cos", action="store_true", help="without the encoder cosine (adq)")
    ap.add_argument("--pairs", default=None, help="ablation: only these pairs")
    ap.add_argument("--explore-news", action="store_true", help="negatives / doc features (LR)")
    ap.add_argument(
        "--lm-news", action="store_true",
        help="the pooled lm profile also trains on the English news references (ru-en: the en-ru "
        "file read the other way round; costs an LM pass over them)",
    )  # fmt: skip
    ap.add_argument("--only-pooled", choices=("lex", "lm"), help="refit one pooled profile only")
    ap.add_argument("--no-doc", action="store_true", help="without the document-relative features")
    ap.add_argument(
        "--neg-weight", type=float, default=NEG_WEIGHT,
        help="weight of the news negatives (all of them, relative to the MLQE-PE words)",
    )  # fmt: skip
    ap.add_argument("--deep", action="store_true", help="conditioned-LM features (deep/<pair>)")
    args = ap.parse_args()

    def log(msg: str) -> None:
        print(msg, flush=True)

    if args.deep:
        return run_deep(log, not args.no_write, args.pairs.split(",") if args.pairs else PAIRS)

    en_pairs = [p for p in PAIRS if p.endswith("-en")]
    if args.pairs:
        en_pairs = [p for p in args.pairs.split(",") if p.endswith("-en")]

    def ablate_lm() -> None:
        """The LM features one group at a time on top of every lexical feature (LR)."""
        groups = [
            "lm",
            "norm",
            "lm,norm,prev_norm,next_norm,next_lm",
            "sent_norm_mean,sent_norm_min,norm_minus_mean",
            "win3_min",
            ",".join(LM_FEATURES),
        ]
        ablate(en_pairs, list(LEX_FEATURES), groups, True, log)

    if args.explore_news:
        log("pooled lex, LR: news negatives and document-relative features:")
        explore_news(log)
        return
    if args.ablate and args.pairs:
        log("LM features on top of all lex features (LR):")
        ablate_lm()
        return
    if args.ablate:
        log("lex features, all pairs (LR):")
        ablate(
            list(PAIRS),
            ["bias", "rel_pos", "is_first", "is_last", "log_chars", "is_punct"],
            [
                "has_digit,cap",
                "tgt_logf,nb_tgt_logf",
                "src_logf",
                "copied,copied_alpha,sent_copied",
                "num_unsupported",
                "len_ratio,log_len",
                "adq,adq_low",
            ],
            False,
            log,
        )
        log("LM features on top of all lex features, into-English pairs (LR):")
        ablate_lm()
        return
    cands = [("lr", 1e-3)] if args.quick else [("lr", 1e-3), ("mlp", 16, 1e-4)]
    pair_cands = [("lr", 1e-3)] if args.quick or args.pair_lr else [("lr", 1e-3), ("mlp", 8, 1e-3)]
    if args.only_pooled:
        # refit one pooled profile only, into the shipped file (the rest unchanged)
        sent = list(SENT_FEATURES) + list(DOC_FEATURES)
        kind = args.only_pooled
        if kind == "lm":
            names = pooled(list(LEX_FEATURES) + sent + list(LM_FEATURES))
            news = list(NEWS_LM_PAIRS) if args.lm_news else []
            prs, with_lm = en_pairs, True
        else:
            names, news, prs, with_lm = (
                pooled(list(LEX_FEATURES) + sent),
                NEWS_TRAIN_PAIRS,
                PAIRS,
                False,
            )
        log(f"profile {kind} (pooled; news negatives {news or 'none'}; features {names}):")
        prof, _ = run_profile(kind, list(prs), names, with_lm, cands, log, news, args.neg_weight)
        model = json.loads(OUT.read_text(encoding="utf-8"))
        model["profiles"][kind] = pooled_peaks(prof)
        if kind == "lm":
            model["meta"]["lm_pooled_news_negatives"] = news
        if not args.no_write:
            OUT.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
            log(f"wrote {OUT} (profile {kind} replaced)")
        return
    sent = ([] if args.no_cos else list(SENT_FEATURES)) + (
        [] if args.no_doc else list(DOC_FEATURES)
    )
    nw = args.neg_weight
    log(f"profile lex (all pairs; news negatives {', '.join(NEWS_TRAIN_PAIRS)} weight {nw}):")
    lex, _ = run_profile(
        "lex",
        list(PAIRS),
        pooled(list(LEX_FEATURES) + sent),
        False,
        cands,
        log,
        NEWS_TRAIN_PAIRS,
        nw,
    )
    if args.only_lex:
        return
    names = list(LEX_FEATURES) + sent + list(LM_FEATURES)
    lm_news = list(NEWS_LM_PAIRS) if args.lm_news else []
    log(f"profile lm (into-English pairs; news negatives {lm_news or 'none'}):")
    lmp, _ = run_profile("lm", en_pairs, pooled(names), True, cands, log, lm_news, nw)
    profiles = {"lex": pooled_peaks(lex), "lm": pooled_peaks(lmp)}
    summary = {"lex": lex["info"]["dev_mcc"], "lm": lmp["info"]["dev_mcc"]}
    if not args.pooled_only:
        # one profile per known pair (the pair as a feature, in full): logistic regression
        for pair in PAIRS:
            news = [pair] if pair in NEWS_TRAIN_PAIRS else []
            lx, _ = run_profile(
                f"lex/{pair}", [pair], list(LEX_FEATURES) + sent, False, pair_cands, log, news, nw
            )
            profiles[f"lex/{pair}"] = lx
            summary.setdefault("lex/pair", {}).update(lx["info"]["dev_mcc"])
            if pair in en_pairs:
                lp, _ = run_profile(f"lm/{pair}", [pair], names, True, pair_cands, log)
                profiles[f"lm/{pair}"] = lp
                summary.setdefault("lm/pair", {}).update(lp["info"]["dev_mcc"])
    # what an audit uses for each pair: its own profile, LM where the target is English
    best = {}
    for pair in PAIRS:
        kind = "lm" if pair in en_pairs else "lex"
        key = f"{kind}/pair" if f"{kind}/pair" in summary else kind
        best[pair] = summary[key][pair]
    log("summary (dev MCC): " + json.dumps(summary))
    log(
        "as shipped: "
        + ", ".join(f"{k} {v:.3f}" for k, v in best.items())
        + f"; mean {np.mean(list(best.values())):.3f}"
    )
    model = {
        "meta": {
            "version": "2",
            "trained": dt.date.today().isoformat(),
            "data": "MLQE-PE post-editing word tags (sheffieldnlp/mlqe-pe), train split, "
            f"{TRAIN_PER_PAIR} sentences per pair (seed 20); dev reported. Good translations: "
            f"WMT22 news human references ({', '.join(NEWS_TRAIN_PAIRS)}), train documents "
            f"as all-OK sentences (weight {nw}), dev documents calibrate the finding peaks; "
            "test documents and the pairs ja-en, de-fr, en-hr never used",
            "script": "scripts/train_word_tags.py",
            "lm": "SmolLM2-135M-Instruct (the bundled fluency LM), target sentence read alone",
            "dev_mcc_as_shipped": {k: round(v, 4) for k, v in best.items()},
            "dev_mean_mcc_as_shipped": round(float(np.mean(list(best.values()))), 4),
        },
        "profiles": profiles,
    }
    if not args.no_write:
        OUT.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        log(f"wrote {OUT}")


if __name__ == "__main__":
    main()
