"""The alerts service over a real broker: threshold rules, webhooks, restarts, exactly once."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from communique.alerts.adapters.webhook import sign
from communique.alerts.service import load_rules_file, open_store, run_service
from communique.alerts.settings import AlertsSettings
from communique.contracts import EventV1
from communique.runtime.health import Health
from communique.runtime.kafka import OutMessage, Producer, ensure_topics
from communique.runtime.settings import KafkaSettings
from tests.kafka_helpers import read_all, wait_for
from tests.store_helpers import event

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


class Hooks:
    """A local webhook receiver that records every request."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, str], bytes]] = []
        hooks = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hooks.calls.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def hooks() -> Iterator[Hooks]:
    h = Hooks()
    yield h
    h.server.shutdown()


def expulsion(i: int, outlet: str) -> EventV1:
    return event(f"exp{i}", "RUS", "CZE", "161", date(2025, 6, 16), plover="REDUCE", quad_class=4, goldstein=-4.0,
                 source_name=outlet)


def sanction(i: int, outlet: str) -> EventV1:
    return event(f"san{i}", "USA", "KAZ", "163", date(2025, 6, 16), plover="COERCE", quad_class=4, goldstein=-8.0,
                 source_name=outlet)


async def publish(k: KafkaSettings, events: list[EventV1]) -> None:
    p = Producer(k)
    await p.start()
    await p.send_all([OutMessage(k.events_topic, e.model_dump_json().encode(), e.dyad_key().encode(), [])
                      for e in events])
    await p.stop()


async def test_rules_fire_exactly_once_across_redelivery_and_restart(
    broker: str, topic_prefix: str, tmp_path: Path, hooks: Hooks
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n"
        f"  - name: expulsions\n    cameo: ['161', '166']\n    webhook: {hooks.url}\n"
        "  - name: kaz-sanctions\n    targets: [KAZ]\n    cameo: ['163']\n    min_sources: 3\n    window: 6h\n"
        "    group_by: rule\n"
    )
    k = KafkaSettings(bootstrap_servers=broker, events_topic=f"{topic_prefix}.events",
                      alerts_topic=f"{topic_prefix}.alerts", partitions=2, batch_timeout_ms=100)
    settings = AlertsSettings(kafka=k, rules_file=rules, database_url=f"sqlite:///{tmp_path / 'alerts.db'}",
                              group_id=f"{topic_prefix}-alerts", webhook_secret="s3cret", webhook_backoff_s=0.1)
    await ensure_topics(k, [k.events_topic, k.alerts_topic])
    store = open_store(settings.database_url)
    load_rules_file(settings, store)

    async def run_once(events: list[EventV1], expect_alerts: int, group: str) -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(run_service(settings.model_copy(update={"group_id": group}), store, stop,
                                               Health()))
        await publish(k, events)
        try:
            await wait_for(lambda: len(store.unpublished()) == 0 and _count(store) >= expect_alerts, 30,
                           message=f"{expect_alerts} alerts")
            await asyncio.sleep(1.5)  # time for anything extra to show up
        finally:
            stop.set()
            await asyncio.wait_for(task, 20)

    first = [expulsion(1, "A")] + [sanction(i, o) for i, o in enumerate("ABCD")]
    await run_once(first + first, 2, settings.group_id)  # every message delivered twice
    # A restart that replays everything from the start (offsets lost) and one new report.
    await run_once([*first, expulsion(2, "B")], 3, f"{topic_prefix}-alerts-replay")

    alerts = [json.loads(r.value or b"") for r in await read_all(broker, k.alerts_topic, expect=3)]
    assert sorted(a["rule"] for a in alerts) == ["expulsions", "expulsions", "kaz-sanctions"]
    [threshold] = [a for a in alerts if a["rule"] == "kaz-sanctions"]
    assert threshold["distinct_sources"] == 3 and threshold["outlets"] == ["A", "B", "C"]
    assert len({a["alert_id"] for a in alerts}) == 3

    await wait_for(lambda: len(hooks.calls) >= 2, 15, message="webhook calls")
    await asyncio.sleep(0.5)
    assert len(hooks.calls) == 2
    for headers, body in hooks.calls:
        assert headers["x-communique-signature"] == sign(body, "s3cret")
        assert json.loads(body)["rule"] == "expulsions"
    assert {json.loads(b)["alert_id"] for _, b in hooks.calls} == {
        a["alert_id"] for a in alerts if a["rule"] == "expulsions"}


def _count(store) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from communique.alerts.adapters.state import AlertRow

    with store.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(AlertRow)) or 0)
