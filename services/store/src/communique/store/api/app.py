"""FastAPI application of the store."""
# No `from __future__ import annotations` here: FastAPI reads the route annotations at runtime.

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import StreamingResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from communique.runtime.health import Health, add_health_routes
from communique.store import gdelt
from communique.store.api.models import (
    ActorsOut,
    ArticleDetail,
    ArticlePage,
    DyadsOut,
    ErrorOut,
    EventDetail,
    EventPage,
    ReclusterOut,
    TimelineOut,
    actors_out,
    article_detail,
    article_out,
    dyads_out,
    event_detail,
    event_out,
    timeline_out,
)
from communique.store.api.security import ApiKey, Scope, find_key, load_keys
from communique.store.settings import StoreSettings
from communique.store.storage import queries
from communique.store.storage.db import make_engine, recluster, session_factory

ACTOR = r"^[A-Z]{2,12}$"
SAFE_TEXT = r"^[^\x00-\x1f\x7f]*$"
ID = r"^[A-Za-z0-9_.:-]{1,128}$"
MAX_DETAIL_MENTIONS = 1000
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "malformed cursor"},
    401: {"model": ErrorOut, "description": "API key missing or unknown"},
    403: {"model": ErrorOut, "description": "API key lacks the scope"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {**ERRORS, 404: {"model": ErrorOut, "description": "not found"}}


def invalid(param: str, message: str) -> RequestValidationError:
    """A 422 in FastAPI's own shape, for checks that span several parameters."""
    return RequestValidationError([{"loc": ("query", param), "msg": message, "type": "value_error", "input": None}])


def _utc(value: datetime | None) -> datetime | None:
    """Query times are UTC when they carry no offset."""
    if value is None:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as s:
        yield s


SessionDep = Annotated[Session, Depends(_session)]
_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key (or Authorization: Bearer)")
_bearer = HTTPBearer(auto_error=False)


def _authorize(request: Request, scope: Scope, header_key: str | None,
               bearer: HTTPAuthorizationCredentials | None) -> None:
    secret = header_key or (bearer.credentials if bearer else None)
    settings: StoreSettings = request.app.state.settings
    if not secret:
        if scope == "read" and settings.anonymous_read:
            return
        raise HTTPException(401, "an API key is required (X-API-Key header)", headers={"WWW-Authenticate": "Bearer"})
    keys: list[ApiKey] = request.app.state.api_keys
    key = find_key(keys, secret)
    if key is None:
        raise HTTPException(401, "unknown API key", headers={"WWW-Authenticate": "Bearer"})
    if not key.allows(scope):
        raise HTTPException(403, f"this API key lacks the {scope!r} scope")


def require_read(request: Request, header_key: Annotated[str | None, Security(_api_key_header)] = None,
                 bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None) -> None:
    """Read access: any key with ``read`` or ``admin``, or nobody when anonymous read is on."""
    _authorize(request, "read", header_key, bearer)


def require_admin(request: Request, header_key: Annotated[str | None, Security(_api_key_header)] = None,
                  bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None) -> None:
    """Admin access: a key with the ``admin`` scope."""
    _authorize(request, "admin", header_key, bearer)


def event_filter(
    request: Request,
    source: Annotated[str | None, Query(pattern=ACTOR, description="source actor code, e.g. CHN")] = None,
    target: Annotated[str | None, Query(pattern=ACTOR, description="target actor code")] = None,
    actor: Annotated[str | None, Query(pattern=ACTOR, description="actor on either side")] = None,
    dyad: Annotated[str | None, Query(pattern=r"^[A-Z]{2,12}-[A-Z]{2,12}$",
                                      description="pair in either direction, e.g. CHN-KAZ")] = None,
    cameo: Annotated[str | None, Query(pattern=r"^\d{2,4}$",
                                       description="CAMEO code or prefix; 2 digits = root")] = None,
    plover: Annotated[str | None, Query(pattern=r"^[A-Z_]{3,20}$", description="PLOVER event type")] = None,
    quad_class: Annotated[int | None, Query(ge=1, le=4)] = None,
    goldstein_min: Annotated[float | None, Query(ge=-10, le=10)] = None,
    goldstein_max: Annotated[float | None, Query(ge=-10, le=10)] = None,
    date_from: Annotated[date | None, Query(alias="from", description="first event date (inclusive)")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="last event date (inclusive)")] = None,
    language: Annotated[str | None, Query(pattern=r"^[a-z]{2,3}$")] = None,
    outlet: Annotated[str | None, Query(min_length=1, max_length=200, pattern=SAFE_TEXT)] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2,3}$", description="country of the location")] = None,
    min_confidence: Annotated[float | None, Query(ge=0, le=1)] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200, pattern=SAFE_TEXT,
                                   description="full-text search over evidence sentences")] = None,
    article_id: Annotated[str | None, Query(pattern=ID)] = None,
    cluster: Annotated[str | None, Query(pattern=r"^[0-9a-f]{32}$", description="reports of one cluster")] = None,
) -> queries.EventFilter:
    """Filters shared by events, statistics and export."""
    if date_from and date_to:
        if date_from > date_to:
            raise invalid("from", "`from` must not be after `to`")
        span = request.app.state.settings.max_date_span_days
        if (date_to - date_from).days > span:
            raise invalid("to", f"the date range may span at most {span} days")
    if goldstein_min is not None and goldstein_max is not None and goldstein_min > goldstein_max:
        raise invalid("goldstein_min", "`goldstein_min` must not exceed `goldstein_max`")
    if q is not None and not queries.search_terms(q):
        raise invalid("q", "the search needs at least one word")
    pair = tuple(dyad.split("-")) if dyad else None
    return queries.EventFilter(
        source=source, target=target, actor=actor, dyad=pair, cameo=cameo, plover=plover,  # type: ignore[arg-type]
        quad_class=quad_class, goldstein_min=goldstein_min, goldstein_max=goldstein_max, date_from=date_from,
        date_to=date_to, language=language, outlet=outlet, country=country, min_confidence=min_confidence, q=q,
        article_id=article_id, cluster_id=cluster)


FilterDep = Annotated[queries.EventFilter, Depends(event_filter)]


def create_app(settings: StoreSettings) -> FastAPI:
    """The API over the database named in ``settings``."""
    engine = make_engine(settings.database_url)
    sessions: sessionmaker[Session] = session_factory(engine)
    app = FastAPI(
        title="Communique store API",
        version="1.0",
        description="Diplomatic events coded from world news, with evidence, clustered across outlets. "
                    "Versioned under /v1.",
    )
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.settings = settings
    app.state.api_keys = load_keys(settings)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET"],
                           allow_headers=["*"])

    def db_ok() -> bool:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True

    health = Health()
    health.add("database", db_ok)
    add_health_routes(app, health)

    max_page = settings.max_page_size
    max_export = settings.max_export_rows
    max_top = settings.max_stats_rows
    v1 = APIRouter(prefix="/v1", dependencies=[Depends(require_read)])

    @v1.get("/events", response_model=EventPage, tags=["events"], responses=ERRORS)
    def list_events(
        db: SessionDep,
        f: FilterDep,
        sort: Annotated[queries.EventSort, Query(description="field, `-` for descending")] = "-date",
        limit: Annotated[int, Query(ge=1, le=max_page)] = 50,
        cursor: Annotated[str | None, Query(max_length=500, pattern=SAFE_TEXT)] = None,
    ) -> EventPage:
        """Coded reports, filtered and sorted; keyset pagination with ``cursor``. Each names its cluster."""
        try:
            rows, nxt = queries.list_events(db, f, limit, cursor, sort)
        except queries.CursorError as exc:
            raise HTTPException(400, str(exc)) from exc
        arts = queries.articles_by_id(db, [r.article_id for r in rows])
        clusters = queries.clusters_by_id(db, [r.cluster_id for r in rows])
        return EventPage(items=[event_out(r, arts.get(r.article_id), clusters.get(r.cluster_id)) for r in rows],
                         next_cursor=nxt)

    @v1.get("/events/{event_id}", response_model=EventDetail, tags=["events"], responses=NOT_FOUND)
    def get_event(db: SessionDep, event_id: Annotated[str, Path(pattern=ID)]) -> EventDetail:
        """One event with its cluster: every mention (article × sentence) and the articles reporting it."""
        row = queries.get_event(db, event_id)
        if row is None:
            raise HTTPException(404, "no such event")
        cluster = queries.clusters_by_id(db, [row.cluster_id]).get(row.cluster_id)
        mentions = queries.mentions_of_cluster(db, row.cluster_id, MAX_DETAIL_MENTIONS) if row.cluster_id else []
        arts = queries.articles_by_id(db, sorted({row.article_id, *(m.article_id for m in mentions)}))
        return event_detail(row, arts.get(row.article_id), cluster, mentions,
                            [arts[a] for a in sorted(arts)])

    @v1.get("/articles", response_model=ArticlePage, tags=["articles"], responses=ERRORS)
    def list_articles(
        db: SessionDep,
        language: Annotated[str | None, Query(pattern=r"^[a-z]{2,3}$")] = None,
        source_name: Annotated[str | None, Query(min_length=1, max_length=200, alias="outlet",
                                                 pattern=SAFE_TEXT)] = None,
        published_from: Annotated[datetime | None, Query(alias="from")] = None,
        published_to: Annotated[datetime | None, Query(alias="to")] = None,
        q: Annotated[str | None, Query(min_length=1, max_length=200, pattern=SAFE_TEXT,
                                       description="full-text search over title and text")] = None,
        limit: Annotated[int, Query(ge=1, le=max_page)] = 50,
        cursor: Annotated[str | None, Query(max_length=500, pattern=SAFE_TEXT)] = None,
    ) -> ArticlePage:
        """Articles, most recently fetched first."""
        start, end = _utc(published_from), _utc(published_to)
        if start and end and start > end:
            raise invalid("from", "`from` must not be after `to`")
        if q is not None and not queries.search_terms(q):
            raise invalid("q", "the search needs at least one word")
        f = queries.ArticleFilter(language=language, source_name=source_name, published_from=start,
                                  published_to=end, q=q)
        try:
            rows, nxt = queries.list_articles(db, f, limit, cursor)
        except queries.CursorError as exc:
            raise HTTPException(400, str(exc)) from exc
        return ArticlePage(items=[article_out(r) for r in rows], next_cursor=nxt)

    @v1.get("/articles/{article_id}", response_model=ArticleDetail, tags=["articles"], responses=NOT_FOUND)
    def get_article(db: SessionDep, article_id: Annotated[str, Path(pattern=ID)]) -> ArticleDetail:
        """One article with its text and events."""
        row = queries.articles_by_id(db, [article_id]).get(article_id)
        if row is None:
            raise HTTPException(404, "no such article")
        return article_detail(row, queries.events_of_article(db, article_id))

    @v1.get("/stats/timeline", response_model=TimelineOut, tags=["stats"], responses=ERRORS)
    def stats_timeline(
        db: SessionDep, f: FilterDep, interval: Literal["day", "week", "month"] = "day",
    ) -> TimelineOut:
        """Events, clusters and mean Goldstein score per day, week or month, for the same filters as events."""
        return timeline_out(interval, queries.timeline(db, f, interval))

    @v1.get("/stats/dyads", response_model=DyadsOut, tags=["stats"], responses=ERRORS)
    def stats_dyads(db: SessionDep, f: FilterDep, top: Annotated[int, Query(ge=1, le=max_top)] = 20) -> DyadsOut:
        """The most frequent directed actor pairs with counts and mean Goldstein score."""
        return dyads_out(queries.dyads(db, f, top))

    @v1.get("/stats/actors", response_model=ActorsOut, tags=["stats"], responses=ERRORS)
    def stats_actors(db: SessionDep, f: FilterDep, top: Annotated[int, Query(ge=1, le=max_top)] = 20) -> ActorsOut:
        """The most active actors, on either side of events."""
        return actors_out(queries.actors(db, f, top))

    @v1.get(
        "/export/events", tags=["export"], response_class=StreamingResponse,
        responses={**ERRORS, 200: {"description": "GDELT 2.0 column order (CSV) or EventV1 per line (JSON Lines)",
                                   "content": {"text/csv": {"schema": {"type": "string"}},
                                               "application/x-ndjson": {"schema": {"type": "string"}}}}},
    )
    def export_events(
        f: FilterDep,
        format: Annotated[Literal["csv", "jsonl"], Query(description="csv: GDELT 2.0 columns; jsonl")] = "csv",
        limit: Annotated[int, Query(ge=1, le=max_export)] = max_export,
    ) -> StreamingResponse:
        """Stream every matching event, newest first, without holding them in memory."""
        body = _stream_csv(sessions, f, limit) if format == "csv" else _stream_jsonl(sessions, f, limit)
        media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
        name = f"communique-events.{format}"
        return StreamingResponse(body, media_type=media,
                                 headers={"Content-Disposition": f'attachment; filename="{name}"'})

    admin = APIRouter(prefix="/v1/admin", dependencies=[Depends(require_admin)], tags=["admin"])

    @admin.post("/recluster", response_model=ReclusterOut, responses=ERRORS)
    def post_recluster() -> ReclusterOut:
        """Reassign every event to its cluster under the configured window (after changing it)."""
        with sessions.begin() as s:
            n = recluster(s, settings.cluster_window_days)
        return ReclusterOut(events=n, window_days=settings.cluster_window_days)

    app.include_router(v1)
    app.include_router(admin)
    return app


def _export_fields(row: queries.ExportRow) -> gdelt.ExportFields:
    return gdelt.ExportFields(record=row.event.record, num_mentions=row.num_mentions, num_sources=row.num_sources,
                              num_articles=row.num_articles, stored_at=row.event.stored_at,
                              article_url=row.article_url)


def _stream_csv(sessions: sessionmaker[Session], f: queries.EventFilter, limit: int) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(gdelt.COLUMNS)
    with sessions() as s:
        for i, row in enumerate(queries.export_events(s, f, limit), 1):
            writer.writerow(gdelt.to_gdelt_row(_export_fields(row)))
            if i % 1000 == 0:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
    yield buf.getvalue()


def _stream_jsonl(sessions: sessionmaker[Session], f: queries.EventFilter, limit: int) -> Iterator[str]:
    lines: list[str] = []
    with sessions() as s:
        for row in queries.export_events(s, f, limit):
            counts = {"cluster_id": row.event.cluster_id, "num_mentions": row.num_mentions,
                      "num_sources": row.num_sources, "num_articles": row.num_articles}
            lines.append(json.dumps({**row.event.record, "cluster": counts}, ensure_ascii=False))
            if len(lines) >= 1000:
                yield "\n".join(lines) + "\n"
                lines = []
    if lines:
        yield "\n".join(lines) + "\n"
