"""Exceptions raised by mtaudit's public API.

Every error a user can cause with bad input is an :class:`InputError`; the CLI turns it into a
one-line message and exit code 2.
"""

from __future__ import annotations

import re


class MtauditError(Exception):
    """Base class for all mtaudit errors."""


class InputError(MtauditError, ValueError):
    """The input (a file, an argument, a setting) cannot be used. The message says how to fix it."""


class OutputError(MtauditError, OSError):
    """An output (a report, an index, a folder) cannot be written: the CLI exits 2 with one line."""


class ModelUnavailableError(MtauditError, RuntimeError):
    """A model or optional component is not installed or cannot be loaded offline."""


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# C0 and C1 controls, DEL, line/paragraph separators, bidi controls and lone surrogates
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """``text`` made safe to print on one line: newlines, control characters, bidi controls and
    lone surrogates escaped as ``\\n``, ``\\x1b``, ``\\u202e`` … The one sanitiser for every
    message that echoes user text (stderr, the batch/corpus index), so a file name cannot start
    a new line (a GitHub workflow command such as ``::error::``) or reorder the terminal."""
    return _UNSAFE.sub(_escape, text)


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, made safe (:func:`one_line`; its type name when
    the message is empty): for short notes, such as why an optional model was not loaded."""
    text = str(exc).strip()
    return one_line(text.splitlines()[0]) if text else type(exc).__name__


def error_line(exc: BaseException) -> str:
    """An exception's whole message on one line (:func:`one_line`; its type name when the
    message is empty), for reports of errors that did not stop the run and for stderr."""
    text = str(exc)
    return one_line(text.strip()) if text.strip() else type(exc).__name__
