"""Tests for :mod:`mtaudit.segment`.

Gold files: ``tests/data/segmentation/<lang>.txt``, written for this project (not copied). Format:

* lines starting with ``#`` are comments;
* blocks are separated by one or more blank lines; each block is one paragraph, which becomes one
  line of the input document;
* each line of a block is one gold sentence. The paragraph is the block's sentences joined by one
  space (by nothing for ``zh`` and ``ja``), and the document is the paragraphs joined by ``\\n``.

:func:`load_gold` below is the reference reader (``benchmarks/bench_segmentation.py`` has a copy).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtaudit.segment import MAX_SENTENCE_CHARS, split_lines, split_sentences

GOLD_DIR = Path(__file__).parent / "data" / "segmentation"
GOLD_LANGS = ["en", "uk", "ru", "de", "fr", "es", "zh", "ja"]
UNSPACED = {"zh", "ja"}


def load_gold(lang: str) -> tuple[str, list[str]]:
    """The input document and its gold sentences for ``lang``."""
    blocks: list[list[str]] = [[]]
    for line in (GOLD_DIR / f"{lang}.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        if not line.strip():
            if blocks[-1]:
                blocks.append([])
            continue
        blocks[-1].append(line)
    blocks = [b for b in blocks if b]
    joiner = "" if lang in UNSPACED else " "
    return "\n".join(joiner.join(b) for b in blocks), [s for b in blocks for s in b]


def sentences(text: str, lang: str | None = None) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text, lang)]


def assert_valid_spans(text: str, spans: list[tuple[int, int]]) -> None:
    prev_end = 0
    for start, end in spans:
        assert isinstance(start, int) and isinstance(end, int)
        assert prev_end <= start < end <= len(text), (spans, text)
        piece = text[start:end]
        assert piece == piece.strip(), repr(piece)
        assert piece.strip(), repr(piece)
        prev_end = end


# ---------------------------------------------------------------------------------------------
# Gold splits
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", GOLD_LANGS)
def test_gold_split_exact(lang: str) -> None:
    text, gold = load_gold(lang)
    assert len(gold) >= 15
    got = sentences(text, lang)
    assert got == gold


@pytest.mark.parametrize("lang", GOLD_LANGS)
def test_gold_spans_are_valid(lang: str) -> None:
    text, _ = load_gold(lang)
    assert_valid_spans(text, split_sentences(text, lang))


@pytest.mark.parametrize("lang", ["en", "uk", "ru", "fr", "es", "zh", "ja"])
def test_gold_without_language_hint(lang: str) -> None:
    # The language-neutral rules (union of the tables) handle these gold files too; German needs
    # its ordinal rule ("am 25. Oktober") and so needs lang="de".
    text, gold = load_gold(lang)
    assert sentences(text, None) == gold


# ---------------------------------------------------------------------------------------------
# Specific behaviour
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "Mr. Smith went to Washington. He arrived at 5 p.m. on Monday.", 2),
        ("en", "He lives in the U.S. The weather is fine.", 2),
        ("en", "He is a U.S. citizen. Really.", 2),
        ("en", "J. R. R. Tolkien wrote it. It sold well.", 2),
        ("en", 'He said "Stop." Then he left.', 2),
        ("en", "Pi is about 3.14 and e about 2.72. Both are irrational.", 2),
        ("en", "Mail me at a.b@example.com. Or visit https://example.com/a.html. Thanks!", 3),
        ("en", "Wait... what? No!", 2),
        ("ru", "А. С. Пушкин родился в 1799 г. в Москве. Он был поэтом.", 2),
        ("ru", "Это было в 2022 г. Они уехали.", 2),
        ("ru", "Книги, журналы и т. д. Все это продавалось.", 2),
        ("ru", "Он живет на ул. Ленина, т. е. в центре.", 1),
        ("uk", "Т. Г. Шевченко народився 1814 р. у с. Моринці. Він був поетом.", 2),
        ("de", "Das ist z. B. ein Test. Er läuft bzw. läuft nicht.", 2),
        ("de", "Am 3. Oktober ist Feiertag. Das ist gut.", 2),
        ("fr", "M. Dupont est là. Et maintenant ? Personne ne sait.", 3),
        ("es", "¿Qué pasa? ¡Nada! El Sr. García llegó a EE. UU. por la mañana.", 3),
        ("zh", "你好。我很好！你呢？", 3),
        ("ja", "彼は「明日来ます。たぶん」と言った。本当？", 2),
    ],
)
def test_cases(lang: str, text: str, expected: int) -> None:
    spans = split_sentences(text, lang)
    assert_valid_spans(text, spans)
    assert len(spans) == expected, sentences(text, lang)


def test_closing_quote_stays_with_sentence() -> None:
    assert sentences("«Я не знаю». Он ушел.", "ru") == ["«Я не знаю».", "Он ушел."]
    assert sentences("He said: “Go.” She went.", "en") == ["He said: “Go.”", "She went."]
    assert sentences("Elle dit : « C’est fini. » Puis elle part.", "fr") == [
        "Elle dit : « C’est fini. »",
        "Puis elle part.",
    ]


def test_lines_are_hard_boundaries() -> None:
    text = "close\nua en ru\nNASA chief calls for probe\n\nThe report said so. Nothing else"
    assert sentences(text, "en") == [
        "close",
        "ua en ru",
        "NASA chief calls for probe",
        "The report said so.",
        "Nothing else",
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "\u2028"])
def test_line_endings(newline: str) -> None:
    text = f"One. Two.{newline}Three{newline}{newline}  Four. "
    assert sentences(text, "en") == ["One.", "Two.", "Three", "Four."]


def test_language_codes_are_normalised() -> None:
    text = "Dr. Who arrived. He left."
    expected = ["Dr. Who arrived.", "He left."]
    for lang in ("en", "en-US", "EN", "en_GB", None, "xx", "", "pt-BR", "it"):
        assert sentences(text, lang) == expected


def test_other_language_uses_sentencex_abbreviations() -> None:
    # Italian has no table here; sentencex's Italian list knows "sig." and "dott.".
    text = "Il sig. Rossi è arrivato. Ha parlato con il dott. Bianchi."
    assert sentences(text, "it") == [
        "Il sig. Rossi è arrivato.",
        "Ha parlato con il dott. Bianchi.",
    ]


@pytest.mark.parametrize(
    "text", ["", " ", "\n\n\r\n", "\t \u200b\ufeff\u00a0", "\x00", "...", "。"]
)
def test_degenerate_input(text: str) -> None:
    spans = split_sentences(text)
    assert_valid_spans(text, spans)
    assert all(text[a:b].strip("\x00\u200b\ufeff") for a, b in spans)


def test_non_str_input_gives_no_spans() -> None:
    assert split_sentences(None) == []  # type: ignore[arg-type]
    assert split_lines(b"bytes") == []  # type: ignore[arg-type]


def test_long_unpunctuated_run_is_capped() -> None:
    words = " ".join(f"word{i}" for i in range(3000))  # ~26,000 characters, no punctuation
    spans = split_sentences(words, "en")
    assert_valid_spans(words, spans)
    assert len(spans) > 10
    assert all(b - a <= MAX_SENTENCE_CHARS for a, b in spans)
    # Cut at white space, so no word is broken.
    assert all(words[a:b].split()[0].startswith("word") for a, b in spans)
    assert " ".join(words[a:b] for a, b in spans) == words


def test_long_run_without_spaces_is_capped() -> None:
    text = "字" * 5000 + "\u0301" * 3 + "a" * 5000
    spans = split_sentences(text, "zh")
    assert_valid_spans(text, spans)
    assert all(b - a <= MAX_SENTENCE_CHARS for a, b in spans)
    assert "".join(text[a:b] for a, b in spans) == text


def test_large_document_is_fast_and_linear() -> None:
    text, gold = load_gold("en")
    n = 20_000 // len(gold) + 1
    big = "\n".join([text] * n)
    t0 = time.perf_counter()
    spans = split_sentences(big, "en")
    elapsed = time.perf_counter() - t0
    assert len(spans) == len(gold) * n
    assert elapsed < 6.0, f"{len(spans)} sentences took {elapsed:.2f}s"
    one_line = " ".join(gold) * 200  # ~1.3 MB in a single line
    t0 = time.perf_counter()
    split_sentences(one_line, "en")
    assert time.perf_counter() - t0 < 6.0


# ---------------------------------------------------------------------------------------------
# split_lines
# ---------------------------------------------------------------------------------------------


def test_split_lines_crlf_cr() -> None:
    text = "First line. Still first\r\nSecond\rThird\n\n   \r\n  Fourth  \n"
    spans = split_lines(text)
    assert_valid_spans(text, spans)
    assert [text[a:b] for a, b in spans] == ["First line. Still first", "Second", "Third", "Fourth"]


def test_split_lines_empty_and_blank() -> None:
    assert split_lines("") == []
    assert split_lines("\n\r\n\r \t \u200b") == []
    assert split_lines("x") == [(0, 1)]


# ---------------------------------------------------------------------------------------------
# Property tests
# ---------------------------------------------------------------------------------------------

NASTY = (
    "aA zZ.!?…。！？「」『』（）()\"'“”«»„‹›\n\r\t\u00a0\u202f\u200b\u200c\u200d\u2060\ufeff\x00"
    "\x01\x1f\x7f\u0301\u0308\u202e\u202d\u2066\u2069\u2028\u2029\u0085\u000b\u000c"
    "абвгдАБВ гтд.ЫЇ שלום مرحبا 你好 の 😀🇺🇦👩‍👩‍👧 1234567890,;:-—–"
)
_nasty_text = st.text(alphabet=st.sampled_from(NASTY), max_size=200)
_any_text = st.text(max_size=200)
_fragments = st.lists(
    st.sampled_from(
        [
            "Mr.",
            "U.S.",
            "J.",
            "г.",
            "т. д.",
            "z. B.",
            "25.",
            "...",
            "?!",
            "«",
            "»",
            "“",
            "”",
            "。",
            "！",
            "「",
            "」",
            " ",
            "\n",
            "\r\n",
            "The",
            "Он",
            "word",
            "4.4",
            "http://a.b/c.d",
            "a@b.cd",
            "\u200b",
        ]
    ),
    max_size=60,
).map("".join)
_langs = st.sampled_from([None, "en", "uk", "ru", "de", "fr", "es", "zh", "ja", "it", "xx"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(_nasty_text, _any_text, _fragments), lang=_langs)
def test_property_spans_invariants(text: str, lang: str | None) -> None:
    spans = split_sentences(text, lang)
    assert_valid_spans(text, spans)
    # Every letter or digit of the text is inside some sentence.
    covered = [False] * len(text)
    for a, b in spans:
        for i in range(a, b):
            covered[i] = True
    assert all(covered[i] for i, ch in enumerate(text) if ch.isalnum())
    # Sentences never cross a line break.
    assert all("\n" not in text[a:b] and "\r" not in text[a:b] for a, b in spans)


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(_nasty_text, _any_text))
def test_property_split_lines(text: str) -> None:
    spans = split_lines(text)
    assert_valid_spans(text, spans)
    assert len(spans) <= len(text.splitlines()) + 1
    for a, b in spans:
        assert len(text[a:b].splitlines()) == 1
