"""Report formats: one table, :data:`FORMATS`, of name → :class:`Format` (file extension and
renderer). Each renderer is ``render(report, gate=None) -> str``; ``gate`` is an optional
:class:`~mtaudit.gate.GateResult` whose verdict formats that show one include. Adding a format is
a module here and one row in the table (``docs/extending.md``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..report import Report
from .github import render_github
from .html import render_html
from .json import render_json
from .junit import render_junit
from .markdown import render_markdown
from .sarif import render_sarif

if TYPE_CHECKING:
    from ..gate import GateResult

__all__ = [
    "FORMATS",
    "Format",
    "render",
    "render_github",
    "render_html",
    "render_json",
    "render_junit",
    "render_markdown",
    "render_sarif",
]


@dataclass(frozen=True)
class Format:
    """An output format: its name (``--format NAME``), the file extension of its reports in a
    batch's ``OUT/items/`` and its renderer."""

    name: str
    extension: str
    render: Callable[..., str]


#: Every output format by name, in the order ``--help`` lists them.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("json", ".json", render_json),
        Format("markdown", ".md", render_markdown),
        Format("html", ".html", render_html),
        Format("junit", ".junit.xml", render_junit),
        Format("sarif", ".sarif", render_sarif),
        Format("github", ".github.txt", render_github),
    )
}


def render(report: Report, fmt: str, gate: GateResult | None = None) -> str:
    """Render ``report`` in ``fmt`` (a name in :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return FORMATS[fmt].render(report, gate)
