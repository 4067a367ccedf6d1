"""The checks' speed-ups change no result.

Each fast path is compared with the plain computation it replaces (kept here as the reference):
findings of other checks reused by ``mistranslation``, exact difflib bounds, memoised
tokenisation, language identification and number-word lookup.
"""

from __future__ import annotations

import difflib
import math
import random
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from check_factory import make_ctx as pairs_ctx
from check_factory import write_critical_model

from mtaudit import langid
from mtaudit.checks import mistranslation_model as cr
from mtaudit.checks.base import CheckContext, build_checks, run_checks
from mtaudit.checks.mistranslation import MistranslationCheck
from mtaudit.checks.name_mismatch import NameMismatchCheck
from mtaudit.checks.number_mismatch import NumberMismatchCheck
from mtaudit.text import copy as tcopy
from mtaudit.text import numbers as nm
from mtaudit.text import tokens as ttok
from mtaudit.text import translit

SOURCES = [
    "Angela Merkel visited Paris on 3 May 2019 with 45 people.",
    "Tim Cook met Satya Nadella in Seattle for two hours.",
    "The drug is safe and costs $44 million.",
    "Go to http://example.com/a_b?x=1 or write to info@example.com now.",
    "He said the Eiffel Tower was 330 metres tall.",
    "Nobody saw anything, and the NASA team left at 10:30.",
    "This is not the translation you are looking for.",
    "Brendle and Parsons won the 1970s championship.",
]
TARGETS = [
    "Angela Merkel besuchte Paris am 3. Mai 2019 mit 54 Menschen.",
    "Er traf ihn in Seattle für zwei Stunden.",
    "Das Medikament ist nicht sicher und kostet 4,4 Mio. Dollar.",
    "Go to http://example.com/a_b?x=1 or write to info@example.com now.",
    "Er sagte, der Eiffelturm sei 303 Meter hoch.",
    "Jemand sah etwas, und das NASA-Team ging um 11:30.",
    "This is not the translation you are looking for.",
    "Brandle und Parsons gewannen die Meisterschaft der 1970er.",
]


def make_ctx(src: Sequence[str] = SOURCES, tgt: Sequence[str] = TARGETS) -> CheckContext:
    return pairs_ctx(src, tgt)


@pytest.fixture()
def evidence_model(tmp_path: Path) -> Path:
    """A hand-set model driven by the number and name findings (and a little copying)."""
    return write_critical_model(
        tmp_path / "model.json", {"num_bad": 3.0, "name_bad": 2.0, "copy": 1.0}, intercept=-2.5
    )


# ---- mistranslation reuses the findings run_checks already has -------------------------------


def _mistranslations(findings: Sequence) -> list:
    return [f for f in findings if f.code.startswith("mistranslation")]


def _count_runs(monkeypatch: pytest.MonkeyPatch, cls: type) -> list[int]:
    calls = [0]
    real = cls.run

    def run(self, ctx):  # type: ignore[no-untyped-def]
        calls[0] += 1
        return real(self, ctx)

    monkeypatch.setattr(cls, "run", run)
    return calls


def test_mistranslation_reuses_default_number_and_name_findings(
    monkeypatch: pytest.MonkeyPatch, evidence_model: Path
) -> None:
    config = {"mistranslation": {"model_path": str(evidence_model), "major_threshold": 0.2}}
    alone = list(
        MistranslationCheck(model_path=str(evidence_model), major_threshold=0.2).run(make_ctx())
    )
    assert alone, "the test pairs must give mistranslation findings"
    assert any(f.evidence["top_features"][0]["feature"] == "num_bad" for f in alone)
    num_runs = _count_runs(monkeypatch, NumberMismatchCheck)
    name_runs = _count_runs(monkeypatch, NameMismatchCheck)
    ctx = make_ctx()
    findings = run_checks(ctx, build_checks(config))
    assert (num_runs[0], name_runs[0]) == (1, 1)  # not run again for the features
    assert _mistranslations(findings) == alone
    assert ctx.earlier == {}  # nothing held after the run


@pytest.mark.parametrize(
    "config",
    [
        {"number_mismatch": {"enabled": False}, "name_mismatch": {"enabled": False}},
        {
            "number_mismatch": {"ignore_added_upto": 100},
            "name_mismatch": {"missing_severity": None},
        },
        {"number_mismatch": {"severity": "minor"}, "name_mismatch": {"severity": "critical"}},
    ],
)
def test_mistranslation_features_do_not_depend_on_the_other_checks_settings(
    monkeypatch: pytest.MonkeyPatch, evidence_model: Path, config: dict
) -> None:
    alone = list(MistranslationCheck(model_path=str(evidence_model)).run(make_ctx()))
    num_runs = _count_runs(monkeypatch, NumberMismatchCheck)
    conf = {**config, "mistranslation": {"model_path": str(evidence_model)}}
    findings = run_checks(make_ctx(), build_checks(conf))
    assert _mistranslations(findings) == alone
    enabled = config["number_mismatch"].get("enabled", True)
    only_severity = set(config["number_mismatch"]) == {"severity"}
    # disabled or configured: the feature comes from a default run of its own
    assert num_runs[0] == (1 if only_severity else 2 if enabled else 1)


def test_run_checks_findings_equal_the_checks_run_one_by_one(evidence_model: Path) -> None:
    config = {"mistranslation": {"model_path": str(evidence_model)}}
    together = run_checks(make_ctx(), build_checks(config))
    ctx = make_ctx()
    one_by_one = [f for check in build_checks(config) for f in check.run(ctx)]
    assert together == sorted(
        one_by_one,
        key=lambda f: (
            {"source": 0, "target": 1}.get(f.side, 2),
            -1 if f.sentence is None else f.sentence,
            f.span or (-1, -1),
            f.code,
        ),
    )


# ---- copy similarity: exact bounds ------------------------------------------------------------


def _lcs_dp(a: str, b: str) -> int:
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def test_lcs_length_is_the_lcs_and_bounds_difflib() -> None:
    rnd = random.Random(7)
    for _ in range(3000):
        alphabet = rnd.choice(["ab", "abc", "abcdefgh ", "aé中 x"])
        a = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
        b = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
        lcs = tcopy.lcs_length(a, b)
        assert lcs == _lcs_dp(a, b) == tcopy.lcs_length(b, a)
        sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
        assert sum(m.size for m in sm.get_matching_blocks()) <= lcs


def _copy_reference(src: str, tgt: str) -> tuple[float, int]:
    a, b = tcopy._strip_names_numbers(src, tgt)
    n = min(ttok.letters(a), ttok.letters(b))
    if not a or not b:
        return 0.0, n
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio(), n


def test_copy_similarity_is_exact_at_or_above_the_threshold() -> None:
    rnd = random.Random(3)
    words = [
        "the",
        "der",
        "cat",
        "Katze",
        "sat",
        "saß",
        "on",
        "auf",
        "mat",
        "Matte",
        "Paris",
        "2019",
        "is",
        "ist",
        "not",
        "nicht",
        "a",
    ]
    pairs = list(zip(SOURCES, TARGETS, strict=True))
    for _ in range(400):
        pairs.append(
            (
                " ".join(rnd.choice(words) for _ in range(rnd.randint(0, 12))),
                " ".join(rnd.choice(words) for _ in range(rnd.randint(0, 12))),
            )
        )
    for src, tgt in pairs:
        exact, n = _copy_reference(src, tgt)
        assert tcopy.copy_similarity(src, tgt) == (exact, n)
        for thr in (0.3, 0.5, 0.9):
            got, m = tcopy.copy_similarity(src, tgt, thr)
            assert m == n
            if exact >= thr:
                assert got == exact
            else:
                assert exact <= got < thr  # an upper bound, below the threshold
    # past the memo's length limit
    long_src = " ".join(rnd.choice(words) + ("" if k % 7 else str(k)) for k in range(300))
    long_tgt = " ".join(rnd.choice(words) for _ in range(300))
    assert len(long_src) + len(long_tgt) > tcopy._COPY_CACHE_MAX_CHARS
    assert tcopy.copy_similarity(long_src, long_tgt) == _copy_reference(long_src, long_tgt)


def test_text_features_copy_is_the_exact_excess_over_one_half() -> None:
    for src, tgt in zip(SOURCES, TARGETS, strict=True):
        exact, n = _copy_reference(src, tgt)
        want = max(0.0, float(exact) - 0.5) / 0.5 if n >= 10 else 0.0
        assert cr.text_features(src, tgt, "en", "de")["copy"] == want


# ---- tokens, cues, scripts, folding, number words ---------------------------------------------


def _tokens_reference(text: str) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for m in ttok._TOKEN_RE.finditer(text):
        a, w = m.start(), m.group(0)
        if ttok._CJK_RE.search(w):
            run = a
            for k, c in enumerate(w):
                if ttok.is_cjk(c):
                    if run < a + k:
                        out.append((run, a + k, text[run : a + k]))
                    out.append((a + k, a + k + 1, c))
                    run = a + k + 1
            if run < m.end():
                out.append((run, m.end(), text[run : m.end()]))
        else:
            out.append((a, m.end(), w))
    return out


TEXTS = [
    *SOURCES,
    *TARGETS,
    "",
    "   ",
    "Ich hab's nicht gewusst — don’t worry.",
    "价格是4400万元，比去年多了三十五个百分点。",
    "日本語とEnglishのmixed文abc123です。",
    "Привіт, світе! Зеленський і Путін.",
    "ＡＢＣ１２３　全角",
    "x" * 3000,
]


def test_tokens_match_the_plain_tokeniser_and_are_fresh_lists() -> None:
    for text in TEXTS:
        first = ttok.tokens(text)
        assert first == _tokens_reference(text)
        first.append((0, 0, "mutated"))
        assert ttok.tokens(text) == _tokens_reference(text)  # the memo is not the caller's list


def _cue_count_reference(text: str, cues: cr.Cues | None) -> int:
    if cues is None or not text:
        return 0
    n = 0
    low = text.lower()
    for s in cues.substrings:
        n += low.count(s)
    if cues.words or cues.prefixes or cues.suffixes:
        for _, _, w in _tokens_reference(text):
            t = w.lower().replace("’", "'")
            if (
                t in cues.words
                or any(t.startswith(p) for p in cues.prefixes)
                and not any(t.startswith(x) for x in cues.not_prefixes)
                or any(t.endswith(s) for s in cues.suffixes)
            ):
                n += 1
    return n


def test_cue_counts_match_the_plain_count() -> None:
    extra = [
        "Nikdy nebyl nemocný, ne, nic.",
        "I don't know, you idiot, never.",
        "我不知道，他妈的没有。",
        "決して行かない。クソ",
    ]
    cue_lists = [*cr.NEGATION_CUES.values(), *cr.TOXIC_CUES.values(), None]
    for text in [*TEXTS, *extra]:
        want = [_cue_count_reference(text, c) for c in cue_lists]
        assert cr.cue_counts(text, cue_lists) == want
        assert [cr.cue_count(text, c) for c in cue_lists] == want


def _dominant_script_reference(text: str) -> str | None:
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            sc = ttok.script_of(ch)
            counts[sc] = counts.get(sc, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else None


def test_dominant_script_and_counts_match_the_plain_loops() -> None:
    rnd = random.Random(11)
    alphabet = "abcXYZ 12,.äöüßПривітαβγ中文日本語ﾊﾝ\u0301é!\t"
    texts = [*TEXTS, *("".join(rnd.choice(alphabet) for _ in range(12)) for _ in range(3000))]
    for text in texts:
        assert ttok.dominant_script(text) == _dominant_script_reference(text)
        assert ttok.letters(text) == sum(c.isalpha() for c in text)
        assert ttok.alnum_len(text) == sum(c.isalnum() for c in text)


def test_markup_share_and_urlish_hint() -> None:
    def reference(text: str) -> float:
        total = sum(not c.isspace() for c in text)
        if not total:
            return 0.0
        code = sum(sum(not c.isspace() for c in m.group(0)) for m in ttok._URLISH.finditer(text))
        return code / total

    samples = [*TEXTS, "class=B x", "List_of_x#cite", "{{cite}}", "see www.example.org", "a|b"]
    for text in samples:
        assert ttok.markup_share(text) == reference(text)
        assert ttok.drop_urlish(text) == ttok._URLISH.sub(" ", text)


def _fold_reference(text: str) -> str:
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        n = unicodedata.normalize("NFKC", ch)
        if len(n) == 1 and (n.isdigit() or n in "%.,:/-$+'") and n.isascii():
            out.append(n)
        elif ch in "\u3000":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def test_fold_matches_the_plain_loop() -> None:
    sample = "".join(chr(c) for c in range(0x80, 0x30000, 7) if not 0xD800 <= c <= 0xDFFF)
    assert nm._fold(sample) == _fold_reference(sample)
    for text in TEXTS:
        assert nm._fold(text) == _fold_reference(text)


def test_number_extraction_and_words_unchanged_by_the_memo() -> None:
    for word in ["three", "twenty-five", "fünfundzwanzig", "third", "x" * 60, "dritte", "a"]:
        for lang in (None, "en", "de", "cs"):
            assert nm._word_number(word, lang) == nm._word_number_of(word, lang)
    # the same text twice: the same mentions
    for text in TEXTS:
        assert nm.extract_numbers(text, "en") == nm.extract_numbers(text, "en")
    assert [m.values for m in nm.extract_numbers("44 million and 4,4 Mio. and a million", "de")]


# ---- language identification ------------------------------------------------------------------


def _lang_probability_reference(
    text: str, candidates: Sequence[str] | None
) -> tuple[str, float] | None:
    ident = langid._py3langid(False)
    scores: dict[str, list[float]] = {}
    for label, score in ident.rank(text):
        scores.setdefault(langid._norm_code(str(label)), []).append(float(score))
    if candidates is not None:
        wanted = set(candidates)
        scores = {k: v for k, v in scores.items() if k in wanted}
        if len(scores) < 2:
            return None
    if not scores:
        return None
    codes = sorted(scores)
    plain = text.lower() if text.isupper() else text
    temperature = math.sqrt(len(unicodedata.normalize("NFC", plain).encode("utf8", "replace")) or 1)
    per_code = np.array([np.logaddexp.reduce(np.asarray(scores[c]) / temperature) for c in codes])
    if not np.all(np.isfinite(per_code)) or float(per_code.max() - per_code.min()) == 0.0:
        return None
    probs = np.exp(per_code - per_code.max())
    probs /= probs.sum()
    k = int(np.argmax(probs))
    return codes[k], float(probs[k])


def test_lang_probability_matches_the_plain_computation() -> None:
    pytest.importorskip("py3langid")
    texts = [
        *TEXTS,
        "粵語係香港嘅主要語言，佢哋講廣東話。",
        "你好，世界。我们今天去北京。",
        "مرحبا بالعالم، كيف حالك اليوم؟",
        "SHOUTING IN CAPITALS IS STILL ENGLISH",
        "!!!",
        "long " * 400,
    ]
    cand_sets = [None, ["en", "de"], ["en", "zh"], ["zh"], ["ar", "ku", "uz", "zh"], ["xx", "en"]]
    for _ in range(2):  # the second round comes from the memo
        for text in texts:
            for cands in cand_sets:
                want = _lang_probability_reference(text, cands)
                assert langid.lang_probability(text, cands) == want
                assert langid._lang_probability_plain(text, cands) == want


def test_transliterate_memo_is_transparent() -> None:
    for word in ["Зеленський", "Путіна", "Ελλάδα", "Müller", "Łódź", "x" * 80]:
        assert translit.transliterate(word) == translit._transliterate(word)
    assert re.fullmatch(r"[a-z0-9]*", translit.transliterate("Зеленський"))
