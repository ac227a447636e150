"""Migrations and idempotent upserts on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select

from communique.runtime.db import make_engine
from communique.store.schema import ArticleRow, EventRow
from communique.store.storage.db import save_batch, session_factory
from communique.store.storage.migrate import upgrade
from tests.store_helpers import article, event

pytestmark = pytest.mark.integration


def test_migrations_create_the_schema_and_are_rerunnable(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)  # a second run is a no-op
    engine = make_engine(database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"articles", "events", "alembic_version"} <= tables


def test_upserts_are_idempotent(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    batch_articles = [article(1), article(2)]
    batch_events = [event("art1"), event("art1", "KAZ", "CHN", "043"), event("art2", cameo="057")]
    for _ in range(3):  # redelivery of the same batch
        with sessions.begin() as s:
            save_batch(s, batch_articles, batch_events)
    with sessions.begin() as s:  # a later version of an article replaces the earlier one
        save_batch(s, [article(1, title="Updated title")], [event("art1", confidence=0.9)])
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(ArticleRow)) == 2
        assert s.scalar(select(func.count()).select_from(EventRow)) == 3
        assert s.get(ArticleRow, "art1").title == "Updated title"  # type: ignore[union-attr]
        assert s.get(EventRow, event("art1").event_id).confidence == 0.9  # type: ignore[union-attr]
    engine.dispose()


def test_a_batch_with_the_same_key_twice_does_not_conflict(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    with session_factory(engine).begin() as s:
        save_batch(s, [article(1), article(1, title="later")], [event(), event()])
    with session_factory(engine)() as s:
        assert s.get(ArticleRow, "art1").title == "later"  # type: ignore[union-attr]
    engine.dispose()
