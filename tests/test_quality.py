"""The per-link quality score: range, monotonicity, missing fluency, findings, document figure.

No models: a hand-made CheckContext with hand-made embeddings and a hand-made QualityModel.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from mtaudit.checks.base import CheckContext
from mtaudit.report import Finding, Link, Sentence, Side
from mtaudit.score.quality import (
    FEATURES,
    Calibration,
    QualityModel,
    QualityProfile,
    document_quality,
    load_quality_model,
    margins,
    score_links,
    text_features,
)


@dataclass
class FakeFluency:
    score: float
    signals: dict[str, float] = field(default_factory=dict)


class FakeEncoder:
    name = "fake-encoder"
    version = "0"

    def encode(self, sentences, lang=None):  # type: ignore[no-untyped-def]
        raise AssertionError("quality scoring must not re-encode")


def _model() -> QualityModel:
    coef = {f: 0.0 for f in FEATURES} | {"adq": 8.0, "adq_margin": 6.0, "len_dev": -3.0}
    coef |= {"flu": 4.0, "num_miss": -2.0, "copy": -1.0}
    mean = {f: 0.0 for f in FEATURES} | {"adq": 0.5, "adq_margin": 0.4, "len_dev": 0.1}
    mean |= {"log_len": 4.0, "flu": 0.9, "flu_missing": 0.5}
    std = {f: 1.0 for f in FEATURES} | {"adq": 0.2, "adq_margin": 0.2, "len_dev": 0.1}
    std |= {"flu": 0.1, "flu_missing": 0.5, "num_miss": 0.2}
    prof = QualityProfile(
        name="default",
        coef=coef,
        mean=mean,
        std=std,
        intercept=70.0,
        flu_fill=0.9,
    )
    return QualityModel(
        profiles={"default": prof},
        calibration={"default": Calibration(random_cos=0.0, match_cos=1.0)},
        finding_penalty={"default": {"major": 10.0, "critical": 30.0}},
    )


def _side(texts: list[str], lang: str = "en") -> Side:
    sents, pos = [], 0
    for k, t in enumerate(texts):
        sents.append(Sentence(index=k, text=t, start=pos, end=pos + len(t)))
        pos += len(t) + 1
    return Side(lang=lang, sentences=sents, text="\n".join(texts))


def _ctx(sims: list[float], mode: str = "translation", extra_src: int = 0) -> CheckContext:
    """n one-to-one links; target k has cosine sims[k] with source k and ~0 with the others."""
    n = len(sims)
    dim = 2 * (n + extra_src) + 2
    src = np.zeros((n + extra_src, dim), dtype=np.float32)
    tgt = np.zeros((n, dim), dtype=np.float32)
    for k, s in enumerate(sims):
        src[k, k] = 1.0
        tgt[k, k] = s
        tgt[k, n + extra_src + k] = np.sqrt(max(0.0, 1 - s * s))
    for k in range(n, n + extra_src):
        src[k, k] = 1.0
    texts_s = [f"Source sentence number {k} with some words." for k in range(n + extra_src)]
    texts_t = [f"Zielsatz Nummer {k} mit einigen Wörtern." for k in range(n)]
    links = [Link(source=[k], target=[k], similarity=float(sims[k])) for k in range(n)]
    return CheckContext(
        source=_side(texts_s),
        target=_side(texts_t, "de"),
        links=links,
        mode=mode,
        encoder=FakeEncoder(),  # type: ignore[arg-type]
        src_emb=src,
        tgt_emb=tgt,
    )


def test_range_and_features_recorded() -> None:
    ctx = _ctx([-1.0, 0.0, 0.3, 0.6, 0.95, 1.0])
    score_links(ctx, [], _model())
    for lk in ctx.links:
        assert lk.quality is not None and 0.0 <= lk.quality <= 100.0
        feats = lk.scores["quality_features"]
        assert set(FEATURES) <= set(feats)
        assert feats["flu_missing"] == 1.0


def test_extreme_inputs_stay_in_range() -> None:
    model = _model()
    model.profiles["default"].intercept = 500.0
    ctx = _ctx([0.9, 0.95])
    score_links(ctx, [], model)
    assert all(lk.quality == 100.0 for lk in ctx.links)
    model.profiles["default"].intercept = -500.0
    score_links(ctx, [], model)
    assert all(lk.quality == 0.0 for lk in ctx.links)


def test_monotone_in_similarity() -> None:
    sims = [0.1, 0.3, 0.5, 0.7, 0.9]
    ctx = _ctx(sims)
    score_links(ctx, [], _model())
    q = [lk.quality for lk in ctx.links]
    assert q == sorted(q) and q[0] < q[-1]


def test_margin_uses_neighbourhood_and_fallback() -> None:
    ctx = _ctx([0.8, 0.8, 0.8])
    pool = list(range(3))
    m = margins(ctx.links, ctx.src_emb, ctx.tgt_emb, pool, pool, random_cos=0.1)
    assert m == pytest.approx([0.8, 0.8, 0.8], abs=1e-5)  # orthogonal neighbours: cos 0
    # a single link has no neighbourhood: the prior stands in
    one = _ctx([0.8])
    m1 = margins(one.links, one.src_emb, one.tgt_emb, [0], [0], random_cos=0.3)
    assert m1 == pytest.approx([0.5])
    # no embeddings at all: the prior too
    assert margins(one.links, None, None, [0], [0], random_cos=0.3) == pytest.approx([0.5])


LM = {"lm_mean": -4.0}


def test_missing_fluency_is_handled() -> None:
    model = _model()
    ctx = _ctx([0.7, 0.7, 0.7])
    ctx.signals["fluency"] = {
        "source": [None, None, None],
        "target": [FakeFluency(95.0, LM), None, FakeFluency(20.0, LM)],
    }
    score_links(ctx, [], model)
    f = [lk.scores["quality_features"] for lk in ctx.links]
    assert f[0]["flu_missing"] == 0.0 and f[0]["flu"] == pytest.approx(0.95)
    assert f[1]["flu_missing"] == 1.0 and f[1]["flu"] == pytest.approx(0.9)  # the fill value
    assert ctx.links[2].quality < ctx.links[0].quality  # type: ignore[operator]


def test_fluency_without_the_lm_does_not_count() -> None:
    ctx = _ctx([0.7, 0.7])
    ctx.signals["fluency"] = {"target": [FakeFluency(20.0, {"oov": 0.0}), FakeFluency(90.0, LM)]}
    score_links(ctx, [], _model())
    f = [lk.scores["quality_features"] for lk in ctx.links]
    assert f[0]["flu_missing"] == 1.0 and f[0]["flu"] == pytest.approx(0.9)
    assert f[1]["flu_missing"] == 0.0


def test_text_features_numbers_and_copies() -> None:
    assert text_features("It cost 1,000 euros in 2019.", "Es kostete 1.000 Euro 2019.")[0] == 0.0
    miss, _ = text_features("It cost 1,000 euros in 2019.", "Es kostete 100 Euro 2019.")
    assert miss == pytest.approx(2 / 5)
    assert text_features("No numbers here.", "Keine Zahlen.")[0] == 0.0
    _, copy_ok = text_features("The cat sat on the mat.", "Die Katze saß auf der Matte.")
    _, copy_bad = text_features("The cat sat on the mat.", "The cat sat auf der mat.")
    assert copy_ok == 0.0 and copy_bad > 0.5
    assert text_features("", "") == (0.0, 0.0)


def test_numbers_and_copies_lower_quality() -> None:
    ctx = _ctx([0.8, 0.8, 0.8, 0.8, 0.8])
    ctx.source.sentences[1].text = "It happened in 1999 and 2004."
    ctx.target.sentences[1].text = "Es geschah 1998 und 2005."
    ctx.source.sentences[2].text = "The cat sat on the mat today."
    ctx.target.sentences[2].text = "The cat sat on the mat today."
    score_links(ctx, [], _model())
    q = [lk.quality or 0.0 for lk in ctx.links]
    assert q[1] < q[0] and q[2] < q[0]


def test_calibration_puts_encoders_on_one_scale() -> None:
    model = _model()
    model.calibration = {
        "default": Calibration(0.0, 1.0),
        "e5-like": Calibration(random_cos=0.75, match_cos=0.9),
    }
    use_like = _ctx([0.5, 0.5, 0.5, 0.5, 0.5])
    score_links(use_like, [], model)
    e5 = _ctx([0.825, 0.825, 0.825, 0.825, 0.825])
    e5.encoder = type("E", (), {"name": "e5-like", "version": "0"})()  # type: ignore[assignment]
    score_links(e5, [], model)
    assert e5.links[0].scores["quality_features"]["adq"] == pytest.approx(0.5, abs=1e-3)
    assert model.calibration_for("unknown") is model.calibration["default"]


def _finding(sentence: int, severity: str, code: str = "garbled.fused") -> Finding:
    return Finding(
        code=code,
        severity=severity,
        side="target",  # type: ignore[arg-type]
        sentence=sentence,
        span=None,
        message="x",
    )


def test_findings_lower_quality() -> None:
    model = _model()
    ctx = _ctx([0.8, 0.8, 0.8, 0.8])
    findings = [
        _finding(1, "major"),
        _finding(2, "critical"),
        _finding(3, "minor"),
        Finding(
            code="omission", severity="critical", side="source", sentence=3, span=None, message="x"
        ),
    ]
    score_links(ctx, findings, model)
    q = [lk.quality for lk in ctx.links]
    assert q[1] == pytest.approx(q[0] - 10.0, abs=0.02)
    assert q[2] == pytest.approx(q[0] - 30.0, abs=0.02)
    assert q[3] == pytest.approx(q[0], abs=0.02)  # minor and source-side findings do not count
    assert ctx.links[2].scores["quality_features"]["findings.garbled.critical"] == 1.0


def test_document_quality_penalises_unlinked_content_in_translation_mode() -> None:
    model = _model()
    full = _ctx([0.8, 0.8], mode="translation")
    score_links(full, [], model)
    q_full = document_quality(full, [])
    gappy = _ctx([0.8, 0.8], mode="translation", extra_src=2)
    score_links(gappy, [], model)
    q_gappy = document_quality(gappy, [])
    assert q_full is not None and q_gappy is not None
    assert q_gappy < q_full
    comparable = _ctx([0.8, 0.8], mode="comparable", extra_src=2)
    score_links(comparable, [], model)
    q_comp = document_quality(comparable, [])
    assert q_comp == pytest.approx(np.mean([lk.quality for lk in comparable.links]), abs=0.5)
    assert q_comp is not None and q_comp > q_gappy


def test_document_quality_empty() -> None:
    ctx = CheckContext(source=_side([]), target=_side([]), links=[], mode="translation")
    assert document_quality(ctx, []) is None


def test_bundled_model_loads_and_scores() -> None:
    model = load_quality_model()
    assert "default" in model.profiles
    ctx = _ctx([0.2, 0.5, 0.9])
    score_links(ctx, [], model)
    assert all(0.0 <= (lk.quality or 0.0) <= 100.0 for lk in ctx.links)
    assert model.to_json() == type(model).from_json(model.to_json()).to_json()


def test_bundled_model_has_a_profile_per_encoder_and_a_default() -> None:
    model = load_quality_model()
    default = model.profile("some-unknown-encoder")
    assert default is model.profiles["default"]
    for name in ("use-multilingual-v3", "multilingual-e5-small-q4", None):
        prof = model.profile(name)
        assert set(prof.coef) <= set(FEATURES)
        cal = model.calibration_for(name)
        assert 0.0 <= cal.random_cos < cal.match_cos <= 1.0
        # a higher cosine, all else equal, gives a higher score with every profile
        ctx = _ctx([0.1, 0.3, 0.5, 0.7, 0.9])
        ctx.encoder.name = name or "unknown"  # type: ignore[union-attr]
        score_links(ctx, [], model)
        q = [lk.quality for lk in ctx.links]
        assert q == sorted(q) and q[-1] > q[0], name  # type: ignore[operator]


def test_surface_features() -> None:
    from mtaudit.score.quality import surface_features

    same = surface_features("He met Angela Merkel in Berlin?", "Er traf Angela Merkel in Berlin?")
    assert same == {"rep": 0.0, "name_miss": 0.0, "punct_dev": 0.0}
    bad = surface_features("He met Angela Merkel in Berlin?", "the the the the.")
    assert bad["rep"] == pytest.approx(0.75)
    assert bad["name_miss"] == pytest.approx(3 / 4)  # Angela, Merkel, Berlin missing
    assert bad["punct_dev"] == pytest.approx(1 / 2)  # the "?" is gone


def test_lm_signals_read_worst_value_or_fill() -> None:
    model = _model()
    prof = model.profiles["default"]
    prof.fill = {"lm_mean": -3.5, "p_garbled": 0.1, "src_slor": 0.7}
    ctx = _ctx([0.7, 0.7])
    ctx.signals["fluency"] = {
        "source": [FakeFluency(90.0, {"lm_mean": -2.0, "slor": 1.5, "win4": 0.0}), None],
        "target": [FakeFluency(95.0, {"lm_mean": -4.0, "p_garbled": 0.8}), None],
    }
    score_links(ctx, [], model)
    f = [lk.scores["quality_features"] for lk in ctx.links]
    assert f[0]["lm_mean"] == -4.0 and f[0]["p_garbled"] == 0.8
    assert f[1]["lm_mean"] == -3.5 and f[1]["p_garbled"] == 0.1  # fill values
    assert f[0]["src_slor"] == 1.5 and f[0]["src_lm_missing"] == 0.0
    assert f[1]["src_slor"] == 0.7 and f[1]["src_lm_missing"] == 1.0
    assert ctx.signals["quality_model"] == "in-memory"


def test_hidden_layer_adds_to_the_linear_part() -> None:
    model = _model()
    prof = model.profiles["default"]
    ctx = _ctx([0.3, 0.9])
    score_links(ctx, [], model)
    rows = [lk.scores["quality_features"] for lk in ctx.links]
    base = prof.predict(rows)
    d = len([f for f in FEATURES if f in prof.coef])
    prof.hidden = {"w1": [[0.0] for _ in range(d)], "b1": [1.0], "w2": [2.0]}
    assert prof.predict(rows) == pytest.approx(base + 2.0 * np.tanh(1.0))
    again = QualityModel.from_json(model.to_json()).profiles["default"]
    assert again.hidden == prof.hidden and again.predict(rows) == pytest.approx(prof.predict(rows))


def test_bundled_model_rises_with_similarity_and_names_its_file() -> None:
    model = load_quality_model()
    assert model.ident.startswith("quality_model.json sha256:")
    sims = [0.1, 0.3, 0.5, 0.7, 0.9]
    ctx = _ctx(sims)
    score_links(ctx, [], model)
    q = [lk.quality for lk in ctx.links]
    assert q == sorted(q) and q[-1] > q[0]  # type: ignore[operator]
    assert ctx.signals["quality_model"] == model.ident
