"""cluster counts advance by delta: exact Goldstein sum, (cluster_id, outlet) index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 15:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("event_clusters", sa.Column("sum_goldstein", sa.Float(), nullable=False, server_default="0",
                                              comment="exact sum, so counts advance by delta"))
    # Existing clusters: the exact sum from their reports.
    op.execute("UPDATE event_clusters SET sum_goldstein = coalesce((SELECT sum(e.goldstein) FROM events e "
               "WHERE e.cluster_id = event_clusters.cluster_id), mean_goldstein * num_events)")
    # Probed per batch: does this cluster already have a report from this outlet?
    op.create_index("ix_events_cluster_outlet", "events", ["cluster_id", "outlet"])
    op.drop_index("ix_events_cluster", table_name="events")


def downgrade() -> None:
    op.create_index("ix_events_cluster", "events", ["cluster_id"])
    op.drop_index("ix_events_cluster_outlet", table_name="events")
    with op.batch_alter_table("event_clusters") as batch:
        batch.drop_column("sum_goldstein")
