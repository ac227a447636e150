"""The checked-in JSON Schemas match the models, and ids are deterministic."""

from __future__ import annotations

import json

import pytest

from communique.contracts import ArticleV1, EventV1, article_id_for, event_id_for
from communique.contracts.schemas import MODELS, render, schema_dir


@pytest.mark.parametrize("name", sorted(MODELS))
def test_checked_in_schema_matches_model(name: str) -> None:
    path = schema_dir() / name
    assert path.exists(), f"{path} missing: run `make schemas`"
    assert path.read_text(encoding="utf-8") == render(MODELS[name]), (
        f"{name} drifted from its model: run `make schemas` and commit the result"
    )


def test_event_schema_has_the_contract_fields() -> None:
    schema = json.loads((schema_dir() / "event.v1.json").read_text(encoding="utf-8"))
    required = {"event_id", "article_id", "date", "source", "cameo", "cameo_root", "quad_class", "goldstein",
                "evidence", "language", "confidence"}
    assert required <= set(schema["required"])
    for field in ("target", "plover", "plover_mode", "location", "modality"):
        assert field in schema["properties"]


def test_ids_are_deterministic_and_distinct() -> None:
    a = article_id_for("https://example.org/news/1")
    assert a == article_id_for("https://example.org/news/1")
    assert a != article_id_for("https://example.org/news/2")
    e = event_id_for(a, "CHN", "KAZ", "042")
    assert e == event_id_for(a, "CHN", "KAZ", "042")
    assert e != event_id_for(a, "KAZ", "CHN", "042")
    assert e != event_id_for(a, "CHN", "KAZ", "043")


def test_event_record_from_the_contract_example_validates() -> None:
    record = {
        "event_id": "x", "article_id": "a", "date": "2025-06-16",
        "source": {"code": "CHN", "kind": "state", "sector": "GOV", "name": "Xi Jinping", "text": "Presiden China"},
        "target": {"code": "KAZ", "kind": "state", "sector": "GOV", "name": None, "text": "Kazakhstan"},
        "cameo": "042", "cameo_root": "04", "plover": "CONSULT", "plover_mode": "visit", "quad_class": 1,
        "goldstein": 1.9, "location": {"name": "Astana", "country": "KAZ", "lat": 51.18, "lon": 71.45},
        "evidence": {"sentence": "…", "start": 120, "end": 241, "trigger": "pertemuan bilateral"},
        "language": "id", "modality": "asserted", "confidence": 0.82, "future_field": "ignored",
    }
    ev = EventV1.model_validate(record)
    assert ev.dyad_key() == "CHN:KAZ"
    with pytest.raises(ValueError):
        EventV1.model_validate({**record, "quad_class": 5})
    with pytest.raises(ValueError):
        ArticleV1.model_validate({"id": "a", "url": "u", "canonical_url": "u"})  # no fetched time


def test_checked_in_asyncapi_matches_the_contracts() -> None:
    from communique.contracts import asyncapi
    from communique.contracts.schemas import ASYNCAPI_FILE

    path = schema_dir() / ASYNCAPI_FILE
    assert path.read_text(encoding="utf-8") == asyncapi.render(), "asyncapi.json drifted: run `make schemas`"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["asyncapi"].startswith("3.")
    addresses = {c["address"] for c in doc["channels"].values()}
    assert addresses == {"communique.articles.v1", "communique.events.v1", "communique.alerts.v1"}
    event_headers = doc["components"]["messages"]["EventV1"]["headers"]["properties"]
    for h in ("ce_id", "ce_type", "ce_source", "ce_time", "content-type", "ce_source_actor", "ce_target_actor",
              "ce_cameo_root", "ce_quad_class", "ce_language"):
        assert h in event_headers
    # every $ref resolves inside the document
    text = path.read_text(encoding="utf-8")
    for ref in set(__import__("re").findall(r'"\$ref": "#/([^"]+)"', text)):
        node = doc
        for part in ref.split("/"):
            node = node[part]
