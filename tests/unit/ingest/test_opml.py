"""OPML import."""

from __future__ import annotations

import pytest

from communique.ingest.domain.feeds import FeedConfigError
from communique.ingest.domain.opml import parse_opml

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Diplomacy</title></head><body>
  <outline text="Asia">
    <outline text="Antara" type="rss" xmlUrl="https://www.antaranews.com/rss/terkini.xml" language="id"/>
    <outline text="Tempo" type="rss" xmlUrl="https://rss.tempo.co/nasional" category="id,news"/>
  </outline>
  <outline text="Reuters" type="rss" xmlUrl="https://example.com/reuters.xml"/>
  <outline text="dup" xmlUrl="https://example.com/reuters.xml"/>
  <outline text="bad" xmlUrl="file:///etc/passwd"/>
</body></opml>"""


def test_outlines_become_feeds_with_folder_tags() -> None:
    specs = parse_opml(OPML)
    assert [s.url for s in specs] == ["https://www.antaranews.com/rss/terkini.xml", "https://rss.tempo.co/nasional",
                                      "https://example.com/reuters.xml"]
    assert specs[0].name == "Antara" and specs[0].language == "id" and specs[0].tags == ("Asia",)
    assert specs[1].tags == ("Asia", "id", "news")


@pytest.mark.parametrize("doc", [
    b"<html><body/></html>",
    b"not xml",
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><opml><body><outline xmlUrl="&a;"/></body></opml>',
])
def test_bad_or_hostile_opml_is_refused(doc: bytes) -> None:
    with pytest.raises(FeedConfigError):
        parse_opml(doc)
