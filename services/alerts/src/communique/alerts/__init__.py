"""Communique alerts: rules evaluated over the events stream."""
