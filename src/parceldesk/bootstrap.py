"""The composition root: the only place that wires adapters to ports."""

from __future__ import annotations

import gc
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from fastapi import FastAPI
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from parceldesk.config import Settings, load_settings
from parceldesk.domain.errors import ParceldeskError
from parceldesk.domain.policy import Policy
from parceldesk.footprint.sites import find_sites
from parceldesk.policy_file import load_policy
from parceldesk.services.context import Context, SystemClock
from parceldesk.services.ports import Clock, UnitOfWork
from parceldesk.storage.engine import create_database_engine
from parceldesk.storage.migrate import check_database_current, upgrade_database
from parceldesk.storage.unit_of_work import SqlUnitOfWork
from parceldesk.web.app import create_app

if TYPE_CHECKING:  # the conversation engine imports scikit-learn: only commands that talk load it
    from parceldesk.channels.voice.engines import VoiceEngines
    from parceldesk.conversation.chat import ChatService
    from parceldesk.conversation.ports import ConversationStore, MessageUnderstander


class DatabaseNotReady(ParceldeskError):
    code = "database_not_ready"


class DatabaseUnavailable(ParceldeskError):
    code = "database_unavailable"


@dataclass
class Application:
    settings: Settings
    engine: Engine
    policy: Policy
    context: Context
    _understander: MessageUnderstander | None = None
    _voice: VoiceEngines | Literal[False] | None = None
    models_dir: Path | None = None  # where the language model is kept; default <data dir>/models

    def close(self) -> None:
        self.engine.dispose()

    def understander(self) -> MessageUnderstander:
        """The NLU, trained once into the data directory and loaded from there afterwards
        (imported here, not at the top: scikit-learn takes a second other commands need not pay)."""
        if self._understander is None:
            from parceldesk.conversation.nlu.understand import Understander

            cache = self.models_dir or self.settings.data_dir / "models"
            understander = Understander.load_or_train(self.policy.carriers, cache)
            understander.warm_up(self.context.clock.now().date())  # now, not in a turn
            self._understander = understander
        return self._understander

    def voice_engines(self) -> VoiceEngines | None:
        """The speech engines, made once (None without the voice extra)."""
        if self._voice is None:
            from parceldesk.channels.voice.engines import find_voice_engines

            models = self.models_dir or self.settings.data_dir / "models"
            settings = self.settings
            found = find_voice_engines(
                settings.voice_threads, models, settings.voice_asr_tail_seconds
            )
            self._voice = found or False
        return self._voice or None

    def conversation_store(self) -> ConversationStore:
        from parceldesk.storage.conversations import SqlConversationStore

        return SqlConversationStore(self.engine)

    def chat(self) -> ChatService:
        from parceldesk.conversation.chat import ChatService
        from parceldesk.storage.conversations import SqlConversationStore
        from parceldesk.storage.feeds import RedisFeed
        from parceldesk.web.feeds import InProcessFeed

        url = self.settings.redis_url
        feed = RedisFeed(url) if url else InProcessFeed()
        store = SqlConversationStore(self.engine)
        return ChatService(
            self.context, store, self.understander, feed, survey=self.settings.csat_survey
        )


def load_secret_key(settings: Settings) -> bytes:
    """The configured key, or one generated once into the data directory (mode 0600)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    path: Path = settings.data_dir / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    migrate: bool = False,
    require_current_schema: bool = True,
) -> Application:
    settings = settings or load_settings()
    policy = load_policy(settings.policy_file)
    engine = create_database_engine(settings.resolved_database_url)
    try:
        if migrate:
            upgrade_database(engine)
        elif require_current_schema and not check_database_current(engine):
            engine.dispose()
            raise DatabaseNotReady(
                "the database is not set up or is out of date: run `parceldesk init`"
            )
    except SQLAlchemyError as error:
        engine.dispose()
        where = engine.url.render_as_string(hide_password=True)
        reason = str(error.orig if hasattr(error, "orig") else error).splitlines()[0]
        raise DatabaseUnavailable(f"cannot use the database {where}: {reason}") from None

    def unit_of_work() -> UnitOfWork:
        return SqlUnitOfWork(engine)

    def reading() -> UnitOfWork:
        return SqlUnitOfWork(engine, read_only=True)

    context = Context(
        unit_of_work, policy, clock or SystemClock(), load_secret_key(settings), reading
    )
    return Application(settings, engine, policy, context)


def check_database(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True


def web_app_from_settings() -> FastAPI:
    """The ASGI app of one server worker, wired from the environment (``uvicorn --factory``)."""
    from parceldesk.web.observability import configure_logging

    application = bootstrap()
    configure_logging(application.settings.log_level)
    application.understander()
    return build_served_app(application)


def build_served_app(application: Application) -> FastAPI:
    """The app a server process runs, its long-lived heap set aside from the garbage collector.

    The language model's vocabularies are ~200,000 Python objects that live as long as the
    process. Every full collection walked them all (~90 ms on our 2-core machine), a pause that
    fell on whichever turn was running and set the p99 of ``bench http``. ``gc.freeze`` moves what
    exists now out of the collector's reach; what turns allocate later is collected as before.
    """
    app = build_web_app(application)
    gc.collect()
    gc.freeze()
    return app


def build_web_app(application: Application) -> FastAPI:
    settings = application.settings
    return create_app(
        application.context,
        application.chat(),
        lambda: check_database(application.engine),
        conversations_per_minute=settings.conversations_per_minute,
        messages_per_minute=settings.messages_per_minute,
        embed_origins=" ".join(settings.embed_origins),
        list_sites=lambda: find_sites(settings.sites_dir or settings.data_dir / "sites"),
        voice_engines=application.voice_engines,
        voice_gateway_key=settings.voice_gateway_key,
        turn_threads=settings.turn_threads,
    )
