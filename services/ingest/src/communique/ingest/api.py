"""Admin API of the ingest service: list, add, pause, resume and delete feeds; per-feed health.

Mounted on the service's health app under ``/admin``. Every call needs the key from
``INGEST_ADMIN_API_KEY`` in an ``X-API-Key`` header (or ``Authorization: Bearer``).
"""

from __future__ import annotations

import asyncio
import hmac
import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Request, status
from pydantic import BaseModel, Field, HttpUrl

from communique.ingest.adapters.state import FeedRecord, FetchLog, StateStore
from communique.ingest.domain.feeds import FeedConfigError, FeedSpec
from communique.ingest.domain.opml import parse_opml
from communique.ingest.poller import BlockedURLError, check_url_allowed
from communique.ingest.settings import IngestSettings


class FeedIn(BaseModel):
    """A feed to add."""

    url: HttpUrl
    name: str | None = None
    language: str | None = Field(default=None, max_length=16)
    country: str | None = Field(default=None, max_length=8)
    tags: list[str] = Field(default_factory=list)
    interval: float | None = Field(default=None, gt=0, le=86_400, description="polling interval override (s)")


class FetchOut(BaseModel):
    """One fetch outcome."""

    at: datetime
    outcome: str
    status: int | None
    new: int
    duplicates: int
    duration_ms: int
    error: str | None


class FeedOut(BaseModel):
    """A feed and its health."""

    id: str
    url: str
    name: str | None
    language: str | None
    country: str | None
    tags: list[str]
    interval_override: float | None
    origin: str
    paused: bool
    dead: bool
    failures: int
    interval: float
    next_poll_at: datetime
    last_polled_at: datetime | None
    last_outcome: str | None
    last_error: str | None
    articles_total: int


class FeedStatusOut(FeedOut):
    """A feed with its last fetch outcomes, newest first."""

    fetches: list[FetchOut]


class ImportOut(BaseModel):
    """Result of an OPML import."""

    added: list[FeedOut]
    refused: dict[str, str]


def _ts(v: float) -> datetime:
    return datetime.fromtimestamp(v, UTC)


def to_out(f: FeedRecord) -> FeedOut:
    """API view of a feed."""
    return FeedOut(
        id=f.id, url=f.spec.url, name=f.spec.name, language=f.spec.language, country=f.spec.country,
        tags=list(f.spec.tags), interval_override=f.spec.interval, origin=f.origin, paused=f.paused, dead=f.dead,
        failures=f.failures, interval=f.interval, next_poll_at=_ts(f.next_poll_at),
        last_polled_at=_ts(f.last_polled_at) if f.last_polled_at else None, last_outcome=f.last_outcome,
        last_error=f.last_error, articles_total=f.articles_total,
    )


def _fetch_out(x: FetchLog) -> FetchOut:
    return FetchOut(at=_ts(x.at), outcome=x.outcome, status=x.status, new=x.new, duplicates=x.duplicates,
                    duration_ms=x.duration_ms, error=x.error)


def admin_router(state: StateStore, settings: IngestSettings) -> APIRouter:
    """The ``/admin`` routes over ``state``."""

    def require_key(x_api_key: Annotated[str | None, Header()] = None,
                    authorization: Annotated[str | None, Header()] = None) -> None:
        key = settings.admin_api_key.get_secret_value() if settings.admin_api_key else ""
        given = x_api_key or (authorization[7:] if authorization and authorization.lower().startswith("bearer ")
                              else "")
        if not key:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "admin API disabled: set INGEST_ADMIN_API_KEY")
        if not given or not hmac.compare_digest(given.encode(), key.encode()):
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing or wrong API key",
                                headers={"WWW-Authenticate": "Bearer"})

    router = APIRouter(prefix="/admin", dependencies=[Depends(require_key)], tags=["admin"])

    async def check(url: str) -> None:
        try:
            await asyncio.to_thread(check_url_allowed, url, settings.allow_private, settings.private_allowlist)
        except BlockedURLError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc

    @router.get("/feeds")
    async def list_feeds() -> list[FeedOut]:
        return [to_out(f) for f in await asyncio.to_thread(state.all_feeds)]

    @router.post("/feeds", status_code=status.HTTP_201_CREATED)
    async def add_feed(feed: FeedIn) -> FeedOut:
        url = str(feed.url)
        await check(url)
        spec = FeedSpec(url=url, name=feed.name, language=feed.language, country=feed.country,
                        tags=tuple(feed.tags), interval=feed.interval)
        [rec] = await asyncio.to_thread(state.upsert_feeds, [spec], time.time(), origin="api")
        return to_out(rec)

    @router.post("/feeds/import-opml")
    async def import_opml(request: Request) -> ImportOut:
        try:
            specs = parse_opml(await request.body())
        except FeedConfigError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
        ok, refused = [], {}
        for spec in specs:
            try:
                await asyncio.to_thread(check_url_allowed, spec.url, settings.allow_private,
                                        settings.private_allowlist)
                ok.append(spec)
            except BlockedURLError as exc:
                refused[spec.url] = str(exc)
        added = await asyncio.to_thread(state.upsert_feeds, ok, time.time(), origin="opml") if ok else []
        return ImportOut(added=[to_out(f) for f in added], refused=refused)

    @router.get("/feeds/{feed_id}")
    async def feed_status(feed_id: str) -> FeedStatusOut:
        rec = await asyncio.to_thread(state.get, feed_id)
        if rec is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such feed")
        logs = await asyncio.to_thread(state.fetches, feed_id)
        return FeedStatusOut(**to_out(rec).model_dump(), fetches=[_fetch_out(x) for x in logs])

    async def set_paused(feed_id: str, paused: bool) -> FeedOut:
        rec = await asyncio.to_thread(state.set_paused, feed_id, paused, time.time())
        if rec is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such feed")
        return to_out(rec)

    @router.post("/feeds/{feed_id}/pause")
    async def pause(feed_id: str) -> FeedOut:
        return await set_paused(feed_id, True)

    @router.post("/feeds/{feed_id}/resume")
    async def resume(feed_id: str) -> FeedOut:
        return await set_paused(feed_id, False)

    @router.delete("/feeds/{feed_id}", status_code=status.HTTP_204_NO_CONTENT)
    async def delete_feed(feed_id: str) -> None:
        if not await asyncio.to_thread(state.delete, feed_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such feed")

    return router


def admin_app(state: StateStore, settings: IngestSettings) -> FastAPI:
    """A FastAPI app with the admin routes (health routes are added by ``serve``)."""
    app = FastAPI(title="communique ingest", docs_url=None, redoc_url=None)
    app.include_router(admin_router(state, settings))
    return app
