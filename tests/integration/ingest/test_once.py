"""`communique ingest once` against a local feed server: full text, de-duplication across passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from communique.contracts import ArticleV1
from communique.ingest.cli import ingest
from communique.ingest.domain.canonical import canonicalize_url
from communique.runtime.feedserver import FeedServer, sample_articles

pytestmark = pytest.mark.integration


def test_second_pass_writes_only_new_articles(tmp_path: Path) -> None:
    articles = sample_articles()
    server = FeedServer(articles[:4]).start()
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"feeds:\n  - url: {server.feed_url}\n    name: Sample\n  - url: {server.base_url}/missing.xml\n")
    out1, out2 = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    state = f"sqlite:///{tmp_path / 'state.db'}"
    runner = CliRunner()
    try:
        r1 = runner.invoke(ingest, ["once", "--feeds", str(feeds), "--state", state, "--output", str(out1),
                                    "--allow-private"])
        assert r1.exit_code == 0, r1.output
        first = [ArticleV1.model_validate_json(line) for line in out1.read_text().splitlines()]
        assert len(first) == 4
        assert all(a.text_origin == "page" for a in first)
        by_url = {a.canonical_url: a for a in first}
        seed = by_url["https://jurnalpatrolinews.example/china-kazakhstan-kemitraan-strategis"]
        assert "Kassym-Jomart Tokayev" in seed.text
        assert seed.language == "id"
        assert seed.source_name == "Sample"
        assert "http_error" in r1.output  # the missing feed is reported, not fatal

        server.add(articles[4])
        r2 = runner.invoke(ingest, ["once", "--feeds", str(feeds), "--state", state, "--output", str(out2),
                                    "--allow-private"])
        assert r2.exit_code == 0, r2.output
        second = [json.loads(line) for line in out2.read_text().splitlines()]
        assert [a["canonical_url"] for a in second] == [canonicalize_url(articles[4]["url"])]
    finally:
        server.stop()


def test_private_addresses_are_refused_without_the_flag(tmp_path: Path) -> None:
    server = FeedServer(sample_articles()[:1]).start()
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"feeds:\n  - url: {server.feed_url}\n")
    try:
        r = CliRunner().invoke(ingest, ["once", "--feeds", str(feeds), "--state", f"sqlite:///{tmp_path / 's.db'}",
                                        "--output", str(tmp_path / "o.jsonl")])
    finally:
        server.stop()
    assert r.exit_code == 0
    assert "blocked" in r.output
    assert (tmp_path / "o.jsonl").read_text() == ""
