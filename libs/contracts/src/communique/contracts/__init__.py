"""Communique wire contracts: the messages services exchange over Kafka.

Versioned pydantic models; changes are additive only. A breaking change is a
new ``V2`` model on a new topic. Consumers ignore unknown fields.
"""

from communique.contracts.alert import AlertV1, alert_id_for
from communique.contracts.article import ArticleV1, article_id_for, canonical_url_key
from communique.contracts.event import (
    ActorV1,
    EventV1,
    EvidenceV1,
    LocationV1,
    MentionV1,
    event_id_for,
)
from communique.contracts.topics import (
    ALERT_EVENT_TYPE,
    ARTICLE_EVENT_TYPE,
    DEFAULT_ALERTS_TOPIC,
    DEFAULT_ARTICLES_TOPIC,
    DEFAULT_EVENTS_TOPIC,
    EVENT_EVENT_TYPE,
    dlq_topic,
)

__all__ = [
    "ALERT_EVENT_TYPE",
    "ARTICLE_EVENT_TYPE",
    "DEFAULT_ALERTS_TOPIC",
    "DEFAULT_ARTICLES_TOPIC",
    "DEFAULT_EVENTS_TOPIC",
    "EVENT_EVENT_TYPE",
    "ActorV1",
    "AlertV1",
    "ArticleV1",
    "EventV1",
    "EvidenceV1",
    "LocationV1",
    "MentionV1",
    "alert_id_for",
    "article_id_for",
    "canonical_url_key",
    "dlq_topic",
    "event_id_for",
]
