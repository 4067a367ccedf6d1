"""``repetition``: loops of the same n-gram (a hallucination symptom of neural MT) and target
sentences repeated verbatim where their sources are not."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..report import Finding, Sentence
from ..text.tokens import alnum_len, is_cjk, tokens
from .base import Check, CheckContext
from .common import check_number_param, check_severity_param, content_sentences, whole

__all__ = ["Loop", "RepetitionCheck", "find_loops", "source_repetition"]


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


class RepetitionCheck(Check):
    """Repetition loops inside a target sentence, and target sentences repeated verbatim."""

    code = "repetition"
    default_severity = "major"
    kinds = ("loop", "duplicate")
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
