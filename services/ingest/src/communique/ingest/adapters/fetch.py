"""HTTP fetching with httpx: conditional GET, a streaming size cap, bounded redirects."""

from __future__ import annotations

from dataclasses import dataclass

import httpx


class FetchError(Exception):
    """The resource could not be fetched; ``outcome`` classifies why."""

    def __init__(self, outcome: str, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome


@dataclass(frozen=True)
class FetchResult:
    """A fetched body (or a 304)."""

    status: int
    url: str
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        """True for a 304 answer."""
        return self.status == 304


def make_client(user_agent: str, timeout: float, max_redirects: int) -> httpx.AsyncClient:
    """The shared HTTP client."""
    return httpx.AsyncClient(
        headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
        timeout=timeout, follow_redirects=True, max_redirects=max_redirects,
    )


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
                return FetchResult(304, str(resp.url), b"", None, etag, last_modified)
            if resp.status_code >= 400:
                raise FetchError("http_error", f"HTTP {resp.status_code} for {url}")
            chunks = []
            size = 0
            async for chunk in resp.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError("too_large", f"body of {url} exceeds {max_bytes} bytes")
                chunks.append(chunk)
            return FetchResult(resp.status_code, str(resp.url), b"".join(chunks), resp.headers.get("content-type"),
                               resp.headers.get("etag"), resp.headers.get("last-modified"))
    except httpx.TimeoutException as exc:
        raise FetchError("timeout", f"timeout fetching {url}") from exc
    except httpx.TooManyRedirects as exc:
        raise FetchError("http_error", f"too many redirects for {url}") from exc
    except httpx.HTTPError as exc:
        raise FetchError("http_error", f"{type(exc).__name__} fetching {url}: {exc}") from exc
