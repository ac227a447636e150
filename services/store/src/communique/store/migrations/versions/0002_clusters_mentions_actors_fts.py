"""event clusters, mentions, actors, query indexes and full-text search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 12:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# SQLite: external-content FTS5 tables kept in step by triggers.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE events_fts USING fts5(sentence, content='events', content_rowid='rowid')",
    """CREATE TRIGGER events_fts_ai AFTER INSERT ON events BEGIN
         INSERT INTO events_fts(rowid, sentence) VALUES (new.rowid, new.sentence); END""",
    """CREATE TRIGGER events_fts_ad AFTER DELETE ON events BEGIN
         INSERT INTO events_fts(events_fts, rowid, sentence) VALUES ('delete', old.rowid, old.sentence); END""",
    """CREATE TRIGGER events_fts_au AFTER UPDATE OF sentence ON events BEGIN
         INSERT INTO events_fts(events_fts, rowid, sentence) VALUES ('delete', old.rowid, old.sentence);
         INSERT INTO events_fts(rowid, sentence) VALUES (new.rowid, new.sentence); END""",
    "INSERT INTO events_fts(events_fts) VALUES ('rebuild')",
    "CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles', content_rowid='rowid')",
    """CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
         INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text); END""",
    """CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
         INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
       END""",
    """CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, text ON articles BEGIN
         INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
         INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text); END""",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
]
# PostgreSQL: expression GIN indexes; the 'simple' configuration because the corpus is multilingual.
PG_FTS = [
    "CREATE INDEX ix_events_sentence_fts ON events USING gin (to_tsvector('simple', sentence))",
    "CREATE INDEX ix_articles_fts ON articles USING gin "
    "(to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(text, '')))",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("cluster_id", sa.String(32), nullable=False, server_default=""))
        batch.add_column(sa.Column("mention_count", sa.Integer(), nullable=False, server_default="1"))
        batch.create_index("ix_events_cluster", ["cluster_id"])
        batch.create_index("ix_events_outlet_date", ["outlet", "date"])
        batch.create_index("ix_events_goldstein", ["goldstein", "event_id"])
        batch.create_index("ix_events_key_date", ["source_code", "target_code", "cameo_root", "date"])
    with op.batch_alter_table("articles") as batch:
        batch.create_index("ix_articles_fetched_id", ["fetched", "id"])

    op.create_table(
        "mentions",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("ordinal", sa.Integer(), primary_key=True),
        sa.Column("article_id", sa.String(64), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
    )
    op.create_index("ix_mentions_article_id", "mentions", ["article_id"])
    op.create_table(
        "event_clusters",
        sa.Column("cluster_id", sa.String(32), primary_key=True),
        sa.Column("source_code", sa.String(16), nullable=False),
        sa.Column("target_code", sa.String(16), nullable=False, comment="'' when the event has no target"),
        sa.Column("cameo_root", sa.String(2), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=False),
        sa.Column("last_date", sa.Date(), nullable=False),
        sa.Column("num_events", sa.Integer(), nullable=False),
        sa.Column("num_mentions", sa.Integer(), nullable=False),
        sa.Column("num_articles", sa.Integer(), nullable=False),
        sa.Column("num_sources", sa.Integer(), nullable=False),
        sa.Column("mean_goldstein", sa.Float(), nullable=False),
        sa.Column("max_confidence", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_event_clusters_key", "event_clusters", ["source_code", "target_code", "cameo_root", "first_date"])
    op.create_index("ix_event_clusters_first_date", "event_clusters", ["first_date"])
    op.create_table(
        "actors",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("cameo_code", sa.String(32), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    for statement in SQLITE_FTS if dialect == "sqlite" else PG_FTS if dialect == "postgresql" else []:
        op.execute(statement)
    # Events stored before 0002 get their clusters on the next `communique store recluster`.


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("events_fts_ai", "events_fts_ad", "events_fts_au", "articles_fts_ai", "articles_fts_ad",
                     "articles_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS events_fts")
        op.execute("DROP TABLE IF EXISTS articles_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_events_sentence_fts")
        op.execute("DROP INDEX IF EXISTS ix_articles_fts")
    op.drop_table("actors")
    op.drop_table("event_clusters")
    op.drop_table("mentions")
    with op.batch_alter_table("articles") as batch:
        batch.drop_index("ix_articles_fetched_id")
    with op.batch_alter_table("events") as batch:
        batch.drop_index("ix_events_key_date")
        batch.drop_index("ix_events_goldstein")
        batch.drop_index("ix_events_outlet_date")
        batch.drop_index("ix_events_cluster")
        batch.drop_column("mention_count")
        batch.drop_column("cluster_id")
