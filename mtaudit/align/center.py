"""Per-side centering of sentence embeddings for alignment (pure numpy).

Sentence embeddings of one document share a common direction — the document's topic, its
language, the encoder's own bias — so every sentence is somewhat close to every sentence of the
other side. Subtracting each side's mean vector and renormalising (Mu & Viswanath 2018,
"all-but-the-top", for word vectors; the same idea as the hubness corrections in the aligners)
leaves the part of each vector that tells the sentences of the document apart. Optionally only
a share ``shrink`` of the mean is removed, and the side's ``components`` top principal
directions (of the centred vectors) are projected out too.

A *transform* is fitted on one side's sentence embeddings and applied to every vector of that
side: its sentences and the joined texts of groups of its sentences (beads, joins), so a group
embedding lives in the same space as its sentences. :class:`CenteredEncoder` applies it to
whatever the wrapped encoder returns and keeps the raw vectors, so the similarities reported on
links can stay raw encoder cosines (the checks and quality scores are calibrated on those).

Settings are written as a short string (``center=`` of :func:`align_translation`,
``ComparableSettings.center``): ``"off"``; ``"mean"`` (the whole mean); ``"mean:0.5"`` (half of
it); ``"abtt:1"`` / ``"abtt:2"`` (the whole mean and the top one / two directions);
``"abtt:1:0.5"`` (half the mean, one direction); ``"cap:0.6"`` (as much of the mean as leaves a
mean of norm at most 0.6: a side of an anisotropic encoder such as E5, whose sentence vectors
share a mean of norm ~0.9, loses a third of it; a USE side, ~0.3–0.6, nothing). The cost is linear in the sentences (plus
``d³`` for the directions, ``d`` the dimension).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "CenterSpec",
    "CenteredEncoder",
    "SideTransform",
    "center_pair",
    "center_shared",
    "fit",
    "parse",
]

#: A side with fewer sentences than this is not centred (its mean would be mostly the
#: sentences themselves); nor is the other side of the pair then.
MIN_SENTENCES = 8


@dataclass(frozen=True)
class CenterSpec:
    """What to remove: ``shrink`` times the side's mean, then its ``components`` top directions."""

    shrink: float = 1.0
    components: int = 0
    #: Instead of a fixed share: remove just enough of the mean that what is left has at most
    #: this norm (a side whose sentences share little stays as it is).
    cap: float | None = None


def parse(spec: str | None) -> CenterSpec | None:
    """The :class:`CenterSpec` written as ``spec`` (see the module's docstring); ``None`` = off."""
    if spec is None:
        return None
    text = str(spec).strip().lower()
    if text in ("", "off", "none", "false", "0"):
        return None
    parts = text.split(":")
    try:
        if parts[0] == "mean" and len(parts) <= 2:
            shrink = float(parts[1]) if len(parts) == 2 else 1.0
            out = CenterSpec(shrink, 0)
        elif parts[0] == "cap" and len(parts) == 2:
            out = CenterSpec(1.0, 0, float(parts[1]))
            if not 0.0 <= float(parts[1]) <= 1.0:
                raise ValueError
        elif parts[0] == "abtt" and 2 <= len(parts) <= 3:
            shrink = float(parts[2]) if len(parts) == 3 else 1.0
            out = CenterSpec(shrink, int(parts[1]))
        else:
            raise ValueError
    except ValueError:
        raise ValueError(
            "centering must be 'off', 'mean', 'mean:S', 'cap:R', 'abtt:K' or 'abtt:K:S', "
            f"not {spec!r}"
        ) from None
    if not (0.0 <= out.shrink <= 1.0) or not (0 <= out.components <= 8):
        raise ValueError(f"centering {spec!r}: shrink must be in [0, 1] and K in 0..8")
    return out


def _unit(mat: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(mat, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return (mat / norms).astype(np.float32)


@dataclass(frozen=True)
class SideTransform:
    """``v ↦ unit(P(v − shift))``, ``shift`` the (shrunk) side mean and ``P`` the projection
    off the rows of ``directions`` (orthonormal, possibly none)."""

    shift: np.ndarray  # (d,)
    directions: np.ndarray  # (k, d)

    def apply(self, vecs: np.ndarray) -> np.ndarray:
        v = np.asarray(vecs, dtype=np.float32)
        if v.size == 0:
            return v.astype(np.float32)
        out = v - self.shift[None, :]
        if len(self.directions):
            out = out - (out @ self.directions.T) @ self.directions
        return _unit(out)


def fit(emb: np.ndarray, spec: CenterSpec) -> SideTransform:
    """The transform of one side fitted on its sentence embeddings ``emb`` (``(n, d)``)."""
    x = np.asarray(emb, dtype=np.float64)
    d = x.shape[1] if x.ndim == 2 else 0
    mean = x.mean(axis=0) if len(x) else np.zeros(d)
    dirs = np.zeros((0, d), dtype=np.float32)
    if spec.components > 0 and len(x) > spec.components + 1:
        c = x - mean[None, :]
        _, vecs = np.linalg.eigh(c.T @ c)  # ascending eigenvalues
        dirs = vecs[:, ::-1][:, : spec.components].T.astype(np.float32)
    shrink = spec.shrink
    if spec.cap is not None:
        norm = float(np.linalg.norm(mean))
        shrink = max(0.0, 1.0 - spec.cap / norm) if norm > 0 else 0.0
    return SideTransform((shrink * mean).astype(np.float32), dirs)


class CenteredEncoder:
    """An encoder whose vectors are ``inner``'s passed through a side transform.

    ``transforms`` maps a language code (as the aligner passes it) to the transform of the side
    in that language; ``default`` serves any other code. The raw vectors of everything encoded
    are kept: :meth:`raw_encoder` returns an encoder that serves them (so the link similarities
    can be raw cosines without encoding anything twice)."""

    def __init__(
        self,
        inner: object,
        default: SideTransform,
        transforms: dict[str | None, SideTransform] | None = None,
    ) -> None:
        self.inner = inner
        self.name = getattr(inner, "name", "encoder")
        self.version = getattr(inner, "version", "")
        self.default = default
        self.transforms = dict(transforms or {})
        self._raw: dict[tuple[str | None, str], np.ndarray] = {}

    def _raw_vecs(self, texts: Sequence[str], lang: str | None) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if (lang, t) not in self._raw))
        if todo:
            vecs = np.asarray(self.inner.encode(todo, lang), dtype=np.float32)  # type: ignore[attr-defined]
            for t, v in zip(todo, vecs, strict=True):
                self._raw[(lang, t)] = v
        if not texts:
            return np.zeros((0, len(self.default.shift)), dtype=np.float32)
        return np.stack([self._raw[(lang, t)] for t in texts])

    def encode(self, sentences: Sequence[str], lang: str | None = None) -> np.ndarray:
        raw = self._raw_vecs(list(sentences), lang)
        return self.transforms.get(lang, self.default).apply(raw)

    def raw_encoder(self) -> _RawView:
        return _RawView(self)


class _RawView:
    """The raw vectors behind a :class:`CenteredEncoder` (encoding what it has not seen)."""

    def __init__(self, owner: CenteredEncoder) -> None:
        self.owner = owner
        self.name = owner.name
        self.version = owner.version

    def encode(self, sentences: Sequence[str], lang: str | None = None) -> np.ndarray:
        return self.owner._raw_vecs(list(sentences), lang)


def center_pair(
    src_emb: np.ndarray,
    tgt_emb: np.ndarray,
    encoder: object,
    spec: CenterSpec | None,
) -> tuple[np.ndarray, np.ndarray, CenteredEncoder, CenteredEncoder] | None:
    """Both sides centred, and an encoder per side that centres joined texts the same way
    (translation mode: each side encodes its own groups); ``None`` when ``spec`` is off or a
    side has fewer than :data:`MIN_SENTENCES` sentences."""
    if spec is None or len(src_emb) < MIN_SENTENCES or len(tgt_emb) < MIN_SENTENCES:
        return None
    tx, ty = fit(src_emb, spec), fit(tgt_emb, spec)
    ex = CenteredEncoder(encoder, tx)
    ey = CenteredEncoder(encoder, ty)
    return tx.apply(src_emb), ty.apply(tgt_emb), ex, ey


def center_shared(
    src_emb: np.ndarray,
    tgt_emb: np.ndarray,
    encoder: object,
    spec: CenterSpec | None,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
) -> tuple[np.ndarray, np.ndarray, CenteredEncoder] | None:
    """As :func:`center_pair`, with one encoder for both sides that picks the transform by the
    language code (``src_lang`` → the source side's, ``tgt_lang`` → the target's). When the
    two codes are equal the sides cannot be told apart, so one transform fitted on both sides
    together serves both."""
    if spec is None or len(src_emb) < MIN_SENTENCES or len(tgt_emb) < MIN_SENTENCES:
        return None
    if src_lang == tgt_lang:
        t = fit(np.vstack([src_emb, tgt_emb]), spec)
        return t.apply(src_emb), t.apply(tgt_emb), CenteredEncoder(encoder, t)
    tx, ty = fit(src_emb, spec), fit(tgt_emb, spec)
    enc = CenteredEncoder(encoder, ty, {src_lang: tx, tgt_lang: ty})
    return tx.apply(src_emb), ty.apply(tgt_emb), enc
