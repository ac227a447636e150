"""End-to-end latency: article appears in a feed → its events are returned by the API.

Runs the whole stack as processes (`communique run`'s Stack), publishes realistic
articles (development corpus text, fresh ids, published = now) at a controlled rate
and measures, for a sample of articles:

  polling   = ingest fetch time − time the article appeared in the feed
  pipeline  = first API answer with its events − ingest fetch time
  total     = polling + pipeline

Usage: python bench/e2e.py [--rates 10,25,50] [--duration 20] [--db sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

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
        evs = coder.code(ArticleInput(id="x", text=a["text"], title=a["title"], language=a["language"]))
        if evs:
            out.append(a)
    return out


def run_rate(rate: float, duration: float, db: str, poll: float, corpus: list[dict[str, object]],
             sample_every: int) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    server = FeedServer([], port=free_port()).start()
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
            server.add({**a, "id": aid, "url": url, "published": datetime.now(UTC).isoformat()})
            added[url] = time.time()
            delay = start + (i + 1) / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        stop.set()

    from communique.contracts import article_id_for
    from communique.ingest.domain.canonical import canonicalize_url

    threading.Thread(target=drip, daemon=True).start()
    seen: dict[str, float] = {}
    client = httpx.Client(base_url=stack.api_url, timeout=10)
    deadline = time.monotonic() + duration + 60
    while time.monotonic() < deadline:
        urls = list(added)[::sample_every]
        pending = [u for u in urls if u not in seen]
        if stop.is_set() and not pending:
            break
        for u in pending:
            aid = article_id_for(canonicalize_url(u))
            if client.get("/v1/events", params={"article_id": aid, "limit": 1}).json()["items"]:
                seen[u] = time.time()
        time.sleep(0.05)
    polling, pipeline, total = [], [], []
    for u, t_seen in seen.items():
        art = client.get(f"/v1/articles/{article_id_for(canonicalize_url(u))}").json()
        fetched = datetime.fromisoformat(art["fetched"]).timestamp()
        polling.append(fetched - added[u])
        pipeline.append(t_seen - fetched)
        total.append(t_seen - added[u])
    sampled = len(list(added)[::sample_every])
    stack.stop()
    server.stop()
    return {"rate": rate, "db": db, "articles": len(added), "sampled": sampled, "seen": len(seen),
            "pipeline_p50": pct(pipeline, 50), "pipeline_p95": pct(pipeline, 95), "pipeline_p99": pct(pipeline, 99),
            "polling_mean": statistics.mean(polling) if polling else float("nan"),
            "total_p50": pct(total, 50), "total_p99": pct(total, 99)}


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
    print("| db | rate (art/s) | articles | sampled/seen | pipeline p50 | p95 | p99 | mean polling wait "
          "| total p50 | total p99 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for rate in [float(r) for r in args.rates.split(",")]:
        r = run_rate(rate, args.duration, args.db, args.poll_interval, corpus, args.sample_every)
        print(f"| {r['db']} | {r['rate']:.0f} | {r['articles']} | {r['sampled']}/{r['seen']} | "
              f"{r['pipeline_p50']:.2f} s | {r['pipeline_p95']:.2f} s | {r['pipeline_p99']:.2f} s | "
              f"{r['polling_mean']:.2f} s | {r['total_p50']:.2f} s | {r['total_p99']:.2f} s |", flush=True)


if __name__ == "__main__":
    main()
