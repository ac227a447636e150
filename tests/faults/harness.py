"""Harness of the fault suite: a stack fed at a steady rate, and the invariants checked after each fault."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from communique.contracts import ArticleV1
from communique.runtime.feedserver import FeedServer
from communique.runtime.health import free_port
from communique.runtime.stack import Stack, StackConfig

FAST_GROUPS = {"KAFKA_SESSION_TIMEOUT_MS": "3000", "KAFKA_HEARTBEAT_INTERVAL_MS": "500", "KAFKA_MAX_BATCH": "10",
               "KAFKA_RETRY_BACKOFF_MAX_S": "2",
               # The feed server is ours and local: no per-host politeness delay between page fetches.
               "INGEST_HOST_MIN_INTERVAL": "0", "INGEST_HOST_CONCURRENCY": "8",
               # A killed ingest holds its feed lease until it expires: keep takeover within the test deadline.
               "INGEST_LEASE_SECONDS": "10"}


def corpus_articles(shared: Path, n: int, tag: str) -> list[dict[str, Any]]:
    """``n`` realistic articles (development corpus text) with fresh ids and URLs."""
    corpus = [json.loads(x) for x in (shared / "corpus" / "dev.jsonl").read_text().splitlines()]
    out = []
    for i in range(n):
        a = corpus[i % len(corpus)]
        # Distinct articles have distinct titles: ingest de-duplicates same-title items per source.
        out.append({**a, "id": f"{tag}-{i}", "url": f"https://faults.example/{tag}/{i}/{a['id']}",
                    "title": f"{a['title']} ({tag} {i})"})
    return out


@dataclass
class Drip:
    """Adds articles to a feed server at a steady rate, in a background thread."""

    server: FeedServer
    articles: list[dict[str, Any]]
    per_second: float
    done: threading.Event = field(default_factory=threading.Event)

    def start(self) -> Drip:
        def run() -> None:
            for a in self.articles:
                self.server.add(a)
                time.sleep(1 / self.per_second)
            self.done.set()

        threading.Thread(target=run, daemon=True).start()
        return self


def all_pages(api: str, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paginated API listing."""
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        q = {"limit": 500, **params, **({"cursor": cursor} if cursor else {})}
        r = httpx.get(f"{api}{path}", params=q, timeout=10)
        r.raise_for_status()
        body = r.json()
        out += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return out


def wait(fn: Any, timeout: float, what: str) -> Any:
    """Poll ``fn`` until truthy (API errors count as not yet)."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = fn()
        except (httpx.HTTPError, OSError) as exc:
            last = exc
        if last and not isinstance(last, Exception):
            return last
        time.sleep(0.3)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {last!r}")


@contextmanager
def running_stack(tmp: Path, articles: list[dict[str, Any]], *, per_second: float = 10.0,
                  env: dict[str, str] | None = None, extra_feeds: list[str] | None = None,
                  replicas: dict[str, int] | None = None) -> Iterator[tuple[Stack, Drip]]:
    """A stack polling a feed that grows by ``per_second`` articles."""
    server = FeedServer([], port=free_port()).start()
    feeds = tmp / "feeds.yaml"
    lines = [f"  - url: {server.feed_url}\n    name: Drip\n"] + [f"  - url: {u}\n" for u in extra_feeds or []]
    feeds.write_text("feeds:\n" + "".join(lines))
    stack = Stack(StackConfig(api_port=free_port(), data_dir=str(tmp / "data"), feeds_file=str(feeds),
                              poll_interval=0.5, log_to_files=True, env={**FAST_GROUPS, **(env or {})},
                              replicas=replicas or {}))
    try:
        stack.start(wait_ready=90)
        drip = Drip(server, articles, per_second).start()
        yield stack, drip
    finally:
        stack.stop()
        server.stop()
        logs = tmp / "data" / "logs"
        for log in sorted(logs.glob("*.log")) if logs.exists() else []:
            text = log.read_text(errors="replace")
            if "Traceback" in text:
                print(f"--- {log.name} (tail) ---\n{text[-3000:]}")


def expected_event_ids(api: str) -> set[str]:
    """Events the coder gives for every stored article, coded here, offline."""
    from communique.extract.factory import build_coder
    from communique.extract.service import to_input

    coder = build_coder()
    ids: set[str] = set()
    for a in all_pages(api, "/v1/articles"):
        full = httpx.get(f"{api}/v1/articles/{a['id']}", timeout=10).json()
        ids |= {e.event_id for e in coder.code(to_input(ArticleV1.model_validate(full)))}
    return ids


def assert_exactly_once(stack: Stack, drip: Drip, n_articles: int, timeout: float = 120) -> None:
    """Every published article is stored once, and its events exactly once; nothing is stuck."""
    api = stack.api_url
    drip.done.wait(timeout)
    articles = wait(lambda: (lambda a: a if len(a) >= n_articles else None)(all_pages(api, "/v1/articles")),
                    timeout, f"{n_articles} stored articles")
    assert len(articles) == n_articles
    assert len({a["id"] for a in articles}) == n_articles
    expected = expected_event_ids(api)
    wait(lambda: len(all_pages(api, "/v1/events")) >= len(expected), timeout, f"{len(expected)} stored events")
    time.sleep(2)  # duplicates or strays would land now
    got = [e["event_id"] for e in all_pages(api, "/v1/events")]
    assert len(got) == len(set(got)), "an event was stored twice"
    missing, extra = expected - set(got), set(got) - expected
    assert not missing and not extra, f"{len(missing)} events missing, {len(extra)} unexpected"
