"""The whole pipeline as processes: feed server → ingest → Kafka → extract → Kafka → store → API."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from communique.contracts import ArticleV1, article_id_for
from communique.ingest.domain.canonical import canonicalize_url
from communique.runtime.feedserver import FeedServer, sample_articles
from communique.runtime.health import free_port
from communique.runtime.stack import Stack, StackConfig
from tests.faults.harness import all_pages

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def poll(fn, timeout: float, message: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(0.3)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}; last: {last!r}")


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    s = Stack(StackConfig(api_port=free_port(), data_dir=str(tmp_path / "data"), poll_interval=2.0,
                          log_to_files=True, env={"KAFKA_SESSION_TIMEOUT_MS": "6000",
                                                  "KAFKA_HEARTBEAT_INTERVAL_MS": "1000"}))
    try:
        s.start(wait_ready=90)
        yield s
    finally:
        s.stop()
        for log in sorted((tmp_path / "data" / "logs").glob("*.log")):
            text = log.read_text(errors="replace")
            if "Traceback" in text:
                print(f"--- {log.name} ---\n{text[-4000:]}")


def test_seed_article_meeting_reaches_the_api(stack: Stack) -> None:
    seed = next(a for a in sample_articles() if a["id"] == "seed-id-001")
    seed_id = article_id_for(canonicalize_url(seed["url"]))

    def meeting() -> list[dict[str, object]]:
        r = httpx.get(f"{stack.api_url}/v1/events", params={"actor": "KAZ", "cameo": "04", "limit": 100})
        r.raise_for_status()
        return [e for e in r.json()["items"] if e["article_id"] == seed_id]

    events = poll(meeting, 90, "the China–Kazakhstan meeting")
    pairs = {(e["source"]["code"], e["target"]["code"]) for e in events}  # type: ignore[index]
    assert ("CHN", "KAZ") in pairs and ("KAZ", "CHN") in pairs
    ev = events[0]
    assert ev["article"]["id"] == seed_id  # type: ignore[index]
    assert ev["article"]["url"].endswith("seed-id-001.html")  # type: ignore[index]
    assert ev["language"] == "id"
    sentence = ev["evidence"]["sentence"]  # type: ignore[index]
    art = httpx.get(f"{stack.api_url}/v1/articles/{seed_id}").json()
    start, end = ev["evidence"]["start"], ev["evidence"]["end"]  # type: ignore[index]
    assert art["text"][start:end] == sentence
    assert art["language"] == "id"


def test_sigkill_of_extract_mid_stream_loses_and_duplicates_nothing(tmp_path: Path, shared_dir: Path) -> None:
    from communique.extract.factory import build_coder
    from communique.extract.service import to_input

    corpus = [json.loads(line) for line in (shared_dir / "corpus" / "dev.jsonl").read_text().splitlines()]
    articles = []
    for copy in range(3):
        for a in corpus:
            articles.append({**a, "id": f"{a['id']}-c{copy}", "url": f"https://copies.example/{copy}/{a['id']}",
                             "title": f"{a['title']} (copy {copy})"})
    feed = FeedServer(articles, port=free_port()).start()
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"feeds:\n  - url: {feed.feed_url}\n    name: Copies\n")
    s = Stack(StackConfig(api_port=free_port(), data_dir=str(tmp_path / "data"), feeds_file=str(feeds),
                          poll_interval=2.0, log_to_files=True,
                          env={"KAFKA_MAX_BATCH": "5", "KAFKA_SESSION_TIMEOUT_MS": "6000",
                               "INGEST_HOST_MIN_INTERVAL": "0", "INGEST_HOST_CONCURRENCY": "8",
                               "KAFKA_HEARTBEAT_INTERVAL_MS": "1000"}))
    try:
        s.start(wait_ready=90)
        api = s.api_url

        def stored_events() -> int:
            return len(all_pages(api, "/v1/events"))

        poll(lambda: stored_events() > 0, 120, "first stored events")
        s.kill("extract", signal.SIGKILL)
        killed_at = stored_events()
        poll(lambda: s.restarts.get("extract", 0) >= 1, 30, "extract restarted")

        def all_articles_in() -> bool:
            return len(all_pages(api, "/v1/articles")) == len(articles)

        poll(all_articles_in, 120, "every article stored")
        coder = build_coder()
        expected: set[str] = set()
        for a in all_pages(api, "/v1/articles"):
            full = httpx.get(f"{api}/v1/articles/{a['id']}").json()
            art = ArticleV1.model_validate({**full, "fetched": full["fetched"]})
            expected |= {e.event_id for e in coder.code(to_input(art))}
        assert len(expected) > killed_at, "the kill happened after all events were stored; test proves nothing"
        poll(lambda: stored_events() >= len(expected), 120, "all events stored")
        time.sleep(3)  # anything duplicated or extra would show up now
        got = [e["event_id"] for e in all_pages(api, "/v1/events")]
        assert len(got) == len(set(got))
        assert set(got) == expected
    finally:
        s.stop()
        feed.stop()
