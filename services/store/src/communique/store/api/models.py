"""API response models (pydantic); rows are mapped to them only in ``storage``-aware code here."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import AwareDatetime, BaseModel

from communique.contracts import EventV1
from communique.store.schema import ArticleRow, EventRow


class ArticleRef(BaseModel):
    """The article an event was coded from."""

    id: str
    url: str
    title: str
    source_name: str | None
    published: AwareDatetime | None


class EventOut(EventV1):
    """An event as the API returns it: the wire record plus its article."""

    article: ArticleRef | None = None


class EventPage(BaseModel):
    """A page of events; pass ``next_cursor`` as ``cursor`` for the next page."""

    items: list[EventOut]
    next_cursor: str | None


class ArticleOut(BaseModel):
    """An article without its full text."""

    id: str
    url: str
    canonical_url: str
    feed: str | None
    source_name: str | None
    title: str
    summary: str
    language: str | None
    published: AwareDatetime | None
    fetched: AwareDatetime
    authors: list[str]
    tags: list[str]


class ArticleDetail(ArticleOut):
    """An article with its text and events."""

    text: str
    text_origin: str | None
    events: list[EventV1]


class ArticlePage(BaseModel):
    """A page of articles."""

    items: list[ArticleOut]
    next_cursor: str | None


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def article_ref(row: ArticleRow) -> ArticleRef:
    """Link to an article."""
    return ArticleRef(id=row.id, url=row.url, title=row.title, source_name=row.source_name,
                      published=_aware(row.published))


def event_out(row: EventRow, article: ArticleRow | None) -> EventOut:
    """API form of an event row."""
    return EventOut.model_validate({**row.record, "article": article_ref(article) if article else None})


def article_out(row: ArticleRow) -> ArticleOut:
    """API form of an article row."""
    return ArticleOut(
        id=row.id, url=row.url, canonical_url=row.canonical_url, feed=row.feed, source_name=row.source_name,
        title=row.title, summary=row.summary, language=row.language, published=_aware(row.published),
        fetched=_aware(row.fetched) or datetime.now(UTC), authors=list(row.authors or []), tags=list(row.tags or []),
    )


def article_detail(row: ArticleRow, events: list[EventRow]) -> ArticleDetail:
    """API form of an article with its events."""
    base = article_out(row).model_dump()
    return ArticleDetail(**base, text=row.text, text_origin=row.text_origin,
                         events=[EventV1.model_validate(e.record) for e in events])
