"""Link statistics: each link's length ratio and similarity against the document's own links."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..langid import base_lang
from ..report import Link
from ..text.tokens import alnum_len
from .base import CheckContext
from .common import content_sentences

__all__ = ["LENGTH_PRIORS", "LinkStats", "length_prior", "link_stats"]


#: log(target alnum chars / source alnum chars) relative to English, per language: median over
#: human translations (WMT21 CED train NOT items for de/cs/ja/zh, MLQE-PE dev for de/et/ro/zh,
#: Text+Berg dev for fr via de). The prior for a pair is ``density[tgt] - density[src]``.
LENGTH_PRIORS: dict[str, float] = {
    "en": 0.0,
    "de": 0.12,
    "fr": 0.11,
    "cs": -0.04,
    "et": -0.04,
    "ro": 0.04,
    "ja": -0.55,
    "zh": -1.02,
}


#: Robust spread (1.4826 × MAD) of that log ratio: ~0.10–0.14 for alphabetic pairs, ~0.19–0.24
#: when one side is Chinese or Japanese (same data). Unknown pairs get the wider value.
_SPREAD_ALPHA = 0.13


_SPREAD_CJK = 0.22


_SPREAD_UNKNOWN = 0.25


def length_prior(src_lang: str | None, tgt_lang: str | None) -> tuple[float, float]:
    """Expected log length ratio (target/source, alnum chars) and its spread for a pair."""
    a, b = base_lang(src_lang), base_lang(tgt_lang)
    if a is not None and a == b:
        return 0.0, _SPREAD_ALPHA
    if a in LENGTH_PRIORS and b in LENGTH_PRIORS:
        cjk = a in ("ja", "zh") or b in ("ja", "zh")
        return LENGTH_PRIORS[b] - LENGTH_PRIORS[a], _SPREAD_CJK if cjk else _SPREAD_ALPHA
    return 0.0, _SPREAD_UNKNOWN


@dataclass
class LinkStats:
    """Per-link numbers and the document's robust distribution of them.

    ``log_ratio`` is log(target/source alnum chars); ``z_len`` its robust z-score against the
    language-pair prior shrunk towards the document's own links; ``z_sim`` the robust z-score of
    the link similarity within the document (``nan`` when there are too few links).
    """

    links: list[Link]
    src_len: np.ndarray
    tgt_len: np.ndarray
    log_ratio: np.ndarray
    z_len: np.ndarray
    z_sim: np.ndarray
    center: float
    spread: float
    sim_center: float
    sim_spread: float


def _robust(x: np.ndarray) -> tuple[float, float]:
    med = float(np.median(x))
    mad = float(np.median(np.abs(x - med))) * 1.4826
    return med, mad


def link_stats(ctx: CheckContext, *, prior_weight: float = 8.0, min_links: int = 8) -> LinkStats:
    """Compute :class:`LinkStats` for the content links of ``ctx``."""
    links = []
    sl, tl = [], []
    for lk in ctx.links:
        s = content_sentences(ctx.source, lk.source)
        t = content_sentences(ctx.target, lk.target)
        if not s or not t:
            continue
        links.append(lk)
        sl.append(sum(alnum_len(x.text) for x in s))
        tl.append(sum(alnum_len(x.text) for x in t))
    src_len = np.asarray(sl, dtype=float)
    tgt_len = np.asarray(tl, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log(np.maximum(tgt_len, 1.0) / np.maximum(src_len, 1.0))
    mu0, sd0 = length_prior(ctx.source.lang, ctx.target.lang)
    # Only links long enough to measure a ratio inform the document's distribution.
    informative = ratio[(src_len >= 20) & (tgt_len >= 5)] if len(ratio) else ratio
    n = len(informative)
    if n:
        med, mad = _robust(informative)
        center = (n * med + prior_weight * mu0) / (n + prior_weight)
        # a document's own spread can be tiny (a few near-identical links): keep ≥ 3/4 of the prior
        spread = math.sqrt((n * mad**2 + prior_weight * sd0**2) / (n + prior_weight))
        spread = max(spread, 0.75 * sd0)
    else:
        center, spread = mu0, sd0
    z_len = (ratio - center) / spread if len(ratio) else ratio
    sims = np.asarray([lk.similarity for lk in links], dtype=float)
    if len(sims) >= min_links:
        sim_center, sim_spread = _robust(sims)
        sim_spread = max(sim_spread, 0.02)
        z_sim = (sims - sim_center) / sim_spread
    else:
        sim_center, sim_spread = float("nan"), float("nan")
        z_sim = np.full(len(sims), np.nan)
    return LinkStats(
        links, src_len, tgt_len, ratio, z_len, z_sim, center, spread, sim_center, sim_spread
    )
