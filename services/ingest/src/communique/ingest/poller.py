"""Polling: fetch a feed, parse, de-duplicate, fetch full text, hand new articles to a sink, record.

One ``Poller`` per process holds the HTTP client, the politeness limiter and the articles in
flight, so that an article listed by several feeds polled at the same time is published once
with every feed id.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import socket
import time
import zlib
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from communique.contracts import ArticleV1, article_id_for
from communique.ingest.adapters import metrics
from communique.ingest.adapters.fetch import FetchError, FetchResult, HostLimiter, fetch, make_client
from communique.ingest.adapters.pages import PageText, extract_page
from communique.ingest.adapters.state import FeedRecord, PollRecord, PublishedItem, StateStore
from communique.ingest.domain import dedup
from communique.ingest.domain.canonical import canonicalize_url
from communique.ingest.domain.entries import FeedEntry, ParsedFeed, parse_feed
from communique.ingest.domain.language import guess_language
from communique.ingest.domain.schedule import (
    FeedHints,
    PollResult,
    SchedulePolicy,
    ScheduleState,
    cache_max_age,
    decide,
)
from communique.ingest.settings import IngestSettings
from communique.runtime.logs import get_logger

log = get_logger(__name__)

CONNECTIONS_PER_CLIENT = 16
INLINE_BYTES = 256 * 1024
T = TypeVar("T")

Sink = Callable[[Sequence[ArticleV1]], Awaitable[None]]


def needs_dns(url: str, settings: IngestSettings) -> bool:
    """Whether checking ``url`` needs a DNS lookup (IP literals and allowed hosts do not)."""
    if settings.allow_private:
        return False
    host = urlsplit(url).hostname or ""
    try:
        ipaddress.ip_address(host)
        return False
    except ValueError:
        return host.lower() not in parse_allowlist(settings.private_allowlist)[1]


class BlockedURLError(Exception):
    """The URL points at a private, loopback or link-local address, or is not http(s)."""


def parse_allowlist(text: str) -> tuple[list[ipaddress.IPv4Network | ipaddress.IPv6Network], set[str]]:
    """Networks and host names of a comma-separated allow-list."""
    nets, hosts = [], set()
    for item in (x.strip() for x in text.split(",")):
        if not item:
            continue
        try:
            nets.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            hosts.add(item.lower())
    return nets, hosts


def check_url_allowed(url: str, allow_private: bool, allowlist: str = "") -> None:
    """Refuse non-http(s) URLs, and private addresses unless allowed or allow-listed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BlockedURLError(f"only http and https URLs are allowed: {url}")
    if allow_private:
        return
    nets, hosts = parse_allowlist(allowlist)
    if parts.hostname.lower() in hosts:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise BlockedURLError(f"cannot resolve {parts.hostname}: {exc}") from exc
    for info in infos:
        addr = ipaddress.ip_address(info[4][0])
        if any(addr in n for n in nets):
            continue
        if addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved or addr.is_multicast \
                or addr.is_unspecified:
            raise BlockedURLError(f"{parts.hostname} resolves to a non-public address ({addr})")


@dataclass
class PollOutcome:
    """What one poll did."""

    feed: str
    status: str
    new: int = 0
    duplicates: int = 0
    error: str | None = None
    bozo: bool = False
    articles: list[ArticleV1] = field(default_factory=list)


@dataclass
class _Pending:
    """An article being built for publication; other feeds may add their ids meanwhile."""

    feed_ids: list[str]


def source_key(feed: FeedRecord) -> str:
    """The 'source' of title de-duplication: the outlet name, else the feed's host."""
    return feed.spec.name or (urlsplit(feed.spec.url).hostname or feed.spec.url)


class Poller:
    """Polls feeds; shared by the service loop and `communique ingest once`."""

    def __init__(self, settings: IngestSettings, state: StateStore, sink: Sink, *, owner: str | None = None) -> None:
        self.settings = settings
        self.state = state
        self.sink = sink
        self.owner = owner
        self.policy = SchedulePolicy.for_base(settings.poll_interval, settings.min_interval, settings.max_interval)
        self.limiter = HostLimiter(settings.host_concurrency, settings.host_min_interval)
        self.global_slots = asyncio.Semaphore(settings.concurrency)
        self.pending: dict[str, _Pending] = {}
        self.title_window = timedelta(days=settings.title_dedup_days)
        self.clients: list[httpx.AsyncClient] = []
        # SQLite allows one writer: concurrent writers spin in its busy handler, so writes go
        # through one thread. PostgreSQL gets a few.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-state")
        self._records: asyncio.Queue[tuple[PollRecord, asyncio.Future[None]]] = asyncio.Queue()
        self._record_task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Poller:
        # httpcore scans its whole pool on every request state change, which turns quadratic
        # with hundreds of connections; several small pools keep each scan short.
        shards = max(1, min(16, self.settings.concurrency // CONNECTIONS_PER_CLIENT))
        per_client = max(4, -(-self.settings.concurrency // shards))
        self.clients = [make_client(self.settings.user_agent, self.settings.timeout, self.settings.max_redirects,
                                    max_connections=per_client, check=self._check_hop) for _ in range(shards)]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for client in self.clients:
            await client.aclose()
        if self._record_task is not None:
            self._record_task.cancel()
        self._writer.shutdown(wait=True)

    async def _record_loop(self) -> None:
        """Group commit: write every poll record waiting in the queue in one transaction."""
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._records.get()]
            while not self._records.empty() and len(batch) < 500:
                batch.append(self._records.get_nowait())
            try:
                await loop.run_in_executor(self._writer, self.state.record_many, [r for r, _ in batch])
            except Exception as exc:
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
                continue
            for _, fut in batch:
                if not fut.done():
                    fut.set_result(None)

    async def _save(self, rec: PollRecord) -> None:
        """Durably record a poll; returns once it is committed."""
        if self._record_task is None or self._record_task.done():
            self._record_task = asyncio.create_task(self._record_loop(), name="ingest-record")
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await self._records.put((rec, fut))
        await fut

    async def _write(self, fn: Callable[..., object], *args: object) -> None:
        await asyncio.get_running_loop().run_in_executor(self._writer, fn, *args)

    def _check(self, url: str) -> None:
        check_url_allowed(url, self.settings.allow_private, self.settings.private_allowlist)

    async def _check_url(self, url: str) -> None:
        if needs_dns(url, self.settings):
            await asyncio.to_thread(self._check, url)
        else:
            self._check(url)

    async def _check_hop(self, request: httpx.Request) -> None:
        """Every request the client sends, redirect hops included, must pass the address check."""
        await self._check_url(str(request.url))

    async def _get(self, url: str, kind: str, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        assert self.clients, "use the Poller as an async context manager"
        client = self.clients[zlib.crc32(url.encode()) % len(self.clients)]
        async with self.global_slots, self.limiter.slot(url):
            started = time.perf_counter()
            try:
                return await fetch(client, url, max_bytes=self.settings.max_body_bytes, etag=etag,
                                   last_modified=last_modified)
            except FetchError as exc:
                if exc.retry_after:
                    self.limiter.block(url, exc.retry_after)
                raise
            finally:
                metrics.FETCH_SECONDS.labels(kind).observe(time.perf_counter() - started)

    async def _cpu(self, fn: Callable[..., T], size: int, *args: Any, **kwargs: Any) -> T:
        """Run CPU-bound ``fn`` inline when its input is small; in a thread when it is large.

        Handing every small job to a thread costs more than it saves: the event loop then waits
        for the GIL behind the workers (the switch interval is 5 ms), which halves throughput.
        """
        if size <= INLINE_BYTES:
            return fn(*args, **kwargs)
        return await asyncio.to_thread(fn, *args, **kwargs)

    async def poll(self, feed: FeedRecord, *, force: bool = False) -> PollOutcome:
        """Poll one feed and record the outcome. Never raises for feed problems."""
        now = datetime.now(UTC)
        started = time.perf_counter()
        validators = (None, None) if force else (feed.etag, feed.last_modified)
        try:
            res = await self._get(feed.spec.url, "feed", *validators)
        except BlockedURLError as exc:
            return await self._finish(feed, now, started, "blocked", "blocked", error=str(exc))
        except FetchError as exc:
            return await self._finish(feed, now, started, exc.outcome, exc.kind, error=str(exc), status=exc.status,
                                      hints=FeedHints(retry_after=exc.retry_after))
        hints = FeedHints(cache_max_age=cache_max_age(res.cache_control))
        if res.not_modified:
            return await self._finish(feed, now, started, "not_modified", "not_modified", status=304, hints=hints)
        body_hash = hashlib.sha256(res.body).hexdigest()
        kept = (res.etag, res.last_modified, body_hash)
        if feed.body_hash == body_hash and not force:
            # The server ignores conditional GET but nothing changed: as good as a 304.
            return await self._finish(feed, now, started, "not_modified", "unchanged", status=res.status,
                                      hints=hints, validators=kept)
        parsed: ParsedFeed = await self._cpu(parse_feed, len(res.body), res.body, content_type=res.content_type,
                                             base_url=res.url)
        hints = FeedHints(ttl=parsed.ttl, update_period=parsed.update_period, cache_max_age=hints.cache_max_age)
        if not parsed.entries and (parsed.bozo or parsed.refused):
            return await self._finish(feed, now, started, "parse_error", "parse_error", status=res.status,
                                      error=parsed.bozo_reason, hints=hints, validators=kept, bozo=True)
        return await self._publish(feed, parsed, now, started, res.status, hints, kept)

    async def _publish(self, feed: FeedRecord, parsed: ParsedFeed, now: datetime, started: float, status: int,
                       hints: FeedHints, kept: tuple[str | None, str | None, str | None]) -> PollOutcome:
        source = source_key(feed)
        candidates: list[tuple[dedup.Candidate, FeedEntry, str]] = []
        for entry in parsed.entries:
            canonical = canonicalize_url(entry.link)
            cand = dedup.Candidate(article_id_for(canonical), feed.id, dedup.guid_key(feed.id, entry.guid),
                                   dedup.title_key(source, entry.title) if self.title_window else None)
            candidates.append((cand, entry, canonical))
        # Articles another feed of this process is publishing right now: join them, do not republish.
        joined = 0
        fresh = []
        for cand, entry, canonical in candidates:
            pend = self.pending.get(cand.article_id)
            if pend is not None:
                if feed.id not in pend.feed_ids:
                    pend.feed_ids.append(feed.id)
                joined += 1
            else:
                fresh.append((cand, entry, canonical))
        known = self.state.known_keys( [c.article_id for c, _, _ in fresh],
            [c.guid_key for c, _, _ in fresh if c.guid_key], [c.title_key for c, _, _ in fresh if c.title_key])
        decision = dedup.decide([c for c, _, _ in fresh], known, now, self.title_window or dedup.TITLE_WINDOW)
        chosen = {c.article_id: (c, e, u) for c, e, u in fresh if c.article_id in decision.new}
        # Claim before the first await so concurrent polls of other feeds see these ids as in flight.
        mine = [aid for aid in chosen if aid not in self.pending]
        for aid in mine:
            self.pending[aid] = _Pending(list(decision.new[aid]))
        for aid in chosen.keys() - set(mine):
            self.pending[aid].feed_ids.append(feed.id)
        tasks = [asyncio.create_task(self._built(aid, feed, chosen[aid][1], chosen[aid][2], now)) for aid in mine]
        try:
            articles: list[ArticleV1] = []
            items: list[PublishedItem] = []
            by_final: set[str] = set()
            snapshot: dict[str, int] = {}
            final_for: dict[str, str] = {}
            # Publish each article as soon as its page is in: one slow page must not hold up the rest.
            # Sends are not awaited one by one (each waits for the broker's ack); all acks are
            # awaited before the poll is recorded, so nothing is marked seen before it is durable.
            sends: list[asyncio.Task[None]] = []
            for next_done in asyncio.as_completed(tasks):
                aid, (article, _page) = await next_done
                if article.id in by_final or (article.id != aid and article.id in self.pending):
                    continue
                # A page's rel=canonical can name an article published already.
                if article.id not in chosen and self.state.known_keys([article.id], [], []).ids:
                    continue
                by_final.add(article.id)
                feed_ids = list(dict.fromkeys(self.pending[aid].feed_ids))
                snapshot[aid] = len(self.pending[aid].feed_ids)
                final_for[aid] = article.id
                article = article.model_copy(update={"feed_ids": feed_ids})
                cand = chosen[aid][0]
                sends.append(asyncio.create_task(self._send(article)))
                articles.append(article)
                items.append(PublishedItem(article.id, article.canonical_url, tuple(feed_ids), cand.guid_key,
                                           cand.title_key))
            try:
                await asyncio.gather(*sends)
            finally:
                for send in sends:
                    send.cancel()
            for article in articles:
                metrics.ARTICLES.labels(article.text_origin or "none").inc()
            duplicates = len(parsed.entries) - len(articles)
            metrics.FETCHES.labels("duplicate").inc(duplicates)
            outcome = await self._finish(
                feed, now, started, "ok", "ok", status=status, hints=hints, validators=kept, new=len(articles),
                duplicates=duplicates, published=tuple(items), also_in=decision.duplicate_feeds,
                error=f"malformed feed used anyway: {parsed.bozo_reason}" if parsed.bozo else None, bozo=parsed.bozo,
            )
            outcome.articles = articles
            # Feeds that joined an article while it was being published and recorded: add them too.
            # The record is committed: from here on other polls find these ids in the database.
            late: dict[str, tuple[str, ...]] = {}
            for aid, final_id in final_for.items():
                pend = self.pending.pop(aid, None)
                extra = pend.feed_ids[snapshot[aid]:] if pend else []
                if extra:
                    late[final_id] = tuple(extra)
            if late:
                await self._write(self.state.add_item_feeds, late)
            return outcome
        finally:
            for task in tasks:
                task.cancel()
            for aid in mine:
                self.pending.pop(aid, None)

    async def _send(self, article: ArticleV1) -> None:
        await self.sink([article])

    async def _built(self, aid: str, feed: FeedRecord, entry: FeedEntry, canonical: str,
                     now: datetime) -> tuple[str, tuple[ArticleV1, PageText | None]]:
        return aid, await self._article(feed, entry, canonical, now)

    async def _article(self, feed: FeedRecord, entry: FeedEntry, canonical: str,
                       now: datetime) -> tuple[ArticleV1, PageText | None]:
        page = None
        if self.settings.fetch_pages:
            try:
                res = await self._get(entry.link, "page")
                page = await asyncio.to_thread(extract_page, res.body, res.url)
                metrics.PAGES.labels("ok" if page else "no_text").inc()
            except (FetchError, BlockedURLError) as exc:
                metrics.PAGES.labels(getattr(exc, "outcome", "blocked")).inc()
                log.info("page not fetched; using feed text", url=entry.link, error=str(exc))
        if page is not None and page.canonical_url:
            canonical = canonicalize_url(page.canonical_url)
        if page is not None:
            text, origin = page.text, "page"
        elif entry.content:
            text, origin = entry.content, "feed_content"
        else:
            text, origin = entry.summary, "feed_summary"
        spec = feed.spec
        declared = (page.language if page else None) or entry.language
        title = entry.title or (page.title if page and page.title else "")
        sample = f"{title}\n{text}"
        guess = guess_language(sample, spec.language or declared)
        detected, language = guess.detected, guess.chosen
        article = ArticleV1(
            id=article_id_for(canonical), url=entry.link, canonical_url=canonical, feed=spec.url,
            feed_ids=[feed.id], source_name=spec.name, title=title, summary=entry.summary, text=text,
            text_origin=origin, language=language, language_metadata=declared, language_detected=detected,
            country=spec.country, published=entry.published or (page.published if page else None), fetched=now,
            authors=list(entry.authors or (page.authors if page else ())), tags=list(entry.tags or spec.tags),
        )
        return article, page

    async def _finish(self, feed: FeedRecord, now: datetime, started: float, outcome: str, kind: str, *,
                      error: str | None = None, status: int | None = None, hints: FeedHints | None = None,
                      validators: tuple[str | None, str | None, str | None] | None = None, new: int = 0,
                      duplicates: int = 0, published: tuple[PublishedItem, ...] = (),
                      also_in: dict[str, tuple[str, ...]] | None = None, bozo: bool = False) -> PollOutcome:
        metrics.FETCHES.labels(outcome).inc()
        base = feed.spec.interval or feed.interval
        result = PollResult(outcome=kind, new=new, seen=duplicates, hints=hints or FeedHints())
        sched = decide(feed.id, ScheduleState(interval=base, failures=feed.failures, dead=feed.dead), result, now,
                       self.policy)
        rec = PollRecord(
            feed_id=feed.id, owner=self.owner, at=now.timestamp(), outcome=outcome, status=status, error=error,
            duration_ms=int((time.perf_counter() - started) * 1000), new=new, duplicates=duplicates,
            interval=sched.state.interval, failures=sched.state.failures, dead=sched.state.dead,
            next_poll_at=sched.next_poll_at.timestamp(), validators=validators, published=published,
            also_in=also_in or {},
        )
        await self._save(rec)
        if sched.state.dead and not feed.dead:
            log.warning("feed marked dead; probing daily", feed=feed.spec.url, failures=sched.state.failures)
        return PollOutcome(feed.spec.url, outcome, new=new, duplicates=duplicates, error=error, bozo=bozo)

    async def poll_all(self, feeds: Sequence[FeedRecord], *, force: bool = False) -> list[PollOutcome]:
        """Poll ``feeds`` concurrently (bounded by the global and per-host limits)."""

        async def one(feed: FeedRecord) -> PollOutcome:
            try:
                outcome = await self.poll(feed, force=force)
                outcome.articles = []  # they went to the sink; holding 10,000 feeds' worth costs memory
                return outcome
            except Exception as exc:
                log.exception("poll failed", feed=feed.spec.url)
                return PollOutcome(feed.spec.url, "error", error=repr(exc))

        return list(await asyncio.gather(*(one(f) for f in feeds)))
