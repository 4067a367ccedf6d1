"""Generic calibration: the quality score for an encoder the project has no calibration for.

An ``st:PATH`` encoder (docs/alignment.md, "Your own encoder") gets its cosines mapped per
document pair: ``random_cos`` = the median cosine of the pair's sentence pairs, ``match_cos`` =
``GENERIC_MATCH_SPREADS`` robust standard deviations above it.

1. **Choosing the constant** (WMT22 news, ``news_docs/wmt22``, human references): per document,
   how many background spreads the median true-pair cosine sits above the background median,
   for the two calibrated encoders (USE on en–ru and de–fr, E5 on en–uk and en–hr; 20 documents
   each: every other one of the first 40 with at least 8 segments).
2. **What it costs** (MLQE-PE DA dev, 1,000 rows a pair, never used for 1): Pearson r of the
   quality score with ``z_mean`` when the bundled encoders' vectors are scored with their own
   calibration vs the generic one (no fluency signals, same feature code), beside the fixed
   default calibration an unknown encoder got before and the raw cosine.

Embeddings are cached as in ``bench_quality.py`` (``$MTAUDIT_QUALITY_CACHE``).
"""

from __future__ import annotations

import json

import numpy as np

from .common import benchdata

TITLE = "Generic calibration for your own encoder (issue 19, st:PATH)"

NEWS = (("en-ru", "use"), ("de-fr", "use"), ("en-uk", "e5"), ("en-hr", "e5"))
DA = ("en-de", "ru-en", "et-en", "ro-en")


def _spread(v: np.ndarray) -> float:
    med = float(np.median(v))
    mad = float(np.median(np.abs(v - med))) * 1.4826
    return max(mad, float(v.std()) * 0.5, 1e-3)


def news_spreads(quick: bool) -> list[str]:
    from mtaudit.encoders import E5Encoder, USEEncoder

    from .bench_quality import embed_cached

    names = {"use": USEEncoder.name, "e5": E5Encoder.name}
    lines = [
        "| pair | encoder | documents | background median | spread | true-pair median "
        "| spreads above (median, IQR) |",
        "|---|---|---|---|---|---|---|",
    ]
    for pair, enc in NEWS:
        path = benchdata() / "news_docs" / "wmt22" / f"{pair}.jsonl"
        docs = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
        docs = [d for d in docs if len(d["src"]) >= 8][: 12 if quick else 40 : 2]
        sl, tl = pair.split("-")
        rows = []
        for d in docs:
            s = embed_cached(names[enc], d["src"], sl)
            t = embed_cached(names[enc], d["ref"], tl)
            sim = t @ s.T
            off = sim[~np.eye(len(sim), dtype=bool)]
            med, sp = float(np.median(off)), _spread(off)
            diag = float(np.median(np.diag(sim)))
            rows.append((med, sp, diag, (diag - med) / sp))
        a = np.array(rows)
        q1, q2, q3 = np.quantile(a[:, 3], [0.25, 0.5, 0.75])
        lines.append(
            f"| {pair} | {enc} | {len(rows)} | {np.median(a[:, 0]):.3f} | "
            f"{np.median(a[:, 1]):.3f} | {np.median(a[:, 2]):.3f} | {q2:.2f} ({q1:.2f}–{q3:.2f}) |"
        )
    return lines


def da_costs(quick: bool) -> list[str]:
    from mtaudit.encoders import default_encoder
    from mtaudit.score.quality import generic_calibration, link_features, load_quality_model

    from . import bench_quality as bq

    model = load_quality_model()
    lines = [
        "| pair | encoder | its calibration (random / match) | generic, from the data "
        "| own profile + own calibration (as shipped) | own profile + generic "
        "| default profile + generic (what `st:` gets) "
        "| default profile + fixed default (an unknown encoder before) | raw cosine |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for pair in DA[:2] if quick else DA:
        rows = bq.load_mlqe(pair, "dev")
        sl, tl = pair.split("-")
        src = [r["original"] for r in rows]
        tgt = [r["translation"] for r in rows]
        name = default_encoder(sl, tl).name
        se, te = bq.embed_cached(name, src, sl), bq.embed_cached(name, tgt, tl)
        ctx = bq.pairs_context(src, tgt, sl, tl, se, te, name, None)
        z = np.array([float(r["z_mean"]) for r in rows])
        own, gen = model.calibration_for(name), generic_calibration(ctx)
        assert gen is not None
        unknown = "st:unknown"
        rs = []
        for prof, cal in (
            (model.profile(name), own),
            (model.profile(name), gen),
            (model.profile(unknown), gen),
            (model.profile(unknown), model.calibration_for(unknown)),
        ):
            pred = prof.predict(link_features(ctx, [], prof, cal))
            rs.append(float(np.corrcoef(pred, z)[0, 1]))
        cos = np.array([lk.similarity for lk in ctx.links])
        rs.append(float(np.corrcoef(cos, z)[0, 1]))
        short = "USE" if name.startswith("use") else "E5"
        lines.append(
            f"| {pair} | {short} | {own.random_cos:.3f} / {own.match_cos:.3f} | "
            f"{gen.random_cos:.3f} / {gen.match_cos:.3f} | "
            + " | ".join(f"{r:.3f}" for r in rs)
            + " |"
        )
    return lines


def run(quick: bool = False) -> str:
    from mtaudit.score.quality import GENERIC_MATCH_SPREADS

    return "\n".join(
        [
            "Choosing `GENERIC_MATCH_SPREADS` (WMT22 news, human references; "
            "true pairs vs the document's background):",
            "",
            *news_spreads(quick),
            "",
            f"`GENERIC_MATCH_SPREADS` = {GENERIC_MATCH_SPREADS}: between the two encoders.",
            "",
            "What it costs: MLQE-PE DA dev (1,000 rows a pair), Pearson r with `z_mean`, "
            "no fluency signals:",
            "",
            *da_costs(quick),
        ]
    )


if __name__ == "__main__":
    print(run())
