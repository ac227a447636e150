"""The admin API over real HTTP: auth, add (with SSRF checks), OPML import, pause/resume, status, delete."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from communique.ingest.api import admin_app
from communique.ingest.poller import Poller
from communique.ingest.service import open_state
from communique.ingest.settings import IngestSettings
from communique.runtime.health import free_port
from communique.runtime.settings import load_settings
from tests.integration.ingest.farm import Farm

pytestmark = pytest.mark.integration
KEY = "s3cret-admin-key"


@pytest.fixture
def api(database_url: str) -> Iterator[tuple[str, IngestSettings]]:
    settings = load_settings(IngestSettings, database_url=database_url, admin_api_key=KEY,
                             private_allowlist="127.0.0.1/32", fetch_pages=False, host_min_interval=0.0)
    state = open_state(database_url)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(admin_app(state, settings), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "admin API did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", settings
    finally:
        server.should_exit = True
        thread.join(10)


def test_admin_api(api: tuple[str, IngestSettings], tmp_path: Path) -> None:
    base, settings = api
    farm = Farm().start()
    farm.feeds["x"] = [(f"{farm.base_url}/a/x/{j}", f"x{j}", f"Admin story {j} about talks") for j in range(2)]
    auth = {"X-API-Key": KEY}
    try:
        with httpx.Client(base_url=base, timeout=10) as c:
            assert c.get("/admin/feeds").status_code == 401
            assert c.get("/admin/feeds", headers={"X-API-Key": "wrong"}).status_code == 401
            assert c.get("/admin/feeds", headers={"Authorization": f"Bearer {KEY}"}).json() == []

            # SSRF: private addresses outside the allow-list and non-http schemes are refused
            r = c.post("/admin/feeds", headers=auth, json={"url": "http://10.1.2.3/feed.xml"})
            assert r.status_code == 422 and "non-public" in r.text
            assert c.post("/admin/feeds", headers=auth, json={"url": "file:///etc/passwd"}).status_code == 422
            r = c.post("/admin/feeds", headers=auth, json={"url": f"{farm.base_url}/feed/x.xml", "name": "X",
                                                            "language": "en", "country": "IDN", "tags": ["asia"]})
            assert r.status_code == 201, r.text
            feed = r.json()
            assert feed["name"] == "X" and feed["tags"] == ["asia"] and not feed["paused"]

            opml = (f'<opml version="2.0"><body><outline text="Y" xmlUrl="{farm.base_url}/feed/y.xml"/>'
                    '<outline text="Z" xmlUrl="http://192.168.0.1/z.xml"/></body></opml>')
            r = c.post("/admin/feeds/import-opml", headers=auth, content=opml)
            assert r.status_code == 200
            assert [f["name"] for f in r.json()["added"]] == ["Y"]
            assert list(r.json()["refused"]) == ["http://192.168.0.1/z.xml"]

            assert c.post(f"/admin/feeds/{feed['id']}/pause", headers=auth).json()["paused"] is True
            assert c.post(f"/admin/feeds/{feed['id']}/resume", headers=auth).json()["paused"] is False

            # poll twice and read the per-feed status with its fetch history
            state = open_state(settings.database_url)
            rec = state.get(feed["id"])
            assert rec is not None

            async def poll_twice() -> None:
                async def sink(_: object) -> None:
                    return None

                async with Poller(settings, state, sink) as poller:  # type: ignore[arg-type]
                    await poller.poll(rec)
                    again = state.get(feed["id"])
                    assert again is not None
                    await poller.poll(again)

            asyncio.run(poll_twice())
            status = c.get(f"/admin/feeds/{feed['id']}", headers=auth).json()
            assert [x["outcome"] for x in status["fetches"]] == ["not_modified", "ok"]
            assert status["fetches"][1]["new"] == 2 and status["articles_total"] == 2
            assert status["last_outcome"] == "not_modified"

            assert c.delete(f"/admin/feeds/{feed['id']}", headers=auth).status_code == 204
            assert c.get(f"/admin/feeds/{feed['id']}", headers=auth).status_code == 404
            assert [f["name"] for f in c.get("/admin/feeds", headers=auth).json()] == ["Y"]
    finally:
        farm.stop()


def test_admin_api_is_disabled_without_a_key(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    settings = load_settings(IngestSettings, database_url=f"sqlite:///{tmp_path / 's.db'}")
    app = admin_app(open_state(settings.database_url), settings)
    assert TestClient(app).get("/admin/feeds", headers={"X-API-Key": ""}).status_code == 503
