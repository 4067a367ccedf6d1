"""``markup_mismatch``: HTML/XML tags (and character entities) of the source missing or added in
the target (pofilter's ``xmltags`` test; entities as the ``entity`` kind, typographic spaces such
as ``&nbsp;`` excepted)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..l10n.placeholders import Token, entities, tags
from .integrity import IntegrityCheck, diff_tokens

__all__ = ["MarkupMismatchCheck"]


class MarkupMismatchCheck(IntegrityCheck):
    """Tags and entities of the source missing or added in the target."""

    code = "markup_mismatch"
    default_severity = "major"
    description = (
        "HTML/XML tags (<b>, </a>, <br/>) missing or added in the target; character entities "
        "(&amp;, &#169;) as markup_mismatch.entity (minor; &nbsp; and other spaces excepted) "
        "(pofilter: xmltags)"
    )
    kinds = ("entity",)
    params = {"entity_severity": "minor"}
    what = "markup"

    def tokens(self, text: str) -> list[Token]:
        return tags(text) + entities(text)

    def compare(
        self, src: str, tgt: str, s_tok: list[Token], t_tok: list[Token]
    ) -> Iterator[tuple[str, str, list[Token], list[Token], dict[str, Any]]]:
        def split(toks: list[Token]) -> tuple[list[Token], list[Token]]:
            return [t for t in toks if t.key.startswith("<")], [
                t for t in toks if t.key.startswith("&")
            ]

        (s_tags, s_ent), (t_tags, t_ent) = split(s_tok), split(t_tok)
        missing, added = diff_tokens(s_tags, t_tags)
        if missing or added:
            yield (
                self.code,
                self.message(missing, added).replace("markup", "tag", 1),
                missing,
                added,
                {},
            )
        missing, added = diff_tokens(s_ent, t_ent)
        if missing:  # an entity the target adds is its own typography
            yield (
                f"{self.code}.entity",
                self.message(missing, []).replace("markup", "entity", 1),
                missing,
                [],
                {},
            )

    def finding(self, *args: Any, **kw: Any):  # type: ignore[no-untyped-def]
        if kw.get("code") == f"{self.code}.entity":
            kw.setdefault("severity", self.p["entity_severity"])
        return super().finding(*args, **kw)
