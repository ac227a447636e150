"""Clustering runs: pure and order independent."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from communique.store.clustering import DyadRoot, Run, cluster_id_for, merge_runs, runs_of

D = date.fromisoformat


@pytest.mark.parametrize(
    ("dates", "window", "expected"),
    [
        ([], 1, []),
        (["2025-01-01"], 1, [("2025-01-01", "2025-01-01")]),
        (["2025-01-01", "2025-01-02", "2025-01-04"], 1, [("2025-01-01", "2025-01-02"), ("2025-01-04", "2025-01-04")]),
        (["2025-01-01", "2025-01-02", "2025-01-04"], 2, [("2025-01-01", "2025-01-04")]),
        (["2025-01-03", "2025-01-01", "2025-01-01"], 0, [("2025-01-01", "2025-01-01"), ("2025-01-03", "2025-01-03")]),
    ],
)
def test_runs(dates: list[str], window: int, expected: list[tuple[str, str]]) -> None:
    assert [(r.first.isoformat(), r.last.isoformat()) for r in runs_of([D(d) for d in dates], window)] == expected


def test_a_bridging_date_merges_existing_runs() -> None:
    runs = merge_runs([("a", D("2025-01-01"), D("2025-01-02")), ("b", D("2025-01-04"), D("2025-01-05"))],
                      [D("2025-01-03")], 1)
    assert runs == [Run(D("2025-01-01"), D("2025-01-05"), ("a", "b"))]


def test_incremental_merging_equals_batch_runs_in_every_order() -> None:
    dates = [D(f"2025-01-{d:02d}") for d in (1, 2, 4, 7, 8, 3, 10)]
    key = DyadRoot("FRA", "DEU", "03")
    expected = {cluster_id_for(key, r.first) for r in runs_of(dates, 1)}
    for order in itertools.islice(itertools.permutations(dates), 0, 5040, 97):
        existing: list[tuple[str, date, date]] = []
        for d in order:
            existing = [(cluster_id_for(key, r.first), r.first, r.last) for r in merge_runs(existing, [d], 1)]
        assert {cid for cid, _, _ in existing} == expected


def test_cluster_ids_are_deterministic_and_distinct() -> None:
    a = cluster_id_for(DyadRoot("CHN", "KAZ", "04"), D("2025-06-16"))
    assert a == cluster_id_for(DyadRoot("CHN", "KAZ", "04"), D("2025-06-16")) and len(a) == 32
    assert a != cluster_id_for(DyadRoot("KAZ", "CHN", "04"), D("2025-06-16"))
    assert a != cluster_id_for(DyadRoot("CHN", None, "04"), D("2025-06-16"))
