"""Small builders shared by the tests of the checks: a pairs-mode :class:`CheckContext` over
hashing embeddings, and a hand-set ``mistranslation`` model file."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from mtaudit.checks import mistranslation_model as cr
from mtaudit.checks.base import CheckContext
from mtaudit.encoders import HashingEncoder
from mtaudit.report import Link, Sentence, Side


def make_side(lang: str, texts: Sequence[str]) -> Side:
    """One sentence per line, offsets into the joined text."""
    sents, pos = [], 0
    for k, t in enumerate(texts):
        sents.append(Sentence(index=k, text=t, start=pos, end=pos + len(t)))
        pos += len(t) + 1
    return Side(lang=lang, sentences=sents, text="\n".join(texts))


def make_ctx(
    src: Sequence[str], tgt: Sequence[str], src_lang: str = "en", tgt_lang: str = "de"
) -> CheckContext:
    """Pairs mode: sentence *k* of each side is link *k* (hashing-encoder similarity)."""
    enc = HashingEncoder(dim=256)
    se, te = enc.encode(list(src), src_lang), enc.encode(list(tgt), tgt_lang)
    links = [Link([k], [k], float(se[k] @ te[k])) for k in range(len(src))]
    return CheckContext(
        make_side(src_lang, src),
        make_side(tgt_lang, tgt),
        links,
        mode="pairs",
        encoder=enc,
        src_emb=se,
        tgt_emb=te,
    )


def write_critical_model(
    path: Path, weights: Mapping[str, float], intercept: float, threshold: float = 0.5
) -> Path:
    """A one-profile ``mistranslation`` model: the given feature weights, all others 0,
    features unscaled (mean 0, std 1)."""
    feats = list(cr.FEATURES)
    coef = dict.fromkeys(feats, 0.0)
    coef.update(weights)
    d = {
        "meta": {"note": "test"},
        "features": feats,
        "profiles": {
            "default": {
                "coef": coef,
                "mean": dict.fromkeys(feats, 0.0),
                "std": dict.fromkeys(feats, 1.0),
                "intercept": intercept,
                "threshold": threshold,
            }
        },
    }
    path.write_text(json.dumps(d), encoding="utf-8")
    return path
