"""Sentence segmentation with character offsets.

:func:`split_sentences` cuts plain text (paragraphs on lines) into sentences and returns their
``(start, end)`` spans as Python string indices, so ``text[start:end]`` is the sentence.
:func:`split_lines` is the ``--presplit`` mode: one sentence per non-blank line.

How it works
------------
Line breaks (``\\n``, ``\\r\\n``, a lone ``\\r``, and the other breaks :meth:`str.splitlines` knows)
are hard boundaries. Inside a line, every cluster of terminal punctuation (``. ! ? …`` and the
full-width ``。！？``, with any closing quotes or brackets glued to it) that is followed by white
space, the end of the line, or a CJK character is a candidate boundary. A candidate is kept unless:

* the next word starts with a lowercase letter (``"Is it legal?" asked one aide``);
* the sentence so far has no letter or digit, or is only a list number (``1.``, ``IV.``);
* the period ends a known abbreviation of the language. Abbreviations come in classes:
  *prefix* ones never end a sentence (``Mr.``, ``Dr.``, ``z. B.``, ``им.``, ``ул.``, ``т. е.``),
  *number* ones do not before a digit (``No. 5``, ``S. 3``, ``с. 5``), *ambiguous* ones end a
  sentence only when a typical sentence opener follows (``in the U.S. The…``, ``2022 г. Они…``
  but ``В 2023 г. Маск…``), and *terminal* ones behave like ordinary words (``etc.``, ``т. д.``).
  Initials (``J. R. R. Tolkien``, ``А. С. Пушкин``, ``J.-P. Sartre``, ``Дж. Кирби``) and dotted
  acronyms are treated as ambiguous, and so are German ordinals (``am 25. Oktober``);
* in Japanese, the terminal lies inside a matched ``「…」`` / ``『…』`` / ``（…）`` quotation.

Hand-written tables cover en, uk, ru, de, fr, es (zh and ja need none beyond the script rules).
For any other language the union of these tables is used, and for a language code that
``sentencex`` knows, its per-language abbreviation lists are consulted as well (each unknown word
is asked about once and cached). ``lang=None`` uses the union tables.

Nothing here raises on a ``str``. Spans are stripped of surrounding white space and invisible
characters (controls, zero-width characters, the BOM); spans with nothing else are dropped.
A sentence longer than :data:`MAX_SENTENCE_CHARS` (a run with no usable punctuation, e.g. a
table dumped as one line) is cut into pieces of at most that many characters: at the last white
space in the second half of each window, else after the last comma-like mark there, else at the
limit itself (moved back off combining marks). The whole pass is linear in the text length.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .langid import base_lang

__all__ = ["MAX_SENTENCE_CHARS", "split_sentences", "split_lines"]

#: Longest sentence :func:`split_sentences` returns; longer unpunctuated runs are cut.
MAX_SENTENCE_CHARS = 2000

# --------------------------------------------------------------------------------------------
# Character classes
# --------------------------------------------------------------------------------------------

#: Terminals that need white space (or a CJK character) after them to end a sentence.
_TERM_W = ".!?…‽⁇⁈⁉।॥؟۔։።፧။"
#: Full-width terminals that end a sentence even with no space after them.
_TERM_C = "。！？｡．"
#: Characters glued after a terminal that still belong to the sentence (closing quotes/brackets).
_CLOSE = "\"'”’»›“‘«‹)]}」』）】〕〉》〗〙〛＂＇"
#: Characters skipped when looking at how the next sentence starts.
_OPENERS = "\"'“‘„‚«‹»›([{¿¡—–-「『（【〈《〔＂＇…・*•·"
_CLUSTER = re.compile(f"[{re.escape(_TERM_W + _TERM_C)}][{re.escape(_TERM_W + _TERM_C + _CLOSE)}]*")
_LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_CJK = re.compile(
    "[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]"
)
_KANA = re.compile("[\u3040-\u30ff]")
_WORDCHAR = re.compile(r"\w")
_NEXT_WORD = re.compile(r"\w+")
_ENUMERATOR = re.compile(r"[(\[]?(?:\d{1,3}|[A-Za-z]|[IVXLCivxlc]{1,6})[)\]]?")
_INITIAL_NEXT = re.compile(r"(?:[^\W\d_]|Дж|Ch|Th|Sh|Zh|Ph|Kh)\.(?:\s|-|$)")
_SOFT_BREAK = re.compile(r"[,;:，、；：]")
_JA_BRACKETS = {"「": "」", "『": "』", "（": "）", "(": ")"}
_JA_BRACKET_RE = re.compile("[「」『』（）()]")
_DIGRAPH_INITIALS = frozenset({"Дж", "Ch", "Th", "Sh", "Zh", "Ph", "Kh"})
#: Pairs in a Japanese line longer than this do not shield their contents from splitting.
_MAX_QUOTE_SPAN = 500


def _is_invisible(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` past white space and invisible characters at both ends."""
    while start < end and _is_invisible(text[start]):
        start += 1
    while end > start and _is_invisible(text[end - 1]):
        end -= 1
    return start, end


# --------------------------------------------------------------------------------------------
# Per-language knowledge
# --------------------------------------------------------------------------------------------

PREFIX, NUMBER, AMBIGUOUS, TERMINAL, TIME = "prefix", "number", "ambiguous", "terminal", "time"


def _words(words: str) -> list[str]:
    return words.split()


# Keys are abbreviations without their final period; multi-part ones are written with single
# periods and no spaces ("z.B" matches "z. B." and "z.B."). Matching is case-sensitive, except
# that a capitalised word of two or more letters also finds its lowercase key ("Approx." at the
# start of a sentence finds "approx"); a single capital letter is an initial, never "p" or "с".
_ABBREVIATIONS: dict[str, dict[str, str]] = {
    "en": {
        **dict.fromkeys(
            _words(
                "Mr Mrs Ms Messrs Mmes Dr Prof Sen Sens Rep Reps Gov Gen Lt Col Maj Capt Cmdr "
                "Adm Sgt Cpl Pvt Rev Hon Pres Supt Insp Det Atty Mt Ft Fr Sr Jr Esq Gov vs v "
                "approx ca cf e.g i.e viz esp incl est dept Dept Univ Assn Bros Jan Feb Mar Apr "
                "Jun Jul Aug Sep Sept Oct Nov Dec fig Fig eq Eq ed eds trans ret Ph.D M.D B.A "
                "M.A"
            ),
            PREFIX,
        ),
        **dict.fromkeys(
            _words("No no Nos nos Vol vol Vols vols p pp para ch Ch chap sec art Art op Op"), NUMBER
        ),
        **dict.fromkeys(
            _words(
                "U.S U.K U.N E.U St Inc Ltd Co Corp Ave Blvd Rd al Ala Ariz Ark Calif Colo Conn "
                "Del Fla Ga Ill Ind Kan Ky La Md Mass Mich Minn Miss Mo Mont Neb Nev Okla Ore "
                "Pa Penn Tenn Tex Va Vt Wash Wis Wyo"
            ),
            AMBIGUOUS,
        ),
        **dict.fromkeys(_words("a.m p.m A.M P.M"), TIME),
        "etc": TERMINAL,
    },
    "uk": {
        **dict.fromkeys(
            _words(
                "ім вул просп пров пл бульв м с смт обл ген проф акад доц д-р канд див напр бл "
                "прибл св нац ун-ту ун-т держ заст зам гол о оз пан пані т.зв т.ч т.б т.к січ "
                "лют бер квіт трав черв лип серп вер верес жовт лист груд"
            ),
            PREFIX,
        ),
        **dict.fromkeys(_words("п ч розд гл рис табл дод №"), NUMBER),
        **dict.fromkeys(_words("р рр ст н.е"), AMBIGUOUS),
        **dict.fromkeys(
            _words("ін т.д т.п т.ін грн дол коп км кг год хв сек тис млн млрд"), TERMINAL
        ),
    },
    "ru": {
        **dict.fromkeys(
            _words(
                "им ул просп пер пл б-р корп стр кв обл р-н пос акад проф доц ген г-н г-жа тов "
                "см ср напр ок прим св ред изд зам зав нач пом ун-те ун-та ун-т гос т.е т.к т.н "
                "т.о т.ч п.п янв февр фев апр авг сент сен окт нояб ноя дек"
            ),
            PREFIX,
        ),
        **dict.fromkeys(_words("т п ч гл рис табл разд прил №"), NUMBER),
        **dict.fromkeys(_words("г гг в вв д с н.э"), AMBIGUOUS),
        **dict.fromkeys(_words("т.д т.п др пр руб долл коп мин сек км кг тыс млн млрд"), TERMINAL),
    },
    "de": {
        **dict.fromkeys(
            _words(
                "u Dr Prof Hr Hrn Fr Frl St Bd Bde Kap ca rd bzw vgl ggf gegr geb gest evtl "
                "inkl exkl zzgl sog Jan Feb Febr Apr Aug Sept Sep Okt Nov Dez Tel Hg Hrsg Bsp "
                "bspw allg ehem urspr insb bes vorm nachm lt gem mind max z.T u.a z.B d.h u.U "
                "i.d.R o.ä o.Ä s.o s.u v.a z.Zt a.D"
            ),
            PREFIX,
        ),
        **dict.fromkeys(_words("Nr Abs Art S Ziff Bd Jg Kap"), NUMBER),
        **dict.fromkeys(
            _words("Mio Mrd Tsd Std Min Jh Jhd v.Chr n.Chr Mo Di Mi Do Fr Sa So"), AMBIGUOUS
        ),
        **dict.fromkeys(_words("usw etc u.v.m u.Ä"), TERMINAL),
    },
    "fr": {
        **dict.fromkeys(
            _words(
                "M MM Mme Mmes Mlle Mlles Me Dr Pr St Ste av apr bd boul env cf éd p.ex c.-à-d "
                "janv févr avr juil sept oct nov déc hab Md Mds vol chap fig"
            ),
            PREFIX,
        ),
        **dict.fromkeys(_words("p pp art n° no nº t"), NUMBER),
        **dict.fromkeys(_words("suiv J.-C"), AMBIGUOUS),
        "etc": TERMINAL,
    },
    "es": {
        **dict.fromkeys(
            _words(
                "Sr Sra Srta Sres Sras Dr Dra Lic Ing Arq Prof Profa D Dña Ud Uds Vd Vds Excmo "
                "Excma Ilmo Sto Sta Gral Cnel aprox cap vol fig ej p.ej próx Univ Avda avda ene "
                "feb abr jun jul ago sept oct nov dic ss"
            ),
            PREFIX,
        ),
        **dict.fromkeys(_words("pág págs núm art nº n.º"), NUMBER),
        **dict.fromkeys(_words("EE.UU Cía S.A a.C d.C"), AMBIGUOUS),
        "etc": TERMINAL,
    },
}

# Words that typically open a sentence (lowercase). After an ambiguous abbreviation, an initial
# or a German ordinal, a capitalised word from this list marks a new sentence.
# A few entries for other languages, used (with the tables above) when ``lang`` has no table of
# its own; sentencex's lists cover prefix abbreviations there, but not these two classes.
_EXTRA_ABBREVIATIONS: dict[str, str] = {
    **dict.fromkeys(_words("ecc itd itp enz osv mfl jne vb stb atd aj"), TERMINAL),
    **dict.fromkeys(_words("r m.in np tzw"), AMBIGUOUS),
}

_STARTERS: dict[str, str] = {
    "en": "the a an he she it they we i you this that these those but and or so yet however "
    "in on at for with after before when while if as there here his her its their our my your "
    "what why how who where some many most all not one two three meanwhile then now today "
    "yesterday tomorrow also although though since because from by about according despite "
    "during under over last next each every both neither nor no",
    "uk": "він вона воно вони це цей ця ці той та те ті але і й а однак проте втім тоді там "
    "тут його її їх ми я ви ти що хто де чому коли як якщо щоб уже вже ще пізніше потім згодом "
    "тепер зараз сьогодні вчора завтра крім між серед сам сама самі усі всі багато деякі саме "
    "лише тільки навіть за на в у з із зі до від для після перед при під над про по через без "
    "біля також так ні нагадаємо отже тобто відтак натомість зокрема наразі раніше окрім",
    "ru": "он она оно они это этот эта эти тот та то те но и а однако впрочем тогда там здесь "
    "его ее её их мы я вы ты что кто где почему зачем когда как если чтобы уже еще ещё позже "
    "затем потом теперь сейчас сегодня вчера завтра кроме между среди сам сама сами все всё "
    "многие некоторые именно лишь только даже за на в во у с со из к ко о об от до для после "
    "перед при под над про по через без около также так ни напомним итак раньше ранее",
    "de": "der die das den dem des ein eine einen einem einer er sie es wir ich ihr man dies "
    "diese dieser dieses und aber doch denn auch dann damit deshalb daher trotzdem jedoch zudem "
    "außerdem nun so wie wo was wer warum als wenn ob nach vor in im am an auf bei mit von vom "
    "zu zum zur für seit über unter laut bis noch schon nur bereits hier dort heute gestern "
    "sein seine ihre unser mehr viele einige alle kein keine nicht",
    "fr": "le la les l un une des du de d il elle ils elles on nous vous je j ce cet cette ces "
    "cela ça c mais et ou donc or car puis ensuite alors pourtant cependant toutefois en dans "
    "pour par sur sous avec sans selon après avant depuis pendant lors quand si comme aucun "
    "aucune tout tous toute toutes son sa ses leur leurs notre nos votre vos qui que quoi où "
    "pourquoi comment ici là aujourd hier demain enfin ainsi aussi déjà encore même non oui "
    "certains plusieurs au aux",
    "es": "el la los las un una unos unas lo él ella ellos ellas este esta esto estos estas "
    "ese esa eso pero y o sin con en de del desde para por según tras ante sobre entre hasta "
    "cuando si como aunque ya no sí también además mientras luego después antes ahora hoy "
    "ayer allí aquí nosotros yo usted su sus nuestro al a se le les me te nos todo todos "
    "muchos algunos otro otra otros quién qué cómo dónde",
}

#: Languages that write ordinal numbers with a period ("am 25. Oktober").
_ORDINAL_LANGS = frozenset(_words("de da no nb nn fi hu cs sk sl hr sr bs et is tr lv fo"))
#: Words after "a.m."/"p.m." that continue the sentence (time zones, weekdays, months).
_TIME_CONTINUATIONS = frozenset(
    _words(
        "et est edt ct cst cdt mt mst mdt pt pst pdt gmt utc bst cet cest msk eastern central "
        "pacific mountain moscow kyiv kiev local monday tuesday wednesday thursday friday saturday "
        "sunday january february march april may june july august september october november "
        "december"
    )
)
_CJK_LANGS = frozenset({"zh", "ja", "yue", "wuu", "lzh"})
_TABLE_LANGS = frozenset(_ABBREVIATIONS) | _CJK_LANGS


@dataclass(frozen=True, eq=False)
class _Rules:
    lang: str | None
    abbreviations: dict[str, str]
    starters: frozenset[str]
    nonfinal: frozenset[str] = frozenset()
    ordinals: bool = False
    japanese: bool = False
    oracle: bool = False


def _nonfinal_parts(abbrevs: dict[str, str]) -> frozenset[str]:
    """Leading parts of multi-part keys: ``z`` for ``z.B``, ``i`` and ``i.d`` for ``i.d.R``."""
    out: set[str] = set()
    for key in abbrevs:
        parts = key.split(".")
        for i in range(1, len(parts)):
            out.add(".".join(parts[:i]))
    return frozenset(out)


def _union(tables: list[dict[str, str]]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for table in tables:
        for key, cls in table.items():
            merged[key] = cls if merged.get(key, cls) == cls else AMBIGUOUS
    return merged


_ALL_STARTERS = frozenset(w for words in _STARTERS.values() for w in _words(words))


@lru_cache(maxsize=256)
def _rules(lang: str | None) -> _Rules:
    if lang in _ABBREVIATIONS:
        table = _ABBREVIATIONS[lang]
        starters = frozenset(_STARTERS[lang].split())
    else:
        table = _union([*_ABBREVIATIONS.values(), _EXTRA_ABBREVIATIONS])
        starters = _ALL_STARTERS
    return _Rules(
        lang=lang,
        abbreviations=table,
        starters=starters,
        nonfinal=_nonfinal_parts(table),
        ordinals=lang in _ORDINAL_LANGS,
        japanese=lang == "ja",
        oracle=lang is not None and lang not in _TABLE_LANGS and _sentencex_available(),
    )


@lru_cache(maxsize=1)
def _sentencex_available() -> bool:
    try:
        import sentencex  # noqa: F401
    except Exception:  # pragma: no cover - sentencex is a core dependency
        return False
    return True


@lru_cache(maxsize=65536)
def _sentencex_says_abbreviation(lang: str, word: str) -> bool:
    """Whether sentencex's tables for ``lang`` treat ``word.`` as a non-final abbreviation."""
    try:
        import sentencex

        return len(list(sentencex.segment(lang, f"Xx yy {word}. Zz ww."))) == 1
    except Exception:  # pragma: no cover - defensive: an oracle failure must not break splitting
        return False


# --------------------------------------------------------------------------------------------
# Boundary decisions
# --------------------------------------------------------------------------------------------


def _lookup(abbrevs: dict[str, str], key: str) -> str | None:
    cls = abbrevs.get(key)
    if cls is None and len(key) > 1 and key[:1].isupper():
        cls = abbrevs.get(key[:1].lower() + key[1:])
    return cls


def _token_before(text: str, end: int, floor: int) -> tuple[str, int]:
    """The non-space run that ends at ``end`` (at most 40 characters), without opening marks."""
    i = end
    limit = max(floor, end - 40)
    while i > limit and not text[i - 1].isspace():
        i -= 1
    if i == limit and i > floor and not text[i - 1].isspace():
        return "", i  # longer than any abbreviation
    tok = text[i:end]
    stripped = tok.lstrip(_OPENERS)
    return stripped, i + (len(tok) - len(stripped))


def _chain_keys(text: str, tok: str, tok_start: int, floor: int) -> list[str]:
    """Keys for ``tok`` and for up to two short dotted tokens right before it, longest first."""
    parts = [tok]
    pos = tok_start
    for _ in range(2):
        j = pos
        while j > floor and pos - j < 4 and text[j - 1] in " \t\u00a0\u202f":
            j -= 1
        if j == pos or j <= floor or text[j - 1] != ".":
            break
        prev, prev_start = _token_before(text, j - 1, floor)
        if not prev or len(prev) > 4 or not prev.replace(".", "").replace("-", "").isalpha():
            break
        parts.insert(0, prev)
        pos = prev_start
    return [".".join(parts[i:]) for i in range(len(parts))]


def _is_initials(tok: str) -> bool:
    parts = [p for p in re.split(r"[.\-]", tok) if p]
    return bool(parts) and all(
        (len(p) == 1 and p.isalpha()) or p in _DIGRAPH_INITIALS for p in parts
    )


def _next_start(text: str, pos: int, end: int) -> int:
    """Index of the first character of the next sentence's first word (skipping openers)."""
    while pos < end and (text[pos].isspace() or text[pos] in _OPENERS or text[pos] == "\u200b"):
        pos += 1
    return pos


def _period_splits(
    text: str, rules: _Rules, dot: int, seg_start: int, nxt: int, line_end: int
) -> bool:
    """Decide a single-period candidate whose period is at ``dot`` and next word at ``nxt``."""
    tok, tok_start = _token_before(text, dot, seg_start)
    if not tok:
        return True
    keys = _chain_keys(text, tok, tok_start, seg_start)
    cls = None
    for key in keys:
        cls = _lookup(rules.abbreviations, key)
        if cls is not None:
            break
    word_match = _NEXT_WORD.match(text, nxt, line_end)
    next_word = word_match.group(0) if word_match else ""
    next_is_digit = nxt < line_end and text[nxt].isdigit()
    if cls == NUMBER:
        if next_is_digit:
            return False
        cls = None  # "S. Fischer" is an initial, not "S. 3" (Seite)
    if cls is None:
        # The first part of a multi-part abbreviation ("z." of "z. B.", "EE." of "EE. UU.").
        if tok in rules.nonfinal or (tok[:1].isupper() and tok.lower() in rules.nonfinal):
            nxt_tok = next_word
            if nxt < line_end and f"{tok}.{nxt_tok}" in rules.abbreviations:
                return False
            if f"{tok}.{nxt_tok}" in rules.nonfinal:
                return False
        if _is_initials(tok):
            if _INITIAL_NEXT.match(text, nxt):
                return False  # J. R. R. / А. С.
            cls = AMBIGUOUS if (len(tok) > 1 or tok.isupper()) else None
        elif rules.ordinals and tok.isdigit() and len(tok) <= 4:
            cls = AMBIGUOUS
        elif (
            rules.oracle
            and rules.lang is not None
            and len(tok) <= 12
            and tok.replace(".", "").isalpha()
            and _sentencex_says_abbreviation(rules.lang, tok)
        ):
            cls = PREFIX
    if cls is None or cls == TERMINAL:
        return True
    if cls == PREFIX:
        return False
    if cls == TIME:
        return bool(next_word) and next_word.lower() not in _TIME_CONTINUATIONS
    # AMBIGUOUS
    return next_word.lower() in rules.starters and not next_is_digit


def _japanese_shields(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Top-level matched 「」『』（）() pairs of a line, as (open, close) index pairs."""
    stack: list[tuple[str, int]] = []
    pairs: list[tuple[int, int]] = []
    for m in _JA_BRACKET_RE.finditer(text, start, end):
        ch = m.group(0)
        if ch in _JA_BRACKETS:
            stack.append((ch, m.start()))
            continue
        # A closer: pop to its opener if there is one.
        for depth in range(len(stack) - 1, -1, -1):
            if _JA_BRACKETS[stack[depth][0]] == ch:
                opened = stack[depth][1]
                del stack[depth:]
                if m.start() - opened <= _MAX_QUOTE_SPAN:
                    pairs.append((opened, m.start()))
                break
    pairs.sort()
    top: list[tuple[int, int]] = []
    for a, b in pairs:
        if top and a < top[-1][1]:
            continue  # nested inside the previous pair
        top.append((a, b))
    return top


def _split_line(text: str, start: int, end: int, rules: _Rules, out: list[tuple[int, int]]) -> None:
    """Append the sentence spans of one (stripped) line ``text[start:end]`` to ``out``."""
    shields: list[tuple[int, int]] = []
    if rules.japanese or (rules.lang is None and _KANA.search(text, start, end)):
        shields = _japanese_shields(text, start, end)
    shield_i = 0
    seg_start = start
    scanned = start
    has_word = False
    for m in _CLUSTER.finditer(text, start, end):
        c_start, c_end = m.span()
        if not has_word:
            has_word = _WORDCHAR.search(text, scanned, c_start) is not None
        scanned = max(scanned, c_start)
        if c_end >= end:
            break
        cluster = m.group(0)
        follower = text[c_end]
        cjk_term = cluster[0] in _TERM_C
        if cjk_term:
            if cluster[0] == "．" and follower.isdigit():
                continue
        elif not (follower.isspace() or follower == "\u200b" or _CJK.match(follower)):
            continue
        if not has_word:
            continue
        while shield_i < len(shields) and shields[shield_i][1] < c_start:
            shield_i += 1
        if shield_i < len(shields) and shields[shield_i][0] < c_start < shields[shield_i][1]:
            continue
        boundary = c_end
        # French spacing: "vraie. »" keeps the detached closing guillemet.
        j = c_end
        while j < end and text[j] in " \u00a0\u202f\u2009":
            j += 1
        if j > c_end and j < end and text[j] in "»”›" and (j + 1 == end or text[j + 1].isspace()):
            boundary = j + 1
        nxt = _next_start(text, boundary, end)
        if nxt >= end:
            break
        if text[nxt].islower():
            continue
        if len(cluster.rstrip(_CLOSE)) == 1 and cluster[0] == "." and not cjk_term:
            if c_start - seg_start <= 6 and _ENUMERATOR.fullmatch(text, seg_start, c_start):
                continue
            if not _period_splits(text, rules, c_start, seg_start, nxt, end):
                continue
        out.append((seg_start, boundary))
        seg_start = scanned = boundary
        has_word = False
    out.append((seg_start, end))


def _cap_length(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    """Append ``[start, end)`` cut into pieces of at most :data:`MAX_SENTENCE_CHARS`."""
    limit = MAX_SENTENCE_CHARS
    while end - start > limit:
        hard = start + limit
        half = start + limit // 2
        cut = -1
        for k in range(hard, half, -1):
            if text[k - 1].isspace():
                cut = k
                break
        if cut < 0:
            for soft in _SOFT_BREAK.finditer(text, half, hard):
                cut = soft.end()
        if cut < 0:
            cut = hard
            while cut > half and (
                unicodedata.combining(text[cut]) or text[cut] in "\u200d\ufe0f\ufe0e"
            ):
                cut -= 1
        piece = _strip_span(text, start, cut)
        if piece[0] < piece[1]:
            out.append(piece)
        start, end = _strip_span(text, cut, end)
    if start < end:
        out.append((start, end))


def _lines(text: str) -> list[tuple[int, int]]:
    """Stripped, non-blank line spans of ``text``."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _LINE_BREAK.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    out = []
    for a, b in spans:
        a, b = _strip_span(text, a, b)
        if a < b:
            out.append((a, b))
    return out


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def split_sentences(text: str, lang: str | None = None) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` as Python str indices into ``text``.

    ``text[start:end]`` is the sentence with surrounding white space (and invisible characters)
    stripped; spans are in order, non-overlapping and non-empty. Line breaks are hard
    boundaries. ``lang`` is an ISO 639-1 code (``"en"``, ``"pt-BR"`` …) or ``None`` for
    language-neutral rules. Never raises on a ``str``; anything else gives an empty list.
    """
    if not isinstance(text, str) or not text:
        return []
    rules = _rules(base_lang(lang))
    raw: list[tuple[int, int]] = []
    for a, b in _lines(text):
        _split_line(text, a, b, rules, raw)
    out: list[tuple[int, int]] = []
    for a, b in raw:
        a, b = _strip_span(text, a, b)
        if a < b:
            _cap_length(text, a, b, out)
    return out


def split_lines(text: str) -> list[tuple[int, int]]:
    """One sentence per non-blank line (the ``--presplit`` mode), same span conventions.

    Handles ``\\n``, ``\\r\\n`` and a lone ``\\r`` (and the other line breaks
    :meth:`str.splitlines` knows). Lines are not cut further, however long.
    """
    if not isinstance(text, str) or not text:
        return []
    return _lines(text)
