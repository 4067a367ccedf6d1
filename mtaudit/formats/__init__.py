"""Report formats for CI and people: JUnit XML, SARIF 2.1.0, GitHub annotations, HTML.

Each renderer is ``render_X(report, gate=None) -> str``; ``gate`` is an optional
:class:`~mtaudit.gate.GateResult` whose verdict is included. :func:`render` also covers the
``json`` and ``markdown`` formats of :mod:`mtaudit.render` (which take no gate).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..report import Report
from .github import render_github
from .html import render_html
from .junit import render_junit
from .sarif import render_sarif

if TYPE_CHECKING:
    from ..gate import GateResult

__all__ = [
    "ALL_FORMATS",
    "RENDERERS",
    "render",
    "render_github",
    "render_html",
    "render_junit",
    "render_sarif",
]

#: The renderers of this package by format name.
RENDERERS: dict[str, Callable[..., str]] = {
    "html": render_html,
    "junit": render_junit,
    "sarif": render_sarif,
    "github": render_github,
}

#: Every output format, for ``--format``.
ALL_FORMATS: tuple[str, ...] = ("json", "markdown", "html", "junit", "sarif", "github")


def render(report: Report, fmt: str, gate: GateResult | None = None) -> str:
    """Render ``report`` in ``fmt`` (one of :data:`ALL_FORMATS`)."""
    if fmt in RENDERERS:
        return RENDERERS[fmt](report, gate)
    if fmt in ("json", "markdown"):
        from ..render import render as render_basic

        return render_basic(report, fmt)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(ALL_FORMATS)}")
