"""Regenerate ``tests/data/seed_report.json``: the regression fixture of the seed report.

    .venv/bin/python scripts/update_seed_fixture.py          # rewrite the fixture
    .venv/bin/python scripts/update_seed_fixture.py --check  # exit 1 if it is out of date

``tests/test_determinism.py`` runs the same command line (:data:`SEED_ARGS`) and compares its
report, timing dropped, with the fixture byte for byte. When a change to mtaudit changes the seed
report on purpose, run this script, look at ``git diff tests/data/seed_report.json``, and commit
the fixture **in a commit of its own** whose message says why the report changed: updating the
fixture is a deliberate act, never a side effect of another change.

The run uses ``--no-fluency``: the fluency stage depends on a native language-model build that
may be missing or unusable on a machine (the report then records why it was skipped, in words
that differ between machines), so the fixture pins everything else.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "data" / "seed_report.json"
#: The command line (relative to the repository root) whose report the fixture holds.
SEED_ARGS = [
    "audit",
    "seeds/cnn_musk_putin_mangled.en.txt",
    "seeds/ukrinform_retelling.en.txt",
    "--format",
    "json",
    "--no-fluency",
]
#: Top-level report fields that hold wall-clock figures (dropped before comparing).
TIMING_FIELDS = ("timing",)


def normalise(report_json: str) -> str:
    """The report JSON without its timing fields, in the fixture's layout (one trailing newline)."""
    data = json.loads(report_json)
    for key in TIMING_FIELDS:
        data.pop(key, None)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def generate() -> str:
    """Run ``mtaudit`` on the seeds (from the repository root) and return the normalised report."""
    import os

    from mtaudit.cli import main

    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "seed.json"
        os.chdir(ROOT)
        try:
            code = main([*SEED_ARGS, "-o", str(out)])
        finally:
            os.chdir(cwd)
        if code != 0:
            raise SystemExit(f"mtaudit exited with {code}")
        return normalise(out.read_text(encoding="utf-8"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check; exit 1 when out of date")
    args = ap.parse_args()
    text = generate()
    old = FIXTURE.read_text(encoding="utf-8") if FIXTURE.exists() else None
    if args.check:
        print("up to date" if old == text else f"{FIXTURE.relative_to(ROOT)} is out of date")
        return 0 if old == text else 1
    if old == text:
        print(f"{FIXTURE.relative_to(ROOT)} is already up to date")
        return 0
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(text, encoding="utf-8")
    print(
        f"wrote {FIXTURE.relative_to(ROOT)}; review `git diff` and commit it on its own, "
        "saying why the seed report changed"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
