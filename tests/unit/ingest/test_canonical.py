"""Canonical URLs (table-driven)."""

from __future__ import annotations

import pytest

from communique.ingest.domain.canonical import canonicalize_url


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://www.example.com/a/b/", "https://example.com/a/b"),
        ("http://example.com/a", "https://example.com/a"),
        ("https://m.example.co.id/berita/1?utm_source=x&utm_medium=rss", "https://example.co.id/berita/1"),
        ("https://example.com/a?b=2&a=1#section", "https://example.com/a?a=1&b=2"),
        ("https://EXAMPLE.com/A?fbclid=abc&id=7", "https://example.com/A?id=7"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com:8443/x//y/", "https://example.com:8443/x/y"),
        ("https://www.com/x", "https://www.com/x"),  # a bare two-label host keeps its www
        ("https://news.example/a?gclid=1&page=2&ref=rss", "https://news.example/a?page=2"),
    ],
)
def test_canonicalize(url: str, canonical: str) -> None:
    assert canonicalize_url(url) == canonical


def test_canonicalize_is_idempotent() -> None:
    u = "https://www.example.com/a/?utm_campaign=x&z=1&a=2#f"
    assert canonicalize_url(canonicalize_url(u)) == canonicalize_url(u)
