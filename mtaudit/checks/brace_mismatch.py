"""``brace_mismatch``: brace placeholders — Python ``str.format`` (``{}``, ``{0}``, ``{name!r}``,
``{x:.2f}``), ``{named}`` (i18next, .NET, ICU simple arguments) and ``{{ var }}`` templates —
missing or added in the target (pofilter's ``pythonbraceformat`` and ``variables`` tests)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..l10n.placeholders import Token, braces, icu_arguments
from .integrity import IntegrityCheck, diff_tokens

__all__ = ["BraceMismatchCheck"]


def _first(tokens: list[Token]) -> list[Token]:
    seen, out = set(), []
    for t in tokens:
        if t.key not in seen:
            seen.add(t.key)
            out.append(t)
    return out


class BraceMismatchCheck(IntegrityCheck):
    """Brace placeholders of the source missing or added in the target."""

    code = "brace_mismatch"
    default_severity = "critical"
    description = (
        "brace placeholders ({}, {0}, {name}, {name!r}, {{ var }}) missing or added in the "
        "target (compared as sets inside ICU plural/select messages, whose cases repeat them; "
        "pofilter: pythonbraceformat, variables)"
    )
    what = "brace placeholder"

    def tokens(self, text: str) -> list[Token]:
        return braces(text)

    def compare(
        self, src: str, tgt: str, s_tok: list[Token], t_tok: list[Token]
    ) -> Iterator[tuple[str, str, list[Token], list[Token], dict[str, Any]]]:
        if icu_arguments(src) or icu_arguments(tgt):  # cases repeat arguments: compare sets
            s_tok, t_tok = _first(s_tok), _first(t_tok)
        missing, added = diff_tokens(s_tok, t_tok)
        if missing or added:
            yield self.code, self.message(missing, added), missing, added, {}
