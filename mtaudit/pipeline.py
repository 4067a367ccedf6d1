"""The audit pipeline, top to bottom: segment → page furniture → encode → align → fluency →
checks → scores → report.

:func:`audit_documents` takes two documents, :func:`audit_segments` pre-aligned segment pairs;
both take a :class:`~mtaudit.config.Settings` and the :class:`~mtaudit.models.Models` to use.
:func:`audit` and :func:`audit_pairs` are the keyword API over them: they build the settings and
load the models (:func:`mtaudit.models.load_models`) for one call.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields, replace
from typing import Any

import numpy as np

from . import __version__
from .align import align, choose_mode
from .checks import CheckContext, build_checks, run_checks, sort_findings
from .config import PROFILES, Settings
from .encoders import CachingEncoder, Encoder
from .errors import InputError
from .langid import detect_document_language
from .load import Document, Pair
from .models import Models, SegmentScorer, SentenceScorer, load_models
from .report import Link, Report, Sentence, Side, Signature
from .segment import split_lines, split_sentences
from .summary import summarise

__all__ = [
    "PROFILES",
    "Progress",
    "audit",
    "audit_documents",
    "audit_pairs",
    "audit_segments",
    "segment_document",
]

#: Called with a short message as each stage starts (the CLI prints them on a terminal).
Progress = Callable[[str], None]


def _note(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


# --------------------------------------------------------------------------- segment


def _line_starts(text: str) -> list[int]:
    """Start offset of every line, for mapping an offset to a 1-based line number."""
    starts = [0]
    for k, ch in enumerate(text):
        if ch == "\n" or (ch == "\r" and text[k + 1 : k + 2] != "\n"):
            starts.append(k + 1)
    return starts


def segment_document(doc: Document, lang: str | None) -> Side:
    """Split a document into sentences (with offsets and line numbers)."""
    spans = split_lines(doc.text) if doc.presplit else split_sentences(doc.text, lang)
    starts = _line_starts(doc.text)
    sentences = [
        Sentence(index=k, text=doc.text[a:b], start=a, end=b, line=bisect.bisect_right(starts, a))
        for k, (a, b) in enumerate(spans)
    ]
    return Side(lang=lang, sentences=sentences, path=doc.path, text=doc.text)


def _segment(doc: Document, given: str | None) -> Side:
    """Segment with the language if known; else segment generically, detect, re-segment."""
    lang = (given or doc.lang or "").lower() or None
    side = segment_document(doc, lang)
    if lang is None:
        lang = detect_document_language([s.text for s in side.sentences])
        side = segment_document(doc, lang)
    return side


def _check_size(side: Side, name: str, settings: Settings) -> None:
    if not side.sentences:  # e.g. only control, zero-width or bidi characters
        raise InputError(f"{side.path or name}: the document is empty (no visible text)")
    if len(side.sentences) > settings.max_sentences:
        raise InputError(
            f"{side.path or name}: {len(side.sentences)} sentences exceed the limit of "
            f"{settings.max_sentences}; raise it with --max-sentences"
        )


def _pairs_side(
    segments: Sequence[str],
    lines: Sequence[int | None],
    lang: str | None,
    units: Sequence[str | None] | None = None,
) -> Side:
    text = "\n".join(segments)
    sentences = []
    pos = 0
    for k, (seg, line) in enumerate(zip(segments, lines)):
        unit = units[k] if units is not None else None
        sentences.append(
            Sentence(index=k, text=seg, start=pos, end=pos + len(seg), line=line, unit=unit)
        )
        pos += len(seg) + 1
    return Side(lang=lang, sentences=sentences, text=text)


# --------------------------------------------------------------------------- encode


def _content_embeddings(side: Side, encoder: Encoder) -> tuple[list[int], np.ndarray]:
    idx = [s.index for s in side.sentences if not s.furniture]
    emb = encoder.encode([side.sentences[i].text for i in idx], side.lang)
    return idx, emb


def _share_rows(cenc: CachingEncoder, side: Side, idx: list[int], emb: np.ndarray) -> None:
    """Point the encoder cache's entries for ``side``'s sentences at the rows of ``emb`` (the
    same values), so each sentence vector is held once, not also in the encoder's output batch."""
    if emb.ndim != 2 or emb.dtype != np.float32:
        return
    cenc.share_rows([(side.lang, side.sentences[i].text) for i in idx], emb)


def _full_matrix(n: int, idx: list[int], emb: np.ndarray) -> np.ndarray:
    if len(idx) == n and emb.ndim == 2 and emb.dtype == np.float32:
        return emb  # every sentence is content: the rows are already in place (no copy)
    full = np.zeros((n, emb.shape[1] if emb.ndim == 2 else 0), dtype=np.float32)
    if len(idx):
        full[idx] = emb
    return full


# --------------------------------------------------------------------------- the stages after


def _finish(
    ctx: CheckContext,
    settings: Settings,
    models: Models,
    findings: list[Any],
    timing: dict[str, float],
    extra_summary: dict[str, Any],
    *,
    references: Sequence[str] | None,
    progress: Progress | None,
) -> Report:
    """Fluency, checks, scores, summary and signature of an aligned document pair."""
    from .score.fluency import fluency_stage
    from .score.quality import document_quality, score_links

    encoder = ctx.encoder
    assert encoder is not None
    pairs = ctx.mode == "pairs"
    skipped: dict[str, str] = dict(models.notes)
    components: dict[str, str] = {"encoder": f"{encoder.name}=={encoder.version}"}

    if settings.profile == "deep":  # the word tags also read the source-conditioned LM
        from .score.wordtags import conditioned_scorer

        ctx.signals["deep"] = {"scorer": [conditioned_scorer()]}
    t0 = time.perf_counter()
    deadline = None if settings.time_budget is None else t0 + settings.time_budget
    _note(progress, "scoring fluency")
    fluency_stage(
        ctx,
        models.fluency,
        skipped,
        components,
        time_budget=settings.time_budget,
        as_document=not pairs or settings.pairs_in_context,
    )
    timing["fluency"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    _note(progress, "running checks")
    checked = run_checks(ctx, build_checks(settings.checks), deadline=deadline, skipped=skipped)
    findings = sort_findings(findings + checked)
    timing["checks"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    _note(progress, "scoring links")
    score_links(ctx, findings)
    if ctx.signals.get("quality_model"):
        components["quality"] = str(ctx.signals["quality_model"])
    if ctx.signals.get("quality_calibration"):  # an encoder the project has no calibration for
        components["calibration"] = str(ctx.signals["quality_calibration"])
    quality = document_quality(ctx, findings)
    extra_summary["quality"] = None if quality is None else round(float(quality), 2)
    extra_summary.update(_score_stage(ctx, models.comet, references, components))
    timing["score"] = time.perf_counter() - t0

    signature = Signature(
        version=__version__,
        mode=ctx.mode,
        encoder=f"{encoder.name}@{encoder.version}",
        settings=settings.signature_settings(ctx.source.lang, ctx.target.lang, pairs=pairs),
        components=components,
        skipped=skipped,
    )
    summary = summarise(ctx.mode, ctx.source, ctx.target, ctx.links, findings)
    summary.update(extra_summary)
    return Report(
        mode=ctx.mode,
        source=ctx.source,
        target=ctx.target,
        links=ctx.links,
        findings=findings,
        summary=summary,
        signature=signature,
        timing=timing,
    )


def _score_stage(
    ctx: CheckContext,
    comet: SegmentScorer | None,
    references: Sequence[str] | None,
    components: dict[str, str],
) -> dict[str, Any]:
    """COMET and reference-based scores per link (when asked for); returns summary entries."""
    from .score.stage import score_with_comet, score_with_references

    out: dict[str, Any] = {}
    if references is not None:
        out["reference_scores"] = score_with_references(ctx.target, ctx.links, references)
        for name, sig in out["reference_scores"].get("signatures", {}).items():
            components[f"sacrebleu.{name}"] = sig
    if comet is not None:
        out["comet"] = score_with_comet(comet, ctx.source, ctx.target, ctx.links, references)
        components["comet"] = str(getattr(comet, "signature", comet.name))
    return out


# --------------------------------------------------------------------------- documents


def audit_documents(
    source: Document,
    target: Document,
    settings: Settings,
    models: Models,
    *,
    references: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> Report:
    """Audit ``target`` as a translation (or retelling) of ``source`` (see :func:`audit`)."""
    timing: dict[str, float] = {}
    t0 = time.perf_counter()
    _note(progress, "segmenting")
    for doc, name in ((source, "source"), (target, "target")):
        if not doc.text.strip():
            raise InputError(f"{doc.path or name}: the document is empty")
    src_side = _segment(source, settings.src_lang)
    tgt_side = _segment(target, settings.tgt_lang)
    _check_size(src_side, "source", settings)
    _check_size(tgt_side, "target", settings)
    if references is not None and len(references) != len(tgt_side.sentences):
        raise InputError(
            f"the reference has {len(references)} segments but the target has "
            f"{len(tgt_side.sentences)} sentences; give one reference line per target sentence "
            "(with --presplit documents or a pairs file)"
        )
    timing["segment"] = time.perf_counter() - t0

    # Page furniture is marked before alignment: it is kept out of the translation content.
    pre = CheckContext(source=src_side, target=tgt_side, links=[], mode=settings.mode)
    findings = run_checks(pre, build_checks(settings.checks, stage="segment"))

    t0 = time.perf_counter()
    _note(progress, f"encoding {len(src_side.sentences)} + {len(tgt_side.sentences)} sentences")
    enc = models.encoder_for(src_side.lang, tgt_side.lang)
    cenc = CachingEncoder(enc)
    s_idx, s_emb = _content_embeddings(src_side, cenc)
    t_idx, t_emb = _content_embeddings(tgt_side, cenc)
    _share_rows(cenc, src_side, s_idx, s_emb)
    _share_rows(cenc, tgt_side, t_idx, t_emb)
    timing["encode"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    extra: dict[str, Any] = {}
    if settings.mode == "auto":
        chosen, evidence = choose_mode(s_emb, t_emb)
        extra["mode_evidence"] = evidence
    else:
        chosen = settings.mode
    _note(progress, f"aligning ({chosen} mode)")
    raw = align(
        chosen,
        [src_side.sentences[i].text for i in s_idx],
        [tgt_side.sentences[j].text for j in t_idx],
        cenc,
        src_emb=s_emb,
        tgt_emb=t_emb,
        src_lang=src_side.lang,
        tgt_lang=tgt_side.lang,
        center=settings.align_center,
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
    ctx = CheckContext(
        source=src_side,
        target=tgt_side,
        links=links,
        mode=chosen,
        encoder=enc,
        src_emb=_full_matrix(len(src_side.sentences), s_idx, s_emb),
        tgt_emb=_full_matrix(len(tgt_side.sentences), t_idx, t_emb),
    )
    del cenc, s_emb, t_emb, raw
    return _finish(
        ctx, settings, models, findings, timing, extra, references=references, progress=progress
    )


# --------------------------------------------------------------------------- pairs


def audit_segments(
    pairs: Sequence[Pair],
    settings: Settings,
    models: Models,
    *,
    path: str | None = None,
    progress: Progress | None = None,
    l10n: Any = None,
) -> Report:
    """Audit pre-aligned segment pairs (see :func:`audit_pairs`).

    ``l10n`` (a :class:`mtaudit.l10n.L10nInput`, whose pairs these are): sentences carry their
    unit id and file line (the source side its source file's), ``summary.l10n`` lists what was
    not audited, and a file with no translated unit gives a report without pairs.
    """
    if l10n is not None and not pairs:
        pairs = [Pair("", "")]  # audited as one empty pair, then dropped (see below)
    elif not pairs:
        raise InputError(f"{path or 'pairs'}: no segment pairs")
    with_ref = [p.reference is not None for p in pairs]
    if any(with_ref) and not all(with_ref):
        missing = next(p for p in pairs if p.reference is None)
        where = f"{path}:{missing.line}" if path and missing.line else (path or "pairs")
        raise InputError(f"{where}: some pairs have a reference and some do not; give all or none")
    references = [p.reference or "" for p in pairs] if all(with_ref) else None
    if len(pairs) > settings.max_sentences:
        raise InputError(
            f"{path or 'pairs'}: {len(pairs)} pairs exceed the limit of {settings.max_sentences}; "
            "raise it with --max-sentences"
        )
    timing: dict[str, float] = {}
    _note(progress, f"encoding {len(pairs)} pairs")
    lines = [p.line for p in pairs]
    units = [p.extra.get("unit") for p in pairs] if l10n is not None else None
    src_lines = [p.extra.get("source_line", p.line) for p in pairs] if l10n is not None else lines
    src_side = _pairs_side([p.source for p in pairs], src_lines, None, units)
    tgt_side = _pairs_side([p.target for p in pairs], lines, None, units)
    src_side.path = tgt_side.path = path
    if l10n is not None:
        src_side.path = l10n.source_path or path
        settings = replace(
            settings,
            src_lang=settings.src_lang or l10n.source_lang,
            tgt_lang=settings.tgt_lang or l10n.target_lang,
        )
        if not l10n.pairs:
            return _empty_l10n_report(src_side, tgt_side, settings, models, l10n)
    src_side.lang = (settings.src_lang or "").lower() or detect_document_language(
        [p.source for p in pairs]
    )
    tgt_side.lang = (settings.tgt_lang or "").lower() or detect_document_language(
        [p.target for p in pairs]
    )

    t0 = time.perf_counter()
    enc = models.encoder_for(src_side.lang, tgt_side.lang)
    cenc = CachingEncoder(enc)
    s_emb = cenc.encode([p.source for p in pairs], src_side.lang)
    t_emb = cenc.encode([p.target for p in pairs], tgt_side.lang)
    sims = np.einsum("ij,ij->i", s_emb, t_emb)
    del cenc  # its cache duplicates s_emb and t_emb (memory on a long pairs file)
    timing["encode"] = time.perf_counter() - t0
    links = [
        Link(source=[k], target=[k], similarity=float(sims[k]), confidence=1.0)
        for k in range(len(pairs))
    ]
    ctx = CheckContext(
        source=src_side,
        target=tgt_side,
        links=links,
        mode="pairs",
        encoder=enc,
        src_emb=s_emb,
        tgt_emb=t_emb,
    )
    extra: dict[str, Any] = {}
    if l10n is not None:
        extra["l10n"] = l10n.summary()
        ctx.signals["l10n"] = {"format": [l10n.format]}  # for the format-aware checks
        if any("inline" in p.extra for p in pairs):  # Markdown: inline code and link targets
            ctx.signals["l10n_inline"] = {
                "source": [p.extra.get("source_inline") for p in pairs],
                "target": [p.extra.get("inline") for p in pairs],
            }
    return _finish(
        ctx, settings, models, [], timing, extra, references=references, progress=progress
    )


def _empty_l10n_report(
    src_side: Side, tgt_side: Side, settings: Settings, models: Models, l10n: Any
) -> Report:
    """The report of a localisation file with no translated unit: nothing audited, and why."""
    for side, given in ((src_side, settings.src_lang), (tgt_side, settings.tgt_lang)):
        side.sentences, side.text, side.lang = [], "", (given or "").lower() or None
    enc = models.encoder_for(src_side.lang, tgt_side.lang)
    signature = Signature(
        version=__version__,
        mode="pairs",
        encoder=f"{enc.name}@{enc.version}",
        settings=settings.signature_settings(src_side.lang, tgt_side.lang, pairs=True),
        components={"encoder": f"{enc.name}=={enc.version}"},
        skipped={"all": "no translated unit in the file"},
    )
    summary = summarise("pairs", src_side, tgt_side, [], [])
    summary["quality"] = None
    summary["l10n"] = l10n.summary()
    summary["verdict"] = (
        f"nothing audited: none of the {l10n.units} units of {l10n.path} is translated"
    )
    return Report(
        mode="pairs",
        source=src_side,
        target=tgt_side,
        links=[],
        findings=[],
        summary=summary,
        signature=signature,
        timing={},
    )


# --------------------------------------------------------------------------- the keyword API


def _as_document(doc: str | Document, presplit: bool) -> Document:
    if isinstance(doc, Document):
        return doc
    if not isinstance(doc, str):
        raise InputError(f"expected text or a Document, got {type(doc).__name__}")
    return Document(text=doc, presplit=presplit)


def _prepare(
    settings: Settings | None,
    options: Mapping[str, Any],
    encoder: Encoder | str | None,
    fluency: SentenceScorer | bool | None,
    comet: SegmentScorer | None,
) -> tuple[Settings, Models]:
    """The settings of a keyword-API call (``settings`` with the keyword ``options`` over it;
    ``fluency=False`` is the ``fluency`` setting, a scorer object means it is on) and its models."""
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise TypeError(
            f"unknown option(s) {', '.join(unknown)}; the options are the fields of "
            f"mtaudit.Settings: {', '.join(sorted(known))}"
        )
    given = {k: v for k, v in options.items() if v is not None}
    if isinstance(encoder, str):  # a name, as Settings(encoder=...): "e5", "st:PATH"
        given["encoder"], encoder = encoder, None
    if isinstance(fluency, bool):
        given["fluency"] = fluency
    if settings is None:
        settings = Settings(**given)
    elif given:
        settings = replace(settings, **given)
    scorer = None if isinstance(fluency, bool) else fluency
    return settings, load_models(settings, encoder=encoder, fluency=scorer, comet=comet)


def audit(
    source: str | Document,
    target: str | Document,
    *,
    settings: Settings | None = None,
    encoder: Encoder | str | None = None,
    fluency: SentenceScorer | bool | None = None,
    comet: SegmentScorer | None = None,
    references: Sequence[str] | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> Report:
    """Audit ``target`` as a translation (or retelling) of ``source``.

    ``source``/``target`` are texts (paragraphs on lines) or :class:`~mtaudit.load.Document`\\ s.
    The options are the fields of :class:`~mtaudit.config.Settings`, given as ``settings=`` or as
    keywords (which override ``settings``): e.g. ``src_lang="en"``, ``mode="comparable"`` (a
    retold article; ``"translation"`` is monotone, ``"auto"`` chooses), ``checks={code:
    {"enabled": False}}``, ``profile="fast"`` (no language model), ``time_budget=30``.

    Models: ``encoder`` (default: the bundled encoder for the language pair; an object, or a
    name as for ``Settings(encoder=…)``: ``"e5"``, ``"st:/path/to/model"``), ``fluency`` (a
    fluency scorer; ``None`` for the bundled one when installed, ``False`` to skip the
    language-model checks), ``comet`` (a :class:`~mtaudit.score.CometScorer`, adds COMET per
    link). ``references`` (one per target sentence) adds BLEU/chrF/chrF++/TER per link;
    ``progress`` is called as each stage starts. Bad input raises
    :class:`~mtaudit.errors.InputError`.
    """
    settings, models = _prepare(settings, options, encoder, fluency, comet)
    return audit_documents(
        _as_document(source, settings.presplit),
        _as_document(target, settings.presplit),
        settings,
        models,
        references=references,
        progress=progress,
    )


def audit_pairs(
    pairs: Sequence[Pair] | Sequence[tuple[str, str]],
    *,
    settings: Settings | None = None,
    path: str | None = None,
    encoder: Encoder | str | None = None,
    fluency: SentenceScorer | bool | None = None,
    comet: SegmentScorer | None = None,
    progress: Progress | None = None,
    in_context: bool | None = None,
    **options: Any,
) -> Report:
    """Audit pre-aligned segment pairs: segment *i* of each side is pair *i*, and so is ``links[i]``.

    Segments are not re-split and page-furniture detection does not run (each pair is content).
    Pairs with a ``reference`` (all or none) add BLEU/chrF/chrF++/TER per pair. ``in_context=True``
    (the ``pairs_in_context`` setting) tells the fluency LM that the pairs are consecutive
    segments of one document, read as running text. Options and models are as for :func:`audit`;
    ``path`` names the pairs file in messages and the report.
    """
    if in_context is not None:
        options = {**options, "pairs_in_context": in_context}
    settings, models = _prepare(settings, options, encoder, fluency, comet)
    items = [p if isinstance(p, Pair) else Pair(*p) for p in pairs]
    return audit_segments(items, settings, models, path=path, progress=progress)
