"""False alarms of ``name_mismatch`` on human-rated translations, with and without CLDR place names.

Data: MLQE-PE DA dev (``da/mlqe_pe``; 1000 Wikipedia sentences per pair, each translation rated
0–100 by several people) and WMT21 critical-error detection dev (``critical_errors/wmt21``;
en→de/cs/ja/zh, NOT/ERR). Each file is audited as one pairs document (segment *i* is link *i*;
the check reads only the text, so a hashing encoder stands in for the real one and nothing is
encoded). A translation is *flagged* when the check reports a finding on it.

Read the MLQE-PE figures as a rate on good translations (DA ≥ 80: a flag there is almost always a
false alarm) against poor ones (DA < 30: names are often really lost or mangled there). The even
rows were read while the place-name lookup was written; the odd rows were not read and are the
figure to trust.
"""

from __future__ import annotations

from collections.abc import Sequence

from mtaudit.report import Finding

from .bench_critical_errors import load as load_ced
from .bench_quality import DA_PAIRS, load_da

TITLE = "Name checks: false alarms on good translations"

CED_PAIRS = ["ende", "encs", "enja", "enzh"]
VARIANTS = {
    "default (CLDR place names)": {},
    "ablation: no place names": {"place_names": False},
}


def findings(pairs: Sequence[tuple[str, str]], src: str, tgt: str, conf: dict) -> list[Finding]:
    """The ``name_mismatch`` findings of the pairs audited as one pairs document."""
    import mtaudit
    from mtaudit.encoders import HashingEncoder

    rep = mtaudit.audit_pairs(
        list(pairs),
        src_lang=src,
        tgt_lang=tgt,
        encoder=HashingEncoder(),
        profile="fast",
        checks={"name_mismatch": conf},
    )
    return [f for f in rep.findings if f.code == "name_mismatch"]


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}% ({part}/{whole})" if whole else "–"


def run(quick: bool = False) -> str:
    out = [
        "### MLQE-PE DA dev: translations flagged by `name_mismatch`",
        "",
        "| pair | rows | variant | findings per 100 | good (DA ≥ 80) flagged | "
        "poor (DA < 30) flagged |",
        "|---|---|---|---|---|---|",
    ]
    for pair in DA_PAIRS:
        rows = load_da(pair)
        if quick:
            rows = rows[:200]
        src, tgt = pair.split("-")
        for half, label in ((1, "odd (held out)"), (0, "even (inspected)")):
            sub = [r for i, r in enumerate(rows) if i % 2 == half]
            pairs = [(r["original"], r["translation"]) for r in sub]
            good = {i for i, r in enumerate(sub) if float(r["mean"]) >= 80}
            poor = {i for i, r in enumerate(sub) if float(r["mean"]) < 30}
            for name, conf in VARIANTS.items():
                found = findings(pairs, src, tgt, conf)
                hit = {f.sentence for f in found}
                out.append(
                    f"| {pair} | {label} | {name} | {100.0 * len(found) / len(sub):.1f} | "
                    f"{_pct(len(hit & good), len(good))} | {_pct(len(hit & poor), len(poor))} |"
                )
    out += [
        "",
        "### WMT21 critical-error detection dev: items flagged by `name_mismatch`",
        "",
        "| pair | variant | NOT items flagged | ERR items flagged |",
        "|---|---|---|---|",
    ]
    for pair in CED_PAIRS:
        items = load_ced(pair, "dev", 200 if quick else None)
        gold = [e for _, _, e in items]
        for name, conf in VARIANTS.items():
            hit = {
                f.sentence for f in findings([(s, t) for s, t, _ in items], "en", pair[2:], conf)
            }
            n_not = sum(1 for g in gold if not g)
            n_err = len(gold) - n_not
            f_not = sum(1 for i, g in enumerate(gold) if not g and i in hit)
            f_err = sum(1 for i, g in enumerate(gold) if g and i in hit)
            out.append(f"| en→{pair[2:]} | {name} | {_pct(f_not, n_not)} | {_pct(f_err, n_err)} |")
    from mtaudit.text.placenames import cldr_version

    out += [
        "",
        f"Place names: Unicode CLDR as shipped by Babel {cldr_version()}. "
        "WMT21's sources are English, whose country and city names were already skipped by a "
        "word list, so the lookup changes little there; the MLQE-PE sources (Estonian, "
        "Romanian) are where it matters. What remains on good translations is mostly "
        "translated descriptive names (Romanian *Piața Unirii* → Union Square, *Primul Război "
        "Mondial* → World War I), places CLDR does not name (rivers, regions, *Suurbritannia*) "
        "and transliteration variants (*Tshinvali* → Tskhinvali).",
    ]
    return "\n".join(out)
