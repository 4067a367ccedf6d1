"""Stage 2b (page furniture): generic rules, on text written for these tests."""

from __future__ import annotations

import pytest

from mtaudit.furniture import detect_furniture


def _lines(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.strip():
            spans.append((pos, pos + len(body)))
        pos += len(line)
    return spans


def _rules(text: str) -> list[str | None]:
    spans = _lines(text)
    return [h.rule if h else None for h in detect_furniture(text, spans)]


def test_page_residue_around_an_article():
    text = (
        "Menu\nSearch\nEN | DE | FR\n"
        "Storm floods coastal towns as rivers burst their banks\n"
        "Reuters\n"
        "Heavy rain caused the river to burst its banks on Monday.\n"
        "Officials said 200 people were evacuated.\n"
        "Storm floods coastal towns as rivers burst their banks Photo: Anna Berg (\n"
        "Read more\n"
        "This article has been updated to include the mayor's comments.\n"
        "Additional reporting by Tom Lee; editing by Sara Kim.\n"
        "Maria Lopez and Ken Ito contributed to this report.\n"
        "© 2024 Example News. All rights reserved.\n"
    )
    assert _rules(text) == [
        "ui_text",
        "ui_text",
        "language_switcher",
        None,
        "byline",
        None,
        None,
        "caption",
        "ui_text",
        "update_notice",
        "credit",
        "credit",
        "copyright",
    ]


@pytest.mark.parametrize(
    "line",
    [
        "ua en ru",
        "English Русский Українська",
        "Закрити",
        "Share",
        "Читати також",
        "By Jane Doe and John Roe, Reuters",
        "Updated 10:33 AM EDT, Fri October 25, 2024",
        "Статтю оновлено о 12:40",
    ],
)
def test_single_furniture_lines(line):
    text = f"{line}\nThe minister said the talks would resume next week.\n"
    rules = _rules(text)
    assert rules[0] is not None, line
    assert rules[1] is None


@pytest.mark.parametrize(
    "line",
    [
        "Are the two leaders in contact?",
        "The committee will close the inquiry next month.",
        "Photo albums from the war were shown at the museum for the first time.",
        "More than 40 people attended the meeting in Kyiv.",
        "Nelson said the agency would read the report carefully.",
    ],
)
def test_content_is_left_alone(line):
    text = f"A headline about the story in question\n{line}\nAnother ordinary sentence here.\n"
    assert _rules(text) == [None, None, None]


def _reference_repeated_title(lines: list[str]) -> list[str | None]:
    """The repeated-title rule written as the plain scan over every earlier line."""
    import re

    sent_end = re.compile(r"[.!?…。！？]['\"”’»)]*$")
    earlier: list[str] = []
    out: list[str | None] = []
    for s in lines:
        hit = None
        if not sent_end.search(s):
            for title in earlier:
                if (
                    len(title.split()) >= 4
                    and len(s) > len(title)
                    and s.startswith(title)
                    and len(s[len(title) :].strip().split()) <= 12
                ):
                    hit = title
                    break
        if hit is None:
            earlier.append(s)
        out.append(hit)
    return out


def test_repeated_title_lookup_matches_the_plain_scan():
    """The indexed title lookup gives what comparing with every earlier line gives: the earliest
    earlier title a line starts with (shared prefixes of several lengths, duplicates, overlong
    remainders, lines ending a sentence)."""
    import random

    rng = random.Random(7)
    words = ["Court", "rules", "on", "river", "dam", "plan", "Photo", "city", "vote", "delay"]
    titles = [" ".join(rng.choice(words) for _ in range(rng.randint(3, 7))) for _ in range(40)]
    lines: list[str] = []
    for _ in range(400):
        t = rng.choice(titles)
        r = rng.random()
        if r < 0.4:
            lines.append(t)
        elif r < 0.8:
            tail = " ".join(rng.choice(words) for _ in range(rng.randint(1, 15)))
            lines.append(f"{t} {tail}")
        else:
            lines.append(f"{t} {rng.choice(words)}.")
    text = "\n".join(lines) + "\n"
    spans, pos = [], 0
    for line in lines:
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    got = [
        h.matched if h is not None and h.rule == "repeated_title" else None
        for h in detect_furniture(text, spans, "en")
    ]
    want = _reference_repeated_title(lines)
    other = {
        i
        for i, h in enumerate(detect_furniture(text, spans, "en"))
        if h and h.rule != "repeated_title"
    }
    assert not other  # only the title rule can fire on these lines
    assert got == want
    assert sum(x is not None for x in want) > 50
