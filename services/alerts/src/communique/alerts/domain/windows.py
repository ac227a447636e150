"""Threshold rules: fire once when enough distinct outlets report within a window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Observation:
    """One matching report counted by a threshold rule."""

    event_id: str
    outlet: str
    at: datetime


@dataclass(frozen=True)
class Decision:
    """Whether a report makes the rule fire, and what it counted."""

    fire: bool
    outlets: tuple[str, ...]
    event_ids: tuple[str, ...]


def decide(
    observations: list[Observation], new: Observation, *, min_sources: int, window_seconds: int,
    last_fired_at: datetime | None,
) -> Decision:
    """Fire when ``new`` brings the distinct outlets within ``[new.at - window, new.at]`` to ``min_sources``.

    A group fires at most once per window: a later report re-arms it only once
    the window since the last firing has passed. The answer depends only on the
    arguments, so replaying the same reports gives the same alerts.
    """
    start = new.at - timedelta(seconds=window_seconds)
    in_window = [o for o in observations if start <= o.at <= new.at and o.event_id != new.event_id] + [new]
    outlets = tuple(sorted({o.outlet for o in in_window}))
    event_ids = tuple(sorted({o.event_id for o in in_window}))
    if len(outlets) < min_sources:
        return Decision(False, outlets, event_ids)
    if last_fired_at is not None and last_fired_at > start:
        return Decision(False, outlets, event_ids)
    return Decision(True, outlets, event_ids)
