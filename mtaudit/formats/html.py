"""A self-contained HTML report: aligned sentences side by side, findings highlighted in place.

One file with inline CSS, an inline SVG chart and a small inline script; it loads nothing from
the network. A Content-Security-Policy allows only that one script (by its SHA-256) and inline
styles, so even a bug in escaping could not run injected code. Every piece of document text,
path, message and evidence is escaped with :func:`html.escape`; the findings' data for the
detail panel is embedded as JSON in a ``<script type="application/json">`` block with ``<``,
``>`` and ``&`` escaped, and the script puts it on the page with ``textContent`` only.

Rows are the links in target order; a sentence in no link gets a row of its own with an empty
other side (source-only rows follow the row of the preceding source sentence); page furniture is
greyed. A finding's span is a ``<mark class="sev-…">``: where spans overlap, the text is cut at
every span boundary and each piece is one ``<mark>`` carrying all the findings that cover it
(``data-f``), coloured by the most serious one — marks never interleave.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
import re
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

from ..report import SEVERITIES, Finding, Link, Report, Sentence, Side
from .common import is_furniture, severity_rank, side_label, span_text

if TYPE_CHECKING:
    from ..gate import GateResult

__all__ = ["render_html"]

_CHART_MAX_POINTS = 1500


#: A colon that starts a line (after white space): where a GitHub Actions runner would see a
#: workflow command (``::error::…``) if the page were printed to a job's log.
_LINE_COLON = re.compile(r"(\A|[\r\n])(\s*):")


def _e(value: Any) -> str:
    """Escape anything for HTML text or a double-quoted attribute (a colon starting a line
    becomes ``&#58;``, so no line of the page can start a GitHub workflow command)."""
    return _LINE_COLON.sub(r"\1\2&#58;", escape(str(value), quote=True))


def _sev_class(severity: str) -> str:
    return f"sev-{severity}" if severity in SEVERITIES else "sev-unknown"


def _code_class(code: str) -> str:
    return "code-" + re.sub(r"[^a-z0-9_-]", "-", code.lower())


def _json_for_script(data: Any) -> str:
    """JSON that cannot end its ``<script>`` block or open markup."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _fmt(x: float | None, digits: int = 1) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


# --------------------------------------------------------------------------- rows


@dataclass
class _Row:
    source: list[int]
    target: list[int]
    link: Link | None = None
    findings: list[int] = field(default_factory=list)


def _rows(report: Report) -> list[_Row]:
    """Links in target order, with unlinked sentences as one-sided rows in document order."""
    n_s = len(report.source.sentences)
    linked_s = {i for lk in report.links for i in lk.source}
    linked_t = {j for lk in report.links for j in lk.target}
    keyed: list[tuple[int, int, int, _Row]] = []
    for lk in report.links:
        src, tgt = sorted(lk.source), sorted(lk.target)
        keyed.append((tgt[0] if tgt else -1, 0, src[0] if src else -1, _Row(src, tgt, lk)))
    for s in report.target.sentences:
        if s.index not in linked_t:
            keyed.append((s.index, 1, -1, _Row([], [s.index])))
    keyed.sort(key=lambda item: item[:3])
    base = [item[3] for item in keyed]
    row_of_src = {i: k for k, r in enumerate(base) for i in r.source}
    after: dict[int, list[_Row]] = {}
    anchor = -1
    for i in range(n_s):
        if i in linked_s:
            anchor = row_of_src.get(i, anchor)
        else:
            after.setdefault(anchor, []).append(_Row([i], []))
    rows = list(after.get(-1, []))
    for k, row in enumerate(base):
        rows.append(row)
        rows.extend(after.get(k, []))
    return rows


# --------------------------------------------------------------------------- marks


def _sentence_starts(side: Side) -> tuple[list[int], list[Sentence]]:
    sents = sorted(side.sentences, key=lambda s: (s.start, s.index))
    return [s.start for s in sents], sents


def _spans_by_sentence(report: Report, findings: list[Finding]) -> dict[tuple[str, int], list]:
    """``(side, sentence index) -> [(finding id, start, end), …]`` for every span it touches."""
    out: dict[tuple[str, int], list[tuple[int, int, int]]] = {}
    cache: dict[str, tuple[list[int], list[Sentence]]] = {}
    for fid, f in enumerate(findings):
        if f.span is None or is_furniture(f):
            continue
        a, b = f.span
        if b <= a:
            continue
        if f.side not in cache:
            cache[f.side] = _sentence_starts(report.side(f.side))
        starts, sents = cache[f.side]
        k = max(0, bisect.bisect_right(starts, a) - 1)
        while k < len(sents) and sents[k].start < b:
            s = sents[k]
            if s.end > a and s.start < b:
                out.setdefault((f.side, s.index), []).append((fid, a, b))
            k += 1
    return out


def _title(findings: list[Finding], ids: list[int]) -> str:
    parts = []
    for fid in ids:
        f = findings[fid]
        parts.append(f"{f.code} ({f.severity}): {' '.join(f.message.split())}")
        if f.evidence:
            ev = json.dumps(f.evidence, ensure_ascii=False, sort_keys=True, default=str)
            parts.append("  evidence: " + (ev if len(ev) <= 300 else ev[:299] + "…"))
    return "\n".join(parts)


def _marked_text(sent: Sentence, spans: list[tuple[int, int, int]], findings: list[Finding]) -> str:
    """The sentence's text, escaped, with a ``<mark>`` per piece covered by findings."""
    text, base, n = sent.text, sent.start, len(sent.text)
    clipped = []
    cuts = {0, n}
    for fid, a, b in spans:
        a2, b2 = max(a - base, 0), min(b - base, n)
        if a2 < b2:
            clipped.append((fid, a2, b2))
            cuts.update((a2, b2))
    if not clipped:
        return _e(text)
    bounds = sorted(cuts)
    out = []
    for x, y in zip(bounds, bounds[1:], strict=False):
        piece = _e(text[x:y])
        cover = [fid for fid, a, b in clipped if a <= x and y <= b]
        if not cover:
            out.append(piece)
            continue
        worst = max((findings[fid] for fid in cover), key=lambda f: severity_rank(f.severity))
        classes = [_sev_class(worst.severity)]
        classes += sorted({_code_class(findings[fid].code) for fid in cover})
        if len(cover) > 1:
            classes.append("overlap")
        out.append(
            f'<mark class="{" ".join(classes)}" data-f="{" ".join(map(str, cover))}" '
            f'tabindex="0" title="{_e(_title(findings, cover))}">{piece}</mark>'
        )
    return "".join(out)


# --------------------------------------------------------------------------- chart


def _chart(report: Report, rows: list[_Row], flagged_rows: set[int]) -> str:
    """An inline SVG line chart of link quality (or similarity) along the document."""
    use_quality = any(lk.quality is not None for lk in report.links)
    label = "link quality (0–100)" if use_quality else "link similarity (×100)"
    points: list[tuple[int, float, bool, str]] = []
    for k, row in enumerate(rows):
        lk = row.link
        if lk is None:
            continue
        if use_quality:
            if lk.quality is None:
                continue
            y = float(lk.quality)
        else:
            y = float(lk.similarity) * 100.0
        y = max(0.0, min(100.0, y))
        src = ",".join(map(str, row.source)) or "–"
        tgt = ",".join(map(str, row.target)) or "–"
        tip = f"row {k}: source {src} ↔ target {tgt}: {label.split(' (')[0]} {y:.1f}"
        points.append((k, y, k in flagged_rows, tip))
    if not points:
        return '<p class="muted">No links to chart.</p>'
    if len(points) > _CHART_MAX_POINTS:  # average into buckets so the file stays small
        size = -(-len(points) // _CHART_MAX_POINTS)
        merged = []
        for g in range(0, len(points), size):
            grp = points[g : g + size]
            y = sum(p[1] for p in grp) / len(grp)
            tip = f"rows {grp[0][0]}–{grp[-1][0]}: mean {y:.1f}"
            merged.append((grp[0][0], y, any(p[2] for p in grp), tip))
        points = merged
    w, h, left, right, top, bottom = 800, 180, 34, 8, 10, 22
    n_rows = max(1, len(rows) - 1)

    def px(k: int) -> float:
        return left + (w - left - right) * (k / n_rows)

    def py(y: float) -> float:
        return top + (h - top - bottom) * (1 - y / 100.0)

    parts = [
        f'<svg class="chart" viewBox="0 0 {w} {h}" role="img" '
        f'aria-label="{_e(label)} along the document" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{_e(label)} along the document</title>",
    ]
    for y in (0, 50, 100):
        parts.append(
            f'<line class="grid" x1="{left}" x2="{w - right}" y1="{py(y):.1f}" y2="{py(y):.1f}"/>'
            f'<text class="axis" x="{left - 4}" y="{py(y) + 4:.1f}" text-anchor="end">{y}</text>'
        )
    parts.append(
        f'<text class="axis" x="{left}" y="{h - 4}">start</text>'
        f'<text class="axis" x="{w - right}" y="{h - 4}" text-anchor="end">end of document</text>'
    )
    poly = " ".join(f"{px(k):.1f},{py(y):.1f}" for k, y, _, _ in points)
    parts.append(f'<polyline class="line" points="{poly}"/>')
    for k, y, bad, tip in points:
        cls = "pt bad" if bad else "pt"
        parts.append(
            f'<a href="#row-{k}"><circle class="{cls}" cx="{px(k):.1f}" cy="{py(y):.1f}" r="3">'
            f"<title>{_e(tip)}</title></circle></a>"
        )
    parts.append("</svg>")
    parts.append(
        f'<p class="muted">Each point is a link, in target order: {_e(label)}. '
        "Red points are rows with findings; click one to jump to it.</p>"
    )
    return "".join(parts)


# --------------------------------------------------------------------------- page parts

_CSS = """
:root{--minor:#fff0a8;--major:#ffc27a;--critical:#ff8f8f;--muted:#6b6b6b;--line:#ddd}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d1d1d;
background:#fafafa}
header,section,footer{max-width:1400px;margin:0 auto;padding:12px 20px}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:1em 0 .4em}
.verdict{font-size:1.1em;font-weight:600}
.gate{padding:8px 12px;border-radius:6px;font-weight:600}
.gate.pass{background:#dff3e0;border:1px solid #7cc383}
.gate.fail{background:#fde2e2;border:1px solid #e48a8a}
.gate ul{margin:.3em 0 0 1.2em;padding:0;font-weight:400}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:.6em 0}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}
.muted{color:var(--muted);font-size:.9em}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid var(--line);padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f0f0f0;position:sticky;top:0;z-index:1}
table.align{table-layout:fixed}
table.align col.idx{width:3.2em}table.align col.meta{width:9.5em}
.sent{margin:2px 0}.sent+.sent{border-top:1px dashed var(--line);padding-top:3px}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
.sub{display:block;color:var(--muted);font-size:.8em}
tr.furniture td{color:#9a9a9a;background:#f3f3f3}
tr.furniture .text{font-style:italic}
tr.onesided td.empty{background:repeating-linear-gradient(45deg,#fff,#fff 6px,#f6f6f6 6px,
#f6f6f6 12px)}
tr.flagged td.num{box-shadow:inset 3px 0 0 #d33}
body.only-flagged tr.row:not(.flagged){display:none}
mark{border-radius:2px;padding:0 1px;cursor:pointer;color:inherit}
mark.sev-minor,.chip.sev-minor{background:var(--minor)}
mark.sev-major,.chip.sev-major{background:var(--major)}
mark.sev-critical,.chip.sev-critical{background:var(--critical)}
mark.overlap{outline:1px dashed #a33}
mark:focus,.chip:focus,tr[data-f]:focus{outline:2px solid #2459d6}
.chip{display:inline-block;border-radius:9px;padding:0 7px;font-size:.8em;margin:1px 2px;
cursor:pointer;border:1px solid rgba(0,0,0,.15)}
.chip.furn{background:#e8e8e8;cursor:default}
table.findings tr[data-f]{cursor:pointer}table.findings code{white-space:nowrap}
table.findings tr[data-f]:hover{background:#f5f8ff}
.sevtag{font-weight:600}
svg.chart{width:100%;height:auto;background:#fff;border:1px solid var(--line)}
svg .grid{stroke:#e6e6e6}svg .axis{font-size:11px;fill:#777}
svg .line{fill:none;stroke:#2459d6;stroke-width:1.5}
svg .pt{fill:#2459d6}svg .pt.bad{fill:#d33}
#panel{position:fixed;right:16px;bottom:16px;width:min(520px,92vw);max-height:60vh;
overflow:auto;background:#fff;border:1px solid #bbb;border-radius:8px;
box-shadow:0 6px 24px rgba(0,0,0,.18);padding:10px 14px;z-index:5}
#panel h3{margin:.2em 0;font-size:1em}#panel p{white-space:pre-wrap}
#panel blockquote{margin:.3em 0;padding:.2em .6em;border-left:3px solid #ccc;
white-space:pre-wrap}
#panel pre{background:#f6f6f6;padding:6px;white-space:pre-wrap;font-size:.85em}
#panel-close{float:right;border:0;background:none;font-size:1.3em;cursor:pointer}
footer{color:var(--muted);font-size:.85em}
code{overflow-wrap:anywhere}
"""

_JS = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("mtaudit-findings").textContent);
  var panel = document.getElementById("panel");
  var list = document.getElementById("panel-list");
  var sevs = {minor: 1, major: 1, critical: 1};
  function add(parent, tag, text, cls) {
    var el = document.createElement(tag);
    el.textContent = text;
    if (cls) { el.className = cls; }
    parent.appendChild(el);
    return el;
  }
  function show(ids) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    ids.forEach(function (id) {
      var f = data[id];
      if (!f) { return; }
      var box = document.createElement("div");
      box.className = "pf";
      var where = f.side + (f.sentence === null ? "" : " sentence " + f.sentence);
      var head = add(box, "h3", "");
      add(head, "span", f.code + " ", "");
      add(head, "span", f.severity, "chip " + (sevs[f.severity] ? "sev-" + f.severity : ""));
      add(head, "span", " " + where, "muted");
      add(box, "p", f.message);
      if (f.text) { add(box, "blockquote", f.text); }
      if (f.evidence && Object.keys(f.evidence).length) {
        add(box, "pre", JSON.stringify(f.evidence, null, 2));
      }
      list.appendChild(box);
    });
    panel.hidden = false;
  }
  function target(ev) {
    var el = ev.target;
    return el && el.closest ? el.closest("[data-f]") : null;
  }
  function open(el) {
    var ids = el.getAttribute("data-f").split(" ").filter(Boolean).map(Number);
    show(ids);
  }
  document.addEventListener("click", function (ev) {
    var el = target(ev);
    if (el) { open(el); }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { panel.hidden = true; return; }
    if (ev.key !== "Enter" && ev.key !== " ") { return; }
    var el = target(ev);
    if (el) { ev.preventDefault(); open(el); }
  });
  document.getElementById("panel-close").addEventListener("click", function () {
    panel.hidden = true;
  });
  var only = document.getElementById("only-flagged");
  only.addEventListener("change", function () {
    document.body.classList.toggle("only-flagged", only.checked);
  });
  document.documentElement.setAttribute("data-ready", "1");
}());
"""


def _csp(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{digest}'; img-src data:; base-uri 'none'; form-action 'none'"
    )


def _side_line(side: Side, name: str, summary: dict[str, Any]) -> str:
    n = summary.get(f"{name}_sentences", len(side.sentences))
    furn = summary.get(f"{name}_furniture", len(side.sentences) - len(side.content))
    return (
        f"{_e(side_label(side, name))}"
        + (' <span class="muted">(text given directly)</span>' if side.path is None else "")
        + f" — <code>{_e(side.lang or '?')}</code>, {_e(n)} sentences ({_e(furn)} page furniture)"
    )


def _header(report: Report, gate: GateResult | None) -> str:
    s = report.summary
    sev = s.get("findings_by_severity") or {}
    out = ["<header>", "<h1>mtaudit report</h1>"]
    out.append(f'<p class="verdict" id="verdict">{_e(s.get("verdict", ""))}</p>')
    if gate is not None:
        cls = "pass" if gate.passed else "fail"
        out.append(f'<div class="gate {cls}" id="gate">{_e(gate.verdict)}')
        items = [*gate.reasons, *gate.skipped]
        if items:
            out.append("<ul>" + "".join(f"<li>{_e(r)}</li>" for r in items) + "</ul>")
        out.append("</div>")
    out.append('<dl class="meta">')
    rows = [
        ("Mode", f"<code>{_e(report.mode)}</code>"),
        ("Source", _side_line(report.source, "source", s)),
        ("Target", _side_line(report.target, "target", s)),
    ]
    if "quality" in s and s["quality"] is not None:
        rows.append(("Document quality", f"{_e(_fmt(float(s['quality'])))} / 100"))
    if "coverage" in s:
        rows.append(
            (
                "Coverage",
                f"{float(s['coverage']) * 100:.0f}% of the source content is linked "
                f"({_e(s.get('unlinked_source', '?'))} source, "
                f"{_e(s.get('unlinked_target', '?'))} target sentences unlinked)",
            )
        )
    links = s.get("links", len(report.links))
    types = ", ".join(f"{_e(k)}: {_e(v)}" for k, v in (s.get("link_types") or {}).items())
    rows.append(("Links", f"{_e(links)}" + (f" ({types})" if types else "")))
    rows.append(
        (
            "Findings",
            ", ".join(f"{_e(sev.get(k, 0))} {k}" for k in reversed(SEVERITIES))
            + f" — {len(report.findings)} in all, page furniture included",
        )
    )
    out += [f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows]
    out.append("</dl></header>")
    return "\n".join(out)


def _sentence_html(
    side: Side,
    name: str,
    idx: int,
    spans: dict[tuple[str, int], list],
    chips: dict[tuple[str, int], list[int]],
    findings: list[Finding],
) -> str:
    sent = _sentence(side, idx)
    if sent is None:
        return f'<div class="sent">#{idx} (missing)</div>'
    body = _marked_text(sent, spans.get((name, idx), []), findings)
    sub = []
    if sent.fluency is not None:
        sub.append(f"fluency {sent.fluency:.0f}")
    if sent.line is not None:
        sub.append(f"line {sent.line}")
    chip_html = []
    for fid in chips.get((name, idx), []):
        f = findings[fid]
        if is_furniture(f):
            chip_html.append(
                f'<span class="chip furn" title="{_e(f.message)}">page furniture</span>'
            )
        else:
            chip_html.append(
                f'<span class="chip {_sev_class(f.severity)}" role="button" tabindex="0" '
                f'data-f="{fid}" title="{_e(_title(findings, [fid]))}">{_e(f.code)}</span>'
            )
    meta = " · ".join(sub)
    return (
        f'<div class="sent" id="s-{name}-{idx}"><span class="text">{body}</span>'
        + "".join(chip_html)
        + (f'<span class="sub">{_e(meta)}</span>' if meta else "")
        + "</div>"
    )


def _sentence(side: Side, idx: int) -> Sentence | None:
    sents = side.sentences
    if 0 <= idx < len(sents) and sents[idx].index == idx:
        return sents[idx]
    return next((s for s in sents if s.index == idx), None)


def _alignment(
    report: Report, rows: list[_Row], findings: list[Finding], flagged_rows: set[int]
) -> str:
    spans = _spans_by_sentence(report, findings)
    chips: dict[tuple[str, int], list[int]] = {}
    for fid, f in enumerate(findings):
        if f.sentence is None:
            continue
        if is_furniture(f) or f.span is None or f.span[1] <= f.span[0]:
            chips.setdefault((f.side, f.sentence), []).append(fid)
    src_lang = _e(report.source.lang or "?")
    tgt_lang = _e(report.target.lang or "?")
    out = [
        '<section id="alignment"><h2>Aligned sentences</h2>',
        '<p><label><input type="checkbox" id="only-flagged"> show only rows with findings'
        "</label></p>",
        '<table class="align"><colgroup><col class="idx"><col><col><col class="idx">'
        '<col class="meta"></colgroup>',
        f"<thead><tr><th>#</th><th>Source <code>{src_lang}</code></th>"
        f"<th>Target <code>{tgt_lang}</code></th><th>#</th><th>Link</th></tr></thead><tbody>",
    ]
    for k, row in enumerate(rows):
        sents = [_sentence(report.source, i) for i in row.source]
        sents += [_sentence(report.target, j) for j in row.target]
        furniture = bool(sents) and all(s is not None and s.furniture for s in sents)
        classes = ["row"]
        if furniture:
            classes.append("furniture")
        if not row.source or not row.target:
            classes.append("onesided")
        if k in flagged_rows:
            classes.append("flagged")
        src_html = "".join(
            _sentence_html(report.source, "source", i, spans, chips, findings) for i in row.source
        )
        tgt_html = "".join(
            _sentence_html(report.target, "target", j, spans, chips, findings) for j in row.target
        )
        if row.link is not None:
            lk = row.link
            link_html = (
                f'quality {_fmt(lk.quality)}<span class="sub">similarity '
                f'{lk.similarity:.3f}</span><span class="sub">confidence '
                f'{lk.confidence:.2f}</span><span class="sub">'
                f"{len(lk.source)}-{len(lk.target)}</span>"
            )
        elif furniture:
            link_html = '<span class="muted">page furniture</span>'
        else:
            link_html = (
                '<span class="muted">'
                + ("not in the target" if row.source else "not in the source")
                + "</span>"
            )
        out.append(
            f'<tr id="row-{k}" class="{" ".join(classes)}">'
            f'<td class="num">{_e(",".join(map(str, row.source)))}</td>'
            f'<td class="{"src" if row.source else "src empty"}">{src_html}</td>'
            f'<td class="{"tgt" if row.target else "tgt empty"}">{tgt_html}</td>'
            f'<td class="num">{_e(",".join(map(str, row.target)))}</td>'
            f"<td>{link_html}</td></tr>"
        )
    out.append("</tbody></table></section>")
    return "\n".join(out)


def _findings_table(report: Report, findings: list[Finding]) -> str:
    out = [f'<section id="findings"><h2>Findings ({len(findings)})</h2>']
    if not findings:
        out.append("<p>No findings.</p></section>")
        return "\n".join(out)
    out.append(
        '<table class="findings"><thead><tr><th>side</th><th>#</th><th>code</th>'
        "<th>severity</th><th>text</th><th>message</th></tr></thead><tbody>"
    )
    order = sorted(
        range(len(findings)),
        key=lambda i: (is_furniture(findings[i]), -severity_rank(findings[i].severity), i),
    )
    for fid in order:
        f = findings[fid]
        quoted = span_text(report, f)
        if len(quoted) > 160:
            quoted = quoted[:159] + "…"
        where = (
            f'<a href="#s-{f.side}-{f.sentence}">{f.sentence}</a>' if f.sentence is not None else ""
        )
        cls = "furniture" if is_furniture(f) else ""
        out.append(
            f'<tr class="{cls}" data-f="{fid}" tabindex="0"><td>{_e(f.side)}</td><td>{where}</td>'
            f"<td><code>{_e(f.code)}</code></td>"
            f'<td><span class="sevtag chip {_sev_class(f.severity)}">{_e(f.severity)}</span></td>'
            f'<td class="text">{_e(quoted)}</td><td>{_e(f.message)}</td></tr>'
        )
    out.append("</tbody></table></section>")
    return "\n".join(out)


def _footer(report: Report) -> str:
    sig = report.signature
    out = ["<footer>", f'<p>Signature: <code id="signature">{_e(sig.format())}</code></p>']
    if sig.components:
        comps = "; ".join(f"{_e(k)}: {_e(v)}" for k, v in sorted(sig.components.items()))
        out.append(f"<p>Components: {comps}</p>")
    if sig.skipped:
        skipped = "; ".join(f"{_e(k)} ({_e(v)})" for k, v in sorted(sig.skipped.items()))
        out.append(f"<p>Skipped: {skipped}</p>")
    out.append(
        f"<p>Made by mtaudit {_e(sig.version)} (schema {_e(report.schema_version)}), offline. "
        "This file loads nothing from the network.</p></footer>"
    )
    return "\n".join(out)


def render_html(report: Report, gate: GateResult | None = None) -> str:
    """The report as one self-contained HTML page (see the module docstring)."""
    findings = list(report.findings)
    rows = _rows(report)
    row_of = {("source", i): k for k, r in enumerate(rows) for i in r.source}
    row_of.update({("target", j): k for k, r in enumerate(rows) for j in r.target})
    flagged_rows = {
        row_of[(f.side, f.sentence)]
        for f in findings
        if f.sentence is not None and not is_furniture(f) and (f.side, f.sentence) in row_of
    }
    data = [
        {
            "code": f.code,
            "severity": f.severity,
            "side": f.side,
            "sentence": f.sentence,
            "span": list(f.span) if f.span is not None else None,
            "message": f.message,
            "text": span_text(report, f),
            "evidence": f.evidence,
        }
        for f in findings
    ]
    title = (
        f"mtaudit report — {side_label(report.source, 'source')} → "
        f"{side_label(report.target, 'target')}"
    )
    script = _JS
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(_csp(script))}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="generator" content="mtaudit">',
        '<link rel="icon" href="data:,">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        _header(report, gate),
        '<section id="chart"><h2>Quality along the document</h2>',
        _chart(report, rows, flagged_rows),
        "</section>",
        _findings_table(report, findings),
        _alignment(report, rows, findings, flagged_rows),
        _footer(report),
        '<aside id="panel" hidden aria-live="polite">'
        '<button type="button" id="panel-close" aria-label="close">×</button>'
        '<div id="panel-list"></div></aside>',
        f'<script type="application/json" id="mtaudit-findings">{_json_for_script(data)}</script>',
        f"<script>{script}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"
