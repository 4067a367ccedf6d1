"""Synthetic garbling of clean sentences, for training and testing garble detectors.

The corruptions imitate what broken MT does to a sentence: two clauses fused mid-way, a sentence
cut off and glued to the next one, a foreign fragment dropped in, words dropped, duplicated, moved,
or replaced by an odd word, and a sentence cut short. Each corruption returns the damaged region
(character offsets in the corrupted text) so that span location can be measured.

Everything is driven by an explicit :class:`random.Random`, so a seed reproduces the data.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["KINDS", "ALL_KINDS", "Corruption", "corrupt", "split_of"]

#: The corruptions used for training. ``truncate`` exists but is left out: a sentence cut at a
#: random word boundary is often still a grammatical sentence (label noise).
KINDS = ("fuse", "cut_join", "insert", "drop", "duplicate", "move", "substitute")
ALL_KINDS = (*KINDS, "truncate")
_END = ".!?"


@dataclass(frozen=True)
class Corruption:
    """A corrupted sentence, its kind, and the damaged region ``(start, end)`` in ``text``."""

    text: str
    kind: str
    region: tuple[int, int]


def split_of(key: str, dev: float = 0.15, test: float = 0.15) -> str:
    """A stable train/dev/test assignment from a hash of ``key``."""
    h = int.from_bytes(hashlib.sha1(key.encode("utf-8")).digest()[:4], "big") / 2**32
    if h < test:
        return "test"
    if h < test + dev:
        return "dev"
    return "train"


def _join(parts: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    spans, pos = [], 0
    for p in parts:
        spans.append((pos, pos + len(p)))
        pos += len(p) + 1
    return " ".join(parts), spans


def _strip_end(tok: str) -> str:
    return tok.rstrip(_END) or tok


def _region(spans: list[tuple[int, int]], i: int, j: int) -> tuple[int, int]:
    i = max(0, min(i, len(spans) - 1))
    j = max(i + 1, min(j, len(spans)))
    return spans[i][0], spans[j - 1][1]


def corrupt(
    sentence: str,
    partner: str,
    rng: random.Random,
    kind: str | None = None,
    vocab: Sequence[str] = (),
) -> Corruption | None:
    """Corrupt ``sentence`` (``partner`` supplies foreign material; ``vocab`` odd words).

    Returns ``None`` when the sentence is too short for the chosen corruption.
    """
    a = sentence.split()
    b = partner.split()
    kind = kind or rng.choice(KINDS)
    n = len(a)
    if n < 6:
        return None
    if kind == "fuse":
        if len(b) < 6:
            return None
        i = rng.randint(3, n - 3)
        j = rng.randint(2, len(b) - 3)
        toks = [_strip_end(t) for t in a[:i]] + b[j:]
        text, spans = _join(toks)
        return Corruption(text, kind, _region(spans, i - 1, len(toks)))
    if kind == "cut_join":
        if len(b) < 4:
            return None
        i = rng.randint(3, n - 3)
        toks = [_strip_end(t) for t in a[:i]] + b
        text, spans = _join(toks)
        return Corruption(text, kind, _region(spans, i - 1, min(len(toks), i + 3)))
    if kind == "insert":
        if len(b) < 6:
            return None
        m = rng.randint(3, min(8, len(b) - 2))
        j = rng.randint(0, len(b) - m - 1)
        frag = [_strip_end(t) for t in b[j : j + m]]
        if frag and frag[0][:1].isupper() and rng.random() < 0.5:
            frag[0] = frag[0][:1].lower() + frag[0][1:]
        i = rng.randint(2, n - 2)
        toks = a[:i] + frag + a[i:]
        text, spans = _join(toks)
        return Corruption(text, kind, _region(spans, i, i + m))
    if kind == "drop":
        m = rng.randint(2, min(4, n - 4))
        i = rng.randint(1, n - m - 2)
        toks = a[:i] + a[i + m :]
        text, spans = _join(toks)
        return Corruption(text, kind, _region(spans, i - 1, i + 1))
    if kind == "duplicate":
        m = rng.randint(1, min(4, n - 3))
        i = rng.randint(1, n - m - 1)
        toks = a[: i + m] + [_strip_end(t) for t in a[i : i + m]] + a[i + m :]
        text, spans = _join(toks)
        return Corruption(text, kind, _region(spans, i + m, i + 2 * m))
    if kind == "move":
        m = rng.randint(1, 3)
        i = rng.randint(1, n - m - 1)
        frag = [_strip_end(t) for t in a[i : i + m]]
        rest = a[:i] + a[i + m :]
        choices = [k for k in range(1, len(rest)) if 2 <= abs(k - i) <= 6]
        if not choices:
            return None
        k = rng.choice(choices)
        toks = rest[:k] + frag + rest[k:]
        text, spans = _join(toks)
        lo, hi = min(i, k), max(i, k) + m
        return Corruption(text, kind, _region(spans, lo, hi))
    if kind == "substitute":
        cands = [k for k in range(1, n - 1) if a[k].isalpha() and a[k].islower() and len(a[k]) > 3]
        pool = [w for w in vocab if w.isalpha() and w.islower()]
        if not cands or not pool:
            return None
        k = rng.choice(cands)
        new = rng.choice(pool)
        if new == a[k]:
            return None
        toks = a[:k] + [new] + a[k + 1 :]
        text, spans = _join(toks)
        return Corruption(text, kind, _region(spans, k, k + 1))
    if kind == "truncate":
        i = rng.randint(max(4, n // 3), n - 2)
        toks = a[:i]
        last = _strip_end(toks[-1]).rstrip(",;:")
        toks[-1] = last + "."
        text, spans = _join(toks)
        return Corruption(text, kind, _region(spans, i - 2, i))
    raise ValueError(f"unknown corruption kind {kind!r}")
