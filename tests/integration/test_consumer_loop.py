"""The runtime's consumer loop against a real Kafka-protocol broker (Tansu)."""

from __future__ import annotations

import asyncio
import json

import pytest

from communique.contracts import ArticleV1, dlq_topic
from communique.runtime.consumer import BatchConsumer, Failure, PermanentError, Record, TransientError
from communique.runtime.kafka import OutMessage, Producer, cloudevent_headers, ensure_topics
from communique.runtime.settings import KafkaSettings
from tests.kafka_helpers import committed_total, read_all, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


def settings(broker: str, prefix: str) -> KafkaSettings:
    return KafkaSettings(bootstrap_servers=broker, articles_topic=f"{prefix}.articles", partitions=3,
                         retry_backoff_s=0.05, batch_timeout_ms=100)


def article_json(i: int) -> bytes:
    return json.dumps({"id": f"a{i}", "url": f"https://x.org/{i}", "canonical_url": f"https://x.org/{i}",
                       "fetched": "2025-06-16T00:00:00Z", "title": f"t{i}"}).encode()


async def produce(k: KafkaSettings, values: list[bytes]) -> None:
    p = Producer(k)
    await p.start()
    try:
        await p.send_all([OutMessage(k.articles_topic, v, str(i).encode(),
                                     cloudevent_headers(ce_type="test", ce_source="test"))
                          for i, v in enumerate(values)])
    finally:
        await p.stop()


async def run_until(consumer: BatchConsumer, *, check) -> None:  # type: ignore[no-untyped-def]
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        await wait_for(check, timeout=30, message="consumer progress")
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


async def test_commits_after_handler_and_dead_letters_invalid_json(broker: str, topic_prefix: str) -> None:
    k = settings(broker, topic_prefix)
    await ensure_topics(k, [k.articles_topic])
    await produce(k, [article_json(i) for i in range(5)] + [b"{not json"] + [article_json(i) for i in range(5, 8)])
    seen: list[str] = []

    async def handler(records: list[Record]) -> list[Failure]:
        failures = []
        for r in records:
            try:
                seen.append(r.decode(ArticleV1).id)
            except PermanentError as exc:
                failures.append(Failure(r, exc))
        return failures

    producer = Producer(k)
    await producer.start()
    c = BatchConsumer(k, topics=[k.articles_topic], group_id=f"{topic_prefix}-g", handler=handler,
                      producer=producer, service="test")
    await run_until(c, check=lambda: len(seen) >= 8)
    assert sorted(seen) == sorted(f"a{i}" for i in range(8))

    dead = await read_all(broker, dlq_topic(k.articles_topic), expect=1)
    assert len(dead) == 1
    assert dead[0].value == b"{not json"
    assert dead[0].headers["error_class"] == "PermanentError"
    assert "not valid JSON" in dead[0].headers["error_message"]
    assert dead[0].headers["error_service"] == "test"
    assert dead[0].headers["original_topic"] == k.articles_topic
    assert dead[0].headers["ce_type"] == "test"  # original headers are kept

    await producer.stop()
    # Offsets were committed up to the end of every partition.
    assert await committed_total(broker, f"{topic_prefix}-g", k.articles_topic) == 9


async def test_transient_errors_retry_without_loss(broker: str, topic_prefix: str) -> None:
    k = settings(broker, topic_prefix)
    await ensure_topics(k, [k.articles_topic])
    await produce(k, [article_json(i) for i in range(4)])
    calls = {"n": 0}
    seen: set[str] = set()

    async def flaky(records: list[Record]) -> None:
        calls["n"] += 1
        if calls["n"] <= 2:
            raise TransientError("database down")
        seen.update(r.decode(ArticleV1).id for r in records)

    producer = Producer(k)
    await producer.start()
    c = BatchConsumer(k, topics=[k.articles_topic], group_id=f"{topic_prefix}-g", handler=flaky,
                      producer=producer, service="test")
    await run_until(c, check=lambda: len(seen) >= 4)
    await producer.stop()
    assert seen == {f"a{i}" for i in range(4)}
    assert calls["n"] >= 3
    assert await read_all(broker, dlq_topic(k.articles_topic), timeout=2) == []


async def test_a_crashing_record_is_isolated_and_dead_lettered(broker: str, topic_prefix: str) -> None:
    k = settings(broker, topic_prefix)
    await ensure_topics(k, [k.articles_topic])
    await produce(k, [article_json(i) for i in range(6)])
    done: set[str] = set()

    async def picky(records: list[Record]) -> None:
        ids = [r.decode(ArticleV1).id for r in records]
        if "a3" in ids:
            raise ValueError("bug triggered by a3")
        done.update(ids)

    producer = Producer(k)
    await producer.start()
    c = BatchConsumer(k, topics=[k.articles_topic], group_id=f"{topic_prefix}-g", handler=picky,
                      producer=producer, service="test")
    await run_until(c, check=lambda: len(done) >= 5)
    dead = await read_all(broker, dlq_topic(k.articles_topic), expect=1)
    await producer.stop()
    assert done == {f"a{i}" for i in range(6)} - {"a3"}
    assert [json.loads(d.value)["id"] for d in dead] == ["a3"]
    assert dead[0].headers["error_class"] == "ValueError"
