"""Chat spellings read as words before the intent model sees a message."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from parceldesk.conversation.nlu.spelling import normalise_spelling
from parceldesk.conversation.nlu.training import TextLoader, load_bases


@pytest.mark.parametrize(
    ("text", "read_as"),
    [
        ("paket sy blm nyampe kak", "paket saya belum sampai kak"),
        ("kmrn udh dtg GAK?", "kemarin sudah datang tidak?"),
        ("pls change my addr 2moro", "please change my address tomorrow"),
        ("Thx u r great, dont know", "thanks you are great, don't know"),
        ("啥时候到？咋还没到", "什么时候到？怎么还没到"),
    ],
)
def test_chat_spellings_are_read_as_the_words_they_stand_for(text: str, read_as: str) -> None:
    assert normalise_spelling(text) == read_as


@pytest.mark.parametrize(
    "text",
    [
        "gagal kirim",  # "ga" inside a word
        "5 km from here",
        "plus tax",
        "⟨waybill⟩ ⟨digits⟩",
        "untuk kamu",
        "no, not yet",
    ],
)
def test_words_and_parts_of_words_are_left_alone(text: str) -> None:
    assert normalise_spelling(text) == text


def _table() -> dict[str, dict[str, list[str]]]:
    path = resources.files("parceldesk.conversation").joinpath("data/nlu_spelling.yaml")
    data: dict[str, dict[str, list[str]]] = yaml.load(path.read_text("utf-8"), Loader=TextLoader)
    return data


def test_no_spelling_is_a_word_the_other_languages_write() -> None:
    """A spelling is replaced in every language's messages, so it must not be a word of another
    language's written sentences ("ya" is Indonesian yes: it may not stand for English "you"),
    unless it is listed for ``any`` language ("thx")."""
    words: dict[str, set[str]] = {}
    for example in load_bases():
        for word in example.text.lower().replace(",", " ").replace("?", " ").split():
            words.setdefault(word, set()).add(example.language)
    clashes = {
        (language, spelling, tuple(sorted(words[spelling.lower()] - {language})))
        for language, table in _table().items()
        if language != "any"
        for spellings in table.values()
        for spelling in spellings
        if words.get(spelling.lower(), {language}) - {language}
    }
    assert not clashes


def test_no_spelling_stands_for_a_word_that_is_itself_respelt() -> None:
    spellings = {s.lower() for table in _table().values() for ss in table.values() for s in ss}
    targets = {w.lower() for table in _table().values() for w in table}
    assert not spellings & targets
