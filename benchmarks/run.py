"""Run mtaudit's benchmarks and regenerate ``docs/benchmarks.md``.

Each ``benchmarks/bench_<name>.py`` that defines ``TITLE`` and ``run(quick: bool) -> str`` (a
Markdown body) is run here; the other ``bench_*.py`` are standalone experiments
(``python -m benchmarks.bench_<name> --help``). A run writes ``benchmarks/results/<name>.md`` (with
the command and the machine) and puts it into ``docs/benchmarks.md`` between the markers
``<!-- BEGIN benchmarks.run: <name> -->`` / ``<!-- END … -->``, replacing what the markers held
before, or appended at the end when the document has none for it. Nothing else in the document
is touched: most of it is hand-written records of experiments.

    python -m benchmarks.run                 # all, full size
    python -m benchmarks.run --quick         # all, small variants
    python -m benchmarks.run --only textberg # one
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import re
import sys

from .common import ROOT, machine

RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "benchmarks.md"


def available() -> list[str]:
    """The benchmarks this runner can run: modules with a top-level ``run``."""
    return sorted(
        p.stem[len("bench_") :]
        for p in (ROOT / "benchmarks").glob("bench_*.py")
        if re.search(r"^def run\(", p.read_text(encoding="utf-8"), re.M)
    )


def run_one(name: str, quick: bool) -> None:
    mod = importlib.import_module(f"benchmarks.bench_{name}")
    print(f"[bench] {name} ...", file=sys.stderr, flush=True)
    body = mod.run(quick=quick)
    cmd = f"python -m benchmarks.run --only {name}" + (" --quick" if quick else "")
    stamp = dt.date.today().isoformat()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.md").write_text(
        f"## {mod.TITLE}\n\n"
        f"Command: `{cmd}`  \nMachine: {machine()}  \nDate: {stamp}\n\n{body.strip()}\n",
        encoding="utf-8",
    )


def markers(name: str) -> tuple[str, str]:
    return f"<!-- BEGIN benchmarks.run: {name} -->", f"<!-- END benchmarks.run: {name} -->"


def update_doc(name: str, doc: str) -> str:
    """``doc`` with the stored result of ``name`` put between its markers (appended when the
    document has none)."""
    body = (RESULTS / f"{name}.md").read_text(encoding="utf-8").strip()
    begin, end = markers(name)
    block = f"{begin}\n{body}\n{end}"
    i = doc.find(begin)
    j = doc.find(end, i + len(begin)) if i >= 0 else -1
    if i >= 0 and j >= 0:
        return doc[:i] + block + doc[j + len(end) :]
    print(
        f"[bench] {name}: no markers in {DOC.name}, appended at the end "
        "(an older copy of this section above it, if any, is to be removed by hand)",
        file=sys.stderr,
    )
    return doc.rstrip("\n") + "\n\n" + block + "\n"


def assemble(names: list[str]) -> None:
    """Write the results of ``names`` into ``docs/benchmarks.md`` (see the module docstring)."""
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    for name in names:
        doc = update_doc(name, doc)
    tmp = DOC.with_suffix(".md.tmp")
    tmp.write_text(doc, encoding="utf-8")
    tmp.replace(DOC)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run")
    ap.add_argument("--quick", action="store_true", help="small variants")
    ap.add_argument("--only", action="append", choices=available(), help="run only these")
    args = ap.parse_args(argv)
    names = args.only or available()
    for name in names:
        run_one(name, args.quick)
    assemble(names)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
