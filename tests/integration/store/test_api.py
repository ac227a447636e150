"""The query API on SQLite and PostgreSQL: every endpoint and filter."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from communique.store.api.app import create_app
from communique.store.api.security import hash_key
from communique.store.gdelt import COLUMNS
from communique.store.settings import StoreSettings

pytestmark = pytest.mark.integration

MEETING = {("CHN", "KAZ", "042")}


@pytest.fixture(scope="module")
def client(seeded_url: str) -> Iterator[TestClient]:
    app = create_app(StoreSettings(database_url=seeded_url, max_page_size=100, max_date_span_days=400,
                                   max_export_rows=1000, max_stats_rows=50))
    with TestClient(app) as c:
        yield c
    app.state.engine.dispose()


def ids(resp) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    assert resp.status_code == 200, resp.text
    return [(e["source"]["code"], e["target"]["code"], e["cameo"]) for e in resp.json()["items"]]


def test_events_are_listed_newest_first_with_article_and_cluster(client: TestClient) -> None:
    r = client.get("/v1/events")
    got = ids(r)
    assert len(got) == 6
    assert got[-1] == ("IDN", "MYS", "057")
    first = r.json()["items"][0]
    assert first["article"]["id"] == "art12" and first["article"]["url"] == "https://news.example/12"
    assert first["cluster"]["num_sources"] == 3


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"source": "CHN"}, MEETING),
        ({"target": "CHN"}, {("KAZ", "CHN", "043")}),
        ({"actor": "KAZ"}, MEETING | {("KAZ", "CHN", "043")}),
        ({"dyad": "KAZ-CHN"}, MEETING | {("KAZ", "CHN", "043")}),
        ({"cameo": "04"}, MEETING | {("KAZ", "CHN", "043")}),
        ({"cameo": "163"}, {("USA", "RUS", "163")}),
        ({"cameo": "16"}, {("USA", "RUS", "163")}),
        ({"plover": "COERCE"}, {("USA", "RUS", "163")}),
        ({"quad_class": 4}, {("USA", "RUS", "163")}),
        ({"goldstein_max": -5}, {("USA", "RUS", "163")}),
        ({"goldstein_min": 0, "goldstein_max": 2}, MEETING | {("KAZ", "CHN", "043"), ("IDN", "MYS", "057")}),
        ({"from": "2025-01-01", "to": "2025-05-31"}, {("USA", "RUS", "163")}),
        ({"language": "ru"}, {("USA", "RUS", "163")}),
        ({"outlet": "Xinhua"}, MEETING),
        ({"country": "RUS"}, {("USA", "RUS", "163")}),
        ({"country": "KAZ"}, MEETING),
        ({"article_id": "art3"}, {("IDN", "MYS", "057")}),
        ({"min_confidence": 0.5}, MEETING | {("KAZ", "CHN", "043"), ("USA", "RUS", "163")}),
        ({"q": "sanctions"}, {("USA", "RUS", "163")}),
        ({"q": "Tokayev Astana"}, MEETING),
        ({"q": "nothing-like-this"}, set()),
        ({"q": 'AND "OR NEAR( *'}, set()),  # operators are words, not syntax
        ({"actor": "CHN", "cameo": "04", "from": "2025-06-16", "to": "2025-06-16"},
         MEETING | {("KAZ", "CHN", "043")}),
        ({"actor": "KAZ", "q": "Astana"}, MEETING | {("KAZ", "CHN", "043")}),
        ({"dyad": "RUS-USA", "q": "sanctions"}, {("USA", "RUS", "163")}),
    ],
)
def test_event_filters(client: TestClient, params: dict[str, object], expected: set[tuple[str, str, str]]) -> None:
    assert set(ids(client.get("/v1/events", params=params))) == expected


def test_cluster_filter_lists_every_report_of_one_event(client: TestClient) -> None:
    cid = client.get("/v1/events", params={"outlet": "Antara"}).json()["items"][0]["cluster"]["cluster_id"]
    items = client.get("/v1/events", params={"cluster": cid}).json()["items"]
    assert sorted(e["source_name"] for e in items) == ["Antara", "Kazinform", "Xinhua"]


@pytest.mark.parametrize("sort", ["-date", "date", "-goldstein", "goldstein", "-confidence", "confidence"])
@pytest.mark.parametrize(("filters", "total"), [({}, 6), ({"actor": "KAZ"}, 4), ({"dyad": "CHN-KAZ"}, 4)])
def test_keyset_pagination_visits_every_event_once_in_order(client: TestClient, sort: str,
                                                            filters: dict[str, object], total: int) -> None:
    seen: list[dict[str, object]] = []
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 1 if filters else 2, "sort": sort, **filters}
        if cursor:
            params["cursor"] = cursor
        r = client.get("/v1/events", params=params)
        assert r.status_code == 200, r.text
        seen += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert len({e["event_id"] for e in seen}) == len(seen) == total
    key = sort.lstrip("-")
    values = [(e[key], e["event_id"]) for e in seen]
    assert values == sorted(values, reverse=sort.startswith("-"))  # type: ignore[type-var]


def test_a_cursor_of_another_sort_is_400(client: TestClient) -> None:
    cursor = client.get("/v1/events", params={"limit": 1}).json()["next_cursor"]
    r = client.get("/v1/events", params={"limit": 1, "sort": "goldstein", "cursor": cursor})
    assert r.status_code == 400 and "cursor" in r.json()["detail"]


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 101}, {"source": "china"}, {"cameo": "4x"}, {"quad_class": 7}, {"from": "yesterday"},
     {"from": "2025-02-01", "to": "2025-01-01"}, {"from": "2020-01-01", "to": "2025-01-01"},
     {"min_confidence": 2}, {"language": "english"}, {"dyad": "CHN"}, {"goldstein_min": 11},
     {"goldstein_min": 3, "goldstein_max": 1}, {"goldstein_min": "nan"}, {"q": "!!!"}, {"q": "a\x00b"},
     {"sort": "random"}, {"country": "kazakhstan"}, {"cluster": "xyz"}, {"outlet": ""}],
)
def test_invalid_parameters_are_422_with_a_message(client: TestClient, params: dict[str, object]) -> None:
    r = client.get("/v1/events", params=params)
    assert r.status_code == 422, r.text
    assert r.json()["detail"]


@pytest.mark.parametrize("cursor", ["bm90LWEtY3Vyc29y", "%%%", "LWRhdGUfbm90LWEtZGF0ZR94", "x" * 400])
def test_a_forged_cursor_is_400(client: TestClient, cursor: str) -> None:
    r = client.get("/v1/events", params={"cursor": cursor})
    assert r.status_code == 400
    assert "cursor" in r.json()["detail"]


def test_event_detail_has_the_clusters_mentions_articles_and_evidence(client: TestClient) -> None:
    ev = client.get("/v1/events", params={"outlet": "Antara"}).json()["items"][0]
    one = client.get(f"/v1/events/{ev['event_id']}")
    assert one.status_code == 200
    body = one.json()
    assert body["cameo"] == "042" and body["evidence"]["sentence"] == "Xi met Tokayev in Astana."
    assert body["cluster"]["num_mentions"] == 3
    assert {m["article_id"] for m in body["mentions_in_cluster"]} == {"art10", "art11", "art12"}
    assert all(m["trigger"] == "met" and m["end"] == 25 for m in body["mentions_in_cluster"])
    assert sorted(a["source_name"] for a in body["articles"]) == ["Antara", "Kazinform", "Xinhua"]
    assert client.get("/v1/events/nope").status_code == 404
    assert client.get("/v1/events/bad%20id").status_code == 422


def test_article_detail_and_list(client: TestClient) -> None:
    art = client.get("/v1/articles/art1").json()
    assert art["text"] == "Text 1"
    assert {e["cameo"] for e in art["events"]} == {"043"}
    assert client.get("/v1/articles/nope").status_code == 404
    r = client.get("/v1/articles")
    assert r.status_code == 200 and len(r.json()["items"]) == 6
    assert [a["id"] for a in client.get("/v1/articles", params={"language": "ru"}).json()["items"]] == ["art2"]
    assert len(client.get("/v1/articles", params={"outlet": "Example News", "limit": 2}).json()["items"]) == 2
    assert [a["id"] for a in client.get("/v1/articles", params={"q": "sanctions"}).json()["items"]] == ["art2"]
    assert len(client.get("/v1/articles", params={"q": "Tokayev"}).json()["items"]) == 3
    got = client.get("/v1/articles", params={"from": "2025-06-16T00:00:00", "to": "2025-06-17T00:00:00Z"})
    assert len(got.json()["items"]) == 6
    assert client.get("/v1/articles", params={"language": "xx1"}).status_code == 422
    assert client.get("/v1/articles", params={"from": "2025-06-17T00:00:00Z", "to": "2025-06-16"}).status_code == 422


def test_article_pagination(client: TestClient) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 4}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/v1/articles", params=params).json()
        seen += [a["id"] for a in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 6


@pytest.mark.parametrize("interval", ["day", "week", "month"])
def test_timeline(client: TestClient, interval: str) -> None:
    r = client.get("/v1/stats/timeline", params={"interval": interval, "actor": "CHN"})
    assert r.status_code == 200, r.text
    points = r.json()["points"]
    assert sum(p["events"] for p in points) == 4
    first = {"day": "2025-06-16", "week": "2025-06-16", "month": "2025-06-01"}[interval]
    assert points[0]["period"] == first
    assert points[0]["mean_goldstein"] == pytest.approx(1.9)
    if interval != "day":
        assert len(points) == 1 and points[0]["clusters"] == 2
    everything = client.get("/v1/stats/timeline", params={"interval": "month"}).json()["points"]
    assert [p["period"] for p in everything] == ["2024-01-01", "2025-05-01", "2025-06-01"]
    assert client.get("/v1/stats/timeline", params={"interval": "year"}).status_code == 422


def test_dyads_and_actors(client: TestClient) -> None:
    dyads = client.get("/v1/stats/dyads").json()["items"]
    assert dyads[0] == {"source": "CHN", "target": "KAZ", "events": 3, "clusters": 1, "mean_goldstein": 1.9}
    assert len(dyads) == 4
    assert client.get("/v1/stats/dyads", params={"top": 1, "quad_class": 4}).json()["items"][0]["source"] == "USA"
    actors = client.get("/v1/stats/actors").json()["items"]
    top = actors[0]
    assert (top["code"], top["as_source"], top["as_target"], top["events"]) in {("CHN", 3, 1, 4), ("KAZ", 1, 3, 4)}
    idn = next(a for a in actors if a["code"] == "IDN")
    assert idn["name"] == "Prabowo Subianto" and idn["kind"] == "state"
    assert len(client.get("/v1/stats/actors", params={"top": 2}).json()["items"]) == 2
    assert client.get("/v1/stats/actors", params={"top": 51}).status_code == 422


def test_export_csv_in_gdelt_column_order(client: TestClient) -> None:
    r = client.get("/v1/export/events", params={"format": "csv", "source": "CHN"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert tuple(rows[0]) == COLUMNS and len(COLUMNS) == 61
    assert len(rows) == 4
    rec = dict(zip(COLUMNS, rows[1], strict=True))
    assert rec["Actor1CountryCode"] == "CHN" and rec["Actor2CountryCode"] == "KAZ"
    assert rec["EventCode"] == "042" and rec["EventRootCode"] == "04" and rec["QuadClass"] == "1"
    assert (rec["NumMentions"], rec["NumSources"], rec["NumArticles"]) == ("3", "3", "3")
    assert rec["ActionGeo_CountryCode"] == "KAZ" and rec["SOURCEURL"].startswith("https://news.example/")
    assert rec["AvgTone"] == "" and rec["Actor1EthnicCode"] == ""


def test_export_jsonl_with_limit(client: TestClient) -> None:
    r = client.get("/v1/export/events", params={"format": "jsonl", "limit": 2})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert len(lines) == 2 and lines[0]["cluster"]["num_sources"] == 3
    assert client.get("/v1/export/events", params={"limit": 1001}).status_code == 422
    assert client.get("/v1/export/events", params={"format": "xml"}).status_code == 422


def test_health_endpoints(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").json()["ready"] is True
    assert client.get("/docs").status_code == 200


def test_api_keys_scopes_and_anonymous_read(seeded_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    database_url = seeded_url
    keys = [{"name": "analyst", "sha256": hash_key("read-secret"), "scopes": ["read"]}]
    key_file = tmp_path / "keys.json"
    key_file.write_text(json.dumps([{"name": "ops", "sha256": hash_key("admin-secret"), "scopes": ["admin"]}]))
    app = create_app(StoreSettings(database_url=database_url, anonymous_read=False, api_keys=json.dumps(keys),
                                   api_keys_file=key_file, cors_origins=["https://analyst.example"]))
    with TestClient(app) as c:
        assert c.get("/v1/events").status_code == 401
        assert c.get("/v1/events", headers={"X-API-Key": "wrong"}).status_code == 401
        assert c.get("/v1/events", headers={"X-API-Key": "read-secret"}).status_code == 200
        assert c.get("/v1/stats/dyads", headers={"Authorization": "Bearer read-secret"}).status_code == 200
        assert c.get("/v1/events", headers={"X-API-Key": "admin-secret"}).status_code == 200
        assert c.post("/v1/admin/recluster", headers={"X-API-Key": "read-secret"}).status_code == 403
        r = c.post("/v1/admin/recluster", headers={"X-API-Key": "admin-secret"})
        assert r.status_code == 200 and r.json() == {"events": 6, "window_days": 1}
        assert c.get("/healthz").status_code == 200  # probes need no key
        pre = c.options("/v1/events", headers={"Origin": "https://analyst.example",
                                               "Access-Control-Request-Method": "GET"})
        assert pre.headers["access-control-allow-origin"] == "https://analyst.example"
    app.state.engine.dispose()
    open_app = create_app(StoreSettings(database_url=database_url))
    with TestClient(open_app) as c:
        assert c.get("/v1/events").status_code == 200
        assert c.post("/v1/admin/recluster").status_code == 401
    open_app.state.engine.dispose()


def test_bad_key_configuration_fails_at_start_up(seeded_url: str) -> None:
    database_url = seeded_url
    from communique.store.api.security import ApiKeyConfigError

    with pytest.raises(ApiKeyConfigError, match="STORE_API_KEYS"):
        create_app(StoreSettings(database_url=database_url, api_keys='[{"name": "x", "sha256": "plain"}]'))
