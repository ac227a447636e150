"""Default topic names and CloudEvents types. Topic names are configurable."""

DEFAULT_ARTICLES_TOPIC = "communique.articles.v1"
DEFAULT_EVENTS_TOPIC = "communique.events.v1"
DEFAULT_ALERTS_TOPIC = "communique.alerts.v1"

ARTICLE_EVENT_TYPE = "org.communique.article.v1"
EVENT_EVENT_TYPE = "org.communique.event.v1"
ALERT_EVENT_TYPE = "org.communique.alert.v1"

DLQ_SUFFIX = ".dlq"


def dlq_topic(topic: str) -> str:
    """The dead-letter topic of ``topic``."""
    return topic + DLQ_SUFFIX
