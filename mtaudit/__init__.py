"""mtaudit: audit machine translation offline — segment, align, check, score, report, gate.

>>> import mtaudit
>>> report = mtaudit.audit(source_text, target_text)          # doctest: +SKIP
>>> report.summary["verdict"]                                  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import InputError, ModelUnavailableError, MtauditError  # noqa: E402
from .report import Finding, Link, Report, Sentence, Side, Signature  # noqa: E402

__all__ = [
    "__version__",
    "audit",
    "audit_pairs",
    "Settings",
    "Report",
    "Side",
    "Sentence",
    "Link",
    "Finding",
    "Signature",
    "InputError",
    "ModelUnavailableError",
    "MtauditError",
]


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    # The pipeline is imported on first use, so that ``import mtaudit.encoders`` stays light.
    if name in ("audit", "audit_pairs"):
        from . import pipeline

        return getattr(pipeline, name)
    if name == "Settings":
        from .config import Settings

        return Settings
    raise AttributeError(f"module 'mtaudit' has no attribute {name!r}")
