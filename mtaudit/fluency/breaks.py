"""The token break probe: where a sentence stops being one sentence.

A fused clause ("... the council approved the new budget *could have reached* the
harbour ...") or a cut one ("... used a poll to *After the president* questioned ...") is a
run of tokens the LM finds impossible *given the words before them*. A sentence average hides it;
a single surprising word (a rare name, the first word of a sentence) is not it. The probe scores
every token from what the LM's one pass over the sentence gives (:class:`~.lm.TokenScores`):

* scalar features: the token's surprisal, the entropy of the LM's prediction for it and the
  surprisal minus that entropy (surprise beyond what the LM expected), the jump of surprisal over
  the tokens before it, the surprise summed over the next tokens (a window after a clause
  boundary), the word's frequency-normalised score (:mod:`.features`; names and numbers
  clipped), whether the token starts a word, a capitalised word, a name-like word, whether the
  previous token closes a clause (``, ; : .``) and the position in the sentence;
* the LM's last-layer hidden state at the token (576 numbers for SmolLM2-135M), through a
  learned linear probe: the state after reading a broken prefix differs from one after a
  well-formed prefix.

:class:`BreakProbe` is a logistic regression over both (numpy only; its weights live in the
garble model file, ``probes.lm``, written by ``scripts/train_garble.py``). A sentence's break
features (:func:`break_features`) are the highest token logit and the best two-token mean; the
located break (:func:`break_span`) is the run of tokens around the highest one.

A model whose probe carries restart settings (``info.restart``, :func:`restart_config`) also
re-reads the probe's top positions of the sentences that pass a screen fresh from the start
token (:mod:`.restart`): the *restart gain* features say whether the prefix still helps the LM
read what follows. Without them (the default) nothing is re-read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .features import WordScores

__all__ = [
    "SCALAR_FEATURES",
    "BREAK_FEATURES",
    "BreakProbe",
    "token_matrix",
    "token_word_index",
    "break_features",
    "break_span",
    "restart_config",
]

#: Per-token scalar features, in the order of :func:`token_matrix`'s first columns.
SCALAR_FEATURES = (
    "surp",
    "ent",
    "surp_ent",
    "jump",
    "ahead3",
    "word_norm",
    "word_start",
    "cap",
    "name_like",
    "after_punct",
    "log_pos",
    "first2",
)
#: Sentence features the probe adds to the LM profile.
BREAK_FEATURES = ("brk_max", "brk_win2")
#: Tokens before the current one whose mean surprisal the ``jump`` is taken from.
JUMP_CONTEXT = 6
#: Tokens (this one included) the ``ahead3`` window sums surprise-over-entropy over.
AHEAD = 3
_CLAUSE_PUNCT = frozenset(',;:.!?"”“()—–-')


def token_word_index(text: str, offsets: list[tuple[int, int]], ws: WordScores) -> np.ndarray:
    """For each token, the index of the word (``ws.words``) holding its first non-space
    character (whitespace-only tokens: the next word), as :func:`.features.word_scores` does."""
    n = len(ws.words)
    out = np.zeros(len(offsets), dtype=np.int64)
    if n == 0:
        return out
    starts = np.array([w.start for w in ws.words])
    for t, (s, e) in enumerate(offsets):
        pos = s
        while pos < e and text[pos].isspace():
            pos += 1
        if pos >= e:
            pos = e
        k = int(np.searchsorted(starts, pos, side="right") - 1)
        if pos >= e and (k < 0 or ws.words[k].end <= pos):
            k += 1
        out[t] = min(max(k, 0), n - 1)
    return out


def token_matrix(
    text: str,
    offsets: list[tuple[int, int]],
    logprobs: np.ndarray,
    entropy: np.ndarray | None,
    ws: WordScores,
) -> tuple[np.ndarray, np.ndarray]:
    """``(scalars, word_of_token)``: the :data:`SCALAR_FEATURES` of each token (rows) and the
    word each token belongs to. Without entropies the entropy columns are 0."""
    m = len(logprobs)
    surp = -np.asarray(logprobs, dtype=np.float64)
    ent = np.zeros(m) if entropy is None else np.asarray(entropy, dtype=np.float64)
    se = surp - ent
    c = np.concatenate([[0.0], np.cumsum(surp)])
    idx = np.arange(m)
    lo = np.maximum(0, idx - JUMP_CONTEXT)
    cnt = idx - lo
    prev_mean = np.where(cnt > 0, (c[idx] - c[lo]) / np.maximum(cnt, 1), surp.mean() if m else 0)
    jump = surp - prev_mean
    c2 = np.concatenate([[0.0], np.cumsum(np.maximum(se, 0.0))])
    hi = np.minimum(m, idx + AHEAD)
    ahead = c2[hi] - c2[idx]
    wi = token_word_index(text, offsets, ws)
    words = ws.words
    word_norm = np.clip(ws.norm[wi], -20.0, 10.0) if len(words) else np.zeros(m)
    first_tok = np.ones(m, dtype=bool)
    first_tok[1:] = wi[1:] != wi[:-1]
    cap = np.array([bool(words) and words[k].text[:1].isupper() for k in wi], dtype=np.float64)
    name = ws.name_like[wi].astype(np.float64) if len(words) else np.zeros(m)
    after = np.zeros(m)
    for t in range(1, m):
        prev = text[offsets[t - 1][0] : offsets[t - 1][1]].strip()
        after[t] = float(bool(prev) and prev[-1] in _CLAUSE_PUNCT)
    x = np.column_stack(
        [
            np.clip(surp, 0, 30),
            ent,
            np.clip(se, -15, 25),
            np.clip(jump, -20, 25),
            np.clip(ahead, 0, 60),
            word_norm,
            first_tok.astype(np.float64),
            cap,
            name,
            after,
            np.log1p(idx),
            (wi < 2).astype(np.float64),
        ]
    )
    return x.reshape(m, len(SCALAR_FEATURES)), wi


@dataclass
class BreakProbe:
    """A logistic regression over a token's scalar features (standardised) and its hidden state
    (standardised, then a linear probe)."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    hidden_mean: np.ndarray
    hidden_scale: np.ndarray
    hidden_coef: np.ndarray
    intercept: float
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def n_hidden(self) -> int:
        return len(self.hidden_coef)

    def logits(self, scalars: np.ndarray, hidden: np.ndarray | None) -> np.ndarray:
        """Per-token log-odds that the token sits on a break. Without hidden states (an LM
        that gives none, or of another width) only the scalar part counts."""
        z = (scalars - self.mean) / self.scale
        out = z @ self.coef + self.intercept
        if hidden is not None and hidden.ndim == 2 and hidden.shape[1] == self.n_hidden:
            h = (hidden.astype(np.float64) - self.hidden_mean) / self.hidden_scale
            out = out + h @ self.hidden_coef
        return out

    def to_dict(self) -> dict[str, Any]:
        def r(a: np.ndarray) -> list[float]:
            return [round(float(v), 6) for v in a]

        return {
            "features": list(SCALAR_FEATURES),
            "mean": r(self.mean),
            "scale": r(self.scale),
            "coef": r(self.coef),
            "hidden_mean": r(self.hidden_mean),
            "hidden_scale": r(self.hidden_scale),
            "hidden_coef": r(self.hidden_coef),
            "intercept": round(float(self.intercept), 6),
            "info": self.info,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> BreakProbe:
        if list(d.get("features", SCALAR_FEATURES)) != list(SCALAR_FEATURES):
            raise ValueError("the break probe was trained on other token features")
        return cls(
            mean=np.asarray(d["mean"], dtype=np.float64),
            scale=np.asarray(d["scale"], dtype=np.float64),
            coef=np.asarray(d["coef"], dtype=np.float64),
            hidden_mean=np.asarray(d.get("hidden_mean", []), dtype=np.float64),
            hidden_scale=np.asarray(d.get("hidden_scale", []), dtype=np.float64),
            hidden_coef=np.asarray(d.get("hidden_coef", []), dtype=np.float64),
            intercept=float(d["intercept"]),
            info=dict(d.get("info", {})),
        )


def token_logits(
    probe: BreakProbe,
    text: str,
    offsets: list[tuple[int, int]],
    logprobs: np.ndarray,
    entropy: np.ndarray | None,
    hidden: np.ndarray | None,
    ws: WordScores,
) -> tuple[np.ndarray, np.ndarray]:
    """``(logits, word_of_token)`` for one sentence."""
    x, wi = token_matrix(text, offsets, logprobs, entropy, ws)
    return probe.logits(x, hidden), wi


def break_features(logits: np.ndarray) -> dict[str, float]:
    """The sentence's break features: the highest token logit (the first token, predicted from
    nothing, left out) and the best mean of two neighbouring tokens."""
    lg = np.asarray(logits, dtype=np.float64)[1:]
    if len(lg) == 0:
        return {}
    win2 = float(np.max((lg[1:] + lg[:-1]) / 2.0)) if len(lg) > 1 else float(lg[0])
    return {"brk_max": float(lg.max()), "brk_win2": win2}


#: Tokens whose logit is within this of the highest one join the located break.
SPAN_MARGIN = 2.0


def break_span(
    logits: np.ndarray, word_of_token: np.ndarray, ws: WordScores
) -> tuple[int, int] | None:
    """Character offsets (within the sentence) of the located break: the word before the
    highest-scoring token through the run of tokens after it that score within
    :data:`SPAN_MARGIN` of it (at least its own word, at most four words)."""
    lg = np.asarray(logits, dtype=np.float64)
    if len(lg) < 2 or not ws.words:
        return None
    t = 1 + int(np.argmax(lg[1:]))
    j = t
    while j + 1 < len(lg) and lg[j + 1] >= lg[t] - SPAN_MARGIN:
        j += 1
    w0 = int(word_of_token[t])
    w1 = min(int(word_of_token[j]), w0 + 3)
    w0 = max(0, w0 - 1)
    return ws.words[w0].start, ws.words[w1].end


def restart_config(probe: BreakProbe | None) -> Any:
    """The probe's restart-gain settings (:class:`.restart.RestartConfig`), or ``None`` when
    the model has none (restart features off)."""
    if probe is None or not isinstance(probe.info.get("restart"), Mapping):
        return None
    from .restart import RestartConfig

    return RestartConfig.from_dict(probe.info["restart"])
