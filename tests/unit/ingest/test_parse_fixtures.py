"""Every real-world and hostile feed fixture parses without crashing, hanging or resolving entities."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from communique.ingest.domain.entries import gunzip_if_needed, has_entity_declarations, parse_feed
from tests.conftest import SHARED

FIXTURES = SHARED / "fixtures" / "feeds"
FEEDS = sorted(p for p in FIXTURES.glob("*") if p.suffix not in (".tsv", ".md")) if FIXTURES.is_dir() else []
needs_fixtures = pytest.mark.skipif(not FEEDS, reason=f"shared fixtures not present at {FIXTURES}")

HOSTILE = {"xml-billion-laughs-entity-expansion.xml", "xml-external-entity-xxe-http.xml",
           "xml-quadratic-blowup-entity.xml", "rss1-doctype-external-parameter-entity.xml"}
#: Fixtures that must still yield entries, with a title of the first entry (encodings decoded right).
EXPECTED_FIRST_TITLE = {
    "rss2-lecerclepsy-fr-undeclared-latin1.xml": "Perturbateurs endocriniens",
    "rss-uol-noticias-pt-2018-undeclared-latin1.xml": "Ibope: Bolsonaro perde de Haddad",
    "rss2-oren-ru-2014-windows-1251.xml": "В Бузулуке",
    "rss2-liberal-gr-iso-8859-7.xml": "«Πορτραίτα καραντίνας»",
    "atom03-milliontimes-jp-shift_jis.xml": "ビルドとステアの違い",
    "rss2-golem-de-2018-iso-8859-1.xml": "Red Dead Redemption 2",
    "rss2-nshipster-gzip-body-served-as-xml.xml": "NSOperation",
    "atom-talkingpointsmemo-2017.xml": "Hannity Announces Fox",  # relative links resolved
    "rss2-malformed-unescaped-ampersand.xml": "Good Item",  # bozo, used anyway
}
BOZO_BUT_USED = {"rss2-malformed-unescaped-ampersand.xml", "rss2-lecerclepsy-fr-undeclared-latin1.xml",
                 "rss1-coolloud-org-tw-big5.xml", "rss2-androidauthority-whitespace-before-xml-decl.xml"}


@needs_fixtures
@pytest.mark.timeout(20)
@pytest.mark.parametrize("path", FEEDS, ids=lambda p: p.name)
def test_fixture_parses(path: Path) -> None:
    parsed = parse_feed(path.read_bytes())
    for entry in parsed.entries:
        assert entry.link.startswith(("http://", "https://"))
        assert "lol" * 10 not in entry.title + entry.summary  # no entity expansion
        assert "root:" not in entry.summary  # no external entity read
    if path.name in HOSTILE:
        assert parsed.refused and not parsed.entries
    if path.name in EXPECTED_FIRST_TITLE:
        assert parsed.entries[0].title.startswith(EXPECTED_FIRST_TITLE[path.name])
    if path.name in BOZO_BUT_USED:
        assert parsed.bozo and parsed.entries


@needs_fixtures
def test_every_well_formed_news_fixture_yields_entries() -> None:
    empty_ok = HOSTILE | {"html-not-a-feed.html", "rss-bogus-declared-encoding.xml", "rss-empty-document.xml",
                          "rss-malformed-unclosed-root-end-tag.xml", "rss2-malformed-incomplete-cdata.xml",
                          "rss2-reuters-2020-truncated-server-exception.xml", "rss2-empty-channel-guid-only.xml",
                          "atom-utf8-bytes-declared-iso-8859-1.xml"}
    for path in FEEDS:
        if path.name not in empty_ok:
            assert parse_feed(path.read_bytes()).entries, path.name


def test_feed_hints_and_relative_links() -> None:
    rss = b"""<?xml version="1.0"?><rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
    <channel><title>T</title><ttl>45</ttl><sy:updatePeriod>hourly</sy:updatePeriod>
    <sy:updateFrequency>2</sy:updateFrequency>
    <item><title>A</title><link>/news/1</link></item></channel></rss>"""
    parsed = parse_feed(rss, base_url="https://x.example/feeds/all.xml")
    assert parsed.ttl == 2700 and parsed.update_period == 1800
    assert parsed.entries[0].link == "https://x.example/news/1"


def test_entity_declarations_are_found_in_utf16_too() -> None:
    doc = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>'
    assert has_entity_declarations(doc.encode("utf-16"))
    assert not has_entity_declarations(b'<!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "x.dtd"><rss/>')


def test_gzip_bodies_are_inflated_within_a_bound() -> None:
    assert gunzip_if_needed(gzip.compress(b"<rss/>")) == b"<rss/>"
    assert len(gunzip_if_needed(gzip.compress(b"a" * 10_000), max_bytes=100)) == 100


def test_well_formed_feed_yields_entries() -> None:
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><language>id</language>
    <item><title>A &amp; B</title><link>https://x.example/1</link><guid>g1</guid>
    <pubDate>Mon, 16 Jun 2025 09:00:00 +0700</pubDate><description>&lt;p&gt;Hello&lt;/p&gt;</description></item>
    </channel></rss>"""
    parsed = parse_feed(rss)
    assert not parsed.bozo
    [e] = parsed.entries
    assert e.title == "A & B" and e.summary == "Hello" and e.language == "id"
    assert e.published is not None and e.published.isoformat() == "2025-06-16T02:00:00+00:00"
