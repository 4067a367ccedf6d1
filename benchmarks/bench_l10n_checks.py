"""Placeholder and markup checks (issue 21): false alarms on real, good translations, and recall
on the same translations with breakage injected, beside translate-toolkit's pofilter tests.

Data (read where it is installed, never copied into the repository):

* xmlschema's gettext catalogues (MIT; ``xmlschema/locale/{it,pl,ru,ka}``): Python ``%r`` and
  ``{}``/``{0!r}`` placeholders, a few tags;
* the system's compiled GNOME/GNU catalogues (``/usr/share/locale/{de,fr,ru}/LC_MESSAGES``:
  gtk30, glib20, git, coreutils, apt, appstream; read with translate-toolkit's ``.mo`` reader):
  printf, ``_`` accelerators, ``<b>``/``<tt>`` markup, trailing newlines and spaces, URLs.

Every translated, non-plural unit is one pair. *Dev* (read while the extractors were written and
the two fixes below were made): xmlschema it+pl and gtk30 de. *Held out*: everything else.

Injected breakage, on the target only, one variant per unit and kind when the original raises no
finding of the code that should catch it: a printf placeholder deleted / its conversion changed
(``%s``→``%d``) / two unnumbered ones swapped; a brace placeholder deleted / renamed; a tag
deleted; a URL or e-mail changed; the accelerator marker deleted; a trailing newline or space
deleted. Recall counts a variant caught when the check of that kind reports it; pofilter's
mapped tests (docs/checks.md) run on the same originals and variants.

    python -m benchmarks.bench_l10n_checks
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

from mtaudit.checks import REGISTRY
from mtaudit.checks.base import CheckContext
from mtaudit.l10n.placeholders import accelerators, braces, edge_whitespace, printf, tags, urls
from mtaudit.report import Link, Sentence, Side

TITLE = "Localisation checks (issue 21, session 24)"

CODES = (
    "printf_mismatch",
    "brace_mismatch",
    "icu_mismatch",
    "markup_mismatch",
    "url_mismatch",
    "whitespace_mismatch",
    "accelerator_mismatch",
)
#: pofilter tests per code (translate.filters.checks.StandardChecker, accelerator marker ``_``).
POFILTER = {
    "printf_mismatch": ("printf",),
    "brace_mismatch": ("pythonbraceformat",),
    "icu_mismatch": (),
    "markup_mismatch": ("xmltags",),
    "url_mismatch": ("urls", "emails"),
    "whitespace_mismatch": ("startwhitespace", "endwhitespace", "newlines"),
    "accelerator_mismatch": ("accelerators",),
}
SYSTEM = Path("/usr/share/locale")
MO_DOMAINS = ("gtk30", "glib20", "git", "coreutils", "apt", "appstream")
DEV = {("xmlschema", "it"), ("xmlschema", "pl"), ("gtk30", "de")}

Pair = tuple[str, str]


def catalogues() -> Iterator[tuple[str, str, list[Pair]]]:
    """(domain, language, pairs) of every catalogue found."""
    from mtaudit.l10n import read_l10n

    try:
        import xmlschema

        base = Path(xmlschema.__file__).parent / "locale"
        for lang in ("it", "pl", "ru", "ka"):
            po = base / lang / "LC_MESSAGES" / "xmlschema.po"
            if po.exists():
                got = read_l10n("po", str(po), max_bytes=10**8)
                yield (
                    "xmlschema",
                    lang,
                    [
                        (p.source, p.target)
                        for p in got.pairs
                        if p.extra.get("state") == "translated" and "plural" not in p.extra
                    ],
                )
    except ImportError:
        print("xmlschema not installed: its catalogues are skipped", file=sys.stderr)
    from translate.storage import mo

    for domain in MO_DOMAINS:
        for lang in ("de", "fr", "ru"):
            path = SYSTEM / lang / "LC_MESSAGES" / f"{domain}.mo"
            if not path.exists():
                continue
            store = mo.mofile.parsestring(path.read_bytes())
            pairs = []
            for u in store.units:
                if u.hasplural() or not str(u.source) or not str(u.target) or u.isheader():
                    continue
                pairs.append((str(u.source), str(u.target)))
            yield domain, lang, pairs


def flagged(pairs: list[Pair]) -> dict[str, set[int]]:
    """Pair indices with a finding, per check code (the checks run as in a PO audit)."""

    def side(texts: list[str], lang: str) -> Side:
        sents, pos = [], 0
        for k, t in enumerate(texts):
            sents.append(Sentence(k, t, pos, pos + len(t), line=k + 1, unit=str(k)))
            pos += len(t) + 1
        return Side(lang, sents, text="\n".join(texts))

    ctx = CheckContext(
        side([s for s, _ in pairs], "en"),
        side([t for _, t in pairs], "xx"),
        [Link([k], [k], 1.0) for k in range(len(pairs))],
        mode="pairs",
    )
    ctx.signals["l10n"] = {"format": ["po"]}
    out: dict[str, set[int]] = defaultdict(set)
    for code in CODES:
        for f in REGISTRY[code]().run(ctx):
            out[code].add(int(f.sentence or 0))
    return out


def pofilter_flags(pairs: list[Pair]) -> dict[str, set[int]]:
    from translate.filters import checks

    checker = checks.StandardChecker(checkerconfig=checks.CheckerConfig(accelmarkers=["_"]))
    out: dict[str, set[int]] = defaultdict(set)
    for code, tests in POFILTER.items():
        for k, (s, t) in enumerate(pairs):
            for name in tests:
                try:
                    ok = getattr(checker, name)(s, t)
                except checks.FilterFailure:
                    ok = False
                except Exception:  # a pofilter test that crashes on a string passes it
                    ok = True
                if not ok:
                    out[code].add(k)
    return out


# --------------------------------------------------------------------------- injections


def _cut(text: str, a: int, b: int, new: str = "") -> str:
    return text[:a] + new + text[b:]


def injections(src: str, tgt: str) -> Iterator[tuple[str, str, str]]:
    """(kind, code that should catch it, broken target) for one target."""
    p = printf(tgt)
    if p:
        t = p[0]
        yield "printf deleted", "printf_mismatch", _cut(tgt, t.start, t.end)
        conv = "d" if t.text[-1] != "d" else "s"
        yield "printf conversion changed", "printf_mismatch", _cut(tgt, t.end - 1, t.end, conv)
        plain = [x for x in p if "$" not in x.text and "(" not in x.text]
        if len(plain) >= 2 and plain[0].key != plain[1].key:
            a, b = plain[0], plain[1]
            swapped = tgt[: a.start] + b.text + tgt[a.end : b.start] + a.text + tgt[b.end :]
            yield "printf order swapped", "printf_mismatch", swapped
    br = braces(tgt)
    if br:
        t = br[0]
        yield "brace deleted", "brace_mismatch", _cut(tgt, t.start, t.end)
        inner = t.text[1:-1]
        new = "{x}" if inner == "" else "{" + re.sub(r"^(\w*)", r"\1x", inner, count=1) + "}"
        yield "brace renamed", "brace_mismatch", _cut(tgt, t.start, t.end, new)
    tg = tags(tgt)
    if tg:
        yield "tag deleted", "markup_mismatch", _cut(tgt, tg[0].start, tg[0].end)
    u = urls(tgt)
    if u:
        yield "URL changed", "url_mismatch", _cut(tgt, u[0].end - 1, u[0].end, "q")
    acc = accelerators(tgt, "_", in_words=True, known=src)
    if len(accelerators(src, "_")) == 1 and len(acc) == 1:
        yield (
            "accelerator deleted",
            "accelerator_mismatch",
            _cut(tgt, acc[0].start, acc[0].start + 1),
        )
    lead, trail = edge_whitespace(tgt)
    if trail:
        yield "trailing whitespace deleted", "whitespace_mismatch", tgt.rstrip()


def evaluate() -> dict[str, dict]:
    res: dict[str, dict] = {}
    for split in ("dev", "held-out"):
        res[split] = {
            "pairs": 0,
            "catalogues": [],
            "fa": Counter(),
            "fa_pofilter": Counter(),
            "inj": Counter(),
            "hit": Counter(),
            "hit_pofilter": Counter(),
            "by_kind": defaultdict(Counter),
            "examples": defaultdict(list),
        }
    for domain, lang, pairs in catalogues():
        if not pairs:
            continue
        r = res["dev" if (domain, lang) in DEV else "held-out"]
        r["pairs"] += len(pairs)
        r["catalogues"].append(f"{domain}/{lang} ({len(pairs)})")
        mine, theirs = flagged(pairs), pofilter_flags(pairs)
        for code in CODES:
            r["fa"][code] += len(mine.get(code, ()))
            r["fa_pofilter"][code] += len(theirs.get(code, ()))
            for k in sorted(mine.get(code, ()))[:3]:
                if len(r["examples"][code]) < 6:
                    r["examples"][code].append((domain, lang, pairs[k]))
        broken: list[Pair] = []
        meta: list[tuple[str, str]] = []
        for k, (s, t) in enumerate(pairs):
            for kind, code, bt in injections(s, t):
                if k in mine.get(code, ()) or bt == t:
                    continue  # only breakage of a unit the check passes
                broken.append((s, bt))
                meta.append((kind, code))
        if not broken:
            continue
        got, got_pf = flagged(broken), pofilter_flags(broken)
        for k, (kind, code) in enumerate(meta):
            r["inj"][code] += 1
            r["by_kind"][kind]["n"] += 1
            if k in got.get(code, ()):
                r["hit"][code] += 1
                r["by_kind"][kind]["hit"] += 1
            if k in got_pf.get(code, ()):
                r["hit_pofilter"][code] += 1
                r["by_kind"][kind]["hit_pofilter"] += 1
    return res


def _pct(a: int, n: int) -> str:
    return f"{a}/{n} ({100 * a / n:.1f}%)" if n else "–"


def render(res: dict[str, dict]) -> str:
    from .common import machine

    lines = [f"### {TITLE}", ""]
    lines.append("Command: `python -m benchmarks.bench_l10n_checks`; machine: " + machine() + ".")
    lines.append("")
    for split, r in res.items():
        lines.append(f"**{split}** — {r['pairs']} translated units: " + ", ".join(r["catalogues"]))
        lines.append("")
        lines.append(
            "| check | false alarms on the originals | pofilter (mapped tests) | injected | "
            "caught | pofilter caught |"
        )
        lines.append("|---|---|---|---|---|---|")
        for code in CODES:
            n = r["pairs"]
            lines.append(
                f"| `{code}` | {_pct(r['fa'][code], n)} | {_pct(r['fa_pofilter'][code], n)} | "
                f"{r['inj'][code]} | {_pct(r['hit'][code], r['inj'][code])} | "
                f"{_pct(r['hit_pofilter'][code], r['inj'][code])} |"
            )
        lines.append("")
        lines.append("| injected breakage | n | caught | pofilter caught |")
        lines.append("|---|---|---|---|")
        for kind, c in sorted(r["by_kind"].items()):
            lines.append(
                f"| {kind} | {c['n']} | {_pct(c['hit'], c['n'])} | "
                f"{_pct(c['hit_pofilter'], c['n'])} |"
            )
        lines.append("")
    return "\n".join(lines)


def examples(res: dict[str, dict]) -> str:
    out = []
    for split, r in res.items():
        for code, items in r["examples"].items():
            for domain, lang, (s, t) in items:
                out.append(f"{split} {code} {domain}/{lang}: {s!r} -> {t!r}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    res = evaluate()
    print(render(res))
    if argv and "--examples" in argv or "--examples" in sys.argv:
        print(examples(res), file=sys.stderr)


Run = Callable[[], None]

if __name__ == "__main__":
    main()
