"""Fit the link quality model and write ``mtaudit/data/quality_model.json``.

    python scripts/train_quality.py            # fit, print held-out figures, write the JSON

Data: MLQE-PE DA dev files (``$MTAUDIT_BENCHDATA/da/mlqe_pe``). One linear profile per encoder:
USE (``use-multilingual-v3``) on en-de + en-zh, E5 (``multilingual-e5-small-q4``) on et-en + ro-en,
each fitted on the **even-indexed rows** of its pairs only (odd rows are what
``benchmarks/bench_quality.py`` reports). The target is the DA ``mean`` (0–100), so the prediction
is on the DA scale. A ridge penalty on standardised features keeps the weights small and stable.
The ``default`` profile (unknown encoders) is a copy of the USE one.

Embeddings (and fluency scores, when cached as ``flu_<pair>.json``) come from the benchmark's cache
(``$MTAUDIT_QUALITY_CACHE``), so a re-run does not re-encode anything.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_quality import (  # noqa: E402
    DA_PAIRS,
    da_context,
    da_split,
    load_da,
    pearson,
    spearman,
)
from mtaudit.score.quality import (  # noqa: E402
    FEATURES,
    QualityModel,
    QualityProfile,
    link_features,
)

OUT = ROOT / "mtaudit" / "data" / "quality_model.json"
#: Ridge penalty (on standardised features, summed squared error).
RIDGE = 10.0
#: Fixed, hand-set penalties per finding (score points); not fitted (DA has no findings).
FINDING_PENALTY = {
    "default": {"major": 10.0, "critical": 30.0},
    "garbled": {"major": 15.0, "critical": 35.0},
    "untranslated": {"major": 25.0, "critical": 50.0},
}
PROFILE_PAIRS = {
    "use-multilingual-v3": ("en-de", "en-zh"),
    "multilingual-e5-small-q4": ("et-en", "ro-en"),
}


def fit_profile(
    name: str,
    x: np.ndarray,
    y: np.ndarray,
    random_cos: float,
    flu_fill: float,
    groups: np.ndarray | None = None,
) -> QualityProfile:
    """Ridge regression of ``y`` on standardised ``x`` (columns in :data:`FEATURES` order).

    With ``groups`` (the language pair of each row), features and targets are centred within each
    group before fitting, so the weights learn what ranks translations *within* a pair, not the
    differences between pairs (DA means and sentence lengths differ from pair to pair).
    """
    mu = x.mean(axis=0)
    sd = x.std(axis=0)
    live = sd > 1e-9
    sd_safe = np.where(live, sd, 1.0)
    z = (x - mu) / sd_safe
    z[:, ~live] = 0.0
    yc = y - y.mean()
    if groups is not None:
        for g in np.unique(groups):
            m = groups == g
            z[m] -= z[m].mean(axis=0)
            yc[m] = y[m] - y[m].mean()
    a = z.T @ z + RIDGE * np.eye(z.shape[1])
    w = np.linalg.solve(a, z.T @ yc)
    w[~live] = 0.0
    return QualityProfile(
        name=name,
        coef={f: round(float(c), 5) for f, c in zip(FEATURES, w, strict=True)},
        mean={f: round(float(m), 5) for f, m in zip(FEATURES, mu, strict=True)},
        std={f: round(float(s), 5) for f, s in zip(FEATURES, sd_safe, strict=True)},
        intercept=round(float(y.mean()), 5),
        random_cos=round(random_cos, 5),
        flu_fill=round(flu_fill, 5),
    )


def pair_data(pair: str) -> dict[str, object]:
    """Contexts, rows and the split of one pair."""
    rows = load_da(pair)
    ctx = da_context(pair, rows)
    train, test = da_split(len(rows))
    return {"rows": rows, "ctx": ctx, "train": train, "test": test}


def features_for(data: dict[str, object], profile: QualityProfile) -> np.ndarray:
    ctx = data["ctx"]
    feats = link_features(ctx, [], profile)  # type: ignore[arg-type]
    return np.array([[r[f] for f in FEATURES] for r in feats])


def priors(datas: list[dict[str, object]]) -> tuple[float, float]:
    """Mean cosine of mismatched pairs (train rows) and mean available fluency (train rows)."""
    rc, fl = [], []
    for d in datas:
        ctx, train = d["ctx"], d["train"]
        se, te = ctx.src_emb, ctx.tgt_emb  # type: ignore[attr-defined]
        rc.extend(np.einsum("ij,ij->i", se[train], te[np.roll(train, 1)]).tolist())
        flu = ctx.signals.get("fluency", {}).get("target") or []  # type: ignore[attr-defined]
        fl.extend(flu[k].score / 100.0 for k in train if k < len(flu) and flu[k] is not None)
    return float(np.mean(rc)), (float(np.mean(fl)) if fl else 0.9)


def main() -> int:
    datas = {pair: pair_data(pair) for pair in DA_PAIRS}
    profiles: dict[str, QualityProfile] = {}
    lopo: dict[str, dict[str, object]] = {}
    report: dict[str, dict[str, float]] = {}
    for enc, pairs in PROFILE_PAIRS.items():
        ds = [datas[p] for p in pairs]
        random_cos, flu_fill = priors(ds)
        prov = QualityProfile(enc, {}, {}, {}, 0.0, random_cos=random_cos, flu_fill=flu_fill)
        xs = {p: features_for(datas[p], prov) for p in pairs}
        ys = {p: np.array([float(r["mean"]) for r in datas[p]["rows"]]) for p in pairs}  # type: ignore[union-attr]
        zs = {p: np.array([float(r["z_mean"]) for r in datas[p]["rows"]]) for p in pairs}  # type: ignore[union-attr]
        tr = {p: datas[p]["train"] for p in pairs}
        te = {p: datas[p]["test"] for p in pairs}
        x = np.vstack([xs[p][tr[p]] for p in pairs])
        y = np.concatenate([ys[p][tr[p]] for p in pairs])
        g = np.concatenate([np.full(len(tr[p]), k) for k, p in enumerate(pairs)])
        prof = fit_profile(enc, x, y, random_cos, flu_fill, groups=g)
        profiles[enc] = prof
        for p in pairs:
            rows = [dict(zip(FEATURES, r, strict=True)) for r in xs[p][te[p]]]
            pred = prof.predict(rows)
            cos = xs[p][te[p], FEATURES.index("cos")]
            report[p] = {
                "r": pearson(pred, zs[p][te[p]]),
                "rho": spearman(pred, zs[p][te[p]]),
                "cos_r": pearson(cos, zs[p][te[p]]),
                "cos_rho": spearman(cos, zs[p][te[p]]),
            }
        # leave one pair out: fit on the other pair's even rows, score this pair's odd rows
        for held in pairs:
            other = next(p for p in pairs if p != held)
            pr = fit_profile(enc, xs[other][tr[other]], ys[other][tr[other]], random_cos, flu_fill)
            pred = pr.predict([dict(zip(FEATURES, r, strict=True)) for r in xs[held][te[held]]])
            lopo[held] = {
                "trained_on": other,
                "r": round(pearson(pred, zs[held][te[held]]), 4),
                "rho": round(spearman(pred, zs[held][te[held]]), 4),
            }
    default = QualityProfile.from_dict("default", profiles["use-multilingual-v3"].to_dict())
    profiles["default"] = default
    model = QualityModel(
        profiles=profiles,
        finding_penalty=FINDING_PENALTY,
        meta={
            "trained_by": "scripts/train_quality.py",
            "date": dt.date.today().isoformat(),
            "data": "MLQE-PE DA dev (even rows of en-de, en-zh, et-en, ro-en); target: DA mean",
            "ridge": RIDGE,
            "profile_pairs": {k: list(v) for k, v in PROFILE_PAIRS.items()},
            "finding_penalty_note": "hand-set, not fitted",
            "heldout_odd_rows": {
                p: {k: round(v, 4) for k, v in d.items()} for p, d in report.items()
            },
            "leave_one_pair_out": lopo,
        },
    )
    OUT.write_text(model.to_json(), encoding="utf-8")
    for p, d in report.items():
        print(
            f"{p}: held-out r={d['r']:.3f} rho={d['rho']:.3f} "
            f"(cosine r={d['cos_r']:.3f} rho={d['cos_rho']:.3f})  lopo={lopo[p]}"
        )
    for enc, prof in profiles.items():
        print(enc, prof.coef, "intercept", prof.intercept)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
