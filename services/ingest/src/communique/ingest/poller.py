"""One poll of one feed: fetch, parse, de-duplicate, build articles, hand them to a sink."""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from communique.contracts import ArticleV1, article_id_for
from communique.ingest.adapters.fetch import FetchError, fetch
from communique.ingest.adapters.pages import extract_page
from communique.ingest.adapters.state import StateStore
from communique.ingest.domain.canonical import canonicalize_url
from communique.ingest.domain.entries import FeedEntry, parse_feed
from communique.ingest.domain.feeds import FeedSpec
from communique.ingest.domain.language import detect_language
from communique.ingest.settings import IngestSettings
from communique.runtime.logs import get_logger

log = get_logger(__name__)

Sink = Callable[[Sequence[ArticleV1]], Awaitable[None]]


class BlockedURLError(Exception):
    """The URL points at a private, loopback or link-local address, or is not http(s)."""


def check_url_allowed(url: str, allow_private: bool) -> None:
    """Refuse non-http(s) URLs, and private addresses unless allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BlockedURLError(f"only http and https URLs are allowed: {url}")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise BlockedURLError(f"cannot resolve {parts.hostname}: {exc}") from exc
    for info in infos:
        addr = ipaddress.ip_address(info[4][0])
        if addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved or addr.is_multicast:
            raise BlockedURLError(f"{parts.hostname} resolves to a non-public address ({addr})")


@dataclass
class PollOutcome:
    """What one poll did."""

    feed: str
    status: str
    new: int = 0
    duplicates: int = 0
    error: str | None = None
    articles: list[ArticleV1] = field(default_factory=list)


async def _article(
    client: httpx.AsyncClient, spec: FeedSpec, entry: FeedEntry, settings: IngestSettings, now: datetime,
) -> ArticleV1:
    page = None
    if settings.fetch_pages:
        try:
            check_url_allowed(entry.link, settings.allow_private)
            res = await fetch(client, entry.link, max_bytes=settings.max_body_bytes)
            page = await asyncio.to_thread(extract_page, res.body, res.url)
        except (FetchError, BlockedURLError) as exc:
            log.info("page not fetched; using feed text", url=entry.link, error=str(exc))
    canonical = canonicalize_url(page.canonical_url if page and page.canonical_url else entry.link)
    if page is not None:
        text, origin = page.text, "page"
    elif entry.content:
        text, origin = entry.content, "feed_content"
    else:
        text, origin = entry.summary, "feed_summary"
    hint = spec.language or (page.language if page else None) or entry.language
    detected = detect_language(f"{entry.title}\n{text}", None)
    language = detect_language(f"{entry.title}\n{text}", hint)
    return ArticleV1(
        id=article_id_for(canonical), url=entry.link, canonical_url=canonical, feed=spec.url,
        feed_ids=[hashlib.sha256(spec.url.encode()).hexdigest()[:16]], source_name=spec.name,
        title=entry.title or (page.title if page and page.title else ""), summary=entry.summary, text=text,
        text_origin=origin, language=language, language_metadata=(page.language if page else None) or entry.language,
        language_detected=detected, country=spec.country,
        published=entry.published or (page.published if page else None), fetched=now,
        authors=list(entry.authors or (page.authors if page else ())), tags=list(entry.tags or spec.tags),
    )


async def poll_feed(
    client: httpx.AsyncClient, spec: FeedSpec, state: StateStore, settings: IngestSettings, sink: Sink,
) -> PollOutcome:
    """Poll ``spec`` once. New articles go to ``sink``; they are marked seen only after it returns."""
    now = datetime.now(UTC)
    prev = await asyncio.to_thread(state.feed, spec.url)
    try:
        check_url_allowed(spec.url, settings.allow_private)
        res = await fetch(client, spec.url, max_bytes=settings.max_body_bytes,
                          etag=prev.etag if prev else None, last_modified=prev.last_modified if prev else None)
    except BlockedURLError as exc:
        await asyncio.to_thread(state.record_poll, spec.url, outcome="blocked")
        return PollOutcome(spec.url, "blocked", error=str(exc))
    except FetchError as exc:
        await asyncio.to_thread(state.record_poll, spec.url, outcome=exc.outcome)
        return PollOutcome(spec.url, exc.outcome, error=str(exc))
    if res.not_modified:
        await asyncio.to_thread(state.record_poll, spec.url, outcome="not_modified")
        return PollOutcome(spec.url, "not_modified")
    body_hash = hashlib.sha256(res.body).hexdigest()
    if prev and prev.body_hash == body_hash:
        await asyncio.to_thread(state.record_poll, spec.url, outcome="unchanged", etag=res.etag,
                                last_modified=res.last_modified, body_hash=body_hash)
        return PollOutcome(spec.url, "not_modified")
    parsed = await asyncio.to_thread(parse_feed, res.body, content_type=res.content_type)
    if not parsed.entries and parsed.bozo:
        await asyncio.to_thread(state.record_poll, spec.url, outcome="parse_error")
        return PollOutcome(spec.url, "parse_error", error=parsed.bozo_reason)
    by_id: dict[str, FeedEntry] = {}
    for entry in parsed.entries:
        by_id.setdefault(article_id_for(canonicalize_url(entry.link)), entry)
    unseen = await asyncio.to_thread(state.unseen, list(by_id))
    articles = []
    for aid, entry in by_id.items():
        if aid in unseen:
            articles.append(await _article(client, spec, entry, settings, now))
    # A page's canonical URL can differ from the feed link: de-duplicate again on the final ids.
    final_unseen = await asyncio.to_thread(state.unseen, [a.id for a in articles])
    fresh = list({a.id: a for a in articles if a.id in final_unseen}.values())
    await sink(fresh)
    await asyncio.to_thread(state.record_poll, spec.url, outcome="ok", etag=res.etag, last_modified=res.last_modified,
                            body_hash=body_hash, published=[(a.id, a.canonical_url) for a in fresh])
    outcome = PollOutcome(spec.url, "ok", new=len(fresh), duplicates=len(parsed.entries) - len(fresh), articles=fresh)
    if parsed.bozo:
        outcome.error = f"malformed feed used anyway: {parsed.bozo_reason}"
    return outcome
