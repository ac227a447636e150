"""A local HTTP server that publishes articles as an RSS feed and HTML pages.

Used by `communique run` (with the bundled sample articles), by end-to-end tests
and by benchmarks. Articles can be added while it runs.
"""

from __future__ import annotations

import html
import json
import threading
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import urlsplit


def sample_articles() -> list[dict[str, Any]]:
    """The bundled sample articles (incl. the Indonesian China–Kazakhstan seed article)."""
    text = resources.files("communique.runtime").joinpath("sample", "articles.jsonl").read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _date(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def render_page(article: dict[str, Any]) -> str:
    """An article as a plain news web page."""
    paragraphs = "\n".join(f"<p>{html.escape(p.strip())}</p>" for p in article["text"].split("\n") if p.strip())
    published = _date(article.get("published")).isoformat()
    lang = html.escape(article.get("language") or "en")
    title = html.escape(article.get("title") or "")
    canonical = f'\n<link rel="canonical" href="{html.escape(article["url"])}">' if article.get("url") else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<meta property="article:published_time" content="{published}">
<meta name="author" content="{html.escape(article.get("source_name") or "")}">{canonical}
</head><body><header><nav><a href="/">Home</a></nav></header>
<main><article><h1>{title}</h1><time datetime="{published}">{published}</time>
{paragraphs}
</article></main><footer>© sample</footer></body></html>"""


def render_feed(articles: list[dict[str, Any]], base_url: str, title: str = "Communique sample feed") -> str:
    """RSS 2.0 for ``articles``, newest first."""
    items = []
    for a in sorted(articles, key=lambda a: _date(a.get("published")), reverse=True):
        link = f"{base_url}/articles/{a['id']}.html"
        summary = a["text"].split("\n")[0][:400]
        items.append(
            f"<item><title>{html.escape(a.get('title') or '')}</title><link>{html.escape(link)}</link>"
            f"<guid isPermaLink=\"false\">{html.escape(a['id'])}</guid>"
            f"<pubDate>{format_datetime(_date(a.get('published')))}</pubDate>"
            f"<description>{html.escape(summary)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{html.escape(title)}</title><link>{html.escape(base_url)}/</link>"
        f"<description>Articles served locally by Communique</description>{''.join(items)}</channel></rss>"
    )


class FeedServer:
    """Threaded HTTP server: ``/feed.xml`` and ``/articles/<id>.html``."""

    def __init__(self, articles: list[dict[str, Any]] | None = None, host: str = "127.0.0.1", port: int = 0,
                 window: int | None = None) -> None:
        """``window``: the feed lists only the newest ``window`` articles added, as real feeds do
        (pages of older ones stay served); None lists every article."""
        self._articles: dict[str, dict[str, Any]] = {}
        self.window = window
        self._lock = threading.Lock()
        for a in articles or []:
            self.add(a)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                body: str | None = None
                ctype = "text/html; charset=utf-8"
                if path in ("/feed.xml", "/rss", "/"):
                    with server._lock:
                        arts = list(server._articles.values())
                    if server.window is not None:
                        arts = arts[-server.window:]
                    body, ctype = render_feed(arts, server.base_url), "application/rss+xml; charset=utf-8"
                elif path.startswith("/articles/") and path.endswith(".html"):
                    with server._lock:
                        art = server._articles.get(path[len("/articles/") : -len(".html")])
                    body = render_page(art) if art else None
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer((host, port), Handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """http://host:port"""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def feed_url(self) -> str:
        """URL of the RSS feed."""
        return f"{self.base_url}/feed.xml"

    def add(self, article: dict[str, Any]) -> None:
        """Publish one more article (needs id, title, text; optional published, language)."""
        with self._lock:
            self._articles[article["id"]] = article

    def start(self) -> FeedServer:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="feed-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._httpd.shutdown()
        self._httpd.server_close()
