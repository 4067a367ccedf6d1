"""Reference-based scores (sacrebleu BLEU, chrF, chrF++, TER), per segment and per corpus."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sacrebleu
from hypothesis import given, settings
from hypothesis import strategies as st

from mtaudit.errors import InputError
from mtaudit.score import METRICS, ReferenceScores, bleu_tokenizer, reference_scores

HYPS = [
    "The cat sat on the mat.",
    "Prices rose by five percent in May.",
    "He said nothing at all.",
]
REFS = [
    "The cat sat on a mat.",
    "Prices rose by 3 percent in May.",
    "He did not say anything.",
]


def test_matches_sacrebleu_per_corpus_and_per_segment(no_network):
    result = reference_scores(HYPS, REFS, "en")
    assert isinstance(result, ReferenceScores)
    assert result.tokenizer == "13a"
    assert result.corpus["bleu"] == pytest.approx(sacrebleu.corpus_bleu(HYPS, [REFS]).score)
    assert result.corpus["chrf"] == pytest.approx(sacrebleu.corpus_chrf(HYPS, [REFS]).score)
    chrfpp = sacrebleu.corpus_chrf(HYPS, [REFS], word_order=2).score
    assert result.corpus["chrf++"] == pytest.approx(chrfpp)
    assert result.corpus["ter"] == pytest.approx(sacrebleu.corpus_ter(HYPS, [REFS]).score)
    assert len(result.segment) == len(HYPS)
    for seg, hyp, ref in zip(result.segment, HYPS, REFS, strict=True):
        assert set(seg) == set(METRICS)
        assert seg["bleu"] == pytest.approx(sacrebleu.sentence_bleu(hyp, [ref]).score)
        assert seg["chrf"] == pytest.approx(sacrebleu.sentence_chrf(hyp, [ref]).score)
        assert seg["ter"] == pytest.approx(sacrebleu.sentence_ter(hyp, [ref]).score)


def test_signatures_are_sacrebleus():
    result = reference_scores(HYPS, REFS, "de")
    bleu = sacrebleu.BLEU()
    bleu.corpus_score(HYPS, [REFS])
    assert result.signatures["bleu"] == str(bleu.get_signature())
    assert result.signatures["bleu"].startswith("nrefs:1|case:mixed|eff:no|tok:13a|")
    assert "eff:yes" in result.signatures["bleu-segment"]
    assert "nw:2" in result.signatures["chrf++"] and "nw:0" in result.signatures["chrf"]
    assert "tok:tercom" in result.signatures["ter"]
    assert all(f"version:{sacrebleu.__version__}" in s for s in result.signatures.values())
    assert set(result.signatures) == {*METRICS, "bleu-segment"}


def test_identical_translation_is_perfect():
    result = reference_scores(REFS, REFS, "en")
    assert result.corpus["bleu"] == pytest.approx(100.0)
    assert result.corpus["chrf"] == pytest.approx(100.0)
    assert result.corpus["ter"] == pytest.approx(0.0)
    assert all(seg["chrf++"] == pytest.approx(100.0) for seg in result.segment)


def test_segment_count_mismatch_names_both_counts():
    with pytest.raises(InputError, match=r"reference has 2 segments but the translation has 3"):
        reference_scores(HYPS, REFS[:2], "en")


def test_bad_input_types():
    with pytest.raises(InputError, match="list of segments"):
        reference_scores("one string", "another", "en")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="segment 2"):
        reference_scores(["a", None], ["a", "b"], "en")  # type: ignore[list-item]


def _mecab(lang: str) -> bool:
    try:
        sacrebleu.BLEU(tokenize=f"{lang}-mecab")
    except Exception:
        return False
    return True


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "13a"),
        ("uk", "13a"),
        (None, "13a"),
        ("zh", "zh"),
        ("zh-Hant", "zh"),
        ("ZH_cn", "zh"),
        ("th", "char"),
        ("ja", "ja-mecab" if _mecab("ja") else "char"),
        ("ko-KR", "ko-mecab" if _mecab("ko") else "13a"),
    ],
)
def test_tokenizer_per_target_language(lang, expected, no_network):
    assert bleu_tokenizer(lang) == expected
    result = reference_scores(["测试 一下"], ["测试一下"], lang)
    assert f"tok:{expected}|" in result.signatures["bleu"]


def test_chinese_is_tokenized_and_ter_splits_cjk():
    hyps, refs = ["我喜欢猫。"], ["我喜欢狗。"]
    zh = reference_scores(hyps, refs, "zh")
    assert zh.corpus["bleu"] > 0  # 13a would see one token each: BLEU 0
    assert reference_scores(hyps, refs, "en").corpus["bleu"] == 0
    assert "asian:yes" in zh.signatures["ter"]


def test_tokenizer_override_and_download_tokenizers_refused(no_network):
    assert "tok:intl|" in reference_scores(HYPS, REFS, "en", tokenize="intl").signatures["bleu"]
    for name in ("flores101", "flores200", "spm"):
        with pytest.raises(InputError, match="downloads"):
            reference_scores(HYPS, REFS, "en", tokenize=name)
    with pytest.raises(InputError, match="tokenizer"):
        reference_scores(HYPS, REFS, "en", tokenize="no-such-tokenizer")


def test_cyrillic_chrf():
    result = reference_scores(
        ["Ціни зросли на п'ять відсотків."], ["Ціни зросли на 3 відсотки."], "uk"
    )
    assert 0 < result.corpus["chrf"] < 100


def test_empty_input_still_has_signatures():
    result = reference_scores([], [], "en")
    assert result.segment == [] and result.corpus == {}
    assert set(result.signatures) == {*METRICS, "bleu-segment"}


def test_to_dict_is_json_ready():
    data = json.loads(json.dumps(reference_scores(HYPS, REFS, "en").to_dict()))
    assert data["metrics"] == list(METRICS)
    assert len(data["segment"]) == 3 and data["tokenizer"] == "13a"


def test_importing_scores_does_not_import_torch_or_comet():
    code = "import sys, mtaudit.score; print('torch' in sys.modules, 'comet' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


_text = st.text(alphabet=st.sampled_from(list("abc xyz.,ЖЯ中")), max_size=30)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_text, _text), max_size=6))
def test_scores_are_in_range(pairs):
    hyps = [h for h, _ in pairs]
    refs = [r for _, r in pairs]
    result = reference_scores(hyps, refs, "en")
    assert len(result.segment) == len(pairs)
    for seg in [*result.segment, result.corpus]:
        for name, value in seg.items():
            assert value >= 0
            if name != "ter":
                assert value <= 100 + 1e-9
