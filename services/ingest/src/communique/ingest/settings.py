"""Ingest settings (environment prefix ``INGEST_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from communique.runtime.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    """Feeds, fetching and state of the ingest service."""

    model_config = SettingsConfigDict(env_prefix="INGEST_", extra="ignore")

    feeds_file: Path | None = Field(default=None, description="FEEDS.yaml with a top-level feeds: list")
    database_url: str = Field(default="sqlite:///data/ingest.db", description="feed state database")
    poll_interval: float = Field(default=300.0, gt=0, le=86_400, description="seconds between polls of a feed")
    user_agent: str = "Communique/0.1 (+https://github.com/communique; news monitoring)"
    timeout: float = Field(default=20.0, gt=0, le=300)
    max_body_bytes: int = Field(default=15 * 1024 * 1024, ge=1024)
    max_redirects: int = Field(default=5, ge=0, le=20)
    concurrency: int = Field(default=20, ge=1, le=1000)
    fetch_pages: bool = Field(default=True, description="fetch each article page for its full text")
    allow_private: bool = Field(default=False, description="allow feeds on private/loopback addresses")
