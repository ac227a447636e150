"""Load test of the store API: concurrent clients, mixed realistic queries, over HTTP.

Usage: python bench/api_load.py --database-url URL [--clients 50] [--duration 60] [--port 8765]

Starts the API in a separate process exactly as the product does (``communique store api``,
uvicorn), waits for /readyz, then runs ``--clients`` httpx async clients for ``--duration``
seconds, each sending one request after another, drawn from a weighted mix of what an
analyst's front end asks for: newest and filtered event pages, the next page of a
listing (keyset cursor), event details, articles, a one-year daily timeline of an actor,
top dyads and actors. Any status other than 200, and any transport error or timeout,
counts as an error. Prints throughput, p50/p99 overall and per query type, the error count
and the load average; asserts nothing. Use a database loaded by ``bench/store.py --keep``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import httpx

ACTORS = ["USA", "CHN", "RUS", "GBR", "FRA", "DEU", "IND", "JPN", "UKR", "ISR", "IRN", "TUR", "SAU", "PAK", "KOR",
          "PRK", "BRA", "IDN", "EGY", "ZAF", "NGA", "MEX", "CAN", "AUS", "ITA", "ESP", "POL", "KAZ", "MYS", "VNM"]
START, DAYS = date(2023, 1, 1), 3 * 365
Query = tuple[str, str, dict[str, object]]  # (name, path, params)


class Mix:
    """Weighted realistic queries; remembers ids and cursors seen in earlier answers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.event_ids: list[str] = []
        self.cursors: list[dict[str, object]] = []
        self.cases: list[tuple[float, Callable[[], Query]]] = [
            (12, lambda: ("events: newest page", "/v1/events", {"limit": 50})),
            (14, lambda: ("events: actor", "/v1/events", {"actor": self.actor(), "limit": 50})),
            (10, lambda: ("events: actor+root+90d", "/v1/events",
                          {"actor": self.actor(), "cameo": rng.choice(["04", "05", "11"]), **self.window(90),
                           "limit": 50})),
            (8, lambda: ("events: dyad", "/v1/events", {"dyad": "-".join(rng.sample(ACTORS[:10], 2)), "limit": 50})),
            (5, lambda: ("events: quad4+goldstein<-5", "/v1/events",
                         {"quad_class": 4, "goldstein_max": -5, **self.window(365), "limit": 50})),
            (6, lambda: ("events: full text", "/v1/events", {"q": f"{rng.choice(ACTORS[:10])} talks", "limit": 50})),
            (10, self.next_page),
            (12, self.detail),
            (5, lambda: ("articles: newest", "/v1/articles", {"limit": 20})),
            (8, lambda: ("timeline: actor, 1 year, daily", "/v1/stats/timeline",
                         {"actor": rng.choice(ACTORS[:10]), "interval": "day", **self.window(365)})),
            (4, lambda: ("stats: dyads 90d", "/v1/stats/dyads", {"top": 20, **self.window(90)})),
            (3, lambda: ("stats: actors 30d", "/v1/stats/actors", {"top": 20, **self.window(30)})),
        ]
        self.weights = [w for w, _ in self.cases]

    def actor(self) -> str:
        return self.rng.choice(ACTORS)

    def window(self, days: int) -> dict[str, object]:
        start = START + timedelta(days=self.rng.randrange(DAYS - days))
        return {"from": start.isoformat(), "to": (start + timedelta(days=days - 1)).isoformat()}

    def next_page(self) -> Query:
        if not self.cursors:
            return ("events: actor", "/v1/events", {"actor": self.actor(), "limit": 50})
        return ("events: next page (cursor)", "/v1/events", self.rng.choice(self.cursors))

    def detail(self) -> Query:
        if not self.event_ids:
            return ("events: newest page", "/v1/events", {"limit": 50})
        return ("event detail", f"/v1/events/{self.rng.choice(self.event_ids)}", {})

    def pick(self) -> Query:
        return self.rng.choices(self.cases, self.weights)[0][1]()

    def learn(self, path: str, params: dict[str, object], body: dict[str, object]) -> None:
        """Keep some event ids and next-page cursors for later requests."""
        if path != "/v1/events":
            return
        items = body.get("items") or []
        if items and len(self.event_ids) < 2000:
            self.event_ids.append(self.rng.choice(items)["event_id"])  # type: ignore[index]
        if body.get("next_cursor") and len(self.cursors) < 500:
            self.cursors.append({**params, "cursor": body["next_cursor"]})


async def client(base: str, mix: Mix, deadline: float, timeout: float,
                 results: list[tuple[str, float, bool]], errors: Counter[str]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=timeout) as http:
        while time.perf_counter() < deadline:
            name, path, params = mix.pick()
            started = time.perf_counter()
            ok = False
            try:
                r = await http.get(path, params=params)  # type: ignore[arg-type]
                ok = r.status_code == 200
                if ok:
                    if r.headers.get("content-type", "").startswith("application/json"):
                        mix.learn(path, params, r.json())
                else:
                    errors[f"{name}: HTTP {r.status_code}"] += 1
            except httpx.HTTPError as exc:
                errors[f"{name}: {type(exc).__name__}"] += 1
            results.append((name, (time.perf_counter() - started) * 1000, ok))


def start_api(database_url: str, port: int) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).with_name("communique")
    cmd = [str(exe), "store", "api", "--database-url", database_url, "--host", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, "STORE_ANONYMOUS_READ": "true", "STORE_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the API exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.terminate()
    raise SystemExit("the API did not become ready within 60 s")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else float("nan")


async def run(base: str, clients: int, duration: float, timeout: float, seed: int) -> None:
    mix = Mix(random.Random(seed))
    results: list[tuple[str, float, bool]] = []
    errors: Counter[str] = Counter()
    async with httpx.AsyncClient(base_url=base, timeout=timeout) as http:  # warm-up: learn ids and cursors
        for actor in ACTORS[:10]:
            params = {"actor": actor, "limit": 50}
            mix.learn("/v1/events", params, (await http.get("/v1/events", params=params)).json())
    load_before = os.getloadavg()
    started = time.perf_counter()
    deadline = started + duration
    await asyncio.gather(*(client(base, mix, deadline, timeout, results, errors) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    load_after = os.getloadavg()

    by_name: dict[str, list[float]] = defaultdict(list)
    for name, ms, ok in results:
        if ok:
            by_name[name].append(ms)
    all_ok = [ms for _, ms, ok in results if ok]
    n_err = sum(1 for *_, ok in results if not ok)
    print(f"\n{clients} clients, {elapsed:.0f} s: {len(results):,} requests, {len(results) / elapsed:,.1f} req/s, "
          f"errors {n_err}")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    print("\n| query | requests | p50 ms | p99 ms |\n|---|---|---|---|")
    print(f"| all | {len(all_ok):,} | {statistics.median(all_ok) if all_ok else float('nan'):.0f} | "
          f"{pct(all_ok, 0.99):.0f} |")
    for name in sorted(by_name, key=lambda k: -len(by_name[k])):
        ms = by_name[name]
        print(f"| {name} | {len(ms):,} | {statistics.median(ms):.0f} | {pct(ms, 0.99):.0f} |")
    for what, n in errors.most_common(10):
        print(f"  error: {what} × {n}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", required=True, help="a database loaded by bench/store.py --keep")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds")
    ap.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    proc = start_api(args.database_url, args.port)
    try:
        asyncio.run(run(f"http://127.0.0.1:{args.port}", args.clients, args.duration, args.timeout, args.seed))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
