"""Communique store service."""
