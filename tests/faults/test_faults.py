"""Fault suite: kill, cut and poison the running pipeline; nothing is lost, nothing doubled.

Each scenario runs the whole stack as processes, fed at a steady rate from a
local feed server, injects one fault mid-stream, and then checks the
invariants: every published article is stored exactly once, the events stored
are exactly those the coder gives for them, and no consumer is stuck.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from communique.contracts import dlq_topic
from communique.runtime.kafka import OutMessage, Producer
from communique.runtime.settings import KafkaSettings
from tests.faults.harness import all_pages, assert_exactly_once, corpus_articles, running_stack, wait
from tests.kafka_helpers import read_all

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

N = 30


@pytest.mark.parametrize("role", ["ingest", "extract", "store-consumer", "api", "alerts"])
def test_sigkill_mid_stream(role: str, tmp_path: Path, shared_dir: Path) -> None:
    articles = corpus_articles(shared_dir, N, f"kill-{role}")
    with running_stack(tmp_path, articles, per_second=8) as (stack, drip):
        wait(lambda: len(all_pages(stack.api_url, "/v1/articles")) >= 5, 60, "the stream to start")
        stack.kill(role, signal.SIGKILL)
        wait(lambda: stack.restarts.get(role, 0) >= 1, 30, f"{role} restarted")
        assert_exactly_once(stack, drip, N)


class TcpProxy:
    """A TCP proxy whose link can be cut (connections reset, new ones refused) and restored."""

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = threading.Event()
        self.up.set()
        self.conns: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        """Stop: reset every open connection and refuse new ones."""
        self.up.clear()
        with self.lock:
            for s in self.conns:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
                except OSError:
                    pass
            self.conns.clear()

    def restore(self) -> None:
        """Accept connections again."""
        self.up.set()

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.mark.postgres
def test_postgres_unavailable_for_20s(tmp_path: Path, shared_dir: Path, postgres_server: str) -> None:
    from tests.conftest import drop_pg_database, make_pg_database

    url, name = make_pg_database(postgres_server)
    proxy = TcpProxy(5432)
    proxied = url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    articles = corpus_articles(shared_dir, N, "pg-outage")
    try:
        with running_stack(tmp_path, articles, per_second=3, env={"STORE_DATABASE_URL": proxied}) as (stack, drip):
            wait(lambda: len(all_pages(stack.api_url, "/v1/articles")) >= 3, 60, "the stream to start")
            proxy.cut()
            time.sleep(20)
            assert stack.restarts.get("store-consumer", 0) == 0, "the consumer crashed instead of pausing"
            proxy.restore()
            assert_exactly_once(stack, drip, N)
            assert stack.restarts.get("store-consumer", 0) == 0
    finally:
        proxy.close()
        drop_pg_database(postgres_server, name)


class HostileFeeds:
    """Feeds that hang, reset the connection, or answer garbage."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/hang":
                    time.sleep(30)
                    return
                if self.path == "/reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.connection.close()
                    return
                body = bytes(range(256)) * 64 if self.path == "/garbage" else b"<rss><channel><item>"
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"


def test_hanging_resetting_and_garbage_feeds(tmp_path: Path, shared_dir: Path) -> None:
    hostile = HostileFeeds()
    articles = corpus_articles(shared_dir, N, "hostile")
    try:
        with running_stack(tmp_path, articles, per_second=8, env={"INGEST_TIMEOUT": "2"},
                           extra_feeds=[f"{hostile.base}/{p}" for p in ("hang", "reset", "garbage", "truncated")]
                           ) as (stack, drip):
            assert_exactly_once(stack, drip, N)
            assert stack.restarts.get("ingest", 0) == 0
    finally:
        hostile.server.shutdown()


def test_poison_messages_in_every_topic(tmp_path: Path, shared_dir: Path) -> None:
    articles = corpus_articles(shared_dir, N, "poison")
    with running_stack(tmp_path, articles, per_second=8) as (stack, drip):
        assert stack.broker is not None
        k = KafkaSettings(bootstrap_servers=stack.broker.bootstrap_servers)
        poison = {
            k.articles_topic: [b"{not json", b'{"id": "no-other-fields"}'],
            k.events_topic: [b"\xff\xfe\x00", b'{"event_id": "x", "cameo": "999999"}'],
        }

        async def inject() -> None:
            p = Producer(k)
            await p.start()
            await p.send_all([OutMessage(t, v, None, []) for t, vs in poison.items() for v in vs])
            await p.stop()

        wait(lambda: len(all_pages(stack.api_url, "/v1/articles")) >= 3, 60, "the stream to start")
        asyncio.run(inject())
        assert_exactly_once(stack, drip, N)
        for topic, values in poison.items():
            dead = asyncio.run(read_all(k.bootstrap_servers, dlq_topic(topic)))
            assert {d.value for d in dead} == set(values), f"{topic}.dlq holds {[d.value for d in dead]}"
            # One dead letter per poison message and per consumer group that met it.
            consumers = {"communique.articles.v1": {"extract", "store"},
                         "communique.events.v1": {"store", "alerts"}}[topic]
            for v in values:
                assert {d.headers["error_service"] for d in dead if d.value == v} == consumers
        for role in ("extract", "store-consumer", "alerts"):
            assert stack.restarts.get(role, 0) == 0, f"{role} crashed on poison"
