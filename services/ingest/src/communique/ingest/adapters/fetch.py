"""HTTP fetching with httpx: conditional GET, a streaming size cap, bounded redirects, politeness."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from communique.ingest.domain.schedule import retry_after_seconds


class FetchError(Exception):
    """The resource could not be fetched.

    ``outcome`` is the metrics label (``http_error``, ``timeout``, ``too_large``); ``kind`` is
    the finer failure used by the scheduler (``http_4xx``, ``http_5xx``, ``rate_limited``,
    ``network``, ``timeout``, ``too_large``).
    """

    def __init__(self, outcome: str, message: str, *, kind: str | None = None, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.kind = kind or outcome
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class FetchResult:
    """A fetched body (or a 304)."""

    status: int
    url: str
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    cache_control: str | None = None

    @property
    def not_modified(self) -> bool:
        """True for a 304 answer."""
        return self.status == 304


FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"


RequestCheck = Callable[[httpx.Request], Awaitable[None]]


def make_client(user_agent: str, timeout: float, max_redirects: int, max_connections: int = 100,
                check: RequestCheck | None = None) -> httpx.AsyncClient:
    """The shared HTTP client. httpx decodes gzip/deflate; the size cap applies to decoded bytes.

    ``check`` runs before every request the client sends, redirect hops included, and may raise
    to refuse it (a redirect to a private address must be refused like a link to one).
    """
    return httpx.AsyncClient(
        headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate",
                 "Accept": FEED_ACCEPT},
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)), follow_redirects=True,
        max_redirects=max_redirects,
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        event_hooks={"request": [check]} if check else {},
    )


class HostLimiter:
    """Per-host politeness: at most ``concurrency`` requests at once and ``min_interval`` s between starts.

    A 429/503 Retry-After blocks the whole host until it expires: requests to it then fail at once
    (``rate_limited``, with the time left) instead of waiting.
    """

    def __init__(self, concurrency: int, min_interval: float) -> None:
        self.concurrency = concurrency
        self.min_interval = min_interval
        self._sems: dict[str, asyncio.Semaphore] = {}
        self._next: dict[str, float] = {}
        self._blocked: dict[str, float] = {}

    @staticmethod
    def host_of(url: str) -> str:
        """The politeness key of a URL: host and port."""
        parts = urlsplit(url)
        return f"{(parts.hostname or '').lower()}:{parts.port or ''}"

    def block(self, url: str, seconds: float) -> None:
        """Send no request to ``url``'s host for ``seconds`` (at most an hour)."""
        host = self.host_of(url)
        self._blocked[host] = max(self._blocked.get(host, 0.0), time.monotonic() + min(seconds, 3600.0))

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        """Hold a request slot for ``url``'s host."""
        host = self.host_of(url)
        sem = self._sems.get(host)
        if sem is None:
            sem = self._sems[host] = asyncio.Semaphore(self.concurrency)
        async with sem:
            now = time.monotonic()
            blocked = self._blocked.get(host, 0.0) - now
            if blocked > 0:
                # Fail at once rather than hold a slot for up to an hour; the scheduler retries
                # the feed after the host's Retry-After.
                raise FetchError("http_error", f"{host} asked us to wait {blocked:.0f} s more (Retry-After)",
                                 kind="rate_limited", retry_after=blocked)
            start = max(now, self._next.get(host, 0.0))
            # Reserve the start time before sleeping so that waiters queue up behind each other.
            self._next[host] = start + self.min_interval
            if start > now:
                await asyncio.sleep(start - now)
            yield


async def fetch(
    client: httpx.AsyncClient, url: str, *, max_bytes: int, etag: str | None = None,
    last_modified: str | None = None,
) -> FetchResult:
    """GET ``url``; raises ``FetchError`` for HTTP errors, timeouts and bodies over ``max_bytes``."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with client.stream("GET", url, headers=headers) as resp:
            if resp.status_code == 304:
                return FetchResult(304, str(resp.url), b"", None, etag, last_modified,
                                   resp.headers.get("cache-control"))
            if resp.status_code >= 400:
                code = resp.status_code
                retry = retry_after_seconds(resp.headers.get("retry-after"), datetime.now(UTC)) \
                    if code in (429, 503) else None
                kind = "rate_limited" if code == 429 else ("http_5xx" if code >= 500 else "http_4xx")
                raise FetchError("http_error", f"HTTP {code} for {url}", kind=kind, status=code, retry_after=retry)
            declared = resp.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes \
                    and not resp.headers.get("content-encoding"):
                raise FetchError("too_large", f"body of {url} declares {declared} bytes > {max_bytes}")
            chunks = []
            size = 0
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError("too_large", f"body of {url} exceeds {max_bytes} bytes")
                chunks.append(chunk)
            return FetchResult(resp.status_code, str(resp.url), b"".join(chunks), resp.headers.get("content-type"),
                               resp.headers.get("etag"), resp.headers.get("last-modified"),
                               resp.headers.get("cache-control"))
    except httpx.TimeoutException as exc:
        raise FetchError("timeout", f"timeout fetching {url}") from exc
    except httpx.TooManyRedirects as exc:
        raise FetchError("http_error", f"too many redirects for {url}", kind="http_4xx") from exc
    except httpx.DecodingError as exc:
        raise FetchError("http_error", f"undecodable body from {url}: {exc}", kind="http_4xx") from exc
    except httpx.HTTPError as exc:
        raise FetchError("http_error", f"{type(exc).__name__} fetching {url}: {exc}", kind="network") from exc
