"""The report as JSON (the schema is ``docs/report.schema.json``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..report import Report

if TYPE_CHECKING:
    from ..gate import GateResult

__all__ = ["render_json"]


def render_json(report: Report, gate: GateResult | None = None) -> str:
    """``report`` as indented JSON text (the gate is not part of the report)."""
    return report.to_json() + "\n"
