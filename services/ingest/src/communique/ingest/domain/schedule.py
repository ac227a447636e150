"""When to poll a feed next: pure functions of the feed's state, the poll's outcome and ``now``.

Nothing here reads a clock or draws random numbers. Jitter is derived from a hash of the
feed id and the time, so a decision can be replayed exactly in a test.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

#: Outcomes that are not failures of the feed.
SUCCESS = frozenset({"ok", "not_modified", "unchanged"})
#: Failures that may clear up by themselves (server overload, network trouble).
TRANSIENT = frozenset({"timeout", "http_5xx", "rate_limited", "network"})
#: Failures that need someone to fix the feed; they back off faster.
PERMANENT = frozenset({"http_4xx", "parse_error", "too_large", "blocked", "http_error", "refused"})


@dataclass(frozen=True)
class SchedulePolicy:
    """Bounds of the adaptive schedule (seconds)."""

    base_interval: float = 300.0
    min_interval: float = 300.0
    max_interval: float = 86_400.0
    jitter: float = 0.1
    transient_step: float = 600.0
    permanent_step: float = 3_600.0
    dead_after: int = 10
    dead_probe_interval: float = 86_400.0
    max_retry_after: float = 86_400.0

    @classmethod
    def for_base(cls, base: float, min_interval: float = 300.0, max_interval: float = 86_400.0) -> SchedulePolicy:
        """A policy around ``base``. A base below ``min_interval`` (development, tests) pins the interval to it."""
        if base < min_interval:
            return cls(base_interval=base, min_interval=base, max_interval=base, transient_step=base,
                       permanent_step=base, dead_probe_interval=max(base, 60.0))
        return cls(base_interval=base, min_interval=min_interval, max_interval=max(max_interval, min_interval))


@dataclass(frozen=True)
class FeedHints:
    """What the publisher says about how often to poll (all in seconds, None when absent)."""

    ttl: float | None = None
    update_period: float | None = None
    cache_max_age: float | None = None
    retry_after: float | None = None

    @property
    def floor(self) -> float | None:
        """The shortest interval the publisher asks for."""
        values = [v for v in (self.ttl, self.update_period, self.cache_max_age) if v and v > 0]
        return max(values) if values else None


@dataclass(frozen=True)
class ScheduleState:
    """The scheduling part of a feed's durable state."""

    interval: float
    failures: int = 0
    dead: bool = False


@dataclass(frozen=True)
class PollResult:
    """What a poll observed, as far as scheduling cares."""

    outcome: str
    new: int = 0
    seen: int = 0
    hints: FeedHints = FeedHints()


@dataclass(frozen=True)
class ScheduleDecision:
    """The new scheduling state and when to poll next."""

    state: ScheduleState
    next_poll_at: datetime


def failure_class(outcome: str) -> str:
    """``success``, ``transient`` or ``permanent``."""
    if outcome in SUCCESS:
        return "success"
    return "transient" if outcome in TRANSIENT else "permanent"


def clamp(value: float, policy: SchedulePolicy) -> float:
    """``value`` within the policy's bounds."""
    return min(policy.max_interval, max(policy.min_interval, value))


def adapt_interval(interval: float, new: int, seen: int, policy: SchedulePolicy) -> float:
    """Adapt the interval to the entry rate and duplicate ratio of the last successful poll.

    Nothing new: the feed is slower than we poll, so back off by half again. Mostly new
    entries (duplicate ratio under a half): we may be missing some, so halve. Otherwise keep.
    """
    total = new + seen
    if new == 0:
        interval *= 1.5
    elif total and seen / total < 0.5:
        interval /= 2
    return clamp(interval, policy)


def jitter_factor(key: str, now: datetime, spread: float) -> float:
    """A deterministic factor in [1 - spread, 1 + spread] so that feeds added together drift apart."""
    digest = hashlib.sha256(f"{key}|{now.timestamp():.0f}".encode()).digest()
    unit = int.from_bytes(digest[:8], "big") / 2**64
    return 1 - spread + 2 * spread * unit


def decide(key: str, state: ScheduleState, result: PollResult, now: datetime,
           policy: SchedulePolicy) -> ScheduleDecision:
    """The next schedule of feed ``key`` after a poll that ended with ``result`` at ``now``.

    Success adapts the interval; failures back off linearly by failure class, and after
    ``dead_after`` consecutive failures the feed is dead and probed every ``dead_probe_interval``.
    A Retry-After is always honoured (capped).
    """
    kind = failure_class(result.outcome)
    if kind == "success":
        # A 304 or an unchanged body means nothing new: the same as an ok poll with no new entries.
        new = result.new if result.outcome == "ok" else 0
        interval = adapt_interval(state.interval, new, result.seen, policy)
        floor = result.hints.floor
        if floor is not None:
            interval = clamp(max(interval, floor), policy)
        delay = interval * jitter_factor(key, now, policy.jitter)
        return ScheduleDecision(ScheduleState(interval=interval), now + timedelta(seconds=max(1.0, delay)))
    failures = state.failures + 1
    dead = failures >= policy.dead_after
    if dead:
        delay = policy.dead_probe_interval
    else:
        step = policy.transient_step if kind == "transient" else policy.permanent_step
        delay = min(policy.max_interval, state.interval + step * failures)  # linear backoff
    if result.hints.retry_after is not None:
        delay = max(delay, min(result.hints.retry_after, policy.max_retry_after))
    delay *= jitter_factor(key, now, policy.jitter / 2)
    return ScheduleDecision(ScheduleState(interval=state.interval, failures=failures, dead=dead),
                            now + timedelta(seconds=max(1.0, delay)))


_PERIODS = {"hourly": 3600.0, "daily": 86_400.0, "weekly": 604_800.0, "monthly": 2_592_000.0,
            "yearly": 31_536_000.0}


def update_period_seconds(period: str | None, frequency: str | int | None) -> float | None:
    """``sy:updatePeriod`` / ``sy:updateFrequency`` as seconds between updates."""
    if not period:
        return None
    seconds = _PERIODS.get(str(period).strip().lower())
    if seconds is None:
        return None
    try:
        freq = max(1, int(str(frequency).strip())) if frequency not in (None, "") else 1
    except ValueError:
        freq = 1
    return seconds / freq


def ttl_seconds(ttl: str | None) -> float | None:
    """RSS ``<ttl>`` (minutes) as seconds."""
    try:
        minutes = float(str(ttl).strip()) if ttl not in (None, "") else None
    except ValueError:
        return None
    return minutes * 60 if minutes and minutes > 0 else None


_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)")


def cache_max_age(cache_control: str | None) -> float | None:
    """``max-age`` of a Cache-Control header; ``no-cache``/``no-store`` give None."""
    if not cache_control:
        return None
    m = _MAX_AGE.search(cache_control.lower())
    return float(m.group(1)) if m else None


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as seconds from ``now``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())
