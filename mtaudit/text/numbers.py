"""Numbers, dates and amounts in running text: extraction and normalisation.

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

:func:`mtaudit.text.number_matching.compare_numbers` matches the mentions of a source and a target.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ..langid import base_lang
from ..resources import read_json

__all__ = [
    "NumberMention",
    "extract_numbers",
    "parse_number",
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


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


_TABLES = read_json("number_words.json")
#: Number words per language: 0–20, the tens, 100 and 1000 (with common inflected forms).
_NUMBER_WORDS_BY_LANG: dict[str, dict[str, float]] = _TABLES["number_words"]
#: Ordinal stems (``third``, ``dritte``, ``troisième``, ``третий``): a word starting with the stem
#: and at most three letters longer reads as the number.
_ORDINAL_STEMS_BY_LANG: dict[str, dict[str, float]] = _TABLES["ordinal_stems"]
_NUMBER_WORDS: dict[str, float] = {}
for _tab in _NUMBER_WORDS_BY_LANG.values():
    for _w, _v in _tab.items():
        _NUMBER_WORDS.setdefault(_w, _v)
#: Words that are articles as often as numbers: they never pair up into a substitution.
_WEAK_WORDS = frozenset(_TABLES["weak_words"])
#: Month names and abbreviations → month number (abbreviations that are ordinary words too —
#: "may", "mar", "jan" — stay soft anyway).
_MONTHS: dict[str, int] = _TABLES["months"]
#: Scale words after a number. ``None`` in the value means: depends on the language (long scale).
_SCALES: dict[str, float | None] = _TABLES["scales"]
#: "billion" is 10^9 in English (short scale) and 10^12 in most of continental Europe.
_BILLION = frozenset(_TABLES["billion"])
_LONG_SCALE_LANGS = frozenset(_TABLES["long_scale_langs"])
_SHORT_SCALE_LANGS = frozenset(_TABLES["short_scale_langs"])
#: Single-letter scales are only read as such right after a currency amount ("$5m", "£2k").
_MONEY_ONLY_SCALES: dict[str, float] = _TABLES["money_only_scales"]
_CJK_DIGITS: dict[str, int] = _TABLES["cjk_digits"]
_CJK_SMALL_UNITS: dict[str, int] = _TABLES["cjk_small_units"]
_CJK_BIG_UNITS: dict[str, float] = _TABLES["cjk_big_units"]
_CUR_CODES: dict[str, str] = _TABLES["currency_codes"]
#: The kind a Chinese/Japanese character right after a number gives it (年 → year …).
_CJK_SUFFIX_KIND: dict[str, str] = _TABLES["cjk_suffix_kind"]

_EN = _NUMBER_WORDS_BY_LANG["en"]
_EN_UNITS = {w: v for w, v in _EN.items() if 1 <= v <= 9}
_EN_TENS = {w: v for w, v in _EN.items() if v in (20, 30, 40, 50, 60, 70, 80, 90)}
_DE = _NUMBER_WORDS_BY_LANG["de"]
_DE_UNITS = {"ein": 1.0, **{w: v for w, v in _DE.items() if 2 <= v <= 9}}
_DE_TENS = {w: v for w, v in _DE.items() if v in (20, 30, 40, 50, 60, 70, 80, 90)}

# Abbreviations that are ordinary words too ("may", "mar", "jan" …) stay soft anyway.


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
# an e-mail address starts where its run of address characters starts: linear on any input
# (``\S+@`` tried at every position of a long run without "@" is quadratic)
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|(?<![\w.+%-])[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")


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


class _Scan:
    """A text being read for numbers: the mentions found so far, and which characters they
    (or a URL) already claim."""

    def __init__(self, t: str) -> None:
        self.t = t
        self.out: list[NumberMention] = []
        self.taken = [False] * len(t)
        self.taken_any = False  # nothing taken yet: every span is free

    def free(self, a: int, b: int) -> bool:
        return not self.taken_any or not any(self.taken[a:b])

    def take(self, a: int, b: int) -> None:
        for k in range(a, b):
            self.taken[k] = True
        self.taken_any = self.taken_any or b > a


def extract_numbers(text: str, lang: str | None = None) -> list[NumberMention]:
    """All number-like mentions in ``text`` (offsets into ``text``), in order of position.

    ``lang`` (ISO 639-1) decides ambiguous formats (``1,000``; ``billion``); with ``None`` every
    reading is kept.
    """
    t = _fold(text)
    base = base_lang(lang)
    scan = _Scan(t)
    for m in _URL_RE.finditer(t):
        scan.take(m.start(), m.end())
    _dates_and_times(scan)  # 1. numeric dates and times, as components
    # words, for month names, number words and context
    words = [(m.start(), m.end(), m.group(0)) for m in _WORD_RE.finditer(t)]
    for m in _NUM_RE.finditer(t):  # 2. digit numbers with their context
        if scan.free(m.start(1), m.end(1)):
            _digit_number(scan, m, base, words)
    _word_numbers(scan, base, words)  # 3. number words, scale words alone, month names (soft)
    _cjk_numerals(scan)  # 4. Chinese / Japanese numerals (soft)
    out = sorted(scan.out, key=lambda n: (n.start, n.end))
    # report offsets against the caller's text (``_fold`` keeps one character per character)
    return [
        NumberMention(text[n.start : n.end], n.start, n.end, n.values, n.kind, n.soft, n.currency)
        for n in out
    ]


def _dates_and_times(scan: _Scan) -> None:
    """ISO, day-month-year and day-month dates (as components) and clock times."""
    t, out = scan.t, scan.out
    for m in _ISO_DATE_RE.finditer(t):
        if not scan.free(m.start(), m.end()):
            continue
        y, mo, d = (int(g) for g in m.groups())
        if 1 <= mo <= 12 and 1 <= d <= 31:
            scan.take(m.start(), m.end())
            out.append(NumberMention(m.group(1), m.start(1), m.end(1), (float(y),), "year"))
            out.append(NumberMention(m.group(2), m.start(2), m.end(2), (float(mo),), "date"))
            out.append(NumberMention(m.group(3), m.start(3), m.end(3), (float(d),), "date"))
    for m in _DMY_RE.finditer(t):
        if not scan.free(m.start(), m.end()):
            continue
        a, b, y = int(m.group(1)), int(m.group(3)), m.group(4)
        if not (1 <= a <= 31 and 1 <= b <= 31 and (a <= 12 or b <= 12)):
            continue
        scan.take(m.start(), m.end())
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
        if not scan.free(m.start(), m.end()):
            continue
        a, b = int(m.group(1)), int(m.group(2))
        if 1 <= a <= 31 and 1 <= b <= 12:
            scan.take(m.start(), m.end())
            out.append(NumberMention(m.group(1), m.start(1), m.end(1), (float(a),), "date"))
            out.append(NumberMention(m.group(2), m.start(2), m.end(2), (float(b),), "date"))
    for m in _TIME_RE.finditer(t):
        if not scan.free(m.start(), m.end()):
            continue
        h, mi = int(m.group(1)), int(m.group(2))
        if h > 24 or mi > 59:
            continue
        scan.take(m.start(), m.end())
        vals = [h + mi / 60.0]
        if h < 12:
            vals.append(h + 12 + mi / 60.0)
        vals.append(h + mi / 100.0)
        if mi == 0:
            vals.append(float(h))
        out.append(
            NumberMention(m.group(0), m.start(), m.end(), tuple(dict.fromkeys(vals)), "time")
        )


def _scale_after(
    t: str, end: int, base: str | None, money: bool
) -> tuple[tuple[float, ...] | None, int]:
    """A scale right after a number ending at ``end`` (``million``, ``Mio.``, ``万``; ``m``/``k``
    only after money) and where it ends."""
    sm = _SCALE_RE.match(t, end)
    if sm:
        scale = _scale_value(sm.group(1), base)
        end = sm.end()
        if t[end - 1 : end] == "." and t[sm.end(1) : sm.end(1) + 1] != ".":
            end -= 1
        return scale, end
    cm = _CJK_SCALE_RE.match(t, end)
    if cm:
        v = 1.0
        for ch in cm.group(1):
            v *= {"千": 1e3, "百": 1e2}.get(ch, _CJK_BIG_UNITS.get(ch, 1.0))
        return (v,), cm.end()
    if money:
        mm = _MONEY_SCALE_RE.match(t, end)
        if mm:
            return (_MONEY_ONLY_SCALES[mm.group(1).lower()],), mm.end()
    return None, end


def _digit_number(
    scan: _Scan, m: re.Match[str], base: str | None, words: list[tuple[int, int, str]]
) -> None:
    """One digit number with its context: currency, scale, percent, decade, date, time,
    ordinal."""
    t = scan.t
    a, b = m.start(1), m.end(1)
    tok = m.group(1)
    try:
        vals = parse_number(tok, base)
    except ValueError:
        # e.g. "1.2.3": take its integer parts one by one
        for p in re.finditer(r"\d+", tok):
            scan.out.append(
                NumberMention(p.group(0), a + p.start(), a + p.end(), (float(p.group(0)),))
            )
        scan.take(a, b)
        return
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
    scale, end = _scale_after(t, end, base, kind == "money")
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
    if kind == "number":
        kind = _kind_in_context(t, tok, vals, scale, start, end, words)
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
    scan.take(start, end)
    scan.out.append(NumberMention(t[start:end].strip(), start, end, vals, kind, False, currency))


def _kind_in_context(
    t: str,
    tok: str,
    vals: tuple[float, ...],
    scale: tuple[float, ...] | None,
    start: int,
    end: int,
    words: list[tuple[int, int, str]],
) -> str:
    """A plain number's kind from what surrounds it: a CJK suffix, a year, a day by a month."""
    after = t[end : end + 1]
    if after in _CJK_SUFFIX_KIND:
        return _CJK_SUFFIX_KIND[after]
    if len(tok) == 4 and tok.isdigit() and 1000 <= int(tok) <= 2100 and not scale:
        return "year"
    if not scale and vals[0] <= 31 and float(vals[0]).is_integer():
        # a day next to a month name: "25 October", "October 25th", "25. Oktober"
        nxt = _word_starting_at(words, _skip_to_word(t, end))
        prv = _word_ending_at(words, _skip_back_to_word(t, start))
        if (nxt is not None and _month_at(words, nxt)) or (
            prv is not None and _month_at(words, prv)
        ):
            return "date"
    return "number"


def _word_starting_at(words: list[tuple[int, int, str]], offset: int) -> int | None:
    k = bisect.bisect_left(words, offset, key=lambda w: w[0])
    return k if k < len(words) and words[k][0] == offset else None


def _word_ending_at(words: list[tuple[int, int, str]], offset: int) -> int | None:
    k = bisect.bisect_left(words, offset, key=lambda w: w[1])
    return k if k < len(words) and words[k][1] == offset else None


def _word_numbers(scan: _Scan, base: str | None, words: list[tuple[int, int, str]]) -> None:
    """Number words (``three``, ``drei Milliarden``), a scale word alone, month names (soft)."""
    t, out = scan.t, scan.out
    for a, b, w in words:
        if not scan.free(a, b):
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
            scan.take(a, end)
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


def _cjk_numerals(scan: _Scan) -> None:
    """Chinese / Japanese numerals (soft); a CJK character next to digits is already taken."""
    t = scan.t
    for m in _CJK_NUM_RE.finditer(t):
        a, b = m.start(), m.end()
        if not scan.free(a, b):
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
        scan.out.append(NumberMention(s, a, b, (v,), kind, True))


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
