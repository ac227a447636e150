"""`communique ingest` (the service) and `communique ingest once` (one pass, no Kafka)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from communique.contracts import ArticleV1


@click.group(invoke_without_command=True)
@click.pass_context
def ingest(ctx: click.Context) -> None:
    """Poll feeds and publish new articles to Kafka (settings INGEST_*)."""
    if ctx.invoked_subcommand is None:
        from communique.ingest.service import main

        main()


@ingest.command()
@click.option("--feeds", "feeds_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="FEEDS.yaml with a top-level feeds: list")
@click.option("--state", "state_url", default="sqlite:///data/ingest-once.db", show_default=True,
              help="database URL of the feed state")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="ArticleV1 JSON Lines (default stdout)")
@click.option("--allow-private", is_flag=True, help="allow feeds and pages on private/loopback addresses")
@click.option("--no-pages", is_flag=True, help="do not fetch article pages; use feed text")
def once(feeds_file: Path, state_url: str, output: Path | None, allow_private: bool, no_pages: bool) -> None:
    """Poll every feed once without Kafka; write new articles and print an outcome table."""
    from communique.ingest.domain.feeds import parse_feeds
    from communique.ingest.service import open_state, poll_all
    from communique.ingest.settings import IngestSettings
    from communique.runtime.logs import configure_logging
    from communique.runtime.settings import load_settings

    settings = load_settings(IngestSettings, database_url=state_url, allow_private=allow_private,
                             fetch_pages=not no_pages)
    configure_logging("WARNING", "console", service="ingest-once")
    feeds = parse_feeds(feeds_file.read_text(encoding="utf-8"))
    state = open_state(settings.database_url, settings.poll_interval)
    out = open(output, "a", encoding="utf-8") if output else sys.stdout

    async def write(articles: Sequence[ArticleV1]) -> None:
        for a in articles:
            out.write(a.model_dump_json() + "\n")
        out.flush()

    try:
        outcomes = asyncio.run(poll_all(feeds, state, settings, write))
    finally:
        if output:
            out.close()
    width = max((len(o.feed) for o in outcomes), default=4)
    click.echo(f"{'feed':<{width}}  {'status':<13} {'new':>5} {'dups':>5}  error", err=True)
    for o in outcomes:
        click.echo(f"{o.feed:<{width}}  {o.status:<13} {o.new:>5} {o.duplicates:>5}  {o.error or ''}", err=True)
