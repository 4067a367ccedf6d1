"""Batch mode: audit many document pairs in one run, one report each, plus an index and a verdict.

The items come from two folders whose files are matched by relative path
(:func:`items_from_dirs`), or from a manifest — CSV with a header ``source,target[,reference][,id]``
or JSON lines with the same keys; a ``pairs`` column/key names a pre-aligned pairs file instead of
``source``/``target`` (:func:`items_from_manifest`). :func:`audit_batch` audits them, in-process or
in a pool of worker processes, and writes into the output folder::

    OUT/index.json      every item: status, verdict, quality, finding counts, reports, error
    OUT/index.md        the same as a Markdown table, with the overall verdict on top
    OUT/timing.json     wall-clock seconds per item and stage (the only file that varies by run)
    OUT/items/<stem>.<ext>   one report per item and format, rendered by :mod:`mtaudit.formats`

Reports and indexes are byte-identical whatever the number of worker processes: reports are
rendered without their ``timing`` (it goes to ``timing.json`` instead), and results are collected
and written in item order. Every file is written atomically (a temporary file, then a rename).

A bad item (a missing, unreadable or undecodable file, a malformed manifest or pairs line, a file
with no counterpart in the other folder) is recorded in the index with where it was declared and
the error, and the other items still run. By default an item that failed to run fails the batch
(``allow_errors=False``), policy or not: a demanding CI job must not pass on reports it never got.

Manifest paths are relative to the manifest's folder. A path that leaves that folder — ``../``, an
absolute path, a symlink pointing outside — is refused (:class:`~mtaudit.errors.InputError`, before
anything runs) unless ``allow_outside=True``; the same holds for symlinks in the input folders.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import multiprocessing
import os
import re
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TextIO, TypeVar

from . import __version__
from .errors import InputError, MtauditError, first_line
from .load import DEFAULT_MAX_BYTES
from .policy import Policy
from .report import SEVERITIES
from .threads import limit_process_threads

__all__ = [
    "INDEX_VERSION",
    "FORMAT_EXTENSIONS",
    "BatchItem",
    "BatchSettings",
    "ItemResult",
    "BatchResult",
    "ProgressBar",
    "items_from_dirs",
    "items_from_manifest",
    "audit_batch",
    "validate_settings",
    "write_atomic",
]

#: Version of the index format (``index.json``).
INDEX_VERSION = "1"

#: The file extension of each report format in ``OUT/items/``.
FORMAT_EXTENSIONS: dict[str, str] = {
    "json": ".json",
    "markdown": ".md",
    "html": ".html",
    "junit": ".junit.xml",
    "sarif": ".sarif",
    "github": ".github.txt",
}

#: The keys a manifest row may have.
MANIFEST_KEYS = ("source", "target", "reference", "pairs", "id")

Status = Literal["pass", "fail", "ok", "error"]


# --------------------------------------------------------------------------- items


@dataclass(frozen=True)
class BatchItem:
    """One thing to audit: a ``source``/``target`` document pair, or a ``pairs`` file.

    ``location`` says where the item was declared (``manifest.csv:4``, or the folder it was found
    in), for messages. ``error`` is set when the item is already known to be broken (a malformed
    manifest line, a file with no counterpart): it is then recorded, not run.
    """

    id: str
    source: str | None = None
    target: str | None = None
    #: Reference translation file: one line per target sentence (adds BLEU/chrF/chrF++/TER).
    reference: str | None = None
    #: A pre-aligned pairs file (TSV or JSONL, see :func:`mtaudit.load.read_pairs`).
    pairs: str | None = None
    location: str | None = None
    error: str | None = None
    #: The report file name without extension, relative to ``OUT/items`` (default: from ``id``).
    stem: str | None = None


def _outside_message(what: str, given: str, base: Path) -> str:
    return (
        f"{what} {given!r} is outside {base}; paths must stay inside it "
        "(pass --allow-outside to allow this)"
    )


def _inside(path: Path, base: Path) -> bool:
    """Whether ``path`` (symlinks followed) lies inside the real folder ``base``."""
    real = Path(os.path.realpath(path))
    return real == base or base in real.parents


def items_from_dirs(
    source_dir: str | Path,
    target_dir: str | Path,
    *,
    reference_dir: str | Path | None = None,
    pattern: str = "*",
    allow_outside: bool = False,
) -> list[BatchItem]:
    """Pair the files of two folders by relative path (recursively; hidden files are skipped).

    ``pattern`` is a glob on file names (e.g. ``*.txt``). A file present on one side only becomes
    an item with an ``error`` (so it is reported, not dropped). With ``reference_dir``, each pair
    takes the reference file at the same relative path. Item ids are the relative paths; items
    come in sorted order. A symlink whose target is outside its folder raises
    :class:`InputError` unless ``allow_outside``.
    """
    dirs = {"source": Path(source_dir), "target": Path(target_dir)}
    if reference_dir is not None:
        dirs["reference"] = Path(reference_dir)
    found: dict[str, dict[str, str]] = {}
    for side, d in dirs.items():
        if not d.is_dir():
            raise InputError(f"{d}: not a folder")
        base = Path(os.path.realpath(d))
        files = {}
        for p in sorted(d.rglob(pattern)):
            rel = p.relative_to(d)
            if any(part.startswith(".") for part in rel.parts) or not p.is_file():
                continue
            if not allow_outside and not _inside(p, base):
                raise InputError(_outside_message(f"{side} file", str(p), base))
            files[rel.as_posix()] = str(p)
        found[side] = files
    src, tgt = found["source"], found["target"]
    refs = found.get("reference")
    items = []
    for rel in sorted(set(src) | set(tgt)):
        error = None
        if rel not in tgt:
            error = f"{src[rel]}: no matching file {rel!r} in the target folder {target_dir}"
        elif rel not in src:
            error = f"{tgt[rel]}: no matching file {rel!r} in the source folder {source_dir}"
        elif refs is not None and rel not in refs:
            error = f"{src[rel]}: no matching file {rel!r} in the reference folder {reference_dir}"
        items.append(
            BatchItem(
                id=rel,
                source=src.get(rel),
                target=tgt.get(rel),
                reference=refs.get(rel) if refs is not None else None,
                location=str(dirs["source"] if rel in src else dirs["target"]),
                error=error,
                stem=_path_stem(rel),
            )
        )
    if not items:
        raise InputError(
            f"no files matching {pattern!r} in {source_dir} or {target_dir}: nothing to audit"
        )
    return items


def _manifest_rows(text: str, name: str) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """``(line, row, error)`` per manifest entry; ``row`` is None when ``error`` says why."""
    suffix = Path(name).suffix.lower()
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if suffix in (".jsonl", ".ndjson", ".json") or (suffix != ".csv" and first.startswith("{")):
        for lineno, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield lineno, None, f"invalid JSON ({exc.msg})"
                continue
            if not isinstance(obj, dict):
                yield lineno, None, "expected a JSON object with source and target"
                continue
            unknown = sorted(set(obj) - set(MANIFEST_KEYS))
            if unknown:
                yield lineno, None, f"unknown key(s) {', '.join(map(repr, unknown))}"
                continue
            yield lineno, obj, None
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return
    header = [h.strip() for h in header]
    unknown = [h for h in header if h not in MANIFEST_KEYS]
    if unknown or len(set(header)) != len(header):
        raise InputError(
            f"{name}:1: the CSV header must name columns among {', '.join(MANIFEST_KEYS)} once "
            f"each; got {', '.join(map(repr, header))}"
        )
    if not ({"source", "target"} <= set(header) or "pairs" in header):
        raise InputError(f"{name}:1: the CSV header needs 'source' and 'target' (or 'pairs')")
    start = reader.line_num + 1
    try:
        for fields in reader:
            lineno, start = start, reader.line_num + 1
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(header):
                yield lineno, None, f"{len(fields)} fields, the header has {len(header)}"
                continue
            yield lineno, {k: (v if v != "" else None) for k, v in zip(header, fields)}, None
    except csv.Error as exc:
        yield start, None, f"malformed CSV ({exc}); the rest of the manifest was not read"


def items_from_manifest(path: str | Path, *, allow_outside: bool = False) -> list[BatchItem]:
    """Read the items of a manifest (CSV with a header, or JSON lines; see the module docs).

    Paths are relative to the manifest's folder. A malformed line or a row without the needed
    paths becomes an item with an ``error`` and its ``location`` (``manifest.csv:7``). A path
    outside the manifest's folder, duplicate ids, an unreadable or empty manifest raise
    :class:`InputError`. Items without an ``id`` take their source (or pairs) path as it is written.
    """
    from .load import read_text

    name = str(path)
    text = read_text(path)
    base = Path(path).parent
    real_base = Path(os.path.realpath(base))
    items: list[BatchItem] = []
    seen_ids: dict[str, str] = {}
    for lineno, row, error in _manifest_rows(text, name):
        where = f"{name}:{lineno}"
        paths: dict[str, str | None] = {}
        if row is not None:
            for key in ("source", "target", "reference", "pairs"):
                value = row.get(key)
                if value is not None and not isinstance(value, str):
                    error = f"{key!r} must be a string path"
                    break
                paths[key] = value
            if error is None:
                if paths.get("pairs"):
                    if paths.get("source") or paths.get("target") or paths.get("reference"):
                        error = "give either 'pairs' or 'source' and 'target', not both"
                elif not (paths.get("source") and paths.get("target")):
                    error = "'source' and 'target' are both needed"
            ident = row.get("id")
            if ident is not None and (not isinstance(ident, str) or not ident.strip()):
                error = error or "'id' must be a non-empty string"
                ident = None
        else:
            ident = None
        resolved: dict[str, str | None] = {}
        for key, value in paths.items():
            if not value:
                resolved[key] = None
                continue
            p = Path(value)
            if not allow_outside and (p.is_absolute() or not _inside(base / p, real_base)):
                raise InputError(f"{where}: " + _outside_message(key, value, real_base))
            resolved[key] = str(p if p.is_absolute() else base / p)
        explicit = ident is not None
        if ident is None:
            ident = paths.get("source") or paths.get("pairs") or f"line {lineno}"
            k = 2
            while ident in seen_ids:
                ident = f"{paths.get('source') or paths.get('pairs') or f'line {lineno}'}~{k}"
                k += 1
        elif ident in seen_ids:
            raise InputError(f"{where}: duplicate id {ident!r} (first at {seen_ids[ident]})")
        seen_ids[ident] = where
        items.append(
            BatchItem(
                id=ident,
                source=resolved.get("source"),
                target=resolved.get("target"),
                reference=resolved.get("reference"),
                pairs=resolved.get("pairs"),
                location=where,
                error=None if error is None else f"{where}: {error}",
                stem=_id_stem(ident) if explicit else _path_stem(ident),
            )
        )
    if not items:
        raise InputError(f"{name}: the manifest lists no items")
    return items


_UNSAFE = re.compile(r"[^\w.-]+")


def _clean_part(part: str) -> str:
    return _UNSAFE.sub("_", part).lstrip(".") or "_"


def _id_stem(ident: str) -> str:
    """A safe relative file stem for an explicit id (``/`` keeps making sub-folders)."""
    parts = [p for p in ident.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    return "/".join(_clean_part(p) for p in parts) or "_"


def _path_stem(path: str) -> str:
    """A safe relative file stem for a path-like id: its folders, then its name without suffix."""
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    if parts:
        last = parts[-1]
        head, dot, _ = last.rpartition(".")
        parts[-1] = head if dot and head else last
    return "/".join(_clean_part(p) for p in parts) or "_"


def _unique_stems(items: Sequence[BatchItem]) -> list[str]:
    """One stem per item, de-duplicated case-insensitively (``name``, ``name-2``, …)."""
    used: set[str] = set()
    out = []
    for item in items:
        stem = item.stem or _id_stem(item.id)
        cand, k = stem, 2
        while cand.lower() in used or cand.lower() in ("index", "timing"):
            cand = f"{stem}-{k}"
            k += 1
        used.add(cand.lower())
        out.append(cand)
    return out


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class BatchSettings:
    """How each item is audited and reported: the options of ``mtaudit audit``, as plain data.

    Everything here is picklable, so worker processes receive it as is and build their models
    from it once (``encoder`` is a name, ``comet_model`` a path).
    """

    src_lang: str | None = None
    tgt_lang: str | None = None
    mode: str = "auto"
    presplit: bool = False
    encoding: str = "utf-8"
    max_bytes: int = DEFAULT_MAX_BYTES
    max_sentences: int = 200_000
    #: ``"use"``, ``"e5"``, ``"hashing"``, or None for the default per language pair.
    encoder: str | None = None
    #: False skips the language-model checks.
    fluency: bool = True
    #: Check overrides, as for :func:`mtaudit.audit` (``{code: {"enabled": False}}``).
    checks: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: A local COMET/CometKiwi checkpoint, or None.
    comet_model: str | None = None
    #: Seconds for the slow (fluency) checks per item, or None for no limit. When a budget is
    #: spent, what was skipped depends on the machine: reports are then not reproducible.
    time_budget: float | None = None
    #: The gate; None runs no gate (items are ``ok`` rather than ``pass``/``fail``).
    policy: Policy | None = None
    #: Report formats written per item (see :data:`FORMAT_EXTENSIONS`).
    formats: tuple[str, ...] = ("json",)
    #: When True, items that failed to run are reported but do not fail the batch.
    allow_errors: bool = False
    #: ``"fast"`` (no language model) or ``"full"``, recorded in each report's signature; None:
    #: no profile (``fluency`` decides).
    profile: str | None = None
    #: Pairs items (and corpus shards): the pairs are consecutive segments of one document, and
    #: the fluency LM reads each side as running text (``audit --pairs F --pairs-in-context``).
    #: Document items are always read so.
    pairs_in_context: bool = False
    #: Read the non-English sides the multilingual LM covers with it (opt-in; needs the
    #: ``multilingual`` extra; without it those sides keep their profile and reports say why).
    multilingual_lm: bool = False

    @property
    def runs_fluency(self) -> bool:
        """Whether the language-model checks run (``fluency`` and not the ``fast`` profile)."""
        return self.fluency and self.profile != "fast"

    def describe(self) -> dict[str, Any]:
        """The settings as JSON-ready data, for the index (no paths that vary by machine)."""
        return {
            "src_lang": self.src_lang,
            "tgt_lang": self.tgt_lang,
            "mode": self.mode,
            "presplit": self.presplit,
            "encoder": self.encoder,
            "fluency": self.fluency,
            "checks": {k: dict(v) for k, v in sorted(self.checks.items())},
            "comet": self.comet_model is not None,
            "time_budget": self.time_budget,
            "formats": list(self.formats),
            "allow_errors": self.allow_errors,
            "policy": None if self.policy is None else self.policy.to_dict(),
            **({"profile": self.profile} if self.profile is not None else {}),
            **({"pairs_in_context": True} if self.pairs_in_context else {}),
            **({"multilingual_lm": True} if self.multilingual_lm else {}),
        }


# --------------------------------------------------------------------------- results


@dataclass
class ItemResult:
    """What became of one item."""

    id: str
    #: ``pass``/``fail`` (the gate), ``ok`` (audited, no gate), or ``error`` (did not run).
    status: Status
    location: str | None = None
    source: str | None = None
    target: str | None = None
    reference: str | None = None
    pairs: str | None = None
    #: The report's one-line verdict (None when the item did not run).
    verdict: str | None = None
    quality: float | None = None
    #: Findings per severity (page furniture excluded), as in the report's summary.
    findings_by_severity: dict[str, int] = field(default_factory=dict)
    findings_by_code: dict[str, int] = field(default_factory=dict)
    findings_total: int = 0
    #: The gate's verdict, pass/fail and reasons (None without a policy).
    gate: dict[str, Any] | None = None
    #: The error that stopped the item (None when it ran).
    error: str | None = None
    #: Written report files per format, relative to the output folder (posix paths).
    reports: dict[str, str] = field(default_factory=dict)
    #: Wall-clock seconds per stage (not in the index: see ``timing.json``).
    timing: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (no timing)."""
        return {
            "id": self.id,
            "status": self.status,
            "location": self.location,
            "source": self.source,
            "target": self.target,
            "reference": self.reference,
            "pairs": self.pairs,
            "verdict": self.verdict,
            "quality": self.quality,
            "findings": {"total": self.findings_total, **self.findings_by_severity},
            "findings_by_code": self.findings_by_code,
            "gate": self.gate,
            "error": self.error,
            "reports": self.reports,
        }


@dataclass
class BatchResult:
    """The outcome of a batch: every item, the counts, and one overall verdict."""

    items: list[ItemResult]
    settings: BatchSettings
    #: What was audited, e.g. ``{"manifest": "ci/items.csv"}`` (for the index).
    input: dict[str, Any] = field(default_factory=dict)
    #: Wall-clock seconds for the whole batch.
    seconds: float = 0.0
    #: The word that starts the verdict and the Markdown title (``Batch``; corpus mode: ``Corpus``).
    label: str = "Batch"

    def count(self, status: Status) -> int:
        """How many items have ``status``."""
        return sum(1 for it in self.items if it.status == status)

    @property
    def errors(self) -> int:
        """Items that failed to run."""
        return self.count("error")

    @property
    def passed(self) -> bool:
        """True when no item failed the gate and no item failed to run (unless allowed)."""
        return self.count("fail") == 0 and (self.errors == 0 or self.settings.allow_errors)

    @property
    def exit_code(self) -> int:
        """0 when the batch passed, 1 when it failed."""
        from .gate import EXIT_FAIL, EXIT_PASS

        return EXIT_PASS if self.passed else EXIT_FAIL

    @property
    def verdict(self) -> str:
        """One line, e.g. ``Batch failed: 20 items — 17 passed, 2 failed the gate, 1 failed to run.``"""
        n = len(self.items)
        parts = []
        if self.settings.policy is not None:
            parts.append(f"{self.count('pass')} passed")
            parts.append(f"{self.count('fail')} failed the gate")
        else:
            parts.append(f"{self.count('ok')} audited (no gate policy)")
        errors = self.errors
        if errors:
            note = (
                "allowed by --allow-errors"
                if self.settings.allow_errors
                else f"an item that fails to run fails the {self.label.lower()}"
            )
            parts.append(f"{errors} failed to run ({note})")
        head = f"{self.label} passed" if self.passed else f"{self.label} failed"
        return f"{head}: {n} item{'s' if n != 1 else ''} — " + ", ".join(parts) + "."

    def to_dict(self) -> dict[str, Any]:
        """The index as JSON-ready data (deterministic: no timing)."""
        return {
            "index_version": INDEX_VERSION,
            "mtaudit_version": __version__,
            "input": self.input,
            "settings": self.settings.describe(),
            "summary": {
                "items": len(self.items),
                "passed": self.count("pass"),
                "failed": self.count("fail"),
                "audited": self.count("ok"),
                "errors": self.errors,
                "batch_passed": self.passed,
                "exit_code": self.exit_code,
                "verdict": self.verdict,
            },
            "items": [it.to_dict() for it in self.items],
        }

    def to_json(self) -> str:
        """The index as JSON text."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def to_markdown(self) -> str:
        """The index as Markdown: the overall verdict, one table row per item, then the errors."""
        from .render import _md

        out = [
            f"# mtaudit {self.label.lower()} report",
            "",
            f"**Verdict:** {_md(self.verdict, None)}",
            "",
            "| # | item | status | quality | critical | major | minor | verdict | reports |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for k, it in enumerate(self.items, start=1):
            sev = it.findings_by_severity
            counts = [str(sev.get(s, "")) if it.status != "error" else "" for s in SEVERITIES]
            verdict = it.gate["verdict"] if it.gate else it.verdict
            links = ", ".join(f"[{fmt}](<{path}>)" for fmt, path in it.reports.items())
            out.append(
                f"| {k} | {_md(it.id, None)} | {it.status} | "
                f"{'' if it.quality is None else f'{it.quality:g}'} | "
                f"{' | '.join(reversed(counts))} | {_md(verdict or it.error or '', 200)} | "
                f"{links} |"
            )
        errors = [it for it in self.items if it.status == "error"]
        if errors:
            out += ["", "## Items that failed to run", ""]
            for it in errors:
                out.append(
                    f"- {_md(it.id, None)} ({_md(it.location or '?', None)}): "
                    f"{_md(it.error or '', None)}"
                )
        return "\n".join(out) + "\n"

    def timing_dict(self, jobs: int) -> dict[str, Any]:
        """Wall-clock figures: the batch, and each item by stage (for ``timing.json``)."""
        return {
            "seconds": round(self.seconds, 3),
            "jobs": jobs,
            "items": {it.id: {k: round(v, 3) for k, v in it.timing.items()} for it in self.items},
        }


# --------------------------------------------------------------------------- workers


@dataclass
class _Outcome:
    """What a worker sends back for one item (picklable)."""

    index: int
    status: Status
    verdict: str | None = None
    quality: float | None = None
    findings_by_severity: dict[str, int] = field(default_factory=dict)
    findings_by_code: dict[str, int] = field(default_factory=dict)
    findings_total: int = 0
    gate: dict[str, Any] | None = None
    error: str | None = None
    texts: dict[str, str] = field(default_factory=dict)
    timing: dict[str, float] = field(default_factory=dict)


class _UnavailableFluency:
    """Stands in for a fluency scorer that failed to load: the pipeline skips its stage with the
    same message as when it tries (and fails) to load the default scorer itself, without the cost
    of trying again for every item."""

    name = "unavailable"

    def __init__(self, exc: Exception) -> None:
        lines = str(exc).splitlines()
        self.message = lines[0] if lines else type(exc).__name__

    def score(self, texts: Sequence[str], lang: str | None = None) -> Any:
        """Raise :class:`~mtaudit.errors.ModelUnavailableError` (the pipeline records the skip)."""
        from .errors import ModelUnavailableError

        raise ModelUnavailableError(self.message)


class _Worker:
    """Models loaded once per process, and the audit of one item."""

    def __init__(
        self, settings: BatchSettings, comet: Any = None, threads: int | None = None
    ) -> None:
        self.settings = settings
        self.threads = threads
        self.encoder = self._encoder()
        self.comet = comet
        if comet is None and settings.comet_model:
            from .score import CometScorer

            self.comet = CometScorer(settings.comet_model)
        self.fluency: Any = False
        if settings.runs_fluency:
            try:
                self.fluency = self._fluency_scorer()
            except Exception as exc:  # not installed, or broken: fail once per worker, not per item
                self.fluency = _UnavailableFluency(exc)
        self._warm_up()

    def _encoder(self) -> Any:
        """The named encoder; with a thread budget, the USE encoder the pipeline would pick."""
        s = self.settings
        if self.threads is None:
            return _make_encoder(s.encoder)
        from .encoders import USE_LANGUAGES, USEEncoder

        langs = {(s.src_lang or "").split("-")[0].lower(), (s.tgt_lang or "").split("-")[0].lower()}
        if s.encoder == "use" or (s.encoder is None and langs <= USE_LANGUAGES):
            return USEEncoder(threads=self.threads)
        return _make_encoder(s.encoder)  # E5 and hashing take no thread count

    def _fluency_scorer(self) -> Any:
        # Always the default scorer, with its own thread count and its safety checks; only the
        # sentence encoder gets a per-worker thread budget.
        from .fluency import default_scorer

        return default_scorer()

    def _warm_up(self) -> None:
        """Load the sentence encoder now rather than inside the first item."""
        enc = self.encoder
        if enc is None and self.settings.src_lang and self.settings.tgt_lang:
            from .encoders import default_encoder

            enc = default_encoder(self.settings.src_lang, self.settings.tgt_lang)
        if enc is not None:
            with contextlib.suppress(Exception):  # a broken model: the items will report it
                enc.encode(["warm-up"], self.settings.src_lang)

    def run(self, index: int, item: BatchItem, render: bool) -> _Outcome:
        """Audit one item; an error becomes an ``error`` outcome rather than an exception."""
        t0 = time.perf_counter()
        try:
            out = self._run(index, item, render)
        except MtauditError as exc:
            out = _Outcome(index, "error", error=str(exc).splitlines()[0] if str(exc) else "")
        except MemoryError:
            out = _Outcome(index, "error", error="out of memory")
        except Exception as exc:  # a bug or a broken model must not lose the other items
            out = _Outcome(index, "error", error=f"internal error: {type(exc).__name__}: {exc}")
        out.timing["total"] = time.perf_counter() - t0
        return out

    def _run(self, index: int, item: BatchItem, render: bool) -> _Outcome:
        from .load import read_document, read_pairs, read_text
        from .pipeline import audit

        s = self.settings
        checks = {k: dict(v) for k, v in s.checks.items()}
        if item.pairs:
            pairs = read_pairs(item.pairs, encoding=s.encoding, max_bytes=s.max_bytes)
            report = self.audit_pairs(pairs, item.pairs)
        else:
            assert item.source is not None and item.target is not None
            src = read_document(
                item.source, presplit=s.presplit, encoding=s.encoding, max_bytes=s.max_bytes
            )
            tgt = read_document(
                item.target, presplit=s.presplit, encoding=s.encoding, max_bytes=s.max_bytes
            )
            references = None
            if item.reference:
                from .segment import split_lines

                ref = read_text(item.reference, encoding=s.encoding, max_bytes=s.max_bytes)
                references = [ref[a:b] for a, b in split_lines(ref)]
            report = audit(
                src,
                tgt,
                src_lang=s.src_lang,
                tgt_lang=s.tgt_lang,
                mode=s.mode,
                presplit=s.presplit,
                encoder=self.encoder,
                fluency=self.fluency,
                checks=checks,
                max_sentences=s.max_sentences,
                references=references,
                comet=self.comet,
                time_budget=s.time_budget,
                profile=s.profile,
                multilingual_lm=s.multilingual_lm,
            )
        return self.outcome(index, report, render)

    def audit_pairs(self, pairs: Any, path: str) -> Any:
        """Audit pre-aligned pairs with this worker's models and settings (batch and corpus)."""
        from .pipeline import audit_pairs

        s = self.settings
        return audit_pairs(
            pairs,
            src_lang=s.src_lang,
            tgt_lang=s.tgt_lang,
            encoder=self.encoder,
            fluency=self.fluency,
            checks={k: dict(v) for k, v in s.checks.items()},
            path=path,
            comet=self.comet,
            max_sentences=s.max_sentences,
            time_budget=s.time_budget,
            profile=s.profile,
            in_context=s.pairs_in_context,
            multilingual_lm=s.multilingual_lm,
        )

    def outcome(self, index: int, report: Any, render: bool) -> _Outcome:
        """Gate and render a finished report into an outcome (its timing moves out of it)."""
        from .gate import apply_policy, evaluate

        s = self.settings
        timing = dict(report.timing)
        report = replace(report, timing={})  # reports do not vary with the run: see timing.json
        gate = None
        if s.policy is not None:
            report = apply_policy(report, s.policy)
            gate = evaluate(report, s.policy)
        texts = {}
        if render:
            from .formats import render as render_report

            texts = {fmt: render_report(report, fmt, gate) for fmt in s.formats}
        summary = report.summary
        quality = summary.get("quality")
        return _Outcome(
            index,
            "ok" if gate is None else ("pass" if gate.passed else "fail"),
            verdict=summary.get("verdict"),
            quality=None if not isinstance(quality, (int, float)) else float(quality),
            findings_by_severity=dict(summary.get("findings_by_severity", {})),
            findings_by_code=dict(summary.get("findings_by_code", {})),
            findings_total=len(report.findings),
            gate=None
            if gate is None
            else {"passed": gate.passed, "verdict": gate.verdict, "reasons": list(gate.reasons)},
            texts=texts,
            timing=timing,
        )


def _make_encoder(name: str | None) -> Any:
    if not name:
        return None
    from .encoders import E5Encoder, HashingEncoder, USEEncoder

    classes = {"use": USEEncoder, "e5": E5Encoder, "hashing": HashingEncoder}
    if name not in classes:
        raise InputError(f"unknown encoder {name!r}; choose one of {', '.join(classes)}")
    return classes[name]()


_WORKER: _Worker | None = None


def _init_worker(settings: BatchSettings, threads: int) -> None:
    """Process-pool initializer: load the encoder, fluency and COMET models once per worker.

    ``threads`` is the worker's share of the CPUs: every native thread pool of the worker (numpy's
    BLAS, OpenMP, the sentence encoder) is capped at it, so that N workers do not each run one
    thread per CPU and slow each other down.
    """
    global _WORKER
    limit_process_threads(threads)  # before any model starts its thread pool
    _WORKER = _Worker(settings, threads=threads)


def _work(index: int, item: BatchItem, render: bool) -> _Outcome:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.run(index, item, render)


def _pool_context() -> multiprocessing.context.BaseContext:
    """``forkserver`` where there is one (its server imports the pipeline once, and workers fork
    from it), else ``spawn``. Never plain ``fork``: the parent may hold model threads."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    # Only takes effect if the server has not started yet; harmless otherwise.
    ctx.set_forkserver_preload(["mtaudit.batch", "mtaudit.pipeline", "mtaudit.formats"])
    return ctx


T = TypeVar("T")
R = TypeVar("R")

_CRASHED = (
    "the worker process crashed while auditing this item (killed, out of memory, or a crash in "
    "a native model); the other items were not affected"
)


def isolated_pool(
    tasks: Iterable[T],
    jobs: int,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
    call: Callable[[ProcessPoolExecutor, T], Future[R]],
    failed: Callable[[T, str], R],
    crashed: str,
) -> Iterator[tuple[T, R]]:
    """Run ``call`` on each task in ``jobs`` worker processes; yield ``(task, result)`` in order.

    At most two tasks per worker are in flight, so memory does not grow with the input. A task
    whose result cannot be had gives ``failed(task, "worker failed: …")``. A worker that dies (a
    segfault in a native library, the out-of-memory killer) breaks the whole pool: the tasks
    that were in flight are run again one by one, each in a fresh one-process pool (a task that
    breaks that too gives ``failed(task, crashed)``), and the rest go on in a fresh pool. Each
    break costs at least one task, so the loop ends. Batch mode and corpus mode share it.
    """

    def pool(n: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=n,
            mp_context=_pool_context(),
            initializer=initializer,
            initargs=initargs,
        )

    def alone(task: T) -> R:
        with pool(1) as ex:
            try:
                return call(ex, task).result()
            except BrokenProcessPool:
                return failed(task, crashed)
            except Exception as exc:  # e.g. a result that could not be sent back
                return failed(task, f"worker failed: {first_line(exc)}")

    todo = iter(tasks)
    while True:
        ex = pool(jobs)
        flight: deque[tuple[T, Future[R]]] = deque()
        broken = finished = False
        try:
            while True:
                while len(flight) < 2 * jobs and (task := next(todo, _END)) is not _END:
                    flight.append((task, call(ex, task)))  # type: ignore[arg-type]
                if not flight:
                    break
                task, fut = flight.popleft()
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    flight.appendleft((task, fut))
                    broken = True
                    break
                except Exception as exc:
                    yield task, failed(task, f"worker failed: {first_line(exc)}")
                    continue
                yield task, result
            finished = not broken
        finally:
            # wait for the workers only after a normal end; on a break, an error or an early
            # stop by the consumer, drop what is queued and do not wait
            ex.shutdown(wait=finished, cancel_futures=True)
        if not broken:
            return
        for task, _ in flight:  # what was in flight when the pool broke: one by one
            yield task, alone(task)


_END = object()


def _pool_outcomes(
    items: Sequence[BatchItem],
    todo: Sequence[int],
    settings: BatchSettings,
    jobs: int,
    render: bool,
    work: Callable[[int, BatchItem, bool], _Outcome] = _work,
) -> Iterator[tuple[int, _Outcome]]:
    """Run ``work`` on the items ``todo`` in ``jobs`` worker processes (:func:`isolated_pool`);
    yield outcomes in order. A crashing worker costs only the item it was auditing."""
    threads = max(1, (os.cpu_count() or 1) // jobs)
    yield from isolated_pool(
        todo,
        jobs,
        _init_worker,
        (settings, threads),
        lambda ex, k: ex.submit(work, k, items[k], render),
        lambda k, error: _Outcome(k, "error", error=error),
        _CRASHED,
    )


# --------------------------------------------------------------------------- writing


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ProgressBar:
    """A one-line progress bar on a terminal (``stream``, default stderr); silent otherwise."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 24) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.total = total
        self.width = width
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)()) and total > 0
        self._t0 = time.monotonic()

    def __call__(self, done: int, total: int, item: ItemResult) -> None:
        """Show ``done`` of ``total``, the item just finished and an estimate of the time left."""
        if not self.enabled:
            return
        filled = int(self.width * done / max(1, total))
        elapsed = time.monotonic() - self._t0
        eta = elapsed / done * (total - done) if done else 0.0
        label = item.id if len(item.id) <= 30 else "…" + item.id[-29:]
        line = (
            f"\rmtaudit: [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} "
            f"{elapsed:.0f}s, ~{eta:.0f}s left  {label}"
        )
        self.stream.write(line.ljust(100)[:100])
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


# --------------------------------------------------------------------------- the batch


def validate_settings(settings: BatchSettings) -> None:
    """Raise :class:`InputError` for settings no item could run with (before anything runs)."""
    from .formats import ALL_FORMATS

    for fmt in settings.formats:
        if fmt not in ALL_FORMATS:
            raise InputError(f"unknown format {fmt!r}; choose among {', '.join(ALL_FORMATS)}")
    if not settings.formats:
        raise InputError("no report format given")
    if settings.time_budget is not None and not settings.time_budget >= 0:
        raise InputError(f"--time-budget must be 0 or more seconds, not {settings.time_budget}")
    from .pipeline import _apply_profile

    _apply_profile(settings.profile, None if settings.fluency else False)  # validates it
    from .align import MODES

    if settings.mode not in MODES:
        raise InputError(f"unknown mode {settings.mode!r}; choose one of {', '.join(MODES)}")
    _make_encoder(settings.encoder)  # validates the name
    if settings.checks:  # an unknown check code is a usage error, before anything runs
        from .checks import build_checks
        from .pipeline import _load_checks

        _load_checks()
        build_checks({k: dict(v) for k, v in settings.checks.items()})


def audit_batch(
    items: Sequence[BatchItem],
    settings: BatchSettings | None = None,
    *,
    out_dir: str | Path | None = None,
    jobs: int = 1,
    progress: Callable[[int, int, ItemResult], None] | None = None,
    input_info: Mapping[str, Any] | None = None,
) -> BatchResult:
    """Audit ``items``; with ``out_dir``, write one report per item and format plus the index.

    ``jobs`` is the number of worker processes (1: in this process; 0: one per CPU). Results are
    collected and written in item order, and the files are the same whatever ``jobs`` is, except
    ``timing.json``. ``progress(done, total, item_result)`` is called as each item finishes (in
    item order). ``input_info`` describes the input for the index (e.g. the manifest path).
    Raises :class:`InputError` for bad settings (unknown format, a bad COMET model, ``jobs < 0``);
    problems with single items are recorded in their :class:`ItemResult` instead.
    """
    settings = settings or BatchSettings()
    validate_settings(settings)
    if jobs < 0:
        raise InputError(f"--jobs must be 0 (one per CPU) or more, got {jobs}")
    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        if out.exists() and not out.is_dir():
            raise InputError(f"{out}: exists and is not a folder; --out-dir needs a folder")
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"{out}: cannot create the folder ({exc.strerror or exc})") from None
        # An index left by an earlier run would not describe this one (if this one is stopped).
        for name in ("index.json", "index.md", "timing.json"):
            (out / name).unlink(missing_ok=True)
    comet = None
    if settings.comet_model:
        from .score import CometScorer

        comet = CometScorer(settings.comet_model)  # fails early, with a one-line message
    stems = _unique_stems(items)
    todo = [k for k, it in enumerate(items) if it.error is None]
    jobs = jobs or os.cpu_count() or 1
    jobs = max(1, min(jobs, len(todo)))
    t_start = time.perf_counter()
    results: list[ItemResult | None] = [None] * len(items)
    done = 0

    def finish(k: int, outcome: _Outcome) -> None:
        nonlocal done
        item = items[k]
        res = ItemResult(
            id=item.id,
            status=outcome.status,
            location=item.location,
            source=item.source,
            target=item.target,
            reference=item.reference,
            pairs=item.pairs,
            verdict=outcome.verdict,
            quality=outcome.quality,
            findings_by_severity=outcome.findings_by_severity,
            findings_by_code=outcome.findings_by_code,
            findings_total=outcome.findings_total,
            gate=outcome.gate,
            error=outcome.error,
            timing=outcome.timing,
        )
        if out is not None:
            for fmt, text in outcome.texts.items():
                rel = f"items/{stems[k]}{FORMAT_EXTENSIONS[fmt]}"
                write_atomic(out / rel, text)
                res.reports[fmt] = rel
        results[k] = res
        done += 1
        if progress is not None:
            progress(done, len(items), res)

    pending: dict[int, _Outcome] = {}
    next_k = 0

    def flush() -> None:
        # Hand results on in item order, whatever order the workers finish in.
        nonlocal next_k
        while next_k < len(items):
            if items[next_k].error is not None:
                finish(next_k, _Outcome(next_k, "error", error=items[next_k].error))
            elif next_k in pending:
                finish(next_k, pending.pop(next_k))
            else:
                break
            next_k += 1

    render = out is not None
    if todo and jobs == 1:
        worker = _Worker(settings, comet=comet)
        for k in todo:
            pending[k] = worker.run(k, items[k], render)
            flush()
    elif todo:
        del comet  # each worker loads its own
        for k, outcome in _pool_outcomes(items, todo, settings, jobs, render):
            pending[k] = outcome
            flush()
    flush()
    result = BatchResult(
        items=[r for r in results if r is not None],
        settings=settings,
        input=dict(input_info or {}),
        seconds=time.perf_counter() - t_start,
    )
    if out is not None:
        write_atomic(out / "index.json", result.to_json())
        write_atomic(out / "index.md", result.to_markdown())
        write_atomic(out / "timing.json", json.dumps(result.timing_dict(jobs), indent=2) + "\n")
    return result
