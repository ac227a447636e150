"""Scale-out: two replicas share feeds through PostgreSQL leases, and take over a dead one's feeds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Sequence

import pytest

from communique.contracts import ArticleV1
from communique.ingest.domain.feeds import FeedSpec
from communique.ingest.service import open_state, schedule_loop
from communique.ingest.settings import IngestSettings
from communique.runtime.settings import load_settings
from tests.conftest import drop_pg_database, make_pg_database
from tests.integration.ingest.farm import Farm

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


@pytest.fixture
def pg_url(postgres_server: str) -> Iterator[str]:
    url, name = make_pg_database(postgres_server)
    try:
        yield url
    finally:
        drop_pg_database(postgres_server, name)


def settings(url: str, replica: str) -> IngestSettings:
    return load_settings(IngestSettings, database_url=url, replica_id=replica, private_allowlist="127.0.0.0/8",
                         fetch_pages=False, timeout=5.0, poll_interval=3600.0, concurrency=8, host_concurrency=8,
                         host_min_interval=0.0, lease_seconds=2.0, claim_batch=5)


async def until(predicate: object, deadline: float) -> None:
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met before the deadline")
        await asyncio.sleep(0.05)


def test_two_replicas_share_feeds_and_take_over_a_dead_one(pg_url: str) -> None:
    farm = Farm().start()
    try:
        for i in range(120):
            farm.feeds[f"f{i}"] = [(f"{farm.base_url}/a/{i}/1", f"g{i}", f"Story about feed number {i} today")]
        specs = [FeedSpec(url=f"{farm.base_url}/feed/f{i}.xml") for i in range(120)]
        setup = open_state(pg_url)
        records = setup.upsert_feeds(specs, time.time())
        # A replica that claimed 20 feeds and died without polling them.
        dead = setup.claim_due("dead-replica", time.time(), 20, lease_seconds=2.0)
        assert len(dead) == 20
        published: dict[str, list[str]] = {"a": [], "b": []}

        def sink_for(name: str):  # type: ignore[no-untyped-def]
            async def sink(articles: Sequence[ArticleV1]) -> None:
                published[name].extend(a.id for a in articles)
            return sink

        async def run() -> None:
            stop = asyncio.Event()
            a = asyncio.create_task(schedule_loop(settings(pg_url, "a"), open_state(pg_url), sink_for("a"), stop, "a"))
            b = asyncio.create_task(schedule_loop(settings(pg_url, "b"), open_state(pg_url), sink_for("b"), stop, "b"))
            try:
                await until(lambda: len(published["a"]) + len(published["b"]) >= 120, time.monotonic() + 60)
                # let them run on a little: nothing is due again within the interval
                t_end = time.monotonic() + 1.0
                await until(lambda: time.monotonic() > t_end, t_end + 1)
            finally:
                stop.set()
                await asyncio.gather(a, b)

        asyncio.run(run())
        polled = {p: n for p, n in farm.requests.items() if p.startswith("/feed/")}
        assert len(polled) == 120 and set(polled.values()) == {1}  # every feed once, none twice
        all_ids = published["a"] + published["b"]
        assert len(all_ids) == len(set(all_ids)) == 120
        assert published["a"] and published["b"]  # both replicas did work
        state = open_state(pg_url)
        taken_over = {f.id for f in dead}
        assert all(state.get(fid).last_outcome == "ok" for fid in taken_over)  # type: ignore[union-attr]
        assert all(f.lease_owner is None for f in state.all_feeds())
        assert len(records) == 120
    finally:
        farm.stop()
