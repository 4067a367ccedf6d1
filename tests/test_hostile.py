"""Hostile and huge input: inert text in every output format, safe policies, clear limits.

* Every renderer gets a report built by the real pipeline from hostile segments (markup, an
  ``onerror`` attribute, GitHub workflow commands after newlines and lone CRs, ``]]>`` and
  control characters, Markdown table breakers, SARIF placeholders), plus a finding whose message
  and evidence are hostile; each test shows the text arrives as text in its format. No format
  has a line that a GitHub Actions runner would take for a workflow command (the runner reads
  lines split at CR and LF, trims leading white space, and looks for ``::``).
* Policy files are data: parsed by ``tomllib``, never executed; odd content is refused with a
  one-line error.
* Limits: input bytes (``--max-input-mb``), sentences (``--max-sentences``), and the time budget
  of the slow checks (``--time-budget``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import mtaudit
from mtaudit.cli import main as cli_main
from mtaudit.encoders import HashingEncoder
from mtaudit.errors import InputError
from mtaudit.fluency import FluencyResult
from mtaudit.formats import FORMATS, render
from mtaudit.load import Pair
from mtaudit.policy import load_policy
from mtaudit.report import Finding

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'
WORKFLOW = "\n::error file=evil.py,line=1::pwned\r  ::add-mask::secret\r\n%0A::warning::x"
XML_BREAK = "]]> <!-- & \x00\x07\x1b[31m\x0b"
MD_BREAK = "| cell | `code` **bold** [x](javascript:alert(3)) # h"
PLACEHOLDER = "{0} {1}"
HOSTILE = f"Price 5 {SCRIPT} {IMG} {XML_BREAK} {MD_BREAK} {PLACEHOLDER}{WORKFLOW} end"
EVIL_PATH = "evil\n::error::path,x:y%0A.jsonl"


@pytest.fixture(scope="module")
def hostile_report() -> mtaudit.Report:
    pairs = [
        Pair("The price is 4 euros in Berlin.", HOSTILE, line=1),
        Pair(HOSTILE, "Der Preis beträgt 4 Euro.", line=2),
        Pair("Plain sentence.", "Einfacher Satz.", line=3),
    ]
    rep = mtaudit.audit_pairs(
        pairs,
        src_lang="en",
        tgt_lang="de",
        encoder=HashingEncoder(),
        fluency=False,
        path=EVIL_PATH,
    )
    rep.findings.append(
        Finding("name_mismatch", "major", "target", 0, None, HOSTILE, {"note": HOSTILE})
    )
    return rep


def _runner_lines(out: str) -> list[str]:
    """The lines a GitHub Actions runner would see (split at CR, LF), leading space trimmed."""
    return [ln.lstrip() for ln in re.split(r"\r\n|\r|\n", out)]


def _no_workflow_commands(out: str) -> None:
    cmds = [ln for ln in _runner_lines(out) if ln.startswith("::")]
    assert not cmds, cmds[:3]


def test_json_keeps_text_exact(hostile_report: mtaudit.Report) -> None:
    out = render(hostile_report, "json")
    _no_workflow_commands(out)
    data = json.loads(out)
    assert data["target"]["sentences"][0]["text"] == HOSTILE
    assert data["target"]["path"] == EVIL_PATH
    assert data["findings"][-1]["message"] == HOSTILE


def test_markdown_escapes_markup_and_table_breakers(hostile_report: mtaudit.Report) -> None:
    out = render(hostile_report, "markdown")
    _no_workflow_commands(out)
    assert "<script" not in out and "<img" not in out and "<!--" not in out
    assert "&lt;script&gt;" in out
    assert "](javascript:" not in out  # the link brackets are escaped: \[x\]\(…
    assert "\\`code\\`" in out and "\\*\\*bold\\*\\*" in out
    # every table row keeps its number of cells: no unescaped | from the text
    for table in re.findall(r"(?:^\|.*\|$\n?)+", out, flags=re.M):
        rows = table.strip("\n").split("\n")
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
        assert len(widths) == 1, rows
    assert "\x00" not in out and "\x1b" not in out  # no NUL, no terminal escape sequences
    assert out.count("\n") == len(out.splitlines())  # no stray CR / other line breaks


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_renders_hostile_text_as_text(hostile_report: mtaudit.Report) -> None:
    out = render(hostile_report, "html")
    _no_workflow_commands(out)
    page = _Tags()
    page.feed(out)
    tags = [t for t, _ in page.tags]
    assert "img" not in tags and "iframe" not in tags
    assert tags.count("script") == 2  # the page's own: findings data + the viewer
    assert not [a for _, a in page.tags if any(k.startswith("on") for k in a)]
    assert not [a for _, a in page.tags if "javascript:" in (a.get("href") or "")]
    text = "".join(page.text)
    assert SCRIPT in text and IMG in text  # shown, as text
    assert "::error file=evil.py,line=1::pwned" in text  # the colon is a character reference


def test_junit_is_well_formed_and_holds_the_text(hostile_report: mtaudit.Report) -> None:
    out = render(hostile_report, "junit")
    _no_workflow_commands(out)
    assert "\x00" not in out and "\x07" not in out and "\x1b" not in out and "\x0b" not in out
    root = ET.fromstring(out.encode("utf-8"))
    failures = list(root.iter("failure"))
    body = "".join(f.text or "" for f in failures)
    assert SCRIPT in body and IMG in body and "]]> <!-- &" in body
    assert "::error file=evil.py,line=1::pwned" in body
    assert "\ufffd" in body  # control characters XML cannot hold are replaced
    files = {tc.get("file") for tc in root.iter("testcase")}
    assert EVIL_PATH.replace("\n", " ") in {(f or "").replace("\n", " ") for f in files}


def test_sarif_messages_escape_placeholders(hostile_report: mtaudit.Report) -> None:
    out = render(hostile_report, "sarif")
    _no_workflow_commands(out)
    log = json.loads(out)
    results = log["runs"][0]["results"]
    hostile = [r for r in results if "pwned" in r["message"]["text"]]
    assert hostile
    for r in results:
        text = r["message"]["text"]
        # SARIF 2.1.0 §3.11.5: a literal brace is doubled; a single one would be a placeholder
        assert not re.search(r"(?<!\{)\{(?!\{)\d", text.replace("{{", "")), text
    assert hostile[0]["message"]["text"].replace("{{", "{").replace("}}", "}") == HOSTILE


_CMD = re.compile(r"^::(error|warning|notice)(?: [^:]*)?::[^\r\n]*$")


def test_github_annotations_cannot_inject_commands(hostile_report: mtaudit.Report) -> None:
    out = render(hostile_report, "github")
    lines = out.split("\n")[:-1]
    assert out.endswith("\n") and "\r" not in out
    assert "\x00" not in out and "\x1b" not in out  # no NUL, no terminal escape sequences
    assert all(_CMD.match(ln) for ln in lines), lines
    serious = [f for f in hostile_report.findings if f.code != "furniture"]
    assert len(lines) == len(serious) + 1  # one per finding + the verdict
    # the hostile commands survive only as data inside our own commands, on our own lines
    evil = [ln for ln in lines if "pwned" in ln]
    assert evil, lines
    for ln in evil:
        head, data = ln[2:].split("::", 1)
        assert "title=mtaudit " in head, ln
        assert "::error file=evil.py,line=1::pwned ::add-mask::secret" in data
    path = "file=evil%0A%3A%3Aerror%3A%3Apath%2Cx%3Ay%250A.jsonl,"
    assert all(path in ln for ln in lines if "file=" in ln)


@pytest.mark.parametrize("fmt", FORMATS)
def test_workflow_commands_in_documents_stay_inert(fmt: str) -> None:
    """Workflow commands in plain documents (not pairs) stay inert in every format."""
    src = "The council met on Monday.\n::error::from the source\nIt approved 3 plans.\n"
    tgt = (
        "Der Rat tagte am Montag.\n  ::set-output name=x::y\r::warning::cr\nEr billigte 4 Pläne.\n"
    )
    rep = mtaudit.audit(src, tgt, src_lang="en", tgt_lang="de", encoder=HashingEncoder(),
                        fluency=False, mode="translation")  # fmt: skip
    out = render(rep, fmt)
    if fmt == "github":
        assert all(_CMD.match(ln) for ln in out.split("\n")[:-1])
    else:
        _no_workflow_commands(out)


# --------------------------------------------------------------------------- policy files


@pytest.mark.parametrize(
    "content, message",
    [
        ("__import__('os').system('touch PWNED')\n", "TOML syntax error"),
        ("fail_on = __import__('os').system('touch PWNED')\n", "TOML syntax error"),
        ("!!python/object/apply:os.system ['touch PWNED']\n", "TOML syntax error"),
        ("exec = \"open('PWNED', 'w')\"\n", "unknown key 'exec'"),
        ("fail_on = \"__import__('os')\"\n", "unknown severity"),
        ("min_quality = nan\n", "between 0 and 100"),
        ("min_quality = 1e999\n", "between 0 and 100"),
        ("ignore = ['../../etc/passwd']\n", "is not a finding code"),
        ("[severity]\nnumber_mismatch = { a = 1 }\n", "expected a severity"),
        ("x = " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
        (b"fail_on = '\xff\xfe'\n", "not UTF-8"),
    ],
)
def test_policy_with_odd_content_is_refused(tmp_path: Path, content: Any, message: str) -> None:
    p = tmp_path / "mtaudit.toml"
    p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    cwd = os.getcwd()
    os.chdir(tmp_path)  # anything that ran would leave PWNED here
    try:
        with pytest.raises(InputError, match=message) as exc:
            load_policy(p)
    finally:
        os.chdir(cwd)
    assert "\n" not in str(exc.value) and str(p) in str(exc.value)
    assert not (tmp_path / "PWNED").exists()


def test_cli_refuses_a_bad_policy_with_one_line(tmp_path: Path, capsys) -> None:
    p = tmp_path / "deep.toml"
    p.write_text("x = " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    code = cli_main(["audit", "a.txt", "b.txt", "--policy", str(p)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "nested too deeply" in err


# --------------------------------------------------------------------------- limits


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as fh:
        fh.truncate(size)  # a hole: no disk space, no memory
    return path


def test_100_mb_input_is_refused_up_front(tmp_path: Path) -> None:
    big = _sparse(tmp_path / "big.txt", 100 * 1024 * 1024)
    small = tmp_path / "small.txt"
    small.write_text("Hello world.\n", encoding="utf-8")
    out = tmp_path / "report.json"
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "mtaudit", "audit", str(big), str(small), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "100.0 MB exceeds the input limit of 20 MB" in proc.stderr
    assert "--max-input-mb" in proc.stderr
    assert not out.exists()
    assert time.perf_counter() - t0 < 60


@pytest.mark.parametrize("where", ["source", "pairs", "reference"])
def test_input_cap_applies_to_every_file(tmp_path: Path, capsys, where: str) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("Hello world.\n", encoding="utf-8")
    big = _sparse(tmp_path / "big.txt", 3 * 1024 * 1024)
    argv = {
        "source": ["audit", str(big), str(doc)],
        "pairs": ["audit", "--pairs", str(big)],
        "reference": ["audit", str(doc), str(doc), "--reference", str(big)],
    }[where]
    code = cli_main([*argv, "--max-input-mb", "2", "--encoder", "hashing", "--no-fluency"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "exceeds the input limit of 2 MB (2097152 bytes); raise it with --max-input-mb" in err


def test_input_without_a_size_is_read_only_up_to_the_cap(capsys) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    code = cli_main(["audit", "/dev/zero", "/dev/zero", "--max-input-mb", "1"])
    err = capsys.readouterr().err
    assert code == 2 and "larger than the input limit of 1 MB" in err


def test_sentence_cap(tmp_path: Path, capsys) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("One. Two. Three. Four. Five.\n", encoding="utf-8")
    pairs = tmp_path / "p.tsv"
    pairs.write_text("".join(f"S{k}.\tT{k}.\n" for k in range(5)), encoding="utf-8")
    common = ["--max-sentences", "4", "--encoder", "hashing", "--no-fluency"]
    for argv in (["audit", str(doc), str(doc)], ["audit", "--pairs", str(pairs)]):
        code = cli_main([*argv, *common])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1, err
        assert "5 " in err and "exceed the limit of 4; raise it with --max-sentences" in err
    with pytest.raises(InputError, match="--max-sentences"):
        mtaudit.audit_pairs([("a", "b")] * 3, encoder=HashingEncoder(), max_sentences=2)


# --------------------------------------------------------------------------- time budget


class _SlowScorer:
    """A fake fluency scorer that takes ``delay`` seconds per call."""

    name = "slow-fake"

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.calls = 0

    def score(self, sentences: list[str], lang: str | None) -> list[FluencyResult | None]:
        self.calls += 1
        time.sleep(self.delay)
        return [FluencyResult(score=90.0, span=None, signals={"p_garbled": 0.1}) for _ in sentences]


_DOC = " ".join(f"Sentence number {k} is here." for k in range(40))


def _budget_audit(scorer: Any, budget: float | None) -> mtaudit.Report:
    return mtaudit.audit(
        _DOC,
        _DOC,
        src_lang="en",
        tgt_lang="en",
        mode="translation",
        encoder=HashingEncoder(),
        fluency=scorer,
        time_budget=budget,
    )


def test_time_budget_skips_the_rest_and_says_so() -> None:
    rep = _budget_audit(_SlowScorer(0.3), 0.1)
    note = rep.signature.skipped["fluency.time_budget"]
    # the first chunk (32 sentences) starts inside the budget; the rest start after it
    assert note.startswith("time budget of 0.1 s spent: 48 of 80 sentences not checked")
    assert "--time-budget" in note
    scored = [s.fluency for s in rep.source.sentences + rep.target.sentences]
    assert scored.count(None) == 48 and scored.count(90.0) == 32
    assert rep.signature.settings["time_budget"] == 0.1
    assert "fluency.time_budget" in render(rep, "markdown")
    # the budget covers the checks too: spent by the fluency stage, no check ran, and it says so
    assert rep.signature.skipped["checks.time_budget"].startswith("time budget spent: ")
    assert not [f for f in rep.findings if f.code != "furniture"]


def test_time_budget_stops_between_checks() -> None:
    from mtaudit.checks.base import Check, CheckContext, run_checks

    class Slow(Check):
        code, default_severity, description = "slow_fake", "minor", "sleeps"

        def run(self, ctx: CheckContext):
            time.sleep(0.2)
            yield self.finding("target", 0, (0, 1), "slow")

    class Quick(Slow):
        code = "quick_fake"

        def run(self, ctx: CheckContext):
            yield self.finding("target", 0, (0, 1), "quick")

    rep = _budget_audit(_SlowScorer(0.0), None)
    ctx = CheckContext(source=rep.source, target=rep.target, links=rep.links, mode="translation")
    skipped: dict[str, str] = {}
    found = run_checks(ctx, [Slow(), Quick()], deadline=time.perf_counter() + 0.1, skipped=skipped)
    assert [f.code for f in found] == ["slow_fake"]  # a started check runs to its end
    assert skipped == {"checks.time_budget": "time budget spent: 1 check(s) not run: quick_fake"}
    assert len(run_checks(ctx, [Slow(), Quick()])) == 2


def test_time_budget_not_reached_changes_nothing() -> None:
    with_budget = _budget_audit(_SlowScorer(0.0), 600)
    without = _budget_audit(_SlowScorer(0.0), None)
    assert "fluency.time_budget" not in with_budget.signature.skipped
    assert "checks.time_budget" not in with_budget.signature.skipped
    assert [s.fluency for s in with_budget.target.sentences] == [
        s.fluency for s in without.target.sentences
    ]
    assert with_budget.findings == without.findings
    assert "time_budget" not in without.signature.settings


def test_time_budget_zero_and_bad_values(tmp_path: Path, capsys) -> None:
    rep = _budget_audit(_SlowScorer(0.0), 0)
    assert "80 of 80 sentences not checked" in rep.signature.skipped["fluency.time_budget"]
    doc = tmp_path / "doc.txt"
    doc.write_text("Hello world.\n", encoding="utf-8")
    code = cli_main(["audit", str(doc), str(doc), "--time-budget", "-1", "--encoder", "hashing"])
    err = capsys.readouterr().err
    assert code == 2 and "--time-budget must be 0 or more seconds" in err
    code = cli_main(["audit", str(doc), str(doc), "--time-budget", "soon"])
    assert code == 2 and "--time-budget" in capsys.readouterr().err
