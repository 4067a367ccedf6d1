"""Checks: named, switchable detectors that turn evidence into findings with reason codes.

The built-in checks are the modules imported below, in the order they run (the order of
:data:`REGISTRY`, and of ``mtaudit checks``); a missing module is an import error, never a
silently skipped check. A check that reads another's findings declares it in ``uses`` and
runs after it. Adding a check: ``docs/extending.md``.
"""

# ruff: noqa: I001
from __future__ import annotations

from . import furniture  # noqa: F401  (segment stage: page furniture, before alignment)
from . import crosslingual, surface, fluency, critical  # noqa: F401, I001
from .base import (
    REGISTRY,
    Check,
    CheckContext,
    build_checks,
    register,
    run_checks,
    sort_findings,
)

__all__ = [
    "REGISTRY",
    "Check",
    "CheckContext",
    "build_checks",
    "register",
    "run_checks",
    "sort_findings",
]
