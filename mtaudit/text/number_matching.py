"""Matching the numbers of a source and a target: as multisets of values, leftovers paired into
substitutions (``44 million`` → ``4.4 million``)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .numbers import NumberMention

__all__ = [
    "NumberComparison",
    "compare_numbers",
    "magnitude_ratio",
    "mentions_values",
    "value_keys",
    "values_equal",
]


@dataclass
class NumberComparison:
    """The outcome of :func:`compare_numbers`."""

    matched: list[tuple[NumberMention, NumberMention]] = field(default_factory=list)
    #: Source mentions (hard) with no counterpart in the target, not part of a substitution.
    missing: list[NumberMention] = field(default_factory=list)
    #: Target mentions (hard) with no counterpart in the source, not part of a substitution.
    added: list[NumberMention] = field(default_factory=list)
    #: ``(source, target)`` pairs of unmatched mentions that stand for each other.
    substituted: list[tuple[NumberMention, NumberMention]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every hard mention found its counterpart."""
        return not (self.missing or self.added or self.substituted)


def _key(v: float) -> float:
    """A comparison key that forgives floating-point noise (9 significant digits)."""
    return float(f"{v:.9g}")


def value_keys(mentions: Iterable[NumberMention]) -> set[float]:
    """Every reading of some mentions, as comparison keys (see :func:`values_equal`)."""
    return {_key(v) for m in mentions for v in m.values}


def values_equal(a: NumberMention, b: NumberMention) -> bool:
    """Whether two mentions share a reading."""
    ka = {_key(v) for v in a.values}
    return any(_key(v) in ka for v in b.values)


def magnitude_ratio(a: NumberMention, b: NumberMention) -> float:
    """The smallest ratio (≥ 1) between any readings of two mentions; ``inf`` if one is zero."""
    best = math.inf
    for x in a.values:
        for y in b.values:
            if x == y:
                return 1.0
            if x > 0 and y > 0:
                best = min(best, max(x, y) / min(x, y))
    return best


def _kind_rank(a: NumberMention, b: NumberMention) -> int:
    """How well two kinds go together: 0 same, 1 close, 2 loose, 3 incompatible.

    Used to prefer matches of the same kind and to decide which leftovers may stand for each
    other: a year only for a year, a day or month for a day or month, a plain number for an amount,
    a percentage or a time.
    """
    return _kinds_rank(a.kind, b.kind)


def _kinds_rank(ka: str, kb: str) -> int:
    if ka == kb:
        return 0
    if {ka, kb} <= {"date", "month"}:
        return 1
    if "number" in (ka, kb) and not ({ka, kb} & {"year", "date", "month"}):
        return 2
    return 3


def _digit_runs(mentions: Sequence[NumberMention]) -> list[list[int]]:
    """Runs (two or more) of plain digit groups one character apart, e.g. ``43 36 11``."""
    order = sorted(
        (k for k, m in enumerate(mentions) if m.kind == "number" and not m.soft),
        key=lambda k: mentions[k].start,
    )
    runs: list[list[int]] = []
    cur: list[int] = []
    for k in order:
        m = mentions[k]
        if not m.text.isdigit():
            cur = []
            continue
        if cur and m.start - mentions[cur[-1]].end == 1:
            cur.append(k)
        else:
            cur = [k]
            runs.append(cur)
    return [r for r in runs if len(r) > 1]


def _merge_digit_runs(
    source: Sequence[NumberMention], target: Sequence[NumberMention]
) -> tuple[list[NumberMention], list[NumberMention]]:
    """Join digit groups that the other side writes as one number, or groups differently.

    A phone number is ``031/433611`` in one text and ``031/43 36 11`` in its translation; the
    groups ``43``, ``36``, ``11`` are then one number. A run is joined only when its digits, read
    as one string, appear on the other side as one digit-only number or as a run of its own.
    """
    runs = (_digit_runs(source), _digit_runs(target))
    sides = (list(source), list(target))
    whole = []
    for side, side_runs in zip(sides, runs, strict=True):
        keys = {m.text for m in side if m.kind == "number" and not m.soft and m.text.isdigit()}
        keys |= {"".join(side[k].text for k in r) for r in side_runs}
        whole.append(keys)
    out = []
    for n, (side, side_runs) in enumerate(zip(sides, runs, strict=True)):
        other = whole[1 - n]
        drop: set[int] = set()
        merged = []
        for r in side_runs:
            digits = "".join(side[k].text for k in r)
            singles = {side[k].text for k in r}
            if digits in other and not singles <= other:
                first, last = side[r[0]], side[r[-1]]
                merged.append(NumberMention(digits, first.start, last.end, (float(digits),)))
                drop.update(r)
        out.append([m for k, m in enumerate(side) if k not in drop] + merged)
    return out[0], out[1]


def compare_numbers(
    source: Sequence[NumberMention], target: Sequence[NumberMention]
) -> NumberComparison:
    """Match source and target mentions as multisets of values; pair up the leftovers.

    Digit groups that the other side writes as one number are joined first
    (:func:`_merge_digit_runs`). Hard mentions are matched first (to hard mentions, then to soft
    ones), then soft source mentions take what is left. Leftover hard mentions are paired into
    substitutions when a leftover on the other side has a compatible kind (money with money,
    dates with dates, …), preferring the same kind, then the closest value.
    """
    source, target = _merge_digit_runs(source, target)
    res = NumberComparison()
    t_used = [False] * len(target)
    s_used = [False] * len(source)
    # hard↔hard first, then hard source ↔ soft target, then soft source ↔ hard target
    for s_soft, t_soft in ((False, False), (False, True), (True, False)):
        index = _ValueIndex(target, t_soft)
        for i, s in enumerate(source):
            if s_used[i] or s.soft != s_soft:
                continue
            best = index.best(s, t_used)
            if best is not None:
                s_used[i] = t_used[best] = True
                res.matched.append((s, target[best]))
    left_s = [i for i in range(len(source)) if not s_used[i]]
    left_t = [j for j in range(len(target)) if not t_used[j] and not target[j].soft]
    # pair leftovers: every leftover hard target mention with a leftover source mention
    exact = len(left_s) * len(left_t) <= MAX_LEFTOVER_PAIRS
    for n, j in enumerate(left_t):
        tm = target[j]
        near = left_s if exact else _window(left_s, n, len(left_t))
        cands = [
            i
            for i in near
            if not s_used[i]
            and _kind_rank(source[i], tm) <= 2
            and not (source[i].soft and source[i].currency == "weak")
        ]
        if not cands:
            res.added.append(tm)
            continue
        i = min(
            cands,
            key=lambda i: (
                source[i].soft,
                _kind_rank(source[i], tm),
                abs(math.log10(max(magnitude_ratio(source[i], tm), 1.0))),
            ),
        )
        s_used[i] = True
        res.substituted.append((source[i], tm))
    res.missing = [source[i] for i in left_s if not s_used[i] and not source[i].soft]
    return res


#: Above this many (leftover source × leftover target) mentions, a leftover target mention is
#: paired only with the leftover source mentions at about the same relative position (a window of
#: :data:`LEFTOVER_WINDOW`), so that a segment of thousands of different numbers stays linear.
MAX_LEFTOVER_PAIRS = 40_000
LEFTOVER_WINDOW = 64


def _window(left_s: list[int], n: int, n_t: int) -> list[int]:
    centre = (n * len(left_s)) // max(n_t, 1)
    lo = max(0, centre - LEFTOVER_WINDOW // 2)
    return left_s[lo : lo + LEFTOVER_WINDOW]


class _ValueIndex:
    """Mentions of one softness by value key and kind, each list in mention order, so that the
    first unused mention sharing a reading with a source mention, of the best-ranked kind, is
    found without scanning every mention (used entries are skipped once, then dropped)."""

    def __init__(self, mentions: Sequence[NumberMention], soft: bool) -> None:
        self.lists: dict[float, dict[str, list[int]]] = {}
        self.heads: dict[tuple[float, str], int] = {}
        for j, m in enumerate(mentions):
            if m.soft != soft:
                continue
            for key in {_key(v) for v in m.values}:
                self.lists.setdefault(key, {}).setdefault(m.kind, []).append(j)

    def best(self, s: NumberMention, used: list[bool]) -> int | None:
        """The first unused mention of the best kind rank sharing a reading with ``s``."""
        best: tuple[int, int] | None = None
        for key in {_key(v) for v in s.values}:
            for kind, js in self.lists.get(key, {}).items():
                head = self.heads.get((key, kind), 0)
                while head < len(js) and used[js[head]]:
                    head += 1
                self.heads[(key, kind)] = head
                if head < len(js):
                    cand = (_kinds_rank(s.kind, kind), js[head])
                    if best is None or cand < best:
                        best = cand
        return None if best is None else best[1]


def mentions_values(mentions: Iterable[NumberMention]) -> list[float]:
    """The preferred values of some mentions (for evidence)."""
    return [m.value for m in mentions]
