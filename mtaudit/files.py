"""Writing output files, and the path rules for inputs named by manifests and folders.

Reports are written atomically (a temporary file in the same folder, then a rename), so a reader
never sees half a report and a failed run leaves nothing behind.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from .errors import InputError

__all__ = ["check_output_path", "inside", "outside_message", "write_atomic", "write_output"]


def inside(path: Path, base: Path) -> bool:
    """Whether ``path`` (symlinks followed) lies inside the real folder ``base``."""
    real = Path(os.path.realpath(path))
    return real == base or base in real.parents


def outside_message(what: str, given: str, base: Path) -> str:
    """The error for an input path that leads outside the folder it must stay in."""
    return (
        f"{what} {given!r} is outside {base}; paths must stay inside it "
        "(pass --allow-outside to allow this)"
    )


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


def check_output_path(path: str | None) -> None:
    """Raise :class:`InputError` now if the CLI's ``-o`` path cannot take a report (before the
    audit runs, so that no work is lost)."""
    if path is None or path == "-":
        return
    dest = Path(path)
    if dest.is_dir():
        raise InputError(f"{path}: is a directory; -o needs a file path")
    parent = dest.parent if str(dest.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"{path}: folder {parent} does not exist")


def write_output(text: str, path: str | None) -> None:
    """The CLI's ``-o``: ``text`` to ``path`` (atomically), or to stdout for None or ``-``."""
    if path is None or path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    check_output_path(path)
    write_atomic(Path(path), text)
