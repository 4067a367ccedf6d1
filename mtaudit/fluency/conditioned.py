"""Source-conditioned LM surprisal: how much the source makes each target token expected.

A causal LM that reads the source before the target is a weak translation model. For each
(source, target) pair a :class:`ConditionedScorer` returns two log-probabilities per target
token, from one batched decode:

* ``cond`` — the token given the source prompt (:func:`prompt`) and the target words before it;
* ``uncond`` — the token given only the target words before it (after the start token).

``cond - uncond`` (the *gain*) is high for a word the source supports (a name, a number, a term
the LM could not have guessed but the source contains) and near zero or negative for a word
the source does not explain: an addition, a mistranslation, broken output.

One implementation: :class:`GemmaConditionedScorer`, the opt-in multilingual LM
(:class:`~.gemma.GemmaScorer`, the ``multilingual`` extra) through the same llama.cpp batching
as every other LM here. Both readings share the target's token ids, so the two arrays line up
token for token; :func:`word_logprobs` sums them into words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from .gemma import GemmaScorer
from .tokens import TokenScores, _log_softmax_pick

__all__ = [
    "ConditionedScores",
    "ConditionedScorer",
    "GemmaConditionedScorer",
    "LANG_NAMES",
    "prompt",
    "word_logprobs",
]

#: English names of languages for the prompt (others are named by their code).
LANG_NAMES = {
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "et": "Estonian",
    "fr": "French",
    "hr": "Croatian",
    "it": "Italian",
    "ja": "Japanese",
    "ne": "Nepali",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "si": "Sinhala",
    "uk": "Ukrainian",
    "zh": "Chinese",
}


def _name(lang: str | None) -> str:
    code = (lang or "").split("-")[0].split("_")[0].lower()
    return LANG_NAMES.get(code, code or "Source")


def prompt(source: str, src_lang: str | None, tgt_lang: str | None) -> str:
    """The text read before the target: ``"German: <source>\\nEnglish:\\n"``."""
    return f"{_name(src_lang)}: {' '.join(source.split())}\n{_name(tgt_lang)}:\n"


@dataclass
class ConditionedScores:
    """One target's tokens, with their log-probs given the source (``cond``) and without
    (``uncond``); ``tokens``/``offsets`` as in :class:`~.lm.TokenScores`."""

    tokens: list[str]
    offsets: list[tuple[int, int]]
    cond: np.ndarray
    uncond: np.ndarray

    def __post_init__(self) -> None:
        self.cond = np.asarray(self.cond, dtype=np.float64)
        self.uncond = np.asarray(self.uncond, dtype=np.float64)
        if not (len(self.tokens) == len(self.offsets) == len(self.cond) == len(self.uncond)):
            raise ValueError("tokens, offsets, cond and uncond must have the same length")

    @property
    def gain(self) -> np.ndarray:
        """``cond - uncond`` per token (nats)."""
        return self.cond - self.uncond

    def as_token_scores(self, which: str = "cond") -> TokenScores:
        return TokenScores(self.tokens, self.offsets, getattr(self, which))


@runtime_checkable
class ConditionedScorer(Protocol):
    """An LM that scores targets with and without their source; ``name``/``version`` go to
    the report's signature."""

    name: str
    version: str

    def conditioned_logprobs(
        self,
        sources: Sequence[str],
        targets: Sequence[str],
        src_lang: str | None,
        tgt_lang: str | None,
    ) -> list[ConditionedScores]:
        """One :class:`ConditionedScores` per pair (an empty target gives empty arrays)."""
        ...


class GemmaConditionedScorer(GemmaScorer):
    """Gemma-3-270M reading ``prompt(source) + target`` and ``target`` alone.

    A wider context than the plain scorer (``n_ctx`` 1024): a source and its target, and the
    batch packs several pairs into one decode (each pair's two readings are sequences of their
    own). Sources are cut to :attr:`max_source_tokens` tokens (their start kept).
    """

    name = "gemma-3-270m-conditioned"
    #: The longest source prefix read (tokens).
    max_source_tokens = 200

    def __init__(
        self,
        n_threads: int | None = None,
        n_ctx: int = 1024,
        max_seqs: int = 16,
        quant: str | None = None,
    ) -> None:
        super().__init__(n_threads=n_threads, n_ctx=n_ctx, max_seqs=max_seqs, quant=quant)

    def conditioned_logprobs(
        self,
        sources: Sequence[str],
        targets: Sequence[str],
        src_lang: str | None,
        tgt_lang: str | None,
    ) -> list[ConditionedScores]:
        if len(sources) != len(targets):
            raise ValueError("sources and targets must have the same length")
        seqs: list[list[int]] = []
        skips: list[int] = []
        prepared = []
        for src, tgt in zip(sources, targets, strict=True):
            if not tgt.strip():
                prepared.append(None)
                continue
            ids, tokens, offsets = self._tokenize(tgt)
            pre = self._tokenize(prompt(src, src_lang, tgt_lang))[0]
            if len(pre) > self.max_source_tokens:
                tail = self._tokenize(f"\n{_name(tgt_lang)}:\n")[0]
                pre = pre[: self.max_source_tokens - len(tail)] + tail
            prepared.append((tokens, offsets, len(seqs)))
            seqs += [pre + ids, list(ids)]
            skips += [len(pre), 0]
        res = self._score_tails(seqs, skips)
        out = []
        for p in prepared:
            if p is None:
                out.append(ConditionedScores([], [], np.zeros(0), np.zeros(0)))
                continue
            tokens, offsets, k = p
            out.append(ConditionedScores(tokens, offsets, res[k], res[k + 1]))
        return out

    def _score_tails(self, seqs: list[list[int]], skips: list[int]) -> list[np.ndarray]:
        """Log-probs of ``seq[skip:]`` for each id list, each read after the start token.

        Only the rows that predict those tokens are asked of llama.cpp: the prompt's own
        logits (a 262k-word vocabulary, the largest matrix of the model) are never computed.
        Lists that do not fit the context are read in pieces by the plain scorer.
        """
        import llama_cpp

        out: list[np.ndarray | None] = [None] * len(seqs)
        long = [k for k, q in enumerate(seqs) if len(q) + 1 > self.n_ctx]
        if long:
            for k, lp in zip(long, self._score_ids([seqs[k] for k in long]), strict=True):
                out[k] = lp[skips[k] :]
        todo = [k for k, q in enumerate(seqs) if len(q) + 1 <= self.n_ctx and len(q) > skips[k]]
        for k, q in enumerate(seqs):
            if out[k] is None and len(q) <= skips[k]:
                out[k] = np.zeros(0)
        i = 0
        while i < len(todo):
            group, used = [], 0
            while i < len(todo) and len(group) < self.max_seqs:
                n = len(seqs[todo[i]]) + 1
                if group and used + n > self.n_ctx:
                    break
                group.append(todo[i])
                used += n
                i += 1
            llm, ctx, batch = self._llm()
            n_vocab = llm.n_vocab()
            ctx.kv_cache_clear()
            batch.reset()
            raw = batch.batch
            j = 0
            for sid, k in enumerate(group):
                full = [self.start_token, *seqs[k]]
                for pos, tok in enumerate(full):
                    raw.token[j] = tok
                    raw.pos[j] = pos
                    raw.seq_id[j][0] = sid
                    raw.n_seq_id[j] = 1
                    # the row at position pos predicts full[pos + 1] = seqs[k][pos]
                    raw.logits[j] = skips[k] <= pos < len(full) - 1
                    j += 1
            raw.n_tokens = j
            ctx.decode(batch)
            rows = sum(len(seqs[k]) - skips[k] for k in group)
            logits = np.ctypeslib.as_array(
                llama_cpp.llama_get_logits(ctx.ctx), shape=(rows, n_vocab)
            )
            targets = np.concatenate([np.asarray(seqs[k][skips[k] :]) for k in group])
            lp = _log_softmax_pick(logits, targets)
            ctx.kv_cache_clear()
            pos = 0
            for k in group:
                n = len(seqs[k]) - skips[k]
                out[k] = lp[pos : pos + n]
                pos += n
        return [np.zeros(0) if x is None else x for x in out]


def word_logprobs(
    text: str, offsets: Sequence[tuple[int, int]], values: np.ndarray, spans
) -> np.ndarray:
    """Per-token values summed into words (``spans``: each word's ``(start, end)`` in
    ``text``). A token over several words (a multi-character Chinese token) is shared evenly
    among them; a whitespace-only token goes to the next word."""
    n = len(spans)
    out = np.zeros(n, dtype=np.float64)
    if n == 0:
        return out
    starts = np.array([s for s, _ in spans])
    ends = np.array([e for _, e in spans])
    for (s, e), v in zip(offsets, values, strict=True):
        while s < e and text[s].isspace():
            s += 1
        if s >= e:  # whitespace only: the next word
            k = int(np.searchsorted(starts, e, side="left"))
            out[min(k, n - 1)] += v
            continue
        hit = np.nonzero((starts < e) & (ends > s))[0]
        if len(hit) == 0:  # between words (punctuation the word regex skips): the next one
            k = int(np.searchsorted(starts, s, side="left"))
            out[min(k, n - 1)] += v
        else:
            out[hit] += v / len(hit)
    return out
