"""Extract service: articles in, coded events out, committed only after publishing."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from datetime import date
from pathlib import Path

from communique.contracts import EVENT_EVENT_TYPE, ArticleV1, EventV1
from communique.extract.domain.coder import ArticleInput, EventCoder
from communique.extract.settings import ExtractSettings
from communique.runtime import metrics
from communique.runtime.consumer import BatchConsumer, Failure, PermanentError, Record
from communique.runtime.health import Health, serve
from communique.runtime.kafka import OutMessage, Producer, cloudevent_headers, ensure_topics
from communique.runtime.logs import get_logger
from communique.runtime.settings import load_settings

log = get_logger(__name__)

_CODER: EventCoder | None = None


def _init_worker(name: str, overlay_dir: Path | None) -> None:
    """Load the coder once per worker process."""
    global _CODER
    from communique.extract.factory import build_coder

    _CODER = build_coder(name, overlay_dir=overlay_dir)


def _warm(delay: float) -> bool:
    """Runs in a worker so that it starts (and loads its coder) before the first batch."""
    import time

    assert _CODER is not None, "worker not initialised"
    _CODER.code(ArticleInput(id="warm-up", text="The ministers met in the capital.", language="en"))
    time.sleep(delay)
    return True


async def warm_up(executor: Executor, workers: int) -> None:
    """Start every worker and load its coder now, not inside the first batch (seconds each)."""
    loop = asyncio.get_running_loop()
    # Jobs that overlap make the pool start a process for each.
    await asyncio.gather(*(loop.run_in_executor(executor, _warm, 0.2) for _ in range(workers)))


def _code_one(article: ArticleInput) -> list[EventV1]:
    assert _CODER is not None, "worker not initialised"
    return _CODER.code(article)


def to_input(article: ArticleV1) -> ArticleInput:
    """What the coder needs of a wire article."""
    when = article.published_or_fetched()
    return ArticleInput(
        id=article.id,
        text=article.text or article.summary,
        title=article.title,
        language=article.language,
        published=date(when.year, when.month, when.day),
        source_name=article.source_name,
        url=article.url,
    )


def event_message(event: EventV1, topic: str) -> OutMessage:
    """One event as a Kafka message keyed by dyad, with CloudEvents and filter headers."""
    extra = {
        "ce_source_actor": event.source.code,
        "ce_target_actor": event.target.code if event.target else "",
        "ce_cameo_root": event.cameo_root,
        "ce_quad_class": str(event.quad_class),
        "ce_language": event.language,
    }
    return OutMessage(
        topic=topic,
        value=event.model_dump_json().encode(),
        key=event.dyad_key().encode(),
        headers=cloudevent_headers(ce_type=EVENT_EVENT_TYPE, ce_source="communique/extract",
                                   ce_id=event.event_id, extra=extra),
    )


class ExtractHandler:
    """Codes a batch of articles in the worker pool and publishes their events."""

    def __init__(self, settings: ExtractSettings, executor: Executor, producer: Producer) -> None:
        self._settings = settings
        self._executor = executor
        self._producer = producer

    async def __call__(self, records: list[Record]) -> list[Failure]:
        loop = asyncio.get_running_loop()
        failures: list[Failure] = []
        jobs: list[tuple[Record, ArticleV1, asyncio.Future[list[EventV1]]]] = []
        for r in records:
            try:
                article = r.decode(ArticleV1)
            except PermanentError as exc:
                failures.append(Failure(r, exc))
                continue
            jobs.append((r, article, loop.run_in_executor(self._executor, _code_one, to_input(article))))
        topic = self._settings.kafka.events_topic
        # Each article's events go out as soon as it is coded; the batch is committed after all are acked.
        sends: list[asyncio.Task[None]] = []
        published = 0
        try:
            for r, article, fut in jobs:
                try:
                    events = await fut
                except Exception as exc:
                    failures.append(Failure(r, PermanentError(f"coder failed: {exc!r}")))
                    continue
                out = [event_message(ev.model_copy(update={"source_name": ev.source_name or article.source_name,
                                                           "article_url": ev.article_url or article.url}), topic)
                       for ev in events]
                if out:
                    sends.append(asyncio.create_task(self._producer.send_all(out)))
                    published += len(out)
            await asyncio.gather(*sends)
        finally:
            for task in sends:
                task.cancel()
        metrics.PUBLISHED.labels("extract", topic).inc(published)
        return failures


def make_executor(settings: ExtractSettings) -> Executor:
    """A process pool of ``workers`` coders, or one in-process coder thread."""
    workers = settings.workers or os.cpu_count() or 1
    if workers == 1:
        _init_worker(settings.coder, settings.overlay_dir)
        return ThreadPoolExecutor(max_workers=1)
    return ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                               initargs=(settings.coder, settings.overlay_dir))


async def run_service(settings: ExtractSettings, stop: asyncio.Event, health: Health) -> None:
    """Consume articles until stopped."""
    k = settings.kafka
    executor = make_executor(settings)
    await warm_up(executor, settings.workers or os.cpu_count() or 1)
    producer = Producer(k)
    await producer.start()
    await ensure_topics(k, [k.articles_topic, k.events_topic])
    consumer = BatchConsumer(k, topics=[k.articles_topic], group_id=settings.group_id,
                             handler=ExtractHandler(settings, executor, producer), producer=producer,
                             service="extract")
    health.add("kafka", lambda: consumer.ready)
    try:
        await consumer.run(stop)
    finally:
        await producer.stop()
        executor.shutdown(wait=True, cancel_futures=True)


def main() -> None:
    """Entry point of `communique extract`."""
    settings = load_settings(ExtractSettings)
    asyncio.run(serve("extract", settings, lambda stop, health: run_service(settings, stop, health)))
