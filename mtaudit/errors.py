"""Exceptions raised by mtaudit's public API.

Every error a user can cause with bad input is an :class:`InputError`; the CLI turns it into a
one-line message and exit code 2.
"""

from __future__ import annotations


class MtauditError(Exception):
    """Base class for all mtaudit errors."""


class InputError(MtauditError, ValueError):
    """The input (a file, an argument, a setting) cannot be used. The message says how to fix it."""


class ModelUnavailableError(MtauditError, RuntimeError):
    """A model or optional component is not installed or cannot be loaded offline."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type name when the message is empty), for
    one-line reports of errors that did not stop the run."""
    text = str(exc)
    return text.splitlines()[0] if text.strip() else type(exc).__name__
