"""Alerts settings (environment prefix ``ALERTS_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from communique.runtime.settings import ServiceSettings


class AlertsSettings(ServiceSettings):
    """Rules, state and webhook settings of the alerts service."""

    model_config = SettingsConfigDict(env_prefix="ALERTS_", extra="ignore")

    rules_file: Path | None = Field(default=None, description="YAML file with a top-level rules: list")
    database_url: str = Field(default="sqlite:///data/alerts.db", description="alert state database")
    group_id: str = "communique-alerts"
    admin_api_key: SecretStr | None = Field(default=None, description="key for the rules admin API (X-API-Key)")
    webhook_secret: SecretStr | None = Field(default=None, description="HMAC-SHA256 key for webhook signatures")
    webhook_timeout: float = Field(default=5.0, gt=0, le=60)
    webhook_max_attempts: int = Field(default=8, ge=1, le=100)
    webhook_backoff_s: float = Field(default=0.5, gt=0, le=600)
