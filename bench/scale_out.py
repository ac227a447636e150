"""Scale-out: extract and store throughput with 1 and with 2 replicas of each over 4 partitions.

Publishes N articles (development-corpus text, fresh ids) straight to the articles topic of a
running stack, then times how long the extract workers and store consumers take until every
event is returned by the API. The stored event ids must be exactly the same for every replica
count, and exactly what the coder gives offline (nothing lost, doubled or altered).

Usage: python bench/scale_out.py [--articles 2000] [--replicas 1,2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from communique.contracts import ArticleV1, article_id_for  # noqa: E402
from communique.extract.factory import build_coder  # noqa: E402
from communique.extract.service import to_input  # noqa: E402
from communique.ingest.service import article_message  # noqa: E402
from communique.runtime.health import free_port  # noqa: E402
from communique.runtime.kafka import Producer  # noqa: E402
from communique.runtime.settings import KafkaSettings  # noqa: E402
from communique.runtime.stack import Stack, StackConfig  # noqa: E402


def make_articles(shared: Path, n: int) -> list[ArticleV1]:
    corpus = [json.loads(x) for x in (shared / "corpus" / "dev.jsonl").read_text().splitlines()]
    now = datetime.now(UTC)
    out = []
    for i in range(n):
        a = corpus[i % len(corpus)]
        url = f"https://scale.example/{i}"
        out.append(ArticleV1(id=article_id_for(url), url=url, canonical_url=url, feed="https://scale.example/feed",
                             feed_ids=["scale"], source_name="Scale", title=f"{a['title']} ({i})", text=a["text"],
                             language=a["language"], published=now, fetched=now))
    return out


def count_events(api: str) -> list[str]:
    ids: list[str] = []
    cursor = None
    while True:
        q: dict[str, object] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        body = httpx.get(f"{api}/v1/events", params=q, timeout=30).json()
        ids += [e["event_id"] for e in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            return ids


def run(replicas: int, articles: list[ArticleV1], expected: set[str]) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    (tmp / "feeds.yaml").write_text("feeds: []\n")
    stack = Stack(StackConfig(api_port=free_port(), data_dir=str(tmp / "data"), feeds_file=str(tmp / "feeds.yaml"),
                              log_to_files=True, partitions=4,
                              replicas={"extract": replicas, "store-consumer": replicas},
                              env={"EXTRACT_WORKERS": "1", "KAFKA_SESSION_TIMEOUT_MS": "6000",
                                   "KAFKA_HEARTBEAT_INTERVAL_MS": "1000"}))
    try:
        stack.start(wait_ready=120)
        time.sleep(8)  # let both consumer groups settle their partitions before the clock starts
        assert stack.broker is not None
        kafka = KafkaSettings(bootstrap_servers=stack.broker.bootstrap_servers)

        async def publish() -> None:
            producer = Producer(kafka)
            await producer.start()
            try:
                await producer.send_all([article_message(a, kafka.articles_topic) for a in articles])
            finally:
                await producer.stop()

        started = time.monotonic()
        asyncio.run(publish())
        got: list[str] = []
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            got = count_events(stack.api_url)
            if len(got) >= len(expected):
                break
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        time.sleep(3)  # strays or doubles would land now
        got = count_events(stack.api_url)
        return {"replicas": replicas, "seconds": elapsed, "articles_per_s": len(articles) / elapsed,
                "events": len(got), "distinct": len(set(got)), "exact": set(got) == expected and len(got) == len(
                    set(got)), "ids": set(got)}
    finally:
        stack.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--replicas", default="1,2")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = ap.parse_args()
    articles = make_articles(args.shared, args.articles)
    coder = build_coder()
    expected = {e.event_id for a in articles for e in coder.code(to_input(a))}
    results = [run(int(r), articles, expected) for r in args.replicas.split(",")]
    print(f"\nscale-out: {len(articles)} articles → {len(expected)} events, 4 partitions, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}\n")
    print("| extract × store replicas | seconds | articles/s | events stored | distinct | = offline coder |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in results:
        print(f"| {r['replicas']} × {r['replicas']} | {r['seconds']:.1f} | {r['articles_per_s']:.0f} | {r['events']} "
              f"| {r['distinct']} | {'yes' if r['exact'] else 'NO'} |")
    same = all(r["ids"] == results[0]["ids"] for r in results)
    print(f"\nsame stored events for every replica count: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
