"""AsyncAPI 3.0 document of Communique's topics, generated from the wire models."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from communique.contracts.alert import AlertV1
from communique.contracts.article import ArticleV1
from communique.contracts.event import EventV1
from communique.contracts.topics import (
    ALERT_EVENT_TYPE,
    ARTICLE_EVENT_TYPE,
    DEFAULT_ALERTS_TOPIC,
    DEFAULT_ARTICLES_TOPIC,
    DEFAULT_EVENTS_TOPIC,
    EVENT_EVENT_TYPE,
)

CLOUDEVENT_HEADERS: dict[str, Any] = {
    "ce_specversion": {"type": "string", "const": "1.0"},
    "ce_id": {"type": "string",
              "description": "the article, event or alert id (deterministic: use it to de-duplicate)"},
    "ce_type": {"type": "string"},
    "ce_source": {"type": "string", "description": "the producing service, e.g. communique/extract"},
    "ce_time": {"type": "string", "format": "date-time"},
    "content-type": {"type": "string", "const": "application/json"},
}

EVENT_FILTER_HEADERS: dict[str, Any] = {
    "ce_source_actor": {"type": "string", "description": "source actor code, e.g. CHN"},
    "ce_target_actor": {"type": "string", "description": "target actor code; empty when the event has none"},
    "ce_cameo_root": {"type": "string", "pattern": "^[0-9]{2}$"},
    "ce_quad_class": {"type": "string", "enum": ["1", "2", "3", "4"]},
    "ce_language": {"type": "string", "description": "ISO 639-1 code of the article"},
}

TOPICS: list[dict[str, Any]] = [
    {"channel": "articles", "address": DEFAULT_ARTICLES_TOPIC, "model": ArticleV1, "type": ARTICLE_EVENT_TYPE,
     "key": "article id (hash of the canonical URL)", "producer": "ingest",
     "extra_headers": {"ce_language": EVENT_FILTER_HEADERS["ce_language"]},
     "description": "Every new article with its full text, once per canonical URL (redeliveries carry the same id)."},
    {"channel": "events", "address": DEFAULT_EVENTS_TOPIC, "model": EventV1, "type": EVENT_EVENT_TYPE,
     "key": "dyad `SOURCE:TARGET`, so one dyad's events stay ordered on one partition", "producer": "extract",
     "extra_headers": EVENT_FILTER_HEADERS,
     "description": "One message per coded event (CAMEO, PLOVER, actors, evidence)."},
    {"channel": "alerts", "address": DEFAULT_ALERTS_TOPIC, "model": AlertV1, "type": ALERT_EVENT_TYPE,
     "key": "rule name", "producer": "alerts",
     "extra_headers": {"ce_rule": {"type": "string", "description": "name of the rule that fired"}},
     "description": "One message per rule match, with the triggering event."},
]


def _schema(model: type[BaseModel], components: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(mode="serialization", ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document (topic names are the defaults; they are configurable)."""
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for t in TOPICS:
        model: type[BaseModel] = t["model"]
        name = model.__name__
        messages[name] = {
            "name": name,
            "title": name,
            "summary": t["description"],
            "contentType": "application/json",
            "headers": {"type": "object", "required": sorted(CLOUDEVENT_HEADERS),
                        "properties": {**CLOUDEVENT_HEADERS, **t["extra_headers"],
                                       "ce_type": {"type": "string", "const": t["type"]}}},
            "payload": _schema(model, schemas),
            "bindings": {"kafka": {"key": {"type": "string", "description": t["key"]}, "bindingVersion": "0.5.0"}},
        }
        channels[t["channel"]] = {
            "address": t["address"],
            "description": t["description"] + " Dead letters of consumers go to `" + t["address"] + ".dlq`.",
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
        }
        operations[f"{t['producer']}Sends{name}"] = {
            "action": "send", "channel": {"$ref": f"#/channels/{t['channel']}"},
            "messages": [{"$ref": f"#/channels/{t['channel']}/messages/{name}"}],
        }
        operations[f"receive{name}"] = {
            "action": "receive", "channel": {"$ref": f"#/channels/{t['channel']}"},
            "messages": [{"$ref": f"#/channels/{t['channel']}/messages/{name}"}],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Communique topics",
            "version": "1.0.0",
            "description": (
                "Kafka topics of Communique. Delivery is at-least-once: de-duplicate on `ce_id`. "
                "Compatibility: v1 payloads change only by adding optional fields; consumers must ignore "
                "unknown fields; a breaking change is a new V2 model on a new `.v2` topic, and both are "
                "published side by side for at least one minor release."
            ),
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def render() -> str:
    """The document as stable JSON text."""
    return json.dumps(document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
