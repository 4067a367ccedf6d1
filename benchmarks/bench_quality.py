"""Quality scores vs human judgements: MLQE-PE direct assessments and MQM (TED, en→de).

* **DA** (``da/mlqe_pe/<pair>``, all seven pairs): the model is fitted by
  ``scripts/train_quality.py`` on a fixed sample of each pair's *train* file (chosen on a held-back
  quarter of it); the figures here are on the whole *dev* files (1,000 per pair, never used for
  fitting or choosing): Pearson and Spearman against ``z_mean`` (the MLQE-PE convention), beside
  two same-run baselines: the raw encoder cosine and "shorter translation is better" (length
  only).
* **MQM** (``mqm/ted_ende``): never used for fitting. Item-grouped as WMT does: for each source
  segment, every pair of systems whose MQM scores differ is concordant when the metric orders them
  the same way, discordant otherwise (a tie in the metric is discordant); we report
  ``(C - D) / (C + D)`` and the share concordant, beside the raw cosine, length-only and — with
  the human translation (``ref-A``) as the reference, ranked among the 13 MT systems only —
  sentence chrF and BLEU.

Embeddings and fluency results are cached under ``$MTAUDIT_QUALITY_CACHE`` (default
``/tmp/mtaudit_quality_cache``) so that they are computed once.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mtaudit.checks.base import CheckContext
from mtaudit.report import Link, Sentence, Side

from .common import benchdata

TITLE = "Quality scores vs human judgements"

DA_PAIRS: dict[str, str] = {
    "en-de": "dev.ende.df.short.tsv",
    "en-zh": "dev.enzh.df.short.tsv",
    "et-en": "dev.eten.df.short.tsv",
    "ro-en": "dev.roen.df.short.tsv",
}

#: All seven MLQE-PE DA pairs (train 7,000 / dev 1,000 rows each), for the learned model.
MLQE_PAIRS: tuple[str, ...] = ("en-de", "en-zh", "et-en", "ne-en", "ro-en", "ru-en", "si-en")
#: Training rows per pair the learned model uses (a fixed random sample of the 7,000: the
#: features cost encoder and LM time).
TRAIN_PER_PAIR = 1500
#: Seed of that sample.
TRAIN_SEED = 20261207

csv.field_size_limit(10**9)


def load_mlqe(pair: str, split: str) -> list[dict[str, str]]:
    """The rows of one MLQE-PE DA file: ``split`` is ``"train"`` or ``"dev"``."""
    code = pair.replace("-", "")
    path = benchdata() / "da" / "mlqe_pe" / pair / f"{split}.{code}.df.short.tsv"
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def train_sample(pair: str, n: int = TRAIN_PER_PAIR) -> list[dict[str, str]]:
    """A fixed random sample of ``n`` rows of the pair's DA train file (in file order)."""
    rows = load_mlqe(pair, "train")
    rng = np.random.default_rng(TRAIN_SEED + MLQE_PAIRS.index(pair))
    keep = np.sort(rng.choice(len(rows), size=min(n, len(rows)), replace=False))
    return [rows[k] for k in keep]


def cache_dir() -> Path:
    """Where embeddings and fluency scores are cached."""
    path = Path(os.environ.get("MTAUDIT_QUALITY_CACHE", "/tmp/mtaudit_quality_cache"))
    path.mkdir(parents=True, exist_ok=True)
    return path


# -- metrics (numpy only) -------------------------------------------------------------------------


def rankdata(x: np.ndarray) -> np.ndarray:
    """Average ranks (ties share the mean rank), like ``scipy.stats.rankdata``."""
    x = np.asarray(x, dtype=np.float64)
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    ranks = np.empty(len(x))
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and xs[j + 1] == xs[i]:
            j += 1
        ranks[order[i : j + 1]] = 0.5 * (i + j) + 1
        i = j + 1
    return ranks


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.std() == 0 or b.std() == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    return pearson(rankdata(a), rankdata(b))


def grouped_accuracy(
    groups: Sequence[Any], human: np.ndarray, metric: np.ndarray
) -> tuple[float, float, int]:
    """WMT-style item-grouped pairwise agreement: ``(tau, accuracy, pairs)``.

    Within each group, every pair with different human scores is concordant if the metric orders
    it the same way and discordant otherwise (metric ties are discordant).
    """
    by: dict[Any, list[int]] = {}
    for k, g in enumerate(groups):
        by.setdefault(g, []).append(k)
    conc = disc = 0
    for idx in by.values():
        h = human[idx]
        m = metric[idx]
        dh = np.sign(h[:, None] - h[None, :])
        dm = np.sign(m[:, None] - m[None, :])
        upper = np.triu(np.ones_like(dh, dtype=bool), 1) & (dh != 0)
        c = int(((dh == dm) & upper).sum())
        conc += c
        disc += int(upper.sum()) - c
    n = conc + disc
    return ((conc - disc) / n if n else 0.0), (conc / n if n else 0.0), n


# -- data -----------------------------------------------------------------------------------------


@dataclass
class _Flu:
    """Stands in for a FluencyResult (``.score`` and ``.signals`` are read)."""

    score: float
    signals: dict[str, float] = field(default_factory=dict)


class _NamedEncoder:
    """Carries an encoder name into a CheckContext (embeddings are precomputed)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.version = ""

    def encode(self, sentences: Sequence[str], lang: str | None = None) -> np.ndarray:
        raise RuntimeError("embeddings are precomputed")


def _side(texts: Sequence[str], lang: str) -> Side:
    sents, pos = [], 0
    for k, t in enumerate(texts):
        sents.append(Sentence(index=k, text=t, start=pos, end=pos + len(t), line=k + 1))
        pos += len(t) + 1
    return Side(lang=lang, sentences=sents, text="\n".join(texts))


def pairs_context(
    src: Sequence[str],
    tgt: Sequence[str],
    src_lang: str,
    tgt_lang: str,
    src_emb: np.ndarray,
    tgt_emb: np.ndarray,
    encoder_name: str,
    fluency: Sequence[Mapping[str, Any] | None] | None = None,
    src_fluency: Sequence[Mapping[str, Any] | None] | None = None,
) -> CheckContext:
    """A pairs-mode context (pair *i* is link *i*), as ``audit_pairs`` builds it.

    ``fluency`` holds one cached fluency result per target (``{"score": …, <signals>…}``, see
    :func:`fluency_cached`) or ``None``."""
    sims = np.einsum("ij,ij->i", src_emb, tgt_emb)
    links = [Link(source=[k], target=[k], similarity=float(sims[k])) for k in range(len(src))]
    ctx = CheckContext(
        source=_side(src, src_lang),
        target=_side(tgt, tgt_lang),
        links=links,
        mode="pairs",
        encoder=_NamedEncoder(encoder_name),  # type: ignore[arg-type]
        src_emb=src_emb,
        tgt_emb=tgt_emb,
    )

    def results(cached: Sequence[Mapping[str, Any] | None] | None, n: int) -> list[_Flu | None]:
        out: list[_Flu | None] = [
            None
            if f is None
            else _Flu(float(f["score"]), {k: float(v) for k, v in f.items() if k != "score"})
            for f in cached or []
        ]
        return out + [None] * (n - len(out))

    if fluency is not None or src_fluency is not None:
        ctx.signals["fluency"] = {
            "source": results(src_fluency, len(src)),
            "target": results(fluency, len(tgt)),
        }
    return ctx


def embed_cached(encoder_name: str, texts: Sequence[str], lang: str) -> np.ndarray:
    """Embeddings of ``texts`` with a named bundled encoder, cached in :func:`cache_dir` by the
    encoder's version and a hash of the texts (so each set is encoded once, whichever benchmark
    asks)."""
    import hashlib

    from mtaudit.encoders import E5Encoder, USEEncoder

    enc = USEEncoder() if encoder_name == USEEncoder.name else E5Encoder()
    h = hashlib.sha1("\x00".join(texts).encode("utf-8")).hexdigest()[:16]
    v = hashlib.sha1(enc.version.encode()).hexdigest()[:8]  # its tokenizer is in the version
    path = cache_dir() / f"emb_{encoder_name}-{v}_{lang}_{len(texts)}_{h}.npy"
    if path.exists():
        return np.load(path)
    uniq = list(dict.fromkeys(texts))
    emb = enc.encode(uniq, lang)
    pos = {t: k for k, t in enumerate(uniq)}
    out = emb[[pos[t] for t in texts]].astype(np.float32)
    np.save(path, out)
    return out


def load_da(pair: str) -> list[dict[str, str]]:
    """The rows of one MLQE-PE DA dev file."""
    path = benchdata() / "da" / "mlqe_pe" / pair / DA_PAIRS[pair]
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def fluency_cached(key: str, texts: Sequence[str], lang: str) -> list[dict[str, Any] | None]:
    """Fluency results of ``texts`` from the bundled scorer (``{"score", <signals>}`` or ``None``
    per text), cached as ``flures_<key>_<scorer id>.json`` (the id hashes the garble model file
    and the LM's version and weights, so a changed scorer is never served stale results). ``[]``
    when no scorer is available (the quality features then mark fluency missing)."""
    try:
        from mtaudit.fluency import FluencyScorer

        scorer = FluencyScorer.default()
    except Exception:  # no LM installed: nothing to compute
        return []
    # the cache is per scorer: garble model file + LM build and weights
    model_file = Path(__file__).resolve().parent.parent / "mtaudit" / "data" / "garble_model.json"
    ident = hashlib.sha1(
        model_file.read_bytes() + str(getattr(scorer.token_scorer, "version", "")).encode()
    ).hexdigest()[:10]
    path = cache_dir() / f"flures_{key}_{ident}.json"
    if path.exists():
        cached = json.loads(path.read_text())
        if len(cached) == len(texts):
            return cached
    uniq = list(dict.fromkeys(texts))
    out: dict[str, dict[str, Any] | None] = {}
    for i in range(0, len(uniq), 100):
        chunk = uniq[i : i + 100]
        for t, r in zip(chunk, scorer.score(chunk, lang), strict=True):
            out[t] = None if r is None else {"score": r.score, **r.signals}
    result = [out[t] for t in texts]
    path.write_text(json.dumps(result))
    return result


def da_context(pair: str, rows: list[dict[str, str]] | None = None) -> CheckContext:
    """The whole DA file of ``pair`` as one pairs-mode context, embedded with the pair's default
    encoder (as an audit would), with fluency results (both cached)."""
    from mtaudit.encoders import default_encoder

    rows = rows or load_da(pair)
    sl, tl = pair.split("-")
    src = [r["original"] for r in rows]
    tgt = [r["translation"] for r in rows]
    name = default_encoder(sl, tl).name
    se, te = embed_cached(name, src, sl), embed_cached(name, tgt, tl)
    flu = fluency_cached(pair, tgt, tl) or None
    return pairs_context(src, tgt, sl, tl, se, te, name, flu)


def mlqe_context(pair: str, split: str) -> tuple[list[dict[str, str]], CheckContext]:
    """Rows and pairs-mode context of an MLQE-PE DA split (``"train"``: the fixed
    :func:`train_sample`; ``"dev"``: the whole dev file), embedded with the pair's default
    encoder and scored by the bundled fluency scorer (both cached, see :func:`cache_dir`)."""
    from mtaudit.encoders import default_encoder

    rows = train_sample(pair) if split == "train" else load_mlqe(pair, split)
    sl, tl = pair.split("-")
    src = [r["original"] for r in rows]
    tgt = [r["translation"] for r in rows]
    name = default_encoder(sl, tl).name
    se, te = embed_cached(name, src, sl), embed_cached(name, tgt, tl)
    flu = fluency_cached(f"{pair}-{split}-tgt", tgt, tl) or None
    # only English sources get LM signals (the bundled LM is English); others are not scored
    src_flu = fluency_cached(f"{pair}-{split}-src", src, sl) or None if sl == "en" else None
    return rows, pairs_context(src, tgt, sl, tl, se, te, name, flu, src_flu)


def da_split(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The fixed split: even rows fit the model, odd rows are reported."""
    idx = np.arange(n)
    return idx[idx % 2 == 0], idx[idx % 2 == 1]


#: The human translation is ``ref`` in ``mqm_ted_ende.tsv`` but ``ref-A`` in the score file.
_SYSTEM_ALIASES = {"ref": "ref-A"}
#: The system name of the human reference translation in the MQM data.
MQM_REFERENCE = "ref-A"


def load_mqm() -> list[dict[str, Any]]:
    """One row per (system, segment): system, doc, seg_id, source, target, mqm (0 best).

    The human translation (``ref-A``) is one of the systems; see :data:`MQM_REFERENCE`.
    """
    base = benchdata() / "mqm" / "ted_ende"
    texts: dict[tuple[str, int], tuple[str, str, str]] = {}
    with open(base / "mqm_ted_ende.tsv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            key = (_SYSTEM_ALIASES.get(r["system"], r["system"]), int(r["seg_id"]))
            texts.setdefault(key, (r["doc"], r["source"], re.sub(r"</?v>", "", r["target"])))
    out = []
    with open(base / "mqm_ted_ende.avg_seg_scores.tsv", encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            system, score, seg = line.split()
            key = (system, int(seg))
            if key not in texts or score == "None":
                continue
            doc, s, t = texts[key]
            out.append(
                {
                    "system": system,
                    "doc": doc,
                    "seg_id": int(seg),
                    "source": s,
                    "target": t,
                    "mqm": float(score),
                }
            )
    return out


def mqm_contexts(rows: list[dict[str, Any]]) -> list[tuple[list[int], CheckContext]]:
    """One pairs-mode context per (system, talk): the neighbourhood a document audit would see."""
    src = [r["source"] for r in rows]
    tgt = [r["target"] for r in rows]
    from mtaudit.encoders import default_encoder

    name = default_encoder("en", "de").name
    se, te = embed_cached(name, src, "en"), embed_cached(name, tgt, "de")
    flu = fluency_cached("mqm", tgt, "de")
    groups: dict[tuple[str, str], list[int]] = {}
    for k, r in enumerate(rows):
        groups.setdefault((r["system"], r["doc"]), []).append(k)
    out = []
    for idx in groups.values():
        ctx = pairs_context(
            [src[k] for k in idx],
            [tgt[k] for k in idx],
            "en",
            "de",
            se[idx],
            te[idx],
            name,
            [flu[k] for k in idx] if flu else None,
        )
        out.append((idx, ctx))
    return out


# -- the benchmark --------------------------------------------------------------------------------


def _fmt(x: float) -> str:
    return f"{x:.3f}"


def reference_scores(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Sentence chrF and BLEU of every MT row against the human translation of its segment.

    Returns ``{"chrf": array, "bleu": array, "mask": rows that have a score, "signatures": …}``;
    the human translation's own rows (and segments without one) get no score.
    """
    from sacrebleu.metrics import BLEU, CHRF

    ref = {r["seg_id"]: r["target"] for r in rows if r["system"] == MQM_REFERENCE}
    chrf, bleu = CHRF(), BLEU(effective_order=True)
    c = np.full(len(rows), np.nan)
    b = np.full(len(rows), np.nan)
    for k, r in enumerate(rows):
        if r["system"] == MQM_REFERENCE or r["seg_id"] not in ref:
            continue
        c[k] = chrf.sentence_score(r["target"], [ref[r["seg_id"]]]).score
        b[k] = bleu.sentence_score(r["target"], [ref[r["seg_id"]]]).score
    return {
        "chrf": c,
        "bleu": b,
        "mask": ~np.isnan(c),
        "signatures": {"chrF": str(chrf.get_signature()), "BLEU": str(bleu.get_signature())},
    }


def _time_scoring(n: int = 1000) -> tuple[float, int]:
    """Seconds :func:`score_links` takes for an ``n``-link document (the DA en-de rows, cached
    embeddings and fluency); returns ``(seconds, links)``."""
    import time

    from mtaudit.score.quality import score_links

    _, ctx = mlqe_context("en-de", "dev")
    ctx.links = ctx.links[:n]
    t0 = time.perf_counter()
    score_links(ctx, [])
    return time.perf_counter() - t0, len(ctx.links)


def run(quick: bool = False) -> str:
    """Markdown tables: DA (held-out half, leave one pair out) and MQM item-grouped, each with
    baselines."""
    from mtaudit.score.quality import load_quality_model, score_links

    model = load_quality_model()
    meta = model.meta
    lines = ["### MLQE-PE DA dev, held out (1000 per pair, all seven pairs)", ""]
    lines += [
        "One profile per encoder (cosines calibrated per encoder; a `default` profile fitted on "
        f"all pairs for other encoders), fitted by `scripts/train_quality.py` on {TRAIN_PER_PAIR} sampled rows of each pair's DA *train* "
        f"file (model chosen on every fourth of them: `{meta.get('chosen')}`); dev is never used "
        "for fitting or choosing. r = Pearson, ρ = Spearman, both against `z_mean`. Baselines "
        "from the same run: the raw cosine of the pair's encoder, and length-only = minus the "
        "translation's length in characters. *No fluency* = the same model when no fluency "
        "scorer ran. The model shipped before issue 20 scored mean r 0.391 on these dev files "
        "(en-de 0.161, en-zh 0.219, et-en 0.467, ne-en 0.391, ro-en 0.714, ru-en 0.344, si-en "
        "0.444; partly in-sample: it was fitted on even dev rows of four pairs); the issue's "
        "figure for it on MLQE-PE test21 (not in the benchmark data) was 0.33.",
        "",
        "| pair | encoder | quality r | quality ρ | cosine r | cosine ρ | length-only r "
        "| LM fluency on | quality r, no fluency |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    rs: list[float] = []
    for pair in MLQE_PAIRS:
        rows, ctx = mlqe_context(pair, "dev")
        score_links(ctx, [], model)
        test = np.arange(len(rows))
        if quick:
            test = test[:200]
        z = np.array([float(rows[k]["z_mean"]) for k in test])
        q = np.array([ctx.links[k].quality for k in test], dtype=float)
        cos = np.array([ctx.links[k].similarity for k in test])
        ln = -np.array([len(rows[k]["translation"]) for k in test], dtype=float)
        flu_n = sum(
            1 for k in test if ctx.links[k].scores["quality_features"]["flu_missing"] == 0.0
        )
        enc = ctx.encoder.name if ctx.encoder else "?"
        ctx.signals.pop("fluency", None)
        score_links(ctx, [], model)
        q0 = np.array([ctx.links[k].quality for k in test], dtype=float)
        rs.append(pearson(q, z))
        lines.append(
            f"| {pair} | {enc} | **{_fmt(pearson(q, z))}** | **{_fmt(spearman(q, z))}** "
            f"| {_fmt(pearson(cos, z))} | {_fmt(spearman(cos, z))} | {_fmt(pearson(ln, z))} "
            f"| {flu_n}/{len(test)} | {_fmt(pearson(q0, z))} |"
        )
    lines.append(f"| **mean** | | **{_fmt(float(np.mean(rs)))}** | | | | | | |")
    prof = model.profile(None)
    lines += [
        "",
        "Linear weights of the `default` profile (score points per standard deviation of the "
        "feature): "
        + ", ".join(f"`{f}` {w:+.2f}" for f, w in prof.coef.items())
        + (f"; plus a hidden layer of {len(prof.hidden['b1'])} tanh units" if prof.hidden else "")
        + ". Calibrations: "
        + "; ".join(
            f"{k} random {c.random_cos:.3f} / match {c.match_cos:.3f}"
            for k, c in model.calibration.items()
        )
        + ".",
        "",
    ]

    rows_m = load_mqm()
    if quick:
        keep = set(sorted({r["seg_id"] for r in rows_m})[:150])
        rows_m = [r for r in rows_m if r["seg_id"] in keep]
    q = np.zeros(len(rows_m))
    cos = np.zeros(len(rows_m))
    flu_on = 0
    for idx, ctx in mqm_contexts(rows_m):
        score_links(ctx, [], model)
        for k, lk in zip(idx, ctx.links, strict=True):
            q[k] = float(lk.quality or 0.0)
            cos[k] = lk.similarity
            flu_on += lk.scores["quality_features"]["flu_missing"] == 0.0
    human = np.array([r["mqm"] for r in rows_m])
    seg = np.array([r["seg_id"] for r in rows_m])
    ln = -np.array([len(r["target"]) for r in rows_m], dtype=float)
    refs = reference_scores(rows_m)
    mt = refs["mask"]
    n_sys = len({r["system"] for r in rows_m})
    lines += [
        "",
        f"### MQM TED en→de, item-grouped ({len(set(seg.tolist()))} source segments)",
        "",
        "Never used for fitting. τ = (concordant − discordant) / pairs over system pairs with "
        "different MQM scores for the same source segment; metric ties are discordant. "
        f"The data holds {n_sys - 1} MT systems and the human translation (`{MQM_REFERENCE}`). "
        f"The LM fluency feature is available on {flu_on} of {len(rows_m)} rows (the LM is "
        "English-only; German targets carry the missing indicator).",
        "",
        f"**{n_sys - 1} MT systems** (the human translation serves as the reference for chrF and "
        "BLEU and is not ranked). This is the fair comparison with a reference-based metric: "
        "into German, since the data has no into-English references.",
        "",
        "| metric | needs a reference | τ (grouped) | accuracy | pairs |",
        "|---|---|---|---|---|",
    ]
    seg_mt = seg[mt]
    for name, m, needs in (
        ("quality", q, "no"),
        ("raw cosine", cos, "no"),
        ("length-only", ln, "no"),
        ("chrF", refs["chrf"], "yes"),
        ("BLEU (sentence)", refs["bleu"], "yes"),
        ("chance (random order, seed 0)", np.random.default_rng(0).random(len(rows_m)), "no"),
    ):
        tau, acc, n = grouped_accuracy(seg_mt.tolist(), human[mt], m[mt])
        lines.append(f"| {name} | {needs} | {_fmt(tau)} | {_fmt(acc)} | {n} |")
    lines += [
        "",
        f"**All {n_sys} systems incl. the human translation** (reference-free metrics only):",
        "",
        "| metric | τ (grouped) | accuracy | pairs |",
        "|---|---|---|---|",
    ]
    for name, m in (("quality", q), ("raw cosine", cos), ("length-only", ln)):
        tau, acc, n = grouped_accuracy(seg.tolist(), human, m)
        lines.append(f"| {name} | {_fmt(tau)} | {_fmt(acc)} | {n} |")
    lines += [
        "",
        f"Signatures: chrF `{refs['signatures']['chrF']}`, BLEU `{refs['signatures']['BLEU']}` "
        "(sacrebleu sentence scores against the one human reference).",
    ]
    secs, n_links = _time_scoring()
    lines += [
        "",
        f"Speed: scoring {n_links} links (features and prediction, embeddings and fluency "
        f"already computed by the pipeline) takes {secs:.2f} s on this machine.",
    ]
    tau_q = grouped_accuracy(seg_mt.tolist(), human[mt], q[mt])[0]
    tau_c = grouped_accuracy(seg_mt.tolist(), human[mt], refs["chrf"][mt])[0]
    lines += [
        "",
        "### Design decisions, measured",
        "",
        "- **Trained on the DA train files of all seven pairs** (1,500 sampled rows each), the "
        "model chosen on a held-back quarter of them; dev is the held-out set (the MLQE-PE test "
        "sets are not in the benchmark data). Candidates and their held-back mean r are in the "
        "model file (`meta.choice_mean_r`) and `docs/quality.md`: the 16 features added in issue "
        "20 (LM signals of target and English source, repetition, names, punctuation, target "
        "length) lift it from 0.376 to 0.401 (shared ridge); one profile per encoder to 0.414; "
        "the 32-unit hidden layer to 0.420.",
        "- **One encoder per pair** (USE where it covers the pair, else E5), as an audit runs: "
        "the model only reads the cosine of the encoder that ran, so the `full` profile's speed "
        "is unchanged.",
        "- **Fitted to `z_mean`** (annotator-standardised DA, the WMT QE target), centred within "
        "each pair, then put on the DA point scale.",
        "- **`full` profile throughput unchanged**: `mtaudit corpus --profile full --engine "
        "local` on 1,000 en-de pairs (the corpus benchmark's data, shards of 100), same machine, "
        "idle (load < 1): 17.2 pairs/s end to end with this model, 17.0 with the model before "
        "(commit 19caf85). Both are below the 27/s of the corpus benchmark's 2,000-pair run of "
        "2026-12-02 on an AMD EPYC host: this run's Intel Xeon host is slower and 1,000 pairs "
        "amortise start-up less. Measured once (2026-12-07) with a one-off script; not re-run by "
        "this benchmark.",
        "",
        "### What is weak",
        "",
        "- Out of English (en-de, en-zh) the score ranks translations only weakly (r ≈ 0.18–0.25, "
        "against 0.03 and 0.14 for the raw cosine): no LM reads German or Chinese targets, and "
        "the en-de set is dominated by good translations.",
        f"- MQM (systems of similar quality, same source): the grouped τ is {_fmt(tau_q)} against "
        f"{_fmt(tau_c)} for chrF with the human reference: both are at chance level (see the "
        "random row). Neither tells apart two fluent, adequate translations the way MQM experts "
        "do; at least the score no longer prefers the shorter, omitting translation as the raw "
        "cosine and length do.",
        "- The done-when asks for parity with chrF *into English*. No into-English data with "
        "references exists here (MLQE-PE DA dev has no references or post-edits; the MQM set is "
        "en→de), so that claim is untested: the only reference comparison is the en→de one above.",
        "- `log_len` (source length) is a prior about the source, not the translation: it helps "
        "DA correlations across sentences and does nothing within one source (MQM grouped).",
        "- Findings (major/critical check results) lower the score by fixed penalties set by "
        "hand, not fitted: the DA data carries no findings.",
    ]
    return "\n".join(lines)
