"""The check framework: named, individually switchable checks that return findings with reason codes.

In the spirit of bicleaner-hardrules, each check has a stable ``code`` (the reason code that
appears in reports), a default severity, and parameters that a user can override from config.
A check receives a read-only :class:`CheckContext` and yields :class:`~mtaudit.report.Finding`\\ s.

Config is a plain mapping ``{code: {"enabled": bool, "severity": str, <param>: value, ...}}``;
unknown codes or parameters are an :class:`~mtaudit.errors.InputError`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ..encoders import Encoder
from ..errors import InputError
from ..report import SEVERITIES, Finding, Link, Side

__all__ = [
    "CheckContext",
    "Check",
    "REGISTRY",
    "STAGES",
    "register",
    "build_checks",
    "run_checks",
    "sort_findings",
]


@dataclass
class CheckContext:
    """Everything a check may look at. Checks must not modify it.

    ``links`` holds only links with both sides non-empty; a content sentence in no link is an
    omission (source) or addition (target). ``src_emb``/``tgt_emb`` are per-sentence embeddings
    (rows align with ``source.sentences`` / ``target.sentences``) when an encoder ran.
    ``signals`` is where earlier stages leave per-side, per-sentence numbers for later checks,
    e.g. ``signals["fluency"]["target"][i]``. ``earlier`` is filled by :func:`run_checks` while it
    runs: for each check already run, ``code -> (check, its findings)``, so a later check that
    needs another check's findings can reuse them (it must check that the instance is configured
    as it needs, and run its own otherwise).
    """

    source: Side
    target: Side
    links: list[Link]
    mode: str
    encoder: Encoder | None = None
    src_emb: np.ndarray | None = None
    tgt_emb: np.ndarray | None = None
    signals: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    earlier: dict[str, tuple[Check, list[Finding]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def side(self, name: str) -> Side:
        """The side called ``name``."""
        return self.source if name == "source" else self.target

    def links_of(self, side: str, index: int) -> list[Link]:
        """The links that contain sentence ``index`` of ``side``."""
        return [lk for lk in self.links if index in (lk.source if side == "source" else lk.target)]


class Check:
    """Base class of all checks. Subclasses set ``code``, ``default_severity``, ``params``."""

    #: Stable reason code, e.g. ``"number_mismatch"``.
    code: ClassVar[str] = ""
    #: One of ``minor``, ``major``, ``critical``.
    default_severity: ClassVar[str] = "major"
    #: Default parameters; config may override any of them (and only them).
    params: ClassVar[dict[str, Any]] = {}
    #: One line for ``docs/checks.md`` and ``mtaudit checks``.
    description: ClassVar[str] = ""
    #: When the check runs: ``"segment"`` (right after segmentation, before alignment; it may
    #: mark sentences, as page furniture does) or ``"check"`` (after alignment and fluency).
    stage: ClassVar[str] = "check"
    #: Codes of the checks whose findings this one reads from ``ctx.earlier`` (they run first).
    uses: ClassVar[tuple[str, ...]] = ()
    #: The sub-kinds its findings may carry (``"partial"`` → code ``untranslated.partial``);
    #: policies may name them, and :meth:`finding` refuses any other.
    kinds: ClassVar[tuple[str, ...]] = ()

    def __init__(self, severity: str | None = None, **overrides: Any) -> None:
        unknown = set(overrides) - set(self.params)
        if unknown:
            raise InputError(
                f"check '{self.code}': unknown parameter(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(sorted(self.params)) or 'none'}"
            )
        sev = severity or self.default_severity
        if sev not in SEVERITIES:
            raise InputError(
                f"check '{self.code}': severity must be one of {SEVERITIES}, not {sev!r}"
            )
        self.severity: str = sev
        self.p: dict[str, Any] = {**self.params, **overrides}

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        """Yield the findings for this document pair."""
        raise NotImplementedError

    def finding(
        self,
        side: str,
        sentence: int | None,
        span: tuple[int, int] | None,
        message: str,
        evidence: Mapping[str, Any] | None = None,
        *,
        severity: str | None = None,
        code: str | None = None,
    ) -> Finding:
        """Make a finding of this check (``code`` may add a sub-kind declared in :attr:`kinds`,
        e.g. ``untranslated.partial``)."""
        if code is not None and code != self.code:
            head, _, kind = code.partition(".")
            if head != self.code or kind not in self.kinds:
                raise ValueError(
                    f"check {self.code!r} made a finding with code {code!r}; declare the kind "
                    f"in {type(self).__name__}.kinds"
                )
        return Finding(
            code=code or self.code,
            severity=severity or self.severity,  # type: ignore[arg-type]
            side=side,  # type: ignore[arg-type]
            sentence=sentence,
            span=span,
            message=message,
            evidence=dict(evidence or {}),
        )


#: All known checks by code, in the order they run (the built-in ones are listed in
#: :mod:`mtaudit.checks`; :func:`register` adds more).
REGISTRY: dict[str, type[Check]] = {}

STAGES = ("segment", "check")


def register(cls: type[Check]) -> type[Check]:
    """Add a check to :data:`REGISTRY` under its ``code`` (it runs after those already there);
    usable as a class decorator for a check of your own. Raises ``ValueError`` for a check
    without a code, with an unknown stage, or using a check that does not run before it."""
    if not cls.code:
        raise ValueError(f"{cls.__name__} has no code")
    if cls.stage not in STAGES:
        raise ValueError(f"check {cls.code!r}: stage must be one of {STAGES}, not {cls.stage!r}")
    for used in cls.uses:
        if used not in REGISTRY or used == cls.code:
            raise ValueError(
                f"check {cls.code!r} uses {used!r}, which must be registered before it"
            )
    REGISTRY[cls.code] = cls
    return cls


def known_codes() -> dict[str, str]:
    """Every finding code the registered checks can give (``code`` and ``code.kind``), each with
    the check it belongs to: what a policy may name."""
    out: dict[str, str] = {}
    for code, cls in REGISTRY.items():
        out[code] = code
        for kind in cls.kinds:
            out[f"{code}.{kind}"] = code
    return out


def build_checks(
    config: Mapping[str, Mapping[str, Any]] | None = None, *, stage: str = "check"
) -> list[Check]:
    """Instantiate the enabled checks of ``stage``, applying ``config`` overrides.

    ``config`` maps a check code (of any stage) to ``{"enabled": bool, "severity": str,
    <param>: value}``; every entry is validated, whatever the stage.
    """
    config = dict(config or {})
    unknown = set(config) - set(REGISTRY)
    if unknown:
        raise InputError(
            f"unknown check code(s): {', '.join(sorted(unknown))}; known: {', '.join(REGISTRY)}"
        )
    checks: list[Check] = []
    for code, cls in REGISTRY.items():
        conf = dict(config.get(code, {}))
        enabled = conf.pop("enabled", True)
        if not isinstance(enabled, bool):
            raise InputError(f"check '{code}': 'enabled' must be true or false")
        if not enabled:
            continue
        check = cls(**conf)  # validates the parameters
        if cls.stage == stage:
            checks.append(check)
    return checks


def sort_findings(findings: Sequence[Finding]) -> list[Finding]:
    """Findings in report order: by side, sentence, span and code."""
    side_order = {"source": 0, "target": 1}
    return sorted(
        findings,
        key=lambda f: (
            side_order.get(f.side, 2),
            -1 if f.sentence is None else f.sentence,
            f.span or (-1, -1),
            f.code,
        ),
    )


def run_checks(
    ctx: CheckContext,
    checks: Sequence[Check],
    *,
    deadline: float | None = None,
    skipped: dict[str, str] | None = None,
) -> list[Finding]:
    """Run ``checks`` over ``ctx``; findings come back sorted by side, sentence, span and code.

    With ``deadline`` (a :func:`time.perf_counter` value), the checks not yet started when it has
    passed are not run, and ``skipped["checks.time_budget"]`` names them.
    """
    findings: list[Finding] = []
    ctx.earlier = {}
    try:
        for n, check in enumerate(checks):
            if deadline is not None and time.perf_counter() >= deadline:
                left = [c.code for c in checks[n:]]
                if skipped is not None:
                    skipped["checks.time_budget"] = (
                        f"time budget spent: {len(left)} check(s) not run: {', '.join(left)}"
                    )
                break
            found = list(check.run(ctx))
            ctx.earlier[check.code] = (check, found)
            findings.extend(found)
    finally:
        ctx.earlier = {}
    return sort_findings(findings)
