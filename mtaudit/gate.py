"""The CI gate: does a report pass a :class:`~mtaudit.policy.Policy`?

:func:`evaluate` applies the policy's severity overrides and ignores to the findings (without
touching the report), measures the document, and returns a :class:`GateResult` with the reasons
it failed and a one-line verdict. Exit codes for the command line: :data:`EXIT_PASS` (0) when it
passes, :data:`EXIT_FAIL` (1) when it fails; usage and input errors are :data:`EXIT_USAGE` (2).

Shares are over *content* sentences (page furniture excluded):

- flagged share — target sentences with at least one major or critical finding;
- garbled share — target sentences with at least one ``garbled`` finding (any severity);
- omitted share — ``1 - summary["coverage"]``, the source content not linked to the target.

A share passes when it is at most its maximum; quality passes when it is at least the minimum.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .policy import Policy, code_matches
from .report import SEVERITIES, Finding, Report

__all__ = [
    "EXIT_PASS",
    "EXIT_FAIL",
    "EXIT_USAGE",
    "RuleOutcome",
    "GateResult",
    "evaluate",
    "apply_policy_to_findings",
    "apply_policy",
    "gate_metrics",
]

#: Exit code: the gate passed (or no gate was asked for).
EXIT_PASS = 0
#: Exit code: the gate failed.
EXIT_FAIL = 1
#: Exit code: bad usage or input (an :class:`~mtaudit.errors.InputError`).
EXIT_USAGE = 2

_SERIOUS = ("major", "critical")
_RANK = {s: k for k, s in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class RuleOutcome:
    """The outcome of one gate rule: ``status`` is ``pass``, ``fail`` or ``skip``."""

    rule: str
    status: Literal["pass", "fail", "skip"]
    #: What was measured (``None`` when skipped or not a number).
    value: float | None
    #: The policy's limit (a number, or a severity for ``fail_on``).
    limit: float | str | None
    #: One human-readable clause, e.g. ``quality 61.2 is below min_quality 70``.
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "rule": self.rule,
            "status": self.status,
            "value": None if self.value is None else round(self.value, 4),
            "limit": self.limit,
            "detail": self.detail,
        }


@dataclass
class GateResult:
    """Whether a report passed the gate, why not, and a one-line verdict naming the reasons."""

    passed: bool
    #: One clause per failed rule (empty when passed).
    reasons: list[str]
    #: One line, e.g. ``Gate failed: quality 61.2 is below min_quality 70.``
    verdict: str
    #: Every rule that was set, in evaluation order, with its outcome.
    outcomes: list[RuleOutcome] = field(default_factory=list)
    #: Clauses for rules that were set but could not be evaluated (e.g. no quality in the report).
    skipped: list[str] = field(default_factory=list)
    #: The measured figures (see :func:`gate_metrics`).
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """:data:`EXIT_PASS` or :data:`EXIT_FAIL`."""
        return EXIT_PASS if self.passed else EXIT_FAIL

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "passed": self.passed,
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "skipped": list(self.skipped),
            "outcomes": [o.to_dict() for o in self.outcomes],
            "metrics": dict(self.metrics),
        }


# --------------------------------------------------------------------------- findings


def _override_for(code: str, table: dict[str, str]) -> str | None:
    """The severity for ``code`` from the most specific matching entry of ``table``."""
    best: tuple[int, str] | None = None
    for pattern, level in table.items():
        if code_matches(code, pattern) and (best is None or len(pattern) > best[0]):
            best = (len(pattern), level)
    return best[1] if best else None


def apply_policy_to_findings(findings: Iterable[Finding], policy: Policy) -> list[Finding]:
    """A new list: ignored codes dropped, severities overridden per the policy.

    The input findings are not modified; a finding whose severity changes is a copy whose
    evidence records ``original_severity``. Unchanged findings are the same objects.
    """
    table = dict(policy.severity)
    out: list[Finding] = []
    for f in findings:
        if any(code_matches(f.code, pat) for pat in policy.ignore):
            continue
        level = _override_for(f.code, table)
        if level is not None and level != f.severity:
            f = replace(
                f,
                severity=level,  # type: ignore[arg-type]
                evidence={**f.evidence, "original_severity": f.severity},
            )
        out.append(f)
    return out


def apply_policy(report: Report, policy: Policy) -> Report:
    """A copy of ``report`` with the policy applied to its findings and the summary recounted.

    The summary keeps every key it had (e.g. ``quality``, ``mode_evidence``); the counts, flagged
    share and verdict are recomputed from the new findings. ``report`` itself is not modified.
    """
    from .summary import summarise

    findings = apply_policy_to_findings(report.findings, policy)
    if findings == report.findings:
        return replace(report, findings=list(findings), summary=dict(report.summary))
    fresh = summarise(report.mode, report.source, report.target, report.links, findings)
    summary = {**report.summary, **fresh}
    return replace(report, findings=findings, summary=summary)


# --------------------------------------------------------------------------- metrics


def _base(code: str) -> str:
    return code.split(".", 1)[0]


def gate_metrics(report: Report, findings: Sequence[Finding] | None = None) -> dict[str, Any]:
    """The figures the gate compares, from ``report`` and ``findings`` (default: the report's).

    Keys: ``quality`` (or ``None``), ``target_content``, ``flagged``, ``flagged_share``,
    ``garbled``, ``garbled_share``, ``source_content``, ``omitted``, ``omitted_share``.
    """
    findings = report.findings if findings is None else findings
    tgt_content = {s.index for s in report.target.content}
    src_content = {s.index for s in report.source.content}
    flagged = {
        f.sentence
        for f in findings
        if f.side == "target" and f.severity in _SERIOUS and _base(f.code) != "furniture"
    } & tgt_content
    garbled = {
        f.sentence for f in findings if f.side == "target" and _base(f.code) == "garbled"
    } & tgt_content
    n_t = len(tgt_content)
    coverage = report.summary.get("coverage")
    if isinstance(coverage, (int, float)) and not isinstance(coverage, bool):
        omitted_share = max(0.0, 1.0 - float(coverage))
        omitted = report.summary.get("unlinked_source")
        if not isinstance(omitted, int):
            omitted = round(omitted_share * len(src_content))
    else:  # no coverage in the summary: count the links ourselves
        linked = {i for lk in report.links for i in lk.source} & src_content
        omitted = len(src_content - linked)
        omitted_share = omitted / len(src_content) if src_content else 0.0
    quality = report.summary.get("quality")
    if isinstance(quality, bool) or not isinstance(quality, (int, float)):
        quality = None
    return {
        "quality": None if quality is None else float(quality),
        "target_content": n_t,
        "flagged": len(flagged),
        "flagged_share": len(flagged) / n_t if n_t else 0.0,
        "garbled": len(garbled),
        "garbled_share": len(garbled) / n_t if n_t else 0.0,
        "source_content": len(src_content),
        "omitted": omitted,
        "omitted_share": omitted_share,
    }


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


# --------------------------------------------------------------------------- evaluate

_EPS = 1e-9


def evaluate(report: Report, policy: Policy) -> GateResult:
    """Evaluate ``policy`` on ``report``: every rule that is set, with reasons for failures.

    ``min_quality`` is skipped (and the result says so) when ``report.summary`` has no
    ``quality``. ``fail_on`` counts findings of that severity or worse, page furniture excluded.
    """
    findings = apply_policy_to_findings(report.findings, policy)
    m = gate_metrics(report, findings)
    outcomes: list[RuleOutcome] = []

    if policy.min_quality is not None:
        q = m["quality"]
        lim = policy.min_quality
        if q is None:
            outcomes.append(
                RuleOutcome(
                    "min_quality",
                    "skip",
                    None,
                    lim,
                    "min_quality not checked: the report has no document quality score",
                )
            )
        elif q + _EPS < lim:
            outcomes.append(
                RuleOutcome(
                    "min_quality",
                    "fail",
                    q,
                    lim,
                    f"quality {_num(q)} is below min_quality {_num(lim)}",
                )
            )
        else:
            outcomes.append(
                RuleOutcome("min_quality", "pass", q, lim, f"quality {_num(q)} ≥ {_num(lim)}")
            )

    n_t, n_s = m["target_content"], m["source_content"]
    for rule, share, count, of, what in (
        (
            "max_flagged_share",
            m["flagged_share"],
            m["flagged"],
            n_t,
            "target sentences have major or critical findings",
        ),
        ("max_garbled_share", m["garbled_share"], m["garbled"], n_t, "target sentences garbled"),
        ("max_omitted_share", m["omitted_share"], m["omitted"], n_s, "source sentences omitted"),
    ):
        lim = getattr(policy, rule)
        if lim is None:
            continue
        clause = f"{count} of {of} {what} ({_pct(share)})"
        if share > lim + _EPS:
            outcomes.append(
                RuleOutcome(rule, "fail", share, lim, f"{clause}, above {rule} {_pct(lim)}")
            )
        else:
            outcomes.append(RuleOutcome(rule, "pass", share, lim, f"{clause} ≤ {_pct(lim)}"))

    if policy.fail_on is not None:
        rank = _RANK[policy.fail_on]
        hits = [
            f
            for f in findings
            if _RANK.get(f.severity, -1) >= rank and _base(f.code) != "furniture"
        ]
        worse = "" if policy.fail_on == "critical" else " or worse"
        if hits:
            by_code = Counter(f.code for f in hits)
            codes = ", ".join(f"{c} ×{n}" for c, n in sorted(by_code.items()))
            outcomes.append(
                RuleOutcome(
                    "fail_on",
                    "fail",
                    float(len(hits)),
                    policy.fail_on,
                    f"{len(hits)} {policy.fail_on}{worse} finding(s) ({codes}), "
                    f"fail_on = {policy.fail_on}",
                )
            )
        else:
            outcomes.append(
                RuleOutcome(
                    "fail_on",
                    "pass",
                    0.0,
                    policy.fail_on,
                    f"no {policy.fail_on}{worse} findings",
                )
            )

    reasons = [o.detail for o in outcomes if o.status == "fail"]
    skipped = [o.detail for o in outcomes if o.status == "skip"]
    passed = not reasons
    if reasons:
        verdict = "Gate failed: " + "; ".join(reasons)
    elif any(o.status == "pass" for o in outcomes):
        verdict = "Gate passed: " + "; ".join(o.detail for o in outcomes if o.status == "pass")
    else:
        verdict = "Gate passed: no gate rules " + ("could be checked" if skipped else "set")
    if skipped:
        verdict += " (" + "; ".join(skipped) + ")"
    metrics = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in m.items()}
    return GateResult(
        passed=passed,
        reasons=reasons,
        verdict=verdict + ".",
        outcomes=outcomes,
        skipped=skipped,
        metrics=metrics,
    )
