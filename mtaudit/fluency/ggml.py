"""Which CPU code llama.cpp runs: one backend per instruction set, chosen at run time.

``scripts/setup.sh`` builds llama-cpp-python with ``GGML_BACKEND_DL`` and
``GGML_CPU_ALL_VARIANTS``: the CPU backend is not linked into ``libggml`` but shipped as one
library per x86 level (``libggml-cpu-haswell.so`` for AVX2, ``-icelake`` for AVX-512 VNNI, …),
and the process loads the one that suits its CPU. A build for a single level either leaves
speed on the table (an AVX2 build reads 320–360 tokens/s here, the AVX-512 variants 380–440) or
crashes where the CPU is older (a ``-march=native`` wheel met a new machine: SIGSEGV).

llama-cpp-python does not load such backends itself, so :func:`ensure_cpu_backend` does, before
the first model is created. Each variant reports whether the CPU supports it and how well
(``ggml_backend_score``); the best one runs, except variants that use AMX tiles: CPUs report AMX
even where the hypervisor has not enabled its register state, and the first tile instruction
then kills the process (seen here on Sapphire Rapids VMs). A build with the CPU backend linked
in (a plain ``pip install llama-cpp-python``) needs none of this and is left alone.

``MTAUDIT_GGML_CPU=<variant>`` (e.g. ``haswell``) forces one; :func:`mtaudit.fluency.lm.selftest`
tries the candidates in a child process and remembers the first that runs.
"""

from __future__ import annotations

import ctypes
import os
import threading
from pathlib import Path

__all__ = [
    "ENV",
    "BUILTIN",
    "BF16_VARIANTS",
    "available",
    "candidates",
    "ensure_cpu_backend",
    "loaded_variant",
    "variant_dir",
]

#: Environment variable that forces a CPU variant by name.
ENV = "MTAUDIT_GGML_CPU"
#: What :func:`loaded_variant` says for a build whose CPU backend is linked into libggml.
BUILTIN = "built-in"

# Variants whose kernels use AMX tiles (see the module docstring).
_AMX = frozenset({"sapphirerapids", "graniterapids"})
#: Variants built with AVX512-BF16 dot products (``vdpbf16ps``): BF16 weights run about 1.6x
#: faster than F16 on them (docs/benchmarks.md); elsewhere BF16 is converted in software.
BF16_VARIANTS = frozenset({"cooperlake", "zen4", "sapphirerapids", "graniterapids"})
_PREFIX, _SUFFIX = "libggml-cpu-", ".so"

_lock = threading.Lock()
_loaded: str | None = None


def _ggml() -> ctypes.CDLL | None:
    """The libggml that llama-cpp-python loaded.

    Asked for by its soname, which the dynamic loader matches to the copy already in the
    process: a wheel holds ``libggml.so``, ``.so.0`` and ``.so.0.x.y`` as three separate files,
    and opening another of them would load a second libggml with its own (empty) backend list.
    """
    try:
        from llama_cpp import llama_cpp as lc  # loads libllama and its libggml
    except ImportError:
        return None
    try:
        lib = ctypes.CDLL("libggml.so.0")
    except OSError:
        base = Path(getattr(lc, "_base_path", Path(lc.__file__).parent / "lib"))
        if not (base / "libggml.so.0").exists():
            return None
        lib = ctypes.CDLL(str(base / "libggml.so.0"))
    lib.ggml_backend_dev_count.restype = ctypes.c_size_t
    return lib


def variant_dir() -> Path | None:
    """Where the build's CPU variant libraries lie (``None`` if it has none)."""
    try:
        from llama_cpp import llama_cpp as lc
    except ImportError:
        return None
    base = Path(getattr(lc, "_base_path", Path(lc.__file__).parent / "lib"))
    # scikit-build-core puts them in the wheel's top-level bin/ (site-packages/bin)
    for d in (base, base.parent.parent / "bin", base.parent / "bin"):
        if any(d.glob(f"{_PREFIX}*{_SUFFIX}")):
            return d
    return None


def available() -> list[str]:
    """The names of the build's CPU variants (supported here or not), without loading any."""
    d = variant_dir()
    if d is None:
        return []
    return sorted(p.name[len(_PREFIX) : -len(_SUFFIX)] for p in d.glob(f"{_PREFIX}*{_SUFFIX}"))


def candidates() -> list[str]:
    """The CPU variants this machine supports, best first (AMX variants left out)."""
    d = variant_dir()
    if d is None or _ggml() is None:  # libggml-base must be loaded before a variant can be
        return []
    scored = []
    for path in sorted(d.glob(f"{_PREFIX}*{_SUFFIX}")):
        name = path.name[len(_PREFIX) : -len(_SUFFIX)]
        if name in _AMX:
            continue
        try:
            lib = ctypes.CDLL(str(path))
            fn = lib.ggml_backend_score
        except (OSError, AttributeError):
            continue
        fn.restype = ctypes.c_int
        score = int(fn())
        if score > 0:
            scored.append((-score, name))
    return [name for _, name in sorted(scored)]


def ensure_cpu_backend(variant: str | None = None) -> str | None:
    """Load a CPU backend into llama.cpp if its build has none; the variant that runs.

    ``variant`` (else ``$MTAUDIT_GGML_CPU``, else the best of :func:`candidates`) names the one
    to load. Returns :data:`BUILTIN` for a build with the CPU backend linked in, ``None`` when
    llama-cpp-python is not installed. Idempotent: the first call in a process decides.
    """
    global _loaded
    with _lock:
        if _loaded is not None:
            return _loaded
        lib = _ggml()
        if lib is None:
            return None
        if lib.ggml_backend_dev_count() > 0:
            _loaded = BUILTIN
            return _loaded
        wanted = variant or os.environ.get(ENV) or None
        order = candidates()
        if wanted is not None:
            order = [wanted]
        d = variant_dir()
        lib.ggml_backend_load.restype = ctypes.c_void_p
        lib.ggml_backend_load.argtypes = [ctypes.c_char_p]
        for name in order:
            path = d / f"{_PREFIX}{name}{_SUFFIX}" if d is not None else None
            if path is None or not path.is_file():
                continue
            if lib.ggml_backend_load(str(path).encode()):
                _loaded = name
                return _loaded
        return None


def loaded_variant() -> str | None:
    """The variant :func:`ensure_cpu_backend` loaded in this process (``None`` before it ran)."""
    return _loaded
