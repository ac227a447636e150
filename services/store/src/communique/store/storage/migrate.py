"""Run Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and ``database_url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("communique.store").joinpath("migrations")))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database schema to ``revision``."""
    from communique.store.storage.db import make_engine

    make_engine(database_url).dispose()  # creates the SQLite folder if needed
    command.upgrade(alembic_config(database_url), revision)
