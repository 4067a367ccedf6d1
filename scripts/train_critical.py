"""Fit the critical-error model and write ``mtaudit/data/critical_model.json``.

    python scripts/train_critical.py             # fit, print CV figures, write the JSON
    python scripts/train_critical.py --ablate    # also: CV MCC without each feature family
    python scripts/calibrate_critical_unseen.py  # then: thresholds for pairs outside training

The second script adds each profile's ``validated_pairs`` and ``unseen_threshold`` to the file
this one writes (without them every pair is treated as validated).

Data: the WMT21 critical-error **train** splits (``$MTAUDIT_BENCHDATA/critical_errors/wmt21``,
en→de/cs/ja/zh), all pairs pooled. The dev splits are never read here: they are what
``benchmarks/bench_critical_errors.py`` reports.

Profiles (one per encoder, because cosine scales differ):

* ``use-multilingual-v3`` — trained on en→de/ja/zh (USE does not cover Czech; the pipeline uses E5
  for en→cs), scalar features plus a learned projection of the embeddings;
* ``multilingual-e5-small-q4`` — trained on en→cs only (the pair the pipeline sends to E5; E5
  encodes ~100 sentences/s at best here, so encoding the other pairs' train splits was not
  affordable), same feature set;
* ``default`` — unknown encoders: text-only features (no cosine, no embeddings), all four pairs.

Model: logistic regression (Newton/IRLS with a ridge penalty, numpy only; one free intercept per
pair while fitting, their size-weighted mean shipped, so that no feature learns "which pair is
this") on standardised scalar features and, when enabled, the top principal components of the source embedding and of the
target−source difference (fitted in PCA space, folded back into one weight vector per block so
that audit time needs no PCA). The ridge strength and the decision threshold are chosen by 5-fold
cross-validation on the pooled train splits: the threshold maximises the mean over pairs of the
out-of-fold MCC. A leave-one-pair-out run (train on three pairs, test on the fourth's train split
with the threshold chosen on the three) estimates how the model carries over to an unseen pair.

Embeddings and features are cached (``$MTAUDIT_CRITICAL_CACHE``, default
``/tmp/mtaudit_critical_cache``), so re-runs do not re-encode.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_critical_errors import PAIRS, critical_features, mcc  # noqa: E402
from mtaudit.checks.mistranslation_model import (  # noqa: E402
    ENCODER_FEATURES,
    FAMILY,
    FEATURES,
    CriticalModel,
    CriticalProfile,
)
from mtaudit.encoders import E5Encoder, USEEncoder  # noqa: E402

OUT = ROOT / "mtaudit" / "data" / "critical_model.json"
RIDGES = (10.0, 100.0, 300.0)
N_PCA = 48
FOLDS = 5
SEED = 13
PROFILES = {
    "use-multilingual-v3": ("ende", "enja", "enzh"),
    "multilingual-e5-small-q4": ("encs",),
    "default": PAIRS,
}
#: Encoder whose cached embeddings provide the rows of each profile (``default`` uses none of
#: the encoder features, so the fast USE encoder's cache serves it).
ROW_ENCODER = {"default": "use-multilingual-v3"}
#: False-alarm cap: good translations (MLQE-PE DA dev, human mean score >= GOOD_DA, even rows
#: only: the odd rows are what the benchmarks report) of the language pairs each profile serves
#: in an audit; the threshold is raised until at most CAP_RATE of them would be flagged.
GOOD_DA = 80.0
CAP_RATE = 0.02
CAP_PAIRS = {
    "use-multilingual-v3": ("en-de", "en-zh"),
    "multilingual-e5-small-q4": ("et-en", "ro-en"),
    "default": ("en-de", "en-zh", "et-en", "ro-en"),
}


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def fit_logreg(
    z: np.ndarray,
    y: np.ndarray,
    ridge: float,
    groups: np.ndarray | None = None,
    iters: int = 25,
) -> np.ndarray:
    """Weights ``[intercept, w...]`` of an L2-penalised logistic regression.

    With ``groups`` (the language pair of each row) every group gets its own free intercept
    while fitting, so the weights learn what separates ERR from NOT *within* a pair, not the pairs'
    different ERR rates (features that merely identify the pair — script, length ratio — would
    otherwise soak those up and mislead on an unseen pair). The returned intercept is the
    size-weighted mean of the group intercepts.
    """
    gid = (
        np.zeros(len(z), dtype=int) if groups is None else np.unique(groups, return_inverse=True)[1]
    )
    n_g = int(gid.max()) + 1
    a = np.hstack([np.eye(n_g)[gid], z])
    w = np.zeros(a.shape[1])
    for k in range(n_g):
        yk = y[gid == k].mean()
        w[k] = np.log(max(yk, 1e-6) / max(1 - yk, 1e-6))
    pen = np.full(a.shape[1], ridge)
    pen[:n_g] = 0.0
    for _ in range(iters):
        p = sigmoid(a @ w)
        grad = a.T @ (p - y) + pen * w
        h = (a * (p * (1 - p))[:, None]).T @ a + np.diag(pen + 1e-9)
        step = np.linalg.solve(h, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-6:
            break
    sizes = np.bincount(gid, minlength=n_g) / len(gid)
    return np.concatenate([[float(sizes @ w[:n_g])], w[n_g:]])


class Design:
    """Standardisation (and PCA of embedding blocks) fitted on training rows."""

    def __init__(self, x: np.ndarray, s: np.ndarray | None, t: np.ndarray | None, n_pca: int):
        self.mu = x.mean(axis=0)
        sd = x.std(axis=0)
        self.live = sd > 1e-9
        self.sd = np.where(self.live, sd, 1.0)
        self.blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        if s is not None and t is not None and n_pca > 0:
            for m in (s, t - s):
                c = m.mean(axis=0)
                _, _, vt = np.linalg.svd(m - c, full_matrices=False)
                comp = vt[:n_pca]
                proj = (m - c) @ comp.T
                self.blocks.append((c, comp, proj.std(axis=0) + 1e-9))

    def __call__(self, x: np.ndarray, s: np.ndarray | None, t: np.ndarray | None) -> np.ndarray:
        z = (x - self.mu) / self.sd
        z[:, ~self.live] = 0.0
        parts = [z]
        for (c, comp, psd), m in zip(self.blocks, (s, None if s is None else t - s), strict=False):
            assert m is not None
            parts.append(((m - c) @ comp.T) / psd)
        return np.hstack(parts)

    def fold(self, w: np.ndarray, names: list[str], profile_name: str, thr: float, rc: float):
        """Turn weights in design space into a :class:`CriticalProfile`."""
        nx = len(names)
        intercept = float(w[0])
        coef = {f: round(float(c), 6) for f, c in zip(names, w[1 : 1 + nx], strict=True)}
        emb: list[np.ndarray] = []
        off = 1 + nx
        for c, comp, psd in self.blocks:
            wb = w[off : off + len(psd)] / psd
            off += len(psd)
            vec = comp.T @ wb  # weight on the raw vector
            intercept -= float(c @ vec)
            emb.append(vec)
        return CriticalProfile(
            name=profile_name,
            coef=coef,
            mean={f: round(float(m), 6) for f, m in zip(names, self.mu, strict=True)},
            std={f: round(float(s), 6) for f, s in zip(names, self.sd, strict=True)},
            intercept=round(intercept, 6),
            threshold=round(thr, 4),
            random_cos=round(rc, 5),
            emb_src=emb[0] if emb else None,
            emb_diff=emb[1] if len(emb) > 1 else None,
        )


def best_threshold(p: np.ndarray, y: np.ndarray, groups: np.ndarray) -> tuple[float, float]:
    """Threshold maximising the mean per-group MCC of ``p >= t``; returns (t, mean MCC)."""
    best = (0.5, -2.0)
    for t in np.arange(0.05, 0.951, 0.01):
        m = float(np.mean([mcc(p[groups == g] >= t, y[groups == g]) for g in np.unique(groups)]))
        if m > best[1] + 1e-12:
            best = (float(t), m)
    return best


def folds(n: int, k: int = FOLDS) -> np.ndarray:
    rng = np.random.default_rng(SEED)
    return rng.permutation(n) % k


def cv_predict(
    x: np.ndarray,
    s: np.ndarray | None,
    t: np.ndarray | None,
    y: np.ndarray,
    ridge: float,
    n_pca: int,
    groups: np.ndarray | None = None,
) -> np.ndarray:
    """Out-of-fold probabilities (the common intercept, see :func:`fit_logreg`)."""
    f = folds(len(y))
    out = np.zeros(len(y))
    for k in range(FOLDS):
        tr, te = f != k, f == k
        d = Design(x[tr], None if s is None else s[tr], None if t is None else t[tr], n_pca)
        sub = (None if s is None else s[tr], None if t is None else t[tr])
        w = fit_logreg(d(x[tr], *sub), y[tr], ridge, None if groups is None else groups[tr])
        z = d(x[te], None if s is None else s[te], None if t is None else t[te])
        out[te] = sigmoid(np.hstack([np.ones((len(z), 1)), z]) @ w)
    return out


def gather(encoder, pairs) -> dict[str, np.ndarray]:
    xs, ss, ts, ys, gs = [], [], [], [], []
    for k, pair in enumerate(pairs):
        d = critical_features(pair, "train", encoder)
        xs.append(d["x"])
        ss.append(d["src"])
        ts.append(d["tgt"])
        ys.append(d["gold"].astype(float))
        gs.append(np.full(len(d["gold"]), k))
    return {
        "x": np.vstack(xs),
        "s": np.vstack(ss),
        "t": np.vstack(ts),
        "y": np.concatenate(ys),
        "g": np.concatenate(gs),
    }


def train_profile(name: str, data: dict[str, np.ndarray], names: list[str], use_emb: bool):
    """CV over ridge strengths, threshold from OOF predictions, final fit on all rows."""
    cols = [FEATURES.index(f) for f in names]
    x, y, g = data["x"][:, cols], data["y"], data["g"]
    s, t = (data["s"], data["t"]) if use_emb else (None, None)
    n_pca = N_PCA if use_emb else 0
    best = None
    for ridge in RIDGES:
        p = cv_predict(x, s, t, y, ridge, n_pca, g)
        thr, m = best_threshold(p, y, g)
        print(f"  {name} ridge={ridge}: CV mean MCC {m:.3f} at p>={thr:.2f}", flush=True)
        if best is None or m > best[2]:
            best = (ridge, thr, m, p)
    assert best is not None
    ridge, thr, m, p = best
    d = Design(x, s, t, n_pca)
    w = fit_logreg(d(x, s, t), y, ridge, g)
    cos_i, marg_i = FEATURES.index("cos"), FEATURES.index("margin")
    rc = float(np.mean(data["x"][:, cos_i] - data["x"][:, marg_i]))
    prof = d.fold(w, names, name, thr, rc)
    per_pair = {int(k): round(mcc(p[g == k] >= thr, y[g == k]), 4) for k in np.unique(g)}
    return prof, {"ridge": ridge, "cv_mean_mcc": round(m, 4), "cv_mcc_per_pair": per_pair}


def clean_probabilities(prof: CriticalProfile, pairs: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The profile's probabilities on the good translations (DA >= GOOD_DA) of the even rows of
    each MLQE-PE pair, computed by the check's own code, each file audited as one pairs document
    (as the benchmarks do)."""
    from benchmarks.bench_quality import da_context, da_split, load_da
    from mtaudit.checks.mistranslation_model import predict_links

    model = CriticalModel(profiles={prof.name: prof, "default": prof})
    out = {}
    for pair in pairs:
        rows = load_da(pair)
        ctx = da_context(pair, rows)
        probs, _, _ = predict_links(ctx, model)
        even = da_split(len(rows))[0]
        good = np.array([float(rows[k]["mean"]) >= GOOD_DA for k in even])
        out[pair] = probs[even][good]
    return out


def capped_threshold(
    prof: CriticalProfile, pairs: tuple[str, ...]
) -> tuple[float, dict[str, object]]:
    """The MCC threshold, raised if needed so that at most CAP_RATE of every pair's good
    translations would be flagged; and what the cap saw."""
    probs = clean_probabilities(prof, pairs)
    need = max(float(np.quantile(p, 1.0 - CAP_RATE)) for p in probs.values() if len(p))
    thr = max(prof.threshold, round(need + 1e-4, 4))
    info: dict[str, object] = {
        "pairs": list(pairs),
        "good_da": GOOD_DA,
        "max_rate": CAP_RATE,
        "mcc_threshold": prof.threshold,
        "threshold": thr,
        "flagged_at_mcc_threshold": {
            k: round(float((p >= prof.threshold).mean()), 4) for k, p in probs.items()
        },
        "flagged_at_threshold": {k: round(float((p >= thr).mean()), 4) for k, p in probs.items()},
        "n_good": {k: len(p) for k, p in probs.items()},
    }
    return thr, info


def leave_one_pair_out(data, pairs, names, use_emb, ridge) -> dict[str, float]:
    cols = [FEATURES.index(f) for f in names]
    out = {}
    for k, pair in enumerate(pairs):
        tr, te = data["g"] != k, data["g"] == k
        x = data["x"][:, cols]
        s = data["s"] if use_emb else None
        t = data["t"] if use_emb else None
        sl = lambda m, r: None if m is None else m[r]  # noqa: E731
        p_tr = cv_predict(
            x[tr],
            sl(s, tr),
            sl(t, tr),
            data["y"][tr],
            ridge,
            N_PCA if use_emb else 0,
            data["g"][tr],
        )
        thr, _ = best_threshold(p_tr, data["y"][tr], data["g"][tr])
        d = Design(x[tr], sl(s, tr), sl(t, tr), N_PCA if use_emb else 0)
        w = fit_logreg(d(x[tr], sl(s, tr), sl(t, tr)), data["y"][tr], ridge, data["g"][tr])
        z = d(x[te], sl(s, te), sl(t, te))
        p = sigmoid(np.hstack([np.ones((len(z), 1)), z]) @ w)
        out[pair] = round(mcc(p >= thr, data["y"][te]), 4)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ablate", action="store_true", help="CV MCC without each feature family")
    ap.add_argument("--no-emb", action="store_true", help="no embedding projection")
    ap.add_argument("--dry-run", action="store_true", help="do not write the model file")
    ap.add_argument("--profiles", default=",".join(PROFILES), help="profiles to fit (comma list)")
    args = ap.parse_args(argv)
    encoders = {
        "use-multilingual-v3": USEEncoder(threads=1),
        "multilingual-e5-small-q4": E5Encoder(),
    }
    profiles: dict[str, CriticalProfile] = {}
    meta: dict[str, object] = {}
    for name, pairs in PROFILES.items():
        if name not in args.profiles.split(","):
            continue
        enc = encoders[ROW_ENCODER.get(name, name)]
        data = gather(enc, pairs)
        text_only = name == "default"
        names = [f for f in FEATURES if not (text_only and f in ENCODER_FEATURES)]
        use_emb = not text_only and not args.no_emb
        print(f"{name}: {len(data['y'])} rows, {int(data['y'].sum())} ERR", flush=True)
        prof, info = train_profile(name, data, names, use_emb)
        thr, cap = capped_threshold(prof, CAP_PAIRS[name])
        prof = replace(prof, threshold=thr)
        info["false_alarm_cap"] = cap
        print(f"  {name}: false-alarm cap {cap}", flush=True)
        info["cv_mcc_per_pair"] = {pairs[k]: v for k, v in info["cv_mcc_per_pair"].items()}
        info["pairs"] = list(pairs)
        info["embedding_pca"] = N_PCA if use_emb else 0
        if len(pairs) > 1:
            info["leave_one_pair_out_mcc"] = leave_one_pair_out(
                data, pairs, names, use_emb, float(info["ridge"])
            )
        print(f"  {name}: {info}", flush=True)
        if args.ablate:
            abl = {}
            groups = sorted(set(FAMILY.values()) | {"similarity", "length", "source", "emb"})
            for fam in groups:
                drop = {
                    "similarity": {"cos", "margin"},
                    "length": {"len_dev", "len_signed", "log_len"},
                    "source": {"src_caps", "src_markup", "src_excl"},
                    "emb": set(),
                }.get(fam, {f for f, v in FAMILY.items() if v == fam})
                sub = [f for f in names if f not in drop]
                ue = use_emb and fam != "emb"
                if sub == names and ue == use_emb:
                    continue
                cols = [FEATURES.index(f) for f in sub]
                p = cv_predict(
                    data["x"][:, cols],
                    data["s"] if ue else None,
                    data["t"] if ue else None,
                    data["y"],
                    float(info["ridge"]),
                    N_PCA if ue else 0,
                    data["g"],
                )
                abl[fam] = round(best_threshold(p, data["y"], data["g"])[1], 4)
                print(f"    without {fam}: CV mean MCC {abl[fam]:.3f}", flush=True)
            info["ablation_cv_mean_mcc_without"] = abl
        profiles[name] = prof
        meta[name] = info
    model = CriticalModel(
        profiles=profiles,
        meta={
            "trained_by": "scripts/train_critical.py",
            "date": dt.date.today().isoformat(),
            "data": "WMT21 QE task 3 critical errors, train splits only (dev never read)",
            "threshold": "max mean-over-pairs MCC of 5-fold out-of-fold probabilities (train), "
            f"raised until at most {CAP_RATE:.0%} of good translations (MLQE-PE DA dev even rows, "
            f"DA >= {GOOD_DA:g}) of the pairs the profile serves are flagged",
            "profiles": meta,
        },
    )
    if not args.dry_run:
        OUT.write_text(model.to_json(), encoding="utf-8")
        print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
