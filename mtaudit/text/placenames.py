"""Names of countries, regions, cities and languages across languages (Unicode CLDR via Babel).

Translators render these names in the target language's own form (exonyms): Estonian
*Hispaania* becomes English *Spain* or *Spanish*, Romanian *Muntenegru* becomes *Montenegro*,
German *München* becomes *Munich*. Spelling rules cannot connect such pairs, so
``name_mismatch`` asks this module what a source word may be rendered as.

The data is CLDR's, as shipped by `Babel <https://babel.pocoo.org>`_: the names of territories
(countries, continents, the EU and the UN), of languages (in many languages the same word is the
nationality adjective: Estonian *prantsuse*, English *French*), and the example cities of time
zones (capitals and other large cities). A territory is also rendered by the name of the language
whose home it is (CLDR's likely subtags and official languages: ``es`` → Spain), so *Hispaania* is found in
"the Spanish fleet". Nothing here is written for a particular language pair.
"""

from __future__ import annotations

import os
from collections import defaultdict
from functools import lru_cache

from .translit import transliterate

__all__ = ["renderings", "cldr_version"]

#: A word of a multi-word name that occurs in more names than this (South, Islands, Republic)
#: identifies none of them.
_MAX_NAMES_PER_WORD = 3


def cldr_version() -> str | None:
    """Babel's version (it fixes the CLDR release), or ``None`` without Babel."""
    try:
        import babel
    except ImportError:
        return None
    return str(babel.__version__)


def _key(word: str) -> str:
    return transliterate(word)


@lru_cache(maxsize=16)
def _names(lang: str) -> dict[str, list[str]] | None:
    """``{entity id: [names in lang]}`` for territories (``T:ES``), languages (``L:es``) and
    time-zone cities (``C:Europe/Rome``); ``None`` if Babel does not know ``lang``."""
    try:
        from babel import Locale, UnknownLocaleError
    except ImportError:
        return None
    try:
        loc = Locale.parse(lang)
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    out: dict[str, list[str]] = defaultdict(list)
    for code, name in loc.territories.items():
        if code != "ZZ":  # "Unknown Region"
            out[f"T:{code}"].append(name)
    for code, name in loc.languages.items():
        if "_" not in code:  # regional variants ("British English") repeat the base name
            out[f"L:{code}"].append(name)
    for zone, data in loc.time_zones.items():
        city = dict(data).get("city")
        if city:
            out[f"C:{zone}"].append(city)
    if loc.language == "en":
        # CLDR gives an English city only where it differs from the zone id (Europe/Kiev → Kyiv)
        from babel.core import get_global

        for zone in get_global("zone_territories"):
            if zone.count("/") == 1 and not zone.startswith("Etc/"):
                out.setdefault(f"C:{zone}", [zone.split("/")[1].replace("_", " ")])
    return dict(out)


@lru_cache(maxsize=1)
def _home_territories() -> dict[str, str]:
    """``{language: territory}`` from CLDR's likely subtags (``es`` → ``ES``)."""
    from babel.core import get_global

    out = {}
    for lang, full in get_global("likely_subtags").items():
        if "_" in lang or lang == "und":
            continue
        parts = full.split("_")
        if len(parts) >= 3 and parts[-1].isalpha() and parts[-1].isupper():
            out[lang] = parts[-1]
    return out


@lru_cache(maxsize=512)
def _national_languages(territory: str) -> tuple[str, ...]:
    """The official languages of a territory whose home it is (Spain: Spanish; not Catalan,
    whose home CLDR also puts in Spain but which is official only in a region; not Arabic for
    Israel, whose home is Egypt)."""
    from babel.languages import get_official_languages

    homes = _home_territories()
    return tuple(
        lang
        for lang in get_official_languages(territory, regional=False, de_facto=True)
        if homes.get(lang) == territory
    )


@lru_cache(maxsize=32)
def _lexicon(src_lang: str, tgt_lang: str) -> dict[str, frozenset[str]]:
    """``{source word key: target renderings}`` for one language pair (empty without data)."""
    src, tgt = _names(src_lang), _names(tgt_lang)
    if not src or not tgt:
        return {}
    homes = _home_territories()

    def rendered(entity: str) -> set[str]:
        kind, code = entity.split(":", 1)
        out = set(tgt.get(entity, ()))
        if kind == "T":
            for lang in _national_languages(code):
                out.update(tgt.get(f"L:{lang}", ()))
        elif kind == "L" and code in homes:
            out.update(tgt.get(f"T:{homes[code]}", ()))
        # a two- or three-letter name (the languages Ga, Yi, Ewe) would be found inside any
        # word of the target; names in Han or kana script are that short and stay
        return {r for r in out if len(r) >= 4 or (r and ord(r[0]) >= 0x2E80)}

    whole: dict[str, set[str]] = defaultdict(set)
    by_word: dict[str, set[str]] = defaultdict(set)
    for entity, names in src.items():
        for name in names:
            key = _key(name)
            if len(key) >= 3:
                whole[key].add(entity)
            words = [w for w in name.replace("-", " ").split() if len(_key(w)) >= 4]
            if len(words) > 1:
                for w in words:
                    by_word[_key(w)].add(entity)
    for word, entities in by_word.items():
        if len(entities) <= _MAX_NAMES_PER_WORD:
            whole[word].update(entities)
    out: dict[str, frozenset[str]] = {}
    for key, entities in whole.items():
        forms = set().union(*(rendered(e) for e in entities))
        if forms:
            out[key] = frozenset(forms)
    return out


def _inflected_form(name: str, word: str) -> bool:
    """Whether ``word`` (a key) is an inflected form of lexicon key ``name``: an ending added
    (*Eesti* → *Eestile*, *Israel* → *Israelului*), or a compound's last letters replaced
    (*Prantsusmaa* → *Prantsuse*, *Saksamaa* → *Saksa*, *Franța* → *Franței*): at most two
    letters after a shared prefix that leaves at most three letters of the name, or a longer
    case ending after a shared prefix of seven letters or more (*Ühendriigid* →
    *Ühendriikidesse*: Estonian consonant gradation changes the stem too). Stricter than
    :func:`~mtaudit.text.names.names_match`, so that *Iraak* (Iraq) never reads as
    *Iraan* (Iran).
    """
    if len(name) >= 4 and word.startswith(name) and len(word) - len(name) <= 4:
        return True
    common = len(os.path.commonprefix([name, word]))
    if common < max(4, len(name) - 3):
        return False
    return len(word) - common <= (2 if common < 7 else 7)


def renderings(word: str, src_lang: str | None, tgt_lang: str | None) -> frozenset[str]:
    """What source ``word`` may appear as in a ``tgt_lang`` translation if it is (an inflected
    form of) a place or language name of ``src_lang``; empty if it is not one, or if Babel or
    either language's CLDR data is missing."""
    if not src_lang or not tgt_lang or src_lang == tgt_lang:
        return frozenset()
    lex = _lexicon(src_lang, tgt_lang)
    if not lex:
        return frozenset()
    key = _key(word)
    if len(key) < 3:
        return frozenset()
    hit = lex.get(key)
    if hit is not None:
        return hit
    return _inflected(key, src_lang, tgt_lang)


@lru_cache(maxsize=8192)
def _inflected(key: str, src_lang: str, tgt_lang: str) -> frozenset[str]:
    out: set[str] = set()
    for name, forms in _by_prefix(src_lang, tgt_lang).get(key[:3], ()):
        if _inflected_form(name, key):
            out.update(forms)
    return frozenset(out)


@lru_cache(maxsize=32)
def _by_prefix(src_lang: str, tgt_lang: str) -> dict[str, list[tuple[str, frozenset[str]]]]:
    out: dict[str, list[tuple[str, frozenset[str]]]] = defaultdict(list)
    for name, forms in _lexicon(src_lang, tgt_lang).items():
        out[name[:3]].append((name, forms))
    return dict(out)
