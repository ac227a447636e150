"""covering indexes for the actor filter and the statistics

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 15:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# (old name, old columns, new name, new columns): the new ones start with the same columns, so
# they serve the same filters and orders, and also hold what timelines and statistics
# aggregate (cluster, Goldstein, the other actor), so those read the index alone.
CHANGES = [
    ("ix_events_date", ["date", "event_id"], "ix_events_date_cover",
     ["date", "event_id", "source_code", "target_code", "cluster_id", "goldstein"]),
    ("ix_events_source_date", ["source_code", "date"], "ix_events_source_cover",
     ["source_code", "date", "cluster_id", "goldstein"]),
    ("ix_events_target_date", ["target_code", "date"], "ix_events_target_cover",
     ["target_code", "date", "source_code", "cluster_id", "goldstein"]),
]


def upgrade() -> None:
    for old, _, new, columns in CHANGES:
        op.create_index(new, "events", columns)
        op.drop_index(old, table_name="events")


def downgrade() -> None:
    for old, columns, new, _ in CHANGES:
        op.create_index(old, "events", columns)
        op.drop_index(new, table_name="events")
