"""Engine creation and idempotent bulk upserts for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from communique.contracts import ArticleV1, EventV1
from communique.runtime.db import make_engine
from communique.store.schema import ArticleRow, Base, EventRow


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def article_row(article: ArticleV1, now: datetime) -> dict[str, Any]:
    """Column values of an article."""
    return {
        "id": article.id, "url": article.url, "canonical_url": article.canonical_url,
        "feed": article.feed, "source_name": article.source_name, "title": article.title,
        "summary": article.summary, "text": article.text, "text_origin": article.text_origin,
        "language": article.language, "country": article.country,
        "published": _utc(article.published), "fetched": _utc(article.fetched),
        "authors": list(article.authors), "tags": list(article.tags), "stored_at": now,
    }


def event_row(ev: EventV1, now: datetime) -> dict[str, Any]:
    """Column values of an event; the full record is kept as JSON too."""
    src, tgt = ev.source, ev.target
    return {
        "event_id": ev.event_id, "article_id": ev.article_id, "date": ev.date,
        "source_code": src.code, "source_kind": src.kind, "source_sector": src.sector,
        "source_actor_name": src.name,
        "target_code": tgt.code if tgt else None, "target_kind": tgt.kind if tgt else None,
        "target_sector": tgt.sector if tgt else None, "target_actor_name": tgt.name if tgt else None,
        "cameo": ev.cameo, "cameo_root": ev.cameo_root, "plover": ev.plover, "plover_mode": ev.plover_mode,
        "quad_class": ev.quad_class, "goldstein": ev.goldstein,
        "location_name": ev.location.name if ev.location else None,
        "location_country": ev.location.country if ev.location else None,
        "language": ev.language, "modality": ev.modality, "confidence": ev.confidence,
        "trigger": ev.evidence.trigger, "sentence": ev.evidence.sentence, "outlet": ev.source_name,
        "record": ev.model_dump(mode="json"), "stored_at": now,
    }


def upsert(session: Session, model: type[Base], rows: Sequence[dict[str, Any]], key: str) -> None:
    """Insert ``rows``, replacing existing rows with the same ``key`` (idempotent)."""
    if not rows:
        return
    # Last write wins within one batch, so a batch never conflicts with itself.
    unique = list({row[key]: row for row in rows}.values())
    table = model.__table__
    assert isinstance(table, Table)
    dialect = session.get_bind().dialect.name
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(table)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table)
    else:  # pragma: no cover - guarded by settings validation
        raise ValueError(f"unsupported database {dialect}")
    updates = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in (key, "stored_at")}
    stmt = stmt.on_conflict_do_update(index_elements=[key], set_=updates)
    # Chunk to stay under SQLite's bound-parameter limit.
    per_row = len(table.columns)
    chunk = max(1, 30000 // per_row)
    for i in range(0, len(unique), chunk):
        session.execute(stmt, unique[i : i + chunk])


def save_batch(session: Session, articles: Sequence[ArticleV1], events: Sequence[EventV1]) -> None:
    """Upsert a batch of articles and events in the caller's transaction."""
    now = datetime.now(UTC)
    upsert(session, ArticleRow, [article_row(a, now) for a in articles], "id")
    upsert(session, EventRow, [event_row(e, now) for e in events], "event_id")


def create_all(engine: Engine) -> None:
    """Create tables directly (tests only; production uses migrations)."""
    Base.metadata.create_all(engine)


__all__ = ["article_row", "create_all", "event_row", "make_engine", "save_batch", "session_factory", "upsert"]
