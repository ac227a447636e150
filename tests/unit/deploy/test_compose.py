"""The operators' compose file is complete and consistent (no Docker engine needed)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
COMPOSE: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
APP_SERVICES = ["store-api", "store-consumer", "extract", "ingest", "alerts"]


def test_every_role_is_present() -> None:
    assert {"kafka", "postgres", "migrate", *APP_SERVICES} <= set(SERVICES)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_images_are_pinned(name: str) -> None:
    image = SERVICES[name]["image"]
    assert re.fullmatch(r"[\w./-]+:\d[\w.-]*", image), f"{name}: image {image!r} must be pinned to a version"


def test_kafka_is_official_kraft_single_node_with_volume() -> None:
    kafka = SERVICES["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    env = kafka["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert "CONTROLLER" in env["KAFKA_CONTROLLER_LISTENER_NAMES"]
    assert any(v.split(":")[0] in COMPOSE["volumes"] for v in kafka["volumes"])


def test_postgres_16_with_volume() -> None:
    pg = SERVICES["postgres"]
    assert pg["image"].startswith("postgres:16")
    assert any(v.split(":")[0] in COMPOSE["volumes"] for v in pg["volumes"])


@pytest.mark.parametrize("name", ["kafka", "postgres", *APP_SERVICES])
def test_long_running_services_have_healthchecks(name: str) -> None:
    hc = SERVICES[name].get("healthcheck")
    assert hc and hc["test"], f"{name} lacks a healthcheck"
    assert hc.get("interval") and hc.get("retries")


@pytest.mark.parametrize("name", ["migrate", *APP_SERVICES])
def test_dependencies_wait_for_health(name: str) -> None:
    deps = SERVICES[name]["depends_on"]
    assert isinstance(deps, dict) and deps
    for dep, cond in deps.items():
        assert dep in SERVICES, f"{name} depends on unknown {dep}"
        expected = "service_completed_successfully" if dep == "migrate" else "service_healthy"
        if name == "alerts" and dep == "migrate":  # alerts owns its tables; it need not wait for the store's
            continue
        assert cond["condition"] == expected, f"{name} → {dep}"


def test_migration_is_one_shot_and_gates_the_database_users() -> None:
    assert SERVICES["migrate"]["command"] == ["store", "migrate"]
    assert SERVICES["migrate"]["restart"] == "no"
    for name in ("store-api", "store-consumer", "ingest"):
        assert "migrate" in SERVICES[name]["depends_on"]


@pytest.mark.parametrize("name", ["migrate", *APP_SERVICES])
def test_app_services_use_the_project_image_and_real_roles(name: str) -> None:
    svc = SERVICES[name]
    assert svc["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (REPO / svc["build"]["dockerfile"]).exists()
    env = svc["environment"]
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert env["STORE_DATABASE_URL"].startswith("postgresql+psycopg://")
    from click.testing import CliRunner

    from communique.runtime.cli import cli

    result = CliRunner().invoke(cli, [*svc["command"], "--help"])
    assert result.exit_code == 0, f"{name}: `communique {' '.join(svc['command'])}` is not a command"


def test_health_ports_match_healthchecks() -> None:
    for name in ("store-consumer", "extract", "ingest", "alerts"):
        env = SERVICES[name]["environment"]
        port = next(v for k, v in env.items() if k.endswith("_HEALTH_PORT"))
        assert f":{port}/readyz" in " ".join(SERVICES[name]["healthcheck"]["test"])


def test_mounted_feeds_file_exists_and_parses() -> None:
    from communique.ingest.domain.feeds import parse_feeds

    mount = next(v for v in SERVICES["ingest"]["volumes"] if v.endswith(":ro"))
    host_path = REPO / mount.split(":")[0]
    assert parse_feeds(host_path.read_text())
