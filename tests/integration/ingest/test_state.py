"""The state store on SQLite and PostgreSQL: migrations, fetch-log trimming, title window pruning, leases."""

from __future__ import annotations

import time

import sqlalchemy as sa

from communique.ingest.adapters.state import PollRecord, PublishedItem
from communique.ingest.domain.feeds import FeedSpec
from communique.ingest.service import open_state


def test_migrations_use_their_own_version_table_and_are_idempotent(database_url: str) -> None:
    open_state(database_url)
    open_state(database_url)
    engine = sa.create_engine(database_url)
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT version_num FROM alembic_version_ingest")).scalar() == "ingest0001"
        tables = set(sa.inspect(c).get_table_names())
    engine.dispose()
    assert {"ingest_feeds", "ingest_fetches", "ingest_items"} <= tables
    assert "alembic_version" not in tables  # the store's table stays free


def test_fetch_log_trim_title_prune_and_leases(database_url: str) -> None:
    state = open_state(database_url)
    now = time.time()
    [a, b] = state.upsert_feeds([FeedSpec(url="https://a.example/f"), FeedSpec(url="https://b.example/f")], now)
    state.record_many([PollRecord(feed_id=a.id, owner=None, at=now + i, outcome="ok") for i in range(40)])
    assert state.trim_fetch_log() == 10
    assert len(state.fetches(a.id, limit=100)) == 30
    state.record(PollRecord(feed_id=b.id, owner=None, at=now - 9 * 86_400, outcome="ok",
                            published=(PublishedItem("x", "https://b.example/x", (b.id,), "g", "t"),)))
    assert state.known_keys([], [], ["t"]).titles
    assert state.prune_items(now - 7 * 86_400) == 1
    assert not state.known_keys([], [], ["t"]).titles and state.known_keys(["x"], ["g"], []).ids == {"x"}
    # leases: a claimed feed is not claimable again until its lease expires
    state.set_paused(a.id, True, now)
    claimed = state.claim_due("r1", now + 100, 10, lease_seconds=5)
    assert [f.id for f in claimed] == [b.id]
    assert state.claim_due("r2", now + 101, 10, lease_seconds=5) == []
    assert [f.id for f in state.claim_due("r2", now + 106, 10, lease_seconds=5)] == [b.id]
    # the first replica's late result does not overwrite the new owner's lease
    state.record(PollRecord(feed_id=b.id, owner="r1", at=now + 107, outcome="ok", next_poll_at=now + 999))
    rec = state.get(b.id)
    assert rec is not None and rec.lease_owner == "r2" and rec.next_poll_at != now + 999


def test_leases_are_renewed_by_their_owner_and_reclaimed_after_a_restart(database_url: str) -> None:
    state = open_state(database_url)
    now = time.time()
    [a, b] = state.upsert_feeds([FeedSpec(url="https://a.example/f"), FeedSpec(url="https://b.example/f")], now)
    assert {f.id for f in state.claim_due("r1", now + 100, 10, lease_seconds=5)} == {a.id, b.id}
    # a long poll renews its lease: still r1's after the original lease ran out
    assert state.renew([a.id], "r1", now + 120) == 1
    assert [f.id for f in state.claim_due("r2", now + 110, 10, lease_seconds=5)] == [b.id]
    # another replica cannot renew what it does not hold
    assert state.renew([a.id], "r2", now + 200) == 0
    rec = state.get(a.id)
    assert rec is not None and rec.lease_owner == "r1"
    # r1 restarts under the same name: it drops what it held, the feed is claimable at once
    assert state.release_owner("r1") == 1
    assert [f.id for f in state.claim_due("r3", now + 111, 10, lease_seconds=5)] == [a.id]
    assert state.release_owner("r1") == 0
