"""``name_mismatch``: names of the source missing or misspelt in the target."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from ..errors import InputError
from ..langid import base_lang
from ..report import Finding, Link, Sentence
from ..text.names import (
    COMMON_CAPITALISED,
    SENTENCE_OPENERS,
    NameCandidate,
    name_candidates,
    names_match,
)
from ..text.placenames import renderings
from ..text.tokens import is_cjk, tokens
from ..text.translit import transliterate
from .base import Check, CheckContext
from .common import (
    check_bool_param,
    check_number_param,
    check_severity_param,
    content_sentences,
    doc_span,
    joined,
    whole,
)

__all__ = ["NameMismatchCheck"]


_CJK_LANGS = frozenset({"ja", "zh", "ko", "th"})

#: Most fuzzy comparisons (distinct source names × distinct target words) one link may cost.
#: Beyond it (a link of thousands of capitalised words: a list, a loop, generated text) names are
#: looked up exactly only, and a name not found that way gives no finding (docs/reliability.md).
MAX_FUZZY_PAIRS = 400_000


def _capitalised_neighbours(text: str, start: int, end: int) -> list[str]:
    """The capitalised words right before ``start`` and right after ``end`` in ``text``."""
    out = []
    before = re.search(r"([^\W\d_]+)\s+$", text[max(0, start - 200) : start])
    after = re.match(r"\s+([^\W\d_]+)", text[end:])
    for m in (before, after):
        if m and m.group(1)[:1].isupper() and m.group(1).lower() not in COMMON_CAPITALISED:
            out.append(m.group(1))
    return out


class NameMismatchCheck(Check):
    """Names of the source that are missing or misspelt in the target."""

    code = "name_mismatch"
    default_severity = "major"
    description = (
        "a name of the source (capitalised mid-sentence, an acronym, a mixed-case or Latin-script "
        "token) missing from the target, or rendered as a different name"
    )
    params = {
        "missing_severity": "minor",
        "comparable_missing_severity": None,
        "different_max_edits": 2,
        "check_cjk_targets": "alphanumeric",
        "place_names": True,
    }

    def __init__(self, severity: str | None = None, **overrides: Any) -> None:
        super().__init__(severity, **overrides)
        check_severity_param(self, "missing_severity")
        check_severity_param(self, "comparable_missing_severity")
        check_number_param(self, "different_max_edits", 0)
        check_bool_param(self, "place_names")
        if self.p["check_cjk_targets"] not in ("alphanumeric", "all", "none"):
            raise InputError(
                f"check '{self.code}': check_cjk_targets must be 'alphanumeric', 'all' or 'none'"
            )

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        src_lang, tgt_lang = base_lang(ctx.source.lang), base_lang(ctx.target.lang)
        cjk_target = tgt_lang in _CJK_LANGS
        if cjk_target and self.p["check_cjk_targets"] == "none":
            return
        # document vocabularies: words seen more often in lowercase than capitalised
        # mid-sentence, and the other way round (a title quoted mid-sentence, "… the poem
        # În ușa cortului", does not make every sentence-initial "În" a name)
        lower_count: Counter[str] = Counter()
        caps_count: Counter[str] = Counter()
        for s in ctx.source.content:
            toks = tokens(s.text)
            for k, (a, _, w) in enumerate(toks):
                if w[:1].islower():
                    lower_count[w.lower()] += 1
                elif k > 0 and w[:1].isupper():
                    before = s.text[:a].rstrip()
                    if before and before[-1] not in SENTENCE_OPENERS:
                        caps_count[re.sub(r"['’]s$", "", w.lower())] += 1
        known = {w for w, n in caps_count.items() if n > lower_count[w]}
        lower_vocab = set(lower_count) - known
        for lk in ctx.links:
            s_sents = content_sentences(ctx.source, lk.source)
            t_sents = content_sentences(ctx.target, lk.target)
            if not s_sents or not t_sents:
                continue
            yield from self._link(
                ctx, lk, s_sents, t_sents, (src_lang, tgt_lang), lower_vocab, known, cjk_target
            )

    def _link(
        self,
        ctx: CheckContext,
        lk: Link,
        s_sents: list[Sentence],
        t_sents: list[Sentence],
        langs: tuple[str | None, str | None],
        lower_vocab: set[str],
        known: set[str],
        cjk_target: bool,
    ) -> Iterator[Finding]:
        t_text = joined(t_sents)
        t_toks = [(a, b, w) for a, b, w in tokens(re.sub(r"[-‐]", " ", t_text)) if not is_cjk(w[0])]
        t_lower = re.sub(r"\s+", "", t_text.lower())
        reported_names: set[str] = set()
        src_lang, tgt_lang = langs
        per_sentence = []
        for s in s_sents:
            cands = name_candidates(s.text, src_lang, lower_vocab, known)
            if cjk_target and self.p["check_cjk_targets"] == "alphanumeric":
                # Chinese/Japanese transliterate or translate names and acronyms; only codes
                # with digits (KDE4, A320, Bbb23) are reliably carried over
                cands = [c for c in cands if any(ch.isdigit() for ch in c.text)]
            per_sentence.append((s, cands))
        # each distinct target word once (first occurrence), each distinct name looked up once
        first: dict[str, tuple[int, int, str]] = {}
        for tok in t_toks:
            first.setdefault(tok[2], tok)
        t_toks = list(first.values())
        n_names = len({c.text for _, cands in per_sentence for c in cands})
        fuzzy = n_names * len(t_toks) <= MAX_FUZZY_PAIRS
        found_memo: dict[str, bool] = {}

        def found(name: str) -> bool:
            if name not in found_memo:
                found_memo[name] = self._found(name, t_toks, t_lower, cjk_target, fuzzy)
            return found_memo[name]

        for s, cands in per_sentence:
            entities: dict[int, list[NameCandidate]] = {}
            for c in cands:
                entities.setdefault(c.entity, []).append(c)
            s_all = {transliterate(w) for _, _, w in tokens(s.text)}
            for ent in entities.values():
                hits = [
                    found(c.text)
                    or any(found(r) for r in self._renderings(c.text, src_lang, tgt_lang))
                    for c in ent
                ]
                if all(hits):
                    continue
                if not fuzzy:
                    continue  # too many names to compare fuzzily: exact matches only
                # a close but different name for a token not found: misspelt / mangled name
                reported = False
                for c, ok in zip(ent, hits, strict=True):
                    if ok:
                        continue
                    diff = self._different(c.text, t_toks, s_all)
                    if diff is None:
                        continue
                    a, b, w, edits = diff
                    sent, span = doc_span(t_sents, a, b)
                    yield self.finding(
                        "target",
                        sent.index,
                        span,
                        f"name {c.text!r} of the source appears as {w!r} in the target",
                        {
                            "kind": "different",
                            "source_name": c.text,
                            "target_name": w,
                            "letters_changed": int(edits),
                            "source_sentence": s.index,
                            "source_span": [s.start + c.start, s.start + c.end],
                        },
                    )
                    reported = True
                missing_sev = self.p[
                    "comparable_missing_severity"
                    if ctx.mode == "comparable"
                    else "missing_severity"
                ]
                if reported or any(hits) or not missing_sev:
                    continue
                # a capitalised neighbour left out as a common word ("Xi" Jinping, "Bill"
                # Nelson) still identifies the entity if the target renders it
                neighbours = _capitalised_neighbours(s.text, ent[0].start, ent[-1].end)
                if any(found(w) for w in neighbours):
                    continue
                name = s.text[ent[0].start : ent[-1].end]
                if name.lower() in reported_names:
                    continue  # the same name missing from one link is one finding
                reported_names.add(name.lower())
                yield self.finding(
                    "target",
                    t_sents[0].index,
                    whole(t_sents[0]),
                    f"name {name!r} of the source is missing from the target",
                    {
                        "kind": "missing",
                        "mode": ctx.mode,
                        "source_name": name,
                        "source_sentence": s.index,
                        "source_span": [s.start + ent[0].start, s.start + ent[-1].end],
                    },
                    severity=missing_sev,
                )

    def _renderings(self, word: str, src_lang: str | None, tgt_lang: str | None) -> frozenset[str]:
        """The target-language names of a place or language name (CLDR exonyms), if enabled."""
        if not self.p["place_names"]:
            return frozenset()
        return renderings(word, src_lang, tgt_lang)

    @staticmethod
    def _found(
        name: str,
        t_toks: list[tuple[int, int, str]],
        t_lower: str,
        cjk_target: bool,
        fuzzy: bool = True,
    ) -> bool:
        if re.sub(r"\s+", "", name.lower()) in t_lower:
            return True
        if cjk_target:
            return False
        if name.isupper() and len(name) >= 2:
            # an acronym's letters follow the target language's word order: UE → EU, URSS → USSR
            letters = sorted(name)
            if any(w.isupper() and sorted(w) == letters for _, _, w in t_toks):
                return True
        return fuzzy and any(names_match(name, w) for _, _, w in t_toks)

    def _different(
        self, name: str, t_toks: list[tuple[int, int, str]], s_all: set[str]
    ) -> tuple[int, int, str, float] | None:
        """A capitalised target token spelt like ``name`` with 1–``different_max_edits`` letters
        substituted (same length, same first letter) that renders no source word: a mangled name
        (Brendle → Brandle). Exonyms and inflections change the length, so they are not taken."""
        n = transliterate(name)
        if len(n) < 4:
            return None
        best = None
        for a, b, w in t_toks:
            if not w[:1].isupper() or len(w) < 3:
                continue
            t = transliterate(w)
            if t[:1] != n[:1] or t in s_all or len(t) != len(n):
                continue
            diff = [k for k, (x, y) in enumerate(zip(n, t, strict=True)) if x != y]
            if not diff or min(diff) >= len(n) - 2:
                continue  # only the ending differs: an inflection
            edits = len(diff)
            if not (1 <= edits <= self.p["different_max_edits"]):
                continue
            if best is not None and edits >= best[3]:
                continue
            if names_match(name, w) or any(names_match(x, w) for x in s_all if len(x) >= 3):
                continue
            best = (a, b, w, float(edits))
        return best
