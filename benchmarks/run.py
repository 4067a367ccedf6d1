"""Run mtaudit's benchmarks and regenerate ``docs/benchmarks.md``.

Each ``benchmarks/bench_<name>.py`` defines ``TITLE`` and ``run(quick: bool) -> str`` returning a
Markdown body. A run writes ``benchmarks/results/<name>.md`` (with the command and the machine) and
then assembles every stored result into ``docs/benchmarks.md``, so one benchmark can be re-run
without re-running the others.

    python -m benchmarks.run                 # all, full size
    python -m benchmarks.run --quick         # all, small variants
    python -m benchmarks.run --only textberg # one
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import sys

from .common import ROOT, machine

RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "benchmarks.md"


def available() -> list[str]:
    return sorted(p.stem[len("bench_") :] for p in (ROOT / "benchmarks").glob("bench_*.py"))


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


def assemble() -> None:
    parts = [
        "# Benchmarks\n",
        "Every figure below was produced by the command shown with it, on the machine shown. "
        "Regenerate all of them with `make bench` (or `make bench-quick` for the small "
        "variants). The data is external (see `benchmarks/README.md`).\n",
    ]
    for name in available():
        f = RESULTS / f"{name}.md"
        if f.exists():
            parts.append(f.read_text(encoding="utf-8"))
    DOC.write_text("\n".join(parts), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run")
    ap.add_argument("--quick", action="store_true", help="small variants")
    ap.add_argument("--only", action="append", choices=available(), help="run only these")
    args = ap.parse_args(argv)
    for name in args.only or available():
        run_one(name, args.quick)
    assemble()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
