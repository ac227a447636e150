"""De-duplication decisions: ids, GUIDs, titles per source within seven days, several feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from communique.ingest.domain.dedup import Candidate, KnownKeys, decide, guid_key, normalise_title, title_key

NOW = datetime(2026, 1, 5, tzinfo=UTC)


def cand(aid: str, feed: str = "f1", guid: str | None = None, title: str | None = None) -> Candidate:
    return Candidate(aid, feed, guid_key(feed, guid), title_key("Antara", title) if title else None)


def test_title_normalisation() -> None:
    assert normalise_title("  China–Kazakhstan: a NEW   partnership!! ") == "china kazakhstan a new partnership"
    assert title_key("Antara", "China, Kazakhstan sign deal") == title_key("antara", "china kazakhstan sign DEAL.")
    assert title_key("Antara", "China Kazakhstan sign deal") != title_key("Tempo", "China Kazakhstan sign deal")
    assert title_key("Antara", "News") is None  # too short to be distinctive


def test_guid_is_scoped_to_its_feed() -> None:
    assert guid_key("f1", "123") != guid_key("f2", "123")
    assert guid_key("f1", " ") is None


def test_new_and_known_ids() -> None:
    d = decide([cand("a"), cand("b"), cand("a")], KnownKeys(ids=frozenset({"b"})), NOW)
    assert d.new == {"a": ("f1",)}
    assert d.duplicates == 2
    assert d.duplicate_feeds == {"b": ("f1",)}


def test_same_article_in_several_feeds_is_new_once_with_every_feed() -> None:
    d = decide([cand("a", "f1"), cand("a", "f2"), cand("a", "f3")], KnownKeys(), NOW)
    assert d.new == {"a": ("f1", "f2", "f3")}
    assert d.duplicates == 2


def test_known_guid_hides_a_changed_url() -> None:
    k = KnownKeys(guids=frozenset({guid_key("f1", "urn:1") or ""}))
    assert decide([cand("new-url", guid="urn:1")], k, NOW).new == {}


def test_titles_deduplicate_per_source_within_seven_days() -> None:
    t = "Indonesia and Malaysia agree on border talks"
    key = title_key("Antara", t) or ""
    recent = KnownKeys(titles={key: NOW - timedelta(days=6)})
    old = KnownKeys(titles={key: NOW - timedelta(days=8)})
    assert decide([cand("x", title=t)], recent, NOW).new == {}
    assert decide([cand("x", title=t)], old, NOW).new == {"x": ("f1",)}
    # two URLs with one title in the same batch: the second joins the first
    d = decide([cand("x", title=t), cand("y", "f2", title=t)], KnownKeys(), NOW)
    assert d.new == {"x": ("f1", "f2")}
