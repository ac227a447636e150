"""Two extract workers and two store consumers over 4 partitions store exactly what one of each would."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.harness import assert_exactly_once, corpus_articles, running_stack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_two_of_each_consumer_store_the_single_worker_result(tmp_path: Path, shared_dir: Path) -> None:
    n = 40
    articles = corpus_articles(shared_dir, n, "scale")
    with running_stack(tmp_path, articles, per_second=20, replicas={"extract": 2, "store-consumer": 2},
                       env={"KAFKA_PARTITIONS": "4"}) as (stack, drip):
        assert {"extract#2", "store-consumer#2"} <= set(stack.procs)
        # The expected set is what a single coder gives for every article, so equality means the
        # replicas neither lost, doubled nor altered anything.
        assert_exactly_once(stack, drip, n)
        assert all(p.poll() is None for p in stack.procs.values())
