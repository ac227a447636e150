"""Kafka plumbing on aiokafka: topics, CloudEvents headers, a producer."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAlreadyExistsError

from communique.contracts import dlq_topic
from communique.runtime.logs import get_logger
from communique.runtime.settings import KafkaSettings

log = get_logger(__name__)

Headers = list[tuple[str, bytes]]


def cloudevent_headers(
    *, ce_type: str, ce_source: str, ce_id: str | None = None, time: datetime | None = None,
    extra: dict[str, str] | None = None,
) -> Headers:
    """CloudEvents 1.0 binary-mode headers for a JSON payload.

    ``ce_id`` should be deterministic (the article or event id) so that a consumer
    can recognise a redelivered message.
    """
    headers: Headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", (ce_id or uuid.uuid4().hex).encode()),
        ("ce_type", ce_type.encode()),
        ("ce_source", ce_source.encode()),
        ("ce_time", (time or datetime.now(UTC)).isoformat().encode()),
        ("content-type", b"application/json"),
    ]
    for key, value in (extra or {}).items():
        headers.append((key, value.encode()))
    return headers


def header_dict(headers: Sequence[tuple[str, bytes]] | None) -> dict[str, str]:
    """Decode message headers into a dict (last value wins)."""
    return {k: v.decode("utf-8", "replace") for k, v in (headers or ())}


async def ensure_topics(settings: KafkaSettings, topics: Iterable[str], *, with_dlq: bool = True) -> None:
    """Create ``topics`` (and their dead-letter topics) if missing, with the configured partitions."""
    if not settings.create_topics:
        return
    wanted = set(topics)
    if with_dlq:
        wanted |= {dlq_topic(t) for t in list(wanted)}
    admin = AIOKafkaAdminClient(**settings.client_options())  # type: ignore[arg-type]
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = sorted(wanted - existing)
        if missing:
            try:
                await admin.create_topics(
                    [NewTopic(t, settings.partitions, settings.replication_factor) for t in missing]
                )
            except TopicAlreadyExistsError:
                pass  # another replica created it first
            log.info("topics created", topics=missing, partitions=settings.partitions)
    finally:
        await admin.close()


@dataclass(frozen=True)
class OutMessage:
    """A message to publish."""

    topic: str
    value: bytes
    key: bytes | None
    headers: Headers


class Producer:
    """An aiokafka producer with acks=all; idempotence follows the settings."""

    def __init__(self, settings: KafkaSettings) -> None:
        self._settings = settings
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        """Connect, retrying while the broker is not yet reachable."""
        delay = self._settings.retry_backoff_s
        while True:
            producer = AIOKafkaProducer(
                **self._settings.client_options(),  # type: ignore[arg-type]
                acks="all",
                enable_idempotence=self._settings.enable_idempotence,
                linger_ms=self._settings.linger_ms,
                max_request_size=16 * 1024 * 1024,
            )
            try:
                await producer.start()
            except KafkaConnectionError as exc:
                await producer.stop()
                log.warning("broker not reachable, retrying", error=str(exc), delay=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._settings.retry_backoff_max_s)
                continue
            self._producer = producer
            return

    async def stop(self) -> None:
        """Flush and close."""
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def send_all(self, messages: Sequence[OutMessage]) -> None:
        """Publish every message and wait until the broker acknowledged all of them."""
        if self._producer is None:
            raise RuntimeError("producer not started")
        futures = [
            await self._producer.send(m.topic, m.value, key=m.key, headers=m.headers) for m in messages
        ]
        if futures:
            await asyncio.gather(*futures)

    async def send(self, message: OutMessage) -> None:
        """Publish one message and wait for its acknowledgement."""
        await self.send_all([message])

    @property
    def is_ready(self) -> bool:
        """True once connected."""
        return self._producer is not None


__all__ = [
    "Headers",
    "KafkaError",
    "OutMessage",
    "Producer",
    "cloudevent_headers",
    "ensure_topics",
    "header_dict",
]
