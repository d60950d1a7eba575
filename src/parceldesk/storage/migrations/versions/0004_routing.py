"""routing: agents' availability, a conversation's parcel and owning agent

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=12), nullable=False, server_default="away")
        )
        batch_op.add_column(sa.Column("status_since", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waybill", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("agent_id", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_conversations_waybill"), ["waybill"], unique=False)
        batch_op.create_index(batch_op.f("ix_conversations_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_conversations_caller_phone"), ["caller_phone"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversations_caller_phone"))
        batch_op.drop_index(batch_op.f("ix_conversations_agent_id"))
        batch_op.drop_index(batch_op.f("ix_conversations_waybill"))
        batch_op.drop_column("agent_id")
        batch_op.drop_column("waybill")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_column("status_since")
        batch_op.drop_column("status")
