"""Durable feed state: validators, body hashes and the articles already published."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker


class StateBase(DeclarativeBase):
    """Tables of the ingest service."""


class FeedStateRow(StateBase):
    """What the last poll of a feed learned."""

    __tablename__ = "ingest_feed_state"

    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    body_hash: Mapped[str | None] = mapped_column(String(64))
    last_polled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_outcome: Mapped[str | None] = mapped_column(String(32))
    failures: Mapped[int] = mapped_column(Integer, default=0)


class SeenRow(StateBase):
    """An article already acknowledged by Kafka."""

    __tablename__ = "ingest_seen"

    article_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    canonical_url: Mapped[str] = mapped_column(Text)
    feed_url: Mapped[str] = mapped_column(Text)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StateStore:
    """Reads and writes feed state in one database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def feed(self, url: str) -> FeedStateRow | None:
        """State of one feed."""
        with self._sessions() as s:
            return s.get(FeedStateRow, url)

    def unseen(self, ids: list[str]) -> set[str]:
        """The ids among ``ids`` not yet published."""
        if not ids:
            return set()
        with self._sessions() as s:
            seen = set(s.scalars(select(SeenRow.article_id).where(SeenRow.article_id.in_(ids))))
        return set(ids) - seen

    def record_poll(self, url: str, *, outcome: str, etag: str | None = None, last_modified: str | None = None,
                    body_hash: str | None = None, published: list[tuple[str, str]] | None = None) -> None:
        """Store a poll's outcome and mark published articles seen, in one transaction."""
        now = datetime.now(UTC)
        with self._sessions.begin() as s:
            row = s.get(FeedStateRow, url) or FeedStateRow(url=url, failures=0)
            row.last_polled_at = now
            row.last_outcome = outcome
            if outcome in ("ok", "not_modified", "unchanged"):
                row.failures = 0
                if etag is not None or last_modified is not None or body_hash is not None:
                    row.etag, row.last_modified, row.body_hash = etag, last_modified, body_hash
            else:
                row.failures = (row.failures or 0) + 1
            s.merge(row)
            for article_id, canonical in published or []:
                s.merge(SeenRow(article_id=article_id, canonical_url=canonical, feed_url=url, seen_at=now))
