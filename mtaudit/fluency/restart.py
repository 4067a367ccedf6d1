"""Restart gain: does the sentence so far help the LM read what comes next?

In a well-formed sentence the words before a position make the next few tokens easier to
predict: their log-probability read *after the prefix* is well above their log-probability read
*fresh*, from the start token, as if they began a text. Where two clauses of different sentences
were fused ("... the council approved the new budget *could have reached the harbour by noon*
...") the junction can be locally plausible, but the prefix stops helping: the tokens after it are
about as likely read fresh as read in context, or more. The restart gain of position ``t`` is

    gain(t) = mean over tokens u in (t, t + ahead) of [ log p(u | prefix) − log p(u | BOS, t..u-1) ]

(the junction token ``t`` itself is read in both, but only the tokens after it count: its own
fresh log-prob is that of a text-initial word). A low gain is evidence of a break.

Only a few positions are re-read (the top ``top`` tokens of the break probe, :mod:`.breaks`),
and only in sentences whose probe score passes a screen, so the extra LM work is a handful of
short sequences per screened sentence, batched into one call of the same
:class:`~.lm.TokenScorer` (``token_logprobs``) that read the sentence. The settings and the
screen live in the garble model file (``probes.lm.info.restart``); a model without them never
re-reads anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "RESTART_FEATURES",
    "RestartConfig",
    "candidates",
    "fresh_span",
    "span_gain",
    "restart_features",
    "plan_reads",
    "add_restart_features",
]

#: Sentence features: the lowest gain over the re-read positions (tokens after the junction),
#: the gain at the probe's top position, and the lowest gain counting the junction token too.
RESTART_FEATURES = ("rst_min", "rst_top", "rst_min_all")
#: Gains are clipped to this range (nats per token).
CLIP = 12.0


@dataclass(frozen=True)
class RestartConfig:
    """How many positions are re-read (``top``), how many tokens from each (``ahead``, the
    junction token included), the probe score (``brk_max``) a sentence needs to be re-read
    (``screen``), and the feature values a sentence that is not re-read gets (``impute``)."""

    top: int = 3
    ahead: int = 7
    screen: float = float("-inf")
    impute: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "top": self.top,
            "ahead": self.ahead,
            "screen": None if not np.isfinite(self.screen) else round(float(self.screen), 6),
            "impute": {k: round(float(v), 6) for k, v in self.impute.items()},
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RestartConfig:
        screen = d.get("screen")
        return cls(
            top=int(d.get("top", 3)),
            ahead=int(d.get("ahead", 7)),
            screen=float("-inf") if screen is None else float(screen),
            impute={k: float(v) for k, v in dict(d.get("impute", {})).items()},
        )


def candidates(logits: np.ndarray, top: int, min_after: int = 2) -> np.ndarray:
    """Up to ``top`` token positions to re-read, highest break logit first: not the first token
    (predicted from nothing), at least ``min_after`` tokens after it, no two neighbours."""
    lg = np.asarray(logits, dtype=np.float64)
    m = len(lg)
    hi = m - min_after
    if hi <= 1 or top <= 0:
        return np.zeros(0, dtype=np.int64)
    order = 1 + np.argsort(-lg[1:hi], kind="stable")
    taken: list[int] = []
    for t in order:
        if all(abs(int(t) - u) > 1 for u in taken):
            taken.append(int(t))
            if len(taken) == top:
                break
    return np.asarray(taken, dtype=np.int64)


def fresh_span(
    text: str, offsets: Sequence[tuple[int, int]], t: int, ahead: int
) -> tuple[int, int] | None:
    """Character span of tokens ``t .. t+ahead-1`` with the leading whitespace left out (a
    fresh reading starts the text there); ``None`` when nothing is left."""
    m = len(offsets)
    if not 0 <= t < m:
        return None
    s = offsets[t][0]
    e = offsets[min(t + ahead, m) - 1][1]
    while s < e and text[s].isspace():
        s += 1
    return (s, e) if e > s else None


def span_gain(
    ctx_lp: np.ndarray,
    offsets: Sequence[tuple[int, int]],
    t: int,
    ahead: int,
    fresh_lp: np.ndarray,
    fresh_offsets: Sequence[tuple[int, int]],
    base: int,
) -> tuple[float, float]:
    """``(gain_after, gain_all)`` of position ``t`` (nats per token, clipped to ±:data:`CLIP`).

    ``fresh_lp``/``fresh_offsets`` are the LM's reading of the :func:`fresh_span` text
    starting at character ``base`` of the sentence. ``gain_after`` compares the tokens after
    ``t`` that both readings cut identically; ``gain_all`` the whole span (the context reading's
    tokens ``t..``, the fresh reading's all), per context token. NaN when nothing compares."""
    ctx_lp = np.asarray(ctx_lp, dtype=np.float64)
    fresh_lp = np.asarray(fresh_lp, dtype=np.float64)
    m = len(ctx_lp)
    end = min(t + ahead, m)
    if end <= t or len(fresh_lp) == 0:
        return float("nan"), float("nan")
    fo = np.asarray(fresh_offsets, dtype=np.int64).reshape(-1, 2) + base
    co = np.asarray(offsets[t + 1 : end], dtype=np.int64).reshape(-1, 2)
    gain_after = float("nan")
    if len(co) and len(fo):
        # tokens cut identically: same (start, end) in both readings (offsets are increasing)
        key_f = fo[:, 0] * (1 << 32) + fo[:, 1]
        key_c = co[:, 0] * (1 << 32) + co[:, 1]
        pos = np.searchsorted(key_f, key_c)
        pos = np.minimum(pos, len(key_f) - 1)
        hit = key_f[pos] == key_c
        if hit.any():
            d = ctx_lp[t + 1 : end][hit] - fresh_lp[pos[hit]]
            gain_after = float(np.clip(d.mean(), -CLIP, CLIP))
    n = end - t
    gain_all = float(np.clip((ctx_lp[t:end].sum() - fresh_lp.sum()) / n, -CLIP, CLIP))
    return gain_after, gain_all


def restart_features(gains: Sequence[tuple[float, float]]) -> dict[str, float]:
    """The sentence features (:data:`RESTART_FEATURES`) from the gains of the re-read
    positions, highest-scoring position first; ``{}`` when no position could be compared."""
    after = np.array([g[0] for g in gains], dtype=np.float64)
    allg = np.array([g[1] for g in gains], dtype=np.float64)
    if len(after) == 0 or not np.isfinite(allg).any():
        return {}
    fa = after[np.isfinite(after)]
    out = {"rst_min_all": float(np.nanmin(allg))}
    if len(fa):
        out["rst_min"] = float(fa.min())
        out["rst_top"] = float(after[0]) if np.isfinite(after[0]) else float(fa.min())
    return out


def plan_reads(
    text: str, offsets: Sequence[tuple[int, int]], logits: np.ndarray, cfg: RestartConfig
) -> list[tuple[int, int, int]]:
    """``(t, start, end)`` of each position to re-read and its :func:`fresh_span`."""
    out = []
    for t in candidates(logits, cfg.top):
        sp = fresh_span(text, offsets, int(t), cfg.ahead)
        if sp is not None:
            out.append((int(t), sp[0], sp[1]))
    return out


def add_restart_features(
    lm: Any,
    items: Sequence[
        tuple[str, Sequence[tuple[int, int]], np.ndarray, np.ndarray, dict[str, float]]
    ],
    cfg: RestartConfig,
) -> int:
    """Add the restart features to each item's feature dict, reading every planned span with
    one ``lm.token_logprobs`` call. ``items``: ``(text, offsets, logprobs, break_logits,
    feats)``; a sentence whose ``feats["brk_max"]`` is below ``cfg.screen`` is not re-read and
    gets ``cfg.impute``. Returns the number of spans read."""
    jobs: list[tuple[int, int, int, int]] = []  # item, t, start, end
    for i, (text, offsets, _lp, logits, feats) in enumerate(items):
        if feats.get("brk_max", float("-inf")) >= cfg.screen:
            jobs += [(i, t, s, e) for t, s, e in plan_reads(text, offsets, logits, cfg)]
    reads = lm.token_logprobs([items[i][0][s:e] for i, _t, s, e in jobs]) if jobs else []
    gains: dict[int, list[tuple[float, float]]] = {}
    for (i, t, s, _e), ts in zip(jobs, reads, strict=True):
        _text, offsets, lp, _lg, _f = items[i]
        gains.setdefault(i, []).append(
            span_gain(lp, offsets, t, cfg.ahead, ts.logprobs, ts.offsets, s)
        )
    for i, item in enumerate(items):
        feats = item[4]
        got = restart_features(gains.get(i, []))
        for k in RESTART_FEATURES:
            if k in got:
                feats[k] = got[k]
            elif k in cfg.impute:
                feats[k] = float(cfg.impute[k])
    return len(jobs)
