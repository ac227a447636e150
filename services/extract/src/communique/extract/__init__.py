"""Communique extract service: codes diplomatic events from articles."""
