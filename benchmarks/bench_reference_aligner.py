"""mtaudit's translation alignment next to Vecalign's dynamic programme, on the same embeddings.

The reference is Vecalign (Thompson & Koehn 2019) as packaged for in-memory use by the PyPI
package ``sentalign`` (0.3.0, Apache-2.0): its ``sentalign()`` builds Vecalign's overlap
embeddings — for k = 1..``alignment_max_size`` on each side, the stripped sentences (empty ones
become ``BLANK_LINE``) joined by a space in every run of k consecutive sentences, front-padded
with the string ``PAD``, each string passed to the encoder, then normalised — and calls
Vecalign's original ``dp_utils.vecalign`` (Cython ``dp_core``: recursive down-sampling to at
most 300 × 300, a full 1-1 DP there, then sparse DPs along the up-sampled path with all n-m
link types, n + m ≤ ``alignment_max_size``).

What makes the comparison fair:

* **Same sentence encoder, same vectors.** Both aligners get one caching wrapper around
  mtaudit's default encoder for de–fr (``USEEncoder``, multilingual USE v3): every distinct
  string is encoded once, so a sentence both aligners embed has byte-identical vectors in both.
  The wrapper measures the time spent really encoding; it is reported apart and subtracted from
  each aligner's wall time, so *alignment time* is the aligner itself (cache look-ups included).
* **Same scorer.** Text+Berg links from both are scored by ``bench_textberg.score`` (Vecalign's
  own ``score.py`` rules: strict and lax P/R/F1, counts summed over documents, null links count
  against precision).
* **Each aligner's own defaults.** mtaudit runs ``align_translation`` with its defaults (tuned
  on the Text+Berg dev document, see the Text+Berg benchmark); Vecalign runs with sentalign's
  defaults, which are Vecalign's except for the link size (see ``VECALIGN``), and, as a second
  row, with ``vecalign.py``'s command-line default link size 4. Nothing was tuned here; in
  particular Vecalign's deletion percentile (0.2) was set by its authors for LASER costs and is
  not re-tuned for USE, as mtaudit's skip cost was tuned on dev with USE.

What is not equal, and is reported rather than hidden: Vecalign needs an embedding of every run
of up to 8 (or 4) consecutive sentences, about 8 (4) strings per sentence per side, where mtaudit
encodes the sentences plus the few joined groups its refinement asks for, so Vecalign's encoding
bill is several times mtaudit's; Vecalign was published with LASER, not USE, so its accuracy
here is Vecalign's DP on USE, not Vecalign's published figure.

Scaling: long documents built as ``bench_scaling.build_pair`` builds them. Every aligner and
size runs in a fresh subprocess that loads the precomputed vectors from disk (no model loaded),
times one call, then traces a second call with ``tracemalloc`` (the Python and numpy
allocations of the aligner, its own overlap arrays included); the resident-memory growth
during the first call (``VmHWM`` after resetting it through ``/proc/self/clear_refs``) is
reported too. Encoding every overlap string of long documents with USE takes far
longer than the alignment (36 sentence-lengths of text per sentence at ``alignment_max_size=8``),
so above ``REAL_OVERLAPS_MAX`` sentences Vecalign's overlap vectors are the normalised sums of
the real sentence vectors instead of encoded concatenations: its DP then costs the same (its
work depends on the array shapes and the search path, not the values; the size where both were
run shows it) but its links there are not a quality measurement.
"""

from __future__ import annotations

import gc
import importlib
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .common import ROOT, blas_note, load_note, peak_rss_mb

TITLE = "Alignment against Vecalign's DP on the same embeddings"

#: sentalign 0.3.0's defaults, passed explicitly (and checked against the installed package).
#: Vecalign's ``vecalign.py`` has the same values except ``alignment_max_size`` (4 there).
VECALIGN: dict[str, Any] = {
    "alignment_max_size": 8,
    "one_to_many": None,
    "del_percentile_frac": 0.2,
    "max_size_full_dp": 300,
    "costs_sample_size": 20_000,
    "num_samps_for_norm": 100,
    "search_buffer_size": 5,
    "random_state": 42,
}
#: Rows of the Text+Berg table: (label, aligner, Vecalign overrides).
ROWS: list[tuple[str, str, dict[str, Any]]] = [
    ("**mtaudit (default)**", "mtaudit", {}),
    ("Vecalign DP, sentalign defaults (links n+m ≤ 8)", "vecalign", {}),
    ("Vecalign DP, vecalign.py default size (n+m ≤ 4)", "vecalign", {"alignment_max_size": 4}),
]

FULL_SIZES = [(1000, 1000), (5000, 6000), (20000, 20000)]
QUICK_SIZES = [(500, 500), (2000, 2400)]
#: Largest ``n_src + n_tgt`` for which Vecalign's overlap strings are really encoded in scaling.
REAL_OVERLAPS_MAX = 2000

INSTALL = "pip install sentalign==0.3.0"


def have_sentalign() -> bool:
    try:
        importlib.import_module("sentalign")
    except ImportError:
        return False
    return True


class SharedEncoder:
    """One string-keyed cache for both aligners: each distinct string is encoded once.

    USE ignores the language argument, so a string gets one vector whichever aligner asks.
    ``seconds`` is the time spent in the real encoder; ``requested`` (when not ``None``)
    collects every string asked for, to know what one aligner needs on its own.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.version = inner.version
        self.cache: dict[str, np.ndarray] = {}
        self.seconds = 0.0
        self.encoded = 0
        self.requested: set[str] | None = None

    def encode(self, sentences: Sequence[str], lang: str | None = None) -> np.ndarray:
        if self.requested is not None:
            self.requested.update(sentences)
        todo = sorted({s for s in sentences if s not in self.cache})
        if todo:
            t0 = time.perf_counter()
            vecs = np.asarray(self.inner.encode(todo, lang), dtype=np.float32)
            self.seconds += time.perf_counter() - t0
            self.encoded += len(todo)
            self.cache.update(zip(todo, vecs, strict=True))
        if len(sentences) == 0:
            return np.zeros((0, 512), dtype=np.float32)
        return np.stack([self.cache[s] for s in sentences])

    def __call__(self, sentences: Sequence[str]) -> np.ndarray:
        """sentalign's encoder interface (a callable on a list of strings)."""
        return self.encode(sentences)


def overlap_strings(sentences: Sequence[str], max_size: int) -> list[str]:
    """Every string sentalign asks its encoder for on one side (its own helpers)."""
    from sentalign.dp_utils import layer, preprocess_line

    clean = [preprocess_line(s) for s in sentences]
    out: list[str] = []
    for k in range(1, max_size + 1):
        out += layer(clean, k)
    return out


class _VecalignTimer:
    """Wraps ``vecalign`` inside sentalign's module to time the DP proper."""

    def __init__(self) -> None:
        self.mod = importlib.import_module("sentalign.sentalign")
        self.orig = self.mod.vecalign
        self.seconds = 0.0

    def __enter__(self) -> _VecalignTimer:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return self.orig(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t0

        self.mod.vecalign = timed
        return self

    def __exit__(self, *exc: object) -> None:
        self.mod.vecalign = self.orig


def run_vecalign(
    src: Sequence[str],
    tgt: Sequence[str],
    encoder: Callable[[Sequence[str]], np.ndarray],
    **overrides: Any,
) -> tuple[list[tuple[list[int], list[int]]], float]:
    """sentalign's links and the seconds spent inside ``vecalign()`` itself."""
    from sentalign import sentalign

    with _VecalignTimer() as vt:
        res = sentalign(list(src), list(tgt), encoder=encoder, **{**VECALIGN, **overrides})
    return [(list(a.src_indices), list(a.tgt_indices)) for a in res.alignments], vt.seconds


def run_mtaudit(
    src: Sequence[str], tgt: Sequence[str], encoder: Any
) -> list[tuple[list[int], list[int]]]:
    from mtaudit.align.translation import align_translation

    links = align_translation(src, tgt, encoder, src_lang="de", tgt_lang="fr")
    return [(list(lk.source), list(lk.target)) for lk in links]


# ---------------------------------------------------------------- Text+Berg


def _textberg(enc: SharedEncoder, test_docs: list[str]) -> list[str]:
    from .bench_textberg import PUBLISHED, load_doc, score

    splits = [("test", test_docs), ("dev (tuning set of mtaudit)", ["dev"])]
    lines = [
        "| aligner | documents | P strict | R strict | **F1 strict** | P lax | R lax | F1 lax "
        "| alignment time | of which `vecalign()` | strings needed | newly encoded (time) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, aligner, overrides in ROWS:
        for split, docs in splits:
            golds, tests = [], []
            wall = dp = 0.0
            enc_s0, enc_n0 = enc.seconds, enc.encoded
            enc.requested = set()
            for name in docs:
                src, tgt, gold = load_doc(name)
                t0 = time.perf_counter()
                if aligner == "mtaudit":
                    links = run_mtaudit(src, tgt, enc)
                else:
                    links, d = run_vecalign(src, tgt, enc, **overrides)
                    dp += d
                wall += time.perf_counter() - t0
                golds.append(gold)
                tests.append(links)
            needed = len(enc.requested)
            enc.requested = None
            enc_s = enc.seconds - enc_s0
            r = score(golds, tests)
            cells = [r["p_strict"], r["r_strict"], r["f_strict"], r["p_lax"], r["r_lax"]]
            cells.append(r["f_lax"])
            lines.append(
                f"| {label} | {split} | "
                + " | ".join(f"{v:.3f}" for v in cells)
                + f" | {wall - enc_s:.2f} s | {f'{dp:.2f} s' if aligner != 'mtaudit' else '–'} "
                f"| {needed:,} | {enc.encoded - enc_n0:,} ({enc_s:.1f} s) |"
            )
    for name, f in PUBLISHED.items():
        lines.append(f"| {name} (published) | test | | | {f:.3f} | | | | | | | |")
    return lines


# ---------------------------------------------------------------- scaling (subprocesses)


def _save(path: Path, strings: Sequence[str], enc: SharedEncoder) -> None:
    strings = sorted(set(strings))
    np.save(path.with_suffix(".npy"), np.stack([enc.cache[s] for s in strings]))
    path.with_suffix(".json").write_text(json.dumps(strings), encoding="utf-8")


def _load(path: Path) -> dict[str, np.ndarray]:
    mat = np.load(path.with_suffix(".npy"))
    strings = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    return dict(zip(strings, mat, strict=True))


class LookupEncoder:
    """Child-side encoder: vectors from the parent's cache; with ``approx``, a missing run of k
    sentences (sentalign asks layer by layer) gets the sum of its sentences' vectors."""

    name = "lookup"
    version = "1"

    def __init__(self, cache: dict[str, np.ndarray], approx: bool = False) -> None:
        self.cache = cache
        self.approx = approx
        self.seconds = 0.0
        self.side: list[str] = []

    def encode(self, sentences: Sequence[str], lang: str | None = None) -> np.ndarray:
        t0 = time.perf_counter()
        try:
            if len(sentences) == 0:
                return np.zeros((0, 512), dtype=np.float32)
            if all(s in self.cache for s in sentences):
                if self.approx:
                    # sentalign asks for a side's sentences (its k = 1 layer) first: keep them
                    self.side = list(sentences)
                return np.stack([self.cache[s] for s in sentences])
            if not self.approx:
                raise KeyError("a string the parent did not encode")
            return self._sums(sentences)
        finally:
            self.seconds += time.perf_counter() - t0

    def _sums(self, layer_strings: Sequence[str]) -> np.ndarray:
        # the layer of k-sentence runs starts with k - 1 "PAD" entries
        pads = 0
        while pads < len(layer_strings) and layer_strings[pads] == "PAD":
            pads += 1
        k = pads + 1
        base = np.stack([self.cache[s] for s in self.side]).astype(np.float64)
        csum = np.vstack([np.zeros((1, base.shape[1])), np.cumsum(base, axis=0)])
        runs = (csum[k:] - csum[:-k]).astype(np.float32)
        return np.vstack([np.stack([self.cache["PAD"]] * pads), runs]) if pads else runs


def _rss_reset() -> float | None:
    """Reset the kernel's peak-RSS mark of this process (Linux ``clear_refs``); current RSS, MB."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_mb("VmRSS")
    except OSError:
        return None


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024.0
    raise KeyError(field)


def measure(aligner: str, approx: bool, n_src: int, n_tgt: int, cache_path: str) -> dict[str, Any]:
    """One aligner on one size, in a fresh process with no model loaded."""
    from .bench_scaling import build_pair

    src, tgt = build_pair(n_src, n_tgt)
    enc = LookupEncoder(_load(Path(cache_path)), approx=approx)
    gc.collect()
    rss0 = _rss_reset()
    t0 = time.perf_counter()
    dp = 0.0
    if aligner == "mtaudit":
        links = run_mtaudit(src, tgt, enc)
    else:
        links, dp = run_vecalign(src, tgt, enc)
    wall = time.perf_counter() - t0
    # peak during the call (VmHWM after the reset); without clear_refs, the process's peak
    rss1 = _status_mb("VmHWM") if rss0 is not None else peak_rss_mb()
    looked_up = enc.seconds
    tracemalloc.start()
    if aligner == "mtaudit":
        again = run_mtaudit(src, tgt, enc)
    else:
        again, _ = run_vecalign(src, tgt, enc)
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert again == links
    return {
        "n_src": len(src),
        "n_tgt": len(tgt),
        "align_s": wall - looked_up,
        "vectors_s": looked_up,
        "dp_s": dp,
        "rss_before_mb": rss0,
        "rss_peak_mb": rss1,
        "traced_peak_mb": traced / 2**20,
        "links": len(links),
        "null_links": sum(1 for x, y in links if not (x and y)),
    }


def _child(aligner: str, approx: bool, n_src: int, n_tgt: int, cache: Path) -> dict[str, Any]:
    args = [aligner, "approx" if approx else "real", str(n_src), str(n_tgt), str(cache)]
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_reference_aligner", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{aligner} {n_src}x{n_tgt} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _scaling(
    enc: SharedEncoder,
    sizes: list[tuple[int, int]],
    tmp: Path,
    cost: list[tuple[int, int, float]],
    inserted: list[int],
) -> list[str]:
    from .bench_scaling import build_pair
    from .bench_textberg import TEST_DOCS, load_doc

    dev_only = set(load_doc("dev")[1]) - {t for d in TEST_DOCS for t in load_doc(d)[1]}
    lines = [
        "| source × target | aligner | overlap vectors | alignment time | of which `vecalign()` "
        "| per 1k sentences | traced peak | RSS growth in the call | strings needed | links (null) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n, m in sizes:
        src, tgt = build_pair(n, m)
        # the target's own length before build_pair pads or shortens it
        long_tgt = build_pair(n, 2 * m + 1000)[1]
        natural = len(long_tgt) - sum(1 for t in long_tgt if t.split(" ", 1)[-1] in dev_only)
        inserted.append(len(tgt) - natural)
        k = (len(src) + len(tgt)) / 1000
        # mtaudit: one run here records the strings it needs (sentences and joined groups)
        enc.requested = set()
        run_mtaudit(src, tgt, enc)
        need_m = enc.requested
        enc.requested = None
        _save(tmp / "mtaudit", need_m, enc)
        runs = [("mtaudit", False, len(need_m))]
        over = overlap_strings(src, VECALIGN["alignment_max_size"])
        over += overlap_strings(tgt, VECALIGN["alignment_max_size"])
        need_v = set(over)
        if len(src) + len(tgt) <= REAL_OVERLAPS_MAX:
            s0, c0 = enc.seconds, enc.encoded
            enc.encode(sorted(need_v))
            cost.append((len(src) + len(tgt), enc.encoded - c0, enc.seconds - s0))
            _save(tmp / "vecalign_real", need_v, enc)
            runs.append(("vecalign", False, len(need_v)))
        sent = set(overlap_strings(src, 1) + overlap_strings(tgt, 1) + ["PAD"])
        enc.encode(sorted(sent))
        _save(tmp / "vecalign_approx", sent, enc)
        runs.append(("vecalign", True, len(need_v)))
        for aligner, approx, needed in runs:
            name = aligner if aligner == "mtaudit" else f"vecalign_{'approx' if approx else 'real'}"
            r = _child(aligner, approx, n, m, tmp / name)
            kind = (
                "–" if aligner == "mtaudit" else ("summed (timing only)" if approx else "encoded")
            )
            label = "**mtaudit (default)**" if aligner == "mtaudit" else "Vecalign DP (sentalign)"
            dp = f"{r['dp_s']:.2f} s" if aligner != "mtaudit" else "–"
            lines.append(
                f"| {r['n_src']:,} × {r['n_tgt']:,} | {label} | {kind} | {r['align_s']:.2f} s "
                f"| {dp} | {r['align_s'] / k:.3f} s | {r['traced_peak_mb']:.0f} MB "
                f"| {_rss_cell(r)} | {needed:,} | {r['links']:,} ({r['null_links']:,}) |"
            )
    return lines


def _rss_cell(r: dict[str, Any]) -> str:
    if r["rss_before_mb"] is None:
        return f"peak {r['rss_peak_mb']:.0f} MB (process)"
    return f"+{r['rss_peak_mb'] - r['rss_before_mb']:.0f} MB (from {r['rss_before_mb']:.0f} MB)"


def run(quick: bool = False) -> str:
    if not have_sentalign():
        return (
            "Skipped: the reference aligner is not installed. Install it with "
            f"`{INSTALL}` (it compiles a small C extension; needs a C compiler) and re-run "
            "`python -m benchmarks.run --only reference_aligner`."
        )
    import inspect

    from sentalign import sentalign

    from mtaudit.encoders import default_encoder

    from .bench_textberg import TEST_DOCS

    defaults = {
        k: p.default for k, p in inspect.signature(sentalign).parameters.items() if k in VECALIGN
    }
    differs = {k: v for k, v in VECALIGN.items() if defaults.get(k) != v}
    inner = default_encoder("de", "fr")
    inner.encode(["Aufwärmen."], "de")  # load the model outside the timings
    enc = SharedEncoder(inner)
    t0 = time.perf_counter()
    test_docs = ["test0", "test2", "test4"] if quick else TEST_DOCS
    lines = _textberg(enc, test_docs)
    settings = ", ".join(f"`{k}={v}`" for k, v in VECALIGN.items())
    lines += [
        "",
        f"Encoder for both: `{inner.name}` {inner.version} (mtaudit's default for de–fr), one "
        "shared cache, model loading excluded. Vecalign: `sentalign` "
        f"{_version('sentalign')} with {settings}"
        + (f" (package defaults differ: {differs})" if differs else " (its defaults)")
        + "; `vecalign.py`'s command-line defaults are the same except "
        "`alignment_max_size=4` (third row). *Alignment time* is wall time minus the time spent "
        "in the real encoder, so it includes cache look-ups and, for Vecalign, building and "
        "normalising the overlap arrays in Python; *of which `vecalign()`* is Vecalign's DP "
        "proper. *Strings needed* is what each aligner asks the encoder for on these documents "
        "(its encoding bill if run alone); *newly encoded* is what the shared cache had not yet "
        "seen, in table order (mtaudit first), with the time USE took for it. The mtaudit rows "
        "should match the Text+Berg benchmark's default row. Published Vecalign used LASER "
        "embeddings and overlaps built with `overlap.py`; on USE its figure is not expected. "
        "Nothing was tuned for this comparison: mtaudit's parameters were chosen on dev with "
        "USE (so its dev row is optimistic), Vecalign's deletion percentile 0.2 by its authors "
        "for LASER cost distributions and is not re-tuned for USE. Gold links: "
        + _gold_note(test_docs)
        + ".",
    ]
    tb_seconds = time.perf_counter() - t0
    sizes = QUICK_SIZES if quick else FULL_SIZES
    with tempfile.TemporaryDirectory(prefix="mtaudit-refalign-") as tmp:
        cost: list[tuple[int, int, float]] = []
        inserted: list[int] = []
        scale = _scaling(enc, sizes, Path(tmp), cost, inserted)
    if cost:
        n_sent, n_new, secs = cost[0]
        biggest = sum(sizes[-1])
        cost_note = (
            f"Encoding Vecalign's overlap strings for the {n_sent:,}-sentence pair took "
            f"{secs:.0f} s here ({n_new:,} strings mtaudit had not already encoded), about "
            f"{secs / n_sent * biggest / 60:.0f} min at {biggest:,} sentences by linear "
            "extrapolation. "
        )
    else:
        cost_note = ""
    lines += [
        "",
        "### Scaling: long documents",
        "",
        *scale,
        "",
        "Documents built by `bench_scaling.build_pair` (the Text+Berg test documents repeated, "
        "each repetition tagged, the target padded with dev sentences or shortened). Each row is a fresh "
        "subprocess that loads precomputed vectors (no model): *alignment time* is one call "
        "minus the vector look-ups; *traced peak* is `tracemalloc`'s peak over a second, "
        "identical call (Python and numpy allocations of the aligner, Vecalign's "
        f"{VECALIGN['alignment_max_size']} × n × 512 overlap arrays included); *RSS growth* is the resident-memory peak during "
        "the first call (`VmHWM`, reset just before it by writing 5 to `/proc/self/clear_refs`) "
        "minus the resident memory before it, which is given in brackets (Python, numpy, "
        "mtaudit or sentalign, the loaded vectors). *Overlap vectors*: *encoded* = USE on the concatenated "
        "sentences, as sentalign does; *summed* = the normalised sum of the sentences' USE "
        "vectors, used above "
        f"{REAL_OVERLAPS_MAX:,} sentences because encoding ~{VECALIGN['alignment_max_size']} "
        "strings per sentence (36 sentence-lengths of text at size 8) takes longer than the "
        "3 minutes allowed per aligner and size. "
        + cost_note
        + "Vecalign's DP does the same work on them (compare both at the smallest size), "
        "but those links are not a quality measurement. *Strings needed* for Vecalign counts "
        "the distinct overlap strings it would have to encode. Target adjustments by "
        "`build_pair` (at regular intervals): "
        + "; ".join(
            f"{a:,} × {b:,}: {i:,} French dev sentences inserted"
            if i > 0
            else f"{a:,} × {b:,}: {-i:,} sentences dropped"
            for i, (a, b) in zip(inserted, sizes)
        )
        + ". Inserted sentences have no source counterpart (each should be a null link); "
        "a dropped one leaves its source sentence, or part of a group, without one. mtaudit's encoding of the long "
        "documents is in the scaling benchmark. " + blas_note() + " " + load_note(),
        "",
        f"Wall time of the whole benchmark: {tb_seconds:.0f} s for Text+Berg (encoding "
        f"included), {time.perf_counter() - t0 - tb_seconds:.0f} s for scaling.",
    ]
    return "\n".join(lines)


def _gold_note(test_docs: list[str]) -> str:
    from .bench_textberg import load_doc

    parts = []
    for split, docs in (("test", test_docs), ("dev", ["dev"])):
        gold = [lk for d in docs for lk in load_doc(d)[2]]
        nulls = sum(1 for x, y in gold if not (x and y))
        multi = sum(1 for x, y in gold if len(x) + len(y) > 2)
        parts.append(f"{split} {len(gold):,} ({nulls} null, {multi} many-to-one or many)")
    return ", ".join(parts)


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


if __name__ == "__main__":
    _aligner, _mode, _n, _m, _cache = sys.argv[1:6]
    print(json.dumps(measure(_aligner, _mode == "approx", int(_n), int(_m), _cache)))
