"""JUnit XML: the audit as a test suite, for GitLab, Jenkins and GitHub test reporters.

One ``<testsuite>`` per document pair (a report is one pair), one ``<testcase>`` per content
target sentence, plus one per source sentence that has findings (an omission, say), plus a
``gate`` test case when a gate result is given. A test case fails when its sentence has a major
or critical finding: one ``<failure>`` whose ``message`` lists ``code: message`` of each such
finding, whose ``type`` is the most serious one's code, and whose text holds the evidence. One
failure per test case (not one per finding) because several readers take only the first.
Minor findings are listed in the test case's ``<system-out>``; page furniture is not a test.

Test cases carry ``file`` and ``line`` attributes (as pytest's xunit1 does) so that reporters
that annotate files can point at the sentence; readers that do not know them ignore them.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from ..report import Finding, Report, Sentence
from .common import is_furniture, severity_rank, side_label, span_text, xml_safe

if TYPE_CHECKING:
    from ..gate import GateResult

__all__ = ["render_junit"]

_NAME_CHARS = 60
_LINE_COLON = re.compile(r"(\A|[\r\n])(\s*):")


def _short(text: str, limit: int = _NAME_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _finding_block(report: Report, f: Finding) -> str:
    lines = [f"[{f.severity}] {f.code}: {f.message}"]
    quoted = span_text(report, f)
    if quoted:
        lines.append(f"  text: {quoted}")
    if f.evidence:
        lines.append(
            "  evidence: " + json.dumps(f.evidence, ensure_ascii=False, sort_keys=True, default=str)
        )
    return "\n".join(lines)


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: xml_safe(v) for k, v in attrs.items()})
    if text is not None:
        el.text = xml_safe(text)
    return el


def render_junit(report: Report, gate: GateResult | None = None) -> str:
    """The report as JUnit XML text (UTF-8, with an XML declaration)."""
    src, tgt = report.source, report.target
    src_name, tgt_name = side_label(src, "source"), side_label(tgt, "target")
    by_sentence: dict[tuple[str, int], list[Finding]] = {}
    doc_level: list[Finding] = []
    for f in report.findings:
        if is_furniture(f):
            continue
        if f.sentence is None:
            doc_level.append(f)
        else:
            by_sentence.setdefault((f.side, f.sentence), []).append(f)

    cases: list[tuple[str, Sentence | None, list[Finding]]] = []
    for s in tgt.content:
        cases.append(("target", s, by_sentence.get(("target", s.index), [])))
    for s in src.sentences:
        fs = by_sentence.get(("source", s.index))
        if fs:
            cases.append(("source", s, fs))
    if doc_level:
        cases.append(("document", None, doc_level))

    root = ET.Element("testsuites", {"name": "mtaudit"})
    suite = ET.Element("testsuite")
    root.append(suite)
    props = _el(suite, "properties")
    for name, value in (
        ("mode", report.mode),
        ("source", src_name),
        ("target", tgt_name),
        ("source_lang", src.lang or ""),
        ("target_lang", tgt.lang or ""),
        ("signature", report.signature.format()),
        ("verdict", str(report.summary.get("verdict", ""))),
        ("coverage", str(report.summary.get("coverage", ""))),
    ):
        _el(props, "property", name=name, value=value)
    if report.summary.get("quality") is not None:
        _el(props, "property", name="quality", value=str(report.summary["quality"]))
    if gate is not None:
        _el(props, "property", name="gate", value="passed" if gate.passed else "failed")

    n_tests = n_fail = 0
    for side, sent, fs in cases:
        serious = [f for f in fs if severity_rank(f.severity) >= 1]
        minor = [f for f in fs if severity_rank(f.severity) < 1]
        if sent is not None:
            line = sent.line
            where = f" (line {line})" if line else ""
            name = f"{side} sentence {sent.index}{where}: {_short(sent.text)}"
            attrs = {
                "name": name,
                "classname": f"mtaudit.{side}",
                "time": "0",
                "file": src_name if side == "source" else tgt_name,
            }
            if line:
                attrs["line"] = str(line)
        else:
            attrs = {
                "name": "document-level findings",
                "classname": "mtaudit.document",
                "time": "0",
            }
        case = _el(suite, "testcase", **attrs)
        n_tests += 1
        if serious:
            serious.sort(key=lambda f: -severity_rank(f.severity))
            n_fail += 1
            message = "; ".join(f"{f.code}: {' '.join(f.message.split())}" for f in serious)
            body = "\n\n".join(_finding_block(report, f) for f in serious)
            if sent is not None:
                body = f"{side} sentence {sent.index}: {sent.text}\n\n{body}"
            _el(case, "failure", body, message=message, type=serious[0].code)
        if minor:
            _el(case, "system-out", "\n\n".join(_finding_block(report, f) for f in minor))

    if gate is not None:
        case = _el(suite, "testcase", name="gate", classname="mtaudit.gate", time="0")
        n_tests += 1
        if not gate.passed:
            n_fail += 1
            _el(case, "failure", "\n".join(gate.reasons), message=gate.verdict, type="gate")
        else:
            _el(case, "system-out", gate.verdict)

    total_time = sum(v for v in report.timing.values() if isinstance(v, (int, float)))
    suite_attrs = {
        "name": f"mtaudit {src_name} → {tgt_name}",
        "tests": str(n_tests),
        "failures": str(n_fail),
        "errors": "0",
        "skipped": "0",
        "time": f"{total_time:.3f}",
    }
    for k, v in suite_attrs.items():
        suite.set(k, xml_safe(v))
    # <properties> must come before the test cases: it was created first, so it is.
    _el(suite, "system-out", str(report.summary.get("verdict", "")))
    for k in ("tests", "failures", "errors", "time"):
        root.set(k, suite.get(k, "0"))
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    # A colon starting a line becomes a character reference, so that no line of the file can
    # start a GitHub workflow command (``::error::…``) when it is printed to a job's log.
    body = _LINE_COLON.sub(r"\1\2&#58;", body)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
