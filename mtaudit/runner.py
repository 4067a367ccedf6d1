"""One unit of work, audited the same way everywhere: ``mtaudit audit``, ``mtaudit batch``, the
local corpus engine, its worker processes and the Ray actors.

A unit is a document pair (:class:`DocumentUnit`), pre-aligned pairs — a file, or an in-memory
shard of one (:class:`PairsUnit`) — or an input already known to be broken (:class:`ErrorUnit`).
A :class:`Runner` holds the models (loaded once) and turns a unit into an :class:`ItemResult`:
read the input, audit it, apply the gate, render the reports. :func:`run_pool` does the same in
worker processes, with a crashing worker costing only the unit it was auditing.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

from .config import Settings
from .errors import MtauditError, error_line
from .load import Pair
from .models import Models, load_models
from .report import Report
from .threads import limit_process_threads

__all__ = [
    "DocumentUnit",
    "ErrorUnit",
    "ItemResult",
    "PairsUnit",
    "Runner",
    "Unit",
    "crash_message",
    "run_pool",
    "unit_from_dict",
    "unit_to_dict",
]

Status = Literal["pass", "fail", "ok", "error"]

#: One pre-aligned pair of a shard: ``(source, target, reference, line)``.
ShardPair = tuple[str, str, "str | None", "int | None"]


@dataclass(frozen=True)
class DocumentUnit:
    """A source and a target document (files), with an optional reference file."""

    id: str
    source: str
    target: str
    reference: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class PairsUnit:
    """Pre-aligned segment pairs: the pairs file ``path``, or (``pairs``) a shard cut from it."""

    id: str
    path: str
    pairs: tuple[ShardPair, ...] | None = None
    location: str | None = None


@dataclass(frozen=True)
class ErrorUnit:
    """An input known to be broken (a malformed manifest or pairs line, a file with no
    counterpart): recorded with its error, never run. The paths are those it named, if any."""

    id: str
    error: str
    location: str | None = None
    source: str | None = None
    target: str | None = None
    reference: str | None = None
    pairs: str | None = None


Unit = DocumentUnit | PairsUnit | ErrorUnit
_KINDS: dict[str, type[Any]] = {"document": DocumentUnit, "pairs": PairsUnit, "error": ErrorUnit}


def unit_to_dict(unit: Unit) -> dict[str, Any]:
    """A unit as JSON-ready data (``{"kind": …, …}``), for the Ray pipeline's rows."""
    kind = next(k for k, cls in _KINDS.items() if isinstance(unit, cls))
    data = {k: v for k, v in unit.__dict__.items() if v is not None}
    if "pairs" in data and isinstance(unit, PairsUnit):
        data["pairs"] = [list(p) for p in data["pairs"]]
    return {"kind": kind, **data}


def unit_from_dict(data: dict[str, Any]) -> Unit:
    """The unit :func:`unit_to_dict` made."""
    fields = dict(data)
    cls = _KINDS[fields.pop("kind")]
    if cls is PairsUnit and fields.get("pairs") is not None:
        fields["pairs"] = tuple(tuple(p) for p in fields["pairs"])
    return cls(**fields)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- results


@dataclass
class ItemResult:
    """What became of one unit: its status, the report's verdict and counts, and the gate."""

    id: str
    #: ``pass``/``fail`` (the gate), ``ok`` (audited, no gate), or ``error`` (did not run).
    status: Status
    location: str | None = None
    source: str | None = None
    target: str | None = None
    reference: str | None = None
    pairs: str | None = None
    #: The report's one-line verdict (None when the unit did not run).
    verdict: str | None = None
    quality: float | None = None
    #: Findings per severity (page furniture excluded), as in the report's summary.
    findings_by_severity: dict[str, int] = field(default_factory=dict)
    findings_by_code: dict[str, int] = field(default_factory=dict)
    findings_total: int = 0
    #: The gate's verdict, pass/fail and reasons (None without a policy).
    gate: dict[str, Any] | None = None
    #: The error that stopped the unit (None when it ran).
    error: str | None = None
    #: Written report files per format, relative to the output folder (posix paths).
    reports: dict[str, str] = field(default_factory=dict)
    #: Wall-clock seconds per stage (not in the index: see ``timing.json``).
    timing: dict[str, float] = field(default_factory=dict)
    #: The rendered reports by format (handed to whoever writes them; not in the index).
    texts: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, unit: Unit, status: Status, **values: Any) -> ItemResult:
        """A result for ``unit`` (its id, location and input paths) with ``values``."""
        if isinstance(unit, DocumentUnit):
            paths = {"source": unit.source, "target": unit.target, "reference": unit.reference}
        elif isinstance(unit, PairsUnit):
            paths = {"pairs": unit.path}
        else:
            paths = {
                "source": unit.source,
                "target": unit.target,
                "reference": unit.reference,
                "pairs": unit.pairs,
            }
        return cls(id=unit.id, status=status, location=unit.location, **paths, **values)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for the index (no timing, no texts)."""
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
class Executed:
    """An audited unit: its report (gated), the gate's result and the rendered reports."""

    report: Report
    gate: Any
    texts: dict[str, str]
    timing: dict[str, float]


# --------------------------------------------------------------------------- the runner


def _peak_rss_mb() -> float:
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return 0.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class Runner:
    """The models (loaded once) and the audit of one unit with ``settings``.

    ``keep_timing`` leaves each report's ``timing`` in it (``mtaudit audit``); otherwise it moves
    to :attr:`ItemResult.timing`, so that reports do not vary from run to run (batch, corpus).
    """

    def __init__(
        self,
        settings: Settings,
        models: Models | None = None,
        *,
        threads: int | None = None,
        keep_timing: bool = False,
    ) -> None:
        self.settings = settings
        self.models = models if models is not None else load_models(settings, threads=threads)
        self.keep_timing = keep_timing

    def warm_up(self) -> None:
        """Load the sentence encoder now rather than inside the first unit."""
        self.models.warm_up(self.settings)

    def audit(self, unit: DocumentUnit | PairsUnit, progress: Any = None) -> Report:
        """Read ``unit``'s input and audit it (errors are raised)."""
        from .load import read_document, read_pairs, read_text
        from .pipeline import audit_documents, audit_segments
        from .segment import split_lines

        s = self.settings
        l10n = self._l10n(unit)
        if l10n is not None:  # a localisation file (or a source file and its translation)
            return audit_segments(
                l10n.pairs, s, self.models, path=l10n.path, progress=progress, l10n=l10n
            )
        if isinstance(unit, PairsUnit):
            if unit.pairs is not None:
                pairs = [Pair(src, tgt, ref, line) for src, tgt, ref, line in unit.pairs]
            else:
                pairs = read_pairs(unit.path, encoding=s.encoding, max_bytes=s.max_bytes)
            return audit_segments(pairs, s, self.models, path=unit.path, progress=progress)
        src = read_document(
            unit.source, presplit=s.presplit, encoding=s.encoding, max_bytes=s.max_bytes
        )
        tgt = read_document(
            unit.target, presplit=s.presplit, encoding=s.encoding, max_bytes=s.max_bytes
        )
        references = None
        if unit.reference:
            ref = read_text(unit.reference, encoding=s.encoding, max_bytes=s.max_bytes)
            references = [ref[a:b] for a, b in split_lines(ref)]
        return audit_documents(src, tgt, s, self.models, references=references, progress=progress)

    def _l10n(self, unit: DocumentUnit | PairsUnit) -> Any:
        """``unit`` read as localisation input (:mod:`mtaudit.l10n`), or ``None`` if it is not."""
        s = self.settings
        if s.l10n == "off" or (isinstance(unit, PairsUnit) and unit.pairs is not None):
            return None
        from .l10n import detect_format, read_l10n

        if isinstance(unit, PairsUnit):
            fmt = detect_format(unit.path, s.l10n)
            return read_l10n(fmt, unit.path, max_bytes=s.max_bytes) if fmt else None
        fmt = detect_format(unit.target, s.l10n) or detect_format(unit.source, s.l10n)
        if fmt is None:
            return None
        return read_l10n(fmt, unit.source, unit.target, max_bytes=s.max_bytes)

    def execute(
        self, unit: DocumentUnit | PairsUnit, *, render: bool = True, progress: Any = None
    ) -> Executed:
        """Audit ``unit``, gate the report and render it in every format of the settings."""
        from .formats import render as render_report
        from .gate import apply_policy, evaluate

        report = self.audit(unit, progress)
        timing = dict(report.timing)
        if not self.keep_timing:
            report = replace(report, timing={})
        gate = None
        policy = self.settings.policy
        if policy is not None:
            report = apply_policy(report, policy)
            gate = evaluate(report, policy)
        texts = (
            {fmt: render_report(report, fmt, gate) for fmt in self.settings.formats}
            if render
            else {}
        )
        return Executed(report, gate, texts, timing)

    def run(self, unit: Unit, *, render: bool = True) -> ItemResult:
        """Audit ``unit`` into an :class:`ItemResult`; any error becomes an ``error`` result."""
        t0 = time.perf_counter()
        if isinstance(unit, ErrorUnit):
            res = ItemResult.of(unit, "error", error=unit.error)
        else:
            res = self._run(unit, render)
        res.timing["total"] = time.perf_counter() - t0
        res.timing["peak_rss_mb"] = _peak_rss_mb()  # of this process (worker, actor) so far
        return res

    def _run(self, unit: DocumentUnit | PairsUnit, render: bool) -> ItemResult:
        # a shard's errors name where in the file it was cut from
        where = f"{unit.location}: " if isinstance(unit, PairsUnit) and unit.pairs else ""
        try:
            done = self.execute(unit, render=render)
        except MtauditError as exc:
            return ItemResult.of(unit, "error", error=where + error_line(exc))
        except MemoryError:
            return ItemResult.of(unit, "error", error=where + "out of memory")
        except Exception as exc:  # a bug or a broken model must not lose the other units
            return ItemResult.of(
                unit, "error", error=f"internal error: {type(exc).__name__}: {exc}"
            )
        summary = done.report.summary
        quality = summary.get("quality")
        gate = done.gate
        return ItemResult.of(
            unit,
            "ok" if gate is None else ("pass" if gate.passed else "fail"),
            verdict=summary.get("verdict"),
            quality=None if not isinstance(quality, (int, float)) else float(quality),
            findings_by_severity=dict(summary.get("findings_by_severity", {})),
            findings_by_code=dict(summary.get("findings_by_code", {})),
            findings_total=len(done.report.findings),
            gate=None
            if gate is None
            else {"passed": gate.passed, "verdict": gate.verdict, "reasons": list(gate.reasons)},
            texts=done.texts,
            timing=done.timing,
        )


# --------------------------------------------------------------------------- the pool

_RUNNER: Runner | None = None


def _init_worker(settings: Settings, threads: int) -> None:
    """Process-pool initializer: cap the worker's threads, then load its models once.

    ``threads`` is the worker's share of the CPUs: every native thread pool of the worker (numpy's
    BLAS, OpenMP, the sentence encoder) is capped at it, so that N workers do not each run one
    thread per CPU and slow each other down.
    """
    global _RUNNER
    limit_process_threads(threads)  # before any model starts its thread pool
    _RUNNER = Runner(settings, threads=threads)
    _RUNNER.warm_up()


def run_unit(unit: Unit, render: bool) -> ItemResult:
    """The pool's work function: audit ``unit`` in this worker process."""
    assert _RUNNER is not None, "worker not initialised"
    return _RUNNER.run(unit, render=render)


def crash_message(what: str) -> str:
    """What a result says when its worker process died while auditing it."""
    return (
        f"the worker process crashed while auditing this {what} (killed, out of memory, or a "
        f"crash in a native model); the other {what}s were not affected"
    )


def _pool_context() -> multiprocessing.context.BaseContext:
    """``forkserver`` where there is one (its server imports the pipeline once, and workers fork
    from it), else ``spawn``. Never plain ``fork``: the parent may hold model threads."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    # Only takes effect if the server has not started yet; harmless otherwise.
    ctx.set_forkserver_preload(["mtaudit.runner", "mtaudit.pipeline", "mtaudit.formats"])
    return ctx


T = TypeVar("T")
R = TypeVar("R")
_END = object()


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
    break costs at least one task, so the loop ends.
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
                return failed(task, f"worker failed: {error_line(exc)}")

    todo: Iterator[T] = iter(tasks)
    while True:
        ex = pool(jobs)
        flight: deque[tuple[T, Future[R]]] = deque()
        broken = finished = False
        try:
            while not broken:
                while len(flight) < 2 * jobs and (task := next(todo, _END)) is not _END:
                    try:
                        flight.append((task, call(ex, task)))  # type: ignore[arg-type]
                    except BrokenProcessPool:  # a task in flight broke it while submitting:
                        if flight:  # this one goes to the next pool
                            todo = itertools.chain([task], todo)  # type: ignore[list-item]
                        else:  # nothing in flight (a failing initializer): run it alone below
                            flight.append((task, None))  # type: ignore[arg-type]
                        broken = True
                        break
                if broken:
                    break
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
                    yield task, failed(task, f"worker failed: {error_line(exc)}")
                    continue
                yield task, result
            finished = not broken
        finally:
            # wait for the workers only after a normal end; on a break, an error or an early
            # stop by the consumer, drop what is queued and do not wait
            if not finished and not broken:
                _stop_workers(ex)  # interrupted (Ctrl-C, SIGTERM): do not leave them running
            ex.shutdown(wait=finished, cancel_futures=True)
        if not broken:
            return
        for task, _ in flight:  # what was in flight when the pool broke: one by one
            yield task, alone(task)


def _stop_workers(ex: ProcessPoolExecutor) -> None:
    """Terminate the pool's worker processes now (the executor has no public way to)."""
    for proc in list((getattr(ex, "_processes", None) or {}).values()):
        with contextlib.suppress(OSError, ValueError, AttributeError):  # already gone
            proc.terminate()


def run_pool(
    units: Iterable[Unit],
    settings: Settings,
    jobs: int,
    *,
    render: bool = True,
    threads: int | None = None,
    what: str = "item",
    work: Callable[[Unit, bool], ItemResult] = run_unit,
) -> Iterator[tuple[Unit, ItemResult]]:
    """Audit ``units`` in ``jobs`` worker processes (:func:`isolated_pool`), each with its models
    loaded once and ``threads`` threads (default: the CPUs divided among the workers); yield
    ``(unit, result)`` in input order. ``what`` names a unit in crash messages."""
    threads = threads or max(1, (os.cpu_count() or 1) // jobs)
    yield from isolated_pool(
        units,
        jobs,
        _init_worker,
        (settings, threads),
        lambda ex, unit: ex.submit(work, unit, render),
        lambda unit, error: ItemResult.of(unit, "error", error=error),
        crash_message(what),
    )


def run_in_process(
    units: Iterable[Unit], runner: Runner, *, render: bool = True
) -> Iterator[tuple[Unit, ItemResult]]:
    """Audit ``units`` one after the other with ``runner``; yield ``(unit, result)``."""
    for unit in units:
        yield unit, runner.run(unit, render=render)
