"""Closing a conversation well, the way the AI resolution rate is measured: after the bot answers
a question it asks "did that answer your question?" (a yes is the customer confirming it was
answered), and once the customer is done it asks the one-question satisfaction survey, a rating
from 1 (poor) to 5 (excellent), once a conversation. Either question is answered only by the next
message; anything else is handled as usual. The words are data (``data/survey.yaml``)."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import yaml

from parceldesk.conversation import events as e
from parceldesk.conversation.nlu.understand import Understanding
from parceldesk.conversation.responses import quick_reply_texts
from parceldesk.conversation.state import ConversationState
from parceldesk.conversation.utterances import confirmation, contains_word

# what the customer may be doing when they answer "did that answer your question?"
ANSWERING_INTENTS = frozenset({"affirm", "deny", "thanks", "greet", "out_of_scope"})
MAX_PHRASE_ANSWER = 30  # characters: a longer message is a new request, not an answer
STARS = re.compile(r"^[\s★⭐✨]+$")


class Closing:
    """The closing questions; mixed into ``Conversation``, which provides the declared parts."""

    state: ConversationState
    survey: bool  # whether this installation asks the satisfaction survey

    def _emit(self, event: e.Event) -> None:
        raise NotImplementedError

    def _say(self, key: str, **values: object) -> None:
        raise NotImplementedError

    def _check_answered(self) -> None:
        """After an answer that ends a question (a status, an FAQ), ask whether it did; not
        in the middle of another task the customer will go back to."""
        if self.state.task is None and not self.state.suspended and not self.state.handed_off:
            self._emit(e.Asked("answered"))
            self._say("ask_answered")

    def _invite_survey(self, key: str) -> None:
        """Say ``key``; with the survey on and not yet asked, its variant that asks for a rating."""
        if self.survey and not self.state.surveyed and self.state.turns > 1:
            self._emit(e.Asked("survey"))
            self._say(f"{key}_survey")
        else:
            self._say(key)

    def _closing_answer(self, u: Understanding) -> bool:
        """Take the message as the answer to the closing question just asked; False when it is
        not one (the message is then handled as any other)."""
        question = self.state.open_closing_question
        if question == "survey":
            score = survey_score(u.text)
            if score is None:
                return False
            self._emit(e.SurveyAnswered(score))
            self._say("survey_thanks")
            return True
        if question != "answered":
            return False
        answer = _answered_button(u.text, self.state.language) or _answered_phrase(u)
        if answer is None and u.intent == "goodbye":  # "ok, bye" is a yes; "no, bye" a goodbye
            answer = "yes" if confirmation(u.text) == "yes" else None
        elif answer is None and u.intent in ANSWERING_INTENTS:
            answer = confirmation(u.text)
            if answer is None and u.intent in {"affirm", "thanks"}:
                answer = "yes"
            elif answer is None and u.intent == "deny":
                answer = "no"
        if answer is None:
            return False
        self._emit(e.AnswerFeedback(answer == "yes"))
        if answer == "yes":
            self._invite_survey("answer_helped")
        else:
            self._say("answer_not_helped")
        return True


def _answered_button(text: str, language: str) -> str | None:
    """ "yes" or "no" when ``text`` is one of the buttons offered with the question."""
    buttons = quick_reply_texts(language)["answered"]
    return {buttons[0]: "yes", buttons[1]: "no"}.get(text.strip())


def _answered_phrase(u: Understanding) -> str | None:
    """ "yes" or "no" when a short message without a parcel number says so in other words."""
    if len(u.text) > MAX_PHRASE_ANSWER or u.slot("waybill"):
        return None
    text = u.text.lower()
    for answer in ("no", "yes"):
        if any(contains_word(text, phrase) for phrase in _answer_phrases()[answer]):
            return answer
    return None


@cache
def _survey_data() -> dict[str, Any]:
    path = resources.files("parceldesk.conversation").joinpath("data/survey.yaml")
    data: dict[str, Any] = yaml.load(path.read_text("utf-8"), Loader=yaml.BaseLoader)
    return data


@cache
def _answer_phrases() -> dict[str, tuple[str, ...]]:
    answered = _survey_data()["answered"].items()
    return {key: tuple(str(p).lower() for p in phrases) for key, phrases in answered}


@cache
def _survey_words() -> tuple[dict[str, int], re.Pattern[str]]:
    data = _survey_data()
    numbers = {str(k).lower(): int(v) for k, v in data["numbers"].items()}
    words = sorted({str(w).lower() for group in data["around"].values() for w in group}, key=len)
    latin = [re.escape(w) for w in reversed(words) if not re.search(r"[\u4e00-\u9fff]", w)]
    chinese = [re.escape(w) for w in reversed(words) if re.search(r"[\u4e00-\u9fff]", w)]
    around = re.compile(
        rf"(?<![\w'])(?:{'|'.join(latin)})(?![\w'])|{'|'.join(chinese)}", re.IGNORECASE
    )
    return numbers, around


def survey_score(text: str) -> int | None:
    """The rating in a message that is only a rating ("5", "4分", "five stars", "lima", "★★★★"),
    else None."""
    if STARS.match(text) and 1 <= (count := sum(c in "★⭐✨" for c in text)) <= 5:
        return count
    numbers, around = _survey_words()
    rest = around.sub(" ", re.sub(r"\s*/\s*5\b", " ", text.lower()))
    rest = re.sub(r"[\s.,!?;:()\"'，。！？、~～]+", "", rest)
    if re.fullmatch(r"[1-5]", rest):
        return int(rest)
    return numbers.get(rest)
