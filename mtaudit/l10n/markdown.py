"""Translated Markdown documents as segment pairs (markdown-it-py).

Each heading, paragraph, list item, block quote paragraph and table cell is one segment, with the
line it starts on; fenced and indented code blocks, HTML blocks and a YAML/TOML front matter
block are skipped. A segment's text is its inline Markdown as written (inline code and links
included), so that the ``markdown_mismatch`` check can compare inline code and link targets and
a finding quotes what the translator sees. The two documents' segments are matched by block
structure (the sequence of block kinds: ``h1``…``h6``, ``p``, ``li``, ``quote``, ``th``/``td``),
so that a paragraph added or dropped in the translation shifts nothing after it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from ..errors import InputError, ModelUnavailableError
from ..load import Pair, read_text
from .placeholders import markdown_code, markdown_links
from .units import L10nInput

__all__ = ["MarkdownSegment", "markdown_segments", "read_markdown_pair"]

_LINK_TARGET = re.compile(
    r"(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?[^\s()<>]*(?:\([^\s()]*\))?>?"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"
)
_FRONT = re.compile(r"\A(?:\ufeff)?(---|\+\+\+)[ \t]*\r?\n.*?^\1[ \t]*$", re.S | re.M)


@dataclass(frozen=True)
class MarkdownSegment:
    """One translatable block: its kind, 1-based line, inline Markdown text (link targets left
    out) and what must be carried over: its inline code and link targets."""

    kind: str
    line: int
    text: str
    code: tuple[str, ...] = ()
    links: tuple[str, ...] = ()


def _inline(content: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The checked text of an inline block (``[text](target)`` → ``[text]``, so that no check
    reads a link target as copied words), its inline code and its link targets."""
    content = " ".join(content.split())
    code = tuple(t.key for t in markdown_code(content))
    links = tuple(t.key for t in markdown_links(content))
    text = _LINK_TARGET.sub(lambda m: f"{m.group(1)}[{m.group(2)}]", content)
    return text, code, links


def _blank_front_matter(text: str) -> tuple[str, int]:
    """``text`` with its front matter's lines emptied (line numbers kept), and how many."""
    m = _FRONT.match(text)
    if not m:
        return text, 0
    block = m.group(0)
    n = block.count("\n") + 1
    return "\n" * (n - 1) + text[m.end() :], n


def _parser() -> Any:
    try:
        from markdown_it import MarkdownIt
    except ImportError:
        raise ModelUnavailableError(
            "reading Markdown documents needs markdown-it-py; pip install 'mtaudit[l10n]'"
        ) from None
    return MarkdownIt("commonmark").enable("table")


def markdown_segments(text: str) -> tuple[list[MarkdownSegment], dict[str, int]]:
    """The segments of a Markdown document, and how many blocks of each skipped kind."""
    body, front = _blank_front_matter(text)
    skipped = {"front_matter_lines": front, "code_blocks": 0, "html_blocks": 0}
    segments = []
    stack: list[str] = []
    for tok in _parser().parse(body):
        if tok.type in ("fence", "code_block"):
            skipped["code_blocks"] += 1
        elif tok.type == "html_block":
            skipped["html_blocks"] += 1
        elif tok.nesting == 1:
            stack.append(tok.tag)
        elif tok.nesting == -1:
            if stack:
                stack.pop()
        elif tok.type == "inline" and tok.map is not None:
            content, code, links = _inline(tok.content)
            if not content:
                continue
            tags = set(stack)
            parent = stack[-1] if stack else "p"
            if parent.startswith("h") and parent[1:].isdigit() or parent in ("th", "td"):
                kind = parent
            elif "li" in tags:
                kind = "li"
            elif "blockquote" in tags:
                kind = "quote"
            else:
                kind = "p"
            segments.append(MarkdownSegment(kind, tok.map[0] + 1, content, code, links))
    return segments, skipped


def read_markdown_pair(source: str, target: str, *, max_bytes: int) -> L10nInput:
    """A Markdown document and its translation as pairs, matched by block structure.

    Unit ids are ``<kind>@<source line>`` (``h2@14``, ``li@30``); a source block with no
    counterpart in the translation is listed as ``missing`` (and one only in the translation
    as ``added``), not audited.
    """
    sides = []
    for path in (source, target):
        text = read_text(path, max_bytes=max_bytes)
        if not text.strip():
            raise InputError(f"{path}: the document is empty")
        sides.append(markdown_segments(text))
    (src, skipped), (tgt, _) = sides
    result = L10nInput("markdown", [], target, source_path=source)
    result.units = len(src)
    result.notes = {"skipped": skipped, "added": []}
    matcher = difflib.SequenceMatcher(
        None, [s.kind for s in src], [t.kind for t in tgt], autojunk=False
    )
    seen: dict[str, int] = {}

    def uid_of(seg: MarkdownSegment) -> str:
        uid = f"{seg.kind}@{seg.line}"
        seen[uid] = seen.get(uid, 0) + 1
        return uid if seen[uid] == 1 else f"{uid}.{seen[uid]}"  # table cells share a line

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "replace" and i2 - i1 == j2 - j1:
            op = "equal"  # same number of blocks, different kinds (a list turned into lines)
        if op == "equal":
            for s, t in zip(src[i1:i2], tgt[j1:j2]):
                uid = uid_of(s)
                extra: dict[str, Any] = {
                    "unit": uid,
                    "state": "translated",
                    "source_line": s.line,
                    "source_inline": {"code": list(s.code), "links": list(s.links)},
                    "inline": {"code": list(t.code), "links": list(t.links)},
                }
                result.pairs.append(Pair(s.text, t.text, None, t.line, extra))
                result.audited += 1
            continue
        for s in src[i1:i2]:
            result.missing.append({"unit": uid_of(s), "line": None, "source_line": s.line})
        for t in tgt[j1:j2]:
            result.notes["added"].append({"unit": f"{t.kind}@{t.line}", "line": t.line})
    return result
