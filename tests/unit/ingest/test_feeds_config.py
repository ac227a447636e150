"""The FEEDS.yaml format."""

from __future__ import annotations

import pytest

from communique.ingest.domain.feeds import FeedConfigError, parse_feeds


def test_minimal_and_full_items() -> None:
    specs = parse_feeds(
        "feeds:\n  - url: https://a.example/rss\n  - url: https://b.example/atom\n    name: B\n"
        "    language: id\n    country: IDN\n    tags: [asia, news]\n  - https://c.example/feed\n"
    )
    assert [s.url for s in specs] == ["https://a.example/rss", "https://b.example/atom", "https://c.example/feed"]
    assert specs[1].name == "B" and specs[1].language == "id" and specs[1].tags == ("asia", "news")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("feeds: nope", "feeds:"),
        ("- url: https://a", "feeds:"),
        ("feeds:\n  - name: x", "feeds[0]: needs a `url`"),
        ("feeds:\n  - url: ftp://a.example/x", "only http and https"),
        ("feeds: [", "not valid YAML"),
    ],
)
def test_errors_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(FeedConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_feeds(text)
