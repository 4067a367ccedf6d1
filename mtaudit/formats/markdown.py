"""The report as Markdown: verdict, summary, findings and links, for people.

Everything quoted from the documents is escaped (:func:`md_text`), so hostile text cannot inject
markup.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..report import Report

if TYPE_CHECKING:
    from ..gate import GateResult

__all__ = ["md_text", "render_markdown"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
#: Control characters (terminal escapes, NUL, …) that white-space folding leaves in place.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


def md_text(text: str, limit: int | None = 160) -> str:
    """Escape Markdown/HTML specials and fold whitespace; cut to ``limit`` characters."""
    text = _CONTROL.sub("\ufffd", " ".join(text.split()))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return "\\" + text if text[:1] in ("#", "+", "-", "=") else text


def render_markdown(report: Report, gate: GateResult | None = None) -> str:
    """A human-readable Markdown report: verdict, summary, links, findings."""
    s = report.summary
    src, tgt = report.source, report.target
    ev = s.get("mode_evidence") or {}
    if "order_correlation" in ev:
        auto = (
            f" (auto: order correlation {ev['order_correlation']}, "
            f"matched share {ev.get('matched_share')})"
        )
    else:  # e.g. {"reason": "an empty side"} when one side has no content sentences
        auto = f" (auto: {md_text(str(ev['reason']), None)})" if "reason" in ev else ""
    out = [
        "# mtaudit report",
        "",
        f"**Verdict:** {md_text(s['verdict'], None)}",
        "",
        f"- Mode: `{report.mode}`{auto}",
        f"- Source: {md_text(src.path or '(text)', None)} — `{src.lang}`, "
        f"{s['source_sentences']} sentences ({s['source_furniture']} page furniture)",
        f"- Target: {md_text(tgt.path or '(text)', None)} — `{tgt.lang}`, "
        f"{s['target_sentences']} sentences ({s['target_furniture']} page furniture)",
        f"- Links: {s['links']} ({', '.join(f'{k}: {v}' for k, v in s['link_types'].items())}); "
        f"unlinked source {s['unlinked_source']}, unlinked target {s['unlinked_target']}; "
        f"coverage {s['coverage'] * 100:.0f}%",
        "- Findings: "
        + (", ".join(f"{k} {v}" for k, v in s["findings_by_code"].items()) or "none"),
        f"- Signature: `{report.signature.format()}`",
    ]
    if report.signature.skipped:
        out.append(
            "- Skipped: "
            + "; ".join(f"{k} ({md_text(v, None)})" for k, v in report.signature.skipped.items())
        )
    out += ["", "## Findings", ""]
    if report.findings:
        out += ["| side | # | code | severity | span text | message |", "|---|---|---|---|---|---|"]
        for f in report.findings:
            side = report.side(f.side)
            span_text = side.text[f.span[0] : f.span[1]] if f.span else ""
            out.append(
                f"| {f.side} | {'' if f.sentence is None else f.sentence} | `{f.code}` | "
                f"{f.severity} | {md_text(span_text, 80)} | {md_text(f.message, 120)} |"
            )
    else:
        out.append("No findings.")
    out += ["", "## Links", "", "| source | target | similarity | confidence | target text |"]
    out.append("|---|---|---|---|---|")
    for lk in report.links:
        text = " ".join(tgt.sentences[j].text for j in lk.target)
        out.append(
            f"| {','.join(map(str, lk.source))} | {','.join(map(str, lk.target))} | "
            f"{lk.similarity:.3f} | {lk.confidence:.2f} | {md_text(text, 90)} |"
        )
    return "\n".join(out) + "\n"
