"""API response models (pydantic) and the mapping of rows to them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from communique.contracts import EventV1
from communique.store.schema import ArticleRow, ClusterRow, EventRow, MentionRow
from communique.store.storage import queries


class ErrorOut(BaseModel):
    """An error with a message for people."""

    detail: str


class ArticleRef(BaseModel):
    """The article an event was coded from."""

    id: str
    url: str
    title: str
    source_name: str | None
    published: AwareDatetime | None


class ClusterOut(BaseModel):
    """The real-world event a report belongs to, with live counts across articles and outlets."""

    cluster_id: str
    first_date: date
    last_date: date
    num_events: int = Field(description="coded reports in the cluster")
    num_mentions: int = Field(description="sentences reporting it, over all articles")
    num_articles: int
    num_sources: int = Field(description="distinct outlets")
    mean_goldstein: float


class EventOut(EventV1):
    """An event as the API returns it: the wire record plus its article and cluster."""

    article: ArticleRef | None = None
    cluster: ClusterOut | None = None


class MentionOut(BaseModel):
    """One sentence of one article reporting the event."""

    event_id: str
    article_id: str
    ordinal: int
    sentence: str
    start: int
    end: int
    trigger: str
    confidence: float


class EventDetail(EventOut):
    """An event with every mention in its cluster and the articles they come from."""

    mentions_in_cluster: list[MentionOut]
    articles: list[ArticleRef]


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


class TimelinePointOut(BaseModel):
    """One period of a timeline."""

    period: date = Field(description="first day of the period")
    events: int
    clusters: int
    mean_goldstein: float


class TimelineOut(BaseModel):
    """Counts and mean Goldstein score per period."""

    interval: Literal["day", "week", "month"]
    points: list[TimelinePointOut]


class DyadOut(BaseModel):
    """One directed pair of actors."""

    source: str
    target: str | None
    events: int
    clusters: int
    mean_goldstein: float


class DyadsOut(BaseModel):
    """The most frequent directed pairs."""

    items: list[DyadOut]


class ActorOut(BaseModel):
    """One actor's activity on either side of events."""

    code: str
    name: str | None
    kind: str | None
    as_source: int
    as_target: int
    events: int
    mean_goldstein: float


class ActorsOut(BaseModel):
    """The most active actors."""

    items: list[ActorOut]


class ReclusterOut(BaseModel):
    """Result of rebuilding the clusters."""

    events: int
    window_days: int


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def article_ref(row: ArticleRow) -> ArticleRef:
    """Link to an article."""
    return ArticleRef(id=row.id, url=row.url, title=row.title, source_name=row.source_name,
                      published=_aware(row.published))


def cluster_out(row: ClusterRow) -> ClusterOut:
    """API form of a cluster."""
    return ClusterOut(cluster_id=row.cluster_id, first_date=row.first_date, last_date=row.last_date,
                      num_events=row.num_events, num_mentions=row.num_mentions, num_articles=row.num_articles,
                      num_sources=row.num_sources, mean_goldstein=row.mean_goldstein)


def event_out(row: EventRow, article: ArticleRow | None, cluster: ClusterRow | None = None) -> EventOut:
    """API form of an event row."""
    return EventOut.model_validate({**row.record, "article": article_ref(article) if article else None,
                                    "cluster": cluster_out(cluster) if cluster else None})


def mention_out(row: MentionRow) -> MentionOut:
    """API form of a mention."""
    return MentionOut(event_id=row.event_id, article_id=row.article_id, ordinal=row.ordinal, sentence=row.sentence,
                      start=row.start, end=row.end, trigger=row.trigger, confidence=row.confidence)


def event_detail(row: EventRow, article: ArticleRow | None, cluster: ClusterRow | None, mentions: list[MentionRow],
                 articles: list[ArticleRow]) -> EventDetail:
    """API form of an event with its cluster's mentions and articles."""
    base = event_out(row, article, cluster)
    return EventDetail.model_validate({**base.model_dump(), "mentions_in_cluster": [mention_out(m) for m in mentions],
                                       "articles": [article_ref(a) for a in articles]})


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


def timeline_out(interval: Literal["day", "week", "month"], points: list[queries.TimelinePoint]) -> TimelineOut:
    """API form of a timeline."""
    return TimelineOut(interval=interval, points=[
        TimelinePointOut(period=p.period, events=p.events, clusters=p.clusters, mean_goldstein=p.mean_goldstein)
        for p in points])


def dyads_out(stats: list[queries.DyadStat]) -> DyadsOut:
    """API form of dyad statistics."""
    return DyadsOut(items=[DyadOut(source=d.source, target=d.target, events=d.events, clusters=d.clusters,
                                   mean_goldstein=d.mean_goldstein) for d in stats])


def actors_out(stats: list[queries.ActorStat]) -> ActorsOut:
    """API form of actor statistics."""
    return ActorsOut(items=[ActorOut(code=a.code, name=a.name, kind=a.kind, as_source=a.as_source,
                                     as_target=a.as_target, events=a.events, mean_goldstein=a.mean_goldstein)
                            for a in stats])
