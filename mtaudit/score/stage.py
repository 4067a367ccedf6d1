"""Stage 5 — score: per-link scores from COMET and from references, filled into the report parts.

Runs after alignment and checks. Every score lands in ``Link.scores`` under its metric name, and
the corpus figures and signatures go into the summary and the report signature.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from ..errors import InputError
from ..report import Link, Side

__all__ = ["SegmentScorer", "score_with_comet", "score_with_references"]


class SegmentScorer(Protocol):
    """What the pipeline needs from a COMET-like scorer (see :class:`~.comet.CometScorer`)."""

    name: str
    signature: str
    requires_references: bool

    def predict(self, items: Sequence[dict[str, str]]) -> list[float]:
        """One score per ``{"src", "mt"[, "ref"]}`` item, in input order."""
        ...


def _joined(side: Side, idx: Sequence[int]) -> str:
    return " ".join(side.sentences[i].text for i in idx)


def _link_refs(target: Side, links: Sequence[Link], references: Sequence[str]) -> list[str]:
    if len(references) != len(target.sentences):
        raise InputError(
            f"the reference has {len(references)} segments but the target has "
            f"{len(target.sentences)} sentences; give one reference line per target sentence "
            "(use --presplit documents or a pairs file)"
        )
    return [" ".join(references[j] for j in lk.target) for lk in links]


def score_with_references(
    target: Side, links: Sequence[Link], references: Sequence[str]
) -> dict[str, Any]:
    """BLEU/chrF/chrF++/TER per link (into ``link.scores``) and for the whole document.

    ``references[j]`` is the reference of target sentence *j*. Returns the summary entry
    (corpus scores, tokenizer, sacrebleu signatures).
    """
    from .reference import reference_scores

    refs = _link_refs(target, links, references)
    hyps = [_joined(target, lk.target) for lk in links]
    if not links:
        return {}
    res = reference_scores(hyps, refs, target.lang)
    for lk, seg in zip(links, res.segment):
        lk.scores.update({k: round(float(v), 4) for k, v in seg.items()})
    return {
        "corpus": {k: round(float(v), 4) for k, v in res.corpus.items()},
        "tokenizer": res.tokenizer,
        "signatures": dict(res.signatures),
    }


def score_with_comet(
    scorer: SegmentScorer,
    source: Side,
    target: Side,
    links: Sequence[Link],
    references: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Score every link with ``scorer`` into ``link.scores["comet"]``; returns summary figures."""
    refs = _link_refs(target, links, references) if references is not None else None
    if scorer.requires_references and refs is None:
        raise InputError(
            f"the COMET model {scorer.name} needs references: pass --reference FILE "
            "(or a third column in the pairs file)"
        )
    items: list[dict[str, str]] = []
    for k, lk in enumerate(links):
        item = {"src": _joined(source, lk.source), "mt": _joined(target, lk.target)}
        if refs is not None:
            item["ref"] = refs[k]
        items.append(item)
    scores = scorer.predict(items) if items else []
    for lk, sc in zip(links, scores):
        lk.scores["comet"] = round(float(sc), 4)
    mean = sum(scores) / len(scores) if scores else None
    return {"model": scorer.name, "mean": None if mean is None else round(mean, 4)}
