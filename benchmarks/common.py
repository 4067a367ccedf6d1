"""Helpers shared by the benchmark modules: where the data is, machine facts, timing."""

from __future__ import annotations

import os
import platform
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def benchdata() -> Path:
    """The external benchmark data folder: ``$MTAUDIT_BENCHDATA`` or ``../shared/benchdata``."""
    env = os.environ.get("MTAUDIT_BENCHDATA")
    path = Path(env) if env else ROOT.parent / "shared" / "benchdata"
    if not path.is_dir():
        raise SystemExit(
            f"benchmark data not found at {path}; set MTAUDIT_BENCHDATA to the folder "
            "(see benchmarks/README.md for where each set comes from upstream)"
        )
    return path


def machine() -> str:
    """A one-line description of the machine a figure was measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def blas_note() -> str:
    """How many BLAS threads the run used (as set in the environment)."""
    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
    return f"BLAS threads: {threads or 'library default (all cores)'}."


def load_note() -> str:
    """The machine's load when the run ended: on a shared machine the timings scale with it."""
    one, five, fifteen = os.getloadavg()
    return (
        f"Load average at the end of the run: {one:.1f} / {five:.1f} / {fifteen:.1f} "
        f"(1 / 5 / 15 min) on {os.cpu_count()} cores; other jobs sharing them slow the "
        "timings down accordingly."
    )


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds``."""

    def __enter__(self) -> Timer:
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._t0
