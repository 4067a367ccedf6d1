#!/usr/bin/env bash
# Install mtaudit and everything it needs into a project-local virtual environment.
# Called by `make`; safe to re-run. Only PyPI (and, where present, Debian packages) are used.
set -euo pipefail
PY=${PY:-python3}
VENV=${VENV:-.venv}
EXTRAS=${EXTRAS:-test,fluency}

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# llama-cpp-python (in the fluency extra) builds from source: ~8 minutes on 2 cores the first
# time, then pip reuses its cached wheel.
"$VENV/bin/python" -m pip install --quiet -e ".[${EXTRAS}]"
echo "mtaudit installed in $VENV (extras: ${EXTRAS})"
