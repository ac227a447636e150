"""Prometheus metrics of the ingest service."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

OUTCOMES = ("ok", "not_modified", "http_error", "parse_error", "timeout", "too_large", "duplicate")

FETCHES = Counter("communique_ingest_fetches_total", "Feed fetches and entries by outcome "
                  "(ok, not_modified, http_error, parse_error, timeout, too_large, blocked; "
                  "duplicate counts entries)", ["outcome"])
PAGES = Counter("communique_ingest_pages_total", "Article page fetches by outcome", ["outcome"])
ARTICLES = Counter("communique_ingest_articles_total", "Articles published, by text origin", ["text_origin"])
FETCH_SECONDS = Histogram("communique_ingest_fetch_seconds", "Feed fetch time", ["kind"],
                          buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60))
