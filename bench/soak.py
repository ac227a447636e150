"""Soak: the embedded stack under steady load; does any process's memory grow?

Runs the whole stack (`communique run`'s Stack: broker, ingest, extract, store consumer, API,
alerts) against a local feed server that publishes development-corpus articles at a steady
rate, while a client queries the API. Samples the resident memory (RSS) of every role's process
tree; after the warm-up, growth = (last minute's mean − the minute after warm-up's mean) / the
latter. Also checks every published article was stored exactly once.

Usage: python bench/soak.py [--minutes 10] [--rate 10] [--warmup 2]
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
sys.path.insert(0, str(REPO / "bench"))

from e2e import FeedProcess, role_sum  # noqa: E402

from communique.runtime.health import free_port  # noqa: E402
from communique.runtime.stack import Stack, StackConfig  # noqa: E402


def role_rss(stack: Stack) -> dict[str, float]:
    """Resident memory (MB) of each role's process tree and of the broker."""
    return role_sum(stack, lambda p: p.memory_info().rss / 2**20)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--warmup", type=float, default=2, help="minutes excluded from the growth figure")
    ap.add_argument("--rate", type=float, default=10, help="articles per second")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = ap.parse_args()
    corpus = [json.loads(x) for x in (args.shared / "corpus" / "dev.jsonl").read_text().splitlines()]
    tmp = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    # 30 s of articles in the feed: a poll delayed by a loaded machine loses nothing.
    server = FeedProcess(free_port(), window=int(30 * args.rate))
    feeds = tmp / "feeds.yaml"
    feeds.write_text(f"feeds:\n  - url: {server.feed_url}\n    name: Soak\n")
    stack = Stack(StackConfig(api_port=free_port(), data_dir=str(tmp / "data"), feeds_file=str(feeds),
                              poll_interval=1.0, log_to_files=True,
                              env={"INGEST_HOST_MIN_INTERVAL": "0", "INGEST_HOST_CONCURRENCY": "8"}))
    stack.start(wait_ready=120)
    total = int(args.minutes * 60 * args.rate)
    stop = threading.Event()

    def drip() -> None:
        start = time.monotonic()
        for i in range(total):
            a = corpus[i % len(corpus)]
            aid = f"soak-{i}"
            server.add({**a, "id": aid, "url": f"https://soak.example/{aid}", "title": f"{a['title']} ({aid})",
                        "published": datetime.now(UTC).isoformat()})
            delay = start + (i + 1) / args.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        stop.set()

    def query() -> None:
        with httpx.Client(base_url=stack.api_url, timeout=30) as c:
            paths = ["/v1/events?limit=50", "/v1/stats/dyads?top=10", "/v1/stats/timeline?interval=day",
                     "/v1/articles?limit=20", "/v1/events?plover=CONSULT&limit=20"]
            i = 0
            while not stop.is_set():
                c.get(paths[i % len(paths)])
                i += 1
                time.sleep(0.2)

    threading.Thread(target=drip, daemon=True).start()
    threading.Thread(target=query, daemon=True).start()
    samples: list[tuple[float, dict[str, float]]] = []
    t0 = time.monotonic()
    while not stop.is_set():
        samples.append((time.monotonic() - t0, role_rss(stack)))
        stop.wait(10)
    # let the pipeline drain, then count what was stored
    client = httpx.Client(base_url=stack.api_url, timeout=30)
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline:
        stored = len(_all_article_ids(client))
        if stored >= total:
            break
        time.sleep(5)
    restarts = dict(stack.restarts)
    stack.stop()
    server.stop()
    warm = args.warmup * 60
    first = [s for t, s in samples if warm <= t < warm + 60]
    last = [s for t, s in samples if t >= samples[-1][0] - 60]
    print(f"\nsoak: {args.minutes:g} min at {args.rate:g} articles/s ({total} articles), warm-up {args.warmup:g} min; "
          f"stored {stored}/{total}; role restarts {restarts or 'none'}\n")
    print("| role | RSS after warm-up (MB) | RSS at end (MB) | growth |")
    print("| --- | --- | --- | --- |")
    for role in sorted(samples[-1][1]):
        a = statistics.mean(s.get(role, 0.0) for s in first) if first else float("nan")
        b = statistics.mean(s.get(role, 0.0) for s in last)
        print(f"| {role} | {a:.0f} | {b:.0f} | {(b - a) / a * 100 if a else float('nan'):+.1f}% |")


def _all_article_ids(client: httpx.Client) -> set[str]:
    ids: set[str] = set()
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 500, "outlet": "Soak"}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/v1/articles", params=params).json()
        ids |= {a["id"] for a in page["items"]}
        cursor = page.get("next_cursor")
        if not cursor:
            return ids


if __name__ == "__main__":
    main()
