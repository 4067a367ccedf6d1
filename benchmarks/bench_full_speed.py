"""`full` profile throughput: one `mtaudit audit --pairs` process per run, wall time end to end.

Each run audits the first N pairs of an MLQE-PE DA dev file as a pairs document, exactly as a
user's command would (start-up and model loading included), and reads the stage times the
report records. Variants (another checkout of mtaudit, environment settings such as
``MTAUDIT_LM_QUANT``) run interleaved, round by round, so a slower stretch of a shared host hits
them alike; the table gives the median of the rounds and their range.

    python -m benchmarks.bench_full_speed --pairs en-de,ro-en --n 1000 --rounds 3 \\
        --variant "before:/tmp/base:" --variant "after::" \\
        --variant "after, bf16::MTAUDIT_LM_QUANT=bf16"

A variant is ``label:tree:ENV=V,ENV=V`` (an empty tree is this checkout).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import ROOT, benchdata, machine

_FILES = {
    "en-de": "dev.ende.df.short.tsv",
    "en-zh": "dev.enzh.df.short.tsv",
    "et-en": "dev.eten.df.short.tsv",
    "ne-en": "dev.neen.df.short.tsv",
    "ro-en": "dev.roen.df.short.tsv",
    "ru-en": "dev.ruen.df.short.tsv",
    "si-en": "dev.sien.df.short.tsv",
}


def pairs_file(pair: str, n: int, out: Path) -> Path:
    """The first ``n`` (source, translation) rows of the pair's DA dev file as a TSV."""
    src = benchdata() / "da" / "mlqe_pe" / pair / _FILES[pair]
    rows = []
    with src.open(encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            rows.append(f"{cols[1]}\t{cols[2]}")
            if len(rows) >= n:
                break
    path = out / f"{pair}.{n}.tsv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def run_once(tree: Path, env: dict[str, str], pair: str, tsv: Path, out: Path) -> dict:
    """One audit process; its wall time, peak RSS and the report's stage times."""
    src, tgt = pair.split("-")
    report = out / "report.json"
    check = subprocess.run(
        [sys.executable, "-c", "import mtaudit; print(mtaudit.__file__)"],
        env={**os.environ, "PYTHONPATH": str(tree)}, cwd=out, capture_output=True, text=True,
    )  # fmt: skip
    if not check.stdout.strip().startswith(str(tree)):
        raise SystemExit(f"{tree} is not what runs: {check.stdout.strip() or check.stderr}")
    cmd = [
        sys.executable, "-m", "mtaudit", "audit", "--pairs", str(tsv), "--src-lang", src,
        "--tgt-lang", tgt, "--profile", "full", "--format", "json", "-o", str(report),
    ]  # fmt: skip
    full_env = {**os.environ, "PYTHONPATH": str(tree), **env}
    t0 = time.perf_counter()
    proc = subprocess.run(  # cwd: `-m` puts the working directory before PYTHONPATH
        ["/usr/bin/time", "-f", "%M", *cmd], env=full_env, capture_output=True, text=True, cwd=out
    )
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"audit failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
    rss_kb = int(proc.stderr.strip().splitlines()[-1])
    timing = json.loads(report.read_text(encoding="utf-8")).get("timing", {})
    return {"wall": wall, "rss_mb": rss_kb / 1024, "timing": timing}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", default="en-de,ro-en")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--variant", action="append", default=[], help="label:tree:ENV=V,ENV=V")
    a = ap.parse_args()
    unknown = [p for p in a.pairs.split(",") if p not in _FILES]
    if unknown:
        ap.error(
            f"no MLQE-PE DA dev file for {', '.join(unknown)}; choose from {', '.join(_FILES)}"
        )
    variants = []
    for spec in a.variant or ["this checkout::"]:
        label, tree, envs = (spec.split(":", 2) + ["", ""])[:3]
        env = dict(kv.split("=", 1) for kv in envs.split(",") if kv)
        variants.append((label, Path(tree) if tree else ROOT, env))
    results: dict[tuple[str, str], list[dict]] = {}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        files = {p: pairs_file(p, a.n, out) for p in a.pairs.split(",")}
        for r in range(a.rounds):
            for pair, tsv in files.items():
                for label, tree, env in variants:
                    res = run_once(tree, env, pair, tsv, out)
                    results.setdefault((pair, label), []).append(res)
                    print(f"round {r + 1} {pair} {label}: {res['wall']:.1f} s", file=sys.stderr)
    print(f"Command: `python -m benchmarks.bench_full_speed {' '.join(sys.argv[1:])}`  ")
    print(f"Machine: {machine()}; load average {load_before:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after  ")  # fmt: skip
    print(f"Date: {time.strftime('%Y-%m-%d')}\n")
    print(f"First {a.n} pairs of each MLQE-PE DA dev file, `--profile full`, one process per run, "
          f"{a.rounds} interleaved rounds: median (range).\n")  # fmt: skip
    print("| pair | variant | wall | pairs/s | encode / fluency / checks (s) | peak RSS |")
    print("|---|---|---|---|---|---|")
    for (pair, label), runs in results.items():
        walls = [x["wall"] for x in runs]
        med = statistics.median(walls)
        st = {
            k: statistics.median([x["timing"].get(k, 0.0) for x in runs])
            for k in ("encode", "fluency", "checks")
        }
        print(
            f"| {pair} | {label} | {med:.1f} s ({min(walls):.1f}–{max(walls):.1f}) | "
            f"{a.n / med:.1f} ({a.n / max(walls):.1f}–{a.n / min(walls):.1f}) | "
            f"{st['encode']:.1f} / {st['fluency']:.1f} / {st['checks']:.1f} | "
            f"{max(x['rss_mb'] for x in runs):.0f} MB |"
        )


if __name__ == "__main__":
    main()
