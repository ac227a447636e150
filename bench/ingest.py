"""Benchmark the ingest poller: feed fetches per second and RSS memory with N feeds on a local server.

    .venv/bin/python bench/ingest.py [--feeds 10000] [--items 5] [--concurrency 100] [--pages]
        [--processes 2 --database postgresql+psycopg://postgres@127.0.0.1:5432/DB]

A separate process serves the feeds (aiohttp-free: asyncio streams, HTTP/1.1 keep-alive, ETags),
so the poller is measured alone. Pass 1 fetches and parses every feed and publishes its items
(to a counting sink, no Kafka); pass 2 gets 304s. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import multiprocessing as mp
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def feed_body(i: int, items: int, port: int) -> bytes:
    entries = "".join(
        f"<item><title>Bench story {j} of feed {i} about diplomacy</title>"
        f"<link>http://127.0.0.1:{port}/a/{i}/{j}</link><guid>b{i}-{j}</guid>"
        f"<pubDate>Mon, 05 Jan 2026 10:{j % 60:02d}:00 GMT</pubDate>"
        f"<description>Foreign ministers met to discuss trade and security; item {j}.</description></item>"
        for j in range(items))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {i}</title>'
            f"<language>en</language>{entries}</channel></rss>").encode()


def serve(port_q: mp.Queue, items: int) -> None:  # type: ignore[type-arg]
    """A minimal asyncio HTTP/1.1 server: /feed/<i>.xml with ETags, /a/... article pages."""
    cache: dict[int, tuple[bytes, str]] = {}
    port_holder: list[int] = []
    page = (b"<html lang='en'><head><title>Bench</title></head><body><article><h1>Bench article</h1><p>"
            + b"The foreign ministers of both countries discussed trade and security at length. " * 20
            + b"</p></article></body></html>")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                inm = next((line.split(":", 1)[1].strip() for line in lines[1:]
                            if line.lower().startswith("if-none-match:")), None)
                if path.startswith("/feed/"):
                    i = int(path[6:].split(".")[0])
                    if i not in cache:
                        body = feed_body(i, items, port_holder[0])
                        cache[i] = (body, '"' + hashlib.md5(body).hexdigest() + '"')
                    body, etag = cache[i]
                    if inm == etag:
                        writer.write(f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nContent-Length: 0\r\n\r\n"
                                     .encode())
                    else:
                        writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: {etag}\r\n"
                                     f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
                else:
                    writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(page)}"
                                 "\r\n\r\n".encode() + page)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=2048)
        port_holder.append(server.sockets[0].getsockname()[1])
        port_q.put(port_holder[0])
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def rss_mb() -> float:
    import psutil

    return float(psutil.Process(os.getpid()).memory_info().rss) / 2**20


async def run(args: argparse.Namespace, port: int, db: str, part: int = 0, parts: int = 1,
              barrier: object = None) -> list[tuple[str, int, float, float, int, float]]:
    """Poll this process's share of the feeds (every ``parts``-th one), twice."""
    from communique.contracts import ArticleV1
    from communique.ingest.domain.feeds import FeedSpec
    from communique.ingest.poller import Poller
    from communique.ingest.service import open_state
    from communique.ingest.settings import IngestSettings

    published = 0

    async def sink(articles: Sequence[ArticleV1]) -> None:
        nonlocal published
        published += len(articles)

    state = open_state(db)
    specs = [FeedSpec(url=f"http://127.0.0.1:{port}/feed/{i}.xml", name=f"Outlet {i}")
             for i in range(part, args.feeds, parts)]
    records = state.upsert_feeds(specs, time.time())
    ids = {r.id for r in records}
    settings = IngestSettings(
        database_url=db, private_allowlist="127.0.0.0/8", concurrency=args.concurrency,
        host_concurrency=args.concurrency, host_min_interval=0.0, fetch_pages=args.pages, timeout=30.0)
    rows = []
    peak = rss_mb()
    async with Poller(settings, state, sink) as poller:
        for label in ("pass 1 (200, parse, publish)", "pass 2 (304 Not Modified)"):
            if barrier is not None:
                await asyncio.to_thread(barrier.wait)  # type: ignore[attr-defined]
            before = published
            feeds = records if label.startswith("pass 1") else [f for f in state.all_feeds() if f.id in ids]
            started = time.perf_counter()
            outcomes = await poller.poll_all(feeds)
            elapsed = time.perf_counter() - started
            peak = max(peak, rss_mb())
            failed = sum(1 for o in outcomes if o.status not in ("ok", "not_modified"))
            rows.append((label, len(outcomes), elapsed, len(outcomes) / elapsed, published - before, peak))
            if failed:
                example = next(o for o in outcomes if o.status not in ("ok", "not_modified"))
                print(f"{label}: {failed} failed, e.g. {example}")
    return rows


def _worker(args: argparse.Namespace, port: int, db: str, part: int, parts: int, barrier: object,
            out: mp.Queue) -> None:  # type: ignore[type-arg]
    out.put(asyncio.run(run(args, port, db, part, parts, barrier)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=5, help="items per feed")
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--pages", action="store_true", help="also fetch and extract every article page")
    parser.add_argument("--database", default=None, help="state database URL (default: a temporary SQLite)")
    parser.add_argument("--processes", type=int, default=1,
                        help="poller processes (replicas) sharing the feeds; >1 needs PostgreSQL state")
    args = parser.parse_args()
    q: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    server = mp.get_context("fork").Process(target=serve, args=(q, args.items), daemon=True)
    server.start()
    port = q.get(timeout=10)
    db = args.database or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    if args.processes > 1 and db.startswith("sqlite"):
        parser.error("--processes > 1 needs --database postgresql+psycopg://… (replicas share state there)")
    try:
        if args.processes == 1:
            rows = asyncio.run(run(args, port, db))
        else:
            from communique.ingest.service import open_state

            open_state(db)  # migrate once, before the replicas start
            ctx = mp.get_context("fork")
            barrier, out = ctx.Barrier(args.processes), ctx.Queue()
            procs = [ctx.Process(target=_worker, args=(args, port, db, i, args.processes, barrier, out))
                     for i in range(args.processes)]
            for proc in procs:
                proc.start()
            parts = [out.get(timeout=3600) for _ in procs]
            for proc in procs:
                proc.join()
            # the replicas poll side by side: a pass lasts as long as its slowest replica
            rows = []
            for k in range(2):
                n = sum(part[k][1] for part in parts)
                secs = max(part[k][2] for part in parts)
                rows.append((parts[0][k][0], n, secs, n / secs, sum(part[k][4] for part in parts),
                             sum(part[k][5] for part in parts)))
    finally:
        server.terminate()
    print(f"\ningest bench: {args.feeds} feeds x {args.items} items, concurrency {args.concurrency}, "
          f"pages {'on' if args.pages else 'off'}, {args.processes} poller process(es), state "
          f"{db.split(':')[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n")
    print(f"| {'pass':<30} | {'feeds':>6} | {'seconds':>7} | {'fetches/s':>9} | {'articles':>8} "
          f"| {'peak RSS MB':>11} |")
    print(f"|{'-' * 32}|{'-' * 8}|{'-' * 9}|{'-' * 11}|{'-' * 10}|{'-' * 13}|")
    for label, n, secs, rate, arts, peak in rows:
        print(f"| {label:<30} | {n:>6} | {secs:>7.1f} | {rate:>9.0f} | {arts:>8} | {peak:>11.0f} |")


if __name__ == "__main__":
    main()
