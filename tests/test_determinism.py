"""Determinism: the same input gives byte-identical JSON across runs and processes.

The CLI runs twice, in separate processes (each with a random ``PYTHONHASHSEED``), always with
``--no-fluency``: the demo's default settings would run the fluency stage, which needs a native
LM build that may be missing or unusable on a machine (the report then records why, in
machine-specific words), so its output is not a machine-independent fixture.

* the seed pair, with the demo's default encoder (USE): the whole pipeline, real model;
* a generated 1,000-pair TSV file (pairs mode) with ``--encoder hashing``: the same code path
  but with the model-free encoder, because USE on 2,000 sentences takes ~30 s a run on a busy
  2-core machine and the encoder's own determinism is already covered by the seed run.

Everything but the ``timing`` field (wall-clock figures, kept in its own field at the end of the
report) must be the same bytes.

The seed report (``--no-fluency``, timing dropped) is also compared with the checked-in
regression fixture ``tests/data/seed_report.json``. If the report changed on purpose, regenerate
it with ``.venv/bin/python scripts/update_seed_fixture.py`` and commit it in a commit of its own.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "update_seed_fixture", ROOT / "scripts" / "update_seed_fixture.py"
)
assert _spec is not None and _spec.loader is not None
fixture_script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixture_script)

#: The report's last field: ``"timing": {...}`` (flat, numbers only).
_TIMING_TAIL = re.compile(r',\n  "timing": \{[^{}]*\}\n\}\n\Z')


def _run_cli(args: list[str], out: Path) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": "random"}  # hash order must not matter
    proc = subprocess.run(
        [sys.executable, "-m", "mtaudit", *args, "-o", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return out.read_bytes()


def _without_timing(raw: bytes) -> bytes:
    """The report bytes with the trailing timing field cut out (nothing else touched)."""
    text = raw.decode("utf-8")
    assert _TIMING_TAIL.search(text), "the timing field is not the report's last field"
    return _TIMING_TAIL.sub("\n}\n", text).encode("utf-8")


@pytest.fixture(scope="module")
def seed_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    tmp = tmp_path_factory.mktemp("seed")
    return (
        _run_cli(fixture_script.SEED_ARGS, tmp / "a.json"),
        _run_cli(fixture_script.SEED_ARGS, tmp / "b.json"),
    )


def test_seed_report_is_byte_identical_across_processes(seed_runs: tuple[bytes, bytes]) -> None:
    a, b = seed_runs
    assert _without_timing(a) == _without_timing(b)
    # the cut leaves exactly the report without its timing, in the CLI's own layout
    data = json.loads(a)
    assert set(data["timing"]) >= {"segment", "encode", "align", "checks"}
    del data["timing"]
    assert _without_timing(a).decode() == json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def test_seed_report_matches_the_regression_fixture(seed_runs: tuple[bytes, bytes]) -> None:
    fixture = fixture_script.FIXTURE.read_text(encoding="utf-8")
    got = fixture_script.normalise(seed_runs[0].decode("utf-8"))
    if got != fixture:
        old, new = json.loads(fixture), json.loads(got)
        changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
        pytest.fail(
            f"the seed report differs from tests/data/seed_report.json in {changed}; if the "
            "change is intended, run `.venv/bin/python scripts/update_seed_fixture.py` and "
            "commit the fixture in a commit of its own"
        )


_SUBJECTS = ["The council", "A farmer", "The new bridge", "Our team", "The minister", "Anna"]
_VERBS = ["opened", "closed", "visited", "sold", "repaired", "described"]
_OBJECTS = ["the old mill", "three schools", "the river port", "a small museum", "the station"]
_DE = {
    "The council": "Der Rat",
    "A farmer": "Ein Bauer",
    "The new bridge": "Die neue Brücke",
    "Our team": "Unser Team",
    "The minister": "Die Ministerin",
    "Anna": "Anna",
    "opened": "eröffnete",
    "closed": "schloss",
    "visited": "besuchte",
    "sold": "verkaufte",
    "repaired": "reparierte",
    "described": "beschrieb",
    "the old mill": "die alte Mühle",
    "three schools": "drei Schulen",
    "the river port": "den Flusshafen",
    "a small museum": "ein kleines Museum",
    "the station": "den Bahnhof",
}


def _pairs_file(path: Path, n: int = 1000) -> None:
    """``n`` synthetic English–German pairs; some with a wrong number or a missing phrase."""
    rng = random.Random(6)
    lines = []
    for k in range(n):
        s, v, o = rng.choice(_SUBJECTS), rng.choice(_VERBS), rng.choice(_OBJECTS)
        year = 1990 + rng.randrange(35)
        src = f"{s} {v} {o} in {year}."
        tgt = f"{_DE[s]} {_DE[v]} {_DE[o]} im Jahr {year}."
        if k % 17 == 0:
            tgt = tgt.replace(str(year), str(year + 1))
        elif k % 23 == 0:
            tgt = f"{_DE[s]} {_DE[v]}."
        lines.append(f"{src}\t{tgt}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_pairs_report_is_byte_identical_across_processes(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.tsv"
    _pairs_file(pairs)
    args = ["audit", "--pairs", str(pairs), "--src-lang", "en", "--tgt-lang", "de"]
    args += ["--no-fluency", "--encoder", "hashing", "--format", "json"]
    a = _run_cli(args, tmp_path / "a.json")
    b = _run_cli(args, tmp_path / "b.json")
    assert _without_timing(a) == _without_timing(b)
    data = json.loads(a)
    assert data["mode"] == "pairs" and len(data["links"]) == 1000
