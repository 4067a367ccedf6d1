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

import csv
import io
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from . import __version__
from .config import Settings
from .errors import InputError, one_line
from .files import (
    OUT_MARKER,
    inside,
    output_folder_of,
    outside_message,
    probe_folder,
    walk_files,
    write_atomic,
)
from .formats import FORMATS
from .models import check_comet
from .report import SEVERITIES
from .runner import (
    DocumentUnit,
    ErrorUnit,
    ItemResult,
    PairsUnit,
    Runner,
    Status,
    Unit,
    run_in_process,
    run_pool,
)

__all__ = [
    "INDEX_VERSION",
    "BatchItem",
    "ItemResult",
    "BatchResult",
    "ProgressBar",
    "items_from_dirs",
    "items_from_manifest",
    "audit_batch",
]

#: Version of the index format (``index.json``).
INDEX_VERSION = "1"

#: The keys a manifest row may have.
MANIFEST_KEYS = ("source", "target", "reference", "pairs", "id")

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

    def to_unit(self) -> Unit:
        """The unit of work this item is (see :mod:`mtaudit.runner`)."""
        if self.error is not None:
            return ErrorUnit(
                self.id,
                self.error,
                self.location,
                self.source,
                self.target,
                self.reference,
                self.pairs,
            )
        if self.pairs:
            return PairsUnit(self.id, self.pairs, location=self.location)
        assert self.source is not None and self.target is not None
        return DocumentUnit(self.id, self.source, self.target, self.reference, self.location)


def items_from_l10n_tree(
    root: str | Path, l10n: str = "auto", *, pattern: str = "*"
) -> list[BatchItem]:
    """Every bilingual localisation file (PO, XLIFF, TMX, TS; see :mod:`mtaudit.l10n`) under
    ``root`` (recursively, hidden files skipped), one item each, id the relative path."""
    from .l10n import BILINGUAL, detect_format

    d = Path(root)
    if not d.is_dir():
        raise InputError(f"{d}: not a folder")
    base = Path(os.path.realpath(d))
    items = []
    for p in sorted(walk_files(d, pattern)):
        if detect_format(p, l10n) not in BILINGUAL:
            continue
        rel = p.relative_to(d).as_posix()
        error = None if inside(p, base) else outside_message("l10n file", str(p), base)
        items.append(
            BatchItem(id=rel, pairs=str(p), location=str(d), error=error, stem=_path_stem(rel))
        )
    if not items:
        raise InputError(f"{d}: no PO, XLIFF, TMX or TS files found: nothing to audit")
    return items


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
        for p in walk_files(d, pattern):
            rel = p.relative_to(d)
            if not allow_outside and not inside(p, base):
                raise InputError(outside_message(f"{side} file", str(p), base))
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
            except RecursionError:
                yield lineno, None, "invalid JSON (nested too deeply)"
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
    from .load import has_lone_surrogate, read_text

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
                if value is not None and has_lone_surrogate(value):
                    error = f"{key!r} holds a lone surrogate escape (such as \\ud800)"
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
            elif ident is not None and has_lone_surrogate(ident):
                error = error or "'id' holds a lone surrogate escape (such as \\ud800)"
                ident = None
        else:
            ident = None
        resolved: dict[str, str | None] = {}
        for key, value in paths.items():
            if not value:
                resolved[key] = None
                continue
            p = Path(value)
            if not allow_outside and (p.is_absolute() or not inside(base / p, real_base)):
                raise InputError(f"{where}: " + outside_message(key, value, real_base))
            resolved[key] = str(p if p.is_absolute() else base / p)
            marked = output_folder_of(resolved[key])
            if marked is not None and error is None:
                error = (
                    f"{key} {value!r} lies inside the mtaudit output folder {marked}: "
                    "reports are not inputs"
                )
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


# --------------------------------------------------------------------------- results


@dataclass
class BatchResult:
    """The outcome of a batch: every item, the counts, and one overall verdict."""

    items: list[ItemResult]
    settings: Settings
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
        from .formats.markdown import md_text as _md

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


# --------------------------------------------------------------------------- progress


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


def prepare_out_dir(out: Path, names: Sequence[str]) -> None:
    """Create the output folder ``out`` (or take an empty one, or one an earlier run wrote: it
    holds :data:`~mtaudit.files.OUT_MARKER`), mark it, check that it can be written, and remove
    the index files ``names`` an earlier run left there (they would not describe this run if it
    is stopped). A folder holding anything else is refused: mtaudit never replaces files it did
    not write."""
    if out.exists() and not out.is_dir():
        raise InputError(one_line(f"{out}: exists and is not a folder; --out-dir needs a folder"))
    marker = out / OUT_MARKER
    if out.is_dir() and not marker.is_file() and any(out.iterdir()):
        raise InputError(
            one_line(
                f"{out}: the folder holds files mtaudit did not write; give --out-dir a new or "
                f"empty folder (or one an earlier mtaudit run wrote, marked by {OUT_MARKER})"
            )
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            one_line(f"{out}: cannot create the folder ({exc.strerror or exc})")
        ) from None
    probe_folder(out, out)
    if not marker.is_file():
        write_atomic(marker, "This folder holds mtaudit reports; mtaudit may replace them.\n")
    for name in names:
        (out / name).unlink(missing_ok=True)


def audit_batch(
    items: Sequence[BatchItem],
    settings: Settings | None = None,
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
    Raises :class:`InputError` for bad settings (a bad COMET model, ``jobs < 0``); problems with
    single items are recorded in their :class:`ItemResult` instead.
    """
    settings = settings or Settings()
    if jobs < 0:
        raise InputError(f"--jobs must be 0 (one per CPU) or more, got {jobs}")
    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        prepare_out_dir(out, ("index.json", "index.md", "timing.json"))
    stems = _unique_stems(items)
    units = [it.to_unit() for it in items]
    todo = [k for k, u in enumerate(units) if not isinstance(u, ErrorUnit)]
    jobs = jobs or os.cpu_count() or 1
    jobs = max(1, min(jobs, len(todo)))
    render = out is not None
    if jobs > 1:
        check_comet(settings)  # a bad COMET model fails here, before anything runs
    t_start = time.perf_counter()
    results: list[ItemResult] = []

    def finish(k: int, res: ItemResult) -> None:
        texts, res.texts = res.texts, {}
        if out is not None:
            for fmt, text in texts.items():
                rel = f"items/{stems[k]}{FORMATS[fmt].extension}"
                write_atomic(out / rel, text)
                res.reports[fmt] = rel
        results.append(res)
        if progress is not None:
            progress(len(results), len(items), res)

    outcomes: Iterator[tuple[Unit, ItemResult]] = iter(())
    if todo and jobs == 1:
        runner = Runner(settings)  # loads the models (a bad COMET model fails here, early)
        outcomes = run_in_process((units[k] for k in todo), runner, render=render)
    elif todo:
        outcomes = run_pool((units[k] for k in todo), settings, jobs, render=render)
    # Hand results on in item order: known-bad items are recorded where they stand.
    done = iter(outcomes)
    for k, unit in enumerate(units):
        if isinstance(unit, ErrorUnit):
            finish(k, ItemResult.of(unit, "error", error=unit.error))
        else:
            finish(k, next(done)[1])
    result = BatchResult(
        items=results,
        settings=settings,
        input=dict(input_info or {}),
        seconds=time.perf_counter() - t_start,
    )
    if out is not None:
        write_atomic(out / "index.json", result.to_json())
        write_atomic(out / "index.md", result.to_markdown())
        write_atomic(out / "timing.json", json.dumps(result.timing_dict(jobs), indent=2) + "\n")
    return result
