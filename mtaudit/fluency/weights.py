"""Copies of the language model's weights in the user cache (``$XDG_CACHE_HOME/mtaudit``).

The shipped SmolLM2 file is Q4_1; :func:`requantized` makes an F16 (or Q8_0, F32) copy once, by
llama.cpp's own quantizer, written to a temporary file and renamed into place.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

__all__ = ["requantized", "user_cache_dir"]


def user_cache_dir() -> Any:
    """``$XDG_CACHE_HOME/mtaudit`` (default ``~/.cache/mtaudit``): model copies, self-test stamps."""
    from pathlib import Path

    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mtaudit"


def requantized(path: str, quant: str = "f16") -> str | None:
    """A ``quant`` copy of the GGUF at ``path`` in the user cache, made once; ``None`` on failure.

    The copy is named by the source file's size and modification time, written to a temporary
    file and renamed into place, so concurrent processes never see a half-written model.
    """
    import ctypes
    from pathlib import Path

    src = Path(path)
    try:
        st = src.stat()
    except OSError:
        return None
    out_dir = user_cache_dir() / "models"
    out = out_dir / f"{src.stem}.{st.st_size}.{int(st.st_mtime)}.{quant}.gguf"
    if out.is_file() and out.stat().st_size > 0:
        return str(out)
    try:
        import llama_cpp
    except ImportError:
        return None
    ftype = {
        "q8_0": llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0,
        "f16": llama_cpp.LLAMA_FTYPE_MOSTLY_F16,
        "bf16": llama_cpp.LLAMA_FTYPE_MOSTLY_BF16,
        "f32": llama_cpp.LLAMA_FTYPE_ALL_F32,
    }.get(quant)
    if ftype is None:
        return None
    tmp = out.with_name(f"{out.name}.{os.getpid()}.tmp")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        params = llama_cpp.llama_model_quantize_default_params()
        params.ftype = ftype
        params.allow_requantize = True
        params.nthread = min(2, max(1, os.cpu_count() or 1))
        with _quiet_stderr():
            rc = llama_cpp.llama_model_quantize(
                str(src).encode(), str(tmp).encode(), ctypes.byref(params)
            )
        if rc != 0 or not tmp.is_file():
            return None
        os.replace(tmp, out)
        for old in out_dir.glob(f"{src.stem}.*.{quant}.gguf"):
            if old != out:  # a copy of an earlier install of the package
                with contextlib.suppress(OSError):
                    old.unlink()
        return str(out)
    except OSError:
        return None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


@contextlib.contextmanager
def _quiet_stderr() -> Any:
    """Silence native code writing to file descriptor 2 (llama.cpp's quantizer log)."""
    try:
        fd = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(fd, 2)
        os.close(fd)
