"""Command-line interface: ``mtaudit audit``, ``mtaudit batch``, ``mtaudit align``, ``mtaudit checks``.

Exit codes: 0 success (or gate passed), 1 gate failed, 2 usage or input error (a one-line message on stderr, no traceback, and no
output file written). Output files are written atomically: all or nothing.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from . import __version__
from .config import Settings, add_arguments
from .errors import InputError, MtauditError, error_line, one_line
from .files import check_output_path, write_output

EXIT_OK = 0
EXIT_USAGE = 2


class _Terminated(BaseException):
    """Raised in the main thread by SIGTERM."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated()


def _install_signals() -> object:
    if threading.current_thread() is not threading.main_thread():
        return None  # signal handlers can only be set from the main thread
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    return signal.signal(signal.SIGTERM, _terminate)


def _restore_signals(previous: object) -> None:
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)  # type: ignore[arg-type]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {one_line(message)}\n")


def _progress():  # type: ignore[no-untyped-def]
    """Stage messages on stderr when it is a terminal; silent otherwise (CI logs, pipes)."""
    if not sys.stderr.isatty():
        return None
    return lambda msg: print(f"mtaudit: {msg}…", file=sys.stderr, flush=True)


def _output_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", help="write the result to this file (default: stdout)")


def build_parser() -> argparse.ArgumentParser:
    """The ``mtaudit`` argument parser (the audit options come from :class:`Settings`)."""
    ap = _Parser(prog="mtaudit", description="Audit machine translation offline.")
    ap.add_argument("--version", action="version", version=f"mtaudit {__version__}")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    a = sub.add_parser("audit", help="audit a translation (or retelling) of a source document")
    a.add_argument("source", nargs="?", help="source document")
    a.add_argument("target", nargs="?", help="target document")
    a.add_argument("--pairs", help="pre-aligned pairs file (TSV source<TAB>target, or JSONL)")
    a.add_argument(
        "--reference",
        help="reference translation, one line per target sentence (adds BLEU/chrF/chrF++/TER)",
    )
    add_arguments(a, "audit")
    _output_flag(a)

    b = sub.add_parser(
        "batch",
        help="audit many pairs: two folders matched by file name, or a manifest",
        description="Audit many document pairs: SOURCE_DIR TARGET_DIR (files matched by "
        "relative path) or --manifest FILE (CSV header source,target[,reference][,id], or JSON "
        "lines with those keys; 'pairs' names a pairs file instead). Writes one report per item "
        "and format to OUT/items/, and OUT/index.json, OUT/index.md, OUT/timing.json. Exit 0 "
        "when every item ran and passed the gate, 1 when one failed the gate or failed to run, "
        "2 on usage errors.",
    )
    b.add_argument("source_dir", nargs="?", metavar="SOURCE_DIR", help="folder of source files")
    b.add_argument("target_dir", nargs="?", metavar="TARGET_DIR", help="folder of target files")
    b.add_argument("--manifest", help="CSV or JSONL manifest of items (instead of two folders)")
    b.add_argument("--out-dir", required=True, help="folder for the reports and the index")
    b.add_argument(
        "--jobs", "-j", type=int, default=1, help="worker processes (default 1; 0: one per CPU)"
    )
    b.add_argument(
        "--glob", default="*", help="with folders: only files whose name matches (e.g. '*.txt')"
    )
    b.add_argument(
        "--reference-dir", help="with folders: reference translations, matched like the targets"
    )
    b.add_argument(
        "--allow-outside",
        action="store_true",
        help="accept manifest paths (and symlinks) that lead outside the manifest's folder",
    )
    add_arguments(b, "batch")

    c = sub.add_parser(
        "corpus",
        help="audit a large corpus on Ray (pip install 'mtaudit[ray]') or in this process",
        description="Audit a corpus: --manifest FILE (as in batch) or --pairs FILE|FOLDER … "
        "(JSONL/TSV/Parquet segment pairs, cut into shards of --shard-size). Runs on a local Ray "
        "instance, on a cluster (--address) or in this process (--engine local); the results "
        "are the same. Writes OUT/reports.jsonl (one record per unit, in input order), "
        "OUT/index.json, OUT/index.md and OUT/timing.json (with --parquet also "
        "OUT/reports.parquet). Exit codes as for batch.",
    )
    c.add_argument("--manifest", help="CSV or JSONL manifest of document pairs (as in batch)")
    c.add_argument("--pairs", nargs="+", metavar="PATH", help="pairs files or folders of them")
    c.add_argument("--out-dir", required=True, help="folder for the records and the index")
    c.add_argument("--engine", choices=("ray", "local"), default="ray", help="default: ray")
    c.add_argument("--address", help="a running Ray cluster (default: start a local instance)")
    c.add_argument("--num-cpus", type=int, help="CPUs of the local Ray instance (default: all)")
    c.add_argument("--actors", type=int, help="actors in the pool (default: one per CPU)")
    c.add_argument(
        "--cpus-per-actor",
        type=float,
        help="logical CPUs per actor (default: fractional, leaving half a CPU for reading)",
    )
    c.add_argument(
        "--shard-size", type=int, default=1000, help="segment pairs per unit of work (default 1000)"
    )
    c.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=1,
        help="--engine local: worker processes (default 1: this process; 0: one per CPU)",
    )
    c.add_argument(
        "--threads",
        type=int,
        help="threads per worker for the encoder and numpy (default: all CPUs in-process, "
        "the CPUs divided among --jobs workers, 1 per actor)",
    )
    c.add_argument(
        "--parquet",
        action="store_true",
        help="also write OUT/reports.parquet (one typed row per unit; needs pyarrow)",
    )
    c.add_argument(
        "--allow-outside",
        action="store_true",
        help="accept paths (and symlinks) that lead outside the manifest's or the folder's folder",
    )
    add_arguments(c, "corpus")

    g = sub.add_parser("align", help="print a sentence alignment")
    g.add_argument("source")
    g.add_argument("target")
    g.add_argument("--mode", choices=("auto", "translation", "comparable"), default="translation")
    g.add_argument("--format", default="vecalign", help="vecalign (default) or json")
    add_arguments(g, "align")
    _output_flag(g)

    sub.add_parser("checks", help="list the checks and their codes")
    d = sub.add_parser("doctor", help="show which models and optional pieces are installed")
    d.add_argument("--json", action="store_true", help="machine-readable output")
    return ap


def _cmd_audit(args: argparse.Namespace) -> int:
    from .runner import DocumentUnit, PairsUnit, Runner

    settings = Settings.from_args(args, "audit")  # the policy is validated before the audit
    check_output_path(args.output)
    unit: DocumentUnit | PairsUnit
    if args.pairs:
        if args.source or args.target:
            raise InputError("give either --pairs FILE or SOURCE TARGET, not both")
        if args.reference:
            raise InputError("with --pairs, give references as a third column, not --reference")
        unit = PairsUnit(args.pairs, args.pairs)
    else:
        if settings.pairs_in_context:
            raise InputError("--pairs-in-context goes with --pairs (documents are always read so)")
        if args.source and not args.target and _bilingual_l10n(args.source, settings):
            unit = PairsUnit(args.source, args.source)  # a PO/XLIFF/TMX/TS file holds both sides
        elif not (args.source and args.target):
            raise InputError(
                "audit needs SOURCE and TARGET files (or --pairs FILE, or one PO/XLIFF/TMX/TS file)"
            )
        else:
            unit = DocumentUnit(args.source, args.source, args.target, args.reference)
    runner = Runner(settings, keep_timing=True)  # loads the models; a bad COMET model fails here
    done = runner.execute(unit, progress=_progress())
    write_output(done.texts[settings.formats[0]], args.output)
    print(done.report.summary["verdict"], file=sys.stderr)
    if done.gate is not None:
        print(done.gate.verdict, file=sys.stderr)
        return int(done.gate.exit_code)
    return EXIT_OK


def _bilingual_l10n(path: str, settings: Settings) -> bool:
    """Whether ``path`` is a localisation file holding both languages (PO, XLIFF, TMX, TS)."""
    from .l10n import BILINGUAL, detect_format

    return detect_format(path, settings.l10n) in BILINGUAL


def _cmd_corpus(args: argparse.Namespace) -> int:
    from .batch import items_from_manifest
    from .corpus import CorpusSettings, audit_corpus, pair_files

    settings = Settings.from_args(args, "corpus")  # validated before anything runs
    if bool(args.manifest) == bool(args.pairs):
        raise InputError("corpus needs either --manifest FILE or --pairs FILE|FOLDER …")
    if args.manifest:
        items, files = items_from_manifest(args.manifest, allow_outside=args.allow_outside), None
        info: dict[str, object] = {"manifest": args.manifest}
    else:
        items, files = (
            None,
            pair_files(args.pairs, allow_outside=args.allow_outside, l10n=settings.l10n),
        )
        info = {"pairs": list(args.pairs)}
    corpus = CorpusSettings(
        engine=args.engine,
        address=args.address,
        num_cpus=args.num_cpus,
        actors=args.actors,
        cpus_per_actor=args.cpus_per_actor,
        shard_size=args.shard_size,
        threads=args.threads,
        jobs=args.jobs,
        parquet=args.parquet,
    )
    result = audit_corpus(
        items=items,
        pairs=files,
        settings=settings,
        corpus=corpus,
        out_dir=args.out_dir,
        input_info=info,
    )
    errors = [it for it in result.items if it.status == "error"]
    for it in errors[:20]:
        print(f"mtaudit: {one_line(it.error or '')}", file=sys.stderr)
    if len(errors) > 20:
        print(f"mtaudit: … and {len(errors) - 20} more errors (see the index)", file=sys.stderr)
    print(result.verdict, file=sys.stderr)
    print(f"index: {one_line(str(Path(args.out_dir) / 'index.json'))}", file=sys.stderr)
    return result.exit_code


def _cmd_batch(args: argparse.Namespace) -> int:
    from .batch import ProgressBar, audit_batch, items_from_dirs, items_from_manifest

    settings = Settings.from_args(args, "batch")  # validated before anything runs
    if args.manifest:
        if args.source_dir or args.target_dir:
            raise InputError("give either --manifest FILE or SOURCE_DIR TARGET_DIR, not both")
        if args.reference_dir or args.glob != "*":
            raise InputError("--reference-dir and --glob go with SOURCE_DIR TARGET_DIR")
        items = items_from_manifest(args.manifest, allow_outside=args.allow_outside)
        info = {"manifest": args.manifest}
    elif args.source_dir and not args.target_dir and settings.l10n != "off":
        from .batch import items_from_l10n_tree  # one folder: a tree of PO/XLIFF/TMX/TS files

        items = items_from_l10n_tree(args.source_dir, settings.l10n, pattern=args.glob)
        info = {"l10n_dir": args.source_dir}
    else:
        if not (args.source_dir and args.target_dir):
            raise InputError(
                "batch needs SOURCE_DIR and TARGET_DIR (or --manifest FILE, or one folder of "
                "PO/XLIFF/TMX/TS files)"
            )
        items = items_from_dirs(
            args.source_dir,
            args.target_dir,
            reference_dir=args.reference_dir,
            pattern=args.glob,
            allow_outside=args.allow_outside,
        )
        info = {"source_dir": args.source_dir, "target_dir": args.target_dir}
        if args.reference_dir:
            info["reference_dir"] = args.reference_dir
    result = audit_batch(
        items,
        settings,
        out_dir=args.out_dir,
        jobs=args.jobs,
        progress=ProgressBar(len(items)),
        input_info=info,
    )
    for it in result.items:
        if it.status == "error":
            print(f"mtaudit: {one_line(f'{it.id}: {it.error}')}", file=sys.stderr)
    print(result.verdict, file=sys.stderr)
    print(f"index: {one_line(str(Path(args.out_dir) / 'index.json'))}", file=sys.stderr)
    return result.exit_code


def _cmd_align(args: argparse.Namespace) -> int:
    from .align import align_translation, format_vecalign
    from .load import read_document
    from .models import load_models
    from .pipeline import audit, segment_document

    if args.format not in ("vecalign", "json"):
        raise InputError(f"unknown --format {args.format!r}; choose vecalign or json")
    settings = replace(Settings.from_args(args, "align"), fluency=False)
    check_output_path(args.output)
    s = settings
    src = read_document(
        args.source, presplit=s.presplit, encoding=s.encoding, max_bytes=s.max_bytes
    )
    tgt = read_document(
        args.target, presplit=s.presplit, encoding=s.encoding, max_bytes=s.max_bytes
    )
    if args.mode == "translation":
        s_side = segment_document(src, s.src_lang)
        t_side = segment_document(tgt, s.tgt_lang)
        enc = load_models(s).encoder_for(s.src_lang or "?", s.tgt_lang or "?")
        links = align_translation(
            [x.text for x in s_side.sentences],
            [x.text for x in t_side.sentences],
            enc,
            src_lang=s.src_lang,
            tgt_lang=s.tgt_lang,
            center=s.align_center,
        )
    else:
        links = audit(src, tgt, settings=replace(s, mode=args.mode)).links
    if args.format == "json":
        import json

        text = json.dumps([lk.to_dict() for lk in links], ensure_ascii=False, indent=2) + "\n"
    else:
        text = format_vecalign(links)
        if text and not text.endswith("\n"):
            text += "\n"
    write_output(text, args.output)
    return EXIT_OK


def _cmd_checks() -> int:
    from .checks import REGISTRY

    for code, cls in REGISTRY.items():
        print(f"{code:18s} {cls.default_severity:9s} {cls.description}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mtaudit`` command; returns the exit code."""
    parser = build_parser()
    # SIGTERM (a CI timeout, `kill`) unwinds like Ctrl-C, so temporary files are removed and
    # worker pools are torn down; an over-size write (ulimit -f) is an error, not a signal death.
    previous = _install_signals()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error (already printed)
        _restore_signals(previous)
        return int(exc.code or 0)
    try:
        if args.command == "audit":
            return _cmd_audit(args)
        if args.command == "batch":
            return _cmd_batch(args)
        if args.command == "corpus":
            return _cmd_corpus(args)
        if args.command == "align":
            return _cmd_align(args)
        if args.command == "checks":
            return _cmd_checks()
        if args.command == "doctor":
            from .doctor import diagnose, format_report

            entries = diagnose()
            if args.json:
                import json

                sys.stdout.write(json.dumps(entries, indent=2) + "\n")
            else:
                sys.stdout.write(format_report(entries))
            return EXIT_OK
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    except MtauditError as exc:  # bad input, an output that cannot be written, a missing model
        print(f"mtaudit: error: {error_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("mtaudit: interrupted", file=sys.stderr)
        return 130
    except _Terminated:
        print("mtaudit: terminated", file=sys.stderr)
        return 143
    finally:
        _restore_signals(previous)


if __name__ == "__main__":
    sys.exit(main())
