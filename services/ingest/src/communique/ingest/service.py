"""Ingest service: poll feeds on a schedule and publish new articles to Kafka."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from communique.contracts import ARTICLE_EVENT_TYPE, ArticleV1
from communique.ingest.adapters.fetch import make_client
from communique.ingest.adapters.state import StateBase, StateStore
from communique.ingest.domain.feeds import FeedSpec, parse_feeds
from communique.ingest.poller import PollOutcome, poll_feed
from communique.ingest.settings import IngestSettings
from communique.runtime import metrics
from communique.runtime.health import Health, serve
from communique.runtime.kafka import OutMessage, Producer, cloudevent_headers, ensure_topics
from communique.runtime.logs import get_logger
from communique.runtime.settings import SettingsError, load_settings

log = get_logger(__name__)


def load_feeds(settings: IngestSettings) -> list[FeedSpec]:
    """Feeds from the configured FEEDS.yaml."""
    if settings.feeds_file is None:
        return []
    try:
        return parse_feeds(settings.feeds_file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"cannot read INGEST_FEEDS_FILE {settings.feeds_file}: {exc}") from exc


def open_state(database_url: str) -> StateStore:
    """The feed state store, with its tables created if missing."""
    from sqlalchemy.orm import sessionmaker

    from communique.runtime.db import make_engine

    engine = make_engine(database_url)
    StateBase.metadata.create_all(engine)
    return StateStore(sessionmaker(engine, expire_on_commit=False))


def article_message(article: ArticleV1, topic: str) -> OutMessage:
    """An article as a Kafka message keyed by its id."""
    return OutMessage(
        topic=topic, value=article.model_dump_json().encode(), key=article.id.encode(),
        headers=cloudevent_headers(ce_type=ARTICLE_EVENT_TYPE, ce_source="communique/ingest", ce_id=article.id,
                                   extra={"ce_language": article.language or ""}),
    )


async def poll_all(
    feeds: Sequence[FeedSpec], state: StateStore, settings: IngestSettings, sink: object,
) -> list[PollOutcome]:
    """Poll every feed once, at most ``concurrency`` at a time."""
    sem = asyncio.Semaphore(settings.concurrency)
    async with make_client(settings.user_agent, settings.timeout, settings.max_redirects) as client:

        async def one(spec: FeedSpec) -> PollOutcome:
            async with sem:
                try:
                    return await poll_feed(client, spec, state, settings, sink)  # type: ignore[arg-type]
                except Exception as exc:
                    log.exception("poll failed", feed=spec.url)
                    return PollOutcome(spec.url, "error", error=repr(exc))

        return list(await asyncio.gather(*(one(f) for f in feeds)))


async def run_service(settings: IngestSettings, stop: asyncio.Event, health: Health) -> None:
    """Poll feeds every ``poll_interval`` seconds until stopped."""
    k = settings.kafka
    feeds = load_feeds(settings)
    state = open_state(settings.database_url)
    producer = Producer(k)
    await producer.start()
    await ensure_topics(k, [k.articles_topic, k.events_topic])
    health.add("kafka", lambda: producer.is_ready)

    async def publish(articles: Sequence[ArticleV1]) -> None:
        await producer.send_all([article_message(a, k.articles_topic) for a in articles])
        metrics.PUBLISHED.labels("ingest", k.articles_topic).inc(len(articles))

    log.info("polling feeds", feeds=len(feeds), interval=settings.poll_interval)
    try:
        while not stop.is_set():
            started = time.monotonic()
            outcomes = await poll_all(feeds, state, settings, publish)
            new = sum(o.new for o in outcomes)
            log.info("poll round done", feeds=len(outcomes), new=new,
                     failed=sum(1 for o in outcomes if o.status not in ("ok", "not_modified")))
            wait = max(0.0, settings.poll_interval - (time.monotonic() - started))
            try:
                await asyncio.wait_for(stop.wait(), timeout=wait)
            except TimeoutError:
                pass
    finally:
        await producer.stop()


def main() -> None:
    """Entry point of `communique ingest`."""
    settings = load_settings(IngestSettings)
    asyncio.run(serve("ingest", settings, lambda stop, health: run_service(settings, stop, health)))
