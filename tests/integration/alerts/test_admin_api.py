"""The rules admin API: authentication, validation, create/replace/delete; file rules sync."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from communique.alerts.api import admin_app
from communique.alerts.service import load_rules_file, open_store
from communique.alerts.settings import AlertsSettings


def test_rules_crud_with_api_key(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: from-file\n    cameo: ['16']\n")
    settings = AlertsSettings(database_url=f"sqlite:///{tmp_path / 'a.db'}", admin_api_key="k3y", rules_file=rules)
    store = open_store(settings.database_url)
    load_rules_file(settings, store)
    c = TestClient(admin_app(store, settings))
    key = {"X-API-Key": "k3y"}

    assert c.get("/v1/rules").status_code == 401
    assert c.get("/v1/rules", headers={"X-API-Key": "wrong"}).status_code == 401
    assert [(r["name"], r["origin"]) for r in c.get("/v1/rules", headers=key).json()] == [("from-file", "file")]

    new = {"name": "kaz", "targets": ["KAZ"], "cameo": ["163"], "min_sources": 3, "window": "6h"}
    assert c.put("/v1/rules/kaz", json=new, headers=key).status_code == 200
    assert c.put("/v1/rules/other", json=new, headers=key).status_code == 422
    assert c.put("/v1/rules/bad", json={"name": "bad", "cameo": ["x"]}, headers=key).status_code == 422
    assert c.put("/v1/rules/bad", json={"name": "bad", "surprise": 1}, headers=key).status_code == 422
    assert {r.name for r in store.rules()} == {"from-file", "kaz"}

    # Re-reading the file keeps API rules and drops file rules that left the file.
    rules.write_text("rules:\n  - name: renamed\n    cameo: ['16']\n")
    load_rules_file(settings, store)
    assert {r.name for r in store.rules()} == {"renamed", "kaz"}

    assert c.delete("/v1/rules/kaz", headers=key).status_code == 204
    assert c.delete("/v1/rules/kaz", headers=key).status_code == 404
    assert {r.name for r in store.rules()} == {"renamed"}
