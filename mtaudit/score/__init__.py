"""Quality scores for translated segments.

* :mod:`mtaudit.score.reference` — BLEU, chrF, chrF++ and TER against a reference (sacrebleu,
  part of the default install).
* :mod:`mtaudit.score.comet` — COMET / CometKiwi from a local checkpoint (optional extra
  ``mtaudit[comet]``; torch and COMET are imported only when a scorer is created).
"""

from __future__ import annotations

from .comet import CometScorer
from .reference import METRICS, ReferenceScores, bleu_tokenizer, reference_scores

__all__ = ["CometScorer", "METRICS", "ReferenceScores", "bleu_tokenizer", "reference_scores"]
