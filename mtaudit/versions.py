"""Installed package versions, for signatures and ``mtaudit doctor``."""

from __future__ import annotations

__all__ = ["installed_version", "package_version"]


def installed_version(dist: str) -> str | None:
    """The installed version of distribution ``dist``, or None when it is not installed."""
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover - Python < 3.8
        return None
    try:
        return version(dist)
    except PackageNotFoundError:
        return None
    except Exception:  # pragma: no cover - a broken install's metadata
        return None


def package_version(dist: str) -> str:
    """The installed version of ``dist``, ``"unknown"`` when it cannot be found."""
    return installed_version(dist) or "unknown"
