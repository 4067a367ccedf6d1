"""Corpus-mode throughput: segment pairs per second, ``fast`` and ``full`` profiles, in one process
(``mtaudit corpus --engine local``) and on a local Ray instance (``--engine ray``, actor pool).

The corpus is English→German segment pairs read at run time from the external data
(``critical_errors/wmt21/ende_majority_{train,dev}.tsv`` and ``da/mlqe_pe/en-de``; see
``benchmarks/README.md``), written as JSONL files of 1,000 pairs into a temporary folder that is
deleted afterwards (nothing is copied into the repository). For the 100k-pair run the pairs are
repeated, each repetition tagged with a short code so no segment repeats. Every run is a fresh
``mtaudit corpus`` process: the wall-clock time includes Python start-up, model loading and (on
Ray) starting the instance and its actors. The load average of the machine is taken before and
after each run (the machine is shared).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .common import ROOT, benchdata

TITLE = "Corpus mode throughput (single process vs local Ray)"

csv.field_size_limit(10**8)


def load_pairs() -> list[tuple[str, str]]:
    """English–German pairs from the WMT21 critical-error and MLQE-PE sets (deduplicated)."""
    root = benchdata()
    pairs: list[tuple[str, str]] = []
    for name in ("ende_majority_train.tsv", "ende_majority_dev.tsv"):
        with (root / "critical_errors" / "wmt21" / name).open(encoding="utf-8") as fh:
            for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                if len(row) >= 3:
                    pairs.append((row[1], row[2]))
    for f in sorted((root / "da" / "mlqe_pe" / "en-de").glob("*.tsv")):
        with f.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                pairs.append((row["original"], row["translation"]))
    pairs = [(s.strip(), t.strip()) for s, t in pairs if s.strip() and t.strip()]
    return list(dict.fromkeys(pairs))


def _tag(k: int) -> str:
    letters = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        letters = chr(ord("a") + r) + letters
    return "x" + letters


def write_corpus(folder: Path, pairs: list[tuple[str, str]], n: int, per_file: int = 1000) -> int:
    """``n`` pairs (repeated with tags when more are asked than exist) as JSONL files."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for k in range(n):
        s, t = pairs[k % len(pairs)]
        rep = k // len(pairs)
        if rep:
            s, t = f"{_tag(rep)} {s}", f"{_tag(rep)} {t}"
        rows.append(json.dumps({"source": s, "target": t}, ensure_ascii=False))
    for f, start in enumerate(range(0, n, per_file)):
        (folder / f"part-{f:04d}.jsonl").write_text(
            "\n".join(rows[start : start + per_file]) + "\n", encoding="utf-8"
        )
    return n


def run_corpus(folder: Path, out: Path, profile: str, engine: str, extra: list[str]) -> dict:
    """One ``mtaudit corpus`` run in a fresh process: wall time, load, the run's own figures."""
    cmd = [
        sys.executable, "-m", "mtaudit", "corpus", "--pairs", str(folder), "--out-dir", str(out),
        "--src-lang", "en", "--tgt-lang", "de", "--profile", profile, "--engine", engine,
        "--allow-errors", *extra,
    ]  # fmt: skip
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    load1 = os.getloadavg()[0]
    if proc.returncode not in (0, 1):
        raise SystemExit(f"corpus run failed ({proc.returncode}): {proc.stderr[-2000:]}")
    timing = json.loads((out / "timing.json").read_text(encoding="utf-8"))
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    items = timing["items"].values()
    return {
        "wall": wall,
        "load": (load0, load1),
        "audit_s": sum(v.get("total", 0.0) for v in items),
        "rss": max((v.get("peak_rss_mb", 0.0) for v in items), default=0.0),
        "actors": timing.get("actors"),
        "jobs": timing.get("jobs"),
        "cpus_per_actor": timing.get("cpus_per_actor"),
        "errors": index["summary"]["errors"],
        "units": len(index["items"]),
    }


def run(quick: bool = False) -> str:
    pairs = load_pairs()
    # full: enough pairs that start-up (~5 s: imports, models, the LM's self-test) is not most
    # of the run
    sizes = {"fast": 2000 if quick else len(pairs), "full": 100 if quick else 2000}
    big = None if quick else 100_000
    # (engine label, engine, extra options): in-process with the default threads (all CPUs),
    # two local worker processes (one thread each), and Ray with the default sizing (one actor
    # per CPU, one thread each).
    engines = [
        ("local", "local", []),
        ("local, --jobs 2", "local", ["--jobs", "2"]),
        ("ray", "ray", []),
    ]
    results: list[tuple[str, str, int, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory(prefix="mtaudit-bench-corpus-") as tmp:
        root = Path(tmp)
        for profile, n in sizes.items():
            folder = root / f"in-{profile}"
            write_corpus(folder, pairs, n, per_file=1000 if profile == "fast" else 100)
            for k, (label, engine, extra) in enumerate(engines):
                shard = "1000" if profile == "fast" else "100"
                r = run_corpus(folder, root / f"out-{profile}-{k}", profile, engine,
                               ["--shard-size", shard, *extra])  # fmt: skip
                results.append((profile, label, n, r))
                print(f"[bench] corpus {profile} {label} {n}: {r}", file=sys.stderr, flush=True)
        if big:
            folder = root / "in-big"
            write_corpus(folder, pairs, big)
            for k, (label, engine, extra) in enumerate(engines[1:]):
                r = run_corpus(folder, root / f"out-big-{k}", "fast", engine,
                               ["--shard-size", "1000", *extra])  # fmt: skip
                results.append(("fast", label, big, r))
                print(f"[bench] corpus fast {label} {big}: {r}", file=sys.stderr, flush=True)
    lines = [
        "| profile | engine | pairs | wall (end to end) | pairs/s end to end "
        "| pairs/s per worker (audit time) | actors × CPUs | peak RSS per process "
        "| load avg before → after |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for profile, engine, n, r in results:
        if r["actors"]:
            actors = f"{r['actors']} × {r['cpus_per_actor']:g}"
        else:
            jobs = r.get("jobs") or 1
            actors = f"{jobs} processes" if jobs > 1 else "1 process"
        lines.append(
            f"| {profile} | {engine} | {n:,} | {r['wall']:.1f} s | {n / r['wall']:.0f} "
            f"| {n / r['audit_s']:.0f} | {actors} | {r['rss']:.0f} MB "
            f"| {r['load'][0]:.1f} → {r['load'][1]:.1f} |"
        )
    lines += [
        "",
        f"English→German segment pairs from WMT21 critical-error detection and MLQE-PE "
        f"({len(pairs):,} distinct pairs; the 100k run repeats them with tags). Encoder: the "
        "default for en–de (USE). `fast` runs no language model; `full` runs the SmolLM2 "
        "fluency checks too. Shards of 1,000 pairs (`fast`) or 100 (`full`). *End to end* is the "
        "whole `mtaudit corpus` process (start-up, model loading, Ray instance and actors); *per "
        "worker* divides the pairs by the summed audit time of the units (one process or one "
        "actor's view). *Peak RSS* is the largest resident size of the process that audited a "
        "unit (the actor, or one worker process). The load average is shown for context (this "
        "VM reports about 1 even when idle). `--jobs 2` runs two worker processes of the local "
        "engine, each capped at one thread for every native pool (numpy's BLAS, OpenMP, the "
        "encoder; `mtaudit/threads.py`); Ray actors get the same cap.",
    ]
    return "\n".join(lines)
