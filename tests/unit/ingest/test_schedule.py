"""The scheduler is a pure function of state, outcome and `now`: table-driven checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from communique.ingest.domain.schedule import (
    FeedHints,
    PollResult,
    SchedulePolicy,
    ScheduleState,
    adapt_interval,
    cache_max_age,
    decide,
    failure_class,
    jitter_factor,
    retry_after_seconds,
    ttl_seconds,
    update_period_seconds,
)

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
POLICY = SchedulePolicy(base_interval=1800, min_interval=300, max_interval=86_400, jitter=0.1)


def delay(decision_at: datetime) -> float:
    return (decision_at - NOW).total_seconds()


@pytest.mark.parametrize(("interval", "new", "seen", "expected"), [
    (1800, 0, 10, 2700),       # nothing new: back off by half again
    (1800, 8, 2, 900),         # mostly new: we may be missing entries, halve
    (1800, 3, 7, 1800),        # some new, mostly seen: keep
    (400, 10, 0, 300),         # clamped at the minimum
    (80_000, 0, 5, 86_400),    # clamped at the maximum
])
def test_adapt_interval(interval: float, new: int, seen: int, expected: float) -> None:
    assert adapt_interval(interval, new, seen, POLICY) == expected


def test_decisions_are_deterministic_and_jittered_within_bounds() -> None:
    state = ScheduleState(interval=1800)
    a = decide("feed-a", state, PollResult("ok", new=3, seen=7), NOW, POLICY)
    assert a == decide("feed-a", state, PollResult("ok", new=3, seen=7), NOW, POLICY)
    assert 1800 * 0.9 <= delay(a.next_poll_at) <= 1800 * 1.1
    factors = {round(jitter_factor(f"feed-{i}", NOW, 0.1), 4) for i in range(50)}
    assert len(factors) > 40 and all(0.9 <= f <= 1.1 for f in factors)


@pytest.mark.parametrize("outcome", ["not_modified", "unchanged"])
def test_not_modified_backs_off_like_nothing_new(outcome: str) -> None:
    d = decide("f", ScheduleState(interval=1800), PollResult(outcome), NOW, POLICY)
    assert d.state == ScheduleState(interval=2700)


@pytest.mark.parametrize(("hints", "at_least"), [
    (FeedHints(ttl=7200), 7200),
    (FeedHints(update_period=43_200), 43_200),
    (FeedHints(cache_max_age=3600), 3600),
    (FeedHints(ttl=600, cache_max_age=5400), 5400),   # the longest publisher hint wins
    (FeedHints(ttl=10 * 86_400), 86_400),            # still clamped to the maximum
])
def test_publisher_hints_set_a_floor(hints: FeedHints, at_least: float) -> None:
    d = decide("f", ScheduleState(interval=600), PollResult("ok", new=5, seen=5, hints=hints), NOW, POLICY)
    assert d.state.interval == at_least


def test_failures_back_off_linearly_by_class() -> None:
    state = ScheduleState(interval=1800)
    delays = []
    for _ in range(3):
        d = decide("f", state, PollResult("timeout"), NOW, POLICY)
        delays.append(delay(d.next_poll_at) / jitter_factor("f", NOW, POLICY.jitter / 2))
        state = d.state
    assert [round(x) for x in delays] == [1800 + 600, 1800 + 1200, 1800 + 1800]
    assert state.failures == 3 and state.interval == 1800 and not state.dead
    perm = decide("f", ScheduleState(interval=1800), PollResult("http_4xx"), NOW, POLICY)
    assert round(delay(perm.next_poll_at) / jitter_factor("f", NOW, 0.05)) == 1800 + 3600


def test_a_feed_that_keeps_failing_is_dead_but_probed_daily_and_recovers() -> None:
    state = ScheduleState(interval=1800, failures=POLICY.dead_after - 1)
    d = decide("f", state, PollResult("parse_error"), NOW, POLICY)
    assert d.state.dead
    assert 86_400 * 0.95 <= delay(d.next_poll_at) <= 86_400 * 1.05
    again = decide("f", d.state, PollResult("http_5xx"), NOW, POLICY)
    assert again.state.dead and delay(again.next_poll_at) >= 86_400 * 0.95
    healed = decide("f", again.state, PollResult("ok", new=1, seen=1), NOW, POLICY)
    assert healed.state == ScheduleState(interval=1800, failures=0, dead=False)


def test_retry_after_is_honoured_and_capped() -> None:
    d = decide("f", ScheduleState(interval=300), PollResult("rate_limited", hints=FeedHints(retry_after=7200)),
               NOW, POLICY)
    assert delay(d.next_poll_at) >= 7200 * 0.95
    capped = decide("f", ScheduleState(interval=300),
                    PollResult("rate_limited", hints=FeedHints(retry_after=10**9)), NOW, POLICY)
    assert delay(capped.next_poll_at) <= 86_400 * 1.05


def test_a_short_base_interval_pins_the_schedule() -> None:
    policy = SchedulePolicy.for_base(2.0)
    d = decide("f", ScheduleState(interval=2.0), PollResult("ok", new=0, seen=4), NOW, policy)
    assert d.state.interval == 2.0


@pytest.mark.parametrize(("outcome", "kind"), [
    ("ok", "success"), ("not_modified", "success"), ("timeout", "transient"), ("rate_limited", "transient"),
    ("http_5xx", "transient"), ("http_4xx", "permanent"), ("parse_error", "permanent"), ("too_large", "permanent"),
])
def test_failure_classes(outcome: str, kind: str) -> None:
    assert failure_class(outcome) == kind


def test_header_and_feed_hint_parsing() -> None:
    assert ttl_seconds("60") == 3600 and ttl_seconds("x") is None and ttl_seconds(None) is None
    assert update_period_seconds("hourly", "2") == 1800
    assert update_period_seconds("daily", None) == 86_400
    assert update_period_seconds("fortnightly", "1") is None
    assert cache_max_age("public, max-age=600") == 600
    assert cache_max_age("s-maxage=10, no-cache") is None
    assert cache_max_age("s-max-age=90") == 90
    assert retry_after_seconds("120", NOW) == 120
    http_date = (NOW + timedelta(minutes=5)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert retry_after_seconds(http_date, NOW) == 300
    assert retry_after_seconds("soon", NOW) is None
