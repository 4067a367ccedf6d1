"""``accelerator_mismatch``: a UI string whose source marks a keyboard accelerator (``&File``,
``_Save``, ``~Open``) and whose target marks none or several (pofilter's ``accelerators`` test).
Only on localisation units of software formats (not Markdown, where ``_`` is emphasis)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import InputError
from ..l10n.placeholders import Token, accelerators
from ..report import Sentence
from .base import CheckContext
from .integrity import IntegrityCheck, l10n_format

__all__ = ["AcceleratorMismatchCheck"]


class AcceleratorMismatchCheck(IntegrityCheck):
    """An accelerator marker in the source and not exactly one in the target."""

    code = "accelerator_mismatch"
    default_severity = "major"
    description = (
        "localisation units only: the source marks one keyboard accelerator (&File, _Save) "
        "and the target none or several (pofilter: accelerators)"
    )
    params = {"markers": ["&", "_"]}
    l10n_only = True
    what = "accelerator"

    def __init__(self, severity: str | None = None, **overrides: Any) -> None:
        super().__init__(severity, **overrides)
        m = self.p["markers"]
        if not isinstance(m, (list, tuple)) or not set(m) <= {"&", "_", "~"}:
            raise InputError(f"check '{self.code}': markers must be a list of '&', '_', '~'")

    def applies(self, ctx: CheckContext, tgt: Sequence[Sentence]) -> bool:
        return super().applies(ctx, tgt) and l10n_format(ctx) != "markdown"

    def tokens(self, text: str) -> list[Token]:
        return [t for m in self.p["markers"] for t in accelerators(text, m)]

    def compare(
        self, src: str, tgt: str, s_tok: list[Token], t_tok: list[Token]
    ) -> Iterator[tuple[str, str, list[Token], list[Token], dict[str, Any]]]:
        for marker in self.p["markers"]:
            s = [t for t in s_tok if t.key == marker]
            # the target's may sit inside a word (Farb_name), identifiers of the source excepted
            t = accelerators(tgt, marker, in_words=True, known=src) if len(s) == 1 else []
            if len(s) == 1 and len(t) != 1:
                yield (
                    self.code,
                    f"the source marks the accelerator {s[0].text} and the target "
                    + (
                        "marks none" if not t else f"marks {len(t)}: {', '.join(x.text for x in t)}"
                    ),
                    s if not t else [],
                    t[1:] if t else [],
                    {"marker": marker},
                )
