"""Reading a rating from 1 to 5 out of a message, in every language."""

from __future__ import annotations

import pytest

from parceldesk.conversation.closing import survey_score


@pytest.mark.parametrize(
    ("text", "score"),
    [("5", 5), ("1", 1), ("4分", 4), ("给5分", 5), ("五星", 5), ("打三分吧", 3), ("two", 2),
     ("five stars", 5), ("I'd give it a 4", 4), ("3/5", 3), ("4 out of 5", 4), ("lima", 5),
     ("nilai 3", 3), ("saya kasih 4 bintang", 4), ("★★★★", 4), ("⭐", 1)],
)  # fmt: skip
def test_a_rating_alone_or_with_its_usual_words_is_read(text: str, score: int) -> None:
    assert survey_score(text) == score


@pytest.mark.parametrize(
    "text", ["0", "6", "55", "5 minutes", "一般", "yes", "where is PD1", "★★★★★★", "", "3 4"]
)
def test_anything_else_is_not_a_rating(text: str) -> None:
    assert survey_score(text) is None
