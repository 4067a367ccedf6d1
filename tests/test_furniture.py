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
