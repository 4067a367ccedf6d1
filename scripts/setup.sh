#!/usr/bin/env bash
# Install mtaudit and everything it needs into a project-local virtual environment.
# Called by `make`; safe to re-run. Uses PyPI and, where we are root on Debian, apt-get for the
# optional system pieces (link-grammar for the parse signal, Chromium for the HTML browser test).
# Without them the corresponding signal/test is skipped and the report's signature says so.
set -euo pipefail
PY=${PY:-python3}
VENV=${VENV:-.venv}
EXTRAS=${EXTRAS:-test,fluency}
APT_PACKAGES=(link-grammar python3-link-grammar link-grammar-dictionaries-all)
case ",$EXTRAS," in *,test,*) APT_PACKAGES+=(chromium) ;; esac

if [ "${MTAUDIT_NO_APT:-}" = "" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: apt-get install ${missing[*]}"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends "${missing[@]}" >/dev/null) \
      || echo "setup: apt-get failed; the optional signals/tests that need these will be skipped"
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
# llama-cpp-python (in the fluency extra) builds from source: ~8 minutes on 2 cores the first
# time, then pip reuses its cached wheel.
"$VENV/bin/python" -m pip install --quiet -e ".[${EXTRAS}]"
echo "mtaudit installed in $VENV (extras: ${EXTRAS})"
