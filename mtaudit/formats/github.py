"""GitHub Actions workflow commands: one annotation per finding, shown on the run and the diff.

``::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`` for critical and major
findings, ``::warning`` for minor ones (page furniture is not annotated), then a ``::notice`` (or
``::error`` when the gate failed) with the verdict. Columns count code points and ``endColumn``
is the column of the span's last character; columns are given only for single-line spans (GitHub
rejects ``endColumn`` on multi-line annotations). ``file`` is omitted for text given directly.

Everything that comes from the documents or findings is escaped as GitHub's runner expects
(data: ``%``, CR, LF; properties also ``:`` and ``,``), so a message or file name holding
``::`` or a newline cannot start a workflow command of its own.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..report import Finding, Report
from .common import LineIndex, finding_region, is_furniture, severity_rank, span_text

if TYPE_CHECKING:
    from ..gate import GateResult

__all__ = ["render_github", "escape_data", "escape_property", "github_command"]

_MAX_QUOTE = 120


def escape_data(text: str) -> str:
    """Escape a workflow command's message: ``%`` → ``%25``, CR → ``%0D``, LF → ``%0A``."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command property value: as :func:`escape_data`, plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


#: Control characters other than CR and LF (which are escaped): ANSI terminal sequences would
#: colour, hide or overwrite text in the job's log.
_CONTROL = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def github_command(command: str, message: str, **props: str | int | None) -> str:
    """One workflow command line, e.g. ``::warning file=a.txt,line=3::text`` (props escaped;
    control characters other than CR and LF become U+FFFD)."""
    parts = [
        f"{k}={escape_property(_CONTROL.sub(chr(0xFFFD), str(v)))}"
        for k, v in props.items()
        if v is not None
    ]
    head = f"::{command} {','.join(parts)}" if parts else f"::{command}"
    return f"{head}::{escape_data(_CONTROL.sub(chr(0xFFFD), message))}"


def _command_for(f: Finding) -> str:
    return "error" if severity_rank(f.severity) >= 1 else "warning"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_QUOTE else text[: _MAX_QUOTE - 1] + "…"


def render_github(report: Report, gate: GateResult | None = None) -> str:
    """The findings as GitHub workflow commands, one per line, then the verdict."""
    indexes = {
        "source": LineIndex(report.source.text) if report.source.text else None,
        "target": LineIndex(report.target.text) if report.target.text else None,
    }
    lines: list[str] = []
    for f in report.findings:
        if is_furniture(f):
            continue
        side = report.side(f.side)
        region = finding_region(report, f, indexes[f.side])
        props: dict[str, str | int | None] = {"file": side.path}
        if region is not None:
            start, end = region.start_line, region.end_line or region.start_line
            sc, ec = region.start_column, region.end_column
            if sc is not None and ec == 1 and end > start:
                end, ec = end - 1, None  # the span ends with a line break
            props["line"] = start
            if sc is not None and ec is not None and end == start:
                props["col"] = sc
            props["endLine"] = end
            if sc is not None and ec is not None and end == start:
                props["endColumn"] = max(sc, ec - 1)
        props["title"] = f"mtaudit {f.code} ({f.severity}, {f.side})"
        message = " ".join(f.message.split()) or f.code
        quoted = span_text(report, f)
        if quoted and quoted not in message:
            message += f" — “{_quote(quoted)}”"
        lines.append(github_command(_command_for(f), message, **props))
    verdict = str(report.summary.get("verdict", ""))
    if verdict:
        lines.append(github_command("notice", verdict, title="mtaudit verdict"))
    if gate is not None:
        cmd = "notice" if gate.passed else "error"
        lines.append(github_command(cmd, gate.verdict, title="mtaudit gate"))
    return "\n".join(lines) + ("\n" if lines else "")
