"""The source-conditioned LM (mtaudit.fluency.conditioned) and its word-tag features."""

from __future__ import annotations

import numpy as np
import pytest

from mtaudit.fluency.conditioned import (
    ConditionedScorer,
    ConditionedScores,
    prompt,
    word_logprobs,
)
from mtaudit.wordtags import DEEP_FEATURES, deep_features, word_features, word_spans


class FakeConditioned:
    """Splits the target on spaces; a token found in the source gains 3 nats."""

    name = "fake-conditioned"
    version = "1"

    def conditioned_logprobs(self, sources, targets, src_lang, tgt_lang):
        out = []
        for src, tgt in zip(sources, targets, strict=True):
            toks, offs, pos = [], [], 0
            for w in tgt.split(" "):
                s = tgt.index(w, pos)
                toks.append(w)
                offs.append((s, s + len(w)))
                pos = s + len(w)
            unc = np.full(len(toks), -5.0)
            cond = unc + np.array([3.0 if t.lower() in src.lower() else 0.0 for t in toks])
            out.append(ConditionedScores(toks, offs, cond, unc))
        return out


def test_fake_satisfies_protocol():
    assert isinstance(FakeConditioned(), ConditionedScorer)


def test_scores_validate_lengths():
    with pytest.raises(ValueError):
        ConditionedScores(["a"], [(0, 1)], np.zeros(1), np.zeros(2))
    sc = ConditionedScores(["a", " b"], [(0, 1), (1, 3)], np.array([-1.0, -2.0]), np.full(2, -3.0))
    assert sc.gain.tolist() == [2.0, 1.0]
    assert sc.as_token_scores("uncond").logprobs.tolist() == [-3.0, -3.0]


def test_prompt_names_languages():
    assert prompt("Der  Hund\nläuft.", "de", "en") == "German: Der Hund läuft.\nEnglish:\n"
    assert prompt("x", "xx", None).startswith("xx: x\nSource:")


def test_word_logprobs_sums_tokens_into_words():
    text = "The dog, runs."
    spans = word_spans(text)
    assert [text[s:e] for s, e in spans] == ["The", "dog", ",", "runs", "."]
    offs = [(0, 3), (3, 5), (5, 7), (7, 8), (8, 13), (13, 14)]  # "The", " d", "og", ",", ...
    vals = np.array([-1.0, -2.0, -0.5, -0.1, -3.0, -0.2])
    out = word_logprobs(text, offs, vals, spans)
    assert out.tolist() == pytest.approx([-1.0, -2.5, -0.1, -3.0, -0.2])
    # a whitespace-only token goes to the next word
    out = word_logprobs("a  b", [(0, 1), (1, 2), (2, 4)], np.array([-1.0, -0.5, -2.0]),
                        word_spans("a  b"))  # fmt: skip
    assert out.tolist() == pytest.approx([-1.0, -2.5])


def test_word_logprobs_shares_a_token_over_cjk_words():
    text = "我们去"
    spans = word_spans(text)
    assert len(spans) == 3
    out = word_logprobs(text, [(0, 2), (2, 3)], np.array([-4.0, -1.0]), spans)
    assert out.tolist() == pytest.approx([-2.0, -2.0, -1.0])


def test_deep_features_columns():
    f = deep_features(np.array([-1.0, -8.0, -2.0]), np.array([-6.0, -7.0, -2.5]))
    assert set(f) == set(DEEP_FEATURES)
    assert f["d_gain"].tolist() == [5.0, -1.0, 0.5]
    assert f["d_prev_gain"].tolist() == [0.0, 5.0, -1.0]
    assert f["d_next_gain"].tolist() == [-1.0, 0.5, 0.0]
    assert f["d_win3_cond"].tolist() == [-8.0, -8.0, -8.0]
    assert f["d_sent_gain"][0] == pytest.approx(1.5)


def test_word_features_take_deep_columns_only_when_aligned():
    src, tgt = "Der Hund läuft.", "The dog runs."
    n = len(word_spans(tgt))
    _, f = word_features(src, tgt, "de", "en", deep=(np.full(n, -1.0), np.full(n, -2.0)))
    assert f["d_gain"].tolist() == [1.0] * n
    _, f = word_features(src, tgt, "de", "en", deep=(np.full(n + 1, -1.0), np.full(n + 1, -2.0)))
    assert "d_gain" not in f


def _gemma():
    from mtaudit.errors import ModelUnavailableError
    from mtaudit.fluency.conditioned import GemmaConditionedScorer

    sc = GemmaConditionedScorer(n_threads=1)
    try:
        sc._llm()
    except (ModelUnavailableError, ImportError) as exc:
        pytest.skip(f"multilingual LM not installed: {exc}")
    return sc


def test_gemma_conditioned_real_model():
    sc = _gemma()
    src = ["Der Hund läuft schnell über die Straße.", "Hallo."]
    tgt = ["The dog runs quickly across the street.", ""]
    res = sc.conditioned_logprobs(src, tgt, "de", "en")
    assert len(res) == 2 and res[1].tokens == []
    r = res[0]
    assert "".join(r.tokens) == tgt[0]
    assert len(r.cond) == len(r.uncond) == len(r.offsets)
    # the source makes its translation far more likely; the unconditioned reading is the
    # plain scorer's
    assert r.cond.sum() > r.uncond.sum() + 10
    plain = sc._score_ids([sc._tokenize(tgt[0])[0]])[0]
    assert np.allclose(plain, r.uncond, atol=0.05)


# --------------------------------------------------------------------------- the deep profile


def test_settings_accept_deep_and_need_fluency():
    from mtaudit.config import PROFILES, Settings
    from mtaudit.errors import InputError

    assert PROFILES == ("fast", "full", "deep")
    assert Settings(profile="deep").runs_fluency
    with pytest.raises(InputError, match="'deep' profile runs the language model"):
        Settings(profile="deep", fluency=False)


def test_missing_extra_names_it(monkeypatch):
    import mtaudit.fluency.gemma as gemma
    import mtaudit.score.wordtags as stage
    from mtaudit.errors import ModelUnavailableError

    monkeypatch.setattr(stage, "_CONDITIONED", [])
    monkeypatch.setattr(gemma, "find_spec", lambda name: None)
    with pytest.raises(ModelUnavailableError, match=r"mtaudit\[multilingual\]"):
        stage.conditioned_scorer()


def _deep_model():
    from mtaudit.wordtags import LEX_FEATURES, WordTagModel, WordTagProfile

    def prof(name, feats, weights):
        w = np.array([weights.get(k, 0.0) for k in feats])
        z = np.zeros(len(feats))
        return WordTagProfile(name, feats, z, np.ones(len(feats)), None, None, w, 0.0, 0.5)

    lex = list(LEX_FEATURES)
    return WordTagModel(
        {
            "lex": prof("lex", lex, {"bias": -3.0}),
            "deep/fr-en": prof(
                "deep/fr-en", lex + list(DEEP_FEATURES), {"bias": 1.0, "d_gain": -2.0}
            ),
        },
        {"version": "test"},
    )


def test_profile_for_prefers_deep_only_with_its_features():
    m = _deep_model()
    assert m.profile_for("fr", "en", False, True).name == "deep/fr-en"
    assert m.profile_for("fr", "en", False, False).name == "lex"
    assert m.profile_for("de", "en", False, True).name == "lex"  # no deep profile for de-en


def test_pipeline_deep_profile_with_fake_scorer(monkeypatch):
    import mtaudit
    import mtaudit.score.wordtags as stage
    import mtaudit.wordtags as wt
    from mtaudit.encoders import HashingEncoder
    from mtaudit.fluency import FluencyScorer

    monkeypatch.setattr(stage, "_CONDITIONED", [FakeConditioned()])
    monkeypatch.setattr(wt, "_MODEL", _deep_model())
    pairs = [("Le chat noir dort.", "The chat noir sleeps."), ("Bonjour.", "Hello.")]
    rep = mtaudit.audit_pairs(
        pairs,
        src_lang="fr",
        tgt_lang="en",
        encoder=HashingEncoder(),
        fluency=FluencyScorer(None, link_grammar=False),
        profile="deep",
    )
    comp = rep.signature.components
    assert comp["word_tags.conditioned_lm"] == "fake-conditioned (1)"
    assert "deep/fr-en" in comp["word_tags"]
    assert rep.signature.settings["profile"] == "deep"
    toks = rep.target.sentences[0].tokens
    t = rep.target.text
    p = {t[x["start"] : x["end"]]: x["p_bad"] for x in toks}
    # words the fake finds in the source gain 3 nats: lower p_bad than the others
    assert p["chat"] < 0.5 < p["sleeps"]


class CountingConditioned(FakeConditioned):
    """The fake, counting the sentences it is asked to read."""

    def __init__(self):
        self.read = 0

    def conditioned_logprobs(self, sources, targets, src_lang, tgt_lang):
        self.read += len(targets)
        return super().conditioned_logprobs(sources, targets, src_lang, tgt_lang)


def _deep_audit(monkeypatch, fake, src_lang="fr", **kw):
    import mtaudit
    import mtaudit.score.wordtags as stage
    import mtaudit.wordtags as wt
    from mtaudit.encoders import HashingEncoder
    from mtaudit.fluency import FluencyScorer

    monkeypatch.setattr(stage, "_CONDITIONED", [fake])
    monkeypatch.setattr(wt, "_MODEL", _deep_model())
    pairs = [(f"Le chat {k} dort.", f"The chat {k} sleeps.") for k in range(70)]
    return mtaudit.audit_pairs(
        pairs,
        src_lang=src_lang,
        tgt_lang="en",
        encoder=HashingEncoder(),
        fluency=FluencyScorer(None, link_grammar=False),
        profile="deep",
        **kw,
    )


def test_deep_reading_skipped_for_a_pair_without_deep_profile(monkeypatch):
    fake = CountingConditioned()
    rep = _deep_audit(monkeypatch, fake, src_lang="it")  # the model has deep/fr-en only
    assert fake.read == 0  # not read in vain
    assert "word_tags.conditioned_lm" not in rep.signature.components
    assert "no deep word-tag profile for it-en" in rep.signature.skipped["word_tags.deep"]
    assert all(s.tokens for s in rep.target.sentences)  # still tagged, by the full profile


def test_deep_reading_stops_at_the_time_budget(monkeypatch):
    fake = CountingConditioned()
    rep = _deep_audit(monkeypatch, fake, time_budget=0)
    assert fake.read == 0
    note = rep.signature.skipped["word_tags.deep.time_budget"]
    assert note.startswith("time budget spent: 70 of 70 sentences")
    assert all(s.tokens for s in rep.target.sentences)
    fake = CountingConditioned()
    rep = _deep_audit(monkeypatch, fake)
    assert fake.read == 70 and "word_tags.deep.time_budget" not in rep.signature.skipped


def test_bundled_model_has_deep_profiles_and_keeps_the_others():
    from mtaudit.wordtags import load_word_tag_model

    m = load_word_tag_model()
    if m is None:
        pytest.skip("no word-tag model file")
    for pair in ("en-de", "en-zh", "et-en", "ne-en", "ro-en", "ru-en", "si-en"):
        prof = m.profiles[f"deep/{pair}"]
        assert set(DEEP_FEATURES) <= set(prof.features)
        assert len(prof.mean) == len(prof.scale) == len(prof.features)
    sl, tl = "ro", "en"
    assert m.profile_for(sl, tl, True, True).name == "deep/ro-en"
    assert m.profile_for(sl, tl, True, False).name == "lm/ro-en"  # full: unchanged
    assert m.profile_for("ja", "en", True, True).name == "lm"  # unseen pair: pooled lm
    assert "deep" in m.meta


def test_pipeline_deep_profile_real_model():
    import mtaudit
    import mtaudit.score.wordtags as stage

    _gemma()
    try:
        stage.conditioned_scorer()
    except Exception as exc:  # noqa: BLE001 - any missing piece: skip
        pytest.skip(f"conditioned LM unavailable: {exc}")
    pairs = [
        ("Pisica doarme pe canapea.", "The cat sleeps on the sofa."),
        ("Vremea este frumoasă azi.", "The weather is beautiful banana today."),
    ]
    rep = mtaudit.audit_pairs(pairs, src_lang="ro", tgt_lang="en", profile="deep")
    comp = rep.signature.components
    assert comp["word_tags.conditioned_lm"].startswith("gemma-3-270m-conditioned (")
    assert "deep/ro-en" in comp.get("word_tags", "")
    assert rep.signature.settings["profile"] == "deep"
    assert all(s.tokens for s in rep.target.sentences if s.text.strip())
