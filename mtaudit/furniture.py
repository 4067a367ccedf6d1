"""Stage 2b — page furniture: text that came with the page, not with the article.

Web articles arrive with residue of the page around them: buttons and navigation ("close",
"Share", "Read more"), language switchers ("ua en ru", "EN | DE"), bylines and outlet names on a
line of their own ("CNN", "By Jane Doe, Reuters"), datelines, photo captions and credits (often
fused with a repeated title and cut off: "… Photo: John Smith ("), contributor credits ("X and Y
contributed to this report."), update notices ("This story has been updated …"), copyright lines.

Such sentences stay in the report, flagged ``furniture`` with the rule that matched, and do not
count as translation content (they are not aligned, and omission/addition checks skip them).

The rules are generic, multilingual where the wording is language-specific (en, uk, ru, de, fr,
es), and each one is named so a user can see why a line was set aside.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["FurnitureHit", "detect_furniture", "RULES"]

#: The rule names, as they appear in findings' evidence.
RULES = (
    "ui_text",
    "language_switcher",
    "byline",
    "dateline",
    "caption",
    "repeated_title",
    "credit",
    "update_notice",
    "copyright",
)

_UI_WORDS = {
    # en
    "close",
    "menu",
    "search",
    "share",
    "subscribe",
    "sign",
    "in",
    "log",
    "login",
    "logout",
    "register",
    "read",
    "more",
    "advertisement",
    "ad",
    "skip",
    "to",
    "content",
    "main",
    "home",
    "back",
    "top",
    "next",
    "previous",
    "prev",
    "print",
    "email",
    "e-mail",
    "tweet",
    "facebook",
    "twitter",
    "x",
    "whatsapp",
    "telegram",
    "linkedin",
    "copy",
    "link",
    "comments",
    "comment",
    "show",
    "hide",
    "expand",
    "collapse",
    "accept",
    "cookies",
    "open",
    "play",
    "video",
    "watch",
    "listen",
    "audio",
    "live",
    "updates",
    "newsletter",
    "follow",
    "us",
    "on",
    "also",
    "related",
    "stories",
    "loading",
    "see",
    "all",
    "view",
    "gallery",
    "photos",
    "toggle",
    "navigation",
    "sections",
    "latest",
    "news",
    "continue",
    "reading",
    "caption",
    "the",
    "this",
    "story",
    "article",
    "icon",
    "button",
    "and",
    "min",
    "mins",
    # uk / ru
    "закрити",
    "закрыть",
    "меню",
    "пошук",
    "поиск",
    "поділитися",
    "поделиться",
    "читати",
    "читать",
    "також",
    "также",
    "далі",
    "далее",
    "більше",
    "больше",
    "реклама",
    "головна",
    "главная",
    "назад",
    "вгору",
    "наверх",
    "підписатися",
    "подписаться",
    "коментарі",
    "комментарии",
    "новини",
    "новости",
    "відео",
    "видео",
    "фото",
    "усі",
    "все",
    # de / fr / es
    "schließen",
    "suche",
    "teilen",
    "anzeige",
    "weiterlesen",
    "mehr",
    "lesen",
    "zurück",
    "startseite",
    "werbung",
    "fermer",
    "rechercher",
    "partager",
    "publicité",
    "lire",
    "suite",
    "accueil",
    "plus",
    "cerrar",
    "buscar",
    "compartir",
    "publicidad",
    "leer",
    "más",
    "inicio",
}
# Short words that alone are not enough to call a line UI text.
_UI_WEAK = {"in", "to", "on", "us", "the", "this", "and", "all", "see", "also", "more", "x", "min"}

_LANG_CODES = {
    "ua",
    "uk",
    "en",
    "ru",
    "de",
    "fr",
    "es",
    "it",
    "pl",
    "pt",
    "nl",
    "zh",
    "ja",
    "ko",
    "ar",
    "tr",
    "cs",
    "sk",
    "ro",
    "hu",
    "bg",
    "el",
    "he",
    "fa",
    "hi",
    "be",
    "kk",
    "ka",
    "lt",
    "lv",
    "et",
    "fi",
    "sv",
    "da",
    "no",
    "nb",
    "gb",
    "us",
    "eng",
    "ukr",
    "rus",
    "deu",
    "ger",
    "fra",
    "esp",
    "spa",
    "ita",
    "pol",
    "cn",
    "jp",
    "kr",
}
_LANG_NAMES = {
    "english",
    "deutsch",
    "français",
    "francais",
    "español",
    "espanol",
    "italiano",
    "polski",
    "português",
    "русский",
    "українська",
    "беларуская",
    "中文",
    "日本語",
    "한국어",
    "العربية",
    "türkçe",
    "nederlands",
    "čeština",
    "română",
    "magyar",
    "ελληνικά",
    "עברית",
    "eng",
    "укр",
    "рус",
    "рус.",
    "укр.",
}
_SWITCH_SEP = re.compile(r"[\s|/•·,;]+")

_CREDIT = re.compile(
    r"(\bcontributed\s+(?:reporting|to\s+(?:this|the)\s+(?:report|story|article|piece))"
    r"|^\(?\s*(?:additional\s+)?(?:reporting|writing|editing|compiled)\s+by\b"
    r"|^\(?\s*(?:photo|photos|image|images|video|illustration)\s+(?:by|credit|courtesy)\b"
    r"|\b(?:mitarbeit|mitgearbeitet)\b.*\b(?:bericht|artikel)\b"
    r"|^(?:автор|авторка|редактор|джерело|источник)\s*:)",
    re.IGNORECASE,
)
_UPDATE = re.compile(
    r"(^(?:this|the)\s+(?:story|article|post|report|piece)\s+(?:has\s+been|was|is\s+being|will\s+be)"
    r"\s+updated\b"
    r"|^this\s+is\s+a\s+(?:developing|breaking)\s+(?:story|news)"
    r"|^(?:editor['’]s\s+note|correction|clarification)\s*:"
    r"|^(?:updated|published|last\s+updated|aktualisiert|mis\s+à\s+jour|actualizado)\b[^.!?]{0,60}"
    r"\d{1,2}[:.]\d{2}"
    r"|^(?:статтю|матеріал|новину)\s+(?:оновлено|доповнено)"
    r"|^(?:статья|материал|новость)\s+(?:обновлен|дополнен)"
    r"|^dieser\s+(?:artikel|beitrag)\s+wurde\s+aktualisiert"
    r"|^cet\s+article\s+a\s+été\s+mis\s+à\s+jour)",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(r"(^\s*(?:©|\(c\)|copyright\b)|all\s+rights\s+reserved)", re.IGNORECASE)
_CAPTION_MARK = re.compile(
    r"(?:^|\s)(?:photo|photos|image|picture|credit|source|фото|світлина|зображення|bild|foto"
    r"|crédit|imagen|fotografía)\s*:\s*",
    re.IGNORECASE,
)
_GETTY = re.compile(r"\b(?:getty\s+images|reuters/|ap\s+photo|afp|shutterstock|epa)\b", re.I)
_BY = re.compile(r"^(?:[Bb]y|[Vv]on|[Pp]ar|[Pp]or)\s+[A-ZÀ-ÖØ-ÞА-ЯІЇЄҐ]")
_MONTHS = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
    r"|(?:januar|februar|märz|mai|juni|juli|oktober|dezember)"
    r"|(?:січ|лют|берез|квіт|трав|черв|лип|серп|верес|жовт|листоп|груд)[а-яіїє]*"
    r"|(?:январ|феврал|март|апрел|ма[яй]|июн|июл|август|сентябр|октябр|ноябр|декабр)[а-я]*"
)
_DATELINE = re.compile(
    r"^(?:(?:updated|published|posted|опубліковано|оновлено|опубликовано)\s*:?\s*)?"
    r"(?:\w+,?\s+)?(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}\s+(?:" + _MONTHS + r")"
    r"|(?:" + _MONTHS + r")\s+\d{1,2})"
    r"[\s,\d:./-]*(?:\s*(?:am|pm|edt|est|gmt|utc|cet|cest|et|pt|bst|msk|eet|eest)\b[\s,]*)*"
    r"(?:\w+,?\s+)?(?:\w+\s+\d{1,2},?\s*)?\d{0,4}\s*$",
    re.IGNORECASE,
)
_SENT_END = re.compile(r"[.!?…。！？]['\"”’»)]*$")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)


@dataclass(frozen=True)
class FurnitureHit:
    """Why a sentence is page furniture: the rule's name and the text that matched."""

    rule: str
    matched: str


def _line_bounds(text: str) -> list[tuple[int, int]]:
    bounds = []
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        bounds.append((pos, pos + len(body)))
        pos += len(line)
    return bounds


def _is_ui(words: list[str]) -> bool:
    low = [w.lower().strip(".:!?,;") for w in words]
    return (
        0 < len(low) <= 4
        and all(w in _UI_WORDS for w in low)
        and any(w not in _UI_WEAK for w in low)
    )


def _is_switcher(line: str) -> bool:
    toks = [t for t in _SWITCH_SEP.split(line.strip().lower()) if t]
    if len(toks) < 2 or len(toks) > 12:
        return False
    return all(t in _LANG_CODES or t in _LANG_NAMES for t in toks)


def _is_outlet_byline(line: str) -> bool:
    """A line of 1–4 capitalised tokens, no sentence punctuation: an outlet name or byline."""
    s = line.strip()
    if not s or _SENT_END.search(s) or any(ch.isdigit() for ch in s):
        return False
    toks = s.replace(",", " ").split()
    if not 1 <= len(toks) <= 4:
        return False
    caps = [t for t in toks if t[:1].isupper()]
    all_caps_token = any(t.isupper() and len(t) >= 2 for t in toks)
    return len(caps) == len(toks) and (all_caps_token or len(toks) == 1)


def detect_furniture(
    text: str, spans: Sequence[tuple[int, int]], lang: str | None = None
) -> list[FurnitureHit | None]:
    """For each sentence span of ``text``, the furniture rule it matches, or ``None``.

    Line-level rules (UI text, language switchers, outlet bylines, datelines, repeated titles) apply
    only to a sentence that fills its whole line; sentence-level rules (credits, update notices,
    captions, copyright) apply anywhere. Bylines and datelines are looked for in the first and last
    few lines of the document only.
    """
    lines = _line_bounds(text)
    nonblank = [(a, b) for a, b in lines if text[a:b].strip()]
    head = {a for a, _ in nonblank[:8]}
    tail = {a for a, _ in nonblank[-5:]}
    line_starts = [a for a, _ in lines]

    results: list[FurnitureHit | None] = []
    titles = _Titles()  # earlier whole-line sentences (title candidates)
    for start, end in spans:
        sent = text[start:end]
        li = max(0, bisect.bisect_right(line_starts, start) - 1)
        la, lb = lines[li] if lines else (0, len(text))
        whole_line = text[la:lb].strip() == sent.strip()
        words = _WORD.findall(sent)
        hit: FurnitureHit | None = None
        if whole_line and _is_switcher(sent):
            hit = FurnitureHit("language_switcher", sent)
        elif whole_line and _is_ui(sent.split()):
            hit = FurnitureHit("ui_text", sent)
        elif _UPDATE.search(sent.strip()):
            hit = FurnitureHit("update_notice", _UPDATE.search(sent.strip()).group(0))
        elif _CREDIT.search(sent.strip()):
            hit = FurnitureHit("credit", _CREDIT.search(sent.strip()).group(0))
        elif _COPYRIGHT.search(sent) and len(words) <= 15:
            hit = FurnitureHit("copyright", _COPYRIGHT.search(sent).group(0))
        elif whole_line and (la in head or la in tail) and _DATELINE.match(sent.strip()):
            hit = FurnitureHit("dateline", sent)
        elif (
            whole_line
            and (la in head or la in tail)
            and _is_outlet_byline(sent)
            or (
                whole_line
                and _BY.match(sent.strip())
                and len(words) <= 12
                and not _SENT_END.search(sent.strip())
            )
        ):
            hit = FurnitureHit("byline", sent)
        else:
            hit = _caption_or_title(sent, titles)
        if whole_line and hit is None:
            titles.add(sent.strip())
        results.append(hit)
    return results


def _caption_or_title(sent: str, titles: _Titles) -> FurnitureHit | None:
    s = sent.strip()
    m = _CAPTION_MARK.search(s)
    if m:
        after = s[m.end() :]
        after_words = _WORD.findall(after)
        # A caption is short after its marker, and usually has no full sentence after it.
        if len(after_words) <= 10 and (not _SENT_END.search(s) or s.endswith(("(", "[", ","))):
            return FurnitureHit("caption", s[m.start() :].strip())
    if _GETTY.search(s) and len(_WORD.findall(s)) <= 8:
        return FurnitureHit("caption", _GETTY.search(s).group(0))
    if not _SENT_END.search(s):
        title = titles.repeated(s)
        if title is not None:
            return FurnitureHit("repeated_title", title)
    return None


class _Titles:
    """Earlier whole-line sentences of four words or more, indexed by text and by length: a
    sentence's repeated-title candidates are its prefixes of those lengths, looked up rather
    than compared with every earlier line (which made furniture detection quadratic: about
    7 s a side at 2,000 lines, hours at 100,000)."""

    def __init__(self) -> None:
        self.first: dict[str, int] = {}  # title -> its position among the earlier lines
        self.lengths: set[int] = set()
        self.count = 0

    def add(self, line: str) -> None:
        if line not in self.first and len(line.split()) >= 4:
            self.first[line] = self.count
            self.lengths.add(len(line))
        self.count += 1

    def repeated(self, s: str) -> str | None:
        """The earliest title ``s`` starts with and goes on from by at most 12 words."""
        best: tuple[int, str] | None = None
        for n in self.lengths:
            if n < len(s):
                k = self.first.get(s[:n])
                if (
                    k is not None
                    and (best is None or k < best[0])
                    and len(s[n:].strip().split()) <= 12
                ):
                    best = (k, s[:n])
        return None if best is None else best[1]
