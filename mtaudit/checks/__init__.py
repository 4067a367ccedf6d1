"""Checks: named, switchable detectors that turn evidence into findings with reason codes.

:data:`BUILTIN_CHECKS` lists every built-in check, one module each, in the order they run (the
order of :data:`REGISTRY`, of ``mtaudit checks`` and of the findings' evidence); a check that
reads another's findings names it in ``uses`` and comes after it. :func:`register` adds a check
of your own after them. Adding a check: ``docs/extending.md``.
"""

from __future__ import annotations

from .accelerator_mismatch import AcceleratorMismatchCheck
from .addition import AdditionCheck
from .base import (
    REGISTRY,
    Check,
    CheckContext,
    build_checks,
    known_codes,
    register,
    run_checks,
    sort_findings,
)
from .brace_mismatch import BraceMismatchCheck
from .error_span import ErrorSpanCheck
from .fluency import FluencyCheck, GarbledCheck
from .furniture import FurnitureCheck
from .icu_mismatch import IcuMismatchCheck
from .markdown_mismatch import MarkdownMismatchCheck
from .markup_mismatch import MarkupMismatchCheck
from .mistranslation import MistranslationCheck
from .name_mismatch import NameMismatchCheck
from .number_mismatch import NumberMismatchCheck
from .omission import OmissionCheck
from .printf_mismatch import PrintfMismatchCheck
from .repetition import RepetitionCheck
from .truncated import TruncatedCheck
from .untranslated import UntranslatedCheck
from .url_mismatch import UrlMismatchCheck
from .whitespace_mismatch import WhitespaceMismatchCheck
from .wrong_language import WrongLanguageCheck

__all__ = [
    "BUILTIN_CHECKS",
    "REGISTRY",
    "Check",
    "CheckContext",
    "build_checks",
    "known_codes",
    "register",
    "run_checks",
    "sort_findings",
]

#: The built-in checks, in run order.
BUILTIN_CHECKS: tuple[type[Check], ...] = (
    FurnitureCheck,  # segment stage: page furniture, kept out of alignment
    UntranslatedCheck,
    WrongLanguageCheck,
    OmissionCheck,
    AdditionCheck,
    NumberMismatchCheck,
    NameMismatchCheck,
    RepetitionCheck,
    TruncatedCheck,
    GarbledCheck,
    FluencyCheck,
    MistranslationCheck,  # uses number_mismatch and name_mismatch
    # placeholders and markup (issue 21): what a translation must carry over unchanged
    PrintfMismatchCheck,
    BraceMismatchCheck,
    IcuMismatchCheck,
    MarkupMismatchCheck,
    UrlMismatchCheck,
    MarkdownMismatchCheck,
    WhitespaceMismatchCheck,
    AcceleratorMismatchCheck,
    ErrorSpanCheck,
)

for _check in BUILTIN_CHECKS:
    register(_check)
