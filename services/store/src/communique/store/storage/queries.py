"""Read queries of the API, with keyset pagination."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from communique.store.schema import ArticleRow, EventRow


class CursorError(ValueError):
    """A pagination cursor that this API did not issue."""


def encode_cursor(*parts: str) -> str:
    """Opaque cursor text."""
    return base64.urlsafe_b64encode("\x1f".join(parts).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, n: int) -> list[str]:
    """Parts of a cursor; raises ``CursorError`` if it is malformed."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise CursorError("malformed cursor") from exc
    parts = raw.split("\x1f")
    if len(parts) != n:
        raise CursorError("malformed cursor")
    return parts


@dataclass(frozen=True)
class EventFilter:
    """Filters of /v1/events (all optional, combined with AND)."""

    source: str | None = None
    target: str | None = None
    actor: str | None = None
    cameo: str | None = None
    plover: str | None = None
    quad_class: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    language: str | None = None
    article_id: str | None = None
    min_confidence: float | None = None


def _filtered_events(f: EventFilter) -> Select[EventRow]:  # type: ignore[type-var]
    q = select(EventRow)
    conds = []
    if f.source:
        conds.append(EventRow.source_code == f.source)
    if f.target:
        conds.append(EventRow.target_code == f.target)
    if f.actor:
        conds.append(or_(EventRow.source_code == f.actor, EventRow.target_code == f.actor))
    if f.cameo:
        conds.append(EventRow.cameo.startswith(f.cameo, autoescape=True))
    if f.plover:
        conds.append(EventRow.plover == f.plover)
    if f.quad_class:
        conds.append(EventRow.quad_class == f.quad_class)
    if f.date_from:
        conds.append(EventRow.date >= f.date_from)
    if f.date_to:
        conds.append(EventRow.date <= f.date_to)
    if f.language:
        conds.append(EventRow.language == f.language)
    if f.article_id:
        conds.append(EventRow.article_id == f.article_id)
    if f.min_confidence is not None:
        conds.append(EventRow.confidence >= f.min_confidence)
    return q.where(and_(*conds)) if conds else q


def list_events(session: Session, f: EventFilter, limit: int, cursor: str | None) -> tuple[list[EventRow], str | None]:
    """A page of events, newest first, and the cursor of the next page."""
    q = _filtered_events(f)
    if cursor:
        d, eid = decode_cursor(cursor, 2)
        try:
            cur_date = date.fromisoformat(d)
        except ValueError as exc:
            raise CursorError("malformed cursor") from exc
        q = q.where(or_(EventRow.date < cur_date, and_(EventRow.date == cur_date, EventRow.event_id < eid)))
    rows = list(session.scalars(q.order_by(EventRow.date.desc(), EventRow.event_id.desc()).limit(limit + 1)))
    nxt = None
    if len(rows) > limit:
        rows = rows[:limit]
        nxt = encode_cursor(rows[-1].date.isoformat(), rows[-1].event_id)
    return rows, nxt


def get_event(session: Session, event_id: str) -> EventRow | None:
    """One event by id."""
    return session.get(EventRow, event_id)


def articles_by_id(session: Session, ids: Sequence[str]) -> dict[str, ArticleRow]:
    """Articles for a set of ids."""
    if not ids:
        return {}
    return {a.id: a for a in session.scalars(select(ArticleRow).where(ArticleRow.id.in_(set(ids))))}


@dataclass(frozen=True)
class ArticleFilter:
    """Filters of /v1/articles."""

    language: str | None = None
    source_name: str | None = None
    published_from: datetime | None = None
    published_to: datetime | None = None


def list_articles(
    session: Session, f: ArticleFilter, limit: int, cursor: str | None
) -> tuple[list[ArticleRow], str | None]:
    """A page of articles, most recently fetched first."""
    q = select(ArticleRow)
    if f.language:
        q = q.where(ArticleRow.language == f.language)
    if f.source_name:
        q = q.where(ArticleRow.source_name == f.source_name)
    if f.published_from:
        q = q.where(ArticleRow.published >= f.published_from)
    if f.published_to:
        q = q.where(ArticleRow.published <= f.published_to)
    if cursor:
        ts, aid = decode_cursor(cursor, 2)
        try:
            fetched = datetime.fromisoformat(ts)
        except ValueError as exc:
            raise CursorError("malformed cursor") from exc
        q = q.where(or_(ArticleRow.fetched < fetched, and_(ArticleRow.fetched == fetched, ArticleRow.id < aid)))
    rows = list(session.scalars(q.order_by(ArticleRow.fetched.desc(), ArticleRow.id.desc()).limit(limit + 1)))
    nxt = None
    if len(rows) > limit:
        rows = rows[:limit]
        nxt = encode_cursor(rows[-1].fetched.isoformat(), rows[-1].id)
    return rows, nxt


def events_of_article(session: Session, article_id: str) -> list[EventRow]:
    """Every event coded from one article."""
    return list(session.scalars(select(EventRow).where(EventRow.article_id == article_id).order_by(EventRow.event_id)))
