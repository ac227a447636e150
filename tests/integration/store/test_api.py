"""The query API on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from communique.runtime.db import make_engine
from communique.store.api.app import create_app
from communique.store.settings import StoreSettings
from communique.store.storage.db import save_batch, session_factory
from communique.store.storage.migrate import upgrade
from tests.store_helpers import article, event

pytestmark = pytest.mark.integration


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    upgrade(database_url)
    engine = make_engine(database_url)
    events = [
        event("art1", "CHN", "KAZ", "042", date(2025, 6, 16)),
        event("art1", "KAZ", "CHN", "043", date(2025, 6, 16)),
        event("art2", "USA", "RUS", "163", date(2025, 5, 1), plover="COERCE", quad_class=4, goldstein=-8.0,
              language="ru"),
        event("art3", "IDN", "MYS", "057", date(2024, 1, 2), plover="SUPPORT", confidence=0.4),
    ]
    with session_factory(engine).begin() as s:
        save_batch(s, [article(1), article(2, language="ru"), article(3)], events)
    engine.dispose()
    app = create_app(StoreSettings(database_url=database_url, max_page_size=100))
    with TestClient(app) as c:
        yield c
    app.state.engine.dispose()


def ids(resp) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    assert resp.status_code == 200, resp.text
    return [(e["source"]["code"], e["target"]["code"], e["cameo"]) for e in resp.json()["items"]]


def test_events_are_listed_newest_first_with_their_article(client: TestClient) -> None:
    r = client.get("/v1/events")
    got = ids(r)
    assert len(got) == 4
    assert got[-1] == ("IDN", "MYS", "057")
    first = r.json()["items"][0]
    assert first["article"]["id"] == "art1"
    assert first["article"]["url"] == "https://news.example/1"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"source": "CHN"}, {("CHN", "KAZ", "042")}),
        ({"target": "CHN"}, {("KAZ", "CHN", "043")}),
        ({"actor": "KAZ"}, {("CHN", "KAZ", "042"), ("KAZ", "CHN", "043")}),
        ({"cameo": "04"}, {("CHN", "KAZ", "042"), ("KAZ", "CHN", "043")}),
        ({"cameo": "163"}, {("USA", "RUS", "163")}),
        ({"plover": "COERCE"}, {("USA", "RUS", "163")}),
        ({"quad_class": 4}, {("USA", "RUS", "163")}),
        ({"from": "2025-01-01", "to": "2025-05-31"}, {("USA", "RUS", "163")}),
        ({"language": "ru"}, {("USA", "RUS", "163")}),
        ({"article_id": "art3"}, {("IDN", "MYS", "057")}),
        ({"min_confidence": 0.5}, {("CHN", "KAZ", "042"), ("KAZ", "CHN", "043"), ("USA", "RUS", "163")}),
    ],
)
def test_event_filters(client: TestClient, params: dict[str, object], expected: set[tuple[str, str, str]]) -> None:
    assert set(ids(client.get("/v1/events", params=params))) == expected


def test_keyset_pagination_visits_every_event_once(client: TestClient) -> None:
    seen: list[tuple[str, str, str]] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, object] = {"limit": 1}
        if cursor:
            params["cursor"] = cursor
        r = client.get("/v1/events", params=params)
        seen += ids(r)
        pages += 1
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert pages == 4
    assert len(set(seen)) == 4


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 101}, {"source": "china"}, {"cameo": "4x"}, {"quad_class": 7}, {"from": "yesterday"},
     {"from": "2025-02-01", "to": "2025-01-01"}, {"min_confidence": 2}, {"language": "english"}],
)
def test_invalid_parameters_are_4xx_with_a_message(client: TestClient, params: dict[str, object]) -> None:
    r = client.get("/v1/events", params=params)
    assert r.status_code == 422, r.text
    assert r.json()["detail"]


def test_a_forged_cursor_is_400(client: TestClient) -> None:
    r = client.get("/v1/events", params={"cursor": "bm90LWEtY3Vyc29y"})
    assert r.status_code == 400
    assert "cursor" in r.json()["detail"]


def test_event_and_article_detail(client: TestClient) -> None:
    ev = client.get("/v1/events", params={"source": "CHN"}).json()["items"][0]
    one = client.get(f"/v1/events/{ev['event_id']}")
    assert one.status_code == 200 and one.json()["cameo"] == "042"
    assert client.get("/v1/events/nope").status_code == 404
    art = client.get("/v1/articles/art1").json()
    assert art["text"] == "Text 1"
    assert {e["cameo"] for e in art["events"]} == {"042", "043"}
    assert client.get("/v1/articles/nope").status_code == 404


def test_article_list_and_filters(client: TestClient) -> None:
    r = client.get("/v1/articles")
    assert r.status_code == 200 and len(r.json()["items"]) == 3
    assert [a["id"] for a in client.get("/v1/articles", params={"language": "ru"}).json()["items"]] == ["art2"]
    assert len(client.get("/v1/articles", params={"outlet": "Example News", "limit": 2}).json()["items"]) == 2
    assert client.get("/v1/articles", params={"language": "xx1"}).status_code == 422


def test_health_endpoints(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").json()["ready"] is True
    assert "communique" in client.get("/metrics").text or client.get("/metrics").status_code == 200
