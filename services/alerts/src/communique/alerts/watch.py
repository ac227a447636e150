"""`communique watch`: print matching events (or alerts) live at a terminal."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition

from communique.contracts import AlertV1, EventV1
from communique.runtime.consumer import Record, _to_record
from communique.runtime.settings import KafkaSettings


@dataclass(frozen=True)
class WatchFilter:
    """What to show."""

    actors: tuple[str, ...] = ()
    cameo: tuple[str, ...] = ()
    rule: str | None = None

    def headers_match(self, headers: dict[str, str]) -> bool:
        """Cheap pre-filter on message headers, without decoding the payload."""
        if self.rule is not None:
            return headers.get("ce_rule") == self.rule
        if self.actors and not ({headers.get("ce_source_actor"), headers.get("ce_target_actor")} & set(self.actors)):
            return False
        return not (self.cameo and not any(headers.get("ce_cameo_root", "") == c[:2] for c in self.cameo))

    def event_matches(self, event: EventV1) -> bool:
        """Full check on the decoded event."""
        if self.actors and not ({event.source.code, event.target.code if event.target else ""} & set(self.actors)):
            return False
        return not (self.cameo and not event.cameo.startswith(self.cameo))


def format_event(event: EventV1, fmt: str, rule: str | None = None) -> str:
    """One line per event: a table row or JSON."""
    if fmt == "json":
        if rule is None:
            return event.model_dump_json()
        return json.dumps({"rule": rule, "event": event.model_dump(mode="json")})
    tgt = event.target.code if event.target else "-"
    sentence = event.evidence.sentence.replace("\n", " ")
    if len(sentence) > 90:
        sentence = sentence[:87] + "…"
    prefix = f"[{rule}] " if rule else ""
    return (f"{prefix}{event.date}  {event.source.code:>6} → {tgt:<6} {event.cameo:<4} {event.goldstein:+5.1f}  "
            f"{event.confidence:.2f}  {(event.source_name or '')[:20]:<20}  {sentence}")


async def watch(settings: KafkaSettings, flt: WatchFilter, *, fmt: str, from_beginning: bool,
                limit: int | None, emit: Callable[[str], None], idle_timeout: float | None = None) -> int:
    """Stream matching messages to ``emit``; returns how many were shown.

    Reads every partition without joining a consumer group, so watching never
    takes work away from the services or commits offsets.
    """
    topic = settings.alerts_topic if flt.rule else settings.events_topic
    consumer = AIOKafkaConsumer(**settings.client_options(), enable_auto_commit=False,  # type: ignore[arg-type]
                                fetch_max_wait_ms=settings.fetch_max_wait_ms)
    await consumer.start()
    shown = 0
    try:
        parts = None
        for _ in range(50):
            parts = consumer.partitions_for_topic(topic)
            if parts:
                break
            await consumer._client.force_metadata_update()
            await asyncio.sleep(0.2)
        if not parts:
            raise SystemExit(f"topic {topic} does not exist")
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.assign(tps)
        if from_beginning:
            await consumer.seek_to_beginning(*tps)
        else:
            await consumer.seek_to_end(*tps)
        loop = asyncio.get_running_loop()
        last = loop.time()
        while limit is None or shown < limit:
            batch = await consumer.getmany(timeout_ms=500)
            records: list[Record] = [_to_record(m) for msgs in batch.values() for m in msgs]
            if records:
                last = loop.time()
            elif idle_timeout is not None and loop.time() - last > idle_timeout:
                break
            for r in sorted(records, key=lambda r: r.timestamp_ms):
                if not flt.headers_match(r.headers) or r.value is None:
                    continue
                try:
                    if flt.rule:
                        alert = AlertV1.model_validate_json(r.value)
                        line = format_event(alert.event, fmt, rule=alert.rule)
                    else:
                        event = EventV1.model_validate_json(r.value)
                        if not flt.event_matches(event):
                            continue
                        line = format_event(event, fmt)
                except ValueError:
                    continue  # not ours to judge: the services dead-letter malformed messages
                emit(line)
                shown += 1
                if limit is not None and shown >= limit:
                    break
    finally:
        await consumer.stop()
    return shown
