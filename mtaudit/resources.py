"""The data files shipped in ``mtaudit/data``: models, word lists and tables."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["DATA", "data_path", "read_json", "read_words"]

#: The package's data folder.
DATA = Path(__file__).resolve().parent / "data"


def data_path(name: str) -> Path:
    """The path of data file ``name`` (relative to :data:`DATA`)."""
    return DATA / name


@lru_cache(maxsize=64)
def read_words(name: str) -> frozenset[str]:
    """The words of a word list in :data:`DATA` (one per line; ``#`` lines are comments)."""
    lines = data_path(name).read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=16)
def read_json(name: str) -> Any:
    """A JSON data file of :data:`DATA` (parsed once per process; do not modify the result)."""
    return json.loads(data_path(name).read_text(encoding="utf-8"))
