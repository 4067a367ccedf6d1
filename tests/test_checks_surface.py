"""Surface checks: repetition (loops, duplicated sentences) and truncated."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from mtaudit.checks import repetition, truncated
from mtaudit.checks.base import REGISTRY, CheckContext, build_checks
from mtaudit.errors import InputError
from mtaudit.report import Finding, Link, Sentence, Side


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
    src_lang: str = "en",
    tgt_lang: str = "de",
    mode: str = "translation",
    tgt_furniture: Sequence[int] = (),
) -> CheckContext:
    if links is None:
        links = [([k], [k]) for k in range(min(len(src), len(tgt)))]
    return CheckContext(
        source=make_side(src_lang, src),
        target=make_side(tgt_lang, tgt, tgt_furniture),
        links=[Link(list(a), list(b), 0.8) for a, b in links],
        mode=mode,
    )


def run(code: str, ctx: CheckContext, **params: object) -> list[Finding]:
    findings = list(REGISTRY[code](**params).run(ctx))
    for f in findings:
        sent = ctx.side(f.side).sentences[f.sentence]
        assert not sent.furniture
        a, b = f.span
        assert sent.start <= a < b <= sent.end
        assert f.message and f.evidence
        json.dumps(f.to_dict(), allow_nan=False)
    return findings


# --------------------------------------------------------------------------------------------
# repetition
# --------------------------------------------------------------------------------------------


def test_find_loops() -> None:
    toks = ["he", "said", "that"] * 4 + ["it"]
    (lp,) = repetition.find_loops(toks)
    assert (lp.start, lp.n, lp.repeats) == (0, 3, 4)
    assert repetition.find_loops(["a", "b", "c", "d", "e", "f"]) == []


def test_word_loop_is_flagged_with_its_span() -> None:
    ctx = make_ctx(
        ["The minister said the talks will continue next week."],
        ["Der Minister sagte, die Gespräche werden werden werden werden werden fortgesetzt."],
    )
    (f,) = run("repetition", ctx)
    assert f.code == "repetition.loop" and f.severity == "major"
    a, b = f.span
    assert ctx.target.text[a:b] == "werden werden werden werden werden"
    assert f.evidence["repeats"] == 5 and f.evidence["unit"] == "werden"


def test_loop_covering_most_of_the_sentence_is_critical() -> None:
    ctx = make_ctx(
        ["Thank you for the quick reply."],
        ["Vielen Dank für die Antwort die Antwort die Antwort die Antwort die Antwort."],
    )
    (f,) = run("repetition", ctx)
    assert f.severity == "critical" and f.evidence["coverage"] >= 0.5


def test_cjk_loop_by_characters() -> None:
    ctx = make_ctx(
        ["We will discuss it tomorrow."], ["我们明天讨论讨论讨论讨论讨论讨论。"], tgt_lang="zh"
    )
    (f,) = run("repetition", ctx)
    assert f.evidence["unit"] == "讨论"


def test_repetition_mirrored_from_the_source_is_fine() -> None:
    ctx = make_ctx(
        ["No, no, no, no! HAHAHAHA", "Ha ha ha ha, very funny."],
        ["Nein, nein, nein, nein! 哈哈哈哈", "Ha ha ha ha, sehr lustig."],
    )
    assert run("repetition", ctx) == []
    normal = make_ctx(["It is a very good idea."], ["Das ist eine sehr, sehr gute Idee."])
    assert run("repetition", normal) == []


def test_duplicate_target_sentence() -> None:
    src = ["The talks ended on Friday.", "Officials declined to comment on the outcome."]
    tgt = ["Die Gespräche endeten am Freitag.", "Die Gespräche endeten am Freitag."]
    (f,) = run("repetition", make_ctx(src, tgt))
    assert f.code == "repetition.duplicate" and f.sentence == 1 and f.evidence["first"] == 0
    # the source repeats itself too: fine
    assert run("repetition", make_ctx([src[0], src[0]], tgt)) == []
    # the translation doubles a sentence of one link: the source has it once
    doubled = make_ctx(src[:1], tgt, links=[([0], [0, 1])])
    assert [f.sentence for f in run("repetition", doubled)] == [1]
    # short lines ("Ja.") are not worth a finding
    assert run("repetition", make_ctx(["Yes.", "Yes, sure."], ["Ja.", "Ja."])) == []


def test_repetition_skips_furniture() -> None:
    ctx = make_ctx(
        ["Share this story", "Share this story"],
        ["Teilen Sie diese Geschichte jetzt", "Teilen Sie diese Geschichte jetzt"],
        tgt_furniture=[0, 1],
    )
    assert run("repetition", ctx) == []


# --------------------------------------------------------------------------------------------
# truncated
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "ending"),
    [
        ("Die NASA fordert eine Untersuchung. Foto: Bill Nelson (", "open"),
        ("Die NASA fordert eine Untersuchung der Kontakte,", "continuation"),
        ("Die NASA fordert eine Untersuchung der", "function_word"),
    ],
)
def test_truncated_mid_sentence(target: str, ending: str) -> None:
    ctx = make_ctx(["NASA calls for an investigation of the contacts."], [target])
    (f,) = run("truncated", ctx)
    assert f.severity == "major" and f.evidence["target_ending"] == ending
    a, b = f.span
    assert b == len(target.rstrip())


@pytest.mark.parametrize("target", ["Nelson hat gesagt:", "Nelson hat gesagt;", "内尔森说："])
def test_a_colon_or_semicolon_ends_a_segment(target: str) -> None:
    """Translators trade "." for ":" or ";" (the quote or list follows on the next line)."""
    ctx = make_ctx(["Nelson said the following."], [target])
    assert run("truncated", ctx) == []
    assert truncated.ending(target, "de") == "terminal"


def test_missing_final_punctuation_is_minor() -> None:
    ctx = make_ctx(
        ["NASA calls for an investigation of the contacts."],
        ["Die NASA fordert eine Untersuchung der Kontakte"],
    )
    (f,) = run("truncated", ctx)
    assert f.severity == "minor"
    assert run("truncated", ctx, missing_punct_severity=None) == []


def test_truncated_negatives() -> None:
    ok = make_ctx(
        ["NASA calls for an investigation.", "Where are you from?", "Breaking news"],
        ["Die NASA fordert eine Untersuchung.", "Woher kommst du?", "Eilmeldung"],
    )
    assert run("truncated", ok) == []
    # the source is cut too: nothing to blame on the translation
    cut = make_ctx(
        ["At the height of the scandal, a poll showed that,"],
        ["Auf dem Höhepunkt des Skandals zeigte eine Umfrage, dass"],
    )
    assert run("truncated", cut) == []
    # German verbs and particles end clauses
    verb = make_ctx(["I know what that means"], ["Ich weiß, was das bedeutet hat"])
    assert run("truncated", verb) == []


def test_ending() -> None:
    assert truncated.ending("Er sagte: «Nein.»", "de") == "terminal"
    assert truncated.ending("Er sagte (", "de") == "open"
    assert truncated.ending("and the", "en") == "function_word"
    assert truncated.ending("他说，", "zh") == "continuation"
    assert truncated.ending("Eilmeldung", "de") == "bare"


# --------------------------------------------------------------------------------------------
# config
# --------------------------------------------------------------------------------------------


def test_config_overrides() -> None:
    checks = {
        c.code: c
        for c in build_checks(
            {
                "repetition": {"severity": "minor", "min_repeats_word": 6, "duplicates": False},
                "truncated": {"severity": "critical"},
            }
        )
    }
    rep, tr = checks["repetition"], checks["truncated"]
    assert rep.severity == "minor" and rep.p["min_repeats_word"] == 6
    ctx = make_ctx(
        ["The talks will continue."], ["Die Gespräche werden werden werden werden fortgesetzt."]
    )
    assert list(rep.run(ctx)) == []  # 4 repeats < 6
    ctx = make_ctx(["NASA calls for an investigation."], ["Die NASA fordert eine,"])
    assert [f.severity for f in tr.run(ctx)] == ["critical"]


@pytest.mark.parametrize("code", ["repetition", "truncated"])
def test_unknown_parameter(code: str) -> None:
    with pytest.raises(InputError):
        build_checks({code: {"bogus": True}})
    with pytest.raises(InputError):
        build_checks({code: {"severity": "blocker"}})
