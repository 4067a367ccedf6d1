"""Build ``tests/data/l10n/xmlschema_good.po``: real, good translations with placeholders.

Origin: the gettext catalogues xmlschema ships in its wheel (``xmlschema/locale/<lang>/
LC_MESSAGES/xmlschema.po``, MIT licence, © SISSA; the notice is copied into the file), from the
installed package. Kept: translated, non-fuzzy entries whose source has a printf or brace
placeholder or a tag, the first ``--per-lang`` of each of it, pl, ru and ka, in file order. The
entries are written as they are (msgid, msgstr, flags); nothing is edited.

    python scripts/build_l10n_testdata.py            # rewrites the file
"""

from __future__ import annotations

import argparse
from importlib import metadata
from pathlib import Path

from mtaudit.l10n import read_l10n
from mtaudit.l10n.placeholders import braces, printf, tags

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "l10n" / "xmlschema_good.po"
LANGS = ("it", "pl", "ru", "ka")


def _po_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def catalogue(lang: str) -> Path:
    import xmlschema

    return Path(xmlschema.__file__).parent / "locale" / lang / "LC_MESSAGES" / "xmlschema.po"


def licence_text() -> str:
    dist = metadata.distribution("xmlschema")
    for f in dist.files or []:
        if f.name.upper().startswith("LICENSE"):
            return Path(str(dist.locate_file(f))).read_text(encoding="utf-8")
    raise SystemExit("xmlschema's LICENSE file not found in its distribution")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-lang", type=int, default=60)
    args = ap.parse_args()
    version = metadata.version("xmlschema")
    out = ["# Real translations with placeholders, from xmlschema " + version + "'s catalogues"]
    out += ["# (built by scripts/build_l10n_testdata.py; do not edit). Their licence:", "#"]
    out += [("# " + line).rstrip() for line in licence_text().splitlines()]
    out += ['msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"', ""]
    for lang in LANGS:
        got = read_l10n("po", str(catalogue(lang)), max_bytes=10**8)
        kept = 0
        for p in got.pairs:
            if kept >= args.per_lang:
                break
            if p.extra.get("state") != "translated" or "plural" in p.extra:
                continue
            if not (printf(p.source) or braces(p.source) or tags(p.source)):
                continue
            out.append(f"#. {lang}, xmlschema.po line {p.line}")
            if "%" in p.source and printf(p.source):
                out.append("#, python-format")
            out.append(f"msgctxt {_po_string(lang)}")
            out.append(f"msgid {_po_string(p.source)}")
            out.append(f"msgstr {_po_string(p.target)}")
            out.append("")
            kept += 1
    OUT.write_text("\n".join(out), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
