"""/healthz, /readyz and /metrics for every service, plus the service lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import Awaitable, Callable

import uvicorn
from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from communique.runtime.logs import configure_logging, get_logger
from communique.runtime.settings import ServiceSettings

log = get_logger(__name__)

ReadyCheck = Callable[[], bool]


class Health:
    """Named readiness checks; the service is ready when all pass."""

    def __init__(self) -> None:
        self.checks: dict[str, ReadyCheck] = {}

    def add(self, name: str, check: ReadyCheck) -> None:
        """Register a readiness check."""
        self.checks[name] = check

    def status(self) -> dict[str, bool]:
        """Each check's current result."""
        out = {}
        for name, check in self.checks.items():
            try:
                out[name] = bool(check())
            except Exception:
                out[name] = False
        return out


def add_health_routes(app: FastAPI, health: Health) -> None:
    """Mount /healthz, /readyz and /metrics on ``app``."""

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    def readyz(response: Response) -> dict[str, object]:
        checks = health.status()
        ready = all(checks.values())
        response.status_code = 200 if ready else 503
        return {"ready": ready, "checks": checks}

    @app.get("/metrics", include_in_schema=False)
    def metrics_endpoint() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free right now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


ServiceMain = Callable[[asyncio.Event, Health], Awaitable[None]]


async def serve(name: str, settings: ServiceSettings, main: ServiceMain, app: FastAPI | None = None) -> None:
    """Run a worker service: logging, signals, health server, then ``main(stop, health)``.

    SIGTERM and SIGINT set ``stop``; ``main`` is expected to finish in-flight work,
    commit and return. ``app`` lets a service serve its own routes (e.g. an admin
    API) beside the health routes.
    """
    configure_logging(settings.log_level, settings.log_format, service=name)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    health = Health()
    if app is None:
        app = FastAPI(title=f"communique {name}", docs_url=None, redoc_url=None, openapi_url=None)
    add_health_routes(app, health)
    port = settings.health_port or free_port(settings.health_host)
    server = uvicorn.Server(
        uvicorn.Config(app, host=settings.health_host, port=port, log_level="warning", lifespan="off")
    )
    # The service owns SIGTERM/SIGINT (they set `stop`); keep uvicorn's hands off them.
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    http_task = asyncio.create_task(server.serve())
    log.info("service starting", health=f"http://{settings.health_host}:{port}")
    try:
        await main(stop, health)
    finally:
        server.should_exit = True
        await http_task
        log.info("service stopped")
