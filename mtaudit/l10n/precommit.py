"""The pre-commit hook (``.pre-commit-hooks.yaml``: ``python -m mtaudit.l10n.precommit``): audit
the changed translation files with the fast profile (no language model) and print one line per
finding, ``FILE:LINE: SEVERITY CODE [unit]: message``; exit 1 when a file fails the gate (by
default: any major or critical finding), 2 on a usage or input error.

Bilingual files (PO, XLIFF, TMX, TS) are audited alone. A monolingual file (Android
``strings.xml``, ``.properties``, Markdown) is audited against its source, found by ``--map
FROM:TO`` (replace FROM by TO in its path, e.g. ``--map /de/:/en/`` or ``--map
values-de/:values/``); one no map leads to an existing other file is skipped (it is a source, or
not a translation). Other files are ignored.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import MtauditError, error_line, one_line

__all__ = ["main"]


def _source_of(path: str, maps: list[tuple[str, str]]) -> str | None:
    for a, b in maps:
        if a in path:
            src = path.replace(a, b, 1)
            if src != path and Path(src).is_file():
                return src
    return None


def main(argv: list[str] | None = None) -> int:
    from ..config import Settings
    from ..policy import Policy, load_policy
    from ..runner import DocumentUnit, PairsUnit, Runner
    from . import BILINGUAL, detect_format

    ap = argparse.ArgumentParser(prog="mtaudit-precommit", description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--map", action="append", default=[], metavar="FROM:TO")
    ap.add_argument("--policy", help="a policy file (default: fail on major or worse)")
    ap.add_argument("--fail-on", default="major", help="minor, major (default), critical, none")
    ap.add_argument("--profile", default="fast", choices=("fast", "full"))
    ap.add_argument("--encoder", help="sentence encoder (default: the bundled one)")
    args = ap.parse_args(argv)
    maps = []
    for m in args.map:
        if ":" not in m:
            print(f"mtaudit-precommit: --map {m!r}: expected FROM:TO", file=sys.stderr)
            return 2
        a, b = m.split(":", 1)
        maps.append((a, b))
    try:
        policy = load_policy(args.policy) if args.policy else Policy(fail_on=args.fail_on)
        settings = Settings(
            profile=args.profile, policy=policy, formats=("json",), encoder=args.encoder
        )
        units: list[DocumentUnit | PairsUnit] = []
        for f in args.files:
            fmt = detect_format(f)
            if fmt is None:
                continue
            if fmt in BILINGUAL:
                units.append(PairsUnit(f, f))
            elif (src := _source_of(f, maps)) is not None:
                units.append(DocumentUnit(f, src, f))
        if not units:
            return 0
        runner = Runner(settings)
        failed = False
        for unit in units:
            done = runner.execute(unit, render=False)
            rep = done.report
            for f in rep.findings:
                if f.code == "furniture" or f.sentence is None:
                    continue
                sent = rep.side(f.side).sentences[f.sentence]
                path = rep.side(f.side).path or unit.id
                where = f"{path}:{sent.line}" if sent.line else path
                unit_id = f" [{sent.unit}]" if sent.unit else ""
                print(one_line(f"{where}: {f.severity} {f.code}{unit_id}: {f.message}"))
            if done.gate is not None and not done.gate.passed:
                failed = True
                print(one_line(f"{unit.id}: {done.gate.verdict}"))
        return 1 if failed else 0
    except MtauditError as exc:
        print(f"mtaudit-precommit: {error_line(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
