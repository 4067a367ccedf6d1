"""Checks: named, switchable detectors that turn evidence into findings with reason codes."""

from __future__ import annotations

from .base import REGISTRY, Check, CheckContext, build_checks, register, run_checks

__all__ = ["REGISTRY", "Check", "CheckContext", "build_checks", "register", "run_checks"]
