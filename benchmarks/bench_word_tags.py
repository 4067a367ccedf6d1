"""Word-level error tags on MLQE-PE post-editing data: target-word MCC (the WMT QE task-2 metric).

    python benchmarks/bench_word_tags.py            # dev MCC per pair with the shipped model
    python benchmarks/bench_word_tags.py --cache-lm # (training) also fill the LM cache

Data: ``$MTAUDIT_BENCHDATA/wordlevel/mlqe_pe/<pair>/{train,dev}/`` (``src``, ``mt``, ``tags``):
2n+1 OK/BAD tags per MT sentence; the words are the odd positions. The MT is tokenised (spaces
around punctuation); it is detokenised (:func:`detok`) before scoring, the way an audit sees
text, and each scored word takes the tag of the MT token it lies in; an MT token's ``p_bad`` is
the largest of its words'. MCC is over all MT words of a pair (gaps excluded).

The fluency LM's per-token log-probabilities are cached under ``$MTAUDIT_WORDTAG_CACHE``
(default ``/tmp/mtaudit-wordtags``), one file per pair and split.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pickle
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import benchdata, machine  # noqa: E402

PAIRS = ("en-de", "en-zh", "et-en", "ne-en", "ro-en", "ru-en", "si-en")
#: Train rows sampled per pair (feature extraction costs LM time).
TRAIN_PER_PAIR = 1000
SEED = 20
#: A sentence "needs an error_span finding" from this HTER on (the recall figure).
HIGH_HTER = 0.3
_NO_SPACE_BEFORE = {
    ",",
    ".",
    ";",
    ":",
    "!",
    "?",
    "%",
    ")",
    "]",
    "}",
    "n't",
    "'s",
    "'re",
    "'ve",
    "'ll",
    "'d",
    "'m",
    "'t",
}
_NO_SPACE_AFTER = {"(", "[", "{"}


@dataclass
class Item:
    pair: str
    src: str
    mt_tokens: list[str]
    tags: list[int]  # 1 = BAD, one per MT token
    text: str  # detokenised MT
    tok_spans: list[tuple[int, int]]  # each MT token's span in ``text``
    hter: float = float("nan")  # the sentence's HTER (``hter`` file), NaN when not given


def detok(tokens: list[str], lang: str) -> tuple[str, list[tuple[int, int]]]:
    """Join MT tokens the way running text has them; each token's span in the result."""
    spaced = lang != "zh"
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    glue = True
    for t in tokens:
        if (
            out
            and spaced
            and not glue
            and t not in _NO_SPACE_BEFORE
            or (
                out
                and not spaced
                and not glue
                # Chinese: keep spaces only between two Latin/digit tokens
                and out[-1][-1:].isascii()
                and out[-1][-1:].isalnum()
                and t[:1].isascii()
                and t[:1].isalnum()
            )
        ):
            out.append(" ")
            pos += 1
        spans.append((pos, pos + len(t)))
        out.append(t)
        pos += len(t)
        glue = t in _NO_SPACE_AFTER
    return "".join(out), spans


def load(pair: str, split: str, n: int | None = None) -> list[Item]:
    d = benchdata() / "wordlevel" / "mlqe_pe" / pair / split
    src = (d / "src").read_text(encoding="utf-8").split("\n")
    mt = (d / "mt").read_text(encoding="utf-8").split("\n")
    tags = (d / "tags").read_text(encoding="utf-8").split("\n")
    hter = (d / "hter").read_text().split("\n") if (d / "hter").is_file() else []
    hter += [""] * (len(mt) - len(hter))
    tl = pair.split("-")[1]
    rows = []
    for s, m, t, h in zip(src, mt, tags, hter, strict=False):
        toks = m.split()
        tg = t.split()
        if not toks or len(tg) != 2 * len(toks) + 1:
            continue
        wt = [int(x == "BAD") for x in tg[1::2]]
        text, spans = detok(toks, tl)
        hv = float(h) if h.strip() else float("nan")
        rows.append(Item(pair, s.strip(), toks, wt, text, spans, hv))
    if n is not None and n < len(rows):
        rng = np.random.default_rng(SEED)
        idx = sorted(rng.choice(len(rows), n, replace=False).tolist())
        rows = [rows[i] for i in idx]
    return rows


def cache_dir() -> Path:
    p = Path(os.environ.get("MTAUDIT_WORDTAG_CACHE", "/tmp/mtaudit-wordtags"))
    p.mkdir(parents=True, exist_ok=True)
    return p


def lm_scores(items: list[Item], key: str, compute: bool = True) -> list | None:
    """Cached SmolLM2 token scores (offsets, logprobs) per item; ``None`` if not cached and not
    ``compute``."""
    h = hashlib.sha1("\n".join(it.text for it in items).encode()).hexdigest()[:12]
    path = cache_dir() / f"lm_{key}_{h}.pkl"
    if path.is_file():
        return pickle.loads(path.read_bytes())
    if not compute:
        return None
    from mtaudit.fluency.lm import SmolLM2Scorer

    lm = SmolLM2Scorer(n_threads=1)
    out = []
    t0 = time.time()
    B = 64
    for k in range(0, len(items), B):
        res = lm.token_logprobs([it.text for it in items[k : k + B]])
        out.extend((r.offsets, r.logprobs.astype(np.float32)) for r in res)
        print(
            f"  {key}: {len(out)}/{len(items)} {time.time() - t0:.0f}s", file=sys.stderr, flush=True
        )
    path.write_bytes(pickle.dumps(out))
    return out


def cosines(pair: str, split: str) -> np.ndarray | None:
    """The calibrated encoder cosine (``adq``) of each item, from the cache (``None`` if absent).

    The cache holds the raw cosines of the pair's default encoder
    (``mtaudit.encoders.default_encoder``) between the source and the detokenised MT, as the
    pipeline's link similarity; the quality model's calibration of that encoder scales them.
    """
    from mtaudit.score.quality import load_quality_model

    path = cache_dir() / f"cos_{pair}_{split}.npy"
    if not path.is_file():
        return None
    enc = Path(str(path) + ".enc").read_text().strip()
    cal = load_quality_model().calibration_for(enc)
    return (np.load(path)[:, 0] - cal.random_cos) / cal.span


#: WMT22 news pairs whose human references train the tags as all-OK sentences (documents of the
#: ``train`` part; ``dev`` documents choose; ``test`` documents are reported), and pairs kept
#: out entirely (every document reported, none seen in training or choosing).
NEWS_TRAIN_PAIRS = ("en-ru", "en-uk", "fr-de", "en-zh")
NEWS_HELDOUT_PAIRS = ("ja-en", "de-fr", "en-hr")


def news_part(doc_id: str) -> str:
    """``train`` (60 %), ``dev`` (20 %) or ``test`` (20 %) for a WMT22 document, by a hash of its
    id (the en-ru, en-uk and en-zh documents share their English source: same id, same part)."""
    h = int(hashlib.sha1(doc_id.encode()).hexdigest()[:8], 16) % 10
    return "train" if h < 6 else "dev" if h < 8 else "test"


@dataclass
class NewsItem:
    pair: str
    doc: str
    part: str
    src: str
    text: str  # the human reference


def _news_file(pair: str) -> tuple[Path, bool]:
    """The WMT22 file holding ``pair`` and whether it is stored the other way round (``ru-en``:
    the ``en-ru`` file, its Russian reference as the source and the English original as the
    good translation)."""
    d = benchdata() / "news_docs" / "wmt22"
    if (d / f"{pair}.jsonl").is_file():
        return d / f"{pair}.jsonl", False
    sl, tl = pair.split("-")
    return d / f"{tl}-{sl}.jsonl", True


def load_news(pair: str) -> list[NewsItem]:
    """Every (source, human reference) segment pair of the WMT22 news documents of ``pair``."""
    import json

    path, rev = _news_file(pair)
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        part = news_part(d["doc_id"])
        for s, r in zip(d["src"], d["ref"], strict=False):
            if s.strip() and r.strip():
                s, r = (r, s) if rev else (s, r)
                out.append(NewsItem(pair, d["doc_id"], part, s.strip(), r.strip()))
    return out


def news_cosines(pair: str, items: list[NewsItem], compute: bool = True) -> np.ndarray | None:
    """Calibrated encoder cosine (``adq``) of each news item (raw cosines cached per pair)."""
    from mtaudit.score.quality import load_quality_model

    stored, rev = _news_file(pair)
    if rev:  # the cosine is symmetric: the stored direction's cache
        items = [NewsItem(it.pair, it.doc, it.part, it.text, it.src) for it in items]
        pair = stored.stem
    path = cache_dir() / f"newscos_{pair}.npy"
    if not path.is_file():
        if not compute:
            return None
        from mtaudit.encoders import default_encoder

        sl, tl = pair.split("-")
        enc = default_encoder(sl, tl, threads=1)
        se = enc.encode([i.src for i in items], sl)
        te = enc.encode([i.text for i in items], tl)
        se = se / np.linalg.norm(se, axis=1, keepdims=True)
        te = te / np.linalg.norm(te, axis=1, keepdims=True)
        np.save(path, (se * te).sum(1))
        Path(str(path) + ".enc").write_text(enc.name)
    raw = np.load(path)
    if len(raw) != len(items):
        raise SystemExit(f"stale news cosine cache {path}")
    cal = load_quality_model().calibration_for(Path(str(path) + ".enc").read_text().strip())
    return (raw - cal.random_cos) / cal.span


#: MLQE-PE sentences are not documents: the DOC_FEATURES medians are taken over runs of this
#: many consecutive (sampled) sentences of a pair, as if they were one document.
PSEUDO_DOC = 25


def mlqe_doc_stats(items: list[Item], cos: np.ndarray | None) -> list:
    """Each MLQE-PE item's :class:`~mtaudit.wordtags.DocStats` over its pseudo-document."""
    from mtaudit.wordtags import doc_stats, len_ratio

    ratios = [len_ratio(it.src, it.text) for it in items]
    out = []
    for k0 in range(0, len(items), PSEUDO_DOC):
        sl = slice(k0, k0 + PSEUDO_DOC)
        adqs = [None] * len(ratios[sl]) if cos is None else [float(x) for x in cos[sl]]
        st = doc_stats(adqs, ratios[sl])
        out.extend([st] * len(ratios[sl]))
    return out


def news_doc_stats(items: list[NewsItem], cos: np.ndarray | None) -> list:
    """Each news item's :class:`~mtaudit.wordtags.DocStats` over its WMT22 document."""
    from mtaudit.wordtags import doc_stats, len_ratio

    by_doc: dict[str, list[int]] = {}
    for k, it in enumerate(items):
        by_doc.setdefault(it.doc, []).append(k)
    out: list = [None] * len(items)
    for ks in by_doc.values():
        adqs = [None if cos is None else float(cos[k]) for k in ks]
        st = doc_stats(adqs, [len_ratio(items[k].src, items[k].text) for k in ks])
        for k in ks:
            out[k] = st
    return out


def word_rows(item: Item, ts, src_lang: str, tgt_lang: str, adq: float | None = None, doc=None):
    """Features of the item's words, their tags, and the MT token each word lies in."""
    from mtaudit.fluency.features import word_scores
    from mtaudit.fluency.lm import TokenScores
    from mtaudit.wordtags import word_features

    lm = norm = None
    if ts is not None:
        offs, lps = ts
        ws = word_scores(item.text, TokenScores([""] * len(offs), list(offs), lps), tgt_lang)
        lm, norm = ws.lm, ws.norm
    spans, feats = word_features(item.src, item.text, src_lang, tgt_lang, lm, norm, adq, doc)
    starts = np.array([s for s, _ in item.tok_spans])
    tok = np.array([int(np.searchsorted(starts, s, side="right") - 1) for s, _ in spans])
    tok = np.clip(tok, 0, len(item.tags) - 1)
    y = np.array(item.tags)[tok]
    return feats, y, tok


def mcc(y: np.ndarray, p: np.ndarray) -> float:
    y = y.astype(bool)
    p = p.astype(bool)
    tp = float((y & p).sum())
    tn = float((~y & ~p).sum())
    fp = float((~y & p).sum())
    fn = float((y & ~p).sum())
    d = (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)
    return 0.0 if d == 0 else (tp * tn - fp * fn) / d**0.5


def token_probs(p_word: np.ndarray, tok: np.ndarray, n_tok: int) -> np.ndarray:
    out = np.zeros(n_tok)
    np.maximum.at(out, tok, p_word)
    return out


def speed(pair: str, n: int, repeats: int = 2) -> None:
    """Pairs/s of ``audit_pairs`` on ``n`` dev pairs, profiles ``full`` and ``fast``, with and
    without word tags (the model unloaded); models loaded and warmed up before timing; best of
    ``repeats``."""
    import mtaudit
    import mtaudit.wordtags as wt

    sl, tl = pair.split("-")
    items = load(pair, "dev")[:n]
    pairs = [(it.src, it.text) for it in items]
    model = wt.load_word_tag_model()
    for profile in ("full", "fast"):
        mtaudit.audit_pairs(pairs[:20], src_lang=sl, tgt_lang=tl, profile=profile)  # warm up
        for tags in (False, True):
            wt._MODEL = model if tags else None
            saved = wt.MODEL_PATH
            if not tags:
                wt.MODEL_PATH = Path("/nonexistent")
            best = None
            for _ in range(repeats):
                t0 = time.perf_counter()
                rep = mtaudit.audit_pairs(pairs, src_lang=sl, tgt_lang=tl, profile=profile)
                dt = time.perf_counter() - t0
                best = dt if best is None else min(best, dt)
            wt.MODEL_PATH = saved
            n_err = sum(f.code == "error_span" for f in rep.findings)
            print(
                f"{pair} {profile:4s} word tags {'on ' if tags else 'off'}: {n / best:6.1f} pairs/s"
                f" ({best:.1f} s for {n}; error_span findings {n_err}; "
                f"components.word_tags={rep.signature.components.get('word_tags')})"
            )
    wt._MODEL = model


def false_alarms(
    pair: str, n: int, profile: str = "fast", part: str | None = None, major: float | None = None
) -> tuple[int, int, int]:
    """``error_span`` findings on good human translations (WMT22 news documents of ``pair``,
    source and human reference), pairs mode. ``part`` None: the first ``n`` segment pairs in one
    audit (the session-24 figure); ``part`` ``test``/``dev``/``train``/``all``: every document of
    that part (:func:`news_part`), one audit per document. The check's defaults (the profile's
    calibrated peaks), or ``major_peak=major``. Returns (sentences, flagged, flagged major)."""
    import collections

    import mtaudit
    from mtaudit.report import SEVERITIES

    items = load_news(pair)
    sl, tl = pair.split("-")
    checks = {} if major is None else {"error_span": {"major_peak": major}}
    groups: dict[str, list[NewsItem]] = {}
    if part is None:
        groups["first"] = items[:n]
    else:
        for it in items:
            if part == "all" or it.part == part:
                groups.setdefault(it.doc, []).append(it)
    by_sev: collections.Counter = collections.Counter()
    total = flagged = strong = 0
    for group in groups.values():
        pairs = [(it.src, it.text) for it in group]
        rep = mtaudit.audit_pairs(pairs, src_lang=sl, tgt_lang=tl, profile=profile, checks=checks)
        spans = [f for f in rep.findings if f.code == "error_span"]
        by_sev.update(f.severity for f in spans)
        total += len(pairs)
        flagged += len({f.sentence for f in spans})
        strong += len({f.sentence for f in spans if f.severity == "major"})
    what = f"first {total}" if part is None else f"{part} documents ({len(groups)}):"
    print(
        f"{pair} [{profile}] {what} {total} reference pairs; error_span findings "
        f"{dict((k, by_sev[k]) for k in SEVERITIES if by_sev[k])}; sentences flagged {flagged} "
        f"({flagged / max(1, total):.1%}), major {strong} ({strong / max(1, total):.1%})",
        flush=True,
    )
    return total, flagged, strong


def retold_false_alarms(pair: str, n_docs: int, profile: str = "fast") -> None:
    """``error_span`` findings on retellings (comparable mode, tagging forced on): the first
    ``n_docs`` held-out documents of ``pair`` of ``benchmarks/bench_news_retold.py`` (forward
    direction: the source against a retelling made of its human reference). Reports the share of
    retold sentences that restate a source segment (gold) with a finding, and of the inserted
    foreign sentences."""
    import mtaudit
    import mtaudit.score.wordtags as stage

    from .bench_news_retold import cases

    sl, tl = pair.split("-")
    items = cases("heldout", [pair])[f"{sl}→{tl} ({pair})"][:n_docs]
    stage.TAG_COMPARABLE = True
    n_gold = n_foreign = f_gold = f_foreign = major = 0
    try:
        for _d, sl, tl, src, retold, gold in items:
            rep = mtaudit.audit(
                "\n".join(src), "\n".join(retold), src_lang=sl, tgt_lang=tl, mode="comparable",
                profile=profile,
            )  # fmt: skip
            gold_t = {t for _, t in gold}
            # the retold sentences as the audit segmented them: map each to its line
            starts = np.cumsum([0] + [len(r) + 1 for r in retold])
            line_of = {
                s.index: int(np.searchsorted(starts, s.start, side="right") - 1)
                for s in rep.target.sentences
            }
            flagged = {line_of[f.sentence] for f in rep.findings if f.code == "error_span"}
            major += len({line_of[f.sentence] for f in rep.findings
                          if f.code == "error_span" and f.severity == "major"})  # fmt: skip
            n_gold += len(gold_t)
            n_foreign += len(retold) - len(gold_t)
            f_gold += len(flagged & gold_t)
            f_foreign += len(flagged - gold_t)
    finally:
        stage.TAG_COMPARABLE = False
    print(
        f"{pair} retold [{profile}] {len(items)} documents: restating sentences with an "
        f"error_span finding {f_gold}/{n_gold} ({f_gold / max(1, n_gold):.1%}); inserted foreign "
        f"sentences {f_foreign}/{n_foreign} ({f_foreign / max(1, n_foreign):.1%}); sentences "
        f"with a major one {major}",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache-lm", action="store_true")
    ap.add_argument("--speed", type=int, default=0, help="time audit_pairs on this many pairs")
    ap.add_argument("--pairs", default=",".join(PAIRS))
    ap.add_argument("--lex", action="store_true", help="dev MCC without the LM (fast profile)")
    ap.add_argument("--profile", default="fast", help="--false-alarms: the audit profile")
    ap.add_argument(
        "--part", default=None,
        help="--false-alarms: every document of this part (train/dev/test/all), one audit each",
    )  # fmt: skip
    ap.add_argument("--retold", type=int, default=0, help="retold documents per --pairs entry")
    ap.add_argument("--major-peak", type=float, default=None, help="--false-alarms: override")
    ap.add_argument("--model", default=None, help="a word-tag model file instead of the shipped")
    ap.add_argument(
        "--false-alarms", type=int, default=0,
        help="error_span findings on this many WMT22 human reference pairs per --pairs entry "
        "(news_docs pairs, e.g. ja-en,en-ru,de-fr)",
    )  # fmt: skip
    args = ap.parse_args()
    import mtaudit.wordtags as wt
    from mtaudit.wordtags import load_word_tag_model

    if args.model:
        wt._MODEL = load_word_tag_model(args.model)

    if args.false_alarms:
        print(f"machine: {machine()}")
        for pair in args.pairs.split(","):
            false_alarms(pair, args.false_alarms, args.profile, args.part, args.major_peak)
        return

    if args.retold:
        print(f"machine: {machine()}")
        for pair in args.pairs.split(","):
            retold_false_alarms(pair, args.retold, args.profile)
        return

    if args.speed:
        for pair in args.pairs.split(","):
            speed(pair, args.speed)
        return

    model = load_word_tag_model(args.model)
    if model is None:
        raise SystemExit("no word-tag model shipped")
    print(f"machine: {machine()}")
    res, rec = {}, {}
    for pair in args.pairs.split(","):
        sl, tl = pair.split("-")
        items = load(pair, "dev")
        scores = None
        if tl == "en" and not args.lex:
            scores = lm_scores(items, f"{pair}_dev", compute=args.cache_lm)
        cos = cosines(pair, "dev")
        docs = mlqe_doc_stats(items, cos)
        ys, ps = [], []
        n_hi = hit_minor = hit_major = 0
        for k, it in enumerate(items):
            adq = None if cos is None else float(cos[k])
            ts = None if scores is None else scores[k]
            feats, _, tok = word_rows(it, ts, sl, tl, adq, docs[k])
            if not feats:
                continue
            prof = model.profile_for(sl, tl, "lm" in feats)
            pw = prof.predict(feats)
            thr = prof.threshold_for(sl, tl)
            ys.append(np.array(it.tags))
            ps.append(token_probs(pw, tok, len(it.tags)) >= thr)
            if it.hter >= HIGH_HTER:
                words = pw[feats["is_punct"] == 0]
                peak = float(words.max()) if len(words) else 0.0
                n_hi += 1
                hit_minor += peak >= max(thr, prof.peaks.get("minor", 0.6))
                hit_major += peak >= max(thr, prof.peaks.get("major", 2.0))
        res[pair] = mcc(np.concatenate(ys), np.concatenate(ps))
        rec[pair] = (hit_minor / max(1, n_hi), hit_major / max(1, n_hi))
        print(
            f"{pair}: dev MCC {res[pair]:.3f} ({'lm' if scores is not None else 'lex'}); "
            f"sentences with HTER >= {HIGH_HTER} ({n_hi}) with an error_span finding: "
            f"{rec[pair][0]:.0%} (major {rec[pair][1]:.0%})"
        )
    print(
        f"mean: MCC {np.mean(list(res.values())):.3f}; high-HTER recall "
        f"{np.mean([r[0] for r in rec.values()]):.0%} (major "
        f"{np.mean([r[1] for r in rec.values()]):.0%})"
    )


if __name__ == "__main__":
    main()
