"""`communique store migrate|api|consume`."""

from __future__ import annotations

import asyncio

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
