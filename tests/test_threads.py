"""Thread budgets of worker processes: every BLAS/OpenMP pool keeps to the worker's share."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mtaudit.threads import limited_threads, thread_budget

threadpoolctl = pytest.importorskip("threadpoolctl")

PROBE = """
import json, numpy
from threadpoolctl import threadpool_info
from mtaudit.threads import limit_process_threads, thread_budget
from mtaudit.encoders import USEEncoder
before = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
limit_process_threads(1)
after = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
import os
from mtaudit.threads import THREAD_ENV
from mtaudit.fluency.lm import SmolLM2Scorer
print(json.dumps({"before": before, "after": after, "budget": thread_budget(),
                  "env": {k: os.environ.get(k) for k in THREAD_ENV},
                  "use_threads": USEEncoder().threads,
                  "lm_threads": SmolLM2Scorer().n_threads}))
"""


def test_a_worker_cap_holds_for_numpy_and_the_encoder():
    # In a fresh process: a worker's cap must not leak into the test process.
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    got = json.loads(out.stdout)
    assert got["before"], "numpy's BLAS is not visible to threadpoolctl"
    assert got["after"] == [1] * len(got["before"])
    assert got["budget"] == 1
    assert set(got["env"].values()) == {"1"}  # for pools that start later (OpenMP)
    assert got["use_threads"] == 1  # the encoder's default follows the cap
    assert got["lm_threads"] == 1  # and so does the language model's (not loaded here)


def test_in_process_limit_is_restored():
    def blas_threads() -> list[int]:
        return [
            p["num_threads"] for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"
        ]

    before = blas_threads()
    with limited_threads(1):
        assert blas_threads() == [1] * len(before)
    assert blas_threads() == before
    with limited_threads(None):  # no cap asked: nothing changes
        assert blas_threads() == before
    assert thread_budget() is None  # the test process itself has no cap


def test_use_batches_side_by_side_give_the_same_vectors():
    import numpy as np

    from mtaudit.encoders import USEEncoder

    sentences = [f"Sentence number {k} says {'a little ' * (k % 7)}more." for k in range(300)]
    one = USEEncoder(batch_size=64, threads=1).encode(sentences)
    two = USEEncoder(batch_size=64, threads=2).encode(sentences)
    assert one.shape == (300, 512)
    assert np.array_equal(one, two)  # same batches, so the same bytes whatever the threads
