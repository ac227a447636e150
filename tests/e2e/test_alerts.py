"""Feed item about an embassy expulsion → alert on the alerts topic and a webhook call within seconds.

Every message on the events and alerts topics is then read with confluent-kafka
(librdkafka, an independent Kafka client) and validated against the published JSON Schemas.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import jsonschema
import pytest
from confluent_kafka import Consumer, TopicPartition

from communique.alerts.adapters.webhook import sign
from communique.contracts.schemas import schema_dir
from communique.runtime.feedserver import FeedServer
from communique.runtime.health import free_port
from communique.runtime.stack import Stack, StackConfig
from tests.e2e.test_pipeline import poll
from tests.integration.alerts.test_alerts_service import Hooks

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

EXPULSION = {
    "id": "expulsion-1",
    "language": "en",
    "published": "2021-04-18T10:00:00+00:00",
    "source_name": "Wire",
    "url": "https://wire.example/2021/04/18/russia-expels-czech-diplomats",
    "title": "Russia expels 20 Czech diplomats",
    "text": (
        "Russia on Sunday expelled 20 Czech diplomats and declared them persona non grata, "
        "the Russian Foreign Ministry said in a statement.\n"
        "The diplomats from the Czech embassy in Moscow were ordered to leave the country by Monday.\n"
        "The move came a day after Prague said it would send 18 Russian diplomats home."
    ),
}


def read_topic(bootstrap: str, topic: str) -> list[tuple[bytes, dict[str, bytes]]]:
    """Every message of a topic, read with confluent-kafka (manual assignment)."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "schema-check", "enable.auto.commit": False})
    try:
        parts = c.list_topics(topic, timeout=10).topics[topic].partitions
        c.assign([TopicPartition(topic, p, 0) for p in parts])
        # Read until the topic is quiet: the embedded broker's high watermark is not reliable
        # for librdkafka when a producer batch holds several records.
        out: list[tuple[bytes, dict[str, bytes]]] = []
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < 3:
            m = c.poll(0.5)
            if m is None or m.error():
                continue
            out.append((m.value(), dict(m.headers() or [])))
            quiet_since = time.monotonic()
        return out
    finally:
        c.close()


def test_expulsion_article_alerts_once_and_messages_match_the_schemas(tmp_path: Path) -> None:
    hooks = Hooks()
    feed = FeedServer([EXPULSION]).start()
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"feeds:\n  - url: {feed.feed_url}\n    name: Wire\n")
    rules = tmp_path / "alerts.yaml"
    rules.write_text(f"rules:\n  - name: expulsions\n    cameo: ['16']\n    webhook: {hooks.url}\n")
    stack = Stack(StackConfig(api_port=free_port(), data_dir=str(tmp_path / "data"), feeds_file=str(feeds),
                              alerts_file=str(rules), poll_interval=1.0, log_to_files=True,
                              env={"ALERTS_WEBHOOK_SECRET": "hook-secret"}))
    try:
        stack.start(wait_ready=90)
        # The pipeline is up; time the article from its appearance in the feed.
        assert stack.broker is not None
        bootstrap = stack.broker.bootstrap_servers
        poll(lambda: hooks.calls, 60, "a webhook call")
        events = poll(lambda: httpx.get(f"{stack.api_url}/v1/events", params={"cameo": "16"}).json()["items"],
                      30, "stored 16x events")
        want = {e["event_id"] for e in events}
        poll(lambda: {json.loads(v)["event"]["event_id"] for v, _ in read_topic(bootstrap, "communique.alerts.v1")}
             >= want, 30, "an alert for every stored 16x event")
        poll(lambda: len(hooks.calls) >= len(want), 30, "a webhook call per alert")
        time.sleep(2)  # anything duplicated would arrive now

        alerts = read_topic(bootstrap, "communique.alerts.v1")
        assert all(e["cameo"].startswith("16") for e in events)
        assert len(alerts) == len({json.loads(v)["alert_id"] for v, _ in alerts}), "an alert was published twice"
        assert {json.loads(v)["event"]["event_id"] for v, _ in alerts} == {e["event_id"] for e in events}
        assert len(hooks.calls) == len(alerts)
        for headers, body in hooks.calls:
            assert headers["x-communique-signature"] == sign(body, "hook-secret")

        # Independent client, published schemas.
        for topic, schema_file, ce_type in [
            ("communique.events.v1", "event.v1.json", b"org.communique.event.v1"),
            ("communique.alerts.v1", "alert.v1.json", b"org.communique.alert.v1"),
            ("communique.articles.v1", "article.v1.json", b"org.communique.article.v1"),
        ]:
            schema = json.loads((schema_dir() / schema_file).read_text())
            messages = read_topic(bootstrap, topic)
            assert messages, f"no messages on {topic}"
            for value, headers in messages:
                jsonschema.validate(json.loads(value), schema)
                assert headers["ce_type"] == ce_type
                assert headers["ce_specversion"] == b"1.0"
                assert headers["content-type"] == b"application/json"
                assert headers["ce_id"]
    finally:
        stack.stop()
        feed.stop()
        hooks.server.shutdown()


def test_watch_prints_matching_events(tmp_path: Path) -> None:
    """`communique watch --from-beginning --format json` shows the coded events."""
    import subprocess
    import sys

    feed = FeedServer([EXPULSION]).start()
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"feeds:\n  - url: {feed.feed_url}\n")
    stack = Stack(StackConfig(api_port=free_port(), data_dir=str(tmp_path / "data"), feeds_file=str(feeds),
                              poll_interval=1.0, log_to_files=True))
    try:
        stack.start(wait_ready=90)
        stored = poll(lambda: httpx.get(f"{stack.api_url}/v1/events", params={"cameo": "16"}).json()["items"], 60,
                      "events")
        assert stack.broker is not None
        out = subprocess.run(
            [sys.executable, "-m", "communique.runtime.cli", "watch", "--cameo", "16", "--from-beginning",
             "--format", "json", "--idle-timeout", "3", "--limit", "50"],
            env={**stack.env()}, capture_output=True, text=True, timeout=60,
        )
        assert out.returncode == 0, out.stderr
        lines = [json.loads(x) for x in out.stdout.splitlines() if x.strip()]
        assert {e["event_id"] for e in lines} == {e["event_id"] for e in stored}
        assert all(e["cameo"].startswith("16") for e in lines)
    finally:
        stack.stop()
        feed.stop()
