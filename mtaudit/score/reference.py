"""Reference-based scores with sacrebleu: BLEU, chrF, chrF++ and TER, per segment and per corpus.

:func:`reference_scores` compares translated segments with one reference each and returns every
metric per segment and for the whole corpus, with sacrebleu's signature string for each metric so
that a number can be reproduced with ``sacrebleu`` itself.

The BLEU tokenizer follows the target language the way sacrebleu's command line does (``zh`` for
Chinese, ``ja-mecab`` / ``ko-mecab`` for Japanese / Korean), except that only tokenizers that run
offline are used: the MeCab ones only when their packages are installed (``pip install
'sacrebleu[ja]'`` / ``'sacrebleu[ko]'``), else ``char`` for Japanese and ``13a`` for Korean, and
``char`` for Thai, Lao, Khmer and Burmese (no spaces between words); ``13a`` otherwise. The
flores SPM tokenizers are never used: they download their model at run time. The tokenizer is
part of the BLEU signature.

Segment BLEU uses effective order (``eff:yes``), as sentence-level BLEU should; corpus BLEU does
not. Scores are on sacrebleu's 0–100 scale; TER is an error rate (lower is better, can exceed 100).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..errors import InputError
from ..langid import base_lang

__all__ = ["METRICS", "ReferenceScores", "reference_scores", "bleu_tokenizer"]

#: The metrics :func:`reference_scores` computes, in report order.
METRICS: tuple[str, ...] = ("bleu", "chrf", "chrf++", "ter")

# Scripts written without spaces between words: character-level BLEU.
_CHAR_LANGS = frozenset({"th", "lo", "km", "my", "bo", "dz"})
# Languages for which TER's "asian support" (CJK character splitting) applies.
_ASIAN_LANGS = frozenset({"zh", "ja", "ko"})


@cache
def _tokenizer_works(name: str) -> bool:
    """Whether sacrebleu's optional tokenizer ``name`` can be built here (no download)."""
    try:
        from sacrebleu.metrics import BLEU

        BLEU(tokenize=name)
    except Exception:
        return False
    return True


def bleu_tokenizer(tgt_lang: str | None) -> str:
    """The offline sacrebleu BLEU tokenizer for a target language (see the module docstring)."""
    lang = base_lang(tgt_lang) or ""
    if lang == "zh":
        return "zh"
    if lang == "ja":
        return "ja-mecab" if _tokenizer_works("ja-mecab") else "char"
    if lang == "ko":
        return "ko-mecab" if _tokenizer_works("ko-mecab") else "13a"
    if lang in _CHAR_LANGS:
        return "char"
    return "13a"


@dataclass
class ReferenceScores:
    """Reference-based scores for one translation against one reference.

    ``segment[i]`` maps each metric of :data:`METRICS` to segment ``i``'s score; ``corpus`` maps
    each metric to the corpus-level score (empty when there are no segments); ``signatures`` maps
    each metric to sacrebleu's signature string for the corpus score, plus ``"bleu-segment"`` for
    the effective-order BLEU used per segment.
    """

    segment: list[dict[str, float]]
    corpus: dict[str, float]
    signatures: dict[str, str]
    tokenizer: str
    metrics: tuple[str, ...] = field(default=METRICS)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (scores rounded to 4 decimals)."""
        return {
            "metrics": list(self.metrics),
            "tokenizer": self.tokenizer,
            "corpus": {k: round(v, 4) for k, v in self.corpus.items()},
            "signatures": dict(self.signatures),
            "segment": [{k: round(v, 4) for k, v in seg.items()} for seg in self.segment],
        }


def _check_strings(name: str, values: Sequence[str]) -> list[str]:
    if isinstance(values, str):
        raise InputError(f"{name} must be a list of segments, not one string")
    out = list(values)
    for k, value in enumerate(out):
        if not isinstance(value, str):
            raise InputError(f"{name} segment {k + 1} is a {type(value).__name__}, not text")
    return out


def reference_scores(
    hyps: Sequence[str],
    refs: Sequence[str],
    tgt_lang: str | None = None,
    *,
    tokenize: str | None = None,
) -> ReferenceScores:
    """BLEU, chrF, chrF++ and TER of ``hyps`` against ``refs`` (one reference per segment).

    ``tgt_lang`` picks the BLEU tokenizer (:func:`bleu_tokenizer`) and TER's CJK handling;
    ``tokenize`` overrides the tokenizer (any offline sacrebleu tokenizer: ``13a``, ``intl``,
    ``char``, ``zh``, ``none``, or a MeCab one when installed). A reference with a different
    number of segments raises :class:`~mtaudit.errors.InputError` naming both counts.
    """
    from sacrebleu.metrics import BLEU, CHRF, TER

    hyps = _check_strings("translation", hyps)
    refs = _check_strings("reference", refs)
    if len(hyps) != len(refs):
        raise InputError(
            f"the reference has {len(refs)} segments but the translation has {len(hyps)}: "
            "give one reference line per translated segment, in the same order"
        )
    if tokenize is None:
        tokenize = bleu_tokenizer(tgt_lang)
    elif tokenize.startswith(("flores", "spm", "spBLEU")):
        raise InputError(
            f"the sacrebleu tokenizer {tokenize!r} downloads its model at run time: use 13a, intl, "
            "char, zh or none"
        )
    elif tokenize in ("ja-mecab", "ko-mecab") and not _tokenizer_works(tokenize):
        lang = tokenize[:2]
        raise InputError(
            f"the sacrebleu tokenizer {tokenize!r} needs extra packages: "
            f"pip install 'sacrebleu[{lang}]', or use 'char'"
        )
    asian = (base_lang(tgt_lang) or "") in _ASIAN_LANGS
    try:
        corpus_metrics: dict[str, Any] = {
            "bleu": BLEU(tokenize=tokenize),
            "chrf": CHRF(),
            "chrf++": CHRF(word_order=2),
            "ter": TER(asian_support=asian),
        }
        segment_metrics: dict[str, Any] = dict(
            corpus_metrics, bleu=BLEU(tokenize=tokenize, effective_order=True)
        )
    except (KeyError, ValueError, RuntimeError) as exc:
        raise InputError(f"unknown or unusable sacrebleu tokenizer {tokenize!r}: {exc}") from exc

    segment = [
        {
            name: float(metric.sentence_score(h, [r]).score)
            for name, metric in segment_metrics.items()
        }
        for h, r in zip(hyps, refs, strict=True)
    ]
    corpus: dict[str, float] = {}
    signatures: dict[str, str] = {}
    for name, metric in corpus_metrics.items():
        if hyps:
            corpus[name] = float(metric.corpus_score(hyps, [refs]).score)
        else:  # sacrebleu builds a signature only once it has scored something
            metric.corpus_score([""], [[""]])
        signatures[name] = str(metric.get_signature())
    if not hyps:
        segment_metrics["bleu"].corpus_score([""], [[""]])
    signatures["bleu-segment"] = str(segment_metrics["bleu"].get_signature())
    return ReferenceScores(
        segment=segment, corpus=corpus, signatures=signatures, tokenizer=tokenize
    )
