"""Communique runtime: settings, Kafka runtime, DLQ, logging, metrics, health, embedded stack."""
