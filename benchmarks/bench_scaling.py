"""How translation-mode alignment scales with document length: time and peak memory.

Long document pairs are built from the Text+Berg de–fr test documents (see
``bench_textberg.py`` for the data): the documents are concatenated and repeated until the
source has the requested length; each repetition is tagged with a short letter code so that no
sentence is a duplicate of another (the aligner embeds each distinct string once, so plain
repeats would make encoding look cheaper than it is). The target is cut to the sentences aligned
with that source, then brought to its requested length by inserting French sentences from the
``dev`` document at regular intervals (extra material the aligner must leave unaligned) or by
dropping sentences at regular intervals.

Every size runs in a fresh subprocess: encoder loading is excluded from the timings, the peak
resident memory (``ru_maxrss``) is that of the subprocess, and ``tracemalloc`` traces the numpy
and Python allocations of a second alignment call with the embeddings cached (the alignment
itself, without the encoder).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tracemalloc
from typing import Any

from .common import ROOT, blas_note, load_note, peak_rss_mb

TITLE = "Alignment scaling"

FULL_SIZES = [(1000, 1000), (5000, 6000), (20000, 20000)]
QUICK_SIZES = [(500, 500), (2000, 2400)]
#: Whole audits (``mtaudit audit --presplit --mode translation --profile fast``), full mode only
#: (~15 min at 100k on 2 cores, once page-furniture detection is linear: see docs/scale.md).
AUDIT_SIZES = [(100_000, 100_000)]
AUDIT_ARGS = ["--presplit", "--mode", "translation", "--profile", "fast"]
AUDIT_ARGS += ["--src-lang", "de", "--tgt-lang", "fr"]


def _tag(k: int) -> str:
    letters = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        letters = chr(ord("a") + r) + letters
    return "x" + letters


def build_pair(n_src: int, n_tgt: int) -> tuple[list[str], list[str]]:
    """A long German source of ``n_src`` sentences and French target of ``n_tgt``."""
    from .bench_textberg import TEST_DOCS, load_doc

    docs = [load_doc(d) for d in TEST_DOCS]
    src: list[str] = []
    tgt: list[str] = []
    last_tgt = 0
    rep = 0
    while len(src) < n_src:
        tag = _tag(rep)
        for s, t, gold in docs:
            if len(src) >= n_src:
                break
            base_s, base_t = len(src), len(tgt)
            take = min(len(s), n_src - len(src))
            src += [f"{tag} {x}" for x in s[:take]]
            tgt += [f"{tag} {x}" for x in t]
            linked = [max(y) for x, y in gold if y and x and max(x) < take]
            last_tgt = base_t + (max(linked) + 1 if linked else 0)
            del base_s
        rep += 1
    tgt = tgt[:last_tgt]
    extra = load_doc("dev")[1]
    if len(tgt) < n_tgt:
        k = n_tgt - len(tgt)
        step = len(tgt) / (k + 1)
        out: list[str] = []
        nxt, done = step, 0
        for i, t in enumerate(tgt):
            while done < k and i >= nxt:
                out.append(f"{_tag(done // len(extra))} {extra[done % len(extra)]}")
                done += 1
                nxt += step
            out.append(t)
        while done < k:
            out.append(f"{_tag(done // len(extra))} {extra[done % len(extra)]}")
            done += 1
        tgt = out
    elif len(tgt) > n_tgt:
        drop = set((i * len(tgt)) // (len(tgt) - n_tgt) for i in range(len(tgt) - n_tgt))
        tgt = [t for i, t in enumerate(tgt) if i not in drop][:n_tgt]
    return src, tgt


class TimedEncoder:
    """Remembers every string it embeds (so a second run encodes nothing) and measures the
    time spent encoding and the number of distinct strings encoded."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.version = inner.version
        self.seconds = 0.0
        self.strings = 0
        self.cache: dict[tuple[str | None, str], Any] = {}

    def encode(self, sentences: Any, lang: str | None = None) -> Any:
        import numpy as np

        todo = list(dict.fromkeys(s for s in sentences if (lang, s) not in self.cache))
        if todo:
            t0 = time.perf_counter()
            vecs = self.inner.encode(todo, lang)
            self.seconds += time.perf_counter() - t0
            self.strings += len(todo)
            self.cache.update(((lang, s), v) for s, v in zip(todo, vecs, strict=True))
        return np.stack([self.cache[(lang, s)] for s in sentences])


def measure(n_src: int, n_tgt: int) -> dict[str, Any]:
    """One size (run in a fresh process): times, memory and link statistics.

    The first call is timed (encoding included); a second call with every embedding cached
    runs under ``tracemalloc`` to measure what the alignment itself allocates (tracing the
    first call would slow the pure-Python tokenizer down far more than it measures).
    """
    from mtaudit.align.translation import align_translation
    from mtaudit.encoders import default_encoder

    src, tgt = build_pair(n_src, n_tgt)
    inner = default_encoder("de", "fr")
    inner.encode(["Aufwärmen."], "de")
    enc = TimedEncoder(inner)
    rss_before = peak_rss_mb()
    t0 = time.perf_counter()
    links = align_translation(src, tgt, enc, src_lang="de", tgt_lang="fr")
    total = time.perf_counter() - t0
    rss_peak = peak_rss_mb()
    tracemalloc.start()
    t1 = time.perf_counter()
    again = align_translation(src, tgt, enc, src_lang="de", tgt_lang="fr")
    traced_s = time.perf_counter() - t1
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [(lk.source, lk.target) for lk in again] == [(lk.source, lk.target) for lk in links]
    return {
        "n_src": len(src),
        "n_tgt": len(tgt),
        "total_s": total,
        "encode_s": enc.seconds,
        "align_s": total - enc.seconds,
        "strings": enc.strings,
        "links": len(links),
        "null_links": sum(1 for lk in links if not (lk.source and lk.target)),
        "rss_before_mb": rss_before,
        "rss_peak_mb": rss_peak,
        "traced_peak_mb": traced_peak / 2**20,
        "traced_s": traced_s,
    }


def measure_audit(n_src: int, n_tgt: int) -> dict[str, Any]:
    """One whole audit through the command line (run in a fresh process): wall time from the
    start of ``mtaudit audit`` to its written report (model loading included), the process's
    peak RSS, the report's stage timings and size."""
    import tempfile
    from pathlib import Path

    from mtaudit.cli import main

    src, tgt = build_pair(n_src, n_tgt)
    n_src, n_tgt = len(src), len(tgt)
    with tempfile.TemporaryDirectory(prefix="mtaudit-scale-") as tmp:
        sp, tp, out = Path(tmp) / "src.de.txt", Path(tmp) / "tgt.fr.txt", Path(tmp) / "r.json"
        sp.write_text("\n".join(src) + "\n", encoding="utf-8")
        tp.write_text("\n".join(tgt) + "\n", encoding="utf-8")
        del src, tgt
        rss_before = peak_rss_mb()
        t0 = time.perf_counter()
        code = main(["audit", str(sp), str(tp), *AUDIT_ARGS, "-o", str(out)])
        total = time.perf_counter() - t0
        rss_peak = peak_rss_mb()
        size = out.stat().st_size
        report = json.loads(out.read_text(encoding="utf-8"))
    return {
        "n_src": n_src,
        "n_tgt": n_tgt,
        "exit": code,
        "total_s": total,
        "timing": report["timing"],
        "links": len(report["links"]),
        "findings": len(report["findings"]),
        "report_mb": size / 2**20,
        "rss_before_mb": rss_before,
        "rss_peak_mb": rss_peak,
    }


def _child(n_src: int, n_tgt: int, what: str = "align") -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_scaling", what, str(n_src), str(n_tgt)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"size {n_src}x{n_tgt} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(quick: bool = False) -> str:
    sizes = QUICK_SIZES if quick else FULL_SIZES
    results = [_child(n, m) for n, m in sizes]
    lines = [
        "| source × target sentences | total | encoding | alignment (scores + DP) "
        "| alignment per 1k sentences | strings encoded | peak RSS | alignment peak (traced) "
        "|",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        k = (r["n_src"] + r["n_tgt"]) / 1000
        lines.append(
            f"| {r['n_src']:,} × {r['n_tgt']:,} | {r['total_s']:.1f} s | {r['encode_s']:.1f} s "
            f"| {r['align_s']:.1f} s | {r['align_s'] / k:.2f} s | {r['strings']:,} "
            f"| {r['rss_peak_mb']:.0f} MB | {r['traced_peak_mb']:.0f} MB |"
        )
    lines += [
        "",
        "Encoder: the default for de–fr (USE), model loading excluded. *Strings encoded* counts "
        "the sentences plus the joined groups the refinement step embeds. *Alignment* is "
        "everything but encoding: anchors, the coarse-to-fine pass, link scores in the band, "
        "the refinement's forward–backward pass, the final search and the confidences. "
        "*Peak RSS* is the whole subprocess (model included, "
        f"{results[0]['rss_before_mb']:.0f} MB after loading it); the traced peak is the most "
        "the alignment allocates at one time, measured on a second call with the embeddings "
        "cached.",
        "",
        "Built from the Text+Berg test documents repeated (each repetition tagged so no "
        "sentence repeats) with dev sentences inserted into the target to reach its length. "
        + blas_note()
        + " "
        + load_note(),
    ]
    if not quick:
        lines += ["", _audit_table([_child(n, m, "audit") for n, m in AUDIT_SIZES])]
    return "\n".join(lines)


def _audit_table(results: list[dict[str, Any]]) -> str:
    lines = [
        "### Whole audit of one huge document pair",
        "",
        "`mtaudit audit SRC TGT " + " ".join(AUDIT_ARGS) + "`: segmenting, page furniture, "
        "encoding, alignment, every `fast` check, scoring and the JSON report written to disk.",
        "",
        "| source × target sentences | wall time | encoding | alignment | checks | scoring "
        "| peak RSS | RSS per 1k sentences | report | links | findings |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        t = r["timing"]
        k = (r["n_src"] + r["n_tgt"]) / 1000
        lines.append(
            f"| {r['n_src']:,} × {r['n_tgt']:,} | {r['total_s']:.0f} s | {t['encode']:.0f} s "
            f"| {t['align']:.0f} s | {t['checks']:.0f} s | {t['score']:.0f} s "
            f"| {r['rss_peak_mb']:,.0f} MB | {r['rss_peak_mb'] / k:.1f} MB "
            f"| {r['report_mb']:.0f} MB | {r['links']:,} | {r['findings']:,} |"
        )
    lines += [
        "",
        "*Wall time* runs from the start of the command to the written report (model loading "
        "included); the stage columns are the report's own timings. *Peak RSS* is the whole "
        "process (models included); *RSS per 1k sentences* divides it by the sentences of both "
        "sides, in thousands (an upper bound of the per-sentence cost; `docs/scale.md` has the "
        "bound measured at several sizes). " + blas_note(),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1] == "audit":
        print(json.dumps(measure_audit(int(sys.argv[2]), int(sys.argv[3]))))
    else:
        print(json.dumps(measure(int(sys.argv[-2]), int(sys.argv[-1]))))
