"""Tables of the store."""

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


class EventRow(Base):
    """One coded event of one article (deterministic id)."""

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

    __table_args__ = (
        Index("ix_events_date", "date", "event_id"),
        Index("ix_events_source_date", "source_code", "date"),
        Index("ix_events_target_date", "target_code", "date"),
        Index("ix_events_root_date", "cameo_root", "date"),
    )
