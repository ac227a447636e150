"""Alerts service: evaluate rules over the events stream, publish matches, call webhooks."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from communique.alerts.adapters.state import AlertsBase, AlertStore
from communique.alerts.adapters.webhook import post_alert
from communique.alerts.api import admin_app
from communique.alerts.domain.rules import Rule, matches, parse_rules
from communique.alerts.domain.windows import Observation, decide
from communique.alerts.settings import AlertsSettings
from communique.contracts import ALERT_EVENT_TYPE, AlertV1, EventV1, alert_id_for
from communique.runtime import metrics
from communique.runtime.consumer import BatchConsumer, Failure, PermanentError, Record, TransientError
from communique.runtime.db import make_engine
from communique.runtime.health import Health, serve
from communique.runtime.kafka import OutMessage, Producer, cloudevent_headers, ensure_topics
from communique.runtime.logs import get_logger
from communique.runtime.settings import SettingsError, load_settings

log = get_logger(__name__)


def open_store(database_url: str) -> AlertStore:
    """The alert state store, tables created if missing."""
    engine = make_engine(database_url)
    AlertsBase.metadata.create_all(engine)
    return AlertStore(sessionmaker(engine, expire_on_commit=False))


def evaluate(store: AlertStore, rules: Sequence[Rule], items: Sequence[tuple[EventV1, datetime]]) -> int:
    """Evaluate every rule on every event in one transaction; new alerts go to the outbox.

    ``items`` pairs each event with the time it was reported (its message timestamp),
    so a replay of the same messages evaluates to the same alerts.
    """
    created = 0
    with store.sessions.begin() as s:
        for event, at in items:
            for rule in rules:
                if not matches(rule, event):
                    continue
                group = rule.group_of(event)
                outlet = event.source_name or event.article_id
                if rule.min_sources <= 1:
                    outlets, event_ids, fire = [outlet], [event.event_id], True
                else:
                    obs = Observation(event.event_id, outlet, at)
                    since = at - timedelta(seconds=rule.window_seconds)
                    decision = decide(store.observations(s, rule.name, group, since), obs,
                                      min_sources=rule.min_sources, window_seconds=rule.window_seconds,
                                      last_fired_at=store.last_fired(s, rule.name, group, at))
                    store.observe(s, rule.name, group, obs)
                    s.flush()
                    outlets, event_ids, fire = list(decision.outlets), list(decision.event_ids), decision.fire
                if not fire:
                    continue
                alert = AlertV1(
                    alert_id=alert_id_for(rule.name, group, event.event_id), rule=rule.name,
                    rule_description=rule.description, group=group, fired_at=at, event=event,
                    distinct_sources=len(outlets), event_ids=event_ids, outlets=outlets,
                    window_seconds=rule.window_seconds if rule.min_sources > 1 else None,
                )
                store.add_alert(s, alert.alert_id, rule.name, group, at, alert.model_dump_json(), rule.webhook)
                s.flush()
                created += 1
    return created


def alert_message(alert_id: str, rule: str, payload: str, topic: str) -> OutMessage:
    """An alert as a Kafka message keyed by rule."""
    return OutMessage(topic=topic, value=payload.encode(), key=rule.encode(),
                      headers=cloudevent_headers(ce_type=ALERT_EVENT_TYPE, ce_source="communique/alerts",
                                                 ce_id=alert_id, extra={"ce_rule": rule}))


class AlertsHandler:
    """Consumes events; evaluates, then publishes the outbox before offsets are committed."""

    def __init__(self, settings: AlertsSettings, store: AlertStore, producer: Producer,
                 delivered: asyncio.Event) -> None:
        self._settings = settings
        self._store = store
        self._producer = producer
        self._wake_webhooks = delivered

    async def publish_outbox(self) -> int:
        """Publish every unpublished alert, then mark it published."""
        rows = await asyncio.to_thread(self._store.unpublished)
        if not rows:
            return 0
        topic = self._settings.kafka.alerts_topic
        await self._producer.send_all([alert_message(r.alert_id, r.rule, r.payload, topic) for r in rows])
        await asyncio.to_thread(self._store.mark_published, [r.alert_id for r in rows])
        metrics.PUBLISHED.labels("alerts", topic).inc(len(rows))
        for r in rows:
            log.info("alert", rule=r.rule, group=r.group_key, alert_id=r.alert_id)
        self._wake_webhooks.set()
        return len(rows)

    async def __call__(self, records: list[Record]) -> list[Failure]:
        failures: list[Failure] = []
        items: list[tuple[EventV1, datetime]] = []
        for r in records:
            try:
                items.append((r.decode(EventV1), datetime.fromtimestamp(r.timestamp_ms / 1000, UTC)))
            except PermanentError as exc:
                failures.append(Failure(r, exc))
        try:
            rules = await asyncio.to_thread(self._store.rules)
            await asyncio.to_thread(evaluate, self._store, rules, items)
        except OperationalError as exc:
            raise TransientError(f"alert state database unavailable: {exc.orig}") from exc
        await self.publish_outbox()
        return failures


async def deliver_webhooks(settings: AlertsSettings, store: AlertStore, wake: asyncio.Event,
                           stop: asyncio.Event) -> None:
    """Deliver pending webhooks with retries and backoff, until stopped."""
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    delay = settings.webhook_backoff_s
    async with httpx.AsyncClient(timeout=settings.webhook_timeout) as client:
        while not stop.is_set():
            pending = await asyncio.to_thread(store.pending_webhooks, settings.webhook_max_attempts)
            failed = False
            for row in pending:
                ok = await post_alert(client, row.webhook or "", row.alert_id, row.payload.encode(), secret)
                await asyncio.to_thread(store.webhook_result, row.alert_id, ok, settings.webhook_max_attempts)
                if not ok:
                    failed = True
                    log.warning("webhook failed", alert_id=row.alert_id, url=row.webhook,
                                attempt=row.webhook_attempts + 1)
            wake.clear()
            timeout = min(delay, 60.0) if failed else 5.0
            delay = delay * 2 if failed else settings.webhook_backoff_s
            try:
                await asyncio.wait_for(_first(wake, stop), timeout=timeout)
            except TimeoutError:
                pass


async def _first(*events: asyncio.Event) -> None:
    tasks = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in tasks:
            t.cancel()


def load_rules_file(settings: AlertsSettings, store: AlertStore) -> None:
    """Sync the rules file into the store (file rules are replaced; API rules are kept)."""
    if settings.rules_file is None:
        return
    try:
        text = settings.rules_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"cannot read ALERTS_RULES_FILE {settings.rules_file}: {exc}") from exc
    store.sync_file_rules(parse_rules(text))


async def run_service(settings: AlertsSettings, store: AlertStore, stop: asyncio.Event, health: Health) -> None:
    """Consume events until stopped."""
    k = settings.kafka
    producer = Producer(k)
    await producer.start()
    await ensure_topics(k, [k.events_topic, k.alerts_topic])
    wake = asyncio.Event()
    handler = AlertsHandler(settings, store, producer, wake)
    await handler.publish_outbox()  # alerts left by a crash between commit and publish
    consumer = BatchConsumer(k, topics=[k.events_topic], group_id=settings.group_id, handler=handler,
                             producer=producer, service="alerts")
    health.add("kafka", lambda: consumer.ready)
    webhooks = asyncio.create_task(deliver_webhooks(settings, store, wake, stop))
    try:
        await consumer.run(stop)
    finally:
        stop.set()
        await webhooks
        await producer.stop()


def main() -> None:
    """Entry point of `communique alerts`."""
    settings = load_settings(AlertsSettings)
    store = open_store(settings.database_url)
    load_rules_file(settings, store)
    app = admin_app(store, settings)
    asyncio.run(serve("alerts", settings, lambda stop, health: run_service(settings, store, stop, health), app=app))
