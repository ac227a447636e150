"""A local feed farm: hundreds of feeds with ETags, 304s, 429s, redirects, slow and oversized bodies.

Real HTTP on a ThreadingHTTPServer; every request is logged so tests can count them.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit


def rss(items: list[tuple[str, str, str]], title: str = "Farm") -> bytes:
    """An RSS 2.0 document; items are (link, guid, title)."""
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{g}</guid>"
        f"<description>Summary of {t}.</description></item>" for link, g, t in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<language>en</language>{body}</channel></rss>").encode()


def page(title: str, canonical: str | None = None) -> bytes:
    """An article page with enough text for trafilatura."""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    para = " ".join(f"The foreign ministers of both countries discussed trade and security, point {i}."
                    for i in range(12))
    return (f"<html lang='en'><head><title>{title}</title>{link}</head><body><article><h1>{title}</h1>"
            f"<p>{para}</p><p>{para}</p></article></body></html>").encode()


class Farm:
    """Feeds at ``/feed/<name>.xml`` (items set by the test), plus special paths:

    ``/redirect/<name>`` → 301 to ``/feed/<name>.xml``; ``/loop/<n>`` redirects forever;
    ``/away/<quoted URL>`` → 302 to that URL;
    ``/ratelimited/<n>`` → 429 Retry-After 3600; ``/slow/<n>`` answers after ``slow_seconds``;
    ``/big/<n>`` streams ``big_bytes``; ``/nocond/<name>.xml`` ignores validators;
    ``/fixture/<file>`` serves a shared fixture; ``/a/<path>`` article pages; anything else 404.
    """

    def __init__(self, host: str = "127.0.0.1", fixtures: Path | None = None) -> None:
        self.feeds: dict[str, list[tuple[str, str, str]]] = {}
        self.pages: dict[str, bytes] = {}
        self.fixtures = fixtures
        self.slow_seconds = 8.0
        self.big_bytes = 6 * 1024 * 1024
        self.requests: Counter[str] = Counter()
        self.times: list[tuple[float, str]] = []
        self.lock = threading.Lock()
        farm = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def send(self, code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
                self.send_response(code)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                with farm.lock:
                    farm.requests[path] += 1
                    farm.times.append((time.monotonic(), path))
                kind, _, rest = path.lstrip("/").partition("/")
                if kind in ("feed", "nocond"):
                    name = rest.removesuffix(".xml")
                    if name not in farm.feeds:
                        return self.send(404)
                    body = rss(farm.feeds[name], title=name)
                    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                    if kind == "feed" and self.headers.get("If-None-Match") == etag:
                        return self.send(304, headers={"ETag": etag})
                    return self.send(200, body, {"Content-Type": "application/rss+xml", "ETag": etag,
                                                 "Cache-Control": "max-age=60"})
                if kind == "redirect":
                    return self.send(301, headers={"Location": f"/feed/{rest}.xml"})
                if kind == "away":  # /away/<url-encoded absolute URL>: a redirect to anywhere
                    return self.send(302, headers={"Location": unquote(rest)})
                if kind == "loop":
                    n = int(rest.split("/")[0]) if rest.split("/")[0].isdigit() else 0
                    return self.send(302, headers={"Location": f"/loop/{n + 1}"})
                if kind == "ratelimited":
                    return self.send(429, b"slow down", {"Retry-After": "3600"})
                if kind == "slow":
                    time.sleep(farm.slow_seconds)
                    return self.send(200, rss([]))
                if kind == "big":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    chunk = b"<!-- " + b"x" * 65_000 + b" -->"
                    try:
                        for _ in range(farm.big_bytes // len(chunk) + 1):
                            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                        self.wfile.write(b"0\r\n\r\n")
                    except OSError:
                        pass
                    return None
                if kind == "fixture" and farm.fixtures is not None:
                    f = farm.fixtures / rest
                    return self.send(200, f.read_bytes(), {"Content-Type": "application/xml"}) if f.is_file() \
                        else self.send(404)
                if kind == "a" and path in farm.pages:
                    return self.send(200, farm.pages[path], {"Content-Type": "text/html; charset=utf-8"})
                return self.send(404)

        class Server(ThreadingHTTPServer):
            request_queue_size = 512  # the default backlog of 5 drops connections under load

        self.server = Server((host, 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Farm:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def count(self, prefix: str) -> int:
        with self.lock:
            return sum(n for p, n in self.requests.items() if p.startswith(prefix))
