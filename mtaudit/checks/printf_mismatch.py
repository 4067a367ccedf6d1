"""``printf_mismatch``: C/Python printf placeholders (``%s``, ``%(name)d``, ``%1$s``, Qt ``%1``)
missing, added or (unnumbered ones) reordered in the target (pofilter's ``printf`` test)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..l10n.placeholders import Token, printf
from .integrity import IntegrityCheck

__all__ = ["PrintfMismatchCheck"]


class PrintfMismatchCheck(IntegrityCheck):
    """printf placeholders of the source missing, added or reordered in the target."""

    code = "printf_mismatch"
    default_severity = "critical"
    description = (
        "printf placeholders (%s, %(name)d, %1$s, Qt %1) missing, added or (unnumbered ones) "
        "reordered in the target: a crash or a wrong value at run time (pofilter: printf)"
    )
    kinds = ("order",)
    what = "printf placeholder"

    def tokens(self, text: str) -> list[Token]:
        return printf(text)

    def compare(
        self, src: str, tgt: str, s_tok: list[Token], t_tok: list[Token]
    ) -> Iterator[tuple[str, str, list[Token], list[Token], dict[str, Any]]]:
        found = list(super().compare(src, tgt, s_tok, t_tok))
        yield from found
        if found:
            return
        plain = [t.key for t in s_tok if "$" not in t.key and "(" not in t.key]
        t_plain = [t.key for t in t_tok if "$" not in t.key and "(" not in t.key]
        if plain != t_plain:
            yield (
                f"{self.code}.order",
                "unnumbered printf placeholders in another order: "
                f"{' '.join(plain)} → {' '.join(t_plain)} (number them, e.g. %1$s, to reorder)",
                [],
                [],
                {"source_order": plain, "target_order": t_plain},
            )
