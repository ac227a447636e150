"""The consumer loop every service uses.

At-least-once: a batch is fetched, handed to the handler, and its offsets are
committed only after the handler returned (its work is durable) and every
dead letter was acknowledged. Transient errors are retried with backoff and
never committed past; permanent failures go to ``<topic>.dlq`` with headers
naming the error, so one poison message never blocks or kills the stream.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaConnectionError, KafkaError
from pydantic import BaseModel, ValidationError

from communique.contracts import dlq_topic
from communique.runtime import metrics
from communique.runtime.kafka import OutMessage, Producer, header_dict
from communique.runtime.logs import get_logger
from communique.runtime.settings import KafkaSettings

log = get_logger(__name__)

M = TypeVar("M", bound=BaseModel)


class PermanentError(Exception):
    """The record can never be processed as it is; it belongs in the dead-letter topic."""


class TransientError(Exception):
    """The work failed for a reason that may pass (database down, timeout); retry later."""


TRANSIENT_TYPES: tuple[type[BaseException], ...] = (
    TransientError, KafkaError, ConnectionError, TimeoutError, asyncio.TimeoutError,
)


@dataclass(frozen=True)
class Record:
    """A consumed Kafka message."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, str]
    timestamp_ms: int

    def decode(self, model: type[M]) -> M:
        """Parse the JSON value into ``model``; raises ``PermanentError`` when it cannot."""
        if self.value is None:
            raise PermanentError("empty message value")
        try:
            return model.model_validate_json(self.value)
        except ValidationError as exc:
            try:
                json.loads(self.value)
            except ValueError as jexc:
                raise PermanentError(f"not valid JSON: {jexc}") from exc
            raise PermanentError(f"does not match {model.__name__}: {exc.errors()[:3]}") from exc


@dataclass(frozen=True)
class Failure:
    """A record the handler could not process, and why."""

    record: Record
    error: BaseException


Handler = Callable[[list[Record]], Awaitable[Sequence[Failure] | None]]


def is_transient(exc: BaseException) -> bool:
    """Whether retrying may help."""
    return isinstance(exc, TRANSIENT_TYPES) and not isinstance(exc, PermanentError)


def dead_letter(record: Record, error: BaseException, *, service: str, attempts: int) -> OutMessage:
    """The dead-letter message for ``record``: its bytes unchanged, the error in headers."""
    headers = [(k, v.encode()) for k, v in record.headers.items()]
    headers += [
        ("error_class", type(error).__name__.encode()),
        ("error_message", str(error)[:2000].encode("utf-8", "replace")),
        ("error_service", service.encode()),
        ("error_attempts", str(attempts).encode()),
        ("error_time", datetime.now(UTC).isoformat().encode()),
        ("original_topic", record.topic.encode()),
        ("original_partition", str(record.partition).encode()),
        ("original_offset", str(record.offset).encode()),
    ]
    return OutMessage(topic=dlq_topic(record.topic), value=record.value or b"", key=record.key, headers=headers)


class BatchConsumer:
    """Consume ``topics`` in batches with at-least-once, commit-after-work semantics."""

    def __init__(
        self,
        settings: KafkaSettings,
        *,
        topics: Sequence[str],
        group_id: str,
        handler: Handler,
        producer: Producer,
        service: str,
    ) -> None:
        self._settings = settings
        self._topics = list(topics)
        self._group_id = group_id
        self._handler = handler
        self._producer = producer
        self._service = service
        self._consumer: AIOKafkaConsumer | None = None
        self.ready = False
        self.batches = 0

    async def _start_consumer(self, stop: asyncio.Event) -> AIOKafkaConsumer | None:
        delay = self._settings.retry_backoff_s
        while not stop.is_set():
            consumer = AIOKafkaConsumer(
                *self._topics,
                **self._settings.client_options(),  # type: ignore[arg-type]
                group_id=self._group_id,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                max_poll_records=self._settings.max_batch,
                session_timeout_ms=self._settings.session_timeout_ms,
                heartbeat_interval_ms=self._settings.heartbeat_interval_ms,
                fetch_max_wait_ms=self._settings.fetch_max_wait_ms,
                max_partition_fetch_bytes=16 * 1024 * 1024,
                fetch_max_bytes=64 * 1024 * 1024,
            )
            try:
                await consumer.start()
                return consumer
            except KafkaConnectionError as exc:
                await consumer.stop()
                log.warning("broker not reachable, retrying", error=str(exc), delay=delay)
                await _sleep_or_stop(stop, delay)
                delay = min(delay * 2, self._settings.retry_backoff_max_s)
        return None

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set; then finish the batch in hand, commit and close."""
        consumer = await self._start_consumer(stop)
        if consumer is None:
            return
        self._consumer = consumer
        self.ready = True
        log.info("consuming", topics=self._topics, group=self._group_id)
        try:
            while not stop.is_set():
                batch = await consumer.getmany(
                    timeout_ms=self._settings.batch_timeout_ms, max_records=self._settings.max_batch
                )
                records = [
                    _to_record(m) for tp in sorted(batch, key=lambda t: (t.topic, t.partition)) for m in batch[tp]
                ]
                if not records:
                    continue
                started = time.perf_counter()
                done = await self._process(records, stop)
                if not done:
                    break  # stopped while retrying: leave offsets uncommitted for redelivery
                await self._commit(consumer, records)
                self.batches += 1
                metrics.BATCH_SECONDS.labels(self._service).observe(time.perf_counter() - started)
                for r in records:
                    metrics.CONSUMED.labels(self._service, r.topic).inc()
        finally:
            self.ready = False
            await consumer.stop()
            log.info("consumer closed", group=self._group_id)

    async def _process(self, records: list[Record], stop: asyncio.Event) -> bool:
        """Run the handler until the batch is durable; returns False if stopped first."""
        attempts = 0
        delay = self._settings.retry_backoff_s
        while True:
            attempts += 1
            try:
                failures = await self._handler(records) or ()
            except BaseException as exc:
                if isinstance(exc, asyncio.CancelledError | KeyboardInterrupt | SystemExit):
                    raise
                if is_transient(exc):
                    metrics.RETRIES.labels(self._service).inc()
                    log.warning("transient error, retrying batch", error=repr(exc), attempt=attempts,
                                delay=delay, records=len(records))
                    if await _sleep_or_stop(stop, delay):
                        return False
                    delay = min(delay * 2, self._settings.retry_backoff_max_s)
                    continue
                if len(records) > 1:
                    # Isolate the poison record(s): process one by one.
                    log.warning("batch failed, isolating records", error=repr(exc), records=len(records))
                    for record in records:
                        if not await self._process([record], stop):
                            return False
                    return True
                failures = [Failure(records[0], exc)]
            if failures:
                await self._producer.send_all(
                    [dead_letter(f.record, f.error, service=self._service, attempts=attempts) for f in failures]
                )
                for f in failures:
                    metrics.DEAD_LETTERED.labels(self._service, f.record.topic).inc()
                    log.error("dead-lettered", topic=f.record.topic, partition=f.record.partition,
                              offset=f.record.offset, error=repr(f.error))
            return True

    async def _commit(self, consumer: AIOKafkaConsumer, records: list[Record]) -> None:
        offsets: dict[TopicPartition, int] = {}
        for r in records:
            tp = TopicPartition(r.topic, r.partition)
            offsets[tp] = max(offsets.get(tp, 0), r.offset + 1)
        try:
            await consumer.commit(offsets)
        except (CommitFailedError, IllegalStateError) as exc:
            # The group rebalanced; the new owner will receive these records again,
            # which idempotent handlers absorb.
            log.warning("commit failed after rebalance; records will be redelivered", error=str(exc))


def _to_record(message: object) -> Record:
    m = message
    return Record(
        topic=m.topic,  # type: ignore[attr-defined]
        partition=m.partition,  # type: ignore[attr-defined]
        offset=m.offset,  # type: ignore[attr-defined]
        key=m.key,  # type: ignore[attr-defined]
        value=m.value,  # type: ignore[attr-defined]
        headers=header_dict(m.headers),  # type: ignore[attr-defined]
        timestamp_ms=m.timestamp,  # type: ignore[attr-defined]
    )


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep, waking early if ``stop`` is set; returns True if stopped."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True
