"""Store settings (environment prefix ``STORE_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from communique.runtime.settings import ServiceSettings


class StoreSettings(ServiceSettings):
    """Database, API, security and consumer settings of the store service."""

    model_config = SettingsConfigDict(env_prefix="STORE_", extra="ignore")

    database_url: str = Field(default="sqlite:///data/communique.db", description="SQLAlchemy URL")
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    group_id: str = "communique-store"
    anonymous_read: bool = Field(default=True, description="serve read endpoints without an API key")
    api_keys: str | None = Field(
        default=None, description="JSON list of {name, sha256, scopes}; keys are stored hashed, never in clear"
    )
    api_keys_file: Path | None = Field(default=None, description="JSON file with the same list as api_keys")
    cors_origins: list[str] = Field(default_factory=list)
    max_page_size: int = Field(default=500, ge=1, le=10_000)
    max_date_span_days: int = Field(default=3700, ge=1, le=100_000, description="longest from..to of a query")
    max_export_rows: int = Field(default=1_000_000, ge=1, le=100_000_000)
    max_stats_rows: int = Field(default=1000, ge=1, le=100_000, description="longest top list of /v1/stats")
    cluster_window_days: int = Field(default=1, ge=0, le=30, description="± days of one cluster's date window")

    @field_validator("database_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("only sqlite:// and postgresql:// URLs are supported")
        return value
