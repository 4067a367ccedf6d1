"""Per-side features of translation-mode alignment: sentence embeddings, lengths, anchor mass
and the joined-text embeddings of groups of consecutive sentences (:class:`Side`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..encoders import Encoder

__all__ = ["Side", "clip_index", "encode_unique", "make_side", "unit_rows"]


def clip_index(v: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """``np.clip`` for integer index arrays without its per-call overhead."""
    return np.minimum(np.maximum(v, lo), hi)


def unit_rows(mat: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(mat, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return (mat / norms).astype(np.float32)


def encode_unique(encoder: Encoder, strings: list[str], lang: str | None) -> np.ndarray:
    """Encode each distinct string once; rows follow ``strings``."""
    uniq: dict[str, int] = {}
    for text in strings:
        uniq.setdefault(text, len(uniq))
    if not uniq:
        return np.zeros((0, 0), dtype=np.float32)
    vecs = np.asarray(encoder.encode(list(uniq), lang), dtype=np.float32)
    idx = np.fromiter((uniq[t] for t in strings), dtype=np.int64, count=len(strings))
    return vecs[idx]


@dataclass
class Side:
    """One side's sentences, their embeddings, lengths and any exactly embedded groups."""

    sentences: Sequence[str]
    lang: str | None
    single: np.ndarray  # (n, d) unit rows
    len_prefix: np.ndarray  # (n + 1,) cumulative character lengths
    mass_prefix: np.ndarray  # (n + 1,) cumulative anchor weight
    #: group size a -> (n + 1,) row in ``exact_vecs`` of the group ending at i, or -1
    exact_idx: dict[int, np.ndarray] = field(default_factory=dict)
    exact_vecs: np.ndarray | None = None

    @property
    def n(self) -> int:
        return len(self.sentences)

    def group_vecs(self, a: int, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Embeddings of the groups of ``a`` sentences ending at ``ends`` (ends ``< a`` give
        zero rows) and whether each is an exact (joined-text) embedding."""
        ok = (ends >= a) & (ends <= self.n)
        e = np.where(ok, ends, min(a, self.n))
        last = self.n - 1
        if a == 1:
            vecs = self.single[clip_index(e - 1, 0, last)]
            return np.where(ok[:, None], vecs, 0.0).astype(np.float32), ok
        acc = self.single[clip_index(e - 1, 0, last)]
        for k in range(1, a):
            acc = acc + self.single[clip_index(e - 1 - k, 0, last)]
        vecs = unit_rows(acc)
        exact = np.zeros(len(ends), dtype=bool)
        idx = self.exact_idx.get(a)
        if idx is not None and self.exact_vecs is not None:
            rows = idx[e]
            exact = ok & (rows >= 0)
            if exact.any():
                vecs[exact] = self.exact_vecs[rows[exact]]
        vecs[~ok] = 0.0
        return vecs, exact

    def group_lengths(self, a: int, ends: np.ndarray) -> np.ndarray:
        e = clip_index(ends, a, self.n)
        return self.len_prefix[e] - self.len_prefix[e - a] + (a - 1)

    def group_mass(self, a: int, ends: np.ndarray) -> np.ndarray:
        e = clip_index(ends, a, self.n)
        return self.mass_prefix[e] - self.mass_prefix[e - a]

    def add_exact(self, encoder: Encoder, groups: dict[int, np.ndarray]) -> None:
        """Embed the joined text of the groups ``{a: ends}`` not embedded yet."""
        todo: list[tuple[int, int]] = []
        for a, ends in groups.items():
            idx = self.exact_idx.setdefault(a, np.full(self.n + 1, -1, dtype=np.int64))
            todo += [(a, int(e)) for e in ends if e >= a and idx[e] < 0]
        if not todo:
            return
        texts = [" ".join(self.sentences[e - a : e]) for a, e in todo]
        vecs = unit_rows(encode_unique(encoder, texts, self.lang))
        base = 0 if self.exact_vecs is None else len(self.exact_vecs)
        self.exact_vecs = vecs if self.exact_vecs is None else np.vstack([self.exact_vecs, vecs])
        for k, (a, e) in enumerate(todo):
            self.exact_idx[a][e] = base + k


def make_side(
    sentences: Sequence[str],
    encoder: Encoder,
    lang: str | None,
    mass: np.ndarray,
    emb: np.ndarray | None = None,
) -> Side:
    if emb is None:
        emb = encode_unique(encoder, list(sentences), lang)
    elif len(emb) != len(sentences):
        raise ValueError(f"got {len(emb)} embeddings for {len(sentences)} sentences")
    single = unit_rows(np.asarray(emb, dtype=np.float32))
    lens = np.array([len(t) for t in sentences], dtype=np.float64)
    len_prefix = np.concatenate([[0.0], np.cumsum(lens)])
    mass_prefix = np.concatenate([[0.0], np.cumsum(mass)])
    return Side(sentences, lang, single, len_prefix, mass_prefix)
