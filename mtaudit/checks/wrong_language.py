"""``wrong_language``: a target sentence written in a third language."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..langid import base_lang, detect_with_confidence
from ..report import Finding
from ..text.copy import language_text
from ..text.tokens import letters
from .base import Check, CheckContext
from .common import check_number_param, content_sentences, joined, links_by_target, whole

__all__ = ["WrongLanguageCheck"]


class WrongLanguageCheck(Check):
    """The target sentence is in a language other than the expected ones."""

    code = "wrong_language"
    default_severity = "critical"
    description = (
        "target sentence written in a third language (neither the target nor the source language)"
    )
    params = {"min_letters": 20, "min_confidence": 0.9}

    def __init__(self, severity: str | None = None, **overrides: Any) -> None:
        super().__init__(severity, **overrides)
        check_number_param(self, "min_letters", 0)
        check_number_param(self, "min_confidence", 0)

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        src_lang, tgt_lang = base_lang(ctx.source.lang), base_lang(ctx.target.lang)
        if not tgt_lang:
            return
        expected = {tgt_lang} | ({src_lang} if src_lang else set())
        by_target = links_by_target(ctx)
        for sent in ctx.target.sentences:
            if sent.furniture:
                continue
            lk = by_target.get(sent.index)
            src_text = joined(content_sentences(ctx.source, lk.source)) if lk else ""
            text = language_text(src_text, sent.text)
            n = letters(text)
            if n < self.p["min_letters"]:
                continue
            lang, conf = detect_with_confidence(
                text, None, self.p["min_confidence"], unless=expected
            )
            if lang is None or lang in expected:
                continue
            if conf is None or conf < self.p["min_confidence"]:
                continue
            yield self.finding(
                "target",
                sent.index,
                whole(sent),
                f"target sentence looks like {lang}, expected {tgt_lang}",
                {
                    "detected": lang,
                    "confidence": round(conf, 4),
                    "letters": n,
                    "expected": sorted(expected),
                },
            )
