"""The report's ``summary``: counts, coverage and a one-line verdict a person understands."""

from __future__ import annotations

from collections import Counter
from typing import Any

from .report import SEVERITIES, Finding, Link, Side

__all__ = ["summarise"]


def _link_type(link: Link) -> str:
    return f"{len(link.source)}-{len(link.target)}"


def summarise(
    mode: str, source: Side, target: Side, links: list[Link], findings: list[Finding]
) -> dict[str, Any]:
    """Counts per side, link types, coverage, findings per code and severity, and a verdict."""
    src_content = {s.index for s in source.content}
    tgt_content = {s.index for s in target.content}
    linked_src = {i for lk in links for i in lk.source} & src_content
    linked_tgt = {j for lk in links for j in lk.target} & tgt_content
    serious = {"major", "critical"}
    flagged_tgt = {
        f.sentence
        for f in findings
        if f.side == "target" and f.severity in serious and f.code != "furniture"
    }
    by_code = Counter(f.code.split(".")[0] for f in findings)
    by_sev = Counter(f.severity for f in findings if f.code != "furniture")
    coverage = len(linked_src) / len(src_content) if src_content else 1.0
    flagged_share = len(flagged_tgt & tgt_content) / len(tgt_content) if tgt_content else 0.0
    summary: dict[str, Any] = {
        "mode": mode,
        "source_sentences": len(source.sentences),
        "target_sentences": len(target.sentences),
        "source_content_sentences": len(src_content),
        "target_content_sentences": len(tgt_content),
        "source_furniture": len(source.sentences) - len(src_content),
        "target_furniture": len(target.sentences) - len(tgt_content),
        "links": len(links),
        "link_types": dict(sorted(Counter(_link_type(lk) for lk in links).items())),
        "unlinked_source": len(src_content - linked_src),
        "unlinked_target": len(tgt_content - linked_tgt),
        "coverage": round(coverage, 4),
        "target_flagged_share": round(flagged_share, 4),
        "findings_by_code": dict(sorted(by_code.items())),
        "findings_by_severity": {s: by_sev.get(s, 0) for s in SEVERITIES},
    }
    summary["verdict"] = _verdict(summary)
    return summary


def _verdict(s: dict[str, Any]) -> str:
    sev = s["findings_by_severity"]
    parts = []
    n_t = s["target_content_sentences"]
    n_flag = round(s["target_flagged_share"] * n_t)
    if sev["critical"]:
        parts.append(f"{sev['critical']} critical finding(s)")
    if n_flag:
        parts.append(f"{n_flag} of {n_t} target sentences with major or critical problems")
    garbled = s["findings_by_code"].get("garbled", 0)
    if garbled:
        parts.append(f"{garbled} garbled sentence(s)")
    cov = f"{s['coverage'] * 100:.0f}% of the source content is linked to the target"
    if s["mode"] == "comparable":
        cov += " (a retelling: partial coverage is expected)"
    # other major findings (e.g. an omission, or anything on the source side), when the target
    # count above does not already cover them; garbled ones are counted just above
    n_other = max(0, sev["major"] - garbled) if not n_flag else 0
    if n_other:
        parts.append(f"{n_other} other major finding(s)")
    serious = sev["critical"] or sev["major"] or n_flag
    head = "Problems found" if serious else "No major problems found"
    return f"{head}: " + "; ".join(parts + [cov]) + "."
