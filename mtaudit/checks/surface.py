"""Surface checks: what is visibly wrong with a target sentence's form.

``repetition`` (loops of the same n-gram — a hallucination symptom of neural MT — and target
sentences repeated verbatim where their sources are not) and ``truncated`` (a target that stops
mid-sentence). Thresholds are parameters; ``docs/checks.md`` says how the defaults were chosen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..report import Finding, Sentence
from .base import Check, CheckContext, register
from .crosslingual import (
    alnum_len,
    base_lang,
    check_number_param,
    check_severity_param,
    content_sentences,
    is_cjk,
    link_stats,
    tokens,
    whole,
)

__all__ = ["RepetitionCheck", "TruncatedCheck", "find_loops", "Loop"]


# --------------------------------------------------------------------------------------------
# repetition
# --------------------------------------------------------------------------------------------


class Loop:
    """A run of one n-gram repeated back to back: ``tokens[start:start + n * repeats]``."""

    __slots__ = ("start", "n", "repeats", "covered", "unit")

    def __init__(self, start: int, n: int, repeats: int, unit: tuple[str, ...]) -> None:
        self.start = start
        self.n = n
        self.repeats = repeats
        self.covered = n * repeats
        self.unit = unit

    def __repr__(self) -> str:
        return f"Loop(start={self.start}, n={self.n}, repeats={self.repeats}, unit={self.unit})"


def find_loops(
    toks: list[str], max_n: int = 6, min_repeats: int = 3, *, resolve: bool = True
) -> list[Loop]:
    """Maximal back-to-back repeats of an n-gram (1 ≤ n ≤ ``max_n``), at least ``min_repeats``.

    With ``resolve``, overlapping runs are resolved in favour of the one covering most tokens.
    Linear in ``len(toks) * max_n``.
    """
    found: list[Loop] = []
    size = len(toks)
    for n in range(1, max_n + 1):
        i = 0
        while i + 2 * n <= size:
            unit = toks[i : i + n]
            reps = 1
            j = i + n
            while j + n <= size and toks[j : j + n] == unit:
                reps += 1
                j += n
            if reps >= min_repeats:
                found.append(Loop(i, n, reps, tuple(unit)))
                i = j - n + 1 if n > 1 else j
            else:
                i += 1
    if not resolve:
        return found
    # keep the best non-overlapping loops
    found.sort(key=lambda lp: (-lp.covered, lp.n, lp.start))
    kept: list[Loop] = []
    for lp in found:
        a, b = lp.start, lp.start + lp.covered
        if all(b <= k.start or a >= k.start + k.covered for k in kept):
            kept.append(lp)
    kept.sort(key=lambda lp: lp.start)
    return kept


def source_repetition(text: str, max_n: int = 6) -> int:
    """The largest back-to-back repeat count in a text: of word n-grams, or of short character
    units inside a word (``HAHAHA``, ``yoyoyo``). 1 when nothing repeats."""
    words = [w for _, _, w in _loop_tokens(text)]
    best = max((lp.repeats for lp in find_loops(words, max_n, 2, resolve=False)), default=1)
    for w in words:
        if len(w) >= 4:
            inner = find_loops(list(w), 4, 2, resolve=False)
            best = max(best, max((lp.repeats for lp in inner if lp.covered >= 4), default=1))
    return best


def _loop_tokens(text: str) -> list[tuple[int, int, str]]:
    """Lowercased word tokens (CJK: characters) of a text; punctuation is ignored."""
    return [(a, b, w.lower()) for a, b, w in tokens(text)]


def _norm_sentence(text: str) -> str:
    return " ".join(w.lower() for _, _, w in tokens(text))


@register
class RepetitionCheck(Check):
    """Repetition loops inside a target sentence, and target sentences repeated verbatim."""

    code = "repetition"
    default_severity = "major"
    description = (
        "a repetition loop in a target sentence (the same word or n-gram back to back, an MT "
        "hallucination symptom; characters for CJK) or a target sentence repeated verbatim "
        "where its source is not"
    )
    params = {
        "max_n": 6,
        "min_repeats_word": 4,
        "min_repeats_ngram": 3,
        "min_loop_tokens": 4,
        "critical_coverage": 0.5,
        "source_ratio": 0.5,
        "critical_severity": "critical",
        "duplicates": True,
        "duplicate_min_chars": 20,
    }

    def __init__(self, severity: str | None = None, **overrides: Any) -> None:
        super().__init__(severity, **overrides)
        for name in ("max_n", "min_repeats_word", "min_repeats_ngram", "min_loop_tokens"):
            check_number_param(self, name, 1)
        check_number_param(self, "critical_coverage", 0)
        check_number_param(self, "source_ratio", 0)
        check_number_param(self, "duplicate_min_chars", 0)
        check_severity_param(self, "critical_severity")

    def _loops(self, text: str) -> tuple[list[tuple[int, int, str]], list[Loop]]:
        toks = _loop_tokens(text)
        words = [w for _, _, w in toks]
        loops = find_loops(
            words,
            int(self.p["max_n"]),
            min(int(self.p["min_repeats_word"]), int(self.p["min_repeats_ngram"])),
        )
        ok = []
        for lp in loops:
            need = self.p["min_repeats_word"] if lp.n == 1 else self.p["min_repeats_ngram"]
            if lp.repeats < need or lp.covered < self.p["min_loop_tokens"]:
                continue
            ok.append(lp)
        return toks, ok

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        by_target: dict[int, list[int]] = {}
        for lk in ctx.links:
            for j in lk.target:
                by_target.setdefault(j, list(lk.source))
        for sent in ctx.target.sentences:
            if sent.furniture or not sent.text.strip():
                continue
            toks, loops = self._loops(sent.text)
            if not loops:
                continue
            src_idx = by_target.get(sent.index, [])
            src_text = " ".join(s.text for s in content_sentences(ctx.source, src_idx))
            src_rep = source_repetition(src_text, int(self.p["max_n"])) if src_text else 0
            for lp in loops:
                # the source repeats itself too ("ha ha ha", "HAHAHA", "no, no, no"): the
                # translation may mirror it, in units of another language
                if src_rep >= self.p["source_ratio"] * lp.repeats:
                    continue
                a = toks[lp.start][0]
                b = toks[lp.start + lp.covered - 1][1]
                coverage = lp.covered / max(1, len(toks))
                crit = coverage >= self.p["critical_coverage"] and self.p["critical_severity"]
                unit = ("" if all(is_cjk(u[0]) for u in lp.unit) else " ").join(lp.unit)
                yield self.finding(
                    "target",
                    sent.index,
                    (sent.start + a, sent.start + b),
                    f"repetition loop: {unit!r} repeated {lp.repeats} times",
                    {
                        "kind": "loop",
                        "unit": unit,
                        "n": lp.n,
                        "repeats": lp.repeats,
                        "coverage": round(coverage, 3),
                        "source_repeats": src_rep,
                    },
                    severity=self.p["critical_severity"] if crit else None,
                    code="repetition.loop",
                )
        if self.p["duplicates"]:
            yield from self._duplicates(ctx, by_target)

    def _duplicates(self, ctx: CheckContext, by_target: dict[int, list[int]]) -> Iterator[Finding]:
        first: dict[str, Sentence] = {}
        for sent in ctx.target.sentences:
            if sent.furniture or alnum_len(sent.text) < self.p["duplicate_min_chars"]:
                continue
            key = _norm_sentence(sent.text)
            if key not in first:
                first[key] = sent
                continue
            prev = first[key]
            idx_a, idx_b = by_target.get(prev.index, []), by_target.get(sent.index, [])
            na = _norm_sentence(" ".join(ctx.source.sentences[i].text for i in idx_a))
            nb = _norm_sentence(" ".join(ctx.source.sentences[i].text for i in idx_b))
            if idx_b and not set(idx_a) & set(idx_b) and na == nb:
                continue  # the source repeats itself too (in another sentence)
            yield self.finding(
                "target",
                sent.index,
                whole(sent),
                f"target sentence repeats sentence {prev.index} verbatim, but its source differs",
                {
                    "kind": "duplicate",
                    "first": prev.index,
                    "source_of_first": by_target.get(prev.index, []),
                    "source": by_target.get(sent.index, []),
                },
                code="repetition.duplicate",
            )


# --------------------------------------------------------------------------------------------
# truncated
# --------------------------------------------------------------------------------------------

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
    m = re.search(r"([^\W\d_]+)$", t)
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


@register
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
