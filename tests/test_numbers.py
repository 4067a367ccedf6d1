"""Number, date and amount extraction and normalisation (mtaudit.text.numbers)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtaudit.text.number_matching import compare_numbers, magnitude_ratio, values_equal
from mtaudit.text.numbers import extract_numbers, parse_number


def values(text: str, lang: str | None = None, *, soft: bool = True) -> list[float]:
    return [m.value for m in extract_numbers(text, lang) if soft or not m.soft]


# --------------------------------------------------------------------------------------------
# parse_number: locale formats
# --------------------------------------------------------------------------------------------

PARSE_TABLE = [
    ("1,000.5", "en", 1000.5),
    ("1.000,5", "de", 1000.5),
    ("1 000,5", "fr", 1000.5),
    ("1\u00a0000\u00a0000", "fr", 1_000_000.0),
    ("1\u202f234,75", "fr", 1234.75),
    ("1'000.25", "de", 1000.25),
    ("1,000,000", "en", 1_000_000.0),
    ("1.000.000", "de", 1_000_000.0),
    ("1,00,000", "hi", 100_000.0),
    ("3,14", "de", 3.14),
    ("3.14", "en", 3.14),
    ("0,500", "de", 0.5),
    ("1234", None, 1234.0),
    ("４４", None, 44.0),
]


@pytest.mark.parametrize(("token", "lang", "expected"), PARSE_TABLE)
def test_parse_number_table(token: str, lang: str | None, expected: float) -> None:
    assert parse_number(token, lang)[0] == pytest.approx(expected)


def test_parse_number_keeps_both_readings_of_an_ambiguous_separator() -> None:
    assert parse_number("1,000", "en") == (1000.0, 1.0)
    assert parse_number("1,000", "de") == (1.0, 1000.0)
    assert set(parse_number("1.000", None)) == {1.0, 1000.0}


@pytest.mark.parametrize("bad", ["", "abc", "1,,2", ",5"])
def test_parse_number_rejects_non_numbers(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_number(bad)


def _group(int_part: str, sep: str) -> str:
    groups = []
    while len(int_part) > 3:
        groups.insert(0, int_part[-3:])
        int_part = int_part[:-3]
    groups.insert(0, int_part)
    return sep.join(groups)


LOCALES = {
    # lang: (thousands separator, decimal separator)
    "en": (",", "."),
    "de": (".", ","),
    "fr": ("\u202f", ","),
    "uk": ("\u00a0", ","),
    "ru": (" ", ","),
    "ch": ("'", "."),
}


@settings(max_examples=100, deadline=None)
@given(
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=99),
    st.sampled_from(sorted(LOCALES)),
)
def test_locale_formatting_parses_back(int_value: int, cents: int, locale: str) -> None:
    """A number formatted the way a locale writes it parses back to the same value."""
    thousands, decimal = LOCALES[locale]
    text = _group(str(int_value), thousands) + decimal + f"{cents:02d}"
    lang = None if locale == "ch" else locale
    expected = int_value + cents / 100
    assert any(v == pytest.approx(expected) for v in parse_number(text, lang))
    # and the same string inside a sentence is one mention with that value
    found = extract_numbers(f"Total: {text} units.", lang)
    assert len(found) == 1
    assert any(v == pytest.approx(expected) for v in found[0].values)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=999), st.sampled_from(["en", "de", "fr", "uk"]))
def test_scale_words_equal_digits(n: int, lang: str) -> None:
    """'N million' in any language equals N,000,000 written out."""
    word = {"en": "million", "de": "Millionen", "fr": "millions", "uk": "мільйонів"}[lang]
    a = extract_numbers(f"{n} {word}", lang)
    b = extract_numbers(_group(str(n * 1_000_000), {"en": ",", "de": "."}.get(lang, " ")), lang)
    assert len(a) == 1 and len(b) == 1
    assert values_equal(a[0], b[0])


# --------------------------------------------------------------------------------------------
# extract_numbers: kinds, scales, words, dates
# --------------------------------------------------------------------------------------------

EXTRACT_TABLE = [
    ("$44 million", "en", [44e6]),
    ("44 млн доларів", "uk", [44e6]),
    ("44 Mio. Dollar", "de", [44e6]),
    ("4,4 Milliarden Euro", "de", [4.4e9]),
    ("4400万ドル", "ja", [4.4e7]),
    ("44亿美元", "zh", [4.4e9]),
    ("1億2000万円", "ja", [1.2e8]),
    ("$5m and £2bn", "en", [5e6, 2e9]),
    ("3 dozen", "en", [36.0]),
    ("It rose 50% in 2022.", "en", [50.0, 2022.0]),
    ("50 Prozent", "de", [50.0]),
    ("п'ять тисяч гривень", "uk", [5000.0]),
    ("three people and twenty-five dogs", "en", [3.0, 25.0]),
    ("fünfundzwanzig Hunde", "de", [25.0]),
    ("三十五个人", "zh", [35.0]),
    ("百分之五十", "zh", [50.0]),
    ("Der dritte Link", "de", [3.0]),
]


@pytest.mark.parametrize(("text", "lang", "expected"), EXTRACT_TABLE)
def test_extract_values(text: str, lang: str, expected: list[float]) -> None:
    assert values(text, lang) == pytest.approx(expected)


def test_kinds() -> None:
    kinds = {m.text: m.kind for m in extract_numbers("$44 million, 50% and 2022", "en")}
    assert kinds == {"$44 million": "money", "50%": "percent", "2022": "year"}
    (m,) = extract_numbers("44 млн доларів", "uk")
    assert m.kind == "money" and m.currency == "USD"


def test_billion_follows_the_language() -> None:
    assert values("1 billion", "en") == [1e9]
    assert values("1 Billion", "de") == [1e12]
    assert set(extract_numbers("1 billion")[0].values) == {1e9, 1e12}


def test_dates_are_components() -> None:
    iso = sorted(values("2024-10-25"))
    assert iso == sorted(values("25.10.2024", "de")) == sorted(values("10/25/2024", "en"))
    assert sorted(values("2024年10月25日", "zh")) == iso
    assert sorted(values("October 25, 2024", "en")) == iso  # the month name is soft
    (day,) = [m for m in extract_numbers("on 25 October", "en") if not m.soft]
    assert day.kind == "date"


def test_times_and_decades() -> None:
    (t,) = extract_numbers("at 3 p.m.", "en")
    assert 15.0 in t.values
    (h,) = extract_numbers("um 10:30 Uhr", "de")
    assert 10.5 in h.values
    (d,) = extract_numbers("in the 1970s", "en")
    assert set(d.values) == {1970.0, 70.0}


def test_soft_and_glued_numbers() -> None:
    (one,) = extract_numbers("one of them", "en")
    assert one.soft
    assert extract_numbers("COVID-19 in 2020", "en")[0].value == 19.0
    # digits glued to letters are codes/names, compared by name_mismatch
    assert values("user Elven6 and the A320", "en") == []
    assert values("once upon a time", "en") == []  # Spanish "once" (11) is not English


def test_offsets_point_into_the_text() -> None:
    text = "Він отримав ４４ млн доларів у 2024 році."
    for m in extract_numbers(text, "uk"):
        assert text[m.start : m.end] == m.text


# --------------------------------------------------------------------------------------------
# compare_numbers
# --------------------------------------------------------------------------------------------


def test_compare_matches_across_formats() -> None:
    src = extract_numbers("NASA paid $44 million (about 1,000.5 per unit) in 2022.", "en")
    tgt = extract_numbers("NASA zahlte 44 Mio. Dollar (etwa 1.000,5 pro Stück) im Jahr 2022.", "de")
    assert compare_numbers(src, tgt).ok


def test_compare_substitution_and_magnitude() -> None:
    cmp = compare_numbers(
        extract_numbers("$44 million", "en"), extract_numbers("$4.4 million", "en")
    )
    assert not cmp.ok
    ((s, t),) = cmp.substituted
    assert magnitude_ratio(s, t) == pytest.approx(10.0)


def test_compare_added_and_missing() -> None:
    cmp = compare_numbers(
        extract_numbers("5 cats", "en"), extract_numbers("5 Katzen, 7 Hunde", "de")
    )
    assert [m.value for m in cmp.added] == [7.0]
    cmp = compare_numbers(
        extract_numbers("5 cats, 7 dogs", "en"), extract_numbers("5 Katzen", "de")
    )
    assert [m.value for m in cmp.missing] == [7.0]


def test_compare_words_account_for_digits_but_are_never_reported() -> None:
    assert compare_numbers(extract_numbers("3 cats", "en"), extract_numbers("drei Katzen", "de")).ok
    # a soft source word with no counterpart is not "missing"
    assert compare_numbers(extract_numbers("one of them", "en"), extract_numbers("einer", "de")).ok


@pytest.mark.parametrize(
    ("src", "sl", "tgt", "tl"),
    [
        ("es ist 4.45 Uhr morgens", "de", "il est 4 h 45 du matin", "fr"),
        ("um 20.30 Uhr", "de", "à 20 h 30", "fr"),
        ("at 4:45 pm", "en", "à 16 h 45", "fr"),
    ],
)
def test_compare_matches_time_formats(src: str, sl: str, tgt: str, tl: str) -> None:
    assert compare_numbers(extract_numbers(src, sl), extract_numbers(tgt, tl)).ok


def test_compare_joins_digit_groups_the_other_side_writes_as_one_number() -> None:
    def cmp(a: str, b: str):  # noqa: ANN202
        return compare_numbers(extract_numbers(a, "de"), extract_numbers(b, "fr"))

    assert cmp("Telefon 031/433611, Fax 031/446063", "téléphone 031/43 36 11, fax 031/446063").ok
    assert cmp("Telefon 039/26 7364", "téléphone 039/26 73 64").ok  # grouped differently
    assert cmp("Telefon 039/26 73 64", "téléphone 039/26 73 64").ok
    # a changed digit is still a change, and groups are not joined without a reason
    bad = cmp("Telefon 031/433611", "téléphone 031/43 36 12")
    assert not bad.ok
    assert cmp("Es hat 43 36 11 Dinge", "Il a 43 36 11 choses").ok
    sep = cmp("zwischen 5 und 10", "entre 5 et 10")
    assert sep.ok and len(sep.matched) == 2
