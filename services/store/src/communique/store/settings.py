"""Store settings (environment prefix ``STORE_``)."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from communique.runtime.settings import ServiceSettings


class StoreSettings(ServiceSettings):
    """Database, API and consumer settings of the store service."""

    model_config = SettingsConfigDict(env_prefix="STORE_", extra="ignore")

    database_url: str = Field(default="sqlite:///data/communique.db", description="SQLAlchemy URL")
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    group_id: str = "communique-store"
    anonymous_read: bool = True
    cors_origins: list[str] = Field(default_factory=list)
    max_page_size: int = Field(default=500, ge=1, le=10_000)

    @field_validator("database_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("only sqlite:// and postgresql:// URLs are supported")
        return value
