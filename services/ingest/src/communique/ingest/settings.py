"""Ingest settings (environment prefix ``INGEST_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
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
    min_interval: float = Field(default=300.0, gt=0, description="shortest adaptive interval (s)")
    max_interval: float = Field(default=86_400.0, gt=0, description="longest adaptive interval (s)")
    host_concurrency: int = Field(default=2, ge=1, le=100, description="requests at once per host")
    host_min_interval: float = Field(default=1.0, ge=0, le=600, description="seconds between requests to a host")
    private_allowlist: str = Field(default="", description="comma-separated CIDRs or host names allowed even "
                                   "though private (e.g. 127.0.0.0/8,feeds.internal)")
    admin_api_key: SecretStr | None = Field(default=None, description="key of the admin API; unset disables it")
    replica_id: str = Field(default="", description="lease owner name; default host:pid")
    lease_seconds: float = Field(default=30.0, gt=0, le=3600, description="how long a claimed feed stays "
                                 "leased unless renewed; a dead replica's feeds are taken over after this")
    claim_batch: int = Field(default=200, ge=1, le=10_000, description="feeds claimed per scheduler tick")
    title_dedup_days: float = Field(default=7.0, ge=0, le=365, description="an entry whose normalised title the "
                                    "same source published within this many days is a duplicate; 0 disables")
