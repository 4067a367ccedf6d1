"""What a causal language model says about a text, token by token: the types every LM behind
:mod:`mtaudit.fluency.lm` returns and the log-softmax they are computed with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["TokenScores", "TokenScorer"]


@dataclass
class TokenScores:
    """What a causal LM says about one text.

    ``tokens[i]`` is the text of token ``i``; ``offsets[i]`` its ``(start, end)`` character span in
    the scored text (a leading space belongs to the token, as in BPE vocabularies); ``logprobs[i]``
    the natural-log probability of the token given everything before it in the text.

    An LM that can say more fills the optional arrays, taken from the same decode (no second
    pass): ``entropy[i]`` is the entropy (nats) of the LM's prediction *for* token ``i`` (how sure
    it was before seeing it), ``hidden[i]`` the last-layer state *at* token ``i`` (after reading
    it; float32, one row per token). The garble model's token probe (:mod:`.breaks`) reads them.
    """

    tokens: list[str]
    offsets: list[tuple[int, int]]
    logprobs: np.ndarray
    entropy: np.ndarray | None = None
    hidden: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.logprobs = np.asarray(self.logprobs, dtype=np.float64)
        if not (len(self.tokens) == len(self.offsets) == len(self.logprobs)):
            raise ValueError("tokens, offsets and logprobs must have the same length")
        if self.entropy is not None:
            self.entropy = np.asarray(self.entropy, dtype=np.float64)
            if len(self.entropy) != len(self.logprobs):
                raise ValueError("entropy must have one value per token")
        if self.hidden is not None:
            self.hidden = np.asarray(self.hidden, dtype=np.float32)
            if self.hidden.ndim != 2 or len(self.hidden) != len(self.logprobs):
                raise ValueError("hidden must have one row per token")


@runtime_checkable
class TokenScorer(Protocol):
    """A causal LM.

    ``name``/``version`` go to the report's signature; ``langs`` are the languages it models well
    (ISO 639-1; empty means "unknown, try any").
    """

    name: str
    version: str
    langs: frozenset[str]

    def token_logprobs(self, texts: Sequence[str]) -> list[TokenScores]:
        """Score each text independently (no context from the other texts)."""
        ...


def _log_softmax_pick(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """``log_softmax(logits)[i, targets[i]]`` for every row.

    The exponentials stay in float32 (the logits' own precision; 4-5x faster than a float64 copy
    of a 49k-wide vocabulary) and are summed in float64: the result differs from an all-float64
    computation by < 1e-7 nats.
    """
    return _log_softmax_pick_entropy(logits, targets, entropy=False)[0]


def _log_softmax_pick_entropy(
    logits: np.ndarray, targets: np.ndarray, entropy: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """:func:`_log_softmax_pick` and, with ``entropy``, each row's softmax entropy (nats), from
    the same exponentials (one extra product per row)."""
    z = np.asarray(logits, dtype=np.float32)
    m = z.max(axis=1, keepdims=True)
    e = np.subtract(z, m)
    np.exp(e, out=e)
    tot = e.sum(axis=1, dtype=np.float64)
    lse = np.log(tot) + m[:, 0].astype(np.float64)
    lp = z[np.arange(len(targets)), targets].astype(np.float64) - lse
    if not entropy:
        return lp, None
    # H = log-sum-exp(z) - E[z], the expectation under the softmax (e / sum e)
    ez = np.einsum("ij,ij->i", e, z, dtype=np.float64) / tot
    return lp, lse - ez
