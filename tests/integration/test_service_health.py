"""Every worker service serves /healthz, /readyz and /metrics while it runs."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from communique.runtime.health import Health, free_port, serve
from communique.runtime.settings import ServiceSettings
from tests.kafka_helpers import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


async def test_health_endpoints_follow_readiness() -> None:
    port = free_port()
    settings = ServiceSettings(health_port=port)
    ready = asyncio.Event()
    stop_main = asyncio.Event()

    async def main(stop: asyncio.Event, health: Health) -> None:
        health.add("dependency", ready.is_set)
        await stop_main.wait()

    task = asyncio.create_task(serve("test", settings, main))
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient() as client:

        async def up() -> bool:
            try:
                return (await client.get(f"{base}/healthz")).status_code == 200
            except httpx.HTTPError:
                return False

        await wait_for(up, 10, message="health server")
        r = await client.get(f"{base}/readyz")
        assert r.status_code == 503 and r.json()["checks"] == {"dependency": False}
        ready.set()
        assert (await client.get(f"{base}/readyz")).status_code == 200
        metrics = (await client.get(f"{base}/metrics")).text
        assert "communique_messages_consumed_total" in metrics
    stop_main.set()
    await asyncio.wait_for(task, 10)
