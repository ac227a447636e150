"""Ingest service: poll due feeds, publish new articles to Kafka, serve the admin API."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Sequence

from communique.contracts import ARTICLE_EVENT_TYPE, ArticleV1
from communique.ingest.adapters.state import StateStore
from communique.ingest.api import admin_app
from communique.ingest.domain.dedup import TITLE_WINDOW
from communique.ingest.domain.feeds import FeedSpec, parse_feeds
from communique.ingest.poller import Poller, PollOutcome, Sink
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


def open_state(database_url: str, default_interval: float = 300.0) -> StateStore:
    """The state store, migrated to the newest schema with Alembic."""
    from sqlalchemy.orm import sessionmaker

    from communique.ingest.adapters.migrate import migrate
    from communique.runtime.db import make_engine

    migrate(database_url)
    engine = make_engine(database_url)
    return StateStore(sessionmaker(engine, expire_on_commit=False), default_interval=default_interval)


def article_message(article: ArticleV1, topic: str) -> OutMessage:
    """An article as a Kafka message keyed by its id."""
    return OutMessage(
        topic=topic, value=article.model_dump_json().encode(), key=article.id.encode(),
        headers=cloudevent_headers(ce_type=ARTICLE_EVENT_TYPE, ce_source="communique/ingest", ce_id=article.id,
                                   extra={"ce_language": article.language or ""}),
    )


async def poll_all(feeds: Sequence[FeedSpec], state: StateStore, settings: IngestSettings,
                   sink: Sink) -> list[PollOutcome]:
    """Poll every feed once, due or not (the `once` command); validators still apply."""
    records = await asyncio.to_thread(state.upsert_feeds, list(feeds), time.time(), origin="once")
    async with Poller(settings, state, sink) as poller:
        return await poller.poll_all(records)


def replica_name(settings: IngestSettings) -> str:
    """This replica's lease owner name."""
    return settings.replica_id or f"{socket.gethostname()}:{os.getpid()}"


async def schedule_loop(settings: IngestSettings, state: StateStore, sink: Sink, stop: asyncio.Event,
                        owner: str) -> None:
    """Claim due feeds (leases), poll them, repeat until ``stop``; release leases on the way out."""
    running: dict[str, asyncio.Task[PollOutcome]] = {}
    capacity = max(settings.claim_batch, settings.concurrency * 2)
    last_report, done, new_total, last_prune = time.monotonic(), 0, 0, 0.0
    # Leases are short so that a dead replica's feeds are soon taken over; a replica renews the
    # leases of the polls it still runs (a slow feed, many pages) well before they expire.
    renew_every, last_renew = settings.lease_seconds / 3, time.monotonic()
    reclaimed = await asyncio.to_thread(state.release_owner, owner)
    if reclaimed:
        log.info("released leases left by an earlier run of this replica", feeds=reclaimed, replica=owner)
    async with Poller(settings, state, sink, owner=owner) as poller:
        try:
            while not stop.is_set():
                now = time.time()
                if now - last_prune > 3600:
                    await asyncio.to_thread(state.prune_items, now - max(settings.title_dedup_days * 86_400,
                                                                             TITLE_WINDOW.total_seconds()))
                    await asyncio.to_thread(state.trim_fetch_log)
                    last_prune = now
                room = capacity - len(running)
                if room > 0:
                    claimed = await asyncio.to_thread(state.claim_due, owner, now, room, settings.lease_seconds)
                    for feed in claimed:
                        running[feed.id] = asyncio.create_task(poller.poll(feed), name=f"poll {feed.spec.url}")
                finished = [fid for fid, t in running.items() if t.done()]
                for fid in finished:
                    task = running.pop(fid)
                    if task.cancelled() or task.exception() is not None:
                        log.warning("poll failed; the lease will expire and the feed be retried", feed_id=fid,
                                    error=repr(task.exception()) if not task.cancelled() else "cancelled")
                        continue
                    done += 1
                    new_total += task.result().new
                if running and time.monotonic() - last_renew > renew_every:
                    await asyncio.to_thread(state.renew, list(running), owner, time.time() + settings.lease_seconds)
                    last_renew = time.monotonic()
                if time.monotonic() - last_report > 30:
                    log.info("ingest progress", polled=done, new=new_total, in_flight=len(running))
                    last_report = time.monotonic()
                # Wake at the next due time, when a poll finishes, or on stop, whichever is first.
                wait = 1.0 if room <= 0 or not running else 0.25
                nxt = await asyncio.to_thread(state.next_due_at)
                if nxt is not None:
                    wait = max(0.05, min(wait if running else 5.0, nxt - time.time()))
                waiters: list[asyncio.Future[object]] = [asyncio.ensure_future(stop.wait()), *running.values()]  # type: ignore[list-item]
                await asyncio.wait(waiters, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
                waiters[0].cancel()
        finally:
            # Finish in-flight polls so acknowledged articles are recorded as seen.
            if running:
                await asyncio.wait(running.values(), timeout=settings.timeout * 2 + 5)
            leftover = [fid for fid, t in running.items() if not t.done()]
            for fid in leftover:
                running[fid].cancel()
            await asyncio.to_thread(state.release, leftover, owner)


def warm_up() -> None:
    """Load the language model and the page extractor now, not inside the first poll.

    Both load lazily and take seconds (the language model is LZMA-compressed): paid in the
    first poll they would delay its articles and block the event loop.
    """
    from communique.ingest.adapters.pages import extract_page
    from communique.ingest.domain.language import guess_language

    guess_language("Warm-up: the ministers met in the capital.", None)
    extract_page("<html><body><article><p>Warm-up: the ministers met in the capital and signed "
                 "an agreement on trade.</p></article></body></html>", "https://warm.up/")


async def run_service(settings: IngestSettings, state: StateStore, stop: asyncio.Event, health: Health) -> None:
    """Sync the configured feeds, connect to Kafka and poll until stopped."""
    k = settings.kafka
    await asyncio.to_thread(warm_up)
    feeds = load_feeds(settings)
    await asyncio.to_thread(state.upsert_feeds, feeds, time.time(), origin="config", prune=True)
    producer = Producer(k)
    await producer.start()
    await ensure_topics(k, [k.articles_topic, k.events_topic])
    health.add("kafka", lambda: producer.is_ready)

    async def publish(articles: Sequence[ArticleV1]) -> None:
        await producer.send_all([article_message(a, k.articles_topic) for a in articles])
        metrics.PUBLISHED.labels("ingest", k.articles_topic).inc(len(articles))

    owner = replica_name(settings)
    log.info("polling feeds", feeds=len(feeds), interval=settings.poll_interval, replica=owner)
    try:
        await schedule_loop(settings, state, publish, stop, owner)
    finally:
        await producer.stop()


def main() -> None:
    """Entry point of `communique ingest`."""
    settings = load_settings(IngestSettings)
    state = open_state(settings.database_url, settings.poll_interval)
    app = admin_app(state, settings)
    asyncio.run(serve("ingest", settings, lambda stop, health: run_service(settings, state, stop, health), app=app))
