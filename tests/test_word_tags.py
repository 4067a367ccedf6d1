"""Word-level error tags: features, runs, the stage, the ``error_span`` check, the schema."""

from __future__ import annotations

import jsonschema
import numpy as np
import pytest

import mtaudit
from mtaudit.checks.base import CheckContext
from mtaudit.checks.error_span import ErrorSpanCheck
from mtaudit.encoders import HashingEncoder
from mtaudit.report import Link, Sentence, Side
from mtaudit.wordtags import (
    DOC_FEATURES,
    LEX_FEATURES,
    LM_FEATURES,
    DocStats,
    WordTagModel,
    WordTagProfile,
    doc_stats,
    len_ratio,
    load_word_tag_model,
    runs,
    tag_words,
    word_features,
)


def _profile(name: str, feats: list[str], weights: dict[str, float], thr: float = 0.5):
    w = np.array([weights.get(k, 0.0) for k in feats])
    return WordTagProfile(
        name, feats, np.zeros(len(feats)), np.ones(len(feats)), None, None, w, 0.0, thr
    )


def _fake_model() -> WordTagModel:
    """``p_bad`` high for words not copied from the source (lex) or with a low LM score (lm)."""
    lex = list(LEX_FEATURES)
    lm = lex + list(LM_FEATURES)
    return WordTagModel(
        {
            "lex": _profile("lex", lex, {"bias": 3.0, "copied": -6.0, "is_punct": -10.0}),
            "lm": _profile("lm", lm, {"bias": -2.0, "norm": -1.0, "is_punct": -10.0}),
        },
        {"version": "test"},
    )


def test_features_spans_and_groups() -> None:
    spans, f = word_features("Le chat 12.", "The cat 13 sat.", "fr", "en")
    assert [("The cat 13 sat."[s:e]) for s, e in spans] == ["The", "cat", "13", "sat", "."]
    assert set(LEX_FEATURES) <= set(f) and "lm" not in f
    assert f["num_unsupported"].tolist() == [0, 0, 1, 0, 0]
    assert f["is_punct"].tolist() == [0, 0, 0, 0, 1]
    assert f["rel_pos"][0] == 0.0 and f["rel_pos"][-1] == 1.0
    _, f2 = word_features("x", "The cat 13 sat.", "fr", "en", lm=-np.ones(5), norm=-np.ones(5))
    assert set(LM_FEATURES) <= set(f2)
    assert word_features("x", "", "fr", "en") == ([], {})


def test_cjk_characters_are_words() -> None:
    spans, _ = word_features("x", "他们的统治 in 2006年。", "en", "zh")
    text = "他们的统治 in 2006年。"
    assert [text[s:e] for s, e in spans] == ["他", "们", "的", "统", "治", "in", "2006", "年", "。"]


def test_runs_join_over_punctuation() -> None:
    p = [0.9, 0.1, 0.8, 0.9, 0.7, 0.1, 0.9]
    punct = [False, False, False, False, True, False, False]
    assert runs(p, 0.5, punct) == [(0, 1), (2, 4), (6, 7)]
    p = [0.1, 0.9, 0.9, 0.9, 0.1]
    assert runs(p, 0.5, [False, False, True, False, False]) == [(1, 4)]
    assert runs([0.9], 0.5, [True]) == []


def test_profiles_and_missing_features() -> None:
    model = _fake_model()
    spans, p, prof = tag_words("Le chat", "The chat", "fr", "en", model)
    assert prof == "lex" and p[1] < 0.5 < p[0]
    spans, p, prof = tag_words("x", "a b", "fr", "en", model, np.zeros(2), np.array([0.0, -8.0]))
    assert prof == "lm" and p[1] > p[0]
    # a feature the caller did not compute reads the training mean
    pr = _profile("x", ["bias", "adq"], {"adq": 5.0})
    _, f = word_features("a", "b c", "en", "en")
    assert np.allclose(pr.predict(f), 0.5)


def _ctx(model_p: list[float]) -> CheckContext:
    text = "The cat sat on the mat ."
    tgt = Side("en", [Sentence(0, text, 10, 10 + len(text))], text=" " * 10 + text)
    src = Side("fr", [Sentence(0, "Le chat", 0, 7)], text="Le chat")
    spans, _ = word_features("Le chat", text, "fr", "en")
    ctx = CheckContext(src, tgt, [Link([0], [0], 0.9)], "pairs")
    ctx.signals["word_tags"] = {"target": [(spans, np.array(model_p), "lex", 0.5)]}
    return ctx


def test_error_span_check_runs_and_severity() -> None:
    ctx = _ctx([0.1, 0.95, 0.7, 0.1, 0.55, 0.55, 0.9])
    found = list(ErrorSpanCheck().run(ctx))
    # "cat sat" (peak 0.95; minor by default); "the mat" (peak 0.55 < min_peak): not reported
    assert len(found) == 1
    f = found[0]
    assert f.code == "error_span" and f.severity == "minor"
    assert [x.severity for x in ErrorSpanCheck(major_peak=0.85).run(ctx)] == ["major"]
    assert ctx.target.text[f.span[0] : f.span[1]] == "cat sat"
    assert f.evidence["words"] == 2
    found = list(ErrorSpanCheck(min_peak=0.5, major_peak=0.99).run(ctx))
    assert [ctx.target.text[a:b] for a, b in (x.span for x in found)] == ["cat sat", "the mat"]
    assert all(x.severity == "minor" for x in found)
    assert list(ErrorSpanCheck().run(CheckContext(ctx.source, ctx.target, [], "pairs"))) == []


def test_error_span_peaks_come_from_the_profile() -> None:
    ctx = _ctx([0.1, 0.95, 0.7, 0.1, 0.55, 0.55, 0.9])
    spans, p, prof, thr = ctx.signals["word_tags"]["target"][0]
    ctx.signals["word_tags"]["target"][0] = (spans, p, prof, thr, {"minor": 0.5, "major": 0.9})
    found = list(ErrorSpanCheck().run(ctx))
    assert [x.severity for x in found] == ["minor", "minor"]  # majors only when asked for
    found = list(ErrorSpanCheck(calibrated_major=True).run(ctx))
    assert [x.severity for x in found] == ["major", "minor"]  # "cat sat" 0.95, "the mat" 0.55
    ctx.signals["word_tags"]["target"][0] = (spans, p, prof, thr, {"minor": 0.96, "major": 0.99})
    assert list(ErrorSpanCheck().run(ctx)) == []
    # the check's params override the profile's peaks; a major_peak above 1: never major
    found = list(ErrorSpanCheck(min_peak=0.6, major_peak=1.5).run(ctx))
    assert [x.severity for x in found] == ["minor"]


def test_document_relative_features() -> None:
    assert len_ratio("a b", "a b c d") == pytest.approx(np.log(2))
    st = doc_stats([0.2, 0.4, None, 0.6, 0.8], [0.0, 0.1, 0.2, 0.3, 0.4])
    assert st.adq_median == pytest.approx(0.5) and st.len_ratio_median == pytest.approx(0.2)
    assert doc_stats([0.5, 0.6], [0.0, 0.1]) == DocStats(None, None)  # too few links
    _, f = word_features("a b", "a b c d", "en", "en", adq=0.3, doc=st)
    assert set(DOC_FEATURES) <= set(f)
    assert np.allclose(f["adq_rel"], -0.2) and np.allclose(f["len_rel"], np.log(2) - 0.2)
    # the script-neutral length ratio: a CJK character is 1/1.5 of a word
    _, f = word_features("他们的统治", "their rule", "zh", "en")
    assert np.allclose(f["len_ratio_sn"], np.log(2 / (5 / 1.5)))
    _, f = word_features("a b", "a b c d", "en", "en", adq=0.3)
    assert np.allclose(f["adq_rel"], 0.0) and np.allclose(f["len_rel"], 0.0)


def test_sentence_tokens_serialisation() -> None:
    s = Sentence(0, "a", 0, 1)
    assert "tokens" not in s.to_dict()
    s.tokens = [{"start": 0, "end": 1, "p_bad": 0.25}]
    assert s.to_dict()["tokens"] == s.tokens


@pytest.mark.skipif(load_word_tag_model() is None, reason="no word-tag model file")
def test_pipeline_tags_targets_without_lm(report_schema) -> None:
    rep = mtaudit.audit_pairs(
        [("Le chat est sur la table.", "The cat is on the table."), ("Bonjour.", "")],
        src_lang="fr",
        tgt_lang="en",
        encoder=HashingEncoder(),
        fluency=False,
    )
    d = rep.to_dict()
    jsonschema.validate(d, report_schema)
    assert d["schema_version"] == "1.1"
    toks = rep.target.sentences[0].tokens
    assert toks is not None and len(toks) == 7
    t = rep.target.text
    assert [t[x["start"] : x["end"]] for x in toks][:2] == ["The", "cat"]
    assert all(0.0 <= x["p_bad"] <= 1.0 for x in toks)
    assert "tokens" not in d["source"]["sentences"][0]
    assert rep.signature.components["word_tags"].endswith("profiles=lex")


@pytest.mark.skipif(load_word_tag_model() is None, reason="no word-tag model file")
def test_bundled_model_has_both_profiles() -> None:
    m = load_word_tag_model()
    assert m is not None and {"lex", "lm", "lm/ro-en", "lex/en-de"} <= set(m.profiles)
    assert m.profile_for("ro", "en", lm=True).name == "lm/ro-en"
    assert m.profile_for("ro", "en", lm=False).name == "lex/ro-en"
    assert m.profile_for("fr", "en", lm=True).name == "lm"
    assert m.profile_for("fr", "de", lm=False).name == "lex"
    for prof in m.profiles.values():
        assert 0.0 < prof.threshold < 1.0
        assert prof.threshold <= prof.peaks["minor"] <= prof.peaks["major"]
        # pooled profiles (unseen pairs) are never major by default
        assert (prof.peaks["major"] > 1.0) == (prof.name in ("lex", "lm"))
        assert len(prof.mean) == len(prof.features) == len(prof.scale)


def test_word_frequencies_of_languages_whose_tokenizer_is_missing() -> None:
    """wordfreq needs MeCab for Japanese and Korean: without it they count as not covered
    (the fuzz suite found a Korean document raising ModuleNotFoundError)."""
    import importlib.util

    from mtaudit.fluency.lexical import wordfreq_covers

    pytest.importorskip("wordfreq")
    if importlib.util.find_spec("MeCab") is None:
        assert not wordfreq_covers("ko") and not wordfreq_covers("ja")
    assert wordfreq_covers("en")
    rep = mtaudit.audit_pairs(
        [("Hello world.", "안녕하세요 세계.")],
        src_lang="en",
        tgt_lang="ko",
        fluency=False,
        encoder=HashingEncoder(),
    )
    assert rep.target.sentences[0].text


@pytest.mark.skipif(load_word_tag_model() is None, reason="no word-tag model file")
def test_comparable_mode_is_not_tagged() -> None:
    doc = "The cat is on the table. It sleeps there all day."
    rep = mtaudit.audit(
        doc, doc, src_lang="en", tgt_lang="en", mode="comparable", encoder=HashingEncoder(),
        fluency=False,
    )  # fmt: skip
    assert all(s.tokens is None for s in rep.target.sentences)
    assert not [f for f in rep.findings if f.code == "error_span"]


def test_error_span_calibrated_major_must_be_a_boolean() -> None:
    from mtaudit.checks import build_checks
    from mtaudit.errors import InputError

    with pytest.raises(InputError, match="calibrated_major must be true or false"):
        build_checks({"error_span": {"calibrated_major": "yes"}})
    assert build_checks({"error_span": {"calibrated_major": True}})
