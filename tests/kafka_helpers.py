"""Test helpers that talk to the real broker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, TopicPartition

from communique.runtime.consumer import Record, _to_record


async def read_all(bootstrap: str, topic: str, timeout: float = 10.0, expect: int | None = None) -> list[Record]:
    """Every message currently in ``topic`` (all partitions), without a consumer group."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        deadline = time.monotonic() + timeout
        parts: set[int] | None = None
        while parts is None and time.monotonic() < deadline:
            parts = consumer.partitions_for_topic(topic)
            if parts is None:
                await consumer._client.force_metadata_update()
                await asyncio.sleep(0.1)
        if not parts:
            return []
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        out: list[Record] = []
        while time.monotonic() < deadline:
            end = await consumer.end_offsets(tps)
            positions = {tp: await consumer.position(tp) for tp in tps}
            if all(positions[tp] >= end[tp] for tp in tps) and (expect is None or len(out) >= expect):
                break
            batch = await consumer.getmany(timeout_ms=200)
            out.extend(_to_record(m) for msgs in batch.values() for m in msgs)
        return out
    finally:
        await consumer.stop()


async def wait_for(predicate: Callable[[], Awaitable[bool]] | Callable[[], bool], timeout: float = 20.0,
                   interval: float = 0.1, message: str = "condition") -> None:
    """Poll ``predicate`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


async def committed_total(bootstrap: str, group: str, topic: str) -> int:
    """Sum of the offsets ``group`` committed on the partitions of ``topic`` (without joining the group)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        if not parts:
            await consumer._client.force_metadata_update()
            parts = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.assign(tps)
        total = 0
        for tp in tps:
            total += await consumer.committed(tp) or 0
        return total
    finally:
        await consumer.stop()
