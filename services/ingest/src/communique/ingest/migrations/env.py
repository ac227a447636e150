"""Alembic environment of the ingest state; its own version table so it can share a database with the store."""

from __future__ import annotations

from alembic import context

from communique.ingest.adapters.state import StateBase
from communique.runtime.db import make_engine

VERSION_TABLE = "alembic_version_ingest"
config = context.config
target_metadata = StateBase.metadata


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          version_table=VERSION_TABLE)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
