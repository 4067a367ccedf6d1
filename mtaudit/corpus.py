"""Corpus mode: audit a large corpus on Ray Data (``pip install 'mtaudit[ray]'``), or in-process.

The input is a manifest of document pairs (read by :func:`mtaudit.batch.items_from_manifest`, with
its path rules) or many pre-aligned segment-pair files (JSONL or TSV, as
:func:`mtaudit.load.read_pairs` reads them, or Parquet with string columns ``source``, ``target``
and optionally ``reference``, read with pyarrow in batches; folders are searched for ``*.jsonl``,
``*.ndjson``, ``*.tsv`` and ``*.parquet``), or bilingual localisation files (PO, XLIFF, TMX, Qt TS;
see :mod:`mtaudit.l10n`: folders are searched for them by extension unless ``l10n`` is ``off``).
A localisation file is one unit of work, read by the runner exactly as ``mtaudit audit FILE``
reads it (sentences carry the unit id and the file line). A manifest item is one unit of work, audited exactly as ``mtaudit batch`` audits it. A
pairs file is cut into shards of ``shard_size`` consecutive well-formed pairs, each audited with
:func:`mtaudit.pipeline.audit_pairs`; the cut depends only on the file, so the results do not
depend on the engine or the number of actors (a file with at most ``shard_size`` pairs and no
malformed line gets exactly the report of ``mtaudit audit --pairs FILE``).

With ``engine="ray"`` the units flow through a Ray Data pipeline: the input files are read and cut
in Ray tasks (``flat_map``), and the units go to an actor pool (``map_batches`` with a callable
class), so every actor loads its models once. ``engine="local"`` runs the same code in this
process, with no Ray at all. The output folder then holds::

    OUT/reports.jsonl   one JSON record per unit, in input order: the index entry plus "report"
                        (the full report without its timing; null for a unit that did not run)
    OUT/index.json      every unit (status, verdict, quality, finding counts, error with its
    OUT/index.md        location) and one overall verdict, as in batch mode
    OUT/timing.json     wall-clock figures, the engine and the actor sizing (varies by run)
    OUT/reports.parquet with ``parquet=True`` (``--parquet``): the records of reports.jsonl as
                        typed columns, the report as JSON text (:data:`PARQUET_COLUMNS`)

``reports.jsonl``, ``index.json`` and ``index.md`` are byte-identical for both engines and any
number of actors. A bad unit (an unreadable pairs file, a malformed pairs line, a missing document)
becomes an ``error`` record with its location (``corpus/a.jsonl:17``) and the rest still run; the
verdict counts the units that failed to run.
"""

from __future__ import annotations

import json
import os
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from .batch import BatchItem, BatchResult, prepare_out_dir
from .config import Settings
from .errors import InputError, error_line, one_line
from .files import inside, output_folder_of, outside_message, walk_files, write_atomic
from .models import check_comet
from .runner import (
    ErrorUnit,
    ItemResult,
    PairsUnit,
    Runner,
    Unit,
    run_pool,
    unit_from_dict,
    unit_to_dict,
)
from .threads import limit_process_threads, limited_threads

__all__ = [
    "PAIR_SUFFIXES",
    "CorpusSettings",
    "pair_files",
    "file_units",
    "audit_corpus",
    "write_parquet",
]

#: A unit's place in the output: ``[input index, line]`` (records are written in key order).
Key = list[int]

#: File name endings taken as pairs files when a folder is given.
PAIR_SUFFIXES = (".jsonl", ".ndjson", ".tsv", ".parquet")

#: Rows read from a Parquet file at a time (memory stays bounded for any file size).
PARQUET_BATCH_ROWS = 8192

ENGINES = ("ray", "local")


@dataclass(frozen=True)
class CorpusSettings:
    """How a corpus run is spread out (none of this changes the results, except ``shard_size``)."""

    #: ``"ray"`` (Ray Data with an actor pool) or ``"local"`` (this process, no Ray).
    engine: str = "ray"
    #: Address of a running Ray cluster (``auto``, ``ray://host:10001``, ``host:6379``); None
    #: starts a local instance (loopback only, no dashboard) for the run.
    address: str | None = None
    #: CPUs of the local instance (default: all of this machine's).
    num_cpus: int | None = None
    #: Actors in the pool (default: one per CPU of the instance).
    actors: int | None = None
    #: Logical CPUs per actor (default: leaves half a CPU free for the read tasks, at most 1).
    cpus_per_actor: float | None = None
    #: Segment pairs per unit of work when a pairs file is cut.
    shard_size: int = 1000
    #: Threads per worker (default: all CPUs in-process; with ``jobs``, the CPUs divided among
    #: the workers; on Ray, the actor's whole CPUs, at least 1). Caps the sentence encoder and
    #: every BLAS/OpenMP pool of a worker process (see :mod:`mtaudit.threads`).
    threads: int | None = None
    #: Worker processes of the ``local`` engine (1: in this process; 0: one per CPU). Each loads
    #: its models once; units are handed out in order and their records written in input order.
    jobs: int = 1
    #: Also write ``reports.parquet``: one typed row per unit (needs pyarrow).
    parquet: bool = False


# --------------------------------------------------------------------------- input


def _is_l10n_file(path: str | Path, l10n: str) -> bool:
    """Whether ``path`` is read as a bilingual localisation file (PO, XLIFF, TMX, TS)."""
    from .l10n import BILINGUAL, detect_format

    return detect_format(path, l10n) in BILINGUAL


def pair_files(
    paths: Sequence[str | Path], *, allow_outside: bool = False, l10n: str = "auto"
) -> list[str]:
    """The pairs files named by ``paths``: files as given, folders searched for
    :data:`PAIR_SUFFIXES` and, unless ``l10n`` is ``"off"``, for bilingual localisation files by
    extension (``.po``, ``.xlf``, ``.tmx``, ``.ts`` …; recursively, sorted, hidden files skipped).
    A symlink in a folder that leads outside it raises :class:`InputError` unless
    ``allow_outside``. A file that does not exist is kept: it becomes an error record, not a
    failed run."""
    find_l10n = l10n != "off"
    out: list[str] = []
    for given in paths:
        p = Path(given)
        if not p.is_dir():
            marked = output_folder_of(p) if p.exists() else None
            if marked is not None:
                raise InputError(
                    one_line(
                        f"{given}: lies inside the mtaudit output folder {marked}; "
                        "reports are not inputs"
                    )
                )
            out.append(str(given))
            continue
        base = Path(os.path.realpath(p))
        for f in walk_files(p):
            if f.suffix.lower() not in PAIR_SUFFIXES and not (
                find_l10n and _is_l10n_file(f, "auto")
            ):
                continue
            if not allow_outside and not inside(f, base):
                raise InputError(outside_message("pairs file", str(f), base))
            out.append(str(f))
    if not out:
        raise InputError(
            f"no pairs files ({', '.join('*' + s for s in PAIR_SUFFIXES)}) or localisation "
            f"files (*.po, *.xlf, *.tmx, *.ts …) in "
            f"{', '.join(map(str, paths))}: nothing to audit"
        )
    return out


def _error_unit(key: tuple[int, int], ident: str, location: str, error: str) -> tuple[Key, Unit]:
    return list(key), ErrorUnit(ident, error, location)


class _Shards:
    """Cuts one pairs file into units: shards of ``size`` consecutive well-formed pairs
    (``(source, target, reference, line)``) and one error unit per bad line."""

    def __init__(self, index: int, path: str, size: int) -> None:
        self.index, self.path, self.size = index, path, size
        self.units: list[tuple[Key, Unit]] = []
        self.shard: list[tuple[str, str, str | None, int]] = []

    def add(self, pair: tuple[str, str, str | None, int]) -> None:
        self.shard.append(pair)
        if len(self.shard) >= self.size:
            self._close()

    def error(self, line: int, message: str) -> None:
        where = f"{self.path}:{line}"
        self.units.append(_error_unit((self.index, line), where, where, message))

    def _close(self) -> None:
        if self.shard:
            first, last = self.shard[0][3], self.shard[-1][3]
            span = f"{self.path}:{first}-{last}"
            unit = PairsUnit(span, self.path, tuple(self.shard), location=span)
            self.units.append(([self.index, first], unit))
            self.shard = []

    def finish(self, why_empty: str) -> list[tuple[Key, Unit]]:
        """The units in line order (one error unit if the file held no pairs at all)."""
        self._close()
        if not self.units:
            msg = f"{self.path}: no segment pairs ({why_empty})"
            self.units.append(_error_unit((self.index, 0), self.path, self.path, msg))
        return sorted(self.units, key=lambda u: u[0])


def file_units(
    index: int, path: str, settings: Settings, shard_size: int
) -> list[tuple[Key, Unit]]:
    """The units of one pairs file: shards of well-formed pairs, and one error per bad line (or
    one for the whole file when it cannot be read). Keys ``(index, line)`` give the order.

    A localisation file (by extension, or every file when ``settings.l10n`` forces a format) is
    one unit, not cut: the runner reads it through :mod:`mtaudit.l10n`, so its report is that of
    ``mtaudit audit FILE`` and a malformed file is one error record naming the file and line."""
    from .load import is_tsv_header, parse_pairs, read_text

    if settings.l10n not in ("auto", "off") or (
        settings.l10n == "auto" and _is_l10n_file(path, "auto")
    ):
        return [([index, 0], PairsUnit(path, path, location=path))]

    if Path(path).suffix.lower() == ".parquet":
        return _parquet_units(index, path, settings, shard_size)
    try:
        text = read_text(path, encoding=settings.encoding, max_bytes=settings.max_bytes)
    except InputError as exc:
        return [_error_unit((index, 0), path, path, str(exc))]
    suffix = Path(path).suffix.lower()
    # The format rule of read_pairs: by suffix, else guessed from the first non-blank line.
    fmt = (
        "jsonl" if suffix in (".jsonl", ".json", ".ndjson") else "tsv" if suffix == ".tsv" else None
    )
    cut = _Shards(index, path, shard_size)
    first = True
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if first and fmt != "jsonl" and is_tsv_header(line):
            first = False
            continue
        first = False
        if fmt is None:
            fmt = "jsonl" if line.lstrip().startswith("{") else "tsv"
        try:
            (pair,) = parse_pairs([line], name=path, fmt=fmt)
        except InputError as exc:  # parse_pairs numbers this one line 1: put the real line back
            cut.error(lineno, str(exc).replace(f"{path}:1:", f"{path}:{lineno}:", 1))
            continue
        cut.add((pair.source, pair.target, pair.reference, lineno))
    return cut.finish("empty file")


def _parquet_units(
    index: int, path: str, settings: Settings, shard_size: int
) -> list[tuple[Key, Unit]]:
    """The units of one Parquet file with string columns ``source``, ``target`` and optionally
    ``reference`` (other columns are ignored). Rows are numbered from 1 and play the part of line
    numbers (``file.parquet:17`` is row 17); a row whose source or target is missing (null) or not
    a string becomes an error record. Read :data:`PARQUET_BATCH_ROWS` rows at a time."""
    from .load import too_big_message

    try:
        import pyarrow.parquet as pq
    except ImportError:
        return [
            _error_unit(
                (index, 0),
                path,
                path,
                f"{path}: reading Parquet needs pyarrow (pip install 'mtaudit[ray]' or pyarrow)",
            )
        ]
    try:
        size = os.path.getsize(path)
        if settings.max_bytes is not None and size > settings.max_bytes:
            raise InputError(too_big_message(path, size, settings.max_bytes))
        pf = pq.ParquetFile(path)
        names = set(pf.schema_arrow.names)
        missing = [c for c in ("source", "target") if c not in names]
        if missing:
            raise InputError(
                f"{path}: no {' and no '.join(repr(c) for c in missing)} column in the Parquet "
                f"file (columns: {', '.join(sorted(names)) or 'none'})"
            )
        cols = ["source", "target"] + (["reference"] if "reference" in names else [])
        batches = pf.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=cols)
    except InputError as exc:
        return [_error_unit((index, 0), path, path, str(exc))]
    except FileNotFoundError:
        return [_error_unit((index, 0), path, path, f"{path}: no such file")]
    except Exception as exc:  # pyarrow's errors for a file that is not Parquet or is damaged
        why = error_line(exc)
        return [_error_unit((index, 0), path, path, f"{path}: not a readable Parquet file ({why})")]
    cut = _Shards(index, path, shard_size)
    row = 0
    try:
        for batch in batches:
            data = batch.to_pydict()
            refs = data.get("reference") or [None] * batch.num_rows
            for src, tgt, ref in zip(data["source"], data["target"], refs, strict=True):
                row += 1
                bad = None
                if not isinstance(src, str) or not isinstance(tgt, str):
                    bad = "'source' and 'target' must be non-null strings in every row"
                elif ref is not None and not isinstance(ref, str):
                    bad = "'reference' must be a string"
                if bad is not None:
                    cut.error(row, f"{path}:{row}: {bad}")
                    continue
                cut.add((src, tgt, ref, row))
    except Exception as exc:  # a damaged page in the middle of the file
        why = error_line(exc)
        cut.error(row + 1, f"{path}:{row + 1}: unreadable ({why})")
    return cut.finish("no rows")


def _expand(source: dict[str, Any], settings: Settings, shard_size: int) -> list[tuple[Key, Unit]]:
    """One input (a manifest item or a pairs file) → its units of work, with their keys."""
    k = source["index"]
    if source["kind"] == "file":
        return file_units(k, source["path"], settings, shard_size)
    return [([k, 0], BatchItem(**source["item"]).to_unit())]


# --------------------------------------------------------------------------- work


def _record(res: ItemResult) -> tuple[str, str]:
    """The ``reports.jsonl`` line and the index entry with timing (JSON) of one audited unit."""
    text = res.texts.get("json")
    record = res.to_dict()
    del record["reports"]
    record["report"] = json.loads(text) if text else None
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    meta = asdict(res)
    del meta["texts"]
    return line, json.dumps(meta, ensure_ascii=False)


class _RayAuditor:
    """The callable class of the actor pool: a batch of units in, records out."""

    def __init__(self, settings: Settings, threads: int) -> None:
        limit_process_threads(threads)  # the actor's CPU share holds for numpy's BLAS too
        self.runner = Runner(settings, threads=threads)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        lines, metas, keys = [], [], []
        for key, text in zip(batch["key"], batch["unit"]):
            line, meta = _record(self.runner.run(unit_from_dict(json.loads(str(text)))))
            lines.append(line)
            metas.append(meta)
            keys.append(str(key))
        return {"key": keys, "line": lines, "meta": metas}


class _Expander:
    """The read step: one input row → its units as JSON rows (picklable, for ``flat_map``)."""

    def __init__(self, settings: Settings, shard_size: int) -> None:
        self.settings, self.shard_size = settings, shard_size

    def __call__(self, row: dict[str, Any]) -> list[dict[str, Any]]:
        source = json.loads(row["source"])
        units = _expand(source, self.settings, self.shard_size)
        return [
            {"key": json.dumps(key), "unit": json.dumps(unit_to_dict(u), ensure_ascii=False)}
            for key, u in units
        ]


# --------------------------------------------------------------------------- engines


def _units(
    sources: list[dict[str, Any]], settings: Settings, corpus: CorpusSettings
) -> Iterator[tuple[Key, Unit]]:
    for source in sources:
        for key, unit in _expand(source, settings, corpus.shard_size):
            # The same JSON round trip as on Ray, so that every engine sees the same data.
            yield (
                key,
                unit_from_dict(json.loads(json.dumps(unit_to_dict(unit), ensure_ascii=False))),
            )


def _local_results(
    sources: list[dict[str, Any]], settings: Settings, corpus: CorpusSettings
) -> Iterator[tuple[Key, str, str]]:
    units = _units(sources, settings, corpus)
    if corpus.jobs > 1:
        keys: deque[Key] = deque()

        def queued() -> Iterator[Unit]:
            for key, unit in units:
                keys.append(key)
                yield unit

        pool = run_pool(queued(), settings, corpus.jobs, threads=corpus.threads, what="unit")
        for _, res in pool:
            yield (keys.popleft(), *_record(res))
        return
    with limited_threads(corpus.threads):
        runner = Runner(settings, threads=corpus.threads)
        for key, unit in units:
            yield (key, *_record(runner.run(unit)))


def _ray_init(corpus: CorpusSettings) -> tuple[Any, bool]:
    """Import Ray and connect (or start a local instance); returns ``(ray, started_here)``."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage reports over the network
    try:
        import ray
    except ImportError:
        raise InputError(
            "corpus mode on Ray needs the ray extra: pip install 'mtaudit[ray]' "
            "(or run it in this process with --engine local)"
        ) from None
    if ray.is_initialized():
        return ray, False
    if corpus.address:
        ray.init(address=corpus.address, logging_level="warning")
    else:
        ray.init(
            num_cpus=corpus.num_cpus or os.cpu_count() or 1,
            include_dashboard=False,
            logging_level="warning",
            _node_ip_address="127.0.0.1",
        )
    return ray, True


def _sizing(ray: Any, corpus: CorpusSettings) -> tuple[int, float]:
    """Actors and CPUs per actor: by default one actor per CPU, each with a fractional share
    that leaves half a CPU for the read tasks (whole-CPU actors on all CPUs starve them)."""
    total = float(ray.cluster_resources().get("CPU", 1.0))
    actors = corpus.actors or max(1, int(total))
    if corpus.cpus_per_actor is not None:
        cpus = corpus.cpus_per_actor
    else:
        cpus = min(1.0, max(0.05, (total - 0.5) / actors))
    if actors * cpus > total:
        raise InputError(
            f"{actors} actors × {cpus:g} CPUs need more than the {total:g} CPUs of the Ray "
            "instance; lower --actors or --cpus-per-actor"
        )
    return actors, round(cpus, 3)


def _ray_results(
    sources: list[dict[str, Any]],
    settings: Settings,
    corpus: CorpusSettings,
    facts: dict[str, Any],
) -> Iterator[tuple[Key, str, str]]:
    ray, started = _ray_init(corpus)
    try:
        import logging

        import ray.data

        logging.getLogger("ray.data").setLevel(logging.WARNING)  # the run's own lines suffice
        actors, cpus = _sizing(ray, corpus)
        facts.update(actors=actors, cpus_per_actor=cpus)
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True  # records come back in input order
        rows = [{"source": json.dumps(s, ensure_ascii=False)} for s in sources]
        ds = ray.data.from_items(rows, override_num_blocks=max(1, min(len(rows), 64)))
        ds = ds.flat_map(_Expander(settings, corpus.shard_size), num_cpus=0.1)
        ds = ds.map_batches(
            _RayAuditor,
            fn_constructor_kwargs={
                "settings": settings,
                "threads": corpus.threads or max(1, int(cpus)),
            },
            batch_size=1,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=actors),
            num_cpus=cpus,
        )
        for row in ds.iter_rows():
            yield json.loads(str(row["key"])), str(row["line"]), str(row["meta"])
    finally:
        if started:
            ray.shutdown()


# --------------------------------------------------------------------------- Parquet output


def _find_pyarrow() -> Any:
    import importlib.util

    try:
        return importlib.util.find_spec("pyarrow")
    except (ImportError, ValueError):
        return None


#: Columns of ``reports.parquet``: the index entry of each unit, typed, plus its full report as
#: JSON text (``null`` for a unit that did not run).
PARQUET_COLUMNS = (
    ("id", "string"),
    ("status", "string"),
    ("location", "string"),
    ("source", "string"),
    ("target", "string"),
    ("reference", "string"),
    ("pairs", "string"),
    ("verdict", "string"),
    ("quality", "float64"),
    ("findings_total", "int64"),
    ("findings_minor", "int64"),
    ("findings_major", "int64"),
    ("findings_critical", "int64"),
    ("findings_by_code", "string"),
    ("gate", "string"),
    ("error", "string"),
    ("report", "string"),
)


def _parquet_row(rec: dict[str, Any]) -> dict[str, Any]:
    counts = rec.get("findings") or {}
    row: dict[str, Any] = {k: rec.get(k) for k in ("id", "status", "location", "source")}
    row.update({k: rec.get(k) for k in ("target", "reference", "pairs", "verdict", "error")})
    row["quality"] = rec.get("quality")
    for sev in ("total", "minor", "major", "critical"):
        row[f"findings_{sev}"] = counts.get(sev)
    for key in ("findings_by_code", "gate", "report"):
        value = rec.get(key)
        row[key] = None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return row


def write_parquet(jsonl: Path, dest: Path, rows_per_group: int = 1000) -> None:
    """Convert a ``reports.jsonl`` into ``dest`` (Parquet, :data:`PARQUET_COLUMNS`), streaming
    ``rows_per_group`` records at a time; written to a temporary file and renamed into place."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(name, getattr(pa, kind)()) for name, kind in PARQUET_COLUMNS])
    tmp = dest.with_name(f".{dest.name}.tmp")
    try:
        with pq.ParquetWriter(tmp, schema) as writer, jsonl.open(encoding="utf-8") as fh:
            batch: list[dict[str, Any]] = []
            for line in fh:
                batch.append(_parquet_row(json.loads(line)))
                if len(batch) >= rows_per_group:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                    batch.clear()
            if batch:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


# --------------------------------------------------------------------------- the run


def audit_corpus(
    *,
    items: Sequence[BatchItem] | None = None,
    pairs: Sequence[str] | None = None,
    settings: Settings | None = None,
    corpus: CorpusSettings | None = None,
    out_dir: str | Path,
    input_info: dict[str, Any] | None = None,
) -> BatchResult:
    """Audit a corpus — manifest ``items`` or ``pairs`` files (see :func:`pair_files`) — and
    write ``reports.jsonl``, ``index.json``, ``index.md`` and ``timing.json`` into ``out_dir``
    (and ``reports.parquet`` with ``corpus.parquet``, see :func:`write_parquet`).

    Returns the index as a :class:`~mtaudit.batch.BatchResult` (its verdict starts with
    ``Corpus``). Bad settings raise :class:`InputError` before anything runs; bad units are
    recorded, not raised.
    """
    settings = replace(settings or Settings(), formats=("json",))
    corpus = corpus or CorpusSettings()
    if corpus.engine not in ENGINES:
        raise InputError(f"unknown engine {corpus.engine!r}; choose one of {', '.join(ENGINES)}")
    if corpus.shard_size < 1:
        raise InputError(f"--shard-size must be at least 1, not {corpus.shard_size}")
    if corpus.threads is not None and corpus.threads < 1:
        raise InputError(f"--threads must be at least 1, not {corpus.threads}")
    if corpus.jobs < 0:
        raise InputError(f"--jobs must be 0 (one per CPU) or more, not {corpus.jobs}")
    if corpus.jobs != 1 and corpus.engine != "local":
        raise InputError("--jobs is for --engine local; on Ray, size the pool with --actors")
    if corpus.jobs == 0:
        corpus = replace(corpus, jobs=os.cpu_count() or 1)
    if corpus.actors is not None and corpus.actors < 1:
        raise InputError(f"--actors must be at least 1, not {corpus.actors}")
    if corpus.cpus_per_actor is not None and not corpus.cpus_per_actor > 0:
        raise InputError(f"--cpus-per-actor must be above 0, not {corpus.cpus_per_actor}")
    if (items is None) == (pairs is None):
        raise InputError("give either manifest items or pairs files")
    if corpus.parquet and _find_pyarrow() is None:
        raise InputError("--parquet needs pyarrow: pip install 'mtaudit[ray]' (or pyarrow)")
    if items is not None:
        sources = [{"index": k, "kind": "item", "item": asdict(it)} for k, it in enumerate(items)]
    else:
        assert pairs is not None
        sources = [{"index": k, "kind": "file", "path": str(p)} for k, p in enumerate(pairs)]
    if not sources:
        raise InputError("the corpus is empty: nothing to audit")
    check_comet(settings)  # a bad COMET model fails here, before anything runs
    out = Path(out_dir)
    prepare_out_dir(
        out, ("index.json", "index.md", "timing.json", "reports.jsonl", "reports.parquet")
    )

    facts: dict[str, Any] = {"engine": corpus.engine, "threads": corpus.threads}
    if corpus.engine == "local":
        facts["jobs"] = corpus.jobs
    if corpus.engine == "local":
        results = _local_results(sources, settings, corpus)
    else:
        results = _ray_results(sources, settings, corpus, facts)
    t0 = time.perf_counter()
    item_results: list[ItemResult] = []
    timing: dict[str, dict[str, float]] = {}
    last: list[int] | None = None
    tmp = out / ".reports.jsonl.tmp"
    try:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            for key, line, meta_text in results:
                if last is not None and key <= last:
                    raise RuntimeError(f"corpus results out of order ({key} after {last})")
                last = key
                fh.write(line + "\n")
                meta = json.loads(meta_text)
                timing[meta["id"]] = {k: round(v, 3) for k, v in meta.pop("timing").items()}
                item_results.append(ItemResult(**meta))
        os.replace(tmp, out / "reports.jsonl")
    finally:
        tmp.unlink(missing_ok=True)
    if corpus.parquet:
        write_parquet(out / "reports.jsonl", out / "reports.parquet")
    info = dict(input_info or {})
    if pairs is not None:
        info.setdefault("shard_size", corpus.shard_size)
    result = BatchResult(
        items=item_results,
        settings=settings,
        input=info,
        seconds=time.perf_counter() - t0,
        label="Corpus",
    )
    write_atomic(out / "index.json", result.to_json())
    write_atomic(out / "index.md", result.to_markdown())
    facts.update(seconds=round(result.seconds, 3), units=len(item_results), items=timing)
    write_atomic(out / "timing.json", json.dumps(facts, indent=2) + "\n")
    return result
