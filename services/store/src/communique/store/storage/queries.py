"""Read queries of the API: filters, sorts, keyset pagination, statistics and export streams."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, cast

from sqlalchemy import ColumnElement, and_, column, func, literal_column, or_, select, text, union_all
from sqlalchemy.orm import Session

from communique.store.schema import ActorRow, ArticleRow, ClusterRow, EventRow, MentionRow

EventSort = Literal["-date", "date", "-goldstein", "goldstein", "-confidence", "confidence"]
Interval = Literal["day", "week", "month"]
SORT_COLUMNS: dict[str, Any] = {"date": EventRow.date, "goldstein": EventRow.goldstein,
                                "confidence": EventRow.confidence}
WORD = re.compile(r"\w+", re.UNICODE)
FTS_COMMON = 10_000  # SQLite: a page of a search matching this many reports probes the index per row


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
    if len(parts) != n or any("\x00" in p for p in parts):
        raise CursorError("malformed cursor")
    return parts


def search_terms(query: str) -> list[str]:
    """The words of a full-text query (punctuation and operators are ignored)."""
    return WORD.findall(query)[:32]


@dataclass(frozen=True)
class EventFilter:
    """Filters of /v1/events, the statistics and the export (all optional, combined with AND)."""

    source: str | None = None
    target: str | None = None
    actor: str | None = None
    dyad: tuple[str, str] | None = None
    cameo: str | None = None
    plover: str | None = None
    quad_class: int | None = None
    goldstein_min: float | None = None
    goldstein_max: float | None = None
    date_from: date | None = None
    date_to: date | None = None
    language: str | None = None
    outlet: str | None = None
    country: str | None = None
    min_confidence: float | None = None
    q: str | None = None
    article_id: str | None = None
    cluster_id: str | None = None


def _fts_events(session: Session, query: str, page: bool = False) -> ColumnElement[bool]:
    terms = search_terms(query)
    if session.get_bind().dialect.name == "sqlite":
        match = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
        if page and session.scalar(text(
                "SELECT count(*) FROM (SELECT rowid FROM events_fts WHERE events_fts MATCH :fts_q LIMIT :cap)"
        ).bindparams(fts_q=match, cap=FTS_COMMON)) == FTS_COMMON:
            # Common words: walk the page's order and probe the index per row (a page needs few
            # rows), rather than sorting every match.
            return cast(ColumnElement[bool], text(
                "EXISTS (SELECT 1 FROM events_fts WHERE events_fts MATCH :fts_q AND events_fts.rowid = events.rowid)"
            ).bindparams(fts_q=match))
        sub = text("SELECT rowid FROM events_fts WHERE events_fts MATCH :fts_q").bindparams(fts_q=match)
        return literal_column("events.rowid").in_(sub.columns(column("rowid")))
    return func.to_tsvector(literal_column("'simple'"), EventRow.sentence).op("@@")(
        func.plainto_tsquery(literal_column("'simple'"), " ".join(terms)))


def _fts_articles(session: Session, query: str) -> ColumnElement[bool]:
    terms = search_terms(query)
    if session.get_bind().dialect.name == "sqlite":
        match = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
        sub = text("SELECT rowid FROM articles_fts WHERE articles_fts MATCH :fts_aq").bindparams(fts_aq=match)
        return literal_column("articles.rowid").in_(sub.columns(column("rowid")))
    document = func.coalesce(ArticleRow.title, "").concat(" ").concat(func.coalesce(ArticleRow.text, ""))
    return func.to_tsvector(literal_column("'simple'"), document).op("@@")(
        func.plainto_tsquery(literal_column("'simple'"), " ".join(terms)))


def event_conditions(session: Session, f: EventFilter) -> list[ColumnElement[bool]]:
    """SQL conditions of a filter."""
    sides = condition_sets(session, f)
    if len(sides) == 1:
        return sides[0]
    return [or_(*(and_(*side) for side in sides))]


def condition_sets(session: Session, f: EventFilter, page: bool = False) -> list[list[ColumnElement[bool]]]:
    """The filter as disjoint alternatives, each a plain AND of conditions.

    ``actor`` (either side) and ``dyad`` (either direction) are ORs, which no single index
    serves in date order; as disjoint alternatives each one is an ordered range scan of its
    own index (source or target first), and the results are merged.
    """
    base = _plain_conditions(session, f, page)
    sides: list[list[ColumnElement[bool]]] = [base]
    if f.actor:
        a = f.actor
        sides = [[*s, *alt] for s in sides for alt in (
            [EventRow.source_code == a],
            [EventRow.target_code == a, EventRow.source_code != a])]
    if f.dyad:
        a, b = f.dyad
        alts = [[EventRow.source_code == a, EventRow.target_code == b]]
        if a != b:
            alts.append([EventRow.source_code == b, EventRow.target_code == a])
        sides = [[*s, *alt] for s in sides for alt in alts]
    return sides


def _plain_conditions(session: Session, f: EventFilter, page: bool = False) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if f.source:
        conds.append(EventRow.source_code == f.source)
    if f.target:
        conds.append(EventRow.target_code == f.target)
    if f.cameo:
        if len(f.cameo) == 2:
            conds.append(EventRow.cameo_root == f.cameo)
        else:
            conds.append(EventRow.cameo.startswith(f.cameo, autoescape=True))
    if f.plover:
        conds.append(EventRow.plover == f.plover)
    if f.quad_class:
        conds.append(EventRow.quad_class == f.quad_class)
    if f.goldstein_min is not None:
        conds.append(EventRow.goldstein >= f.goldstein_min)
    if f.goldstein_max is not None:
        conds.append(EventRow.goldstein <= f.goldstein_max)
    if f.date_from:
        conds.append(EventRow.date >= f.date_from)
    if f.date_to:
        conds.append(EventRow.date <= f.date_to)
    if f.language:
        conds.append(EventRow.language == f.language)
    if f.outlet:
        conds.append(EventRow.outlet == f.outlet)
    if f.country:
        conds.append(EventRow.location_country == f.country)
    if f.min_confidence is not None:
        conds.append(EventRow.confidence >= f.min_confidence)
    if f.article_id:
        conds.append(EventRow.article_id == f.article_id)
    if f.cluster_id:
        conds.append(EventRow.cluster_id == f.cluster_id)
    if f.q and search_terms(f.q):
        conds.append(_fts_events(session, f.q, page))
    return conds


def _sort(sort: str) -> tuple[Any, bool]:
    return SORT_COLUMNS[sort.lstrip("-")], sort.startswith("-")


def _sort_value(row: EventRow, sort: str) -> str:
    value = getattr(row, sort.lstrip("-"))
    return value.isoformat() if isinstance(value, date) else repr(float(value))


def _parse_sort_value(raw: str, sort: str) -> date | float:
    try:
        if sort.lstrip("-") == "date":
            return date.fromisoformat(raw)
        value = float(raw)
    except ValueError as exc:
        raise CursorError("malformed cursor") from exc
    if value != value or value in (float("inf"), float("-inf")):
        raise CursorError("malformed cursor")
    return value


def list_events(session: Session, f: EventFilter, limit: int, cursor: str | None,
                sort: str = "-date") -> tuple[list[EventRow], str | None]:
    """A page of events in ``sort`` order (ties broken by id) and the cursor of the next page."""
    col, desc = _sort(sort)
    after: list[ColumnElement[bool]] = []
    if cursor:
        raw_sort, raw_value, eid = decode_cursor(cursor, 3)
        if raw_sort != sort:
            raise CursorError("cursor belongs to another sort order")
        value = _parse_sort_value(raw_value, sort)
        # The first term bounds the index range; the second breaks ties on the id.
        if desc:
            after = [col <= value, or_(col < value, EventRow.event_id < eid)]
        else:
            after = [col >= value, or_(col > value, EventRow.event_id > eid)]
    order = (col.desc(), EventRow.event_id.desc()) if desc else (col.asc(), EventRow.event_id.asc())
    sides = condition_sets(session, f, page=True)
    if len(sides) == 1:
        q = select(EventRow).where(*sides[0], *after)
    else:  # the first page of each alternative, then the first page of their union
        firsts = [select(EventRow.event_id).where(*side, *after).order_by(*order).limit(limit + 1).subquery()
                  for side in sides]
        ids = union_all(*(select(sub.c.event_id) for sub in firsts))
        q = select(EventRow).where(EventRow.event_id.in_(ids))
    rows = list(session.scalars(q.order_by(*order).limit(limit + 1)))
    nxt = None
    if len(rows) > limit:
        rows = rows[:limit]
        nxt = encode_cursor(sort, _sort_value(rows[-1], sort), rows[-1].event_id)
    return rows, nxt


def get_event(session: Session, event_id: str) -> EventRow | None:
    """One event by id."""
    return session.get(EventRow, event_id)


def clusters_by_id(session: Session, ids: Sequence[str]) -> dict[str, ClusterRow]:
    """Clusters for a set of ids."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {c.cluster_id: c for c in session.scalars(select(ClusterRow).where(ClusterRow.cluster_id.in_(wanted)))}


def mentions_of_cluster(session: Session, cluster_id: str, limit: int) -> list[MentionRow]:
    """The sentences of every report in a cluster."""
    return list(session.scalars(
        select(MentionRow).join(EventRow, EventRow.event_id == MentionRow.event_id)
        .where(EventRow.cluster_id == cluster_id)
        .order_by(MentionRow.article_id, MentionRow.event_id, MentionRow.ordinal).limit(limit)))


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
    q: str | None = None


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
    if f.q and search_terms(f.q):
        q = q.where(_fts_articles(session, f.q))
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


@dataclass(frozen=True)
class TimelinePoint:
    """Events of one period."""

    period: date
    events: int
    clusters: int
    mean_goldstein: float


def _period(session: Session, interval: Interval, day: Any = EventRow.date) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        if interval == "day":
            return day
        if interval == "week":  # Monday of the ISO week
            return func.date(day, "weekday 0", "-6 days")
        return func.strftime("%Y-%m-01", day)
    return func.date_trunc(interval, day)


def matching(session: Session, f: EventFilter, *columns: Any) -> Any:
    """``columns`` of every event matching ``f``, as a subquery (a UNION ALL of disjoint alternatives)."""
    sides = condition_sets(session, f)
    if len(sides) == 1:
        return select(*columns).where(*sides[0]).subquery("m")
    return union_all(*(select(*columns).where(*side) for side in sides)).subquery("m")


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def timeline(session: Session, f: EventFilter, interval: Interval) -> list[TimelinePoint]:
    """Counts and mean Goldstein score per period, oldest first."""
    m = matching(session, f, EventRow.date, EventRow.cluster_id, EventRow.goldstein)
    period = _period(session, interval, m.c.date).label("period")
    q = (select(period, func.count(), func.count(m.c.cluster_id.distinct()), func.avg(m.c.goldstein))
         .group_by(period).order_by(period))
    return [TimelinePoint(_as_date(p), int(n), int(c), round(float(g), 4))
            for p, n, c, g in session.execute(q)]


@dataclass(frozen=True)
class DyadStat:
    """Events of one directed pair."""

    source: str
    target: str | None
    events: int
    clusters: int
    mean_goldstein: float


def dyads(session: Session, f: EventFilter, top: int) -> list[DyadStat]:
    """The most frequent directed pairs."""
    n = func.count().label("n")
    m = matching(session, f, EventRow.source_code, EventRow.target_code, EventRow.cluster_id, EventRow.goldstein)
    q = (select(m.c.source_code, m.c.target_code, n, func.count(m.c.cluster_id.distinct()), func.avg(m.c.goldstein))
         .group_by(m.c.source_code, m.c.target_code)
         .order_by(n.desc(), m.c.source_code, m.c.target_code).limit(top))
    return [DyadStat(s, t, int(c), int(k), round(float(g), 4)) for s, t, c, k, g in session.execute(q)]


@dataclass(frozen=True)
class ActorStat:
    """Events of one actor, on either side."""

    code: str
    name: str | None
    kind: str | None
    as_source: int
    as_target: int
    events: int
    mean_goldstein: float


def actors(session: Session, f: EventFilter, top: int) -> list[ActorStat]:
    """The most active actors (events as source plus events as target)."""
    m = matching(session, f, EventRow.source_code, EventRow.target_code, EventRow.goldstein)
    sides: dict[str, list[float]] = {}  # code -> [as_source, as_target, goldstein sum]
    for i, col in enumerate((m.c.source_code, m.c.target_code)):
        q = (select(col, func.count(), func.sum(m.c.goldstein)).where(col.is_not(None)).group_by(col))
        for code, n, g in session.execute(q):
            if code is None:
                continue
            acc = sides.setdefault(code, [0, 0, 0.0])
            acc[i] += int(n)
            acc[2] += float(g or 0.0)
    ranked = sorted(sides.items(), key=lambda kv: (-(kv[1][0] + kv[1][1]), kv[0]))[:top]
    names = {a.code: a for a in session.scalars(select(ActorRow).where(ActorRow.code.in_([c for c, _ in ranked])))}
    out = []
    for code, (src, tgt, gsum) in ranked:
        total = int(src + tgt)
        meta = names.get(code)
        out.append(ActorStat(code, meta.name if meta else None, meta.kind if meta else None, int(src), int(tgt),
                             total, round(gsum / total, 4) if total else 0.0))
    return out


@dataclass(frozen=True)
class ExportRow:
    """One event with its cluster counts and article URL, for exports."""

    event: EventRow
    num_mentions: int
    num_sources: int
    num_articles: int
    article_url: str | None


def export_events(session: Session, f: EventFilter, limit: int, batch: int = 2000) -> Iterator[ExportRow]:
    """Stream events newest first, ``batch`` rows at a time (server-side cursor where available)."""
    q: Any = (
        select(EventRow, ClusterRow.num_mentions, ClusterRow.num_sources, ClusterRow.num_articles, ArticleRow.url)
        .outerjoin(ClusterRow, ClusterRow.cluster_id == EventRow.cluster_id)
        .outerjoin(ArticleRow, ArticleRow.id == EventRow.article_id)
        .where(*event_conditions(session, f))
        .order_by(EventRow.date.desc(), EventRow.event_id.desc())
        .limit(limit)
        .execution_options(yield_per=batch)
    )
    for ev, n_m, n_s, n_a, url in session.execute(q):
        yield ExportRow(ev, int(n_m or ev.mention_count), int(n_s or 1), int(n_a or 1), url)
