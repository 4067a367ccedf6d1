"""The user's own encoder: a local sentence-transformers model folder (``--encoder st:PATH``).

Most people who care about alignment have LaBSE, LASER-like or multilingual-e5 models on disk in
the sentence-transformers layout (a folder with ``modules.json``). ``--encoder st:PATH`` (and
``Settings(encoder="st:PATH")``, ``mtaudit.audit(..., encoder="st:PATH")`` through the settings)
embeds with that model. It needs the ``[st]`` extra (``pip install torch==2.13.0`` first, then
``pip install 'mtaudit[st]'``); the package is imported only when such an encoder is used.

Nothing is downloaded: the Hugging Face libraries are put in offline mode and the model is read
with ``local_files_only``. A path that is missing or not a sentence-transformers folder, or a
missing package, is an :class:`~mtaudit.errors.InputError` (one line, CLI exit 2) saying how to
fix it.

The project has no calibration for such a model, so everything cosine-dependent treats it as
*generic*: alignment decides from ranks and margins in units of the pair's own spread (as it
does for every encoder), and the quality score maps cosines with a per-document calibration
(:func:`mtaudit.score.quality.generic_calibration`). The signature says so: the encoder reads
``st:<folder name>@sentence-transformers <v>, torch <v>, sha256:<hash of the folder's files>,
calibration generic``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InputError, first_line
from .threads import thread_budget
from .versions import package_version

__all__ = [
    "PREFIX",
    "SentenceTransformerEncoder",
    "canonical_st_name",
    "check_loads",
    "check_st_path",
]

#: ``--encoder st:PATH`` selects the model folder at PATH.
PREFIX = "st:"

_INSTALL = "install it with: pip install torch==2.13.0 && pip install 'mtaudit[st]'"
_lock = threading.RLock()
_models: dict[str, object] = {}
_digests: dict[tuple[str, int, int], str] = {}


def _folder(spec: str) -> Path:
    raw = spec[len(PREFIX) :] if spec.startswith(PREFIX) else spec
    if not raw.strip():
        raise InputError("--encoder st:PATH needs the path of a sentence-transformers model folder")
    return Path(os.path.expanduser(raw)).resolve()


def check_st_path(spec: str) -> Path:
    """The absolute model folder of ``st:PATH``; :class:`InputError` (saying how to fix it) when
    the folder is missing, is not a sentence-transformers folder, or the package is missing.
    Cheap: nothing is imported or loaded."""
    folder = _folder(spec)
    shown = spec[len(PREFIX) :] if spec.startswith(PREFIX) else spec
    if not folder.exists():
        raise InputError(
            f"--encoder st:{shown}: no such folder; give the path of a local sentence-transformers "
            "model (a folder with modules.json, e.g. one saved with SentenceTransformer.save)"
        )
    if not folder.is_dir() or not (folder / "modules.json").is_file():
        raise InputError(
            f"--encoder st:{shown}: not a sentence-transformers model folder (no modules.json); "
            "save the model with SentenceTransformer(...).save(folder) and pass that folder"
        )
    if importlib.util.find_spec("sentence_transformers") is None:
        raise InputError(
            f"--encoder st:{shown} needs the package sentence-transformers; {_INSTALL}"
        )
    return folder


def canonical_st_name(spec: str) -> str:
    """``st:<absolute folder>`` for ``st:PATH`` (checked with :func:`check_st_path`), so that
    worker processes started elsewhere find the same folder."""
    return PREFIX + str(check_st_path(spec))


def _files_digest(folder: Path) -> str:
    """sha256 over the relative names and contents of every file in the model folder (configs,
    tokenizer, weights), in sorted order, leaving out hidden ones (``.git``, ``.cache``); cached
    per folder, total size and latest modification time."""
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(x.startswith(".") for x in p.relative_to(folder).parts)
    )
    stamp = (
        str(folder),
        sum(p.stat().st_size for p in files),
        max((p.stat().st_mtime_ns for p in files), default=0),
    )
    with _lock:
        if stamp in _digests:
            return _digests[stamp]
    h = hashlib.sha256()
    for p in files:
        h.update(p.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        with p.open("rb") as fh:
            for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                h.update(chunk)
        h.update(b"\0")
    digest = h.hexdigest()
    with _lock:
        _digests[stamp] = digest
    return digest


def _offline() -> None:
    """Never reach the Hub: the libraries read these when they are first imported."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _load(folder: Path, shown: str) -> object:
    with _lock:
        key = str(folder)
        if key in _models:
            return _models[key]
        _offline()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise InputError(
                f"--encoder st:{shown} needs the package sentence-transformers ({first_line(exc)}); "
                f"{_INSTALL}"
            ) from None
        try:
            model = SentenceTransformer(
                str(folder), device="cpu", local_files_only=True, trust_remote_code=False
            )
        except Exception as exc:  # a broken or incomplete folder: say which, in one line
            raise InputError(
                f"--encoder st:{shown}: cannot load the sentence-transformers model "
                f"({type(exc).__name__}: {first_line(exc)}); check that the folder is complete"
            ) from None
        model.eval()
        _models[key] = model
        return model


def check_loads(spec: str) -> None:
    """Raise :class:`InputError` now if the model of ``st:PATH`` cannot be loaded (for runs whose
    worker processes load it themselves). A model this process already holds is not reloaded;
    one loaded only for the check is let go again, so the parent does not keep a copy."""
    folder = check_st_path(spec)
    with _lock:
        held = str(folder) in _models
    if not held:
        _load(folder, spec.removeprefix(PREFIX))
        with _lock:
            _models.pop(str(folder), None)


class SentenceTransformerEncoder:
    """A local sentence-transformers model as an :class:`~mtaudit.encoders.Encoder`.

    ``path`` is the model folder (``st:`` prefix optional). The model is loaded once per process
    (on construction, so a broken folder fails before anything runs) and runs on the CPU with at
    most ``threads`` torch threads (default: the worker's thread budget, else torch's default).
    Vectors are L2-normalised float32 rows; long inputs are cut to
    :data:`~mtaudit.encoders.MAX_ENCODE_CHARS` characters, and the model truncates to its own
    ``max_seq_length``. The same call gives the same bits; a sentence encoded in another batch
    (other padding) may differ in the last bits (~1e-8).
    """

    #: No calibration of this project applies: cosine-dependent scores calibrate per document.
    calibration = "generic"

    def __init__(
        self, path: str | os.PathLike[str], batch_size: int = 32, threads: int | None = None
    ):
        spec = str(path)
        self.folder = check_st_path(spec if spec.startswith(PREFIX) else PREFIX + spec)
        self.path = str(self.folder)
        self.batch_size = batch_size
        self.threads = threads or thread_budget()
        self.name = f"{PREFIX}{self.folder.name}"
        self._model: Any = _load(self.folder, spec.removeprefix(PREFIX))
        # sentence-transformers 5.7 renamed get_sentence_embedding_dimension
        dim = getattr(self._model, "get_embedding_dimension", None)
        dim = dim or self._model.get_sentence_embedding_dimension
        self.dim = int(dim() or 0)
        digest = _files_digest(self.folder)
        self.version = (
            f"sentence-transformers {package_version('sentence-transformers')}, "
            f"torch {package_version('torch')}, sha256:{digest[:16]}, calibration generic"
        )

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # picklable: a worker rebuilds (and loads) the encoder from its folder
        return (SentenceTransformerEncoder, (self.path, self.batch_size, self.threads))

    def encode(self, sentences: Sequence[str], lang: str | None = None) -> np.ndarray:
        """Embed ``sentences``; returns unit-norm float32 rows."""
        from .encoders import encoder_text, normalise_rows

        if len(sentences) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        import torch

        texts = [encoder_text(s) for s in sentences]
        before = torch.get_num_threads()
        if self.threads:
            torch.set_num_threads(max(1, int(self.threads)))
        try:
            with torch.inference_mode():
                out = self._model.encode(
                    texts,
                    batch_size=self.batch_size,
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                )
        finally:
            if self.threads:
                torch.set_num_threads(before)
        return normalise_rows(np.asarray(out, dtype=np.float32).reshape(len(texts), -1))
