"""Lexical anchors across scripts: numbers and names shared by two sentences, as extra evidence
beside the encoder's cosine (comparable mode, ``ComparableSettings.lexical``).

A sentence's *keys* are its numbers (digits only: ``1,200`` and ``1 200`` are ``#1200``) and its
words written with a capital letter or a digit, transliterated to ASCII (``anyascii``: Cyrillic
``Зеленський`` -> ``zelenskiy``), case-folded, reduced to a consonant skeleton (:func:`skeleton`:
``Рейган`` -> ``reygan`` and ``Reagan`` both ``rgn``) and cut to its first :data:`PREFIX`
consonants, so that inflected or differently romanised forms of one name meet (``Зеленського``,
``Zelensky``: ``zlns``). A key found in *k*
sentences of one side weighs ``1 / k`` (the larger count of the two sides): a name that recurs
through the article says little about which sentence restates which. The lexical similarity of
two sentences is the sum of the weights of their shared keys. Scripts with no shared keys
(Japanese and English names) simply get no bonus; no language is treated specially.

:class:`LexicalEncoder` appends each sentence's weighted key vector to its embedding, so that the
dot product of two extended vectors is ``cosine + scale * lexical`` — every rank, margin and
joined-text comparison of the comparable aligner then sees the same combined evidence.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from .anchors import _WORD, number_keys

__all__ = ["PREFIX", "LexicalEncoder", "keys", "lexical_extend", "skeleton"]

#: Consonants of a transliterated word's skeleton kept as its key (inflections differ after them).
PREFIX = 4
#: At most this many columns extend the embeddings: one per shared key when there are no more
#: (any document of news length), else the keys are hashed into this many columns with a random
#: sign each (a collision adds as much noise as it takes away, on average), which keeps a
#: 10,000-sentence pair's similarity computation within twice its cost.
MAX_KEYS = 256

_NON_ALNUM = re.compile(r"[^a-z0-9]")
# spellings that romanisations of one name disagree on, folded before the vowels go
_FOLD = (("ph", "f"), ("ck", "k"), ("x", "ks"), ("w", "v"), ("q", "k"), ("j", "i"))
_SOFT_C = re.compile(r"c(?=[eiy])")
_DROP = re.compile(r"[aeiouyh]")
_REPEAT = re.compile(r"(.)\1+")


def skeleton(word: str) -> str:
    """A romanised word's consonant skeleton: ``reagan`` and ``reyhan`` -> ``rgn``, ``nixon`` and
    ``nikson`` -> ``nksn``, ``seattle`` and ``sietl`` -> ``stl`` (spellings folded, ``c`` before
    ``e i y`` read as ``s`` and else as ``k``, vowels and ``h`` dropped, repeats collapsed)."""
    w = word
    for a, b in _FOLD:
        w = w.replace(a, b)
    w = _SOFT_C.sub("s", w).replace("c", "k")
    return _REPEAT.sub(r"\1", _DROP.sub("", w))


def _ascii(word: str) -> str:
    try:
        from anyascii import anyascii
    except ImportError:  # pragma: no cover - anyascii is a dependency
        return word.casefold() if word.isascii() else ""
    return anyascii(word).casefold()


def keys(text: str, prefix: int = PREFIX) -> set[str]:
    """The anchor keys of one sentence (see the module docstring)."""
    out = number_keys(text)
    for w in _WORD.findall(text):
        if w.isdigit() or not (w[0].isupper() or not w.isalpha()):
            continue
        a = _NON_ALNUM.sub("", _ascii(w))
        if any(c.isdigit() for c in a):
            out.add(a)
            continue
        sk = skeleton(a)[:prefix]
        if len(sk) >= 2:
            out.add(sk)
    return out


class LexicalEncoder:
    """An encoder whose vectors are the inner encoder's with a weighted key vector appended
    (``vocab`` key -> column, ``weight`` per column; the columns are scaled by ``sqrt(scale)``)."""

    def __init__(
        self,
        inner: Any,
        vocab: dict[str, tuple[int, float]],
        width: int,
        scale: float,
        prefix: int,
    ) -> None:
        self.inner = inner
        self.name = getattr(inner, "name", "encoder")
        #: key -> (column, signed value sqrt(scale * weight))
        self.vocab = {
            k: (c, float(np.sqrt(max(scale, 0.0) * abs(v))) * (1.0 if v >= 0 else -1.0))
            for k, (c, v) in vocab.items()
        }
        self.width = width
        self.prefix = prefix

    def key_matrix(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.width), dtype=np.float32)
        for r, t in enumerate(texts):
            for k in keys(t, self.prefix):
                if k in self.vocab:
                    c, v = self.vocab[k]
                    out[r, c] += v
        return out

    def extend(self, texts: Sequence[str], emb: np.ndarray) -> np.ndarray:
        return np.hstack([np.asarray(emb, dtype=np.float32), self.key_matrix(texts)])

    def encode(self, texts: Sequence[str], lang: str | None = None) -> np.ndarray:
        return self.extend(texts, self.inner.encode(list(texts), lang))


def lexical_extend(
    src: Sequence[str],
    tgt: Sequence[str],
    src_emb: np.ndarray,
    tgt_emb: np.ndarray,
    encoder: Any,
    weight: float,
    spread: float,
    prefix: int = PREFIX,
) -> tuple[np.ndarray, np.ndarray, LexicalEncoder] | None:
    """Embeddings of both sides extended so that their dot products are ``cosine + weight *
    spread * lexical``, and the encoder that extends joined texts the same way; ``None`` when
    the two sides share no key (nothing to add)."""
    ks = [keys(t, prefix) for t in src]
    kt = [keys(t, prefix) for t in tgt]
    cs: Counter[str] = Counter(k for s in ks for k in s)
    ct: Counter[str] = Counter(k for s in kt for k in s)
    shared = [k for k in cs if k in ct]
    if not shared or weight <= 0:
        return None
    shared.sort()
    vocab: dict[str, tuple[int, float]] = {}
    for c, k in enumerate(shared):
        w = 1.0 / max(cs[k], ct[k])
        if len(shared) <= MAX_KEYS:
            vocab[k] = (c, w)
        else:  # hashed (crc32: the same columns in every process), with a random sign
            h = zlib.crc32(k.encode())
            vocab[k] = (h % MAX_KEYS, w if (h >> 16) & 1 else -w)
    enc = LexicalEncoder(encoder, vocab, min(len(shared), MAX_KEYS), weight * spread, prefix)
    return enc.extend(src, src_emb), enc.extend(tgt, tgt_emb), enc
