"""Table definitions (SQLAlchemy Core). The Alembic migrations must create exactly these."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC on every database, SQLite included."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("parceldesk stores timezone-aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

shipments = Table(
    "shipments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("waybill", String(20), nullable=False, unique=True),
    Column("carrier", String(8), nullable=False),
    Column("service_level", String(16), nullable=False),
    Column("status", String(20), nullable=False),
    Column("sender_name", String(100), nullable=False),
    Column("sender_phone", String(20), nullable=False, index=True),
    Column("recipient_name", String(100), nullable=False),
    Column("recipient_phone", String(20), nullable=False, index=True),
    Column("origin", JSON, nullable=False),
    Column("destination", JSON, nullable=False),
    Column("weight_grams", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("fee_minor", Integer, nullable=False),
    Column("declared_value_minor", Integer),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expected_delivery", Date, nullable=False),
    Column("delivered_at", UtcDateTime),
    Column("appointment_date", Date),
    Column("appointment_window", String(11)),
    Column("hold_until", Date),
    Column("address_changes", Integer, nullable=False, default=0),
    Column("reschedules", Integer, nullable=False, default=0),
    Column("scans", JSON, nullable=False),
    Column("version", Integer, nullable=False),
)

audit_records = Table(
    "audit_records",
    metadata,
    Column("seq", Integer, primary_key=True),
    Column("id", String(32), nullable=False, unique=True),
    Column("at", UtcDateTime, nullable=False),
    Column("action", String(40), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("actor", String(80), nullable=False),
    Column("role", String(40)),
    Column("channel", String(40), nullable=False),
    Column("waybill", String(20), index=True),
    Column("before", JSON),
    Column("after", JSON),
    Column("fee_minor", Integer),
    Column("currency", String(3)),
    Column("idempotency_key", String(128)),
    Column("reference", String(40)),
    Column("details", JSON, nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("action", String(40), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("result", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

verification_attempts = Table(
    "verification_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("waybill", String(20), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("method", String(20), nullable=False),
    Column("success", Boolean, nullable=False),
    Index("ix_verification_attempts_waybill_at", "waybill", "at"),
)

shipment_locks = Table(
    "shipment_locks",
    metadata,
    Column("waybill", String(20), primary_key=True),
    Column("locked_until", UtcDateTime, nullable=False),
)

verification_grants = Table(
    "verification_grants",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("waybill", String(20), nullable=False),
    Column("roles", String(40), nullable=False),
    Column("channel", String(40), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

one_time_codes = Table(
    "one_time_codes",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("waybill", String(20), nullable=False, index=True),
    Column("role", String(20), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("channel", String(40), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used", Boolean, nullable=False, default=False),
)

claims = Table(
    "claims",
    metadata,
    Column("reference", String(20), primary_key=True),
    Column("waybill", String(20), nullable=False, index=True),
    Column("kind", String(10), nullable=False),
    Column("claimant", String(20), nullable=False),
    Column("description", Text, nullable=False),
    Column("amount_claimed_minor", Integer),
    Column("cap_minor", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("filed_at", UtcDateTime, nullable=False),
    Column("status", String(20), nullable=False),
)

pickups = Table(
    "pickups",
    metadata,
    Column("reference", String(20), primary_key=True),
    Column("contact_name", String(100), nullable=False),
    Column("contact_phone", String(20), nullable=False, index=True),
    Column("address", JSON, nullable=False),
    Column("day", Date, nullable=False),
    Column("window", String(11), nullable=False),
    Column("weight_grams", Integer, nullable=False),
    Column("items", Text, nullable=False),
    Column("fee_minor", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("booked_at", UtcDateTime, nullable=False),
    Column("status", String(20), nullable=False),
)

complaints = Table(
    "complaints",
    metadata,
    Column("reference", String(20), primary_key=True),
    Column("waybill", String(20), index=True),
    Column("category", String(40), nullable=False),
    Column("severity", Integer, nullable=False),
    Column("description", Text, nullable=False),
    Column("contact_phone", String(20)),
    Column("filed_at", UtcDateTime, nullable=False),
    Column("status", String(20), nullable=False),
)

outbox_messages = Table(
    "outbox_messages",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("channel", String(10), nullable=False),
    Column("to_phone", String(20), nullable=False, index=True),
    Column("body", Text, nullable=False),
    Column("sent_at", UtcDateTime),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("token_hash", String(64), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("language", String(5), nullable=False),
    Column("caller_phone", String(20), index=True),
    Column("created_at", UtcDateTime, nullable=False, index=True),  # reports read by period
    Column("updated_at", UtcDateTime, nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("handed_off", Boolean, nullable=False, index=True),  # the queue reads these
    Column("waybill", String(32), index=True),  # the parcel the conversation is about, lately
    Column("agent_id", String(32), index=True),  # the agent who has it now, if any
)

conversation_events = Table(
    "conversation_events",
    metadata,
    Column("conversation_id", String(32), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("type", String(40), nullable=False),
    Column("data", JSON, nullable=False),
)

conversation_turns = Table(
    "conversation_turns",
    metadata,
    Column("conversation_id", String(32), primary_key=True),
    Column("client_message_id", String(64), primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("result", JSON, nullable=False),
)

agents = Table(
    "agents",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("username", String(32), nullable=False, unique=True),
    Column("display_name", String(80), nullable=False),
    Column("role", String(12), nullable=False),
    Column("languages", String(40), nullable=False),
    Column("skills", String(80), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_until", UtcDateTime),
    Column("status", String(12), nullable=False, server_default="away"),
    Column("status_since", UtcDateTime),
)

agent_sessions = Table(
    "agent_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("agent_id", String(32), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)
