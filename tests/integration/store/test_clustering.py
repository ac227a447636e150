"""Cross-article clustering, redelivery and order independence on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import random
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from communique.runtime.consumer import Record
from communique.runtime.db import make_engine
from communique.store.consumer import StoreHandler
from communique.store.schema import ClusterRow, EventRow, MentionRow
from communique.store.settings import StoreSettings
from communique.store.storage.db import recluster, save_batch, session_factory
from communique.store.storage.migrate import upgrade
from tests.integration.store.seed import meeting_reports
from tests.store_helpers import article, event

pytestmark = pytest.mark.integration


def snapshot(url: str) -> dict[str, object]:
    engine = make_engine(url)
    with session_factory(engine)() as s:
        clusters = sorted((c.cluster_id, c.num_events, c.num_mentions, c.num_articles, c.num_sources, c.first_date,
                           c.last_date) for c in s.scalars(select(ClusterRow)))
        assignment = sorted(s.execute(select(EventRow.event_id, EventRow.cluster_id)).all())
        mentions = s.scalar(select(func.count()).select_from(MentionRow))
    engine.dispose()
    return {"clusters": clusters, "assignment": [tuple(a) for a in assignment], "mentions": mentions}


def test_three_outlets_reporting_one_meeting_make_one_cluster(database_url: str) -> None:
    upgrade(database_url)
    arts, evs = meeting_reports()
    engine = make_engine(database_url)
    for a, e in zip(arts, evs, strict=True):  # they arrive one by one, live counts grow
        with session_factory(engine).begin() as s:
            save_batch(s, [a], [e])
    engine.dispose()
    snap = snapshot(database_url)
    assert len(snap["clusters"]) == 1  # type: ignore[arg-type]
    _, n_events, n_mentions, n_articles, n_sources, first, last = snap["clusters"][0]  # type: ignore[index]
    assert (n_events, n_mentions, n_articles, n_sources) == (3, 3, 3, 3)
    assert (first, last) == (date(2025, 6, 16), date(2025, 6, 17))


def test_redelivering_a_batch_through_the_consumer_changes_nothing(database_url: str) -> None:
    upgrade(database_url)
    settings = StoreSettings(database_url=database_url)
    k = settings.kafka
    arts, evs = meeting_reports()
    evs.append(event("art1", "USA", "RUS", "163", date(2025, 5, 1)))
    records = [Record(k.articles_topic, 0, i, None, a.model_dump_json().encode(), {}, 0) for i, a in enumerate(arts)]
    records += [Record(k.events_topic, 1, i, None, e.model_dump_json().encode(), {}, 0) for i, e in enumerate(evs)]
    engine = make_engine(database_url)
    handler = StoreHandler(session_factory(engine), settings)
    assert asyncio.run(handler(records)) == []
    first = snapshot(database_url)
    for _ in range(2):  # crash before the offset commit: the same batch comes again
        assert asyncio.run(handler(records)) == []
    engine.dispose()
    assert snapshot(database_url) == first
    assert len(first["clusters"]) == 2  # type: ignore[arg-type]


def test_clusters_do_not_depend_on_arrival_order(database_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A chain of reports one or two days apart, plus a bridge that joins two runs.
    days = [date(2025, 3, d) for d in (1, 2, 4, 5, 6, 9, 10, 3)]
    evs = [event(f"a{i}", "FRA", "DEU", "036", d, source_name=f"Outlet {i % 3}") for i, d in enumerate(days)]
    evs += [event(f"b{i}", "FRA", "DEU", "112", d) for i, d in enumerate(days[:3])]
    evs += [event(f"c{i}", "FRA", "POL", "036", d, target=None) for i, d in enumerate(days[:2])]
    snapshots = []
    for seed_ in range(3):
        url = database_url if seed_ == 0 else f"sqlite:///{tmp_path / f'order{seed_}.db'}"
        upgrade(url)
        order = evs[:]
        random.Random(seed_).shuffle(order)
        engine = make_engine(url)
        for i in range(0, len(order), 3):
            with session_factory(engine).begin() as s:
                save_batch(s, [article(1)], order[i : i + 3])
        engine.dispose()
        snapshots.append(snapshot(url))
    assert snapshots[0] == snapshots[1] == snapshots[2]
    sizes = sorted(c[1] for c in snapshots[0]["clusters"])  # type: ignore[union-attr]
    # FRA→DEU 03: 1–6 March chain into one run (6), 9–10 March a second (2); root 11: 1–2 (2) and 4 (1);
    # FRA with no target: 1–2 March (2).
    assert sizes == [1, 2, 2, 2, 6]


def test_a_recoded_report_that_moves_splits_its_old_run(database_url: str) -> None:
    upgrade(database_url)
    evs = [event(f"a{i}", "FRA", "DEU", "036", date(2025, 3, d)) for i, d in enumerate((1, 2, 3))]
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    with sessions.begin() as s:
        save_batch(s, [], evs)
    assert len(snapshot(database_url)["clusters"]) == 1  # type: ignore[arg-type]
    moved = event("a1", "FRA", "DEU", "036", date(2025, 3, 20))  # same id, new date
    with sessions.begin() as s:
        save_batch(s, [], [moved])
    snap = snapshot(database_url)
    assert sorted(c[1] for c in snap["clusters"]) == [1, 1, 1]  # type: ignore[union-attr]
    with sessions.begin() as s:  # a full rebuild agrees with the incremental result
        assert recluster(s, 1) == 3
    assert snapshot(database_url)["assignment"] == snap["assignment"]
    with sessions.begin() as s:  # a wider window merges 03-01 and 03-03 again
        recluster(s, 2)
    assert sorted(c[1] for c in snapshot(database_url)["clusters"]) == [1, 2]  # type: ignore[union-attr]
    engine.dispose()


def test_counts_advanced_by_delta_equal_a_full_recount(database_url: str) -> None:
    # Many batches onto few keys: clusters grow by delta, merge, get renamed, and re-coded
    # reports move; redelivered batches come again. A full rebuild must agree on every count.
    upgrade(database_url)
    rng = random.Random(11)
    evs = []
    for i in range(240):
        src, tgt = rng.choice([("FRA", "DEU"), ("DEU", "FRA"), ("USA", "CHN")])
        evs.append(event(f"x{i // 2}", src, tgt, rng.choice(["036", "042", "112"]),
                         date(2025, 1, 1) + timedelta(days=rng.randrange(60)),
                         source_name=rng.choice(["A", "B", "C", None]), goldstein=rng.choice([-2.5, 1.9, 3.4]),
                         confidence=rng.choice([0.4, 0.8, 0.9])))
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    for i in range(0, len(evs), 17):
        with sessions.begin() as s:
            save_batch(s, [], evs[i : i + 17])
        if i % 3 == 0:  # redelivery, and a re-coded report that moves to another date
            moved = evs[i].model_copy(update={"date": evs[i].date + timedelta(days=rng.choice([-9, 3, 20]))})
            with sessions.begin() as s:
                save_batch(s, [], [*evs[max(0, i - 17) : i + 17], moved])
    incremental = snapshot(database_url)
    with sessions() as s:
        means = sorted(s.execute(select(ClusterRow.cluster_id, ClusterRow.mean_goldstein,
                                        ClusterRow.max_confidence)).all())
    with sessions.begin() as s:
        recluster(s, 1)
    with sessions() as s:
        rebuilt_means = sorted(s.execute(select(ClusterRow.cluster_id, ClusterRow.mean_goldstein,
                                                ClusterRow.max_confidence)).all())
    engine.dispose()
    assert snapshot(database_url) == incremental
    assert means == rebuilt_means
    assert any(c[1] > 5 for c in incremental["clusters"])  # type: ignore[union-attr]
