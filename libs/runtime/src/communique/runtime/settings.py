"""Settings shared by every service.

Each service has its own prefix (``INGEST_``, ``EXTRACT_``, ``STORE_``) and nests the
shared Kafka settings, read from ``KAFKA_*``. Invalid configuration fails at start-up
with a message naming the variable.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from communique.contracts import DEFAULT_ALERTS_TOPIC, DEFAULT_ARTICLES_TOPIC, DEFAULT_EVENTS_TOPIC


class SettingsError(Exception):
    """Configuration is invalid; the message says which setting and why."""


class KafkaSettings(BaseSettings):
    """Broker connection and topic layout (environment prefix ``KAFKA_``)."""

    model_config = SettingsConfigDict(env_prefix="KAFKA_", extra="ignore")

    bootstrap_servers: str = "127.0.0.1:9092"
    client_id: str = "communique"
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    enable_idempotence: bool = Field(
        default=False, description="needs broker support; the embedded Tansu broker lacks it"
    )
    articles_topic: str = DEFAULT_ARTICLES_TOPIC
    events_topic: str = DEFAULT_EVENTS_TOPIC
    alerts_topic: str = DEFAULT_ALERTS_TOPIC
    partitions: int = Field(default=4, ge=1, le=1000)
    replication_factor: int = Field(default=1, ge=1, le=10)
    create_topics: bool = True
    linger_ms: int = Field(default=5, ge=0, le=10_000)
    max_batch: int = Field(default=500, ge=1, le=100_000, description="records per consumer batch")
    batch_timeout_ms: int = Field(default=200, ge=1, le=60_000)
    fetch_max_wait_ms: int = Field(
        default=100, ge=1, le=60_000,
        description="longest a fetch waits at the broker for data; brokers that do not answer a waiting "
                    "fetch when data arrives (the embedded Tansu) add up to this much latency per hop",
    )
    session_timeout_ms: int = Field(default=10_000, ge=1000, le=300_000)
    heartbeat_interval_ms: int = Field(default=3_000, ge=100, le=60_000)
    retry_backoff_s: float = Field(default=0.5, gt=0, le=60)
    retry_backoff_max_s: float = Field(default=30.0, gt=0, le=3600)

    @field_validator("bootstrap_servers")
    @classmethod
    def _servers(cls, value: str) -> str:
        hosts = [h.strip() for h in value.split(",") if h.strip()]
        if not hosts or any(":" not in h for h in hosts):
            raise ValueError("must be host:port[,host:port…]")
        return ",".join(hosts)

    def client_options(self) -> dict[str, object]:
        """Connection options common to aiokafka clients."""
        opts: dict[str, object] = {
            "bootstrap_servers": self.bootstrap_servers,
            "client_id": self.client_id,
            "security_protocol": self.security_protocol,
        }
        if self.sasl_mechanism:
            opts["sasl_mechanism"] = self.sasl_mechanism
            opts["sasl_plain_username"] = self.sasl_username
            opts["sasl_plain_password"] = (
                self.sasl_password.get_secret_value() if self.sasl_password else None
            )
        return opts


class ServiceSettings(BaseSettings):
    """Base of each service's settings: logging, health port, and nested Kafka settings."""

    model_config = SettingsConfigDict(extra="ignore")

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "console"
    health_host: str = "127.0.0.1"
    health_port: int = Field(default=0, ge=0, le=65535, description="0 picks a free port")
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)


T = TypeVar("T", bound=BaseSettings)


def load_settings(cls: type[T], **overrides: object) -> T:
    """Build settings from the environment, turning validation errors into ``SettingsError``."""
    try:
        return cls(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise SettingsError(f"invalid {cls.__name__}: {problems}") from exc
