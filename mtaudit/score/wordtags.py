"""The word-tag stage: a probability per target word that it is wrong (``Sentence.tokens``).

Runs at the end of the fluency stage, before the checks. Every content target sentence in a link
is tagged by :func:`mtaudit.wordtags.tag_words` against the link's joined source sentences; when
the fluency LM read the sentence, its per-word scores are reused (profile ``lm``), otherwise the
LM-free profile ``lex`` tags it (the ``fast`` profile, targets the LM does not read). Results go
to ``Sentence.tokens`` (offsets into the target side's text) and to
``ctx.signals["word_tags"]["target"][i]`` as ``(spans, p_bad, profile, threshold, peaks)`` with
sentence-local spans, for the ``error_span`` check. The link cosine and length ratio also enter
relative to the document's medians (:data:`mtaudit.wordtags.DOC_FEATURES`).
"""

from __future__ import annotations

from typing import Any

from ..checks.base import CheckContext

__all__ = ["TAG_COMPARABLE", "word_tag_stage"]

#: Tag comparable (retold-article) mode too. Off: on retellings of good human translations the
#: tags flag far more sentences than on translations (docs/benchmarks.md, issue 20 session 25);
#: ``benchmarks/bench_word_tags.py --retold`` turns it on to measure that.
TAG_COMPARABLE = False


def word_tag_stage(ctx: CheckContext, components: dict[str, str]) -> None:
    """Tag the target's words (nothing in comparable mode or when the model file is missing)."""
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
    for lk, source, adq, _ in linked:
        for j in lk.target:
            sent = tgt.sentences[j]
            if sent.furniture or not sent.text.strip() or out[j] is not None:
                continue
            res = flu[j] if j < len(flu) else None
            ws = getattr(res, "words", None)
            lm = norm = None
            if ws is not None and "lm" in getattr(res, "groups", ()):
                lm, norm = ws.lm, ws.norm
            spans, p, prof = tag_words(
                source, sent.text, src.lang, tgt.lang, model, lm, norm, adq, doc
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
