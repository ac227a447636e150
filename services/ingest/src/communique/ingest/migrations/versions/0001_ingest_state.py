"""Ingest state: feeds, fetch log, published items.

Revision ID: ingest0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ingest0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingest_feeds",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text), sa.Column("language", sa.String(16)), sa.Column("country", sa.String(8)),
        sa.Column("tags", sa.JSON, nullable=False), sa.Column("interval_override", sa.Float),
        sa.Column("origin", sa.String(16), nullable=False), sa.Column("paused", sa.Boolean, nullable=False),
        sa.Column("etag", sa.Text), sa.Column("last_modified", sa.Text), sa.Column("body_hash", sa.String(64)),
        sa.Column("interval", sa.Float, nullable=False), sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("dead", sa.Boolean, nullable=False), sa.Column("next_poll_at", sa.Float, nullable=False),
        sa.Column("last_polled_at", sa.Float), sa.Column("last_outcome", sa.String(32)),
        sa.Column("last_error", sa.Text), sa.Column("articles_total", sa.Integer, nullable=False),
        sa.Column("lease_owner", sa.String(64)), sa.Column("lease_until", sa.Float),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_ingest_feeds_next_poll_at", "ingest_feeds", ["next_poll_at"])
    op.create_table(
        "ingest_fetches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("feed_id", sa.String(16), nullable=False), sa.Column("at", sa.Float, nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False), sa.Column("status", sa.Integer),
        sa.Column("new", sa.Integer, nullable=False), sa.Column("duplicates", sa.Integer, nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=False), sa.Column("error", sa.Text),
    )
    op.create_index("ix_ingest_fetches_feed_id", "ingest_fetches", ["feed_id"])
    op.create_table(
        "ingest_items",
        sa.Column("article_id", sa.String(64), primary_key=True),
        sa.Column("canonical_url", sa.Text, nullable=False), sa.Column("feed_ids", sa.JSON, nullable=False),
        sa.Column("guid_key", sa.String(32)), sa.Column("title_key", sa.String(32)),
        sa.Column("seen_at", sa.Float, nullable=False),
    )
    op.create_index("ix_ingest_items_guid_key", "ingest_items", ["guid_key"])
    op.create_index("ix_ingest_items_title_key", "ingest_items", ["title_key"])
    op.create_index("ix_ingest_items_seen_at", "ingest_items", ["seen_at"])


def downgrade() -> None:
    op.drop_table("ingest_items")
    op.drop_table("ingest_fetches")
    op.drop_table("ingest_feeds")
