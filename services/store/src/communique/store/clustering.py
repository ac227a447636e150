"""Cross-article event clustering: pure functions, no I/O.

Reports with the same source actor, target actor and CAMEO root belong to one
cluster when their dates are at most ``window_days`` apart, chained: a cluster
is a maximal run of dates in which consecutive dates are no more than the
window apart. The partition therefore depends only on the *set* of stored
reports, never on the order they arrived in, and replaying reports changes
nothing. A cluster's id hashes its key and the first date of its run (see
docs/decisions/0002-event-clustering.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, order=True)
class DyadRoot:
    """What reports must share to be one event: source, target and CAMEO root."""

    source: str
    target: str | None
    cameo_root: str


def cluster_id_for(key: DyadRoot, first_date: date) -> str:
    """Deterministic id of the run of ``key`` starting on ``first_date`` (32 hex digits)."""
    raw = "|".join(("v2", key.source, key.target or "", key.cameo_root, first_date.isoformat()))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Run:
    """A run of dates of one key; ``merged`` names the existing clusters it absorbs."""

    first: date
    last: date
    merged: tuple[str, ...] = ()


def merge_runs(existing: Iterable[tuple[str, date, date]], new_dates: Iterable[date], window_days: int) -> list[Run]:
    """Combine existing runs ``(cluster_id, first, last)`` of one key with new dates.

    Existing runs are separated by more than the window; a new date joins every run
    it is within ``window_days`` of, which may bridge two runs into one.
    """
    gap = timedelta(days=window_days)
    items: list[tuple[date, date, str | None]] = [(a, b, cid) for cid, a, b in existing]
    items += [(d, d, None) for d in set(new_dates)]
    items.sort(key=lambda t: (t[0], t[1], t[2] or ""))
    out: list[Run] = []
    first: date | None = None
    last = date.min
    merged: list[str] = []
    for a, b, cid in items:
        if first is not None and a <= last + gap:
            last = max(last, b)
        else:
            if first is not None:
                out.append(Run(first, last, tuple(merged)))
            first, last, merged = a, b, []
        if cid:
            merged.append(cid)
    if first is not None:
        out.append(Run(first, last, tuple(merged)))
    return out


def runs_of(dates: Sequence[date], window_days: int) -> list[Run]:
    """Split dates into runs (the clusters of one key, computed from scratch)."""
    return merge_runs([], dates, window_days)
