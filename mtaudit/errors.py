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
