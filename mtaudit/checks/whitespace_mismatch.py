"""``whitespace_mismatch``: a localisation unit whose target starts or ends with other whitespace
than its source (a leading space, a trailing newline), or holds another number of line breaks
(pofilter's ``startwhitespace``, ``endwhitespace`` and ``newlines`` tests). Only on localisation
units: documents and pairs files are read without edge whitespace."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..l10n.placeholders import Token, edge_whitespace
from ..report import Sentence
from .base import CheckContext
from .common import check_severity_param
from .integrity import IntegrityCheck, l10n_format

__all__ = ["WhitespaceMismatchCheck"]


def _show(ws: str) -> str:
    return repr(ws) if ws else "nothing"


class WhitespaceMismatchCheck(IntegrityCheck):
    """Leading/trailing whitespace and line breaks that differ in a localisation unit."""

    code = "whitespace_mismatch"
    default_severity = "minor"
    description = (
        "localisation units only: the target starts or ends with other whitespace than the "
        "source; with newlines_severity set, another number of line breaks inside "
        "(pofilter: startwhitespace, endwhitespace, newlines)"
    )
    kinds = ("newlines",)
    #: Another number of line breaks inside the unit (off by default: translations re-wrap
    #: multi-line labels; on real GTK catalogues it was most of this check's findings).
    params = {"newlines_severity": None}
    l10n_only = True
    always_compare = True
    what = "whitespace"

    def applies(self, ctx: CheckContext, tgt: Sequence[Sentence]) -> bool:
        return super().applies(ctx, tgt) and l10n_format(ctx) != "markdown"

    def __init__(self, severity: str | None = None, **overrides: Any) -> None:
        super().__init__(severity, **overrides)
        check_severity_param(self, "newlines_severity")

    def finding(self, *args: Any, **kw: Any):  # type: ignore[no-untyped-def]
        if kw.get("code") == f"{self.code}.newlines":
            kw.setdefault("severity", self.p["newlines_severity"])
        return super().finding(*args, **kw)

    def tokens(self, text: str) -> list[Token]:
        return []

    def compare(
        self, src: str, tgt: str, s_tok: list[Token], t_tok: list[Token]
    ) -> Iterator[tuple[str, str, list[Token], list[Token], dict[str, Any]]]:
        (sl, st), (tl, tt) = edge_whitespace(src), edge_whitespace(tgt)
        problems = []
        if sl != tl:
            problems.append(f"starts with {_show(tl)} where the source starts with {_show(sl)}")
        if st != tt:
            problems.append(f"ends with {_show(tt)} where the source ends with {_show(st)}")
        if problems:
            yield (
                self.code,
                "the target " + " and ".join(problems),
                [],
                [],
                {"source_edges": [sl, st], "target_edges": [tl, tt]},
            )
        ns, nt = src.count("\n"), tgt.count("\n")
        if ns != nt and not problems and self.p["newlines_severity"]:
            yield (
                f"{self.code}.newlines",
                f"the target has {nt} line break(s) where the source has {ns}",
                [],
                [],
                {"source_newlines": ns, "target_newlines": nt},
            )
