"""Helpers the checks share: parameter validation and the sentences and spans of a link."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from ..errors import InputError
from ..langid import base_lang
from ..report import SEVERITIES, Link, Sentence, Side
from .base import Check, CheckContext

__all__ = [
    "check_number_param",
    "check_severity_param",
    "content_sentences",
    "doc_span",
    "joined",
    "links_by_target",
    "locate",
    "rounded",
    "same_language",
    "whole",
]


def same_language(ctx: CheckContext) -> bool:
    """True when both sides are declared in the same language (e.g. an English retelling)."""
    a, b = base_lang(ctx.source.lang), base_lang(ctx.target.lang)
    return a is not None and a == b


def check_severity_param(check: Check, name: str, *, allow_none: bool = True) -> None:
    """Raise :class:`InputError` unless parameter ``name`` of ``check`` is a severity (or None)."""
    value = check.p.get(name)
    if value is None and allow_none:
        return
    if value not in SEVERITIES:
        allowed = f"{SEVERITIES}" + (" or null" if allow_none else "")
        raise InputError(f"check '{check.code}': {name} must be one of {allowed}, not {value!r}")


def check_bool_param(check: Check, name: str) -> None:
    """Raise :class:`InputError` unless parameter ``name`` of ``check`` is true or false."""
    if not isinstance(check.p.get(name), bool):
        raise InputError(f"check '{check.code}': {name} must be true or false")


def check_number_param(check: Check, name: str, lo: float | None = None) -> None:
    """Raise :class:`InputError` unless parameter ``name`` of ``check`` is a number (≥ ``lo``)."""
    value = check.p.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"check '{check.code}': {name} must be a number, not {value!r}")
    if lo is not None and value < lo:
        raise InputError(f"check '{check.code}': {name} must be ≥ {lo}, not {value!r}")


def content_sentences(side: Side, indices: Iterable[int]) -> list[Sentence]:
    """The non-furniture sentences among ``indices``."""
    return [side.sentences[i] for i in indices if not side.sentences[i].furniture]


def joined(sents: Sequence[Sentence]) -> str:
    """Sentences joined by a space (for link-level comparisons)."""
    return " ".join(s.text for s in sents)


def locate(sents: Sequence[Sentence], offset: int) -> tuple[Sentence, int]:
    """Map an offset in :func:`joined` text to (sentence, local offset)."""
    pos = 0
    for s in sents:
        if offset < pos + len(s.text) + 1:
            return s, max(0, min(offset - pos, len(s.text)))
        pos += len(s.text) + 1
    last = sents[-1]
    return last, len(last.text)


def doc_span(sents: Sequence[Sentence], a: int, b: int) -> tuple[Sentence, tuple[int, int]]:
    """Map ``[a, b)`` in :func:`joined` text to the sentence holding ``a`` and document offsets."""
    s, la = locate(sents, a)
    _, lb = locate(sents, max(a, b - 1))
    s2, _ = locate(sents, max(a, b - 1))
    lb = lb + 1 if s2 is s else len(s.text)
    lb = max(la, min(lb, len(s.text)))
    return s, (s.start + la, s.start + lb)


def whole(sent: Sentence) -> tuple[int, int]:
    """The span of a whole sentence."""
    return (sent.start, sent.end)


def rounded(x: float, d: int = 3) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), d)


def links_by_target(ctx: CheckContext) -> dict[int, Link]:
    out: dict[int, Link] = {}
    for lk in ctx.links:
        for j in lk.target:
            out.setdefault(j, lk)
    return out
