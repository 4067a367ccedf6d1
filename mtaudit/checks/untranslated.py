"""``untranslated``: a target sentence that copies its source or is written in the source language."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..langid import base_lang, detect_with_confidence
from ..report import Finding, Sentence
from ..text.copy import copied_runs, copy_similarity, language_text
from ..text.tokens import letters, markup_share
from .base import Check, CheckContext
from .common import (
    check_number_param,
    check_severity_param,
    content_sentences,
    joined,
    links_by_target,
    same_language,
    whole,
)

__all__ = ["UntranslatedCheck"]


class UntranslatedCheck(Check):
    """The target copies the source, or is written in the source language."""

    code = "untranslated"
    default_severity = "critical"
    kinds = ("partial",)
    description = (
        "target sentence left untranslated: a copy of its source (names and numbers aside) or "
        "written in the source language; also copied runs of source words inside a translation"
    )
    params = {
        "copy_similarity": 0.9,
        "min_letters": 20,
        "min_confidence": 0.99,
        "partial_min_tokens": 4,
        "partial_severity": "major",
        "max_markup": 0.2,
    }

    def __init__(self, severity: str | None = None, **overrides: Any) -> None:
        super().__init__(severity, **overrides)
        check_number_param(self, "copy_similarity", 0)
        check_number_param(self, "min_letters", 0)
        check_number_param(self, "min_confidence", 0)
        check_number_param(self, "partial_min_tokens", 1)
        check_number_param(self, "max_markup", 0)
        check_severity_param(self, "partial_severity")

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        if same_language(ctx):
            return
        src_lang, tgt_lang = base_lang(ctx.source.lang), base_lang(ctx.target.lang)
        by_target = links_by_target(ctx)
        for sent in ctx.target.sentences:
            if sent.furniture or not sent.text.strip():
                continue
            lk = by_target.get(sent.index)
            src_text = joined(content_sentences(ctx.source, lk.source)) if lk else ""
            f = self._whole(sent, src_text, src_lang, tgt_lang, lk)
            if f is not None:
                yield f
                continue
            if src_text and self.p["partial_severity"]:
                for a, b, n in copied_runs(src_text, sent.text, int(self.p["partial_min_tokens"])):
                    yield self.finding(
                        "target",
                        sent.index,
                        (sent.start + a, sent.start + b),
                        f"{n} source words copied untranslated into the target",
                        {"copied": sent.text[a:b], "tokens": n, "source": lk.source if lk else []},
                        severity=self.p["partial_severity"],
                        code="untranslated.partial",
                    )

    def _whole(
        self, sent: Sentence, src_text: str, src_lang: str | None, tgt_lang: str | None, lk: Any
    ) -> Finding | None:
        if src_text:
            sim, n = copy_similarity(src_text, sent.text, self.p["copy_similarity"])
            if n >= self.p["min_letters"] and sim >= self.p["copy_similarity"]:
                return self.finding(
                    "target",
                    sent.index,
                    whole(sent),
                    f"target copies its source (similarity {sim:.2f} ignoring names and numbers)",
                    {
                        "kind": "copy",
                        "copy_similarity": round(sim, 3),
                        "letters": n,
                        "source": lk.source,
                    },
                )
        if not src_lang or not tgt_lang:
            return None
        if markup_share(src_text or sent.text) > self.p["max_markup"]:
            return None  # wiki markup, code, file names: copied on purpose
        text = language_text(src_text, sent.text) if src_text else sent.text
        n_letters = letters(text)
        if n_letters < self.p["min_letters"]:
            return None
        lang, conf = detect_with_confidence(
            text, {src_lang, tgt_lang}, self.p["min_confidence"], unless={tgt_lang}
        )
        if lang != src_lang or conf is None or conf < self.p["min_confidence"]:
            return None
        return self.finding(
            "target",
            sent.index,
            whole(sent),
            f"target sentence is in the source language ({src_lang}), not {tgt_lang}",
            {
                "kind": "language",
                "detected": lang,
                "confidence": round(conf, 4),
                "letters": n_letters,
                "candidates": sorted({src_lang, tgt_lang}),
                "source": lk.source if lk else [],
            },
        )
