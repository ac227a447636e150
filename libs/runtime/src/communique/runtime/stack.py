"""The embedded stack behind `communique run`: every role as its own process.

Broker (Tansu), a local feed server, then store migrations, the store consumer,
the API, the extract worker and the ingest poller. Each role runs exactly as in
production (its own process, its own consumer group member), so the same code
paths serve laptops, tests and benchmarks. A role that dies is restarted.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from communique.runtime.broker import EmbeddedBroker
from communique.runtime.feedserver import FeedServer, sample_articles
from communique.runtime.health import free_port

ROLES: dict[str, list[str]] = {
    "store-consumer": ["store", "consume"],
    "api": ["store", "api"],
    "extract": ["extract"],
    "ingest": ["ingest"],
    "alerts": ["alerts"],
}
# Stop producers of work first so consumers can drain what is in flight.
STOP_ORDER = ["ingest", "extract", "alerts", "store-consumer", "api"]


@dataclass
class StackConfig:
    """How to run the local stack."""

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    data_dir: str = "data"
    feeds_file: str | None = None
    poll_interval: float = 30.0
    log_to_files: bool = False
    env: dict[str, str] = field(default_factory=dict)
    alerts_file: str | None = None
    articles_topic: str | None = None
    events_topic: str | None = None
    partitions: int = 4
    replicas: dict[str, int] = field(default_factory=dict)  # e.g. {"extract": 2, "store-consumer": 2}


class Stack:
    """Starts, supervises and stops the local pipeline."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.data = Path(config.data_dir).resolve()
        self.broker: EmbeddedBroker | None = None
        self.feed_server: FeedServer | None = None
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None
        self.restarts: dict[str, int] = {}

    @property
    def api_url(self) -> str:
        """Base URL of the query API."""
        return f"http://{self.config.api_host}:{self.config.api_port}"

    def env(self) -> dict[str, str]:
        """Environment shared by every role."""
        assert self.broker is not None
        feeds = self.config.feeds_file or str(self.data / "feeds.yaml")
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap_servers,
            "KAFKA_PARTITIONS": str(self.config.partitions),
            "STORE_DATABASE_URL": f"sqlite:///{self.data / 'communique.db'}",
            "STORE_API_HOST": self.config.api_host,
            "STORE_API_PORT": str(self.config.api_port),
            "INGEST_DATABASE_URL": f"sqlite:///{self.data / 'ingest.db'}",
            "INGEST_FEEDS_FILE": feeds,
            "INGEST_POLL_INTERVAL": str(self.config.poll_interval),
            "INGEST_ALLOW_PRIVATE": "true",
            "ALERTS_DATABASE_URL": f"sqlite:///{self.data / 'alerts.db'}",
            "PYTHONUNBUFFERED": "1",
        }
        if self.feed_server is not None:
            # The bundled sample feed is served by this process: no politeness delay is owed to it.
            env.setdefault("INGEST_HOST_MIN_INTERVAL", "0")
        if self.config.alerts_file:
            env["ALERTS_RULES_FILE"] = str(Path(self.config.alerts_file).resolve())
        if self.config.articles_topic:
            env["KAFKA_ARTICLES_TOPIC"] = self.config.articles_topic
        if self.config.events_topic:
            env["KAFKA_EVENTS_TOPIC"] = self.config.events_topic
        env.update(self.config.env)
        return env

    def _command(self, args: list[str]) -> list[str]:
        return [sys.executable, "-m", "communique.runtime.cli", *args]

    def _output(self, role: str) -> IO[bytes] | None:
        if not self.config.log_to_files:
            return None
        logs = self.data / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        return open(logs / f"{role}.log", "ab")

    def instances(self) -> list[str]:
        """Process names: the role, or ``role#2``… for extra replicas."""
        names = []
        for role in ROLES:
            names.append(role)
            names += [f"{role}#{i}" for i in range(2, self.config.replicas.get(role, 1) + 1)]
        return names

    def start_role(self, name: str) -> None:
        """Start (or restart) one role instance (``extract`` or ``extract#2``)."""
        role = name.split("#")[0]
        out = self._output(name.replace("#", "-"))
        self.procs[name] = subprocess.Popen(
            self._command(ROLES[role]), env=self.env(), stdin=subprocess.DEVNULL,
            stdout=out, stderr=subprocess.STDOUT if out is not None else None,
            start_new_session=True,
        )

    def start(self, wait_ready: float = 60.0) -> Stack:
        """Start everything and wait until the API answers."""
        self.data.mkdir(parents=True, exist_ok=True)
        self.broker = EmbeddedBroker(log_path=self.data / "broker.log").start()
        if not self.config.feeds_file:
            self.feed_server = FeedServer(sample_articles(), port=free_port()).start()
            (self.data / "feeds.yaml").write_text(
                f"feeds:\n  - url: {self.feed_server.feed_url}\n    name: Communique sample feed\n",
                encoding="utf-8",
            )
        subprocess.run(self._command(["store", "migrate"]), env=self.env(), check=True,
                       stdout=subprocess.DEVNULL)
        for name in self.instances():
            self.start_role(name)
        self._supervisor = threading.Thread(target=self._supervise, name="supervisor", daemon=True)
        self._supervisor.start()
        self.wait_ready(wait_ready)
        return self

    def wait_ready(self, timeout: float) -> None:
        """Poll the API's /readyz until it answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.api_url}/readyz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"API not ready at {self.api_url} after {timeout}s")

    def _supervise(self) -> None:
        while not self._stopping.wait(1.0):
            for role, proc in list(self.procs.items()):
                if proc.poll() is not None and not self._stopping.is_set():
                    self.restarts[role] = self.restarts.get(role, 0) + 1
                    print(f"communique: {role} exited with {proc.returncode}; restarting", file=sys.stderr)
                    time.sleep(min(30, 2 ** min(self.restarts[role], 5)) / 4)
                    if not self._stopping.is_set():
                        self.start_role(role)

    def kill(self, role: str, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to a role (tests); the supervisor restarts it."""
        self.procs[role].send_signal(sig)

    def stop(self, timeout: float = 15.0) -> None:
        """Stop every role in order, then the broker and feed server."""
        self._stopping.set()
        for role in STOP_ORDER:
            group = [p for name, p in self.procs.items() if name.split("#")[0] == role and p.poll() is None]
            for proc in group:
                proc.send_signal(signal.SIGTERM)
            for proc in group:
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if self.feed_server:
            self.feed_server.stop()
        if self.broker:
            self.broker.stop()

    def run_forever(self) -> None:
        """Start, print where things are, and stop cleanly on Ctrl-C or SIGTERM."""
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        try:
            self.start()
            print(f"Communique is running.\n  API:   {self.api_url}/v1/events   (docs: {self.api_url}/docs)\n"
                  f"  Kafka: {self.broker.bootstrap_servers if self.broker else '?'}\n"
                  f"  Data:  {self.data}\nPress Ctrl-C to stop.", flush=True)
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("\ncommunique: stopping…", file=sys.stderr)
        finally:
            self.stop()
            print("communique: stopped", file=sys.stderr)
