"""Shared fixtures: a real Tansu broker, SQLite and PostgreSQL databases, the shared corpus."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
PG_ADMIN_URL = os.environ.get("COMMUNIQUE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared material beside the repository (corpus, fixtures)."""
    if not SHARED.is_dir():
        pytest.skip(f"shared material not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def broker() -> Iterator[str]:
    """A Tansu broker for the whole test session; yields bootstrap servers."""
    from communique.runtime.broker import EmbeddedBroker

    b = EmbeddedBroker().start()
    try:
        yield b.bootstrap_servers
    finally:
        b.stop()


@pytest.fixture
def topic_prefix() -> str:
    """A unique prefix so tests never share topics or consumer groups."""
    return f"t{uuid.uuid4().hex[:10]}"


def _pg_available() -> bool:
    try:
        import sqlalchemy as sa

        engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """Admin URL of a reachable PostgreSQL; skipped locally if absent, an error in CI."""
    if not _pg_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but not reachable at {PG_ADMIN_URL}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}")
    return PG_ADMIN_URL


def make_pg_database(admin_url: str) -> tuple[str, str]:
    """Create a throw-away database; returns (its URL, its name)."""
    import sqlalchemy as sa

    name = f"communique_test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}", name


def drop_pg_database(admin_url: str, name: str) -> None:
    """Drop a throw-away database, disconnecting its sessions."""
    import sqlalchemy as sa

    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: SQLite always, PostgreSQL when reachable (required in CI)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    admin = request.getfixturevalue("postgres_server")
    url, name = make_pg_database(admin)
    try:
        yield url
    finally:
        drop_pg_database(admin, name)
