"""SARIF 2.1.0: findings as static-analysis results, for GitHub code scanning and other viewers.

One run; ``tool.driver.rules`` are the finding codes present; each result points at its side's
file (``source.txt`` / ``target.txt`` for text given directly) with a region in 1-based lines
and columns. Columns count Unicode code points, declared with ``run.columnKind =
"unicodeCodePoints"`` (SARIF's default would be UTF-16 code units). Levels: critical and major →
``error``, minor → ``warning``, page furniture → ``note``. Evidence, side, sentence and severity
are in each result's ``properties``; the summary, signature and gate are in the run's.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..report import Finding, Report
from .common import (
    LineIndex,
    describe_code,
    finding_region,
    finding_sentence,
    is_furniture,
    severity_rank,
    side_label,
    span_text,
)

if TYPE_CHECKING:
    from ..gate import GateResult

__all__ = ["render_sarif", "sarif_log", "SARIF_SCHEMA_URI", "sarif_level"]

#: The ``$schema`` of the OASIS SARIF 2.1.0 standard (errata 01).
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_INFO_URI = "https://github.com/mtaudit/mtaudit"


def sarif_level(finding: Finding) -> str:
    """``error`` for critical/major, ``warning`` for minor, ``note`` for page furniture."""
    if is_furniture(finding):
        return "note"
    return "error" if severity_rank(finding.severity) >= 1 else "warning"


def _message(text: str) -> str:
    """A SARIF message string: literal ``{`` and ``}`` doubled (SARIF 2.1.0 §3.11.5), so that
    text such as ``{0}`` is not read as a placeholder."""
    return text.replace("{", "{{").replace("}", "}}")


def _level_of_severity(severity: str | None) -> str:
    return "error" if severity in ("major", "critical") else "warning"


def path_to_uri(path: str) -> str:
    """A SARIF ``uri`` for a file path: relative paths stay relative (POSIX, percent-encoded),
    absolute ones become ``file://`` URIs."""
    p: PurePath = PureWindowsPath(path) if "\\" in path and "/" not in path else PurePosixPath(path)
    if p.is_absolute():
        if isinstance(p, PureWindowsPath):
            return "file:///" + quote(p.as_posix(), safe="/:")
        return "file://" + quote(p.as_posix(), safe="/")
    return quote(p.as_posix(), safe="/")


def _fingerprint(report: Report, f: Finding) -> str:
    sent = finding_sentence(report, f)
    parts = [f.code, f.side, sent.text if sent else "", span_text(report, f)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def sarif_log(report: Report, gate: GateResult | None = None) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict (see :func:`render_sarif`)."""
    codes = sorted({f.code for f in report.findings})
    rules: list[dict[str, Any]] = []
    rule_index: dict[str, int] = {}
    for code in codes:
        desc, default = describe_code(code)
        seen = [f.severity for f in report.findings if f.code == code]
        severity = default or max(seen, key=severity_rank)
        level = "note" if code.split(".", 1)[0] == "furniture" else _level_of_severity(severity)
        rule_index[code] = len(rules)
        rules.append(
            {
                "id": code,
                "name": "".join(w.capitalize() for w in code.replace(".", "_").split("_")),
                "shortDescription": {"text": _message(desc)},
                "defaultConfiguration": {"level": level},
                "properties": {"severity": severity, "tags": ["translation-quality"]},
            }
        )

    artifacts: list[dict[str, Any]] = []
    artifact_index: dict[str, int] = {}
    for name in ("source", "target"):
        side = report.side(name)  # type: ignore[arg-type]
        uri = path_to_uri(side_label(side, name))
        artifact_index[name] = len(artifacts)
        art: dict[str, Any] = {
            "location": {"uri": uri},
            "roles": ["analysisTarget"],
            "properties": {"side": name, "lang": side.lang, "given_as_text": side.path is None},
        }
        if side.text and not (side.sentences and side.sentences[0].unit is not None):
            art["length"] = len(side.text.encode("utf-8"))  # (l10n units: not the file's text)
        artifacts.append(art)

    indexes = {
        "source": LineIndex(report.source.text) if report.source.text else None,
        "target": LineIndex(report.target.text) if report.target.text else None,
    }
    results: list[dict[str, Any]] = []
    for f in report.findings:
        physical: dict[str, Any] = {
            "artifactLocation": {
                "uri": artifacts[artifact_index[f.side]]["location"]["uri"],
                "index": artifact_index[f.side],
            }
        }
        region = finding_region(report, f, indexes[f.side])
        if region is not None:
            reg: dict[str, Any] = {"startLine": region.start_line}
            if region.start_column is not None:
                reg["startColumn"] = region.start_column
                reg["endLine"] = region.end_line
                reg["endColumn"] = region.end_column
            if region.snippet:
                reg["snippet"] = {"text": region.snippet}
            physical["region"] = reg
        sent = finding_sentence(report, f)
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": rule_index[f.code],
            "level": sarif_level(f),
            "message": {"text": _message(f.message or f.code)},
            "locations": [{"physicalLocation": physical}],
            "partialFingerprints": {"mtauditFinding/v1": _fingerprint(report, f)},
            "properties": {
                "severity": f.severity,
                "side": f.side,
                "sentence": f.sentence,
                "span": list(f.span) if f.span is not None else None,
                "sentenceText": sent.text if sent is not None else None,
                "evidence": f.evidence,
            },
        }
        results.append(result)

    invocation: dict[str, Any] = {"executionSuccessful": True}
    if report.signature.skipped:
        invocation["toolExecutionNotifications"] = [
            {"level": "note", "message": {"text": _message(f"{k} skipped: {v}")}}
            for k, v in sorted(report.signature.skipped.items())
        ]
    run_props: dict[str, Any] = {
        "mode": report.mode,
        "verdict": report.summary.get("verdict"),
        "summary": report.summary,
        "signature": report.signature.format(),
        "signatureDetail": report.signature.to_dict(),
    }
    if gate is not None:
        run_props["gate"] = gate.to_dict()
        invocation["properties"] = {"gatePassed": gate.passed, "gateVerdict": gate.verdict}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "mtaudit",
                "version": report.signature.version,
                "semanticVersion": report.signature.version,
                "informationUri": _INFO_URI,
                "rules": rules,
            }
        },
        "columnKind": "unicodeCodePoints",
        "artifacts": artifacts,
        "invocations": [invocation],
        "results": results,
        "properties": run_props,
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render_sarif(report: Report, gate: GateResult | None = None) -> str:
    """The report as a SARIF 2.1.0 log (JSON text, UTF-8, keys in a stable order)."""
    return json.dumps(sarif_log(report, gate), ensure_ascii=False, indent=2, default=str) + "\n"
