"""Store consumer: articles and events from Kafka into the database, idempotently."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import psycopg
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from communique.contracts import ArticleV1, EventV1
from communique.runtime.consumer import BatchConsumer, Failure, PermanentError, Record, TransientError
from communique.runtime.health import Health
from communique.runtime.kafka import Producer, ensure_topics
from communique.runtime.logs import get_logger
from communique.store.settings import StoreSettings
from communique.store.storage.db import make_engine, save_batch, session_factory

log = get_logger(__name__)


def decode_batch(
    records: Sequence[Record], articles_topic: str, events_topic: str
) -> tuple[list[ArticleV1], list[EventV1], list[Failure]]:
    """Split a batch into valid articles, valid events and undecodable records."""
    articles: list[ArticleV1] = []
    events: list[EventV1] = []
    failures: list[Failure] = []
    for r in records:
        try:
            if r.topic == articles_topic:
                articles.append(r.decode(ArticleV1))
            elif r.topic == events_topic:
                events.append(r.decode(EventV1))
            else:
                raise PermanentError(f"unexpected topic {r.topic}")
        except PermanentError as exc:
            failures.append(Failure(r, exc))
    return articles, events, failures


class StoreHandler:
    """Writes each batch in one transaction; database outages are transient."""

    def __init__(self, sessions: sessionmaker[Session], settings: StoreSettings) -> None:
        self._sessions = sessions
        self._settings = settings

    def _write(self, articles: list[ArticleV1], events: list[EventV1]) -> None:
        with self._sessions.begin() as session:
            save_batch(session, articles, events, self._settings.cluster_window_days)

    async def __call__(self, records: list[Record]) -> list[Failure]:
        k = self._settings.kafka
        articles, events, failures = decode_batch(records, k.articles_topic, k.events_topic)
        try:
            await asyncio.to_thread(self._write, articles, events)
        except OperationalError as exc:
            raise TransientError(f"database unavailable: {exc.orig}") from exc
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:  # raised by the COPY path directly
            raise TransientError(f"database unavailable: {exc}") from exc
        except psycopg.errors.UniqueViolation as exc:
            # Another writer stored one of these events after this batch looked (a rebalance);
            # the retry sees it and upserts.
            raise TransientError(f"concurrent write: {exc}") from exc
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise TransientError(f"database connection lost: {exc.orig}") from exc
            raise
        return failures


async def run_consumer(settings: StoreSettings, stop: asyncio.Event, health: Health) -> None:
    """Consume until stopped."""
    k = settings.kafka
    engine = make_engine(settings.database_url)
    producer = Producer(k)
    await producer.start()
    await ensure_topics(k, [k.articles_topic, k.events_topic])
    consumer = BatchConsumer(
        k, topics=[k.articles_topic, k.events_topic], group_id=settings.group_id,
        handler=StoreHandler(session_factory(engine), settings), producer=producer, service="store",
    )
    health.add("kafka", lambda: consumer.ready)
    try:
        await consumer.run(stop)
    finally:
        await producer.stop()
        engine.dispose()
