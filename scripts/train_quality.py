"""Fit the link quality model and write ``mtaudit/data/quality_model.json``.

    MTAUDIT_QUALITY_CACHE=/some/cache python scripts/train_quality.py   # fit, print, write JSON

Data: MLQE-PE direct assessments (``$MTAUDIT_BENCHDATA/da/mlqe_pe``), all seven pairs (en-de,
en-zh, et-en, ne-en, ro-en, ru-en, si-en), pooled. **Train**: a fixed random sample of
:data:`~benchmarks.bench_quality.TRAIN_PER_PAIR` rows of each pair's 7,000-row train file (the
features cost encoder and LM time). **Choice**: every fourth of those rows (``k % 4 == 3``) is
held back to choose the model (candidates below, by the mean per-pair Pearson with ``z_mean``);
the chosen candidate is then refitted on all the sampled train rows. **Dev** (1,000 rows per
pair) is never used for fitting or choosing: the script and ``benchmarks/bench_quality.py``
report it as the held-out figure. (The MLQE-PE test sets are not in the benchmark data.)

Each pair is embedded with the encoder an audit uses for it (USE where it covers both languages,
else E5) and its targets scored by the bundled fluency scorer; both are cached by
``benchmarks/bench_quality.py``. Steps:

* **Calibration** per encoder from the train rows: ``random_cos`` is the mean cosine of
  mismatched pairs (each source with the previous row's translation), ``match_cos`` the mean
  cosine of the real pairs.
* **Fill values** for the LM signals (``lm_mean``, ``slor``, …) and ``oov``: their train means
  where present; a link without them reads the fill value and ``flu_missing`` says so.
* **Target**: DA ``z_mean`` with features and target centred within each pair (the model ranks
  translations within a pair), put on the DA point scale by the within-pair slope of the DA
  ``mean`` on ``z_mean``, DA mean as intercept.
* **Candidates**: ridge regression on the original eight features and on all :data:`FEATURES`,
  for several penalties; a one-hidden-layer tanh network (linear skip part initialised from the
  ridge fit, full-batch Adam, L2 penalty) for a few widths and penalties.

Finding penalties stay hand-set (:data:`FINDING_PENALTY`): the DA data carries no findings.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_quality import (  # noqa: E402
    MLQE_PAIRS,
    TRAIN_PER_PAIR,
    mlqe_context,
    pearson,
)
from mtaudit.checks.base import CheckContext  # noqa: E402
from mtaudit.score.quality import (  # noqa: E402
    FEATURES,
    LM_SIGNALS,
    SRC_SIGNALS,
    Calibration,
    QualityModel,
    QualityProfile,
    link_features,
)

OUT = ROOT / "mtaudit" / "data" / "quality_model.json"
#: The features of the model shipped before issue 20 (a ridge candidate of its own).
BASE_FEATURES = FEATURES[:8]
RIDGES = (1.0, 10.0, 100.0, 1000.0)
#: ``(hidden units, L2 penalty)`` of the network candidates.
NETS = ((8, 1e-3), (16, 1e-3), (16, 1e-2), (32, 1e-2))
NET_STEPS = 1500
NET_SEED = 20261207
FINDING_PENALTY = {
    "default": {"major": 10.0, "critical": 30.0},
    "garbled": {"major": 15.0, "critical": 35.0},
    "untranslated": {"major": 25.0, "critical": 50.0},
}


def calibrate(ctxs: list[CheckContext]) -> Calibration:
    rnd, real = [], []
    for ctx in ctxs:
        se, te = ctx.src_emb, ctx.tgt_emb
        assert se is not None and te is not None
        rnd.extend(np.einsum("ij,ij->i", se, np.roll(te, 1, axis=0)).tolist())
        real.extend(np.einsum("ij,ij->i", se, te).tolist())
    return Calibration(round(float(np.mean(rnd)), 5), round(float(np.mean(real)), 5))


def matrix(rows: list[dict[str, float]], names: tuple[str, ...]) -> np.ndarray:
    return np.array([[r[f] for f in names] for r in rows], dtype=np.float64)


def centre(x: np.ndarray, groups: np.ndarray) -> np.ndarray:
    out = x.copy()
    for g in np.unique(groups):
        m = groups == g
        out[m] -= out[m].mean(axis=0)
    return out


def ridge(z: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    return np.linalg.solve(z.T @ z + lam * np.eye(z.shape[1]), z.T @ y)


def fit_net(
    z: np.ndarray, y: np.ndarray, w0: np.ndarray, hidden: int, l2: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """``y ≈ b + z @ w + tanh(z @ w1 + b1) @ w2`` by full-batch Adam; returns w, w1, b1, w2, b."""
    rng = np.random.default_rng(NET_SEED)
    n, d = z.shape
    params = [
        w0.copy(),
        rng.normal(0.0, 0.3 / np.sqrt(d), (d, hidden)),
        np.zeros(hidden),
        np.zeros(hidden),
        np.zeros(1),
    ]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    lr, b1_, b2_ = 0.01, 0.9, 0.999
    for t in range(1, NET_STEPS + 1):
        w, w1, b1, w2, b = params
        h = np.tanh(z @ w1 + b1)
        err = b + z @ w + h @ w2 - y
        g_out = 2.0 * err / n
        gh = np.outer(g_out, w2) * (1.0 - h**2)
        grads = [
            z.T @ g_out,
            z.T @ gh + 2 * l2 * w1,
            gh.sum(axis=0),
            h.T @ g_out + 2 * l2 * w2,
            np.array([g_out.sum()]),
        ]
        for i, gr in enumerate(grads):
            m[i] = b1_ * m[i] + (1 - b1_) * gr
            v[i] = b2_ * v[i] + (1 - b2_) * gr**2
            params[i] = params[i] - lr * (m[i] / (1 - b1_**t)) / (
                np.sqrt(v[i] / (1 - b2_**t)) + 1e-8
            )
    w, w1, b1, w2, b = params
    return w, w1, b1, w2, float(b[0])


class Fitted:
    """A candidate fitted on standardised features (mean ``mu``, std ``sd``)."""

    def __init__(self, names: tuple[str, ...], mu: np.ndarray, sd: np.ndarray) -> None:
        self.names, self.mu, self.sd = names, mu, sd
        self.w = np.zeros(len(names))
        self.net: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def predict(self, x: np.ndarray) -> np.ndarray:
        z = (x - self.mu) / self.sd
        out = z @ self.w
        if self.net is not None:
            w1, b1, w2 = self.net
            out = out + np.tanh(z @ w1 + b1) @ w2
        return out


def fit(
    rows: list[dict[str, float]], y: np.ndarray, g: np.ndarray, spec: tuple[Any, ...]
) -> Fitted:
    """Fit one candidate: ``("ridge", names, lam)`` or ``("net", names, lam, hidden, l2)``."""
    names = spec[1]
    x = matrix(rows, names)
    mu, sd = x.mean(axis=0), x.std(axis=0)
    sd = np.where(sd > 1e-9, sd, 1.0)
    z = centre((x - mu) / sd, g)
    yc = centre(y[:, None], g)[:, 0]
    model = Fitted(names, mu, sd)
    model.w = ridge(z, yc, spec[2])
    if spec[0] == "net":
        w, w1, b1, w2, b = fit_net(z, yc, model.w, spec[3], spec[4])
        # fold the network's output bias into the hidden biases is not possible; it is a
        # constant shift, irrelevant within a pair, and dropped
        del b
        model.w, model.net = w, (w1, b1, w2)
    return model


def per_pair_r(pred: np.ndarray, y: np.ndarray, g: np.ndarray) -> dict[str, float]:
    return {MLQE_PAIRS[k]: pearson(pred[g == k], y[g == k]) for k in np.unique(g)}


def main() -> int:
    data: dict[str, dict[str, Any]] = {}
    for split in ("train", "dev"):
        for p in MLQE_PAIRS:
            rows, ctx = mlqe_context(p, split)
            data[f"{p}/{split}"] = {"rows": rows, "ctx": ctx}
            print(f"loaded {p} {split}: {len(rows)} rows", flush=True)
    enc = {p: data[f"{p}/train"]["ctx"].encoder.name for p in MLQE_PAIRS}
    calib = {
        e: calibrate([data[f"{p}/train"]["ctx"] for p in MLQE_PAIRS if enc[p] == e])
        for e in sorted(set(enc.values()))
    }
    calib["default"] = calib.get("multilingual-e5-small-q4") or next(iter(calib.values()))
    prov = QualityProfile("provisional", {}, {}, {}, 0.0)
    feats = {
        k: link_features(d["ctx"], [], prov, calib[d["ctx"].encoder.name]) for k, d in data.items()
    }
    # fill values: train means where the signal is present
    fill: dict[str, float] = {}
    lm_rows = [r for p in MLQE_PAIRS for r in feats[f"{p}/train"] if r["flu_missing"] == 0.0]
    for name in LM_SIGNALS:
        fill[name] = round(float(np.mean([r[name] for r in lm_rows])), 5) if lm_rows else 0.0
    src_rows = [r for p in MLQE_PAIRS for r in feats[f"{p}/train"] if r["src_lm_missing"] == 0.0]
    for name in SRC_SIGNALS:
        key = f"src_{name}"
        fill[key] = round(float(np.mean([r[key] for r in src_rows])), 5) if src_rows else 0.0
    flu_fill = round(float(np.mean([r["flu"] for r in lm_rows])), 5) if lm_rows else 0.9
    oov_vals = [
        float(sg["oov"])
        for p in MLQE_PAIRS
        for res in data[f"{p}/train"]["ctx"].signals.get("fluency", {}).get("target", [])
        if res is not None and "oov" in (sg := res.signals)
    ]
    fill["oov"] = round(float(np.mean(oov_vals)), 5) if oov_vals else 0.0
    prov = QualityProfile("provisional", {}, {}, {}, 0.0, flu_fill=flu_fill, fill=fill)
    feats = {
        k: link_features(d["ctx"], [], prov, calib[d["ctx"].encoder.name]) for k, d in data.items()
    }

    def stack(split: str, sel: Any = None) -> tuple[list[dict[str, float]], np.ndarray, np.ndarray]:
        rows: list[dict[str, float]] = []
        ys, gs = [], []
        for k, p in enumerate(MLQE_PAIRS):
            fr = feats[f"{p}/{split}"]
            da = data[f"{p}/{split}"]["rows"]
            idx = [i for i in range(len(fr)) if sel is None or sel(i)]
            rows += [fr[i] for i in idx]
            ys += [float(da[i]["z_mean"]) for i in idx]
            gs += [k] * len(idx)
        return rows, np.array(ys), np.array(gs)

    fit_rows, fit_y, fit_g = stack("train", lambda i: i % 4 != 3)
    ch_rows, ch_y, ch_g = stack("train", lambda i: i % 4 == 3)
    base: list[tuple[Any, ...]] = [("ridge", BASE_FEATURES, lam) for lam in RIDGES]
    base += [("ridge", FEATURES, lam) for lam in RIDGES]
    base += [("net", FEATURES, 10.0, h, l2) for h, l2 in NETS]
    # scope "shared": one profile for all pairs; "encoder": one profile per encoder (the pairs
    # it embeds), the shared fit serving as the default for other encoders
    specs = [(scope, sp) for scope in ("shared", "encoder") for sp in base]
    enc_of_group = np.array([enc[p] for p in MLQE_PAIRS])

    def fit_scoped(
        rows: list[dict[str, float]], y: np.ndarray, g: np.ndarray, scope: str, sp: Any
    ) -> dict[str, Fitted]:
        out = {"default": fit(rows, y, g, sp)}
        if scope == "encoder":
            for e in sorted(set(enc.values())):
                m = enc_of_group[g] == e
                out[e] = fit([r for r, k in zip(rows, m, strict=True) if k], y[m], g[m], sp)
        return out

    def predict_scoped(
        models: dict[str, Fitted], rows: list[dict[str, float]], g: np.ndarray
    ) -> np.ndarray:
        out = np.zeros(len(rows))
        for k in np.unique(g):
            m = g == k
            fm = models.get(enc[MLQE_PAIRS[k]], models["default"])
            out[m] = fm.predict(matrix([r for r, t in zip(rows, m, strict=True) if t], fm.names))
        return out

    choice: dict[str, float] = {}
    for scope, sp in specs:
        ms = fit_scoped(fit_rows, fit_y, fit_g, scope, sp)
        r = per_pair_r(predict_scoped(ms, ch_rows, ch_g), ch_y, ch_g)
        key = f"{scope}:{sp[0]}:{len(sp[1])}f:" + ":".join(str(x) for x in sp[2:])
        choice[key] = round(float(np.mean(list(r.values()))), 4)
        print(
            f"choice {key}: mean r {choice[key]:.4f}  " + " ".join(f"{v:.3f}" for v in r.values()),
            flush=True,
        )
    best_key = max(choice, key=lambda k: choice[k])
    scope, spec = specs[list(choice).index(best_key)]
    print("chosen:", best_key, flush=True)

    all_rows, all_y, all_g = stack("train")
    finals = fit_scoped(all_rows, all_y, all_g, scope, spec)
    # points per z unit: slope of DA mean on z_mean within pairs (train rows)
    mean_y = np.array([float(r["mean"]) for p in MLQE_PAIRS for r in data[f"{p}/train"]["rows"]])
    zc, yc = centre(all_y[:, None], all_g)[:, 0], centre(mean_y[:, None], all_g)[:, 0]
    points = float((zc @ yc) / (zc @ zc))
    names = spec[1]

    def profile_of(name: str, final: Fitted) -> QualityProfile:
        return QualityProfile(
            name=name,
            coef={f: round(float(c) * points, 5) for f, c in zip(names, final.w, strict=True)},
            mean={f: round(float(v), 6) for f, v in zip(names, final.mu, strict=True)},
            std={f: round(float(v), 6) for f, v in zip(names, final.sd, strict=True)},
            intercept=round(float(mean_y.mean()), 4),
            flu_fill=flu_fill,
            fill=fill,
            hidden=None
            if final.net is None
            else {
                "w1": np.round(final.net[0], 6).tolist(),
                "b1": np.round(final.net[1], 6).tolist(),
                "w2": np.round(final.net[2] * points, 6).tolist(),
            },
        )

    profiles = {k: profile_of(k, f) for k, f in finals.items()}
    dev: dict[str, dict[str, float]] = {}
    for p in MLQE_PAIRS:
        fr = feats[f"{p}/dev"]
        da = data[f"{p}/dev"]["rows"]
        z = np.array([float(r["z_mean"]) for r in da])
        q = profiles.get(enc[p], profiles["default"]).predict(fr)
        cos = np.array([lk.similarity for lk in data[f"{p}/dev"]["ctx"].links])
        dev[p] = {"r": round(pearson(q, z), 4), "cosine_r": round(pearson(cos, z), 4)}
    print("dev (held out):", dev)
    print("dev mean r:", round(float(np.mean([d["r"] for d in dev.values()])), 4))
    model = QualityModel(
        profiles=profiles,
        calibration=calib,
        finding_penalty=FINDING_PENALTY,
        meta={
            "trained_by": "scripts/train_quality.py",
            "date": dt.date.today().isoformat(),
            "data": (
                f"MLQE-PE DA train, {TRAIN_PER_PAIR} sampled rows of each of "
                + ", ".join(MLQE_PAIRS)
                + "; candidates chosen on every 4th of them; target DA z_mean (within-pair "
                "centred), put on the DA mean's point scale"
            ),
            "points_per_z": round(points, 4),
            "encoders": enc,
            "chosen": best_key,
            "choice_mean_r": choice,
            "dev_heldout": dev,
            "finding_penalty_note": "hand-set, not fitted (DA data has no findings)",
        },
    )
    OUT.write_text(model.to_json(), encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
