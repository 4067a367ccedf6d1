"""Cross-lingual checks: untranslated, wrong_language, omission, addition, number_mismatch,
name_mismatch. Contexts are built by hand; language identification is faked."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pytest

from mtaudit.checks.base import REGISTRY, CheckContext, build_checks
from mtaudit.checks.linkstats import length_prior
from mtaudit.encoders import HashingEncoder
from mtaudit.errors import InputError
from mtaudit.report import Finding, Link, Sentence, Side
from mtaudit.text import names as xl

CODES = (
    "untranslated",
    "wrong_language",
    "omission",
    "addition",
    "number_mismatch",
    "name_mismatch",
)


def make_side(lang: str | None, texts: Sequence[str], furniture: Sequence[int] = ()) -> Side:
    sents, pos = [], 0
    for k, t in enumerate(texts):
        sents.append(
            Sentence(index=k, text=t, start=pos, end=pos + len(t), furniture=k in furniture)
        )
        pos += len(t) + 1
    return Side(lang=lang, sentences=sents, text="\n".join(texts))


def make_ctx(
    src: Sequence[str],
    tgt: Sequence[str],
    links: Sequence[tuple[list[int], list[int]]] | None = None,
    *,
    src_lang: str | None = "en",
    tgt_lang: str | None = "de",
    mode: str = "translation",
    sims: Sequence[float] | None = None,
    src_furniture: Sequence[int] = (),
    tgt_furniture: Sequence[int] = (),
    embed: bool = False,
) -> CheckContext:
    if links is None:
        links = [([k], [k]) for k in range(min(len(src), len(tgt)))]
    sims = sims if sims is not None else [0.8] * len(links)
    s_side = make_side(src_lang, src, src_furniture)
    t_side = make_side(tgt_lang, tgt, tgt_furniture)
    enc = HashingEncoder()
    return CheckContext(
        source=s_side,
        target=t_side,
        links=[Link(list(a), list(b), float(x)) for (a, b), x in zip(links, sims, strict=True)],
        mode=mode,
        encoder=enc if embed else None,
        src_emb=enc.encode(list(src)) if embed else None,
        tgt_emb=enc.encode(list(tgt)) if embed else None,
    )


def run(code: str, ctx: CheckContext, **params: object) -> list[Finding]:
    findings = list(REGISTRY[code](**params).run(ctx))
    assert_spans_inside(ctx, findings)
    return findings


def assert_spans_inside(ctx: CheckContext, findings: list[Finding]) -> None:
    for f in findings:
        side = ctx.side(f.side)
        assert f.sentence is not None
        sent = side.sentences[f.sentence]
        assert not sent.furniture
        if f.span is not None:
            a, b = f.span
            assert sent.start <= a <= b <= sent.end, (f, sent)
            assert side.text[a:b] == sent.text[a - sent.start : b - sent.start]
        assert f.message and isinstance(f.evidence, dict)
        json.dumps(f.to_dict(), allow_nan=False)  # evidence is plain JSON


@pytest.fixture()
def fake_lid(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[str, float]]:
    """Replace language identification: texts containing a key get that (lang, confidence)."""
    table: dict[str, tuple[str, float]] = {}

    def detect(text: str, candidates=None, min_confidence: float = 0.0, unless=()):  # noqa: ANN001
        for key, (lang, conf) in table.items():
            if key in text:
                if candidates is not None and lang not in {c.split("-")[0] for c in candidates}:
                    return sorted(candidates)[0], 0.5
                return lang, conf
        if candidates:
            return ("de" if "de" in candidates else sorted(candidates)[0]), 0.999
        return "de", 0.999

    from mtaudit.checks import untranslated, wrong_language

    for module in (untranslated, wrong_language):
        monkeypatch.setattr(module, "detect_with_confidence", detect)
    return table


def test_all_codes_registered() -> None:
    for code in CODES:
        cls = REGISTRY[code]
        assert (
            cls.code == code
            and cls.description
            and cls.default_severity
            in (
                "minor",
                "major",
                "critical",
            )
        )


# --------------------------------------------------------------------------------------------
# untranslated
# --------------------------------------------------------------------------------------------


def test_untranslated_copy(fake_lid: dict) -> None:
    src = ["The committee will meet again next week to discuss the proposal."]
    ctx = make_ctx(src, list(src))
    (f,) = run("untranslated", ctx)
    assert f.severity == "critical" and f.evidence["kind"] == "copy"
    assert f.evidence["copy_similarity"] >= 0.9


def test_untranslated_language(fake_lid: dict) -> None:
    fake_lid["meet again"] = ("en", 0.999)
    ctx = make_ctx(
        ["Der Ausschuss tritt nächste Woche wieder zusammen."],
        ["The committee will meet again next week, they said."],
        src_lang="de",
        tgt_lang="en",
    )
    fake_lid.clear()
    fake_lid["meet again"] = ("de", 0.999)
    (f,) = run("untranslated", ctx)
    assert f.evidence["kind"] == "language" and f.evidence["detected"] == "de"


def test_untranslated_negative_and_same_language(fake_lid: dict) -> None:
    ctx = make_ctx(
        ["The committee will meet again next week to discuss the proposal."],
        ["Der Ausschuss wird nächste Woche erneut tagen, um den Vorschlag zu besprechen."],
    )
    assert run("untranslated", ctx) == []
    # an English retelling of an English text: no language-based checks at all
    same = make_ctx(
        ["Bill Nelson spoke on Friday."], ["Bill Nelson spoke on Friday."], tgt_lang="en"
    )
    assert run("untranslated", same) == []


def test_untranslated_names_and_markup_are_not_copies(fake_lid: dict) -> None:
    ctx = make_ctx(
        ["Elon Musk, Vladimir Putin, 2022", "class=B importance=low}} {{WikiProject Chile"],
        ["Elon Musk, Vladimir Putin, 2022", "class=B importance=low}} {{WikiProject Chile"],
    )
    assert run("untranslated", ctx) == []


def test_untranslated_partial_run(fake_lid: dict) -> None:
    ctx = make_ctx(
        ["That being said, a wiki entry by definition should be neutral."],
        ["Das heißt, ein Wiki-Eintrag by definition should be neutral."],
    )
    (f,) = run("untranslated", ctx)
    assert f.code == "untranslated.partial" and f.severity == "major"
    a, b = f.span
    assert ctx.target.text[a:b] == "by definition should be neutral"


def test_untranslated_skips_furniture(fake_lid: dict) -> None:
    src = ["The committee will meet again next week to discuss the proposal."]
    ctx = make_ctx(src, list(src), tgt_furniture=[0])
    assert run("untranslated", ctx) == []


# --------------------------------------------------------------------------------------------
# wrong_language
# --------------------------------------------------------------------------------------------


def test_wrong_language(fake_lid: dict) -> None:
    fake_lid["Comité"] = ("fr", 0.99)
    ctx = make_ctx(
        ["The committee meets next week.", "It will discuss the proposal."],
        ["Le Comité se réunira la semaine prochaine.", "Er wird den Vorschlag besprechen."],
    )
    (f,) = run("wrong_language", ctx)
    assert f.sentence == 0 and f.evidence["detected"] == "fr" and f.severity == "critical"


def test_wrong_language_needs_length_and_confidence(fake_lid: dict) -> None:
    fake_lid["Oui"] = ("fr", 0.99)
    fake_lid["proposition"] = ("fr", 0.6)
    ctx = make_ctx(
        ["Yes.", "It will discuss the proposal of the committee."],
        ["Oui.", "Er wird die proposition des Ausschusses besprechen."],
    )
    assert run("wrong_language", ctx) == []
    # names shared with the source do not count as text
    fake_lid["Chesapeake"] = ("fr", 0.99)
    ctx = make_ctx(["Katie Wilson from Chesapeake Bay"], ["Katie Wilson von Chesapeake Bay"])
    assert run("wrong_language", ctx) == []


# --------------------------------------------------------------------------------------------
# omission / addition
# --------------------------------------------------------------------------------------------

DOC_SRC = [
    "The head of NASA expressed concern on Friday about the reported contacts.",
    "He believes that an investigation of the matter is necessary now.",
    "Several officials said they were unaware of any such contact at all.",
    "The newspaper said the conversations were a closely guarded secret.",
    "Musk did not respond to the requests for comment from the newspaper.",
    "The Pentagon declined to comment on the media reports on Friday.",
    "The spokesman claimed there had been only one phone call between them.",
    "Some officials raised concerns over the interactions last year.",
    "Intelligence agencies have concerns about investigating those interactions.",
    "The conversations were confirmed by several current and former officials.",
]
DOC_TGT = [
    "Der NASA-Chef äußerte am Freitag Besorgnis über die berichteten Kontakte.",
    "Er hält eine Untersuchung der Angelegenheit jetzt für notwendig.",
    "Mehrere Beamte sagten, sie hätten von keinem solchen Kontakt gewusst.",
    "Die Zeitung schrieb, die Gespräche seien ein streng gehütetes Geheimnis.",
    "Musk reagierte nicht auf die Bitten der Zeitung um eine Stellungnahme.",
    "Das Pentagon lehnte einen Kommentar zu den Medienberichten am Freitag ab.",
    "Der Sprecher behauptete, es habe nur ein einziges Telefonat gegeben.",
    "Einige Beamte äußerten im vergangenen Jahr Bedenken über die Kontakte.",
    "Die Geheimdienste haben Bedenken, diese Interaktionen näher zu untersuchen.",
    "Die Gespräche wurden von mehreren aktuellen und früheren Beamten bestätigt.",
]


def test_omission_unlinked_sentence() -> None:
    links = [([k], [k]) for k in range(10) if k != 4]
    ctx = make_ctx(DOC_SRC, DOC_TGT[:4] + ["x"] + DOC_TGT[5:], links)
    found = [f for f in run("omission", ctx) if f.code == "omission"]
    assert [(f.side, f.sentence, f.severity) for f in found] == [("source", 4, "major")]


def test_omission_comparable_mode_is_a_parameter() -> None:
    links = [([k], [k]) for k in range(10) if k != 4]
    ctx = make_ctx(DOC_SRC, DOC_TGT, links, mode="comparable")
    assert run("omission", ctx) == []
    found = run("omission", ctx, comparable_severity="minor")
    assert [(f.sentence, f.severity) for f in found] == [(4, "minor")]


def test_addition_unlinked_and_furniture() -> None:
    links = [([k], [k]) for k in range(9)]
    ctx = make_ctx(DOC_SRC[:9], DOC_TGT, links, tgt_furniture=[])
    found = run("addition", ctx)
    assert [(f.side, f.sentence) for f in found] == [("target", 9)]
    ctx = make_ctx(DOC_SRC[:9], DOC_TGT, links, tgt_furniture=[9])
    assert run("addition", ctx) == []
    # comparable: minor by default
    ctx = make_ctx(DOC_SRC[:9], DOC_TGT, links, mode="comparable")
    assert [f.severity for f in run("addition", ctx)] == ["minor"]


def test_partial_omission_from_the_document_distribution() -> None:
    tgt = list(DOC_TGT)
    tgt[6] = "Der Sprecher behauptete es."  # most of the sentence is gone
    ctx = make_ctx(DOC_SRC, tgt, embed=True)
    found = run("omission", ctx)
    assert [(f.code, f.sentence) for f in found] == [("omission.partial", 6)]
    ev = found[0].evidence
    assert ev["z_length"] <= -3.5 and ev["target_chars"] < ev["expected_target_chars"]
    assert run("addition", ctx) == []


def test_partial_addition_mirror() -> None:
    tgt = list(DOC_TGT)
    tgt[2] += " Außerdem habe es in der Woche davor drei weitere geheime Treffen in Berlin gegeben."
    ctx = make_ctx(DOC_SRC, tgt)
    found = run("addition", ctx)
    assert [(f.code, f.side, f.sentence) for f in found] == [("addition.partial", "target", 2)]


def test_partial_uses_similarity_when_length_is_only_somewhat_off() -> None:
    tgt = list(DOC_TGT)
    tgt[3] = "Die Zeitung schrieb, die Gespräche seien geheim gewesen."  # z ≈ -2.7
    sims = [0.8, 0.82, 0.79, 0.3, 0.81, 0.8, 0.78, 0.83, 0.8, 0.79]
    found = run("omission", make_ctx(DOC_SRC, tgt, sims=sims))
    assert [(f.sentence, f.evidence["rule"]) for f in found] == [(3, "length+similarity")]
    # with similar similarity, the same length is not enough
    assert run("omission", make_ctx(DOC_SRC, tgt)) == []


def test_partial_not_in_comparable_mode() -> None:
    tgt = list(DOC_TGT)
    tgt[6] = "Der Sprecher behauptete es."
    assert run("omission", make_ctx(DOC_SRC, tgt, mode="comparable")) == []


def test_length_prior_for_a_single_pair() -> None:
    src = ["Several officials told the newspaper that they were unaware of any contact at all."]
    ok = run(
        "omission", make_ctx(src, ["Mehrere Beamte sagten der Zeitung, sie wüssten von nichts."])
    )
    assert ok == []
    cut = run("omission", make_ctx(src, ["Mehrere Beamte."], tgt_lang="de", mode="pairs"))
    assert [f.code for f in cut] == ["omission.partial"]


# --------------------------------------------------------------------------------------------
# number_mismatch
# --------------------------------------------------------------------------------------------


def test_number_magnitude_is_critical() -> None:
    ctx = make_ctx(
        ["SpaceX won a $44 million contract."],
        ["SpaceX erhielt einen Auftrag über 4,4 Mio. Dollar."],
    )
    (f,) = run("number_mismatch", ctx)
    assert f.severity == "critical" and f.evidence["kind"] == "changed"
    a, b = f.span
    assert ctx.target.text[a:b] == "4,4 Mio. Dollar"
    assert f.evidence["ratio"] == pytest.approx(10.0)


def test_number_equivalent_formats_pass() -> None:
    ctx = make_ctx(
        ["SpaceX won a $44 million contract on October 25, 2024 (up 12.5%)."],
        [
            "SpaceX erhielt am 25. Oktober 2024 einen Auftrag über 44 Millionen Dollar "
            "(plus 12,5 %)."
        ],
    )
    assert run("number_mismatch", ctx) == []
    uk = make_ctx(["NASA spent $44,000,000."], ["NASA витратила 44 млн доларів."], tgt_lang="uk")
    assert run("number_mismatch", uk) == []


def test_number_changed_date_is_critical_and_small_change_major() -> None:
    ctx = make_ctx(
        ["It happened in 2022 and cost 45 dollars."], ["Es geschah 2023 und kostete 46 Dollar."]
    )
    found = sorted(run("number_mismatch", ctx), key=lambda f: f.span)
    assert [(f.evidence["target_value"], f.severity) for f in found] == [
        (2023.0, "critical"),
        (46.0, "major"),
    ]


def test_number_added_and_missing() -> None:
    ctx = make_ctx(["Five people were hurt."], ["7 Menschen wurden verletzt, 12 davon schwer."])
    found = run("number_mismatch", ctx)
    assert {f.evidence["kind"] for f in found} == {"changed", "added"}
    ctx = make_ctx(["Officials met 14 times in 2023."], ["Die Beamten trafen sich mehrmals."])
    found = run("number_mismatch", ctx)
    assert [f.evidence["source_value"] for f in found] == [14.0, 2023.0]
    assert all(f.evidence["kind"] == "missing" for f in found)
    assert found[0].span == (0, len(ctx.target.sentences[0].text))


def test_number_found_in_neighbour_sentence_is_alignment_not_error() -> None:
    ctx = make_ctx(
        ["The deal closed in 2021.", "It was worth a lot."],
        ["Der Deal wurde abgeschlossen.", "Er war 2021 viel wert."],
    )
    assert run("number_mismatch", ctx) == []
    # but not across independent pairs
    pairs = make_ctx(
        ["The deal closed in 2021.", "It was worth a lot."],
        ["Der Deal wurde abgeschlossen.", "Er war 2021 viel wert."],
        mode="pairs",
    )
    assert len(run("number_mismatch", pairs)) == 2


def test_number_comparable_mode_reports_only_substitutions() -> None:
    ctx = make_ctx(
        ["NASA chief Bill Nelson spoke on Friday.", "It cost $44 million."],
        ["NASA chief Bill Nelson spoke on Friday, October 25.", "It cost $4.4 million."],
        tgt_lang="en",
        mode="comparable",
    )
    found = run("number_mismatch", ctx)
    assert [(f.sentence, f.severity) for f in found] == [(1, "critical")]


# --------------------------------------------------------------------------------------------
# name_mismatch
# --------------------------------------------------------------------------------------------


def test_names_found_with_inflection_and_transliteration() -> None:
    ctx = make_ctx(
        ["On Friday the head of NASA, Bill Nelson, said Musk had spoken with Putin."],
        ["У п'ятницю глава NASA Білл Нельсон заявив, що Маск розмовляв з Путіним."],
        tgt_lang="uk",
    )
    assert run("name_mismatch", ctx) == []
    de = make_ctx(
        ["Officials confirmed that Musk had spoken with Putin."],
        ["Beamte bestätigten Musks Gespräche mit Putins Büro."],
    )
    assert run("name_mismatch", de) == []


def test_name_missing_is_minor_and_different_is_major() -> None:
    ctx = make_ctx(
        ["Officials confirmed that Musk had spoken with Putin."],
        ["Beamte bestätigten, dass er mit dem Präsidenten gesprochen hatte."],
    )
    found = run("name_mismatch", ctx)
    assert sorted((f.evidence["source_name"], f.severity) for f in found) == [
        ("Musk", "minor"),
        ("Putin", "minor"),
    ]
    ctx = make_ctx(
        ["Also bring back the Brendle article, please."],
        ["Bringen Sie bitte auch den Brandle Artikel zurück."],
    )
    (f,) = run("name_mismatch", ctx)
    assert f.severity == "major" and f.evidence["target_name"] == "Brandle"
    a, b = f.span
    assert ctx.target.text[a:b] == "Brandle"


def test_place_and_language_names_are_found_as_exonyms() -> None:
    # Estonian country names (with case endings) rendered by English country/nationality words
    ctx = make_ctx(
        [
            "Laevad sõitsid Hispaania rannikult Eestile appi.",
            "Uurijad kohtusid Prantsuse ja Saksamaa saadikutega Ameerika Ühendriikides.",
        ],
        [
            "The ships sailed from the Spanish coast to help Estonia.",
            "The researchers met French and German envoys in the United States.",
        ],
        src_lang="et",
        tgt_lang="en",
    )
    assert run("name_mismatch", ctx) == []
    names = sorted(f.evidence["source_name"] for f in run("name_mismatch", ctx, place_names=False))
    assert "Hispaania" in names and "Prantsuse" in names
    # an exonym one letter-pair away from the name is not a mangled ("different") name
    ro = make_ctx(
        ["Armatele au invadat Serbia și Muntenegru."],
        ["The armies invaded Serbia and Montenegro."],
        src_lang="ro",
        tgt_lang="en",
    )
    assert run("name_mismatch", ro) == []
    assert [f.evidence["kind"] for f in run("name_mismatch", ro, place_names=False)] == [
        "different"
    ]


def test_place_name_lookup_is_strict_about_which_place() -> None:
    from mtaudit.text.placenames import renderings

    assert {"Spain", "Spanish"} <= renderings("Hispaania", "et", "en")
    assert {"Estonia"} <= renderings("Eestile", "et", "en")  # allative case
    assert "Deutschland" in renderings("Germany", "en", "de")
    assert "Iran" not in renderings("Iraagis", "et", "en")  # Iraq, inessive: not Iran
    assert renderings("Kaljuvere", "et", "en") == frozenset()  # not a place CLDR names
    assert renderings("Hispaania", "et", "et") == frozenset()
    assert renderings("Hispaania", None, "en") == frozenset()
    # a wrong country in the translation is still reported
    ctx = make_ctx(
        ["Laevad sõitsid Hispaania rannikult."],
        ["The ships sailed from the Portuguese coast."],
        src_lang="et",
        tgt_lang="en",
    )
    assert [f.evidence["source_name"] for f in run("name_mismatch", ctx)] == ["Hispaania"]


def test_reordered_acronyms_and_romanisation_variants_match() -> None:
    ctx = make_ctx(
        ["Acuzațiile UE și ale URSS au fost respinse de Mihhail."],
        ["The accusations of the EU and the USSR were rejected by Mikhail."],
        src_lang="ro",
        tgt_lang="en",
    )
    assert run("name_mismatch", ctx) == []


def test_a_word_mostly_lowercase_is_not_a_name_at_sentence_start() -> None:
    # "La" once capitalised mid-sentence (a quoted title) and often in lowercase is a word
    lines = [f"La începutul anului {1900 + k} orașul a ajuns la mare." for k in range(3)]
    lines.append("Poetul a scris volumul Rutenii, La ușa cortului, în tinerețe.")
    ctx = make_ctx(
        lines,
        [f"At the start of {1900 + k} the town reached the sea." for k in range(3)]
        + ["The poet wrote the volume Rutenii, At the Tent Door, in his youth."],
        src_lang="ro",
        tgt_lang="en",
    )
    assert run("name_mismatch", ctx) == []


def test_capitalised_ordinary_words_in_titles_are_not_names() -> None:
    # words beyond the 6,000 most frequent (the generated en_common_more.txt list)
    cands = xl.name_candidates(
        "He joined the Worshipful Company of Plumbers and wrote for the Brotherhood of Kanewski.",
        "en",
    )
    assert [c.text for c in cands] == ["Worshipful", "Kanewski"]
    assert xl.common_english("plumbers") and xl.common_english("realm")
    assert not xl.common_english("kennedy") and not xl.common_english("berlin")


def test_name_candidates_skip_common_words() -> None:
    cands = xl.name_candidates(
        "Yesterday the American President met Nelson. You MUST read the CIA's report on Friday.",
        "en",
    )
    assert [c.text for c in cands] == ["Nelson", "CIA"]
    # German capitalises nouns: only acronyms and codes count
    assert [c.text for c in xl.name_candidates("Der Bericht der NASA kam am Freitag.", "de")] == [
        "NASA"
    ]


def test_cjk_targets_only_check_codes() -> None:
    ctx = make_ctx(
        ["Musk's KDE4 daemon was merged."],
        ["马斯克的KDE 4守护进程已合并。"],
        tgt_lang="zh",
    )
    assert run("name_mismatch", ctx) == []
    ctx = make_ctx(["Musk's KDE4 daemon was merged."], ["马斯克的守护进程已合并。"], tgt_lang="zh")
    assert [f.evidence["source_name"] for f in run("name_mismatch", ctx)] == ["KDE4"]


@pytest.mark.parametrize(
    ("name", "token", "expected"),
    [
        ("Musk", "Маска", True),
        ("Zelensky", "Зеленський", True),
        ("Nelson", "Нельсон", True),
        ("Putin", "Putins", True),
        ("Kirienko", "Кірієнко", True),
        ("Parsons", "Parsonovým", True),
        ("Nelson", "Peskov", False),
        ("Brendle", "Brandle", False),
    ],
)
def test_names_match(name: str, token: str, expected: bool) -> None:
    assert xl.names_match(name, token) is expected


# --------------------------------------------------------------------------------------------
# config
# --------------------------------------------------------------------------------------------


def test_config_overrides_severity_and_params() -> None:
    checks = {
        c.code: c
        for c in build_checks(
            {
                "number_mismatch": {"severity": "minor", "magnitude_ratio": 100},
                "omission": {"comparable_severity": "minor", "z_length": 5},
                "name_mismatch": {"enabled": False},
            }
        )
    }
    assert "name_mismatch" not in checks
    nm = checks["number_mismatch"]
    assert nm.severity == "minor" and nm.p["magnitude_ratio"] == 100
    ctx = make_ctx(["It cost $44 million."], ["Es kostete 4,4 Mio. Dollar."])
    (f,) = nm.run(ctx)
    assert f.severity == "minor"  # below the magnitude ratio: the configured severity
    assert checks["omission"].p["z_length"] == 5


@pytest.mark.parametrize("code", CODES)
def test_unknown_parameter_is_an_input_error(code: str) -> None:
    with pytest.raises(InputError):
        build_checks({code: {"no_such_param": 1}})


@pytest.mark.parametrize(
    ("code", "params"),
    [
        ("omission", {"comparable_severity": "huge"}),
        ("number_mismatch", {"magnitude_ratio": "ten"}),
        ("name_mismatch", {"check_cjk_targets": "some"}),
        ("name_mismatch", {"place_names": "yes"}),
        ("untranslated", {"severity": "fatal"}),
    ],
)
def test_bad_parameter_values_are_input_errors(code: str, params: dict) -> None:
    with pytest.raises(InputError):
        build_checks({code: params})


def test_all_checks_on_a_document_keep_spans_inside(fake_lid: dict) -> None:
    tgt = list(DOC_TGT)
    tgt[6] = "Der Sprecher behauptete es."
    tgt[0] = "Der NASA-Chef äußerte 2021 Besorgnis über die Kontakte mit Maск."
    ctx = make_ctx(DOC_SRC, tgt, embed=True, src_furniture=[9], tgt_furniture=[9])
    for code in CODES:
        run(code, ctx)


def test_empty_and_unlinked_documents() -> None:
    ctx = make_ctx(["Hello there, friend."], ["Hallo, Freund."], links=[])
    assert [f.code for f in run("omission", ctx)] == ["omission"]
    assert [f.code for f in run("addition", ctx)] == ["addition"]
    for code in ("number_mismatch", "name_mismatch", "untranslated"):
        assert run(code, ctx) == []
    empty = CheckContext(make_side("en", []), make_side("de", []), [], "translation")
    for code in CODES:
        assert list(REGISTRY[code]().run(empty)) == []
    assert np.isfinite(length_prior("en", "xx")[1])
