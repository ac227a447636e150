"""Feed bytes → entries, with feedparser; hostile XML never reaches an entity resolver."""

from __future__ import annotations

import calendar
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from communique.ingest.domain.schedule import ttl_seconds, update_period_seconds


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
    """Entries of a feed, whether the feed was malformed, and its polling hints."""

    title: str
    language: str | None
    entries: list[FeedEntry]
    bozo: bool
    bozo_reason: str | None
    ttl: float | None = None
    update_period: float | None = None
    refused: bool = False


# Entity declarations are how billion-laughs, quadratic blow-up and XXE payloads get in.
# Feeds have no legitimate use for them, so such documents are refused before parsing.
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_PROLOG_SCAN = 1 << 20


def has_entity_declarations(data: bytes) -> bool:
    """True when the document declares entities (in any common encoding)."""
    head = data[:_PROLOG_SCAN]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) > 1 and (head[0] == 0 or head[1] == 0)):
        for codec in ("utf-16", "utf-16-le", "utf-16-be"):
            try:
                return "<!entity" in head.decode(codec, errors="ignore").lower()
            except UnicodeError:
                continue
    return bool(_ENTITY_DECL.search(head))


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
        return " ".join(str(lxml.html.fromstring(value).text_content()).split())
    except Exception:
        return value.strip()


def gunzip_if_needed(data: bytes, max_bytes: int = 15 * 1024 * 1024) -> bytes:
    """Servers sometimes send a gzip file without ``Content-Encoding``: inflate it (bounded)."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(data, max_bytes)
    except zlib.error:
        return data
    return out


def parse_feed(data: bytes, *, content_type: str | None = None, base_url: str | None = None) -> ParsedFeed:
    """Parse feed bytes. Documents declaring entities are refused (``refused=True``, no entries).

    ``base_url`` (the URL the feed was fetched from) resolves relative entry links.

    Encodings: feedparser weighs the HTTP charset, the XML declaration and a byte sniff, and
    falls back when a declaration is wrong; the result is flagged ``bozo`` but still used.
    """
    data = gunzip_if_needed(data)
    if has_entity_declarations(data):
        return ParsedFeed(title="", language=None, entries=[], bozo=True,
                          bozo_reason="refused: the document declares XML entities", refused=True)
    headers = {"content-type": content_type} if content_type else None
    parsed = feedparser.parse(data, response_headers=headers, resolve_relative_uris=False, sanitize_html=True)
    feed_lang = (parsed.feed.get("language") or "")[:2].lower() or None
    # Relative entry links are resolved against the fetched URL, else the feed's own link.
    base = base_url or parsed.feed.get("link") or ""
    entries = []
    for e in parsed.entries:
        link = e.get("link") or (e.get("id") if str(e.get("id", "")).startswith("http") else None)
        if link and base and not str(link).startswith(("http://", "https://")):
            link = urljoin(base, str(link))
        if not link or not str(link).startswith(("http://", "https://")):
            continue
        content = ""
        if e.get("content"):
            content = _html_text(" ".join(c.get("value", "") for c in e["content"]))
        entries.append(FeedEntry(
            link=str(link).strip(),
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
    return ParsedFeed(
        title=parsed.feed.get("title", ""), language=feed_lang, entries=entries,
        bozo=bool(parsed.get("bozo")), bozo_reason=reason, ttl=ttl_seconds(parsed.feed.get("ttl")),
        update_period=update_period_seconds(parsed.feed.get("sy_updateperiod"),
                                            parsed.feed.get("sy_updatefrequency")),
    )
