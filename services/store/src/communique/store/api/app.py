"""FastAPI application of the store."""
# No `from __future__ import annotations` here: FastAPI reads the route annotations at runtime.


from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from communique.runtime.health import Health, add_health_routes
from communique.store.api.models import (
    ArticleDetail,
    ArticlePage,
    EventOut,
    EventPage,
    article_detail,
    article_out,
    event_out,
)
from communique.store.settings import StoreSettings
from communique.store.storage import queries
from communique.store.storage.db import make_engine, session_factory

ACTOR = r"^[A-Z]{2,12}$"


def _utc(value: datetime | None) -> datetime | None:
    """Query times are UTC when they carry no offset."""
    if value is None:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as s:
        yield s


SessionDep = Annotated[Session, Depends(_session)]


def create_app(settings: StoreSettings) -> FastAPI:
    """The API over the database named in ``settings``."""
    engine = make_engine(settings.database_url)
    sessions: sessionmaker[Session] = session_factory(engine)
    app = FastAPI(
        title="Communique store API",
        version="1.0",
        description="Diplomatic events coded from world news, with evidence. Versioned under /v1.",
    )
    app.state.engine = engine
    app.state.sessions = sessions
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

    @app.get("/v1/events", response_model=EventPage, tags=["events"])
    def list_events(
        db: SessionDep,
        source: Annotated[str | None, Query(pattern=ACTOR, description="source actor code, e.g. CHN")] = None,
        target: Annotated[str | None, Query(pattern=ACTOR, description="target actor code")] = None,
        actor: Annotated[str | None, Query(pattern=ACTOR, description="actor on either side")] = None,
        cameo: Annotated[str | None, Query(pattern=r"^\d{2,4}$", description="CAMEO code or prefix (root)")] = None,
        plover: Annotated[str | None, Query(pattern=r"^[A-Z_]{3,20}$")] = None,
        quad_class: Annotated[int | None, Query(ge=1, le=4)] = None,
        date_from: Annotated[date | None, Query(alias="from")] = None,
        date_to: Annotated[date | None, Query(alias="to")] = None,
        language: Annotated[str | None, Query(pattern=r"^[a-z]{2}$")] = None,
        article_id: Annotated[str | None, Query(max_length=64)] = None,
        min_confidence: Annotated[float | None, Query(ge=0, le=1)] = None,
        limit: Annotated[int, Query(ge=1, le=max_page)] = 50,
        cursor: Annotated[str | None, Query(max_length=500)] = None,
    ) -> EventPage:
        """Events, newest first, filtered; keyset pagination with ``cursor``."""
        if date_from and date_to and date_from > date_to:
            raise HTTPException(422, "`from` must not be after `to`")
        f = queries.EventFilter(source=source, target=target, actor=actor, cameo=cameo, plover=plover,
                                quad_class=quad_class, date_from=date_from, date_to=date_to, language=language,
                                article_id=article_id, min_confidence=min_confidence)
        try:
            rows, nxt = queries.list_events(db, f, limit, cursor)
        except queries.CursorError as exc:
            raise HTTPException(400, str(exc)) from exc
        arts = queries.articles_by_id(db, [r.article_id for r in rows])
        return EventPage(items=[event_out(r, arts.get(r.article_id)) for r in rows], next_cursor=nxt)

    @app.get("/v1/events/{event_id}", response_model=EventOut, tags=["events"])
    def get_event(db: SessionDep, event_id: str) -> EventOut:
        """One event with its article."""
        row = queries.get_event(db, event_id)
        if row is None:
            raise HTTPException(404, "no such event")
        return event_out(row, queries.articles_by_id(db, [row.article_id]).get(row.article_id))

    @app.get("/v1/articles", response_model=ArticlePage, tags=["articles"])
    def list_articles(
        db: SessionDep,
        language: Annotated[str | None, Query(pattern=r"^[a-z]{2}$")] = None,
        source_name: Annotated[str | None, Query(max_length=200, alias="outlet")] = None,
        published_from: Annotated[datetime | None, Query(alias="from")] = None,
        published_to: Annotated[datetime | None, Query(alias="to")] = None,
        limit: Annotated[int, Query(ge=1, le=max_page)] = 50,
        cursor: Annotated[str | None, Query(max_length=500)] = None,
    ) -> ArticlePage:
        """Articles, most recently fetched first."""
        f = queries.ArticleFilter(language=language, source_name=source_name,
                                  published_from=_utc(published_from), published_to=_utc(published_to))
        try:
            rows, nxt = queries.list_articles(db, f, limit, cursor)
        except queries.CursorError as exc:
            raise HTTPException(400, str(exc)) from exc
        return ArticlePage(items=[article_out(r) for r in rows], next_cursor=nxt)

    @app.get("/v1/articles/{article_id}", response_model=ArticleDetail, tags=["articles"])
    def get_article(db: SessionDep, article_id: str) -> ArticleDetail:
        """One article with its text and events."""
        row = queries.articles_by_id(db, [article_id]).get(article_id)
        if row is None:
            raise HTTPException(404, "no such article")
        return article_detail(row, queries.events_of_article(db, article_id))

    return app
