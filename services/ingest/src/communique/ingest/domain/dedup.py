"""De-duplication decisions: canonical URL, GUID and normalised title per source within a window.

Pure: the caller looks up which keys are already known and passes them in.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

#: Titles seen longer ago than this no longer mark an entry as a duplicate (updated stories recur).
TITLE_WINDOW = timedelta(days=7)

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_title(title: str) -> str:
    """Lower case, NFKC, punctuation and extra spaces removed."""
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


def title_key(source: str, title: str) -> str | None:
    """Hash of the normalised title within ``source``; None for titles too short to be distinctive."""
    norm = normalise_title(title)
    if len(norm) < 12 or len(norm.split()) < 3:
        return None
    return hashlib.sha256(f"{source.casefold()}|{norm}".encode()).hexdigest()[:32]


def guid_key(feed_id: str, guid: str | None) -> str | None:
    """Hash of an entry's GUID within its feed (GUIDs are only unique per feed)."""
    if not guid or not guid.strip():
        return None
    return hashlib.sha256(f"{feed_id}|{guid.strip()}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Candidate:
    """An entry that may become an article."""

    article_id: str
    feed_id: str
    guid_key: str | None
    title_key: str | None


@dataclass(frozen=True)
class KnownKeys:
    """Keys already published: ids, GUID keys, and title keys with when they were seen."""

    ids: frozenset[str] = frozenset()
    guids: frozenset[str] = frozenset()
    titles: Mapping[str, datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class DedupDecision:
    """New article ids (each with every feed that listed it) and the number of duplicates."""

    new: dict[str, tuple[str, ...]]
    duplicates: int
    duplicate_feeds: dict[str, tuple[str, ...]]


def decide(candidates: Iterable[Candidate], known: KnownKeys, now: datetime,
           window: timedelta = TITLE_WINDOW) -> DedupDecision:
    """Which candidates are new. The first candidate for an id wins; later ones only add feed ids.

    ``duplicate_feeds`` maps already-published ids to the feeds that listed them again, so the
    caller can record the extra feeds.
    """
    new: dict[str, list[str]] = {}
    dup_feeds: dict[str, list[str]] = {}
    batch_guids: dict[str, str] = {}
    batch_titles: dict[str, str] = {}
    duplicates = 0
    for c in candidates:
        if c.article_id in new:
            if c.feed_id not in new[c.article_id]:
                new[c.article_id].append(c.feed_id)
            duplicates += 1
            continue
        seen_title = c.title_key is not None and c.title_key in known.titles \
            and now - known.titles[c.title_key] <= window
        if c.article_id in known.ids or (c.guid_key and c.guid_key in known.guids) or seen_title:
            duplicates += 1
            if c.article_id in known.ids:
                dup_feeds.setdefault(c.article_id, []).append(c.feed_id)
            continue
        earlier = (batch_guids.get(c.guid_key) if c.guid_key else None) \
            or (batch_titles.get(c.title_key) if c.title_key else None)
        if earlier is not None:
            if c.feed_id not in new[earlier]:
                new[earlier].append(c.feed_id)
            duplicates += 1
            continue
        new[c.article_id] = [c.feed_id]
        if c.guid_key:
            batch_guids[c.guid_key] = c.article_id
        if c.title_key:
            batch_titles[c.title_key] = c.article_id
    return DedupDecision(
        new={k: tuple(v) for k, v in new.items()}, duplicates=duplicates,
        duplicate_feeds={k: tuple(v) for k, v in dup_feeds.items()},
    )
