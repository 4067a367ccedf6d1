"""``truncated``: a target sentence that stops before its end where its source does not."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..langid import base_lang
from ..report import Finding, Sentence
from ..text.tokens import alnum_len
from .base import Check, CheckContext
from .common import check_number_param, check_severity_param, content_sentences
from .linkstats import link_stats

__all__ = ["FUNCTION_WORDS", "TruncatedCheck", "ending"]


_CLOSERS = "\"'”’»›)]}」』）】〉》"


# A colon or semicolon may end a segment: what follows it (a quote, a list, the next clause) is
# often the next line or sentence, and translators trade ".", ";" and ":" freely.
_TERMINAL = ".!?…。！？‼⁇⁈⁉;；:："


_OPEN_END = "([{«‹„“‘<「『（【〈《"


_CONT_END = ",，、-–—/&+=|\\"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words that cannot end a sentence of the language: articles, coordinating conjunctions and the
#: prepositions / determiners that are never stranded or used as verb particles. Kept short on
#: purpose: English strands prepositions ("where are you from"), German ends clauses with verbs
#: and separable particles ("… kommt mit"), so those are not listed.
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": _words("the a an and or but nor of my our their its because although whereas whose"),
    "de": _words(
        "der die das den dem des eine einen einem einer eines und oder aber dass weil wenn "
        "für von zum zur im beim vom ins sowie ohne dessen deren seiner seinem ihrem"
    ),
    "fr": _words(
        "le la les l un une des du de d et ou mais à au aux que qu dont dans sur par son sa "
        "ses leurs"
    ),
    "es": _words("el la los las un una unos unas del de y o pero que al a con para por en su sus"),
    "it": _words(
        "il lo la i gli le un uno una del della dei degli delle di e o ma che con per su in a "
        "al alla"
    ),
    "pt": _words("o a os as um uma do da dos das de e ou mas que com para por em no na ao"),
    "ru": _words(
        "и в во на с со по к ко от до из у о об за для при про через над под без а но или чтобы"
    ),
    "uk": _words("і й та в у на з із зі по до від для при про через над під без а але або щоб"),
    "cs": _words(
        "a i v ve na s se z ze k ke po do od pro při o u za před nad pod bez ale nebo že aby"
    ),
    "pl": _words("i w we na z ze do od dla przy o u za przed nad pod bez a ale lub że aby"),
}


#: Words after which a *source* sentence is itself unfinished (broader than
#: :data:`FUNCTION_WORDS`: prepositions and "to" can be stranded, but if the source ends in one,
#: a target ending mid-sentence is no evidence of a cut in the translation).
_SOURCE_OPEN_WORDS = _words(
    "to in on at by for from with into about as that which who if when while than this these "
    "those his her your is are was were be will would can could should"
)


def _strip_end(text: str) -> str:
    t = text.rstrip()
    while t and t[-1] in _CLOSERS:
        t = t[:-1].rstrip()
    return t


def ending(text: str, lang: str | None) -> str:
    """How a sentence ends: ``terminal`` (., !, ? …), ``open`` (an opening bracket or quote),
    ``continuation`` (comma, colon, dash …), ``function_word`` (e.g. "the"), or ``bare``."""
    raw = text.rstrip()
    if not raw:
        return "bare"
    if raw[-1] in _OPEN_END:
        return "open"
    t = _strip_end(raw)
    if not t:
        return "bare"
    if t[-1] in _TERMINAL:
        return "terminal"
    if t[-1] in _CONT_END:
        return "continuation"
    words = FUNCTION_WORDS.get(base_lang(lang) or "", frozenset())
    m = re.search(r"([^\W\d_]+)$", t[-64:])  # tail: linear
    if m and m.group(1).lower() in words:
        return "function_word"
    return "bare"


def _unbalanced_open(text: str) -> bool:
    """An opening bracket after the last closing one (``… Photo: Bill Nelson (``)."""
    for o, c in ("()", "[]", "{}", "（）", "「」", "『』"):
        if text.rfind(o) > text.rfind(c):
            tail = text[text.rfind(o) + 1 :]
            if alnum_len(tail) <= 30:
                return True
    return False


class TruncatedCheck(Check):
    """A target sentence that stops before its end."""

    code = "truncated"
    default_severity = "major"
    description = (
        "target sentence cut off: ends in a comma, an open bracket or a function word, or lacks "
        "the final punctuation its source has (minor), or is also much shorter than its source"
    )
    params = {
        "missing_punct_severity": "minor",
        "short_z": 3.0,
        "min_source_chars": 20,
    }

    def __init__(self, severity: str | None = None, **overrides: Any) -> None:
        super().__init__(severity, **overrides)
        check_severity_param(self, "missing_punct_severity")
        check_number_param(self, "short_z", 0)
        check_number_param(self, "min_source_chars", 0)

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        src_lang, tgt_lang = ctx.source.lang, ctx.target.lang
        stats = link_stats(ctx)
        z_of = {id(lk): float(stats.z_len[k]) for k, lk in enumerate(stats.links)}
        for lk in ctx.links:
            s_sents = content_sentences(ctx.source, lk.source)
            t_sents = content_sentences(ctx.target, lk.target)
            if not s_sents or not t_sents:
                continue
            src, tgt = s_sents[-1], t_sents[-1]
            if not tgt.text.strip():
                continue
            s_end, t_end = ending(src.text, src_lang), ending(tgt.text, tgt_lang)
            if s_end == "bare" and base_lang(src_lang) in ("en", None):
                last = re.search(r"([^\W\d_]+)\W*$", src.text)
                if last and last.group(1).lower() in _SOURCE_OPEN_WORDS:
                    s_end = "function_word"
            z = z_of.get(id(lk), float("nan"))
            f = self._judge(src, tgt, s_end, t_end, z, lk)
            if f is not None:
                yield f

    def _judge(
        self, src: Sentence, tgt: Sentence, s_end: str, t_end: str, z: float, lk: Any
    ) -> Finding | None:
        evidence: dict[str, Any] = {
            "target_ending": t_end,
            "source_ending": s_end,
            "z_length": None if z != z else round(z, 3),
            "source": list(lk.source),
        }
        tail = tgt.text.rstrip()
        span = (tgt.start + max(0, len(tail) - 1), tgt.start + len(tail))
        m = re.search(r"(\S+)\s*$", tail)
        if m:
            span = (tgt.start + m.start(1), tgt.start + m.end(1))
        src_long = alnum_len(src.text) >= self.p["min_source_chars"]
        cut = ("open", "continuation", "function_word")
        if t_end in cut and s_end not in cut:
            if t_end == "open" or _unbalanced_open(tail):
                msg = "target ends in an open bracket or quote: it is cut off"
            elif t_end == "continuation":
                msg = f"target ends in {tail[-1]!r}: it is cut off mid-sentence"
            else:
                msg = f"target ends in the function word {m.group(1)!r}: it is cut off"  # type: ignore[union-attr]
            return self.finding("target", tgt.index, span, msg, evidence)
        if s_end == "terminal" and t_end != "terminal" and src_long:
            short = z == z and z <= -self.p["short_z"]
            if short:
                return self.finding(
                    "target",
                    tgt.index,
                    span,
                    "target stops without final punctuation and is much shorter than its source",
                    evidence,
                )
            if self.p["missing_punct_severity"]:
                return self.finding(
                    "target",
                    tgt.index,
                    span,
                    "target lacks the final punctuation its source has",
                    evidence,
                    severity=self.p["missing_punct_severity"],
                )
        return None
