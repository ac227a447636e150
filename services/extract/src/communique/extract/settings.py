"""Extract settings (environment prefix ``EXTRACT_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from communique.runtime.settings import ServiceSettings


class ExtractSettings(ServiceSettings):
    """Coder and worker settings of the extract service."""

    model_config = SettingsConfigDict(env_prefix="EXTRACT_", extra="ignore")

    group_id: str = "communique-extract"
    coder: str = Field(default="rules", description="which EventCoder to use")
    overlay_dir: Path | None = Field(default=None, description="extra dictionaries overriding the packaged ones")
    workers: int = Field(default=1, ge=0, le=256,
                         description="coder processes; 1 codes in the service process, 0 means one per core")
