"""Writing output files, and the path rules for inputs named by manifests and folders.

Reports are written atomically (a temporary file in the same folder, then a rename), so a reader
never sees half a report and a failed run leaves nothing behind.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import InputError, OutputError, one_line

__all__ = [
    "check_output_path",
    "OUT_MARKER",
    "inside",
    "output_folder_of",
    "walk_files",
    "outside_message",
    "probe_folder",
    "write_atomic",
    "write_output",
]


#: The file that marks a folder as an mtaudit output folder (``--out-dir``): mtaudit only ever
#: writes into (and removes its own files from) a folder that is new, empty or so marked, and
#: never reads inputs from inside one.
OUT_MARKER = ".mtaudit-out"


def output_folder_of(path: str | Path) -> Path | None:
    """The nearest folder at or above ``path`` (symlinks followed) that holds :data:`OUT_MARKER`,
    or None: an input found there is a report mtaudit wrote, not something to audit."""
    real = Path(os.path.realpath(path))
    for folder in (real, *real.parents):
        if (folder / OUT_MARKER).is_file():
            return folder
    return None


def walk_files(root: Path, pattern: str = "*") -> Iterator[Path]:
    """The regular files under ``root`` matching ``pattern``, sorted; hidden files and folders,
    and every output folder (:data:`OUT_MARKER`) below ``root``, are skipped."""
    marked: dict[Path, bool] = {}

    def is_marked(folder: Path) -> bool:
        if folder not in marked:
            marked[folder] = (folder / OUT_MARKER).is_file()
        return marked[folder]

    for p in sorted(root.rglob(pattern)):
        rel = p.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or not p.is_file():
            continue
        parents = [root.joinpath(*rel.parts[:k]) for k in range(1, len(rel.parts))]
        if any(is_marked(f) for f in parents):
            continue
        yield p


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


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _in_place(path: Path) -> bool:
    """Whether ``path`` must be written in place rather than replaced: anything that exists and is
    not a regular file (``/dev/null``, a FIFO, a terminal, ``/dev/stdout``) and anything under
    ``/dev`` or ``/proc``."""
    real = os.path.realpath(path)
    if real.startswith(("/dev/", "/proc/")):
        return True
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:  # does not exist (or a dangling symlink): a new regular file
        return False


def _cannot_write(path: Path, exc: OSError) -> OutputError:
    return OutputError(one_line(f"{path}: cannot write ({exc.strerror or exc})"))


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path``: a regular file (new, or through a symlink, its target) through a
    temporary file in the same folder and a rename, with the mode an ordinary write would give
    (the existing file's, or 0666 less the umask); anything else that exists (a device, a FIFO,
    ``/dev/stdout``) is written in place, never replaced. Any failure is an :class:`OutputError`
    with one line, and leaves no temporary file."""
    data = text.encode("utf-8", "replace")  # a lone surrogate (from a file name) becomes "?"
    if _in_place(path):
        try:
            with open(path, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise _cannot_write(path, exc) from None
        return
    real = Path(os.path.realpath(path)) if path.is_symlink() else path
    tmp = None
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        try:
            mode = stat.S_IMODE(os.stat(real).st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            fh.write(data)
        os.replace(tmp, real)
        tmp = None
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def check_output_path(path: str | None) -> None:
    """Raise :class:`InputError` now if the CLI's ``-o`` path cannot take a report (before the
    audit runs, so that no work is lost): a folder, a missing folder, a place that cannot be
    written (a read-only mount, ``/proc``), tried by creating and removing a temporary file."""
    if path is None or path == "-":
        return
    dest = Path(path)
    if dest.is_dir():
        raise InputError(one_line(f"{path}: is a directory; -o needs a file path"))
    if _in_place(dest):
        if not os.access(dest, os.W_OK):
            raise InputError(one_line(f"{path}: cannot write (permission denied)"))
        return
    real = Path(os.path.realpath(dest)) if dest.is_symlink() else dest
    parent = real.parent if str(real.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(one_line(f"{path}: folder {parent} does not exist"))
    probe_folder(parent, path)


def probe_folder(folder: Path, name: str | Path) -> None:
    """Raise :class:`InputError` unless a file can be created in ``folder`` (tried)."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".mtaudit-probe.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(one_line(f"{name}: cannot write ({exc.strerror or exc})")) from None
    os.close(fd)
    Path(tmp).unlink(missing_ok=True)


def write_output(text: str, path: str | None) -> None:
    """The CLI's ``-o``: ``text`` to ``path`` (atomically), or to stdout for None or ``-``."""
    if path is None or path == "-":
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except OSError as exc:
            raise OutputError(f"standard output: cannot write ({exc.strerror or exc})") from None
        return
    check_output_path(path)
    write_atomic(Path(path), text)
