"""Feed bytes → entries, with feedparser; hostile XML never reaches an entity resolver."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed."""

    link: str
    guid: str | None
    title: str
    summary: str
    content: str
    published: datetime | None
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    language: str | None


@dataclass(frozen=True)
class ParsedFeed:
    """Entries of a feed, and whether the feed was malformed."""

    title: str
    language: str | None
    entries: list[FeedEntry]
    bozo: bool
    bozo_reason: str | None


def _time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _html_text(value: str) -> str:
    if "<" not in value:
        return value.strip()
    import lxml.html

    try:
        return str(lxml.html.fromstring(value).text_content()).strip()
    except Exception:
        return value.strip()


def parse_feed(data: bytes, *, content_type: str | None = None) -> ParsedFeed:
    """Parse feed bytes. Entity expansion and external entities are never resolved."""
    headers = {"content-type": content_type} if content_type else None
    parsed = feedparser.parse(data, response_headers=headers, resolve_relative_uris=False, sanitize_html=True)
    feed_lang = (parsed.feed.get("language") or "")[:2].lower() or None
    entries = []
    for e in parsed.entries:
        link = e.get("link") or (e.get("id") if str(e.get("id", "")).startswith("http") else None)
        if not link:
            continue
        content = ""
        if e.get("content"):
            content = _html_text(" ".join(c.get("value", "") for c in e["content"]))
        entries.append(FeedEntry(
            link=link,
            guid=e.get("id"),
            title=_html_text(e.get("title", "")),
            summary=_html_text(e.get("summary", "")),
            content=content,
            published=_time(e),
            authors=tuple(a.get("name", "") for a in e.get("authors", []) if a.get("name")),
            tags=tuple(t.get("term", "") for t in e.get("tags", []) if t.get("term")),
            language=feed_lang,
        ))
    reason = str(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    return ParsedFeed(title=parsed.feed.get("title", ""), language=feed_lang, entries=entries,
                      bozo=bool(parsed.get("bozo")), bozo_reason=reason)
