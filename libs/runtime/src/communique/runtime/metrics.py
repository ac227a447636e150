"""Prometheus metrics shared by the runtime; services add their own."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

CONSUMED = Counter("communique_messages_consumed_total", "Messages consumed and committed", ["service", "topic"])
DEAD_LETTERED = Counter("communique_messages_dead_lettered_total", "Messages sent to a DLQ", ["service", "topic"])
PUBLISHED = Counter("communique_messages_published_total", "Messages published", ["service", "topic"])
RETRIES = Counter("communique_batch_retries_total", "Batch retries after transient errors", ["service"])
BATCH_SECONDS = Histogram(
    "communique_batch_seconds", "Time to process and commit one batch", ["service"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
