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
    tl = pair.split("-")[1]
    rows = []
    for s, m, t in zip(src, mt, tags, strict=False):
        toks = m.split()
        tg = t.split()
        if not toks or len(tg) != 2 * len(toks) + 1:
            continue
        wt = [int(x == "BAD") for x in tg[1::2]]
        text, spans = detok(toks, tl)
        rows.append(Item(pair, s.strip(), toks, wt, text, spans))
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


def word_rows(item: Item, ts, src_lang: str, tgt_lang: str, adq: float | None = None):
    """Features of the item's words, their tags, and the MT token each word lies in."""
    from mtaudit.fluency.features import word_scores
    from mtaudit.fluency.lm import TokenScores
    from mtaudit.wordtags import word_features

    lm = norm = None
    if ts is not None:
        offs, lps = ts
        ws = word_scores(item.text, TokenScores([""] * len(offs), list(offs), lps), tgt_lang)
        lm, norm = ws.lm, ws.norm
    spans, feats = word_features(item.src, item.text, src_lang, tgt_lang, lm, norm, adq)
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


def false_alarms(pair: str, n: int) -> None:
    """``error_span`` findings on good human translations: the first ``n`` segment pairs of the
    WMT22 news documents of ``pair`` (source and human reference), ``--profile fast``, pairs
    mode, with the check's default settings and with ``major_peak=0.85``."""
    import collections
    import json

    import mtaudit
    from mtaudit.report import SEVERITIES

    from .common import benchdata

    path = benchdata() / "news_docs" / "wmt22" / f"{pair}.jsonl"
    docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    pairs = [(s, r) for d in docs for s, r in zip(d["src"], d["ref"]) if s.strip() and r.strip()]
    pairs = pairs[:n]
    sl, tl = docs[0]["src_lang"], docs[0]["tgt_lang"]
    rep = mtaudit.audit_pairs(
        pairs, src_lang=sl, tgt_lang=tl, profile="fast",
        checks={"error_span": {"major_peak": 0.85}},
    )  # fmt: skip
    spans = [f for f in rep.findings if f.code == "error_span"]
    by_sev = collections.Counter(f.severity for f in spans)
    flagged = len({f.sentence for f in spans})
    strong = len({f.sentence for f in spans if f.severity == "major"})
    print(
        f"{pair}: {len(pairs)} reference pairs; error_span findings "
        f"{dict((k, by_sev[k]) for k in SEVERITIES if by_sev[k])}; sentences flagged {flagged} "
        f"({flagged / len(pairs):.0%}), with a peak >= 0.85: {strong} ({strong / len(pairs):.0%})"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache-lm", action="store_true")
    ap.add_argument("--speed", type=int, default=0, help="time audit_pairs on this many pairs")
    ap.add_argument("--pairs", default=",".join(PAIRS))
    ap.add_argument(
        "--false-alarms", type=int, default=0,
        help="error_span findings on this many WMT22 human reference pairs per --pairs entry "
        "(news_docs pairs, e.g. ja-en,en-ru,de-fr)",
    )  # fmt: skip
    args = ap.parse_args()
    from mtaudit.wordtags import load_word_tag_model

    if args.false_alarms:
        print(f"machine: {machine()}")
        for pair in args.pairs.split(","):
            false_alarms(pair, args.false_alarms)
        return

    if args.speed:
        for pair in args.pairs.split(","):
            speed(pair, args.speed)
        return

    model = load_word_tag_model()
    if model is None:
        raise SystemExit("no word-tag model shipped")
    print(f"machine: {machine()}")
    res = {}
    for pair in args.pairs.split(","):
        sl, tl = pair.split("-")
        items = load(pair, "dev")
        scores = lm_scores(items, f"{pair}_dev", compute=args.cache_lm) if tl == "en" else None
        cos = cosines(pair, "dev")
        ys, ps = [], []
        for k, it in enumerate(items):
            adq = None if cos is None else float(cos[k])
            feats, _, tok = word_rows(it, None if scores is None else scores[k], sl, tl, adq)
            if not feats:
                continue
            prof = model.profile_for(sl, tl, "lm" in feats)
            pw = prof.predict(feats)
            ys.append(np.array(it.tags))
            ps.append(token_probs(pw, tok, len(it.tags)) >= prof.threshold_for(sl, tl))
        res[pair] = mcc(np.concatenate(ys), np.concatenate(ps))
        print(f"{pair}: dev MCC {res[pair]:.3f} ({'lm' if scores is not None else 'lex'})")
    print(f"mean: {np.mean(list(res.values())):.3f}")


if __name__ == "__main__":
    main()
