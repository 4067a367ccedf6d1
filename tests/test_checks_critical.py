"""The ``mistranslation`` check: cue lists, features, model loading and findings.

Contexts are built by hand with a model-free encoder (hashed character n-grams); the mechanics
are tested with a small hand-set model file, the shipped model only for loading and ranking.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from check_factory import make_ctx, write_critical_model

from mtaudit.checks import mistranslation_model as cr
from mtaudit.checks.base import REGISTRY
from mtaudit.checks.mistranslation import MistranslationCheck
from mtaudit.errors import InputError, ModelUnavailableError


@pytest.fixture()
def toy_model(tmp_path: Path) -> Path:
    """A hand-set model: negation and number evidence push the logit over 0."""
    return write_critical_model(
        tmp_path / "model.json", {"neg_diff": 4.0, "num_bad": 4.0}, intercept=-2.0
    )


# ---- cue lists and text features ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "n"),
    [
        ("I do not like it and I don't care.", "en", 2),
        ("Ich mag das nicht, keine Ahnung.", "de", 2),
        ("To nemám rád, nikdy.", "cs", 2),
        ("それは好きではない。", "ja", 1),
        ("我不喜欢它。", "zh", 1),
        ("I like it.", "en", 0),
        ("Nejlepší den.", "cs", 0),
    ],
)
def test_negation_cues(text: str, lang: str, n: int) -> None:
    assert cr.cue_count(text, cr.NEGATION_CUES[lang]) == n


def test_toxic_cues_and_unknown_language() -> None:
    assert cr.cue_count("You fucking idiot.", cr.TOXIC_CUES["en"]) == 2
    assert cr.cue_count("Du Arschloch!", cr.TOXIC_CUES["de"]) >= 1
    assert cr.cue_count("Thank you very much.", cr.TOXIC_CUES["en"]) == 0
    assert cr.cue_count("anything", None) == 0


def test_text_features_negation_flip_and_copy() -> None:
    flip = cr.text_features("The drug is safe.", "Das Medikament ist nicht sicher.", "en", "de")
    same = cr.text_features("The drug is safe.", "Das Medikament ist sicher.", "en", "de")
    assert flip["neg_diff"] == 1.0 and same["neg_diff"] == 0.0
    copied = cr.text_features(
        "The committee met on Tuesday afternoon.",
        "The committee met on Tuesday afternoon.",
        "en",
        "de",
    )
    assert copied["copy"] > 0.9
    unknown = cr.text_features("No way.", "Hakuna.", "en", "sw")
    assert unknown["neg_diff"] == 0.0  # no cue list for the target: no evidence
    assert set(cr.FEATURES) - {
        "cos",
        "margin",
        "proto_src",
        "proto_tgt",
        "proto_diff",
        "num_bad",
        "name_bad",
    } == set(same)


def test_feature_matrix_shape_and_values() -> None:
    ctx = make_ctx(
        ["The price is 40 dollars.", "He is here."], ["Der Preis ist 90 Dollar.", "Er ist hier."]
    )
    prof = cr.CriticalProfile(
        "all",
        dict.fromkeys(cr.FEATURES, 0.0),
        dict.fromkeys(cr.FEATURES, 0.0),
        dict.fromkeys(cr.FEATURES, 1.0),
        0.0,
        0.5,
    )
    x, sv, tv, texts = cr.link_feature_matrix(ctx, prof)
    assert x.shape == (2, len(cr.FEATURES))
    assert sv is not None and tv is not None and sv.shape == (2, 256)
    assert texts == ["Der Preis ist 90 Dollar.", "Er ist hier."]
    col = dict(zip(cr.FEATURES, x.T, strict=True))
    assert col["num_bad"][0] >= 1 and col["num_bad"][1] == 0
    np.testing.assert_allclose(col["cos"], [lk.similarity for lk in ctx.links])


# ---- model loading ------------------------------------------------------------------------------


def test_shipped_model_loads() -> None:
    model = cr.load_critical_model()
    assert "default" in model.profiles
    for prof in model.profiles.values():
        assert 0.0 < prof.threshold < 1.0
        assert set(prof.features) <= set(cr.FEATURES)
    assert model.meta.get("trained_by") == "scripts/train_critical.py"


def test_missing_and_corrupt_model_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError, match="not found"):
        cr.load_critical_model(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelUnavailableError, match="unreadable"):
        cr.load_critical_model(bad)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"profiles": {"default": {"coef": {"zzz": 1}}}}), "utf-8")
    with pytest.raises(ModelUnavailableError, match="unreadable"):
        cr.load_critical_model(wrong)


def test_check_skips_with_a_warning_when_the_model_is_missing(tmp_path: Path) -> None:
    check = MistranslationCheck(model_path=str(tmp_path / "nope.json"))
    ctx = make_ctx(["The drug is safe."], ["Das Medikament ist nicht sicher."])
    with pytest.warns(UserWarning, match="skipped"):
        assert list(check.run(ctx)) == []


# ---- the check ----------------------------------------------------------------------------------


def test_registered_and_params_validated() -> None:
    assert REGISTRY["mistranslation"] is MistranslationCheck
    with pytest.raises(InputError):
        MistranslationCheck(threshold=1.5)
    with pytest.raises(InputError):
        MistranslationCheck(bogus=1)


def test_negation_flip_is_critical(toy_model: Path) -> None:
    check = MistranslationCheck(model_path=str(toy_model))
    ctx = make_ctx(["The drug is safe for children."], ["Das Medikament ist nicht sicher."])
    (f,) = list(check.run(ctx))
    assert f.code == "mistranslation.negation"
    assert f.severity == "critical" and f.side == "target" and f.sentence == 0
    assert f.span == (0, len(ctx.target.sentences[0].text))
    assert f.evidence["probability"] >= 0.5
    assert f.evidence["top_features"][0]["feature"] == "neg_diff"


def test_number_change_is_critical(toy_model: Path) -> None:
    check = MistranslationCheck(model_path=str(toy_model))
    ctx = make_ctx(["Take 5 mg twice a day."], ["Nehmen Sie 50 mg zweimal am Tag."])
    (f,) = list(check.run(ctx))
    assert f.code == "mistranslation.number" and f.severity == "critical"


def test_faithful_pair_has_no_finding(toy_model: Path) -> None:
    ctx = make_ctx(["The drug is safe for children."], ["Das Medikament ist sicher für Kinder."])
    assert list(MistranslationCheck(model_path=str(toy_model)).run(ctx)) == []
    assert list(MistranslationCheck().run(ctx)) == []  # the shipped model agrees


def test_major_threshold_and_comparable_mode(toy_model: Path) -> None:
    ctx = make_ctx(["The drug is safe."], ["Das Medikament ist nicht sicher."])
    strict = MistranslationCheck(model_path=str(toy_model), threshold=0.99, major_threshold=0.5)
    (f,) = list(strict.run(ctx))
    assert f.severity == "major"
    ctx.mode = "comparable"
    assert list(MistranslationCheck(model_path=str(toy_model)).run(ctx)) == []


def test_shipped_model_ranks_lost_toxicity_above_a_faithful_pair() -> None:
    """The shipped model's strongest evidence: profanity in the source that the target drops.

    (It does *not* reliably flag a bare negation flip: on WMT21 train the negation-cue difference
    hardly separates ERR from NOT, so its learned weight is small; see docs/checks.md.)
    """
    model = cr.load_critical_model()
    ctx = make_ctx(
        ["Please stop deleting my edits.", "Stop deleting my edits, you fucking idiot."],
        [
            "Bitte hören Sie auf, meine Änderungen zu löschen.",
            "Hör auf, meine Änderungen zu löschen.",
        ],
    )
    p, _, prof = cr.predict_links(ctx, model)
    assert prof.name == "default"  # the hashing encoder is unknown to the model
    assert p[1] > p[0]


# ---- language pairs the model was not validated on ----------------------------------------------


def _with_pairs(path: Path, pairs: list[str], unseen: float | None) -> Path:
    d = json.loads(path.read_text(encoding="utf-8"))
    d["profiles"]["default"]["validated_pairs"] = pairs
    if unseen is not None:
        d["profiles"]["default"]["unseen_threshold"] = unseen
    path.write_text(json.dumps(d), encoding="utf-8")
    return path


def test_threshold_for_validated_and_unseen_pairs() -> None:
    prof = cr.CriticalProfile("p", {}, {}, {}, 0.0, 0.3, validated_pairs=("en-de",))
    assert prof.threshold_for("en", "de") == (0.3, True)
    assert prof.threshold_for("en-US", "de-AT") == (0.3, True)  # regional tags count as the base
    assert prof.threshold_for("de", "fr") == (0.3, False)  # no stricter threshold known
    prof.unseen_threshold = 0.7
    assert prof.threshold_for("de", "fr") == (0.7, False)
    assert prof.threshold_for(None, None) == (0.7, False)
    prof.unseen_threshold = 0.1  # never looser than the validated threshold
    assert prof.threshold_for("de", "fr") == (0.3, False)
    everywhere = cr.CriticalProfile("q", {}, {}, {}, 0.0, 0.3, unseen_threshold=0.9)
    assert everywhere.threshold_for("de", "fr") == (0.3, True)  # no list: validated for all
    back = cr.CriticalProfile.from_dict(
        "p",
        cr.CriticalProfile(
            "p", {}, {}, {}, 0.0, 0.3, validated_pairs=("en-de", "et-en"), unseen_threshold=0.7
        ).to_dict(),
    )
    assert back.validated_pairs == ("en-de", "et-en") and back.unseen_threshold == 0.7


def test_unvalidated_pair_gets_the_stricter_threshold(toy_model: Path) -> None:
    """The toy model flags a negation flip with p ≈ 0.88: critical on a validated pair, nothing on
    another pair whose threshold is 0.95, unless the user sets a threshold."""
    path = _with_pairs(toy_model, ["en-de"], unseen=0.95)
    check = MistranslationCheck(model_path=str(path))
    src, tgt = ["The drug is safe for children."], ["Das Medikament ist nicht sicher."]
    (f,) = list(check.run(make_ctx(src, tgt)))
    assert f.evidence["validated_pair"] is True and f.evidence["threshold"] == 0.5
    assert "not validated" not in f.message
    ctx = make_ctx(src, tgt, src_lang="fr", tgt_lang="de")
    assert list(check.run(ctx)) == []
    (g,) = list(MistranslationCheck(model_path=str(path), unseen_threshold=0.6).run(ctx))
    assert g.evidence["validated_pair"] is False and g.evidence["threshold"] == 0.6
    assert "not validated on" in g.message
    (h,) = list(MistranslationCheck(model_path=str(path), threshold=0.5).run(ctx))
    assert h.evidence["threshold"] == 0.5  # an explicit threshold applies to every pair
    with pytest.raises(InputError, match="unseen_threshold"):
        MistranslationCheck(unseen_threshold=2)


def test_shipped_model_knows_its_validated_pairs() -> None:
    model = cr.load_critical_model()
    use = model.profile("use-multilingual-v3")
    assert {"en-de", "en-ja", "en-zh"} <= set(use.validated_pairs)
    for prof in model.profiles.values():
        assert prof.validated_pairs and prof.unseen_threshold is not None
        assert prof.threshold_for("de", "fr")[0] > prof.threshold
