"""The chat API, versioned under ``/api/v1``. Only the resume token's holder sees a conversation."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from parceldesk.conversation.chat import ChatService
from parceldesk.conversation.desk import MAX_MESSAGE_CHARS
from parceldesk.web.limits import RateLimiter
from parceldesk.web.turns import TurnGate

Language = Literal["zh", "en", "id"]
Channel = Literal["web", "api", "sms"]


class StartConversation(BaseModel):
    channel: Channel = "api"
    language: Language | None = Field(None, description="The customer's language, if known.")
    caller_phone: str | None = Field(None, max_length=32, description="E.164 or national form.")


class ConversationStartedPublic(BaseModel):
    id: str
    token: str = Field(description="The resume token: send it as `Authorization: Bearer …`.")
    language: str
    replies: list[str]
    quick_replies: list[str]


class PostMessage(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    client_message_id: str = Field(
        min_length=1, max_length=64, description="Unique per message; a resend is answered once."
    )


class TurnPublic(BaseModel):
    message_id: str
    replies: list[str]
    intent: str | None
    language: str
    handed_off: bool = Field(description="A human has taken over; the bot stays silent.")
    quick_replies: list[str] = Field(description="Suggested answers to offer as buttons.")
    replayed: bool = Field(description="This message was seen before; the stored answer.")


class TranscriptEntryPublic(BaseModel):
    seq: int
    sender: Literal["customer", "bot", "agent"]
    text: str
    at: str


class TranscriptPublic(BaseModel):
    id: str
    language: str
    handed_off: bool
    messages: list[TranscriptEntryPublic]


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorPublic(BaseModel):
    error: ErrorDetail


ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorPublic} for status in (401, 404, 409, 413, 422, 429)
}


def bearer_token(authorization: Annotated[str | None, Header()] = None) -> str | None:
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip() or None
    return None


Token = Annotated[str | None, Depends(bearer_token)]


def build_api(chat: ChatService, starts: RateLimiter, gate: TurnGate) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["conversations"], responses=ERRORS)

    @router.post("/conversations", status_code=201, response_model=ConversationStartedPublic)
    async def start_conversation(
        body: StartConversation, request: Request
    ) -> ConversationStartedPublic:
        """Start a conversation; the bot's greeting comes back with the id and resume token."""
        starts.check(request.client.host if request.client else "?", "new conversations")
        started = await gate.run(chat.start, body.channel, body.language, body.caller_phone)
        return ConversationStartedPublic(
            id=started.id, token=started.token, language=started.language,
            replies=list(started.replies), quick_replies=list(started.quick_replies),
        )  # fmt: skip

    @router.post("/conversations/{conversation_id}/messages", response_model=TurnPublic)
    async def post_message(
        conversation_id: str, body: PostMessage, token: Token, request: Request
    ) -> TurnPublic:
        """Send one customer message; the answer is stored before it is returned."""
        address = request.client.host if request.client else "?"
        turn = await gate.take_turn(
            address, conversation_id, token, body.text, body.client_message_id
        )
        return TurnPublic(**turn.to_json(), replayed=turn.replayed)

    @router.get("/conversations/{conversation_id}", response_model=TranscriptPublic)
    async def get_transcript(conversation_id: str, token: Token) -> TranscriptPublic:
        """The transcript: the customer's and the bot's messages, oldest first."""
        record = await run_in_threadpool(chat.check_access, conversation_id, token)
        entries = await run_in_threadpool(chat.transcript, conversation_id, token)
        return TranscriptPublic(
            id=record.id, language=record.language, handed_off=record.handed_off,
            messages=[TranscriptEntryPublic(**vars(x)) for x in entries],
        )  # fmt: skip

    return router
