"""The seed pair through the real fluency LM, the gate and the CI formats (issue: CI gate).

The seeds are an example of the problem class, not something the code knows. These tests do not
say *which* sentences must be found: they check that whatever the real detector flags as
`garbled` in the mangled article fails a strict gate, passes a lenient one, and is pointed at
(file and line) by every CI format. Skipped when the LM (the `fluency` extra) is not installed.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from mtaudit.formats import render_github, render_junit, render_sarif
from mtaudit.gate import evaluate
from mtaudit.policy import Policy


@pytest.fixture(scope="module")
def seed_report(seed_report_with_lm):
    return seed_report_with_lm


def _garbled(report):
    return [f for f in report.findings if f.code.startswith("garbled")]


def _line(report, f) -> int:
    side = report.side(f.side)
    return side.sentences[f.sentence].line


def test_seed_article_read_in_context_and_garbled_findings_sit_in_their_sentences(seed_report):
    comps = seed_report.signature.components
    assert comps["fluency.source.context"].startswith("document")
    found = _garbled(seed_report)
    assert found, "the mangled article should get at least one garbled finding"
    for f in found:
        sent = seed_report.side(f.side).sentences[f.sentence]
        assert not sent.furniture
        assert sent.start <= f.span[0] < f.span[1] <= sent.end
        assert f.severity in ("major", "critical")
        assert f.evidence["threshold"] <= f.evidence["p_garbled"]


def test_strict_gate_fails_and_lenient_gate_passes(seed_report):
    strict = evaluate(seed_report, Policy(fail_on="major"))
    assert not strict.passed
    # a lenient gate fails only on critical findings (a garbled sentence the model is very sure
    # of is critical)
    critical = [f for f in seed_report.findings if f.severity == "critical"]
    lenient = evaluate(seed_report, Policy(fail_on="critical"))
    assert lenient.passed == (not critical)
    if critical:
        assert any("critical" in r for r in lenient.reasons)
    assert evaluate(seed_report, Policy()).passed


def test_ci_formats_point_at_the_garbled_lines(seed_report, seed_paths):
    gate = evaluate(seed_report, Policy(fail_on="major"))
    found = _garbled(seed_report)
    src_name = seed_paths[0].name

    cmds = [c for c in render_github(seed_report).splitlines() if "garbled" in c]
    for f in found:
        assert any(f"line={_line(seed_report, f)}," in c and src_name in c for c in cmds)

    sarif = json.loads(render_sarif(seed_report, gate))
    results = [r for r in sarif["runs"][0]["results"] if r["ruleId"].startswith("garbled")]
    places = {
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].rsplit("/", 1)[-1],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in results
    }
    for f in found:
        assert (src_name, _line(seed_report, f)) in places

    root = ET.fromstring(render_junit(seed_report, gate))
    failing = {
        (c.get("file", "").rsplit("/", 1)[-1], c.get("line"))
        for c in root.iter("testcase")
        if c.find("failure") is not None and "garbled" in (c.find("failure").get("type") or "")
    }
    for f in found:
        assert (src_name, str(_line(seed_report, f))) in failing
