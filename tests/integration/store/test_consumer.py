"""The store consumer: Kafka → database, idempotent, poison messages dead-lettered."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from communique.contracts import dlq_topic
from communique.runtime.db import make_engine
from communique.runtime.health import Health
from communique.runtime.kafka import OutMessage, Producer, ensure_topics
from communique.runtime.settings import KafkaSettings
from communique.store.consumer import run_consumer
from communique.store.schema import ArticleRow, EventRow
from communique.store.settings import StoreSettings
from communique.store.storage.migrate import upgrade
from tests.kafka_helpers import read_all, wait_for
from tests.store_helpers import article, event

pytestmark = [pytest.mark.integration]


def counts(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    with engine.connect() as c:
        n_a = c.scalar(select(func.count()).select_from(ArticleRow))
        n_e = c.scalar(select(func.count()).select_from(EventRow))
    engine.dispose()
    return int(n_a or 0), int(n_e or 0)


@pytest.mark.asyncio
async def test_consumer_stores_batches_idempotently(broker: str, topic_prefix: str, database_url: str) -> None:
    upgrade(database_url)
    k = KafkaSettings(bootstrap_servers=broker, articles_topic=f"{topic_prefix}.a", events_topic=f"{topic_prefix}.e",
                      partitions=2, batch_timeout_ms=100)
    settings = StoreSettings(database_url=database_url, kafka=k, group_id=f"{topic_prefix}-store")
    await ensure_topics(k, [k.articles_topic, k.events_topic])
    arts = [article(i) for i in range(1, 4)]
    evs = [event(f"art{i}", cameo=c) for i in range(1, 4) for c in ("042", "057")]
    msgs = [OutMessage(k.articles_topic, a.model_dump_json().encode(), a.id.encode(), []) for a in arts]
    msgs += [OutMessage(k.events_topic, e.model_dump_json().encode(), e.dyad_key().encode(), []) for e in evs]
    # Every message twice (at-least-once redelivery), plus one poison message per topic.
    msgs = msgs + msgs
    msgs += [OutMessage(k.events_topic, b'{"event_id": "x"}', None, []),
             OutMessage(k.articles_topic, b"\xff\xfe garbage", None, [])]
    producer = Producer(k)
    await producer.start()
    await producer.send_all(msgs)
    await producer.stop()

    stop = asyncio.Event()
    task = asyncio.create_task(run_consumer(settings, stop, Health()))
    try:
        await wait_for(lambda: counts(database_url) == (3, 6), timeout=40, message="rows stored")
        dead_e = await read_all(broker, dlq_topic(k.events_topic), expect=1)
        dead_a = await read_all(broker, dlq_topic(k.articles_topic), expect=1)
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
    assert counts(database_url) == (3, 6)
    assert [d.value for d in dead_e] == [b'{"event_id": "x"}']
    assert "does not match EventV1" in dead_e[0].headers["error_message"]
    assert [d.value for d in dead_a] == [b"\xff\xfe garbage"]


def test_a_database_outage_is_transient_so_the_batch_is_retried_not_committed() -> None:
    from communique.runtime.consumer import Record, TransientError
    from communique.store.consumer import StoreHandler
    from communique.store.storage.db import session_factory

    settings = StoreSettings(database_url="postgresql+psycopg://postgres@127.0.0.1:1/communique")
    engine = make_engine(settings.database_url)
    handler = StoreHandler(session_factory(engine), settings)
    record = Record(settings.kafka.events_topic, 0, 0, None, event().model_dump_json().encode(), {}, 0)
    with pytest.raises(TransientError, match="database"):
        asyncio.run(handler([record]))
    engine.dispose()
