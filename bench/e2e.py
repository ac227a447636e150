"""End-to-end latency: article appears in a feed → its events are returned by the API.

Runs the whole stack as processes (`communique run`'s Stack), publishes realistic
articles (development corpus text, fresh ids, published = now) at a controlled rate
and measures, for a sample of articles:

  polling   = ingest fetch time − time the article appeared in the feed
  pipeline  = first API answer with its events − ingest fetch time
  total     = polling + pipeline

and splits the pipeline by stage with the Kafka record timestamps (producer create time):
ingest (feed fetched → article on the articles topic), extract (→ first event on the
events topic) and store (→ returned by the API).

Usage: python bench/e2e.py [--rates 10,25,50] [--duration 20] [--db sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from communique.extract.domain.coder import ArticleInput  # noqa: E402
from communique.extract.factory import build_coder  # noqa: E402
from communique.runtime.feedserver import FeedServer  # noqa: E402
from communique.runtime.health import free_port  # noqa: E402
from communique.runtime.stack import Stack, StackConfig  # noqa: E402


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def corpus_with_events(shared: Path) -> list[dict[str, object]]:
    coder = build_coder()
    out = []
    for line in (shared / "corpus" / "dev.jsonl").read_text().splitlines():
        a = json.loads(line)
        # Coded as the stack will code it: dated today (a dated article drops actions of earlier years).
        evs = coder.code(ArticleInput(id="x", text=a["text"], title=a["title"], language=a["language"],
                                      published=datetime.now(UTC).date()))
        if evs:
            out.append(a)
    return out


class FeedProcess:
    """The feed server in its own process, so the bench's API polling does not slow it down (GIL)."""

    def __init__(self, port: int, window: int = 100) -> None:
        ctx = mp.get_context("spawn")
        self._queue: mp.Queue[dict[str, object] | None] = ctx.Queue()
        self._proc = ctx.Process(target=_serve_feed, args=(port, self._queue, window), daemon=True)
        self._proc.start()
        self.feed_url = f"http://127.0.0.1:{port}/feed.xml"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(self.feed_url, timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("feed server did not start")

    def add(self, article: dict[str, object]) -> None:
        self._queue.put(article)

    def stop(self) -> None:
        self._queue.put(None)
        self._proc.join(10)


def _serve_feed(port: int, queue: mp.Queue[dict[str, object] | None], window: int) -> None:
    # A feed lists its newest items only (real feeds carry 10–100): 2 s of articles at 50/s.
    server = FeedServer([], port=port, window=window).start()
    while (article := queue.get()) is not None:
        server.add(article)
    server.stop()


def run_rate(rate: float, duration: float, db: str, poll: float, corpus: list[dict[str, object]],
             sample_every: int) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    server = FeedProcess(free_port())
    feeds = tmp / "feeds.yaml"
    feeds.write_text(f"feeds:\n  - url: {server.feed_url}\n    name: Bench\n")
    # The feed server is ours and local: no politeness delay between page fetches.
    env = {"KAFKA_BATCH_TIMEOUT_MS": "50", "EXTRACT_WORKERS": "1", "INGEST_HOST_MIN_INTERVAL": "0",
           "INGEST_HOST_CONCURRENCY": "16"}
    if db == "postgresql":
        env["STORE_DATABASE_URL"] = make_pg()
    stack = Stack(StackConfig(api_port=free_port(), data_dir=str(tmp / "data"), feeds_file=str(feeds),
                              poll_interval=poll, log_to_files=True, env=env))
    stack.start(wait_ready=120)
    added: dict[str, float] = {}
    stop = threading.Event()

    def drip() -> None:
        n = int(rate * duration)
        start = time.monotonic()
        for i in range(n):
            a = corpus[i % len(corpus)]
            aid = f"b{int(rate)}-{i}"
            url = f"https://bench.example/{aid}"
            # Distinct titles: ingest de-duplicates same-title items of one source.
            server.add({**a, "id": aid, "url": url, "title": f"{a['title']} ({aid})",
                        "published": datetime.now(UTC).isoformat()})
            added[url] = time.time()
            delay = start + (i + 1) / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        stop.set()

    from communique.contracts import article_id_for
    from communique.ingest.domain.canonical import canonicalize_url

    cpu0 = role_cpu(stack)
    wall0 = time.monotonic()
    threading.Thread(target=drip, daemon=True).start()
    seen = asyncio.run(watch(stack.api_url, added, stop, sample_every, deadline=duration + 60))
    cpu = {k: (v - cpu0.get(k, 0.0)) / (time.monotonic() - wall0) for k, v in role_cpu(stack).items()}
    client = httpx.Client(base_url=stack.api_url, timeout=10)
    stamps = topic_stamps(stack)
    polling, pipeline, total = [], [], []
    stage: dict[str, list[float]] = {"ingest": [], "extract": [], "store": []}
    for u, t_seen in seen.items():
        aid = article_id_for(canonicalize_url(u))
        art = client.get(f"/v1/articles/{aid}").json()
        fetched = datetime.fromisoformat(art["fetched"]).timestamp()
        polling.append(fetched - added[u])
        pipeline.append(t_seen - fetched)
        total.append(t_seen - added[u])
        published, coded = stamps[0].get(aid), stamps[1].get(aid)
        if published is not None and coded is not None:
            stage["ingest"].append(published - fetched)
            stage["extract"].append(coded - published)
            stage["store"].append(t_seen - coded)
    sampled = len(list(added)[::sample_every])
    stack.stop()
    server.stop()
    stages = " / ".join(f"{pct(v, 50):.2f}" for v in stage.values())
    return {"rate": rate, "db": db, "articles": len(added), "sampled": sampled, "seen": len(seen), "stages": stages,
            "cpu": ", ".join(f"{k} {v:.2f}" for k, v in sorted(cpu.items(), key=lambda kv: -kv[1])),
            "pipeline_p50": pct(pipeline, 50), "pipeline_p95": pct(pipeline, 95), "pipeline_p99": pct(pipeline, 99),
            "polling_mean": statistics.mean(polling) if polling else float("nan"),
            "total_p50": pct(total, 50), "total_p99": pct(total, 99)}


async def watch(api: str, added: dict[str, float], stop: threading.Event, sample_every: int,
                deadline: float) -> dict[str, float]:
    """When each sampled article's events are first returned by the API (concurrent polling)."""
    from communique.contracts import article_id_for
    from communique.ingest.domain.canonical import canonicalize_url

    seen: dict[str, float] = {}
    gate = asyncio.Semaphore(16)
    async with httpx.AsyncClient(base_url=api, timeout=10) as client:

        async def check(url: str) -> None:
            async with gate:
                aid = article_id_for(canonicalize_url(url))
                r = await client.get("/v1/events", params={"article_id": aid, "limit": 1})
                if r.status_code == 200 and r.json()["items"]:
                    seen[url] = time.time()

        end = time.monotonic() + deadline
        while time.monotonic() < end:
            pending = [u for u in list(added)[::sample_every] if u not in seen]
            if stop.is_set() and not pending:
                break
            # The oldest few per round: the watcher must not load the API it measures.
            await asyncio.gather(*(check(u) for u in pending[:8]))
            await asyncio.sleep(0.05)
    return seen


def role_sum(stack: Stack, measure: Callable[[Any], float]) -> dict[str, float]:
    """``measure`` (a psutil.Process → number) summed over each role's process tree and the broker."""
    import psutil

    pids = {name: proc.pid for name, proc in stack.procs.items()}
    if stack.broker is not None and stack.broker.pid is not None:
        pids["broker"] = stack.broker.pid
    out: dict[str, float] = {}
    for name, pid in pids.items():
        try:
            root = psutil.Process(pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            continue
        total = 0.0
        for p in procs:
            try:
                total += measure(p)
            except psutil.Error:
                pass
        out[name] = total
    return out


def role_cpu(stack: Stack) -> dict[str, float]:
    """CPU seconds used so far by each role's process tree and by the broker."""
    return role_sum(stack, lambda p: sum(p.cpu_times()[:2]))


def topic_stamps(stack: Stack) -> tuple[dict[str, float], dict[str, float]]:
    """Per article id: when the article, and its first event, were produced (record timestamps)."""
    from confluent_kafka import Consumer, TopicPartition

    from communique.contracts.topics import DEFAULT_ARTICLES_TOPIC, DEFAULT_EVENTS_TOPIC

    assert stack.broker is not None
    out: tuple[dict[str, float], dict[str, float]] = ({}, {})
    c = Consumer({"bootstrap.servers": stack.broker.bootstrap_servers, "group.id": "bench-e2e",
                  "enable.auto.commit": False})
    try:
        for i, topic in enumerate((DEFAULT_ARTICLES_TOPIC, DEFAULT_EVENTS_TOPIC)):
            parts = c.list_topics(topic, timeout=10).topics[topic].partitions
            c.assign([TopicPartition(topic, p, 0) for p in parts])
            quiet = time.monotonic()
            while time.monotonic() - quiet < 2:  # the embedded broker's high watermark is unreliable
                m = c.poll(0.3)
                if m is None or m.error():
                    continue
                quiet = time.monotonic()
                aid = json.loads(m.value())["article_id" if i else "id"]
                ts = m.timestamp()[1] / 1000
                out[i][aid] = min(ts, out[i].get(aid, ts))
    finally:
        c.close()
    return out


def make_pg() -> str:
    sys.path.insert(0, str(REPO))
    from tests.conftest import PG_ADMIN_URL, make_pg_database

    url, _ = make_pg_database(PG_ADMIN_URL)
    from communique.store.storage.migrate import upgrade

    upgrade(url)
    return url


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rates", default="10,25,50")
    ap.add_argument("--duration", type=float, default=20)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--poll-interval", type=float, default=0.5)
    ap.add_argument("--sample-every", type=int, default=5)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = ap.parse_args()
    corpus = corpus_with_events(args.shared)
    print("| db | rate (art/s) | articles | sampled/seen | pipeline p50 | p95 | p99 | p50 ingest / extract / store "
          "| mean polling wait | total p50 | total p99 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for rate in [float(r) for r in args.rates.split(",")]:
        r = run_rate(rate, args.duration, args.db, args.poll_interval, corpus, args.sample_every)
        print(f"| {r['db']} | {r['rate']:.0f} | {r['articles']} | {r['sampled']}/{r['seen']} | "
              f"{r['pipeline_p50']:.2f} s | {r['pipeline_p95']:.2f} s | {r['pipeline_p99']:.2f} s | {r['stages']} s | "
              f"{r['polling_mean']:.2f} s | {r['total_p50']:.2f} s | {r['total_p99']:.2f} s |", flush=True)
        print(f"  CPU cores used per role: {r['cpu']}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
