"""The fluency stage: score every content sentence of both sides with the fluency scorer.

Runs after alignment and before the checks; the ``garbled`` and ``fluency`` checks read its
results from ``ctx.signals["fluency"]``, and each scored sentence's ``Sentence.fluency`` is set.
A time budget (``Settings.time_budget``) stops it early: sentences not reached are left unscored
and ``signature.skipped`` says how many.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from ..checks.base import CheckContext
from ..errors import ModelUnavailableError, first_line

__all__ = ["BudgetedScorer", "fluency_stage"]


class BudgetedScorer:
    """A fluency scorer that stops scoring once ``deadline`` has passed: sentences in chunks,
    ``None`` (not scored) for every chunk that starts after the deadline."""

    CHUNK = 32

    def __init__(self, scorer: Any, deadline: float) -> None:
        self.scorer, self.deadline = scorer, deadline
        self.scored = self.unscored = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.scorer, name)

    def score(self, sentences: Sequence[str], lang: str | None, context: bool = False) -> list[Any]:
        """Score ``sentences`` chunk by chunk until the deadline."""
        out: list[Any] = []
        for k in range(0, len(sentences), self.CHUNK):
            part = list(sentences[k : k + self.CHUNK])
            if time.perf_counter() >= self.deadline:
                out += [None] * len(part)
                self.unscored += len(part)
            elif context:
                # the chunk is read after the two sentences before it (close to an unbudgeted run)
                prefix = list(sentences[max(0, k - 2) : k])
                out += self.scorer.score(part, lang, context=True, prefix=prefix)
                self.scored += len(part)
            else:
                out += self.scorer.score(part, lang)
                self.scored += len(part)
        return out


def fluency_stage(
    ctx: CheckContext,
    scorer: Any,
    skipped: dict[str, str],
    components: dict[str, str],
    *,
    time_budget: float | None = None,
    as_document: bool = True,
) -> None:
    """Score fluency of both sides with ``scorer`` (None: nothing to do) into ``ctx.signals``.

    ``as_document``: the sides are running text (documents, or pairs cut from one document), so
    a scorer that can (``in_context(True)``) reads each sentence after the text before it.
    What was left out goes into ``skipped``, what scored each side into ``components``.
    """
    from .wordtags import word_tag_stage

    deadline = None if time_budget is None else time.perf_counter() + time_budget
    if scorer is None:
        word_tag_stage(ctx, components, deadline=deadline, skipped=skipped)  # LM-free word tags
        return
    from ..fluency import compute_fluency_signals

    name = f"{getattr(scorer, 'name', type(scorer).__name__)}"
    describe = getattr(scorer, "components", None)  # what scores each language, if it says
    wants = getattr(scorer, "in_context", None)
    in_context = as_document and callable(wants) and bool(wants(True))
    if deadline is not None:
        scorer = BudgetedScorer(scorer, deadline)
    try:
        signals = compute_fluency_signals(ctx.source, ctx.target, scorer, context=in_context)
    except (ImportError, ModelUnavailableError) as exc:  # a missing optional piece: skip, say so
        skipped["fluency"] = first_line(exc)
        word_tag_stage(ctx, components, deadline=deadline, skipped=skipped)
        return
    if isinstance(scorer, BudgetedScorer) and scorer.unscored:
        skipped["fluency.time_budget"] = (
            f"time budget of {time_budget:g} s spent: {scorer.unscored} of "
            f"{scorer.scored + scorer.unscored} sentences not checked for fluency or garbling "
            "(raise it with --time-budget)"
        )
    ctx.signals["fluency"] = signals
    components["fluency"] = name
    for side_name in ("source", "target"):
        side = ctx.side(side_name)
        parts = describe(side.lang) if callable(describe) else {}
        for key, value in sorted(parts.items()):
            components[key.replace("fluency.", f"fluency.{side_name}.", 1)] = value
        if parts.get("fluency.lm") and "fluency.context" not in parts:
            components[f"fluency.{side_name}.context"] = (
                "document: each sentence read after the text before it"
                if in_context
                else "none: each segment read on its own"
            )
        if callable(describe) and not parts:
            components[f"fluency.{side_name}"] = f"not scored: no fluency signals for {side.lang}"
        for sent, res in zip(side.sentences, signals.get(side_name, [])):
            if res is not None:
                sent.fluency = float(res.score)
    word_tag_stage(ctx, components, deadline=deadline, skipped=skipped)
