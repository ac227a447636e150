"""Durable ingest state: the feed registry, validators, schedules, leases, fetch log and seen items.

Times are stored as UTC epoch seconds (floats) so that SQLite and PostgreSQL compare them alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import JSON, Boolean, Float, Integer, String, Text, delete, func, or_, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from communique.ingest.domain.dedup import KnownKeys
from communique.ingest.domain.feeds import FeedSpec

FETCH_LOG_KEEP = 30


class StateBase(DeclarativeBase):
    """Tables of the ingest service (all prefixed ``ingest_``; the store may share the database)."""


class FeedRow(StateBase):
    """A registered feed and what its polls learned."""

    __tablename__ = "ingest_feeds"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(8))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    interval_override: Mapped[float | None] = mapped_column(Float)
    origin: Mapped[str] = mapped_column(String(16), default="config")
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    body_hash: Mapped[str | None] = mapped_column(String(64))
    interval: Mapped[float] = mapped_column(Float)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    dead: Mapped[bool] = mapped_column(Boolean, default=False)
    next_poll_at: Mapped[float] = mapped_column(Float, index=True)
    last_polled_at: Mapped[float | None] = mapped_column(Float)
    last_outcome: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    articles_total: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[float] = mapped_column(Float)


class FetchRow(StateBase):
    """One fetch outcome; the newest ``FETCH_LOG_KEEP`` per feed are kept."""

    __tablename__ = "ingest_fetches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    feed_id: Mapped[str] = mapped_column(String(16), index=True)
    at: Mapped[float] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(32))
    status: Mapped[int | None] = mapped_column(Integer)
    new: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class ItemRow(StateBase):
    """An article acknowledged by Kafka, with its de-duplication keys."""

    __tablename__ = "ingest_items"

    article_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    canonical_url: Mapped[str] = mapped_column(Text)
    feed_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    guid_key: Mapped[str | None] = mapped_column(String(32), index=True)
    title_key: Mapped[str | None] = mapped_column(String(32), index=True)
    seen_at: Mapped[float] = mapped_column(Float, index=True)


def feed_id_for(url: str) -> str:
    """Stable id of a feed: the first 16 hex digits of SHA-256 of its URL."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class FeedRecord:
    """A feed as the poller sees it."""

    id: str
    spec: FeedSpec
    paused: bool
    origin: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    interval: float
    failures: int
    dead: bool
    next_poll_at: float
    last_polled_at: float | None
    last_outcome: str | None
    last_error: str | None
    articles_total: int
    lease_owner: str | None


@dataclass(frozen=True)
class FetchLog:
    """One entry of a feed's fetch history."""

    at: float
    outcome: str
    status: int | None
    new: int
    duplicates: int
    duration_ms: int
    error: str | None


@dataclass(frozen=True)
class PublishedItem:
    """An article to mark seen."""

    article_id: str
    canonical_url: str
    feed_ids: tuple[str, ...]
    guid_key: str | None
    title_key: str | None


@dataclass(frozen=True)
class PollRecord:
    """Everything one poll writes, in one transaction."""

    feed_id: str
    owner: str | None
    at: float
    outcome: str
    status: int | None = None
    error: str | None = None
    duration_ms: int = 0
    new: int = 0
    duplicates: int = 0
    interval: float | None = None
    failures: int = 0
    dead: bool = False
    next_poll_at: float | None = None
    validators: tuple[str | None, str | None, str | None] | None = None  # etag, last-modified, body hash
    published: tuple[PublishedItem, ...] = ()
    also_in: dict[str, tuple[str, ...]] = field(default_factory=dict)  # known article id → more feed ids


def _record(row: FeedRow) -> FeedRecord:
    spec = FeedSpec(url=row.url, name=row.name, language=row.language, country=row.country,
                    tags=tuple(row.tags or ()), interval=row.interval_override)
    return FeedRecord(
        id=row.id, spec=spec, paused=row.paused, origin=row.origin, etag=row.etag, last_modified=row.last_modified,
        body_hash=row.body_hash, interval=row.interval, failures=row.failures, dead=row.dead,
        next_poll_at=row.next_poll_at, last_polled_at=row.last_polled_at, last_outcome=row.last_outcome,
        last_error=row.last_error, articles_total=row.articles_total, lease_owner=row.lease_owner,
    )


class StateStore:
    """Reads and writes ingest state in one database (SQLite or PostgreSQL)."""

    def __init__(self, sessions: sessionmaker[Session], default_interval: float = 300.0) -> None:
        self._sessions = sessions
        self.default_interval = default_interval
        bind = sessions.kw.get("bind")
        self.dialect = bind.dialect.name if bind is not None else "sqlite"

    # -- registry -------------------------------------------------------------------------
    def _apply_spec(self, row: FeedRow, spec: FeedSpec) -> None:
        row.name, row.language, row.country = spec.name, spec.language, spec.country
        row.tags, row.interval_override = list(spec.tags), spec.interval

    def upsert_feeds(self, specs: Sequence[FeedSpec], now: float, *, origin: str = "config",
                     prune: bool = False) -> list[FeedRecord]:
        """Add or update feeds. With ``prune``, feeds of ``origin`` not in ``specs`` are deleted."""
        out = []
        with self._sessions.begin() as s:
            existing = {r.url: r for r in s.scalars(select(FeedRow).where(FeedRow.url.in_([x.url for x in specs])))}
            for spec in specs:
                row = existing.get(spec.url)
                if row is None:
                    row = FeedRow(id=feed_id_for(spec.url), url=spec.url, origin=origin, paused=False,
                                  interval=spec.interval or self.default_interval, failures=0, dead=False,
                                  next_poll_at=now, articles_total=0, created_at=now)
                    s.add(row)
                    existing[spec.url] = row
                self._apply_spec(row, spec)
            if prune:
                keep = [x.url for x in specs]
                s.execute(delete(FeedRow).where(FeedRow.origin == origin, FeedRow.url.not_in(keep)))
            s.flush()
            out = [_record(existing[x.url]) for x in specs]
        return out

    def get(self, feed_id: str) -> FeedRecord | None:
        """One feed."""
        with self._sessions() as s:
            row = s.get(FeedRow, feed_id)
            return _record(row) if row else None

    def all_feeds(self) -> list[FeedRecord]:
        """Every feed, by URL."""
        with self._sessions() as s:
            return [_record(r) for r in s.scalars(select(FeedRow).order_by(FeedRow.url))]

    def set_paused(self, feed_id: str, paused: bool, now: float) -> FeedRecord | None:
        """Pause or resume a feed; resuming makes it due now."""
        with self._sessions.begin() as s:
            row = s.get(FeedRow, feed_id)
            if row is None:
                return None
            row.paused = paused
            if not paused:
                row.next_poll_at = min(row.next_poll_at, now)
            return _record(row)

    def delete(self, feed_id: str) -> bool:
        """Remove a feed and its fetch log (its published items stay, for de-duplication)."""
        with self._sessions.begin() as s:
            n = s.execute(delete(FeedRow).where(FeedRow.id == feed_id)).rowcount  # type: ignore[attr-defined]
            s.execute(delete(FetchRow).where(FetchRow.feed_id == feed_id))
        return bool(n)

    def fetches(self, feed_id: str, limit: int = FETCH_LOG_KEEP) -> list[FetchLog]:
        """The newest fetch outcomes of a feed, newest first."""
        with self._sessions() as s:
            rows = s.scalars(select(FetchRow).where(FetchRow.feed_id == feed_id)
                             .order_by(FetchRow.id.desc()).limit(limit))
            return [FetchLog(r.at, r.outcome, r.status, r.new, r.duplicates, r.duration_ms, r.error) for r in rows]

    # -- leases ---------------------------------------------------------------------------
    def claim_due(self, owner: str, now: float, limit: int, lease_seconds: float) -> list[FeedRecord]:
        """Lease up to ``limit`` due, unpaused feeds to ``owner``.

        On PostgreSQL the rows are locked with ``FOR UPDATE SKIP LOCKED`` so that replicas
        claiming at the same moment get disjoint feeds; an expired lease (a dead replica)
        makes its feed claimable again. SQLite serialises writers, which is enough for one replica.
        """
        with self._sessions.begin() as s:
            q = (select(FeedRow)
                 .where(FeedRow.paused.is_(False), FeedRow.next_poll_at <= now,
                        or_(FeedRow.lease_until.is_(None), FeedRow.lease_until < now))
                 .order_by(FeedRow.next_poll_at).limit(limit))
            if self.dialect == "postgresql":
                q = q.with_for_update(skip_locked=True)
            rows = list(s.scalars(q))
            for row in rows:
                row.lease_owner, row.lease_until = owner, now + lease_seconds
            return [_record(r) for r in rows]

    def release(self, feed_ids: Iterable[str], owner: str) -> None:
        """Give up leases (on shutdown) so that another replica may poll the feeds at once."""
        ids = list(feed_ids)
        if not ids:
            return
        with self._sessions.begin() as s:
            s.execute(update(FeedRow).where(FeedRow.id.in_(ids), FeedRow.lease_owner == owner)
                      .values(lease_owner=None, lease_until=None))

    def renew(self, feed_ids: Iterable[str], owner: str, until: float) -> int:
        """Extend ``owner``'s leases on feeds it is still polling; returns how many it still held."""
        ids = list(feed_ids)
        if not ids:
            return 0
        with self._sessions.begin() as s:
            res = s.execute(update(FeedRow).where(FeedRow.id.in_(ids), FeedRow.lease_owner == owner)
                            .values(lease_until=until))
            return int(res.rowcount or 0)  # type: ignore[attr-defined]

    def release_owner(self, owner: str) -> int:
        """Drop every lease held under ``owner``: a restarted replica of that name is not polling them."""
        with self._sessions.begin() as s:
            res = s.execute(update(FeedRow).where(FeedRow.lease_owner == owner)
                            .values(lease_owner=None, lease_until=None))
            return int(res.rowcount or 0)  # type: ignore[attr-defined]

    def next_due_at(self) -> float | None:
        """When the earliest unpaused feed is due."""
        with self._sessions() as s:
            return s.scalar(select(FeedRow.next_poll_at).where(FeedRow.paused.is_(False))
                            .order_by(FeedRow.next_poll_at).limit(1))

    # -- de-duplication -------------------------------------------------------------------
    def known_keys(self, ids: Sequence[str], guids: Sequence[str], titles: Sequence[str]) -> KnownKeys:
        """Which of these keys belong to already-published articles."""
        with self._sessions() as s:
            known_ids = set(s.scalars(select(ItemRow.article_id).where(ItemRow.article_id.in_(ids)))) if ids else set()
            known_guids = set(s.scalars(select(ItemRow.guid_key).where(ItemRow.guid_key.in_(guids)))) \
                if guids else set()
            known_titles: dict[str, datetime] = {}
            if titles:
                for key, at in s.execute(select(ItemRow.title_key, ItemRow.seen_at)
                                         .where(ItemRow.title_key.in_(titles))):
                    if key is None:
                        continue
                    when = datetime.fromtimestamp(at, UTC)
                    if key not in known_titles or when > known_titles[key]:
                        known_titles[key] = when
        return KnownKeys(ids=frozenset(known_ids), guids=frozenset(g for g in known_guids if g),
                         titles=known_titles)

    def item_feeds(self, article_id: str) -> list[str]:
        """Feed ids recorded for a published article."""
        with self._sessions() as s:
            row = s.get(ItemRow, article_id)
            return list(row.feed_ids) if row else []

    # -- recording ------------------------------------------------------------------------
    def record(self, rec: PollRecord) -> None:
        """Store one poll (see ``record_many``)."""
        self.record_many([rec])

    def record_many(self, recs: Sequence[PollRecord]) -> None:
        """Store polls: feed state, schedule, fetch log, published items; release the leases.

        One transaction for the lot (group commit). Called only after Kafka acknowledged the
        polls' articles, so a crash before it means the articles are published again with the
        same ids, never lost. A lease taken over by another replica meanwhile is not overwritten.
        """
        if not recs:
            return
        with self._sessions.begin() as s:
            feeds = {r.id: r for r in s.scalars(select(FeedRow).where(FeedRow.id.in_({x.feed_id for x in recs})))}
            item_ids = {i.article_id for x in recs for i in x.published} | {a for x in recs for a in x.also_in}
            items = {r.article_id: r for r in s.scalars(select(ItemRow).where(ItemRow.article_id.in_(item_ids)))} \
                if item_ids else {}
            for rec in recs:
                row = feeds.get(rec.feed_id)
                if row is None:
                    continue  # deleted while being polled
                if rec.owner is None or row.lease_owner in (None, rec.owner):
                    row.last_polled_at, row.last_outcome, row.last_error = rec.at, rec.outcome, rec.error
                    if rec.interval is not None:
                        row.interval = rec.interval
                    row.failures, row.dead = rec.failures, rec.dead
                    if rec.next_poll_at is not None:
                        row.next_poll_at = rec.next_poll_at
                    if rec.validators is not None:
                        row.etag, row.last_modified, row.body_hash = rec.validators
                    row.articles_total = (row.articles_total or 0) + rec.new
                    row.lease_owner, row.lease_until = None, None
                s.add(FetchRow(feed_id=rec.feed_id, at=rec.at, outcome=rec.outcome, status=rec.status, new=rec.new,
                               duplicates=rec.duplicates, duration_ms=rec.duration_ms,
                               error=(rec.error or "")[:2000] or None))
                for item in rec.published:
                    existing = items.get(item.article_id)
                    if existing is None:
                        items[item.article_id] = ItemRow(
                            article_id=item.article_id, canonical_url=item.canonical_url,
                            feed_ids=list(item.feed_ids), guid_key=item.guid_key, title_key=item.title_key,
                            seen_at=rec.at)
                        s.add(items[item.article_id])
                    elif not set(item.feed_ids) <= set(existing.feed_ids or []):
                        existing.feed_ids = sorted(set(existing.feed_ids or []) | set(item.feed_ids))
                for article_id, more in rec.also_in.items():
                    existing = items.get(article_id)
                    if existing is not None and not set(more) <= set(existing.feed_ids or []):
                        existing.feed_ids = sorted(set(existing.feed_ids or []) | set(more))

    def trim_fetch_log(self, keep: int = FETCH_LOG_KEEP) -> int:
        """Keep only the newest ``keep`` fetch outcomes per feed."""
        ranked = select(FetchRow.id, func.row_number().over(partition_by=FetchRow.feed_id,
                                                           order_by=FetchRow.id.desc()).label("rn")).subquery()
        old = select(ranked.c.id).where(ranked.c.rn > keep)
        with self._sessions.begin() as s:
            return int(s.execute(delete(FetchRow).where(FetchRow.id.in_(old))).rowcount or 0)  # type: ignore[attr-defined]

    def add_item_feeds(self, feeds: dict[str, tuple[str, ...]]) -> None:
        """Record more feeds that listed already-published articles."""
        with self._sessions.begin() as s:
            for article_id, ids in feeds.items():
                row = s.get(ItemRow, article_id)
                if row is not None:
                    row.feed_ids = sorted(set(row.feed_ids or []) | set(ids))

    def prune_items(self, older_than: float) -> int:
        """Forget title keys older than the de-duplication window (ids and GUIDs are kept)."""
        with self._sessions.begin() as s:
            return int(s.execute(update(ItemRow).where(ItemRow.seen_at < older_than, ItemRow.title_key.is_not(None))
                                 .values(title_key=None)).rowcount or 0)  # type: ignore[attr-defined]
