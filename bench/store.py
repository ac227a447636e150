"""Benchmark of the event store: ingest rate and query latency at scale.

Usage: python bench/store.py [--events N] [--pg-url URL] [--skip-pg] [--workdir DIR]
                             [--consumer-sqlite-events N] [--queries N] [--keep]
       python bench/store.py --latency-only --sqlite-db FILE [--pg-db-url URL]   # re-measure kept databases

1. Generates N synthetic EventV1 records (Zipf-distributed actors and outlets,
   CAMEO roots weighted towards consultation and cooperation, three years of
   dates, 1–4 outlets reporting each real event, 1–3 mention sentences each).
2. SQLite: ``communique store import`` path (JSON Lines file, batches of 5,000)
   for the import rate, and the consumer path (records decoded by the consumer,
   batches of 500, one transaction each) on a fresh database for the consumer rate.
3. PostgreSQL: the consumer path with all N events.
4. Query latency through the API (FastAPI TestClient, in process) on each
   loaded database: p50/p95 per query type.

Prints tables; asserts nothing. Targets (issue 4): import >= 20,000 events/s into
SQLite; >= 5,000 events/s consumed into PostgreSQL; p95 <= 100 ms for filtered
/v1/events pages and <= 300 ms for a one-year daily timeline of one actor.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

from communique.contracts import event_id_for
from communique.runtime.consumer import Record
from communique.store.consumer import decode_batch
from communique.store.importer import import_file
from communique.store.settings import StoreSettings
from communique.store.storage.db import make_engine, save_batch, session_factory
from communique.store.storage.migrate import upgrade

ACTORS = ["USA", "CHN", "RUS", "GBR", "FRA", "DEU", "IND", "JPN", "UKR", "ISR", "IRN", "TUR", "SAU", "PAK", "KOR",
          "PRK", "BRA", "IDN", "EGY", "ZAF", "NGA", "MEX", "CAN", "AUS", "ITA", "ESP", "POL", "KAZ", "MYS", "VNM",
          "PHL", "THA", "QAT", "ARE", "SYR", "IRQ", "AFG", "ETH", "KEN", "ARG", "UN", "EU", "NATO", "ASEAN", "AU"]
ACTORS += [f"X{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(160)]  # a long tail of small states
ROOTS = {"01": 8, "02": 6, "03": 8, "04": 25, "05": 12, "06": 5, "07": 3, "08": 4, "09": 2, "10": 4, "11": 8,
         "12": 3, "13": 3, "14": 2, "15": 1, "16": 2, "17": 2, "18": 1, "19": 1, "20": 0.2}
QUAD = {"01": 1, "02": 1, "03": 1, "04": 1, "05": 2, "06": 2, "07": 2, "08": 2, "09": 3, "10": 3, "11": 3,
        "12": 3, "13": 3, "14": 3, "15": 4, "16": 3, "17": 4, "18": 4, "19": 4, "20": 4}
PLOVER = {"01": "CONSULT", "02": "REQUEST", "03": "AGREE", "04": "CONSULT", "05": "SUPPORT", "06": "COOPERATE",
          "07": "AID", "08": "RETREAT", "09": "CONSULT", "10": "DEMAND", "11": "ACCUSE", "12": "REJECT",
          "13": "THREATEN", "14": "PROTEST", "15": "MOBILIZE", "16": "SANCTION", "17": "COERCE", "18": "ASSAULT",
          "19": "FIGHT", "20": "FIGHT"}
LANGS = ["en"] * 6 + ["fr", "es", "ru", "zh", "ar", "id", "de"]
START = date(2023, 1, 1)
DAYS = 3 * 365


def synthetic_events(n: int, seed: int = 4) -> Iterator[bytes]:
    """``n`` EventV1 records as JSON bytes."""
    rng = random.Random(seed)
    actor_w = [1 / (i + 1) ** 1.1 for i in range(len(ACTORS))]
    outlets = [f"Outlet {i}" for i in range(400)]
    outlet_w = [1 / (i + 1) ** 0.8 for i in range(len(outlets))]
    roots, root_w = list(ROOTS), list(ROOTS.values())
    made = 0
    while made < n:
        src, tgt = rng.choices(ACTORS, actor_w, k=2)
        if src == tgt:
            continue
        root = rng.choices(roots, root_w)[0]
        cameo = root + str(rng.randint(0, 9)) if rng.random() < 0.7 else root
        day = START + timedelta(days=rng.randrange(DAYS))
        goldstein = round(rng.uniform(-10, 10) if QUAD[root] > 2 else rng.uniform(0, 8), 1)
        for _ in range(min(n - made, rng.choices([1, 2, 3, 4], [55, 25, 12, 8])[0])):
            outlet = rng.choices(outlets, outlet_w)[0]
            article_id = uuid.UUID(int=rng.getrandbits(128)).hex
            d = day + timedelta(days=rng.choice([0, 0, 0, 1, -1]))
            sentence = f"{src} and {tgt} officials held talks in the capital on {d.isoformat()} ({outlet})."
            mentions = [{"sentence": sentence, "start": 100 * k, "end": 100 * k + len(sentence),
                         "trigger": "held talks", "confidence": 0.7} for k in range(rng.choice([1, 1, 2, 3]))]
            record = {
                "event_id": event_id_for(article_id, src, tgt, cameo), "article_id": article_id,
                "date": d.isoformat(), "source": {"code": src, "kind": "state", "sector": "GOV"},
                "target": {"code": tgt, "kind": "state", "sector": "GOV"}, "cameo": cameo, "cameo_root": root,
                "plover": PLOVER[root], "quad_class": QUAD[root], "goldstein": goldstein,
                "location": {"name": "Capital", "country": rng.choice([src, tgt])} if len(src) == 3 else None,
                "evidence": mentions[0] | {}, "language": rng.choice(LANGS), "modality": "asserted",
                "confidence": round(rng.uniform(0.3, 0.99), 2), "mentions": mentions, "coder": "bench",
                "source_name": outlet, "article_url": f"https://news.example/{article_id}",
            }
            record["evidence"].pop("confidence", None)
            yield json.dumps(record).encode()
            made += 1


def consume(url: str, events: list[bytes], batch: int = 500) -> float:
    """Feed the records through the consumer's decode and write path; returns events/s."""
    settings = StoreSettings(database_url=url)
    topic = settings.kafka.events_topic
    engine = make_engine(url)
    sessions = session_factory(engine)
    started = time.perf_counter()
    for i in range(0, len(events), batch):
        records = [Record(topic, 0, i + j, None, v, {}, 0) for j, v in enumerate(events[i : i + batch])]
        arts, evs, failures = decode_batch(records, settings.kafka.articles_topic, topic)
        assert not failures, failures[:1]
        with sessions.begin() as s:
            save_batch(s, arts, evs, settings.cluster_window_days)
        if (i // batch) % 200 == 0:
            rate = (i + batch) / (time.perf_counter() - started)
            print(f"  … {i + batch:>9,} events, {rate:,.0f}/s", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return len(events) / elapsed


def latencies(url: str, n: int, seed: int = 7) -> dict[str, tuple[float, float]]:
    """p50/p95 in ms of typical API queries."""
    from fastapi.testclient import TestClient

    from communique.store.api.app import create_app

    rng = random.Random(seed)
    app = create_app(StoreSettings(database_url=url, max_export_rows=10_000))
    top = ACTORS[:30]
    with TestClient(app) as c:
        some = c.get("/v1/events", params={"limit": 200}).json()["items"]

        def window() -> dict[str, str]:
            start = START + timedelta(days=rng.randrange(DAYS - 90))
            return {"from": start.isoformat(), "to": (start + timedelta(days=90)).isoformat()}

        def one_year() -> dict[str, str]:
            return {"from": "2024-01-01", "to": "2024-12-31"}

        cases: dict[str, Callable[[], tuple[str, dict[str, object]]]] = {
            "events: newest page": lambda: ("/v1/events", {"limit": 50}),
            "events: actor": lambda: ("/v1/events", {"actor": rng.choice(top), "limit": 50}),
            "events: actor+root+90d": lambda: ("/v1/events", {"actor": rng.choice(top), "cameo": rng.choice(
                ["04", "05", "11"]), **window(), "limit": 50}),
            "events: dyad": lambda: ("/v1/events", {"dyad": "-".join(rng.sample(top[:10], 2)), "limit": 50}),
            "events: quad4+goldstein<-5": lambda: ("/v1/events", {"quad_class": 4, "goldstein_max": -5, "limit": 50}),
            "events: outlet+lang": lambda: ("/v1/events", {"outlet": f"Outlet {rng.randrange(20)}", "language": "fr",
                                                           "limit": 50}),
            "events: full text": lambda: ("/v1/events", {"q": f"{rng.choice(top[:10])} talks", "limit": 50}),
            "events: page 2 (cursor)": lambda: ("/v1/events", {"actor": rng.choice(top), "limit": 50,
                                                               "cursor": c.get("/v1/events", params={
                                                                   "actor": rng.choice(top), "limit": 50}
                                                               ).json()["next_cursor"] or ""}),
            "event detail": lambda: (f"/v1/events/{rng.choice(some)['event_id']}", {}),
            "timeline: 1 actor, 1 year, daily": lambda: ("/v1/stats/timeline", {"actor": rng.choice(top[:10]),
                                                                              "interval": "day", **one_year()}),
            "timeline: all, 3 years, monthly": lambda: ("/v1/stats/timeline", {"interval": "month"}),
            "stats: dyads 1 year": lambda: ("/v1/stats/dyads", {"top": 20, **one_year()}),
            "stats: actors 90d": lambda: ("/v1/stats/actors", {"top": 20, **window()}),
            "export: 10k csv": lambda: ("/v1/export/events", {"limit": 10_000, "format": "csv"}),
        }
        out: dict[str, tuple[float, float]] = {}
        for name, make in cases.items():
            times = []
            reps = n if not name.startswith("export") else max(3, n // 10)
            for _ in range(reps):
                path, params = make()
                params = {k: v for k, v in params.items() if v != ""}
                t = time.perf_counter()
                r = c.get(path, params=params)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, (name, r.status_code, r.text[:200])
            times.sort()
            out[name] = (statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))])
    app.state.engine.dispose()
    return out


def pg_copy_of_sqlite(sqlite_file: Path, admin_url: str) -> str:
    """A PostgreSQL database holding the same rows as a loaded SQLite file (for query latency only).

    Copies every table with COPY and builds the secondary indexes afterwards, which takes
    minutes where the consumer path takes an hour at a million events on a busy machine.
    """
    import sqlite3

    import sqlalchemy as sa

    name = f"communique_copy_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    pg = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    src = sqlite3.connect(sqlite_file)
    with pg.connect() as conn:
        indexes = [d for (d,) in conn.execute(sa.text(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ('events', 'mentions') "
            "AND indexname NOT LIKE '%pkey'"))]
        for d in indexes:
            conn.execute(sa.text("DROP INDEX " + d.split(" INDEX ", 1)[1].split(" ON ", 1)[0]))
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        for table in ("articles", "actors", "event_clusters", "events", "mentions"):
            cols = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
            names = ", ".join(f'"{c}"' for c in cols)
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in src.execute(f"SELECT {names} FROM {table}"):
                    copy.write_row(row)
            print(f"  copied {table}", file=sys.stderr, flush=True)
        for d in indexes:
            conn.execute(sa.text(d))
        conn.execute(sa.text("VACUUM ANALYZE"))
    pg.dispose()
    src.close()
    return url


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--consumer-sqlite-events", type=int, default=200_000)
    ap.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--skip-pg", action="store_true")
    ap.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    ap.add_argument("--queries", type=int, default=40, help="repetitions per query type")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--skip-latency", action="store_true", help="measure ingest only")
    ap.add_argument("--keep", action="store_true", help="keep the PostgreSQL database (its URL is printed)")
    ap.add_argument("--latency-only", action="store_true", help="only measure queries on --sqlite-db/--pg-db-url")
    ap.add_argument("--pg-copy-of", type=Path, default=None, metavar="SQLITE_FILE",
                    help="only make a PostgreSQL copy of a loaded SQLite file (printed URL) for --latency-only")
    ap.add_argument("--sqlite-db", type=Path, default=None, help="with --latency-only: a loaded SQLite file")
    ap.add_argument("--pg-db-url", default=None, help="with --latency-only: a loaded PostgreSQL database")
    args = ap.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)
    if args.pg_copy_of:
        print(pg_copy_of_sqlite(args.pg_copy_of, args.pg_url))
        return
    if args.latency_only:
        lat = {"SQLite": latencies(f"sqlite:///{args.sqlite_db}", args.queries)} if args.sqlite_db else {}
        if args.pg_db_url:
            lat["PostgreSQL"] = latencies(args.pg_db_url, args.queries)
        print_latencies(lat)
        return
    work = args.workdir or Path(tempfile.mkdtemp(prefix="communique-bench-"))
    work.mkdir(parents=True, exist_ok=True)

    t = time.perf_counter()
    jsonl = work / "events.jsonl"
    events = jsonl.read_bytes().splitlines() if jsonl.exists() else []
    if len(events) == args.events:  # the generator is seeded: same N, same events
        print(f"reusing {len(events):,} events of {jsonl}", file=sys.stderr)
    else:
        events = list(synthetic_events(args.events))
        jsonl.write_bytes(b"\n".join(events) + b"\n")
        print(f"generated {len(events):,} events in {time.perf_counter() - t:.1f} s ({jsonl})", file=sys.stderr)
    stale_files = [f"{db}{suffix}" for db in ("import.db", "consumer.db") for suffix in ("", "-wal", "-shm")]
    for stale in [] if args.skip_sqlite else stale_files:
        (work / stale).unlink(missing_ok=True)

    rows: list[tuple[str, str]] = []
    sqlite_url = f"sqlite:///{work / 'import.db'}"
    if not args.skip_sqlite:
        upgrade(sqlite_url)
        engine = make_engine(sqlite_url)
        t = time.perf_counter()
        result = import_file(session_factory(engine), jsonl, "jsonl", batch_size=5000)
        rate = result.events / (time.perf_counter() - t)
        engine.dispose()
        rows.append((f"import into SQLite ({result.events:,} events)", f"{rate:,.0f} events/s"))
        print(f"import: {rate:,.0f}/s (SQLite file {work / 'import.db'})", file=sys.stderr)

        n_sq = min(args.consumer_sqlite_events, len(events))
        consumer_url = f"sqlite:///{work / 'consumer.db'}"
        upgrade(consumer_url)
        rate = consume(consumer_url, events[:n_sq])
        rows.append((f"consumer into SQLite ({n_sq:,} events, batches of 500)", f"{rate:,.0f} events/s"))

    lat: dict[str, dict[str, tuple[float, float]]] = {}
    if not args.skip_latency and not args.skip_sqlite:
        lat["SQLite"] = latencies(sqlite_url, args.queries)
    if not args.skip_pg:
        import sqlalchemy as sa

        name = f"communique_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        pg_url = args.pg_url.rsplit("/", 1)[0] + f"/{name}"
        try:
            upgrade(pg_url)
            rate = consume(pg_url, events)
            rows.append((f"consumer into PostgreSQL ({len(events):,} events, batches of 500)", f"{rate:,.0f} events/s"))
            print(f"consumer PostgreSQL: {rate:,.0f}/s", file=sys.stderr)
            pg = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
            with pg.connect() as conn:  # what autovacuum does soon after a load: visibility map and statistics
                conn.execute(sa.text("VACUUM ANALYZE"))
            pg.dispose()
            if not args.skip_latency:
                lat["PostgreSQL"] = latencies(pg_url, args.queries)
        finally:
            if args.keep:
                print(f"kept PostgreSQL database: {pg_url}", file=sys.stderr)
            else:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    print(f"\n| ingest ({args.events:,} synthetic events) | rate |\n|---|---|")
    for k, v in rows:
        print(f"| {k} | {v} |")
    if lat:
        print_latencies(lat)
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def print_latencies(lat: dict[str, dict[str, tuple[float, float]]]) -> None:
    """The p50 / p95 table."""
    dbs = list(lat)
    print("\n| query (p50 / p95 ms) | " + " | ".join(dbs) + " |\n|---|" + "---|" * len(dbs))
    for q in lat[dbs[0]]:
        print(f"| {q} | " + " | ".join(f"{lat[d][q][0]:.1f} / {lat[d][q][1]:.1f}" for d in dbs) + " |")


if __name__ == "__main__":
    main()
