"""The models an audit uses, behind small protocols, and the one place that loads them.

The pipeline receives models, it never imports one: an :class:`~mtaudit.encoders.Encoder`
(sentences → unit vectors), a :class:`SentenceScorer` (fluency: sentences → per-sentence
results, built on a token scorer, :class:`mtaudit.fluency.TokenScorer`) and a
:class:`~mtaudit.score.stage.SegmentScorer` (COMET-like: ``{"src", "mt"[, "ref"]}`` items →
scores). :func:`load_models` builds them from a :class:`~mtaudit.config.Settings`, once per
process (a batch worker, a Ray actor, one ``mtaudit audit`` run); objects passed in by an API
caller are used as they are.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from .config import Settings
from .encoders import ST_PREFIX, Encoder, default_encoder, make_encoder
from .errors import first_line
from .score.stage import SegmentScorer

__all__ = [
    "Encoder",
    "Models",
    "SegmentScorer",
    "SentenceScorer",
    "check_comet",
    "load_models",
]


@runtime_checkable
class SentenceScorer(Protocol):
    """What the fluency stage needs from a fluency scorer (:class:`mtaudit.fluency.FluencyScorer`).

    ``score`` returns one result per sentence (an object with a 0–100 ``score``, a ``span`` and
    ``signals``; see :class:`mtaudit.fluency.FluencyResult`) or ``None`` where it has nothing to
    say. Optional: ``name``; ``components(lang)`` describing what scores a language (for the
    signature); ``in_context(True)`` when it can read a document as running text, in which case
    ``score(..., context=True, prefix=[...])`` is called.
    """

    def score(self, sentences: Sequence[str], lang: str | None) -> list[Any]:
        """One result (or ``None``) per sentence."""
        ...


@dataclass
class Models:
    """The loaded models of an audit.

    ``encoder`` None means the bundled encoder for each document's language pair (chosen after
    language detection; ``threads`` is its thread budget). ``fluency`` None means no fluency
    stage; ``notes`` then says why (``{"fluency": "disabled"}``), and holds what else was left
    out while loading (e.g. ``fluency.multilingual_lm``), for ``signature.skipped``.
    """

    encoder: Encoder | None = None
    fluency: SentenceScorer | None = None
    comet: SegmentScorer | None = None
    threads: int | None = None
    notes: dict[str, str] = field(default_factory=dict)

    def encoder_for(self, src_lang: str | None, tgt_lang: str | None) -> Encoder:
        """The encoder for a document pair in these languages."""
        if self.encoder is not None:
            return self.encoder
        return default_encoder(src_lang, tgt_lang, self.threads)

    def warm_up(self, settings: Settings) -> None:
        """Load the sentence encoder now rather than inside the first unit (a worker's start)."""
        enc = self.encoder
        if enc is None and settings.src_lang and settings.tgt_lang:
            enc = self.encoder_for(settings.src_lang, settings.tgt_lang)
        if enc is not None:
            with contextlib.suppress(Exception):  # a broken model: the units will report it
                enc.encode(["warm-up"], settings.src_lang)


def _load_fluency(settings: Settings, notes: dict[str, str]) -> SentenceScorer | None:
    """The default fluency scorer (None with a note when it cannot be loaded)."""
    try:
        from .fluency import default_scorer
    except ImportError as exc:  # pragma: no cover - the fluency module is part of the package
        notes["fluency"] = f"fluency module unavailable: {exc}"
        return None
    try:
        return default_scorer()
    except Exception as exc:  # ModelUnavailableError and friends: skip, say why
        notes["fluency"] = first_line(exc)
        return None


def _with_multilingual(scorer: Any, notes: dict[str, str]) -> Any:
    """``scorer`` with the opt-in multilingual LM added (a copy: the caller's object is left as
    it was), when it is a :class:`~mtaudit.fluency.FluencyScorer` without one."""
    from .fluency import FluencyScorer, load_multilingual_lm

    if not isinstance(scorer, FluencyScorer) or scorer.multilingual is not None:
        return scorer
    try:
        mlm = load_multilingual_lm()
    except Exception as exc:  # not installed: non-English sides keep lex+lg
        notes["fluency.multilingual_lm"] = first_line(exc)
        return scorer
    scorer = copy.copy(scorer)
    scorer.multilingual = mlm
    return scorer


def load_models(
    settings: Settings,
    *,
    encoder: Encoder | None = None,
    fluency: SentenceScorer | None = None,
    comet: SegmentScorer | None = None,
    threads: int | None = None,
) -> Models:
    """The models ``settings`` asks for; ``encoder``/``fluency``/``comet`` objects given here are
    used instead of loading. ``threads`` is the worker's thread budget for the encoder.

    A bad ``comet_model`` raises :class:`~mtaudit.errors.InputError` (before anything runs); a
    fluency LM that is not installed is skipped and noted, not raised.
    """
    notes: dict[str, str] = {}
    if encoder is None and settings.encoder is not None:
        encoder = make_encoder(settings.encoder, threads)
    scorer: SentenceScorer | None = None
    if not settings.runs_fluency:
        notes["fluency"] = "disabled"
    else:
        scorer = fluency if fluency is not None else _load_fluency(settings, notes)
        if scorer is not None and settings.multilingual_lm:
            scorer = _with_multilingual(scorer, notes)
    if comet is None and settings.comet_model:
        from .score import CometScorer

        comet = CometScorer(settings.comet_model)  # fails early, with a one-line message
    return Models(encoder=encoder, fluency=scorer, comet=comet, threads=threads, notes=notes)


def check_comet(settings: Settings) -> None:
    """Raise :class:`~mtaudit.errors.InputError` now if ``settings.comet_model`` or an
    ``st:PATH`` encoder cannot be loaded (for runs whose worker processes load the models
    themselves: a broken model is one line and exit 2, not a crash in every worker)."""
    if settings.encoder and settings.encoder.startswith(ST_PREFIX):
        from .encoders_st import check_loads

        check_loads(settings.encoder)
    if settings.comet_model:
        from .score import CometScorer

        CometScorer(settings.comet_model)
