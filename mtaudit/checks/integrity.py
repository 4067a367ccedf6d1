"""The shared core of the placeholder and markup checks (``printf_mismatch``, ``brace_mismatch``,
``icu_mismatch``, ``markup_mismatch``, ``url_mismatch``, ``markdown_mismatch``,
``whitespace_mismatch``, ``accelerator_mismatch``): per link, what must be carried over
(:mod:`mtaudit.l10n.placeholders`) is compared as a multiset of keys between the joined source
and target sentences; a finding names what is missing and what was added, and its span is the
first added (else the whole target) text. A retelling (comparable mode) is not checked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from ..l10n.placeholders import Token
from ..report import Finding, Sentence
from .base import Check, CheckContext
from .common import content_sentences, doc_span, joined, whole

__all__ = ["IntegrityCheck", "diff_tokens", "is_l10n", "l10n_format"]


def diff_tokens(src: Sequence[Token], tgt: Sequence[Token]) -> tuple[list[Token], list[Token]]:
    """The source tokens the target lacks and the target tokens the source lacks (by key,
    counted: two ``%s`` in the source need two in the target)."""
    need = Counter(t.key for t in src)
    have = Counter(t.key for t in tgt)
    missing, added = [], []
    left = dict(need - have)
    for t in src:
        if left.get(t.key, 0) > 0:
            missing.append(t)
            left[t.key] -= 1
    extra = dict(have - need)
    for t in tgt:
        if extra.get(t.key, 0) > 0:
            added.append(t)
            extra[t.key] -= 1
    return missing, added


def l10n_format(ctx: CheckContext) -> str | None:
    """The localisation format the pairs were read from (``po``, ``markdown``, …), or ``None``."""
    value = ctx.signals.get("l10n", {}).get("format")
    return str(value[0]) if value else None


def is_l10n(sents: Sequence[Sentence]) -> bool:
    """Whether these sentences are localisation units (they carry a unit id)."""
    return bool(sents) and all(s.unit is not None for s in sents)


class IntegrityCheck(Check):
    """Base: subclasses set ``code``, ``what`` and implement :meth:`tokens`."""

    #: What the tokens are, for messages ("printf placeholder").
    what = "placeholder"
    #: Only on localisation units (PO entries, trans-units…), not on documents or pairs files.
    l10n_only = False

    def tokens(self, text: str) -> list[Token]:
        raise NotImplementedError

    def side_tokens(self, side: str, sents: list[Sentence], text: str) -> list[Token]:
        """The tokens of one side of a link (``text``: its sentences joined by a space)."""
        return self.tokens(text)

    def applies(self, ctx: CheckContext, tgt: Sequence[Sentence]) -> bool:
        return not self.l10n_only or is_l10n(tgt)

    def compare(
        self, src: str, tgt: str, s_tok: list[Token], t_tok: list[Token]
    ) -> Iterator[tuple[str, str, list[Token], list[Token], dict[str, Any]]]:
        """``(code, message, missing, added, evidence)`` per problem (default: one, the multiset
        difference)."""
        missing, added = diff_tokens(s_tok, t_tok)
        if missing or added:
            yield self.code, self.message(missing, added), missing, added, {}

    def message(self, missing: list[Token], added: list[Token]) -> str:
        parts = []
        if missing:
            parts.append("missing in the target: " + ", ".join(t.text for t in missing[:5]))
        if added:
            parts.append("not in the source: " + ", ".join(t.text for t in added[:5]))
        return f"{self.what} mismatch — " + "; ".join(parts)

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        if ctx.mode == "comparable":
            return
        for lk in ctx.links:
            ss = content_sentences(ctx.source, lk.source)
            ts = content_sentences(ctx.target, lk.target)
            if not ss or not ts or not self.applies(ctx, ts):
                continue
            src, tgt = joined(ss), joined(ts)
            s_tok, t_tok = self.side_tokens("source", ss, src), self.side_tokens("target", ts, tgt)
            if not s_tok and not t_tok and not self.always_compare:
                continue
            for code, message, missing, added, evidence in self.compare(src, tgt, s_tok, t_tok):
                if added:
                    sent, span = doc_span(ts, added[0].start, added[0].end)
                else:
                    sent, span = ts[0], whole(ts[0])
                ev = {
                    "missing": [t.text for t in missing],
                    "added": [t.text for t in added],
                    "source_sentences": [s.index for s in ss],
                    **evidence,
                }
                if ss[0].unit is not None:
                    ev["unit"] = ts[0].unit
                yield self.finding("target", sent.index, span, message, ev, code=code)

    #: Compare even when neither side has a token (whitespace does).
    always_compare = False
