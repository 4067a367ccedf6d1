"""Policy files (parsing, validation with line numbers) and the gate's evaluation."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from report_factory import make_clean_report, make_report

from mtaudit.errors import InputError
from mtaudit.gate import (
    EXIT_FAIL,
    EXIT_PASS,
    apply_policy,
    apply_policy_to_findings,
    evaluate,
    gate_metrics,
)
from mtaudit.policy import Policy, find_key_line, load_policy, parse_policy
from mtaudit.report import Finding

EXAMPLE = textwrap.dedent(
    """\
    # mtaudit gate policy
    min_quality = 70
    max_flagged_share = 0.10
    max_garbled_share = 0.05
    max_omitted_share = 0.2
    fail_on = "critical"
    ignore = ["name_mismatch"]

    [severity]
    number_mismatch = "critical"
    "repetition.loop" = "minor"
    """
)


def _error(text: str, name: str = "mtaudit.toml") -> str:
    with pytest.raises(InputError) as info:
        parse_policy(textwrap.dedent(text), name)
    msg = str(info.value)
    assert "\n" not in msg, "error messages are one line"
    return msg


# --------------------------------------------------------------------------- parsing


def test_example_policy_parses() -> None:
    p = parse_policy(EXAMPLE, "mtaudit.toml")
    assert p.min_quality == 70.0 and isinstance(p.min_quality, float)
    assert p.max_flagged_share == 0.10
    assert p.max_garbled_share == 0.05
    assert p.max_omitted_share == 0.2
    assert p.fail_on == "critical"
    assert p.ignore == ("name_mismatch",)
    assert dict(p.severity) == {"number_mismatch": "critical", "repetition.loop": "minor"}
    assert p.origin == "mtaudit.toml"
    assert p.rules == [
        "min_quality",
        "max_flagged_share",
        "max_garbled_share",
        "max_omitted_share",
        "fail_on",
    ]
    assert json.loads(json.dumps(p.to_dict()))["severity"]["number_mismatch"] == "critical"


def test_empty_policy_is_valid_and_passes_everything() -> None:
    p = parse_policy("# nothing here\n")
    assert p.is_empty and p.rules == []
    res = evaluate(make_report(), p)
    assert res.passed and res.verdict == "Gate passed: no gate rules set."


def test_dotted_and_inline_severity_tables_are_flattened() -> None:
    p = parse_policy('severity.repetition.loop = "critical"\n')
    assert dict(p.severity) == {"repetition.loop": "critical"}
    p = parse_policy('severity = { number_mismatch = "minor", garbled = "critical" }\n')
    assert dict(p.severity) == {"number_mismatch": "minor", "garbled": "critical"}


def test_fail_on_none_means_no_rule() -> None:
    assert parse_policy('fail_on = "none"\n').fail_on is None


def test_unknown_key_names_file_key_and_line() -> None:
    msg = _error(
        """\
        # comment
        min_quality = 70

        min_qualty = 80
        """
    )
    assert msg.startswith("mtaudit.toml:4: unknown key 'min_qualty'")
    assert "did you mean 'min_quality'" in msg


def test_unknown_table_is_reported_at_its_header() -> None:
    msg = _error(
        """\
        fail_on = "major"
        [gate]
        min_quality = 3
        """
    )
    assert msg.startswith("mtaudit.toml:2: unknown key 'gate'")


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        ('fail_on = "major"\nmin_quality = "high"\n', 2, "min_quality", "got a string"),
        ("min_quality = true\n", 1, "min_quality", "got a boolean"),
        ("\n\nmin_quality = 101\n", 3, "min_quality", "between 0 and 100"),
        ("max_flagged_share = 1.5\n", 1, "max_flagged_share", "between 0 and 1"),
        ("max_garbled_share = -0.1\n", 1, "max_garbled_share", "between 0 and 1"),
        ("max_omitted_share = [0.2]\n", 1, "max_omitted_share", "got a list"),
        ('# x\nfail_on = "fatal"\n', 2, "fail_on", "unknown severity 'fatal'"),
        ("fail_on = 2\n", 1, "fail_on", "got a number"),
        ('ignore = "name_mismatch"\n', 1, "ignore", "got a string"),
        ("ignore = [1]\n", 1, "ignore", "got a number"),
        ('ignore = ["Name Mismatch"]\n', 1, "ignore", "not a finding code"),
        ('severity = "critical"\n', 1, "severity", "got a string"),
        (
            '[severity]\nnumber_mismatch = "critical"\ngarbled = "fatal"\n',
            3,
            "severity.garbled",
            "unknown severity 'fatal'",
        ),
        ('[severity]\n"repetition.loop" = 3\n', 2, "severity.repetition.loop", "got a number"),
        (
            'min_quality = 1\nseverity = { number_mismatch = "bad" }\n',
            2,
            "severity.number_mismatch",
            "unknown severity 'bad'",
        ),
        ('a = 1\nseverity.repetition.loop = "x"\n', 1, "a", "unknown key"),
        ('min_quality = 1\nseverity.repetition.loop = "x"\n', 2, "severity.repetition.loop", "'x'"),
        ('[severity]\n"Bad Code" = "minor"\n', 2, 'severity."Bad Code"', "not a finding code"),
    ],
)
def test_validation_errors_name_file_key_and_line(
    text: str, line: int, key: str, words: str
) -> None:
    msg = _error(text, "ci/policy.toml")
    assert msg.startswith(f"ci/policy.toml:{line}: "), msg
    assert f"'{key}'" in msg, msg
    assert words in msg, msg


def test_toml_syntax_error_has_file_line_and_column() -> None:
    msg = _error('min_quality = 70\nfail_on = "major\nignore = []\n')
    assert msg.startswith("mtaudit.toml:2:"), msg
    assert "TOML syntax error" in msg
    msg = _error("min_quality = 70\n[severity]\n[severity]\n")
    assert msg.startswith("mtaudit.toml:3:"), msg
    msg = _error("min_quality = 70\nfail_on =")
    assert msg.startswith("mtaudit.toml:2:10: TOML syntax error"), msg


def test_policy_is_data_only() -> None:
    # Anything that looks like code is just a value of the wrong type or an unknown key.
    msg = _error("min_quality = \"__import__('os').system('false')\"\n")
    assert "expected a number 0–100, got a string" in msg


def test_find_key_line_cases() -> None:
    text = textwrap.dedent(
        """\
        # min_quality = 1 (a comment, not the key)
        "min_quality" = 2
        [severity]
        number_mismatch = "critical"
        'repetition.loop' = "minor"
        [ other ]
        number_mismatch = 1
        """
    )
    assert find_key_line(text, ("min_quality",)) == 2
    assert find_key_line(text, ("severity",)) == 3
    assert find_key_line(text, ("severity", "number_mismatch")) == 4
    assert find_key_line(text, ("severity", "repetition.loop")) == 5
    assert find_key_line(text, ("severity", "repetition", "loop")) == 5
    assert find_key_line(text, ("other", "number_mismatch")) == 7
    assert find_key_line(text, ("severity", "absent")) == 3  # falls back to the table
    assert find_key_line(text, ("absent",)) is None
    assert find_key_line(None, ("x",)) is None


# --------------------------------------------------------------------------- files


def test_load_policy_file(tmp_path: Path) -> None:
    f = tmp_path / "mtaudit.toml"
    f.write_text(EXAMPLE, encoding="utf-8")
    p = load_policy(f)
    assert p.fail_on == "critical" and p.origin == str(f)


def test_load_policy_with_bom(tmp_path: Path) -> None:
    f = tmp_path / "bom.toml"
    f.write_bytes(b"\xef\xbb\xbf" + b'fail_on = "major"\n')
    assert load_policy(f).fail_on == "major"


def test_load_policy_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="policy file not found"):
        load_policy(tmp_path / "nope.toml")
    with pytest.raises(InputError, match="is a directory"):
        load_policy(tmp_path)
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'# ok\nfail_on = "caf\xe9"\n')
    with pytest.raises(InputError, match=r"latin1\.toml:2: policy file is not UTF-8"):
        load_policy(bad)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text("\n\nmax_garbled_share = 2\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{wrong}:3: key 'max_garbled_share'"):
        load_policy(wrong)


# --------------------------------------------------------------------------- in-code form


def test_in_code_policy_is_validated() -> None:
    with pytest.raises(InputError, match=r"^policy: key 'fail_on': unknown severity 'fatal'"):
        Policy(fail_on="fatal")
    with pytest.raises(InputError, match="between 0 and 100"):
        Policy(min_quality=120)
    with pytest.raises(InputError, match="severity.number_mismatch"):
        Policy(severity={"number_mismatch": "huge"})
    p = Policy(min_quality=70, ignore=["a", "a", "b"], fail_on="none")  # type: ignore[arg-type]
    assert p.min_quality == 70.0 and p.ignore == ("a", "b") and p.fail_on is None


def test_flags_override_the_file() -> None:
    base = parse_policy(EXAMPLE)
    p = base.with_overrides(fail_on="major", min_quality=50, severity={"garbled": "critical"})
    assert p.fail_on == "major" and p.min_quality == 50.0
    assert dict(p.severity) == {
        "number_mismatch": "critical",
        "repetition.loop": "minor",
        "garbled": "critical",
    }
    assert p.max_flagged_share == base.max_flagged_share
    assert base.with_overrides(fail_on="none").fail_on is None
    assert base.with_overrides(ignore=["truncated"]).ignore == ("name_mismatch", "truncated")
    assert base.with_overrides() is base
    with pytest.raises(InputError, match=r"^command line: key 'fail_on': unknown severity"):
        base.with_overrides(fail_on="fatal")
    with pytest.raises(InputError, match=r"^command line: key 'min_quality': must be between"):
        base.with_overrides(min_quality=120)


# --------------------------------------------------------------------------- findings


def test_apply_policy_to_findings_does_not_mutate() -> None:
    rep = make_report()
    before = [f.to_dict() for f in rep.findings]
    p = Policy(severity={"number_mismatch": "critical"}, ignore=("name_mismatch",))
    out = apply_policy_to_findings(rep.findings, p)
    assert [f.to_dict() for f in rep.findings] == before
    assert out is not rep.findings
    assert not [f for f in out if f.code == "name_mismatch"]
    nm = next(f for f in out if f.code == "number_mismatch")
    assert nm.severity == "critical" and nm.evidence["original_severity"] == "major"
    assert len(out) == len(rep.findings) - 1


def test_code_patterns_cover_sub_kinds_most_specific_wins() -> None:
    fs = [
        Finding("garbled.fused", "major", "target", 1, None, "x"),
        Finding("garbled", "major", "target", 2, None, "y"),
        Finding("garbledness", "major", "target", 3, None, "z"),
    ]
    p = Policy(severity={"garbled": "minor", "garbled.fused": "critical"})
    assert [f.severity for f in apply_policy_to_findings(fs, p)] == ["critical", "minor", "major"]
    kept = apply_policy_to_findings(fs, Policy(ignore=("garbled",)))
    assert [f.code for f in kept] == ["garbledness"]


def test_apply_policy_recounts_summary_and_keeps_extra_keys() -> None:
    rep = make_report()
    new = apply_policy(rep, Policy(ignore=("garbled",), severity={"omission": "minor"}))
    assert new is not rep and rep.summary["findings_by_code"].get("garbled") == 1
    assert "garbled" not in new.summary["findings_by_code"]
    assert new.summary["quality"] == rep.summary["quality"]
    assert new.summary["findings_by_severity"]["major"] == 1  # number_mismatch only
    assert new.summary["target_flagged_share"] == round(1 / 6, 4)


# --------------------------------------------------------------------------- gate


def test_gate_metrics_of_the_factory_report() -> None:
    m = gate_metrics(make_report())
    assert m["target_content"] == 6 and m["source_content"] == 7
    assert m["flagged"] == 2 and m["flagged_share"] == pytest.approx(2 / 6)
    assert m["garbled"] == 1 and m["garbled_share"] == pytest.approx(1 / 6)
    assert m["omitted"] == 1 and m["omitted_share"] == pytest.approx(1 - 0.8571)
    assert m["quality"] == 68.5


def test_min_quality() -> None:
    res = evaluate(make_report(), Policy(min_quality=70))
    assert not res.passed and res.exit_code == EXIT_FAIL
    assert res.reasons == ["quality 68.5 is below min_quality 70"]
    assert res.verdict == "Gate failed: quality 68.5 is below min_quality 70."
    res = evaluate(make_report(), Policy(min_quality=68.5))
    assert res.passed and res.exit_code == EXIT_PASS
    assert res.verdict == "Gate passed: quality 68.5 ≥ 68.5."


def test_min_quality_skipped_without_quality_and_says_so() -> None:
    res = evaluate(make_report(quality=None), Policy(min_quality=70))
    assert res.passed
    assert res.skipped == ["min_quality not checked: the report has no document quality score"]
    assert "no document quality score" in res.verdict
    assert res.outcomes[0].status == "skip"
    res = evaluate(make_report(quality=None), Policy(min_quality=70, fail_on="critical"))
    assert res.passed and res.verdict.startswith("Gate passed: no critical findings (")
    assert "no document quality score" in res.verdict


@pytest.mark.parametrize(
    ("policy", "passed", "words"),
    [
        (Policy(max_flagged_share=0.3), False, "2 of 6 target sentences have major or critical"),
        (Policy(max_flagged_share=0.34), True, "(33.3%) ≤ 34.0%"),
        (Policy(max_garbled_share=0.1), False, "1 of 6 target sentences garbled (16.7%), above"),
        (Policy(max_garbled_share=0.2), True, "garbled"),
        (Policy(max_omitted_share=0.1), False, "1 of 7 source sentences omitted (14.3%), above"),
        (Policy(max_omitted_share=0.15), True, "omitted"),
        (Policy(fail_on="major"), False, "3 major or worse finding(s)"),
        (Policy(fail_on="critical"), True, "no critical findings"),
        (
            Policy(fail_on="critical", severity={"number_mismatch": "critical"}),
            False,
            "1 critical finding(s) (number_mismatch ×1), fail_on = critical",
        ),
        (Policy(max_garbled_share=0.0, ignore=("garbled",)), True, "0 of 6"),
        (Policy(max_flagged_share=0.2, ignore=("garbled",)), True, "1 of 6"),
        (Policy(max_flagged_share=0.2, severity={"garbled": "minor"}), True, "1 of 6"),
    ],
)
def test_gate_rules(policy: Policy, passed: bool, words: str) -> None:
    res = evaluate(make_report(), policy)
    assert res.passed is passed, res.verdict
    assert words in res.verdict
    assert "\n" not in res.verdict
    assert bool(res.reasons) is not passed


def test_fail_on_excludes_furniture() -> None:
    rep = make_clean_report()
    assert rep.findings and all(f.code == "furniture" for f in rep.findings)
    res = evaluate(rep, Policy(fail_on="minor", max_omitted_share=0, min_quality=80))
    assert res.passed, res.verdict


def test_all_failures_are_named_and_result_serialises() -> None:
    p = Policy(min_quality=90, max_flagged_share=0.1, max_garbled_share=0.1, fail_on="major")
    res = evaluate(make_report(), p)
    assert [o.rule for o in res.outcomes if o.status == "fail"] == [
        "min_quality",
        "max_flagged_share",
        "max_garbled_share",
        "fail_on",
    ]
    assert res.verdict.count(";") == 3
    d = json.loads(json.dumps(res.to_dict()))
    assert d["passed"] is False and d["metrics"]["flagged"] == 2


def test_evaluate_does_not_modify_the_report() -> None:
    rep = make_report()
    before = rep.to_json()
    evaluate(rep, Policy(severity={"garbled": "critical"}, ignore=("omission",), fail_on="minor"))
    assert rep.to_json() == before


def test_python_310_reads_policies_with_tomli(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    pytest.importorskip("tomli", reason="tomli is the TOML reader on Python 3.10")
    monkeypatch.setattr(sys, "version_info", (3, 10, 14, "final", 0))
    assert parse_policy('fail_on = "major"\n').fail_on == "major"
    assert _error("fail_on = ").startswith("mtaudit.toml:1:")
    monkeypatch.setitem(sys.modules, "tomli", None)  # not installed
    assert "needs the 'tomli' package" in _error('fail_on = "major"\n')
