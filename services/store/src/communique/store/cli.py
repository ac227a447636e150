"""`communique store migrate|api|consume`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from communique.runtime.settings import load_settings
from communique.store.settings import StoreSettings

DB_OPTION = click.option("--database-url", default=None, help="SQLAlchemy URL (setting STORE_DATABASE_URL)")


def _settings(database_url: str | None, **extra: object) -> StoreSettings:
    overrides = {k: v for k, v in {"database_url": database_url, **extra}.items() if v is not None}
    return load_settings(StoreSettings, **overrides)


@click.group()
def store() -> None:
    """The event store: migrations, query API and Kafka consumer."""


@store.command()
@DB_OPTION
def migrate(database_url: str | None) -> None:
    """Bring the database schema up to date (Alembic)."""
    from communique.runtime.logs import configure_logging
    from communique.store.storage.migrate import upgrade

    settings = _settings(database_url)
    configure_logging(settings.log_level, settings.log_format, service="store-migrate")
    upgrade(settings.database_url)
    click.echo("database is up to date")


@store.command()
@DB_OPTION
@click.option("--host", default=None, help="bind address (STORE_API_HOST)")
@click.option("--port", type=int, default=None, help="port (STORE_API_PORT)")
def api(database_url: str | None, host: str | None, port: int | None) -> None:
    """Serve the query API."""
    import uvicorn

    from communique.runtime.logs import configure_logging
    from communique.store.api.app import create_app

    settings = _settings(database_url, api_host=host, api_port=port)
    configure_logging(settings.log_level, settings.log_format, service="store-api")
    click.echo(f"Communique API on http://{settings.api_host}:{settings.api_port} (docs at /docs)")
    uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port, log_level="warning")


@store.command()
@DB_OPTION
def consume(database_url: str | None) -> None:
    """Consume articles and events from Kafka into the database."""
    from communique.runtime.health import serve
    from communique.store.consumer import run_consumer

    settings = _settings(database_url)

    async def main(stop: asyncio.Event, health: object) -> None:
        await run_consumer(settings, stop, health)  # type: ignore[arg-type]

    asyncio.run(serve("store-consumer", settings, main))


@store.command(name="import")
@DB_OPTION
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "gdelt"]), default="jsonl", show_default=True,
              help="EventV1 JSON Lines, or GDELT 2.0 event file (tab-separated; .zip/.gz accepted)")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=5000, show_default=True)
@click.option("--migrate/--no-migrate", default=True, show_default=True, help="bring the schema up to date first")
def import_(database_url: str | None, file: Path, fmt: str, batch_size: int, migrate: bool) -> None:
    """Bulk-load events idempotently (importing a file twice changes nothing)."""
    import time

    from communique.store.importer import import_file
    from communique.store.storage.db import make_engine, session_factory
    from communique.store.storage.migrate import upgrade

    settings = _settings(database_url)
    if migrate:
        upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    size = max(1, file.stat().st_size)
    started = time.perf_counter()
    skipped: list[str] = []

    def on_skip(line: int, reason: str) -> None:
        if len(skipped) < 5:
            skipped.append(f"line {line}: {reason}")

    try:
        with click.progressbar(length=size, label=f"importing {file.name}", show_pos=False,
                               show_percent=True, show_eta=True) as bar:
            done = 0

            def progress(chars: int, _stored: int) -> None:
                nonlocal done
                step = min(size, chars) - done
                if step > 0:
                    bar.update(step)
                    done += step

            result = import_file(session_factory(engine), file, fmt,  # type: ignore[arg-type]
                                 batch_size=batch_size, window_days=settings.cluster_window_days,
                                 progress=progress, on_skip=on_skip)
    finally:
        engine.dispose()
    elapsed = time.perf_counter() - started
    rate = result.events / elapsed if elapsed > 0 else 0.0
    click.echo(f"{result.events} events stored, {result.skipped} lines skipped, "
               f"{elapsed:.1f} s ({rate:,.0f} events/s)")
    for reason in skipped:
        click.echo(f"  skipped {reason}", err=True)


@store.command()
@DB_OPTION
def recluster(database_url: str | None) -> None:
    """Rebuild every event cluster under the configured window (STORE_CLUSTER_WINDOW_DAYS)."""
    from communique.store.storage.db import make_engine, recluster, session_factory

    settings = _settings(database_url)
    engine = make_engine(settings.database_url)
    try:
        with session_factory(engine).begin() as session:
            n = recluster(session, settings.cluster_window_days)
    finally:
        engine.dispose()
    click.echo(f"{n} events reclustered (window ±{settings.cluster_window_days} days)")


@store.command(name="new-key")
@click.option("--name", required=True, help="who the key is for")
@click.option("--scope", "scopes", type=click.Choice(["read", "admin"]), multiple=True, default=["read"],
              show_default=True)
def new_key_command(name: str, scopes: tuple[str, ...]) -> None:
    """Print a fresh API key (give it to the client) and its entry for STORE_API_KEYS (store this)."""
    import json

    from communique.store.api.security import new_key

    secret, digest = new_key()
    click.echo(f"key:   {secret}")
    click.echo("entry: " + json.dumps({"name": name, "sha256": digest, "scopes": sorted(set(scopes))}))
