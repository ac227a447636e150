"""Tables of the store.

``events`` holds one row per coded report (an EventV1: one article, one action);
``event_clusters`` groups the reports of one real-world event across articles and
outlets; ``mentions`` holds every sentence of every report (event × article ×
sentence, with offsets, trigger and confidence); ``actors`` names the actor codes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints stably."""

    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


class ArticleRow(Base):
    """One article, keyed by the hash of its canonical URL."""

    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str] = mapped_column(Text)
    feed: Mapped[str | None] = mapped_column(Text)
    source_name: Mapped[str | None] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    text_origin: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str | None] = mapped_column(String(8), index=True)
    country: Mapped[str | None] = mapped_column(String(8))
    published: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    fetched: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_articles_fetched_id", "fetched", "id"),)


class EventRow(Base):
    """One coded report of an event in one article (deterministic id), in one cluster."""

    __tablename__ = "events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    article_id: Mapped[str] = mapped_column(String(64), index=True)
    date: Mapped[date] = mapped_column(Date)
    source_code: Mapped[str] = mapped_column(String(16))
    source_kind: Mapped[str] = mapped_column(String(8))
    source_sector: Mapped[str | None] = mapped_column(String(8))
    source_actor_name: Mapped[str | None] = mapped_column(String(200))
    target_code: Mapped[str | None] = mapped_column(String(16))
    target_kind: Mapped[str | None] = mapped_column(String(8))
    target_sector: Mapped[str | None] = mapped_column(String(8))
    target_actor_name: Mapped[str | None] = mapped_column(String(200))
    cameo: Mapped[str] = mapped_column(String(4))
    cameo_root: Mapped[str] = mapped_column(String(2))
    plover: Mapped[str | None] = mapped_column(String(32))
    plover_mode: Mapped[str | None] = mapped_column(String(32))
    quad_class: Mapped[int] = mapped_column(Integer)
    goldstein: Mapped[float] = mapped_column(Float)
    location_name: Mapped[str | None] = mapped_column(String(200))
    location_country: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    modality: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float] = mapped_column(Float)
    trigger: Mapped[str] = mapped_column(Text)
    sentence: Mapped[str] = mapped_column(Text)
    outlet: Mapped[str | None] = mapped_column(String(200))
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cluster_id: Mapped[str] = mapped_column(String(32), default="")
    mention_count: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        # Covering: timelines and statistics read these alone (migration 0004).
        Index("ix_events_date_cover", "date", "event_id", "source_code", "target_code", "cluster_id", "goldstein"),
        Index("ix_events_source_cover", "source_code", "date", "cluster_id", "goldstein"),
        Index("ix_events_target_cover", "target_code", "date", "source_code", "cluster_id", "goldstein"),
        Index("ix_events_root_date", "cameo_root", "date"),
        Index("ix_events_cluster_outlet", "cluster_id", "outlet"),
        Index("ix_events_outlet_date", "outlet", "date"),
        Index("ix_events_goldstein", "goldstein", "event_id"),
        Index("ix_events_key_date", "source_code", "target_code", "cameo_root", "date"),
    )


class MentionRow(Base):
    """One sentence of one article reporting one event (GDELT's Mentions table, with offsets)."""

    __tablename__ = "mentions"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    ordinal: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[str] = mapped_column(String(64), index=True)
    sentence: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)


class ClusterRow(Base):
    """One real-world event: every report with the same dyad, CAMEO root and date window."""

    __tablename__ = "event_clusters"

    cluster_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    source_code: Mapped[str] = mapped_column(String(16))
    target_code: Mapped[str] = mapped_column(String(16), default="", comment="'' when the event has no target")
    cameo_root: Mapped[str] = mapped_column(String(2))
    first_date: Mapped[date] = mapped_column(Date)
    last_date: Mapped[date] = mapped_column(Date)
    num_events: Mapped[int] = mapped_column(Integer)
    num_mentions: Mapped[int] = mapped_column(Integer)
    num_articles: Mapped[int] = mapped_column(Integer)
    num_sources: Mapped[int] = mapped_column(Integer)
    mean_goldstein: Mapped[float] = mapped_column(Float)
    sum_goldstein: Mapped[float] = mapped_column(Float, default=0.0, comment="exact sum, so counts advance by delta")
    max_confidence: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_event_clusters_key", "source_code", "target_code", "cameo_root", "first_date"),
        Index("ix_event_clusters_first_date", "first_date"),
    )


class ActorRow(Base):
    """An actor code as last seen in an event (kind and canonical name)."""

    __tablename__ = "actors"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(String(200))
    cameo_code: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
