"""Communique ingest service."""
