"""``markdown_mismatch``: Markdown inline code (`` `code` ``) and link targets (``[text](url)``) of
the source missing or changed in the target. Code must stay as written; a link target may be
localised on purpose (``guide.md`` → ``anleitung.md``), so that kind is minor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..l10n.placeholders import Token, markdown_code, markdown_links
from ..report import Finding, Sentence
from .base import CheckContext
from .integrity import IntegrityCheck, diff_tokens


def _from_reader(text: str, item: dict[str, Any] | None) -> list[Token]:
    """The tokens of a sentence from what the Markdown reader recorded (targets are not in the
    text: their span is the whole sentence)."""
    if not item:
        return []
    out = []
    for code in item.get("code", []):
        at = text.find(code)
        a, b = (at, at + len(code)) if at >= 0 else (0, len(text))
        out.append(Token("`" + code, f"`{code}`", a, b))
    for target in item.get("links", []):
        out.append(Token("](" + target, target, 0, len(text)))
    return out


__all__ = ["MarkdownMismatchCheck"]


class MarkdownMismatchCheck(IntegrityCheck):
    """Inline code and link targets changed between a Markdown source and its translation."""

    code = "markdown_mismatch"
    default_severity = "major"
    description = (
        "Markdown inline code missing or changed in the target; link targets changed as "
        "markdown_mismatch.link (minor: often localised on purpose) (pofilter: none)"
    )
    kinds = ("link",)
    params = {"link_severity": "minor"}
    what = "inline code"

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        self._inline = ctx.signals.get("l10n_inline")
        self._by_text: dict[str, list[Token]] = {}
        if self._inline:  # Markdown pairs: the reader took the targets out of the text
            for side in ("source", "target"):
                for sent, item in zip(ctx.side(side).sentences, self._inline[side]):
                    self._by_text[f"{side}:{sent.index}"] = _from_reader(sent.text, item)
        yield from super().run(ctx)

    def side_tokens(self, side: str, sents: list[Sentence], text: str) -> list[Token]:
        if not self._inline:
            return self.tokens(text)
        out: list[Token] = []
        pos = 0
        for s in sents:
            out.extend(
                Token(t.key, t.text, t.start + pos, t.end + pos)
                for t in self._by_text.get(f"{side}:{s.index}", [])
            )
            pos += len(s.text) + 1
        return out

    def tokens(self, text: str) -> list[Token]:
        return [Token("`" + t.key, t.text, t.start, t.end) for t in markdown_code(text)] + [
            Token("](" + t.key, t.key, t.start, t.end) for t in markdown_links(text)
        ]

    def compare(
        self, src: str, tgt: str, s_tok: list[Token], t_tok: list[Token]
    ) -> Iterator[tuple[str, str, list[Token], list[Token], dict[str, Any]]]:
        for prefix, code, what in (
            ("`", self.code, "inline code"),
            ("](", f"{self.code}.link", "link target"),
        ):
            s = [t for t in s_tok if t.key.startswith(prefix)]
            t = [x for x in t_tok if x.key.startswith(prefix)]
            missing, added = diff_tokens(s, t)
            if missing or added:
                yield (
                    code,
                    self.message(missing, added).replace("inline code", what, 1),
                    missing,
                    added,
                    {},
                )

    def finding(self, *args: Any, **kw: Any):  # type: ignore[no-untyped-def]
        if kw.get("code") == f"{self.code}.link":
            kw.setdefault("severity", self.p["link_severity"])
        return super().finding(*args, **kw)
