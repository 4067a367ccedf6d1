"""Numbers, dates and amounts in running text: extraction, normalisation and comparison.

:func:`extract_numbers` finds every number-like expression in a sentence and normalises it to a
value, so that the same quantity written differently in two languages compares equal:

* digits in the usual locale formats — ``1,000.5`` / ``1.000,5`` / ``1 000,5`` / ``1'000.5``,
  Indian ``1,00,000`` — and full-width digits (``４４``);
* scale words and abbreviations after a number — ``44 million``, ``4,4 Mio.``, ``44 млн``,
  ``4.4bn``, ``4400万``, ``44億``, ``1億2000万`` — so ``44 million`` equals ``44,000,000``;
* percentages (``50%``, ``50 Prozent``, ``50 відсотків``) and money (``$44 million``,
  ``44 млн доларів``, ``4400万ドル``): the value is compared, the kind only sets severity;
* dates and times, as components: ``2024-10-25``, ``25.10.2024``, ``10/25/2024``,
  ``2024年10月25日``, ``October 25`` (the month name counts as month 10), ``10:30``, ``3 p.m.``;
* number words in en, de, fr, es, it, ru, uk and cs (``three``, ``drei``, ``п'ять``),
  Chinese/Japanese numerals (``三十五``) and month names. These are *soft* mentions: they can
  account for a number on the other side, but a soft mention with no counterpart is never reported
  (``one`` is as often a pronoun as a number).

A value that a format leaves ambiguous keeps every reading (``1,000`` is 1000 in English and 1.0
in German; MT output often keeps the source's format), and two mentions match when any readings
agree. Signs are ignored (a hyphen is far more often a range or a compound than a minus).

:func:`compare_numbers` matches the mentions of a source and a target as multisets and returns what
is left over on each side, pairing leftovers into substitutions (``44 million`` → ``4.4 million``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = [
    "NumberMention",
    "NumberComparison",
    "extract_numbers",
    "parse_number",
    "compare_numbers",
    "values_equal",
    "magnitude_ratio",
]

#: Kinds of mention, from the most to the least specific.
KINDS = ("money", "percent", "year", "date", "time", "month", "number")


@dataclass(frozen=True)
class NumberMention:
    """One number-like expression in a text.

    ``start``/``end`` are offsets into the text given to :func:`extract_numbers`. ``values`` holds
    every plausible reading (at least one), as non-negative floats. ``soft`` mentions (number
    words, month names) may account for a number on the other side but are never reported.
    """

    text: str
    start: int
    end: int
    values: tuple[float, ...]
    kind: str = "number"
    soft: bool = False
    currency: str | None = None

    @property
    def value(self) -> float:
        """The preferred reading."""
        return self.values[0]


@dataclass
class NumberComparison:
    """The outcome of :func:`compare_numbers`."""

    matched: list[tuple[NumberMention, NumberMention]] = field(default_factory=list)
    #: Source mentions (hard) with no counterpart in the target, not part of a substitution.
    missing: list[NumberMention] = field(default_factory=list)
    #: Target mentions (hard) with no counterpart in the source, not part of a substitution.
    added: list[NumberMention] = field(default_factory=list)
    #: ``(source, target)`` pairs of unmatched mentions that stand for each other.
    substituted: list[tuple[NumberMention, NumberMention]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every hard mention found its counterpart."""
        return not (self.missing or self.added or self.substituted)


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def _table(
    units: str, tens: str, big: str, extra: dict[str, float] | None = None
) -> dict[str, float]:
    """A number-word table from 0–20, 30–90 and 100/1000 written out in one language."""
    out: dict[str, float] = {}
    for v, w in enumerate(units.split()):
        out[w] = float(v)
    for v, w in zip(range(30, 100, 10), tens.split(), strict=False):
        out[w] = float(v)
    for v, w in zip((100.0, 1000.0), big.split(), strict=False):
        out[w] = v
    for w, v in (extra or {}).items():
        out[w] = float(v)
    return {k.replace("’", "'"): v for k, v in out.items()}


#: Number words per language: 0–20, the tens, 100 and 1000 (with common inflected forms).
_NUMBER_WORDS_BY_LANG: dict[str, dict[str, float]] = {
    "en": _table(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty",
        "thirty forty fifty sixty seventy eighty ninety",
        "hundred thousand",
    ),
    "de": _table(
        "null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn vierzehn "
        "fünfzehn sechzehn siebzehn achtzehn neunzehn zwanzig",
        "dreißig vierzig fünfzig sechzig siebzig achtzig neunzig",
        "hundert tausend",
    ),
    "fr": _table(
        "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze "
        "seize dix-sept dix-huit dix-neuf vingt",
        "trente quarante cinquante soixante soixante-dix quatre-vingt quatre-vingt-dix",
        "cent mille",
        extra={"une": 1},
    ),
    "es": _table(
        "cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince "
        "dieciséis diecisiete dieciocho diecinueve veinte",
        "treinta cuarenta cincuenta sesenta setenta ochenta noventa",
        "cien mil",
        extra={"una": 1, "un": 1, "ciento": 100},
    ),
    "it": _table(
        "zero uno due tre quattro cinque sei sette otto nove dieci undici dodici tredici "
        "quattordici quindici sedici diciassette diciotto diciannove venti",
        "trenta quaranta cinquanta sessanta settanta ottanta novanta",
        "cento mille",
        extra={"una": 1, "un": 1},
    ),
    "ru": _table(
        "ноль один два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать "
        "тринадцать четырнадцать пятнадцать шестнадцать семнадцать восемнадцать девятнадцать "
        "двадцать",
        "тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят девяносто",
        "сто тысяча",
        extra={
            "одна": 1,
            "одно": 1,
            "одного": 1,
            "одной": 1,
            "одну": 1,
            "две": 2,
            "двух": 2,
            "двум": 2,
            "трех": 3,
            "трёх": 3,
            "четырех": 4,
            "четырёх": 4,
            "пяти": 5,
            "шести": 6,
            "семи": 7,
            "восьми": 8,
            "девяти": 9,
            "десяти": 10,
        },
    ),
    "uk": _table(
        "нуль один два три чотири п'ять шість сім вісім дев'ять десять одинадцять дванадцять "
        "тринадцять чотирнадцять п'ятнадцять шістнадцять сімнадцять вісімнадцять дев'ятнадцять "
        "двадцять",
        "тридцять сорок п'ятдесят шістдесят сімдесят вісімдесят дев'яносто",
        "сто тисяча",
        extra={
            "одна": 1,
            "одне": 1,
            "одного": 1,
            "одну": 1,
            "дві": 2,
            "двох": 2,
            "трьох": 3,
            "чотирьох": 4,
            "п'яти": 5,
            "шести": 6,
            "семи": 7,
            "восьми": 8,
            "дев'яти": 9,
            "десяти": 10,
        },
    ),
    "cs": _table(
        "nula jeden dva tři čtyři pět šest sedm osm devět deset jedenáct dvanáct třináct "
        "čtrnáct patnáct šestnáct sedmnáct osmnáct devatenáct dvacet",
        "třicet čtyřicet padesát šedesát sedmdesát osmdesát devadesát",
        "sto tisíc",
        extra={"jedna": 1, "jedno": 1, "dvě": 2, "dvou": 2, "tří": 3, "čtyř": 4},
    ),
}
#: Ordinal stems (``third``, ``dritte``, ``troisième``, ``третий``): a word starting with the stem
#: and at most three letters longer reads as the number.
_ORDINAL_STEMS_BY_LANG: dict[str, dict[str, float]] = {
    "en": {
        "first": 1,
        "second": 2,
        "third": 3,
        "fourth": 4,
        "fifth": 5,
        "sixth": 6,
        "seventh": 7,
        "eighth": 8,
        "ninth": 9,
        "tenth": 10,
        "eleventh": 11,
        "twelfth": 12,
        "thirteenth": 13,
        "fourteenth": 14,
        "fifteenth": 15,
        "sixteenth": 16,
        "seventeenth": 17,
        "eighteenth": 18,
        "nineteenth": 19,
        "twentieth": 20,
        "thirtieth": 30,
        "fortieth": 40,
        "fiftieth": 50,
        "hundredth": 100,
    },
    "de": {
        "erst": 1,
        "zweit": 2,
        "dritt": 3,
        "viert": 4,
        "fünft": 5,
        "sechst": 6,
        "siebt": 7,
        "acht": 8,
        "neunt": 9,
        "zehnt": 10,
        "elft": 11,
        "zwölft": 12,
        "zwanzigst": 20,
        "hundertst": 100,
    },
    "fr": {
        "premi": 1,
        "deuxième": 2,
        "second": 2,
        "troisième": 3,
        "quatrième": 4,
        "cinquième": 5,
        "sixième": 6,
        "septième": 7,
        "huitième": 8,
        "neuvième": 9,
        "dixième": 10,
    },
    "es": {
        "primer": 1,
        "segund": 2,
        "tercer": 3,
        "cuart": 4,
        "quint": 5,
        "sext": 6,
        "séptim": 7,
        "octav": 8,
        "noven": 9,
        "décim": 10,
    },
    "it": {
        "prim": 1,
        "second": 2,
        "terz": 3,
        "quart": 4,
        "quint": 5,
        "sest": 6,
        "settim": 7,
        "ottav": 8,
        "non": 9,
        "decim": 10,
    },
    "ru": {
        "перв": 1,
        "втор": 2,
        "трет": 3,
        "четверт": 4,
        "пят": 5,
        "шест": 6,
        "седьм": 7,
        "восьм": 8,
        "девят": 9,
        "десят": 10,
    },
    "uk": {
        "перш": 1,
        "друг": 2,
        "трет": 3,
        "четверт": 4,
        "п'ят": 5,
        "шост": 6,
        "сьом": 7,
        "восьм": 8,
        "дев'ят": 9,
        "десят": 10,
    },
    "cs": {
        "první": 1,
        "druh": 2,
        "třetí": 3,
        "čtvrt": 4,
        "pát": 5,
        "šest": 6,
        "sedm": 7,
        "osm": 8,
        "devát": 9,
        "desát": 10,
    },
}
_NUMBER_WORDS: dict[str, float] = {}
for _tab in _NUMBER_WORDS_BY_LANG.values():
    for _w, _v in _tab.items():
        _NUMBER_WORDS.setdefault(_w, _v)
#: Words that are articles as often as numbers: they never pair up into a substitution.
_WEAK_WORDS = frozenset(
    [
        "one",
        "un",
        "une",
        "uno",
        "una",
        "один",
        "одна",
        "одно",
        "одного",
        "одной",
        "одне",
        "одну",
        "jeden",
        "jedna",
        "jedno",
        "eins",
    ]
)

_EN = _NUMBER_WORDS_BY_LANG["en"]
_EN_UNITS = {w: v for w, v in _EN.items() if 1 <= v <= 9}
_EN_TENS = {w: v for w, v in _EN.items() if v in (20, 30, 40, 50, 60, 70, 80, 90)}
_DE = _NUMBER_WORDS_BY_LANG["de"]
_DE_UNITS = {"ein": 1.0, **{w: v for w, v in _DE.items() if 2 <= v <= 9}}
_DE_TENS = {w: v for w, v in _DE.items() if v in (20, 30, 40, 50, 60, 70, 80, 90)}

_MONTHS: dict[str, int] = {}
for _m, _spec in enumerate(
    [
        "january jan januar jänner janvier enero gennaio январь января січень січня leden ledna",
        "february feb februar février febrero febbraio февраль февраля лютий лютого únor února",
        "march mar märz mars marzo март марта березень березня březen března",
        "april apr avril abril aprile апрель апреля квітень квітня duben dubna",
        "may mai mayo maggio май мая травень травня květen května",
        "june jun juni juin junio giugno июнь июня червень червня červen června",
        "july jul juli juillet julio luglio июль июля липень липня červenec července",
        "august aug août agosto август августа серпень серпня srpen srpna",
        "september sep sept septembre septiembre settembre сентябрь сентября вересень вересня září",
        "october oct oktober octobre octubre ottobre октябрь октября жовтень жовтня říjen října",
        "november nov novembre noviembre ноябрь ноября листопад листопада listopad listopadu",
        "december dec dezember décembre diciembre dicembre декабрь декабря грудень грудня "
        "prosinec prosince",
    ],
    start=1,
):
    for _w in _spec.split():
        _MONTHS[_w] = _m
# Abbreviations that are ordinary words too ("may", "mar", "jan" …) stay soft anyway.

# Scale words after a number. ``None`` in the value means: depends on the language (long scale).
_SCALES: dict[str, float] = {
    "dozen": 12.0,
    "thousand": 1e3,
    "thousands": 1e3,
    "tausend": 1e3,
    "tsd": 1e3,
    "mille": 1e3,
    "mil": 1e3,
    "mila": 1e3,
    "тыс": 1e3,
    "тысяча": 1e3,
    "тысячи": 1e3,
    "тысяч": 1e3,
    "тис": 1e3,
    "тисяча": 1e3,
    "тисячі": 1e3,
    "тисяч": 1e3,
    "tis": 1e3,
    "tisíc": 1e3,
    "tisíce": 1e3,
    "tys": 1e3,
    "tysięcy": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "millionen": 1e6,
    "mio": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "millón": 1e6,
    "millones": 1e6,
    "milione": 1e6,
    "milioni": 1e6,
    "млн": 1e6,
    "миллион": 1e6,
    "миллиона": 1e6,
    "миллионов": 1e6,
    "мільйон": 1e6,
    "мільйона": 1e6,
    "мільйонів": 1e6,
    "мільйони": 1e6,
    "миллионы": 1e6,
    "milion": 1e6,
    "milionů": 1e6,
    "miliony": 1e6,
    "milionu": 1e6,
    "milionów": 1e6,
    "milliarde": 1e9,
    "milliarden": 1e9,
    "mrd": 1e9,
    "milliard": 1e9,
    "milliards": 1e9,
    "md": 1e9,
    "mds": 1e9,
    "miliardo": 1e9,
    "miliardi": 1e9,
    "bn": 1e9,
    "млрд": 1e9,
    "миллиард": 1e9,
    "миллиарда": 1e9,
    "миллиардов": 1e9,
    "мільярд": 1e9,
    "мільярда": 1e9,
    "мільярдів": 1e9,
    "мільярди": 1e9,
    "miliarda": 1e9,
    "miliard": 1e9,
    "miliardy": 1e9,
    "mld": 1e9,
    "miliardów": 1e9,
    "trillion": 1e12,
    "trillions": 1e12,
    "trn": 1e12,
    "tn": 1e12,
    "трлн": 1e12,
    "триллион": 1e12,
    "триллиона": 1e12,
    "триллионов": 1e12,
    "трильйон": 1e12,
    "трильйона": 1e12,
    "трильйонів": 1e12,
    "bio": 1e12,
    "billionen": 1e12,
    "billón": 1e12,
    "billones": 1e12,
    "bilion": 1e12,
    "bilionů": 1e12,
}
#: "billion" is 10^9 in English (short scale) and 10^12 in most of continental Europe.
_BILLION = frozenset({"billion", "billions"})
_LONG_SCALE_LANGS = frozenset(
    {
        "de",
        "fr",
        "es",
        "it",
        "nl",
        "pl",
        "cs",
        "sk",
        "sv",
        "da",
        "no",
        "nb",
        "fi",
        "hu",
        "sl",
        "hr",
        "et",
        "lv",
        "lt",
        "ro",
        "ca",
        "pt",
    }
)
_SHORT_SCALE_LANGS = frozenset({"en", "ru", "uk", "he", "ar", "tr", "el", "ja", "zh", "ko"})
#: Single-letter scales are only read as such right after a currency amount ("$5m", "£2k").
_MONEY_ONLY_SCALES = {"k": 1e3, "m": 1e6, "b": 1e9, "bn": 1e9, "mm": 1e6}

_CJK_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CJK_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CJK_BIG_UNITS = {
    "万": 1e4,
    "萬": 1e4,
    "亿": 1e8,
    "億": 1e8,
    "兆": 1e12,
    "만": 1e4,
    "억": 1e8,
    "조": 1e12,
    "천": 1e3,
}

# Currency symbols / codes before a number, and words / symbols after it.
_CUR_PREFIX = (
    r"US\$|A\$|C\$|HK\$|NZ\$|R\$|S\$|\$|€|£|¥|￥|₴|₽|₹|₩|₪|₺|₿|"
    r"(?:CHF|USD|EUR|GBP|UAH|RUB|JPY|CNY|RMB|CZK|PLN|INR)(?![A-Za-z])"
)
_CUR_SUFFIX = (
    r"\$|€|£|¥|￥|₴|₽|₹|₩|Kč|zł|"
    r"(?:CHF|USD|EUR|GBP|UAH|RUB|JPY|CNY|RMB|CZK|PLN|INR)(?![A-Za-z])|"
    r"(?:US[- ])?dollars?\b|dollar\b|dólar(?:es)?\b|dollari\b|euros?\b|pounds?\b|pfund\b|"
    r"yen\b|yuan\b|renminbi\b|francs?\b|franken\b|rupees?\b|"
    r"долар\w*|доллар\w*|дол\.|євро|евро|гривн\w*|гривен\w*|гривень|грн\.?|"
    r"рубл\w*|руб\.?|фунт\w*|юан\w*|єн\w*|иен\w*|"
    r"korun\w*|koruna|eur\b|złotych|złote|"
    r"美元|美金|元|人民币|欧元|英镑|日元|港元|卢布|ドル|円|ユーロ|ポンド|달러|원|유로"
)
_CUR_CODES = {
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "¥": "JPY/CNY",
    "￥": "JPY/CNY",
    "₴": "UAH",
    "грн": "UAH",
    "₽": "RUB",
    "₹": "INR",
    "美元": "USD",
    "ドル": "USD",
    "円": "JPY",
    "日元": "JPY",
    "元": "CNY",
    "人民币": "CNY",
    "欧元": "EUR",
    "ユーロ": "EUR",
    "kč": "CZK",
    "czk": "CZK",
}
_PERCENT = (
    r"%|％|‰|\s?(?:per\s?cent|percent|pct\b|prozent|pour\s?cent|por\s?ciento|por\s?cento|"
    r"per\s?cento|procent\w*|процент\w*|відсот\w*|パーセント|퍼센트)"
)

# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

_SPACES = "\u00a0\u202f\u2009\u2007\u200a"
_APOS = "'’"


def _fold(text: str) -> str:
    """Map full-width digits, signs and spaces to ASCII, one character for one (offsets stay)."""
    if text.isascii():
        return text
    return _NON_ASCII.sub(_fold_match, text)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_match(m: re.Match[str]) -> str:
    return _fold_char(m.group())


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    n = unicodedata.normalize("NFKC", ch)
    if len(n) == 1 and (n.isdigit() or n in "%.,:/-$+'") and n.isascii():
        return n
    if ch in "\u3000":
        return " "
    return ch


def _currency_code(token: str) -> str:
    """An ISO-like code for a currency token (``$`` → ``USD``), else the token itself."""
    t = token.strip().lower().rstrip(".")
    if t in _CUR_CODES:
        return _CUR_CODES[t]
    for prefix, code in (
        ("dolar", "USD"),
        ("dollar", "USD"),
        ("доллар", "USD"),
        ("долар", "USD"),
        ("дол", "USD"),
        ("us", "USD"),
        ("euro", "EUR"),
        ("евро", "EUR"),
        ("євро", "EUR"),
        ("гривн", "UAH"),
        ("гривен", "UAH"),
        ("гривень", "UAH"),
        ("рубл", "RUB"),
        ("руб", "RUB"),
        ("pound", "GBP"),
        ("фунт", "GBP"),
        ("pfund", "GBP"),
        ("yen", "JPY"),
        ("иен", "JPY"),
        ("єн", "JPY"),
        ("yuan", "CNY"),
        ("юан", "CNY"),
        ("korun", "CZK"),
        ("franc", "CHF"),
        ("franken", "CHF"),
    ):
        if t.startswith(prefix):
            return code
    return token.strip()


def _key(v: float) -> float:
    """A comparison key that forgives floating-point noise (9 significant digits)."""
    return float(f"{v:.9g}")


def values_equal(a: NumberMention, b: NumberMention) -> bool:
    """Whether two mentions share a reading."""
    ka = {_key(v) for v in a.values}
    return any(_key(v) in ka for v in b.values)


def magnitude_ratio(a: NumberMention, b: NumberMention) -> float:
    """The smallest ratio (≥ 1) between any readings of two mentions; ``inf`` if one is zero."""
    best = math.inf
    for x in a.values:
        for y in b.values:
            if x == y:
                return 1.0
            if x > 0 and y > 0:
                best = min(best, max(x, y) / min(x, y))
    return best


def _grouping_langs_comma_decimal(lang: str | None) -> bool | None:
    """True when ``lang`` writes a decimal comma, False for a decimal point, None if unknown."""
    if not lang:
        return None
    base = lang.split("-")[0].lower()
    return base not in {"en", "ja", "zh", "ko", "he", "th", "hi", "ga", "mt", "ms", "tl", "sw"}


def parse_number(token: str, lang: str | None = None) -> tuple[float, ...]:
    """All plausible values of a digit string with separators, preferred reading first.

    >>> parse_number("1,000.5")
    (1000.5,)
    >>> parse_number("1.000,5")
    (1000.5,)
    >>> parse_number("1,000", "en")
    (1000.0, 1.0)
    >>> parse_number("1,000", "de")
    (1.0, 1000.0)

    Raises ``ValueError`` for a string that is not a number.
    """
    tok = _fold(token.strip())
    for ch in _SPACES:
        tok = tok.replace(ch, " ")
    for ch in _APOS:
        tok = tok.replace(ch, "'")
    if not tok or not tok[0].isdigit() or not tok[-1].isdigit():
        raise ValueError(f"not a number: {token!r}")
    if not re.fullmatch(r"\d+(?:[ ',.]\d+)*", tok):
        raise ValueError(f"not a number: {token!r}")
    tok = tok.replace(" ", "").replace("'", "")
    seps = [c for c in tok if c in ",."]
    if not seps:
        return (float(tok),)
    parts = re.split(r"[,.]", tok)
    if len(set(seps)) == 2:
        dec = seps[-1]
        if seps.count(dec) > 1:
            raise ValueError(f"not a number: {token!r}")
        int_part, frac = tok.rsplit(dec, 1)
        int_part = int_part.replace("," if dec == "." else ".", "")
        if not int_part.isdigit():
            raise ValueError(f"not a number: {token!r}")
        return (float(f"{int_part}.{frac}"),)
    sep = seps[0]
    if len(seps) > 1:
        # 1,000,000 / 1.000.000 / Indian 1,00,000: grouping
        if len(parts[-1]) == 3 and all(1 <= len(p) <= 3 for p in parts):
            return (float("".join(parts)),)
        raise ValueError(f"not a number: {token!r}")
    int_part, frac = parts
    if len(frac) != 3 or int_part == "0" or len(int_part) > 3 or int_part.startswith("0"):
        return (float(f"{int_part}.{frac}"),)
    grouped, decimal = float(int_part + frac), float(f"{int_part}.{frac}")
    comma_decimal = _grouping_langs_comma_decimal(lang)
    if sep == ",":
        prefer_decimal = bool(comma_decimal)
    else:
        prefer_decimal = comma_decimal is None or not comma_decimal
    return (decimal, grouped) if prefer_decimal else (grouped, decimal)


def _scale_value(word: str, lang: str | None) -> tuple[float, ...] | None:
    w = word.lower().rstrip(".")
    if w in _BILLION:
        base = (lang or "").split("-")[0].lower()
        if base in _LONG_SCALE_LANGS or (word[:1].isupper() and base == "de"):
            return (1e12, 1e9)
        if base in _SHORT_SCALE_LANGS:
            return (1e9,)
        return (1e9, 1e12)
    if w in _SCALES:
        return (_SCALES[w],)
    return None


# --------------------------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------------------------

_NUM = r"\d{1,3}(?:(?:[ ,.'’]|[" + _SPACES + r"])\d{3})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)?"
# Not after a letter of an alphabetic script: digits glued to a word are part of a name or a code
# (A320, Elven6, nycapple123) and are compared as names; after a CJK character (第3) they count.
_NUM_RE = re.compile(r"(?<![\d])(?<!\d[.,])(?<![A-Za-zÀ-ɏͰ-ϿЀ-ӿ])(" + _NUM + r")")
_SCALE_WORDS = sorted({*_SCALES, *_BILLION}, key=len, reverse=True)
_SCALE_RE = re.compile(
    r"[ \u00a0\u202f]?(" + "|".join(re.escape(w) for w in _SCALE_WORDS) + r")(?:\.|(?![\w]))",
    re.IGNORECASE,
)
_MONEY_SCALE_RE = re.compile(r"[ ]?(bn|mm|[kKmMbB])(?![\w])")
_CJK_SCALE_RE = re.compile(r"\s?([万萬亿億兆만억조]+|千万|百万)")
_CUR_PREFIX_RE = re.compile(r"(" + _CUR_PREFIX + r")[ \u00a0\u202f]?$")
_CUR_SUFFIX_RE = re.compile(r"[ \u00a0\u202f]?(" + _CUR_SUFFIX + r")", re.IGNORECASE)
_PERCENT_RE = re.compile(r"[ \u00a0\u202f]?(" + _PERCENT + r")", re.IGNORECASE)
_PM_RE = re.compile(r"\s?(p\.\s?m\.|pm\b|PM\b|P\.M\.)")
_AM_RE = re.compile(r"\s?(a\.\s?m\.|am\b|AM\b|A\.M\.)")
_ORD_RE = re.compile(
    r"(st|nd|rd|th|er|re|e|ème|eme|º|ª|°|-?го|-?й|-?я|-?е|-?го|\.)(?![\w])", re.IGNORECASE
)
_ISO_DATE_RE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_DMY_RE = re.compile(r"(?<![\d.,/])(\d{1,2})([./])(\d{1,2})\2(\d{4}|\d{2})(?![\d])")
_DM_RE = re.compile(r"(?<![\d.,])(\d{1,2})\.(\d{1,2})\.(?![\d])")
# 16:45, 16h45 and (French) 16 h 45
_TIME_RE = re.compile(r"(?<![\d.,:])(\d{1,2})(?::| ?h ?)(\d{2})(?::\d{2})?(?![\d])")
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_CJK_NUM_RE = re.compile(r"(?:百分之)?[〇零一二两兩三四五六七八九十拾百佰千仟万萬亿億兆]+")
_CJK_SUFFIX_KIND = {
    "年": "year",
    "月": "month",
    "日": "date",
    "号": "date",
    "號": "date",
    "년": "year",
    "월": "month",
    "일": "date",
    "時": "time",
    "时": "time",
    "点": "time",
    "分": "time",
}
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+")


def _month_at(words: list[tuple[int, int, str]], k: int) -> int | None:
    if 0 <= k < len(words):
        return _MONTHS.get(words[k][2].lower().rstrip("."))
    return None


def _cjk_value(s: str) -> float | None:
    """Value of a Chinese/Japanese numeral such as 三十五, 两千, 一亿两千万."""
    total, section, digit = 0.0, 0.0, None
    for ch in s:
        if ch in _CJK_DIGITS:
            digit = float(_CJK_DIGITS[ch])
        elif ch in _CJK_SMALL_UNITS:
            section += (digit if digit is not None else 1.0) * _CJK_SMALL_UNITS[ch]
            digit = None
        elif ch in _CJK_BIG_UNITS:
            section += digit or 0.0
            total += (section or 1.0) * _CJK_BIG_UNITS[ch]
            section, digit = 0.0, None
        else:
            return None
    return total + section + (digit or 0.0)


def extract_numbers(text: str, lang: str | None = None) -> list[NumberMention]:
    """All number-like mentions in ``text`` (offsets into ``text``), in order of position.

    ``lang`` (ISO 639-1) decides ambiguous formats (``1,000``; ``billion``); with ``None`` every
    reading is kept.
    """
    t = _fold(text)
    base = (lang or "").split("-")[0].lower() or None
    out: list[NumberMention] = []
    taken = [False] * len(t)
    taken_any = False  # nothing taken yet: every span is free

    def free(a: int, b: int) -> bool:
        return not taken_any or not any(taken[a:b])

    def take(a: int, b: int) -> None:
        nonlocal taken_any
        for k in range(a, b):
            taken[k] = True
        taken_any = taken_any or b > a

    for m in _URL_RE.finditer(t):
        take(m.start(), m.end())

    # 1. numeric dates and times, as components
    for m in _ISO_DATE_RE.finditer(t):
        if not free(m.start(), m.end()):
            continue
        y, mo, d = (int(g) for g in m.groups())
        if 1 <= mo <= 12 and 1 <= d <= 31:
            take(m.start(), m.end())
            out.append(NumberMention(m.group(1), m.start(1), m.end(1), (float(y),), "year"))
            out.append(NumberMention(m.group(2), m.start(2), m.end(2), (float(mo),), "date"))
            out.append(NumberMention(m.group(3), m.start(3), m.end(3), (float(d),), "date"))
    for m in _DMY_RE.finditer(t):
        if not free(m.start(), m.end()):
            continue
        a, b, y = int(m.group(1)), int(m.group(3)), m.group(4)
        if not (1 <= a <= 31 and 1 <= b <= 31 and (a <= 12 or b <= 12)):
            continue
        take(m.start(), m.end())
        yv = (
            float(y)
            if len(y) == 4
            else float(2000 + int(y))
            if int(y) < 50
            else float(1900 + int(y))
        )
        out.append(NumberMention(m.group(1), m.start(1), m.end(1), (float(a),), "date"))
        out.append(NumberMention(m.group(3), m.start(3), m.end(3), (float(b),), "date"))
        yvals = (yv, float(y)) if len(y) == 2 else (yv,)
        out.append(NumberMention(y, m.start(4), m.end(4), yvals, "year"))
    for m in _DM_RE.finditer(t):
        if not free(m.start(), m.end()):
            continue
        a, b = int(m.group(1)), int(m.group(2))
        if 1 <= a <= 31 and 1 <= b <= 12:
            take(m.start(), m.end())
            out.append(NumberMention(m.group(1), m.start(1), m.end(1), (float(a),), "date"))
            out.append(NumberMention(m.group(2), m.start(2), m.end(2), (float(b),), "date"))
    for m in _TIME_RE.finditer(t):
        if not free(m.start(), m.end()):
            continue
        h, mi = int(m.group(1)), int(m.group(2))
        if h > 24 or mi > 59:
            continue
        take(m.start(), m.end())
        vals = [h + mi / 60.0]
        if h < 12:
            vals.append(h + 12 + mi / 60.0)
        vals.append(h + mi / 100.0)
        if mi == 0:
            vals.append(float(h))
        out.append(
            NumberMention(m.group(0), m.start(), m.end(), tuple(dict.fromkeys(vals)), "time")
        )

    # words, for month names, number words and context
    words = [(m.start(), m.end(), m.group(0)) for m in _WORD_RE.finditer(t)]
    word_at_start = {w[0]: k for k, w in enumerate(words)}
    word_at_end = {w[1]: k for k, w in enumerate(words)}

    # 2. digit numbers with their context
    for m in _NUM_RE.finditer(t):
        a, b = m.start(1), m.end(1)
        if not free(a, b):
            continue
        tok = m.group(1)
        try:
            vals = parse_number(tok, base)
        except ValueError:
            # e.g. "1.2.3": take its integer parts one by one
            for p in re.finditer(r"\d+", tok):
                out.append(
                    NumberMention(p.group(0), a + p.start(), a + p.end(), (float(p.group(0)),))
                )
            take(a, b)
            continue
        kind = "number"
        currency = None
        end = b
        start = a
        # currency before
        pm = _CUR_PREFIX_RE.search(t[max(0, a - 4) : a])
        if pm:
            currency = _currency_code(pm.group(1))
            kind = "money"
            start = max(0, a - 4) + pm.start(1)
        # scale after
        scale: tuple[float, ...] | None = None
        sm = _SCALE_RE.match(t, end)
        if sm:
            scale = _scale_value(sm.group(1), base)
            end = sm.end()
            if t[end - 1 : end] == "." and t[sm.end(1) : sm.end(1) + 1] != ".":
                end -= 1
        else:
            cm = _CJK_SCALE_RE.match(t, end)
            if cm:
                v = 1.0
                for ch in cm.group(1):
                    v *= {"千": 1e3, "百": 1e2}.get(ch, _CJK_BIG_UNITS.get(ch, 1.0))
                scale = (v,)
                end = cm.end()
            elif kind == "money":
                mm = _MONEY_SCALE_RE.match(t, end)
                if mm:
                    scale = (_MONEY_ONLY_SCALES[mm.group(1).lower()],)
                    end = mm.end()
        # currency after
        cs = _CUR_SUFFIX_RE.match(t, end)
        if cs:
            currency = currency or _currency_code(cs.group(1))
            kind = "money"
            end = cs.end()
        elif kind != "money":
            pc = _PERCENT_RE.match(t, end)
            if pc:
                kind = "percent"
                end = pc.end()
        if scale:
            vals = tuple(dict.fromkeys(v * s for v in vals for s in scale))
            # CJK compound: 1億2000万
            if len(scale) == 1 and scale[0] >= 1e4 and _fold(t[end : end + 1]).isdigit():
                nm = re.match(r"(\d+)([万萬千])", t[end:])
                if nm:
                    small = float(nm.group(1)) * {"万": 1e4, "萬": 1e4, "千": 1e3}[nm.group(2)]
                    if small < scale[0]:
                        vals = tuple(v + small for v in vals)
                        end += nm.end()
                        cs = _CUR_SUFFIX_RE.match(t, end)
                        if cs:
                            kind, end = "money", cs.end()
        # decades: 1970s, 1970's, 70s → 1970 or 70 ("70. let", "70er Jahre", "70年代")
        dm = re.match(r"['’]?s(?![\w])", t[end:])
        if dm and not scale and kind == "number" and tok.isdigit() and len(tok) in (2, 4):
            v = int(tok)
            if len(tok) == 4 and v % 10 == 0 and 1000 <= v <= 2100:
                vals = (float(v), float(v % 100))
                kind, end = "year", end + dm.end()
            elif len(tok) == 2 and v % 10 == 0:
                vals = (float(v), 1900.0 + v, 2000.0 + v)
                kind, end = "year", end + dm.end()
        # context: years, months, ordinals, am/pm
        after = t[end : end + 1]
        if kind == "number":
            if after in _CJK_SUFFIX_KIND:
                kind = _CJK_SUFFIX_KIND[after]
            elif len(tok) == 4 and tok.isdigit() and 1000 <= int(tok) <= 2100 and not scale:
                kind = "year"
            elif not scale and vals[0] <= 31 and float(vals[0]).is_integer():
                # a day next to a month name: "25 October", "October 25th", "25. Oktober"
                nxt = word_at_start.get(_skip_to_word(t, end))
                prv = word_at_end.get(_skip_back_to_word(t, start))
                if (nxt is not None and _month_at(words, nxt)) or (
                    prv is not None and _month_at(words, prv)
                ):
                    kind = "date"
        if kind in ("number", "time") and not scale:
            if _PM_RE.match(t, end):
                vals = tuple(dict.fromkeys([*vals, *(v + 12 for v in vals if v < 12)]))
                kind = "time"
            elif _AM_RE.match(t, end) and vals[0] <= 12:
                kind = "time"
        # ordinal suffix directly attached ("1st", "25th", "2e", "1º") is part of the mention
        om = _ORD_RE.match(t, end) if t[end : end + 1] not in (" ", "") else None
        if om and om.group(1) != "." and kind in ("number", "date"):
            end = om.end()
        take(start, end)
        out.append(NumberMention(t[start:end].strip(), start, end, vals, kind, False, currency))

    # 3. words: number words, scale words alone, month names (soft)
    for a, b, w in words:
        if not free(a, b):
            continue
        lw = w.lower()
        if lw in _MONTHS and (len(lw) > 3 or w[:1].isupper()):
            out.append(NumberMention(w, a, b, (float(_MONTHS[lw]),), "month", True))
            continue
        val = _word_number(lw, base)
        if val is not None:
            v, is_weak = val
            # "two million", "drei Milliarden"
            sm = _SCALE_RE.match(t, b)
            end, kind = b, "number"
            vals: tuple[float, ...] = (v,)
            if sm:
                sc = _scale_value(sm.group(1), base)
                if sc:
                    vals = tuple(v * s for s in sc)
                    end = sm.end()
            cs = _CUR_SUFFIX_RE.match(t, end)
            if cs:
                kind, end = "money", cs.end()
            else:
                pc = _PERCENT_RE.match(t, end)
                if pc and pc.group(1).strip():
                    kind, end = "percent", pc.end()
            take(a, end)
            out.append(
                NumberMention(
                    t[a:end], a, end, vals, kind, True, "weak" if is_weak and end == b else None
                )
            )
            continue
        # "a million", "millions of": only the plain singular reads as a value
        if lw in ("million", "milliarde", "milliard", "billion", "thousand", "tausend"):
            sc = _scale_value(w, base)
            if sc:
                out.append(NumberMention(w, a, b, sc, "number", True))

    # 4. Chinese / Japanese numerals (soft); a CJK char next to digits is already taken
    for m in _CJK_NUM_RE.finditer(t):
        a, b = m.start(), m.end()
        if not free(a, b):
            continue
        s = m.group(0)
        pct = s.startswith("百分之")
        core = s[3:] if pct else s
        if (
            not core
            or core in ("一",)
            or all(ch in _CJK_BIG_UNITS or ch in _CJK_SMALL_UNITS for ch in core)
        ):
            continue
        v = _cjk_value(core)
        if v is None:
            continue
        after = t[b : b + 1]
        kind = "percent" if pct else _CJK_SUFFIX_KIND.get(after, "number")
        out.append(NumberMention(s, a, b, (v,), kind, True))

    out.sort(key=lambda n: (n.start, n.end))
    # report offsets against the caller's text (``_fold`` keeps one character per character)
    return [
        NumberMention(text[n.start : n.end], n.start, n.end, n.values, n.kind, n.soft, n.currency)
        for n in out
    ]


def _skip_to_word(t: str, k: int) -> int:
    """Offset of the next word start after ``k`` skipping spaces, dots and ordinal suffixes."""
    m = re.compile(r"(?:st|nd|rd|th|er|e)?[.\s,]*(?:of\s+|de\s+)?").match(t, k)
    return m.end() if m else k


def _skip_back_to_word(t: str, k: int) -> int:
    j = k
    while j > 0 and t[j - 1] in " .,\u00a0":
        j -= 1
    return j


def _word_number(lw: str, lang: str | None = None) -> tuple[float, bool] | None:
    """Value of a number word (``three``, ``twenty-five``, ``fünfundzwanzig``, ``third``) in
    ``lang`` (all known languages when ``None``), and whether it is a weak (article-like) word."""
    # every word of every text comes here, and words recur: memoise the short ones
    if len(lw) <= 40:
        return _cached_word_number(lw, lang)
    return _word_number_of(lw, lang)


@lru_cache(maxsize=16384)
def _cached_word_number(lw: str, lang: str | None) -> tuple[float, bool] | None:
    return _word_number_of(lw, lang)


def _word_number_of(lw: str, lang: str | None) -> tuple[float, bool] | None:
    lw = lw.replace("’", "'")
    table = _NUMBER_WORDS_BY_LANG.get(lang, _NUMBER_WORDS) if lang else _NUMBER_WORDS
    if lw in table:
        return table[lw], lw in _WEAK_WORDS
    if lang in (None, "en") and "-" in lw:
        a, _, b = lw.partition("-")
        if a in _EN_TENS and b in _EN_UNITS:
            return _EN_TENS[a] + _EN_UNITS[b], False
    if lang in (None, "de"):
        m = re.fullmatch(r"(\w+?)und(\w+)", lw)
        if m and m.group(1) in _DE_UNITS and m.group(2) in _DE_TENS:
            return _DE_UNITS[m.group(1)] + _DE_TENS[m.group(2)], False
    stems = (
        _ORDINAL_STEMS_BY_LANG.get(lang, {})
        if lang
        else {k: v for t in _ORDINAL_STEMS_BY_LANG.values() for k, v in t.items()}
    )
    for stem, v in stems.items():
        if lw.startswith(stem) and len(lw) - len(stem) <= 3 and len(stem) >= 4:
            return float(v), False
    return None


# --------------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------------


def _kind_rank(a: NumberMention, b: NumberMention) -> int:
    """How well two kinds go together: 0 same, 1 close, 2 loose, 3 incompatible.

    Used to prefer matches of the same kind and to decide which leftovers may stand for each
    other: a year only for a year, a day or month for a day or month, a plain number for an amount,
    a percentage or a time.
    """
    ka, kb = a.kind, b.kind
    if ka == kb:
        return 0
    if {ka, kb} <= {"date", "month"}:
        return 1
    if "number" in (ka, kb) and not ({ka, kb} & {"year", "date", "month"}):
        return 2
    return 3


def _digit_runs(mentions: Sequence[NumberMention]) -> list[list[int]]:
    """Runs (two or more) of plain digit groups one character apart, e.g. ``43 36 11``."""
    order = sorted(
        (k for k, m in enumerate(mentions) if m.kind == "number" and not m.soft),
        key=lambda k: mentions[k].start,
    )
    runs: list[list[int]] = []
    cur: list[int] = []
    for k in order:
        m = mentions[k]
        if not m.text.isdigit():
            cur = []
            continue
        if cur and m.start - mentions[cur[-1]].end == 1:
            cur.append(k)
        else:
            cur = [k]
            runs.append(cur)
    return [r for r in runs if len(r) > 1]


def _merge_digit_runs(
    source: Sequence[NumberMention], target: Sequence[NumberMention]
) -> tuple[list[NumberMention], list[NumberMention]]:
    """Join digit groups that the other side writes as one number, or groups differently.

    A phone number is ``031/433611`` in one text and ``031/43 36 11`` in its translation; the
    groups ``43``, ``36``, ``11`` are then one number. A run is joined only when its digits, read
    as one string, appear on the other side as one digit-only number or as a run of its own.
    """
    runs = (_digit_runs(source), _digit_runs(target))
    sides = (list(source), list(target))
    whole = []
    for side, side_runs in zip(sides, runs, strict=True):
        keys = {m.text for m in side if m.kind == "number" and not m.soft and m.text.isdigit()}
        keys |= {"".join(side[k].text for k in r) for r in side_runs}
        whole.append(keys)
    out = []
    for n, (side, side_runs) in enumerate(zip(sides, runs, strict=True)):
        other = whole[1 - n]
        drop: set[int] = set()
        merged = []
        for r in side_runs:
            digits = "".join(side[k].text for k in r)
            singles = {side[k].text for k in r}
            if digits in other and not singles <= other:
                first, last = side[r[0]], side[r[-1]]
                merged.append(NumberMention(digits, first.start, last.end, (float(digits),)))
                drop.update(r)
        out.append([m for k, m in enumerate(side) if k not in drop] + merged)
    return out[0], out[1]


def compare_numbers(
    source: Sequence[NumberMention], target: Sequence[NumberMention]
) -> NumberComparison:
    """Match source and target mentions as multisets of values; pair up the leftovers.

    Digit groups that the other side writes as one number are joined first
    (:func:`_merge_digit_runs`). Hard mentions are matched first (to hard mentions, then to soft
    ones), then soft source mentions take what is left. Leftover hard mentions are paired into
    substitutions when a leftover on the other side has a compatible kind (money with money,
    dates with dates, …), preferring the same kind, then the closest value.
    """
    source, target = _merge_digit_runs(source, target)
    res = NumberComparison()
    t_used = [False] * len(target)
    s_used = [False] * len(source)
    # hard↔hard first, then hard source ↔ soft target, then soft source ↔ hard target
    for s_soft, t_soft in ((False, False), (False, True), (True, False)):
        for i, s in enumerate(source):
            if s_used[i] or s.soft != s_soft:
                continue
            best = None
            for j, tm in enumerate(target):
                if t_used[j] or tm.soft != t_soft or not values_equal(s, tm):
                    continue
                if best is None or _kind_rank(s, tm) < _kind_rank(s, target[best]):
                    best = j
            if best is not None:
                s_used[i] = t_used[best] = True
                res.matched.append((s, target[best]))
    left_s = [i for i in range(len(source)) if not s_used[i]]
    left_t = [j for j in range(len(target)) if not t_used[j] and not target[j].soft]
    # pair leftovers: every leftover hard target mention with a leftover source mention
    for j in left_t:
        tm = target[j]
        cands = [
            i
            for i in left_s
            if not s_used[i]
            and _kind_rank(source[i], tm) <= 2
            and not (source[i].soft and source[i].currency == "weak")
        ]
        if not cands:
            res.added.append(tm)
            continue
        i = min(
            cands,
            key=lambda i: (
                source[i].soft,
                _kind_rank(source[i], tm),
                abs(math.log10(max(magnitude_ratio(source[i], tm), 1.0))),
            ),
        )
        s_used[i] = True
        res.substituted.append((source[i], tm))
    res.missing = [source[i] for i in left_s if not s_used[i] and not source[i].soft]
    return res


def mentions_values(mentions: Iterable[NumberMention]) -> list[float]:
    """The preferred values of some mentions (for evidence)."""
    return [m.value for m in mentions]
