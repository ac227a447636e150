"""Hundreds of feeds from a real local HTTP server: exact article counts across passes.

The farm serves well-behaved feeds with ETags, feeds that ignore validators, redirects, a
redirect loop, 429s with Retry-After on a second host, slow and oversized feeds, 404s and every
shared fixture (real-world and hostile).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import quote

import pytest

from communique.contracts import ArticleV1
from communique.ingest.adapters.state import StateStore
from communique.ingest.domain import dedup
from communique.ingest.domain.canonical import canonicalize_url
from communique.ingest.domain.entries import parse_feed
from communique.ingest.domain.feeds import FeedSpec
from communique.ingest.poller import Poller, PollOutcome
from communique.ingest.service import open_state
from communique.ingest.settings import IngestSettings
from communique.runtime.settings import load_settings
from tests.conftest import SHARED
from tests.integration.ingest.farm import Farm, page

pytestmark = pytest.mark.integration
FIXTURES = SHARED / "fixtures" / "feeds"
HOSTILE = ("xml-billion-laughs-entity-expansion.xml", "xml-external-entity-xxe-http.xml",
           "xml-quadratic-blowup-entity.xml", "rss1-doctype-external-parameter-entity.xml")


def settings(**over: object) -> IngestSettings:
    base: dict[str, object] = dict(
        allow_private=False, private_allowlist="127.0.0.0/8", fetch_pages=False, timeout=5.0,
        max_body_bytes=4 * 1024 * 1024, concurrency=32, host_concurrency=32, host_min_interval=0.0,
        poll_interval=600.0,
    )
    base.update(over)
    return load_settings(IngestSettings, **base)


class Collector:
    """The sink: what would have gone to Kafka."""

    def __init__(self) -> None:
        self.articles: list[ArticleV1] = []

    async def __call__(self, articles: Sequence[ArticleV1]) -> None:
        self.articles.extend(articles)


@pytest.fixture
def farms() -> Iterator[tuple[Farm, Farm]]:
    main = Farm(fixtures=FIXTURES if FIXTURES.is_dir() else None).start()
    limited = Farm(host="127.0.0.2").start()  # a second host, so its 429s block only itself
    try:
        yield main, limited
    finally:
        main.stop()
        limited.stop()


def fixture_expectation(names: list[str]) -> int:
    """Articles the fixtures should yield: unique ids after per-feed de-duplication."""
    total, ids = 0, set()
    for name in names:
        parsed = parse_feed((FIXTURES / name).read_bytes(), base_url=f"http://127.0.0.1/fixture/{name}")
        cands = [dedup.Candidate(dedup_id(e.link), name, dedup.guid_key(name, e.guid),
                                 dedup.title_key(name, e.title)) for e in parsed.entries]
        decision = dedup.decide([c for c in cands if c.article_id not in ids], dedup.KnownKeys(), _now())
        ids |= set(decision.new)
        total += len(decision.new)
    return total


def dedup_id(link: str) -> str:
    from communique.contracts import article_id_for

    return article_id_for(canonicalize_url(link))


def _now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_hundreds_of_feeds_exact_counts(farms: tuple[Farm, Farm], tmp_path: Path) -> None:
    farm, limited = farms
    base = farm.base_url
    specs: list[FeedSpec] = []
    for i in range(300):  # three own items each, plus one of ten items shared by thirty feeds
        farm.feeds[f"n{i}"] = [(f"{base}/a/{i}/{j}?utm_source=rss", f"n{i}-{j}", f"Story {j} of feed {i} today")
                               for j in range(3)]
        farm.feeds[f"n{i}"].append((f"https://www.shared.example/s/{i % 10}/", f"s{i % 10}",
                                    f"Shared story number {i % 10} everywhere"))
        specs.append(FeedSpec(url=f"{base}/feed/n{i}.xml", name=f"Outlet {i}"))
    for i in range(20):  # redirected feeds, two items each
        farm.feeds[f"r{i}"] = [(f"{base}/a/r{i}/{j}", f"r{i}-{j}", f"Redirected story {j} of {i}") for j in range(2)]
        specs.append(FeedSpec(url=f"{base}/redirect/r{i}", name=f"Redirected {i}"))
    for i in range(10):  # ignore validators: the body hash must stand in for the ETag
        farm.feeds[f"c{i}"] = [(f"{base}/a/c{i}/0", f"c{i}", f"No conditional GET story {i}")]
        specs.append(FeedSpec(url=f"{base}/nocond/c{i}.xml", name=f"Nocond {i}"))
    specs += [FeedSpec(url=f"{limited.base_url}/ratelimited/{i}") for i in range(10)]
    specs += [FeedSpec(url=f"{base}/loop/0"), FeedSpec(url=f"{base}/slow/1"), FeedSpec(url=f"{base}/slow/2"),
              FeedSpec(url=f"{base}/big/1")]
    specs += [FeedSpec(url=f"{base}/gone/{i}.xml") for i in range(5)]
    fixture_names = sorted(p.name for p in FIXTURES.glob("*") if p.suffix not in (".tsv", ".md")) \
        if FIXTURES.is_dir() else []
    specs += [FeedSpec(url=f"{base}/fixture/{n}", name=n) for n in fixture_names]
    assert len(specs) >= 350

    state = open_state(f"sqlite:///{tmp_path / 'state.db'}")
    sink = Collector()
    records = state.upsert_feeds(specs, time.time())
    started = time.monotonic()

    async def run(records_: list) -> list:  # type: ignore[type-arg]
        async with Poller(settings(), state, sink) as poller:
            return await poller.poll_all(records_)

    outcomes = {o.feed: o for o in asyncio.run(run(records))}
    first_pass = time.monotonic() - started

    fixture_articles = fixture_expectation(fixture_names)
    mismatched = {n: (outcomes[f"{base}/fixture/{n}"].status, outcomes[f"{base}/fixture/{n}"].new)
                  for n in fixture_names if outcomes[f"{base}/fixture/{n}"].new != fixture_expectation([n])}
    assert not mismatched
    expected_first = 300 * 3 + 10 + 20 * 2 + 10 + fixture_articles
    assert len(sink.articles) == expected_first
    assert len({a.id for a in sink.articles}) == expected_first  # each article published once
    shared = [a for a in sink.articles if a.canonical_url.startswith("https://shared.example/")]
    assert len(shared) == 10
    # every feed that listed a shared story is recorded with it, whichever published it first
    for a in shared:
        assert len(state.item_feeds(a.id)) == 30
    by_status: dict[str, int] = {}
    for o in outcomes.values():
        by_status[o.status] = by_status.get(o.status, 0) + 1
    assert outcomes[f"{base}/loop/0"].status == "http_error"
    assert outcomes[f"{base}/slow/1"].status == "timeout"
    assert outcomes[f"{base}/big/1"].status == "too_large"
    assert all(outcomes[f"{limited.base_url}/ratelimited/{i}"].status == "http_error" for i in range(10))
    assert all(outcomes[f"{base}/gone/{i}.xml"].status == "http_error" for i in range(5))
    for name in HOSTILE:
        if name in fixture_names:
            assert outcomes[f"{base}/fixture/{name}"].status == "parse_error"
    bozo_used = outcomes.get(f"{base}/fixture/rss2-malformed-unescaped-ampersand.xml")
    if bozo_used is not None:
        assert bozo_used.status == "ok" and bozo_used.bozo and bozo_used.new == 3
    # the rate-limited feeds are rescheduled no earlier than their Retry-After
    rl = [f for f in state.all_feeds() if "ratelimited" in f.spec.url]
    assert all(f.next_poll_at >= time.time() + 3000 for f in rl)

    # Second pass: ETags give 304s, the validator-ignoring feeds are recognised by body hash, 50 feeds
    # gained one story each, and no request goes to the rate-limited host (it is still blocked).
    for i in range(50):
        farm.feeds[f"n{i}"].append((f"{base}/a/{i}/new", f"n{i}-new", f"Fresh story of feed {i} tonight"))
    sink.articles.clear()
    limited_before = limited.count("/")
    again = {o.feed: o for o in asyncio.run(run(state.all_feeds()))}
    assert len(sink.articles) == 50
    assert sorted(a.canonical_url for a in sink.articles) == sorted(
        canonicalize_url(f"{base}/a/{i}/new") for i in range(50))
    assert sum(1 for i in range(50, 300) if again[f"{base}/feed/n{i}.xml"].status == "not_modified") == 250
    assert all(again[f"{base}/nocond/c{i}.xml"].status == "not_modified" for i in range(10))
    assert limited.count("/") == limited_before or all(
        again[f"{limited.base_url}/ratelimited/{i}"].status == "http_error" for i in range(10))
    print(f"\nfirst pass over {len(specs)} feeds: {first_pass:.1f}s; statuses {by_status}")

    # per-feed history for the admin API
    log = state.fetches(records[100].id)
    assert [x.outcome for x in log] == ["not_modified", "ok"]


def test_a_failed_publish_marks_nothing_seen(farms: tuple[Farm, Farm], tmp_path: Path) -> None:
    farm, _ = farms
    farm.feeds["x"] = [(f"{farm.base_url}/a/x/{j}", f"x{j}", f"Story number {j} about talks") for j in range(4)]
    state = open_state(f"sqlite:///{tmp_path / 'state.db'}")
    [rec] = state.upsert_feeds([FeedSpec(url=f"{farm.base_url}/feed/x.xml")], time.time())
    calls: list[int] = []

    async def flaky(articles: Sequence[ArticleV1]) -> None:
        calls.append(len(articles))
        if len(calls) == 1:
            raise ConnectionError("broker unavailable")

    async def run() -> None:
        async with Poller(settings(), state, flaky) as poller:
            with pytest.raises(ConnectionError):
                await poller.poll(rec)
            # nothing was marked seen and the validators were not stored: the retry gets all four
            again = state.get(rec.id)
            assert again is not None and again.etag is None
            outcome = await poller.poll(again)
            assert outcome.new == 4

    asyncio.run(run())
    # articles are published one by one as their pages arrive: the first send failed, the retry sent all four
    assert calls == [1] * 8  # one send of the first poll failed: the retry sent all four again


def test_full_text_pages_canonical_links_and_politeness(farms: tuple[Farm, Farm], tmp_path: Path) -> None:
    farm, _ = farms
    base = farm.base_url
    farm.pages["/a/p/1"] = page("Ministers meet in Astana")
    farm.pages["/a/p/2"] = page("Ministers meet in Astana again", canonical=f"{base}/a/p/1")  # same article
    farm.pages["/a/p/3"] = page("Summit communique published")
    farm.feeds["p"] = [(f"{base}/a/p/{j}", f"p{j}", f"Page story {j} with a long title") for j in (1, 2, 3)]
    farm.feeds["p"].append((f"{base}/a/p/missing", "pm", "Missing page keeps the summary"))
    state = open_state(f"sqlite:///{tmp_path / 'state.db'}")
    [rec] = state.upsert_feeds([FeedSpec(url=f"{base}/feed/p.xml", name="Pages", country="KAZ")], time.time())
    sink = Collector()

    async def run() -> None:
        async with Poller(settings(fetch_pages=True, host_concurrency=1, host_min_interval=0.2), state,
                          sink) as poller:
            await poller.poll(rec)

    asyncio.run(run())
    by_url = {a.url: a for a in sink.articles}
    assert len(sink.articles) == 3  # page 2 declares page 1 as its canonical: published once
    assert by_url[f"{base}/a/p/1"].text_origin == "page"
    assert "foreign ministers" in by_url[f"{base}/a/p/1"].text
    assert by_url[f"{base}/a/p/missing"].text_origin == "feed_summary"
    assert by_url[f"{base}/a/p/1"].language == "en" and by_url[f"{base}/a/p/1"].language_detected == "en"
    assert by_url[f"{base}/a/p/1"].language_metadata == "en" and by_url[f"{base}/a/p/1"].country == "KAZ"
    # politeness: one request at a time and at least 0.2 s between request starts to the host
    starts = sorted(t for t, _ in farm.times)
    assert len(starts) == 5
    gaps = [round(b - a, 3) for a, b in itertools.pairwise(starts)]
    # Spaced 0.2 s at the client; arrival at the server jitters with the machine's load (one request
    # delayed shortens the next gap), but the whole run cannot be shorter than the spacing allows.
    assert min(gaps) >= 0.1, gaps
    assert starts[-1] - starts[0] >= 0.7, gaps


def test_private_addresses_are_refused_unless_allow_listed(farms: tuple[Farm, Farm], tmp_path: Path) -> None:
    farm, _ = farms
    farm.feeds["x"] = [(f"{farm.base_url}/a/x/1", "x1", "Some story about a summit")]
    state = open_state(f"sqlite:///{tmp_path / 'state.db'}")
    [rec] = state.upsert_feeds([FeedSpec(url=f"{farm.base_url}/feed/x.xml")], time.time())
    sink = Collector()

    async def run(s: IngestSettings) -> str:
        async with Poller(s, state, sink) as poller:
            return (await poller.poll(rec, force=True)).status

    assert asyncio.run(run(settings(private_allowlist=""))) == "blocked"
    assert farm.count("/") == 0
    assert asyncio.run(run(settings(private_allowlist="10.0.0.0/8"))) == "blocked"
    assert asyncio.run(run(settings(private_allowlist="127.0.0.1/32"))) == "ok"


def test_every_redirect_hop_is_checked_against_private_addresses(farms: tuple[Farm, Farm], tmp_path: Path) -> None:
    farm, _ = farms
    farm.feeds["y"] = [(f"{farm.base_url}/a/y/1", "y1", "A story about a treaty")]
    state = open_state(f"sqlite:///{tmp_path / 'state.db'}")
    # The feed's own host is allowed; its redirect goes to the cloud metadata address, which is not.
    metadata = quote("http://169.254.169.254/latest/meta-data/", safe="")
    [bad, good] = state.upsert_feeds([FeedSpec(url=f"{farm.base_url}/away/{metadata}"),
                                      FeedSpec(url=f"{farm.base_url}/redirect/y")], time.time())
    sink = Collector()

    async def run() -> list[PollOutcome]:
        async with Poller(settings(private_allowlist="127.0.0.1/32"), state, sink) as poller:
            return [await poller.poll(bad, force=True), await poller.poll(good, force=True)]

    refused, followed = asyncio.run(run())
    assert refused.status == "blocked" and "169.254.169.254" in (refused.error or "")
    assert followed.status == "ok" and followed.new == 1


def test_title_window_setting(farms: tuple[Farm, Farm], tmp_path: Path) -> None:
    farm, _ = farms
    farm.feeds["t"] = [(f"{farm.base_url}/a/t/{j}", f"t{j}", "Ministers agree on a new border treaty")
                       for j in range(3)]
    for days, expected in ((7.0, 1), (0.0, 3)):
        state = open_state(f"sqlite:///{tmp_path / f'{days}.db'}")
        [rec] = state.upsert_feeds([FeedSpec(url=f"{farm.base_url}/feed/t.xml", name="T")], time.time())
        sink = Collector()

        async def run(s: IngestSettings, st: StateStore, out: Collector, feed: object) -> None:
            async with Poller(s, st, out) as poller:
                await poller.poll(feed)  # type: ignore[arg-type]

        asyncio.run(run(settings(title_dedup_days=days), state, sink, rec))
        assert len(sink.articles) == expected
