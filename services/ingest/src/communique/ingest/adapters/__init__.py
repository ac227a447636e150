"""Thin edges of the ingest service: HTTP, state store, publisher."""
