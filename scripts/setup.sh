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
# llama-cpp-python (in the fluency and multilingual extras) has no wheels on PyPI and builds from source (~8 minutes
# on 2 cores). Its default build targets the build machine's CPU (-march=native, and AMX tiles on
# recent Intel), and such a build crashes with SIGSEGV on machines that differ (seen here when a
# cached wheel met a new CPU). So on x86-64 we build it once with one CPU backend per instruction
# set (GGML_BACKEND_DL + GGML_CPU_ALL_VARIANTS, ~12 minutes), and mtaudit loads the best one the
# CPU runs at run time (mtaudit/fluency/ggml.py: AVX-512 ~30% faster than AVX2 here); the wheel is
# cached under a key of those flags and installed before the package.
case ",$EXTRAS," in
  *,fluency,*|*,multilingual,*)
    LLAMA_VERSION=0.3.36
    case "$(uname -m)" in
      x86_64|amd64) LLAMA_FLAGS="-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON" ;;
      *) LLAMA_FLAGS="-DGGML_NATIVE=OFF" ;;
    esac
    key=$(printf '%s %s %s' "$LLAMA_VERSION" "$LLAMA_FLAGS" "$("$VENV/bin/python" -c 'import sys; print(sys.version_info[:2])')" | sha1sum | cut -c1-12)
    wheels="${XDG_CACHE_HOME:-$HOME/.cache}/mtaudit/wheels/llama-$key"
    if ! ls "$wheels"/llama_cpp_python-*.whl >/dev/null 2>&1; then
      echo "setup: building llama-cpp-python $LLAMA_VERSION with run-time CPU dispatch (~12 min, once)"
      mkdir -p "$wheels"
      CMAKE_ARGS="$LLAMA_FLAGS" "$VENV/bin/python" -m pip wheel --quiet --no-cache-dir --no-deps \
        "llama-cpp-python==$LLAMA_VERSION" -w "$wheels"
    fi
    "$VENV/bin/python" -m pip install --quiet --force-reinstall --no-deps "$wheels"/llama_cpp_python-*.whl
    ;;
esac
"$VENV/bin/python" -m pip install --quiet -e ".[${EXTRAS}]"
echo "mtaudit installed in $VENV (extras: ${EXTRAS})"
