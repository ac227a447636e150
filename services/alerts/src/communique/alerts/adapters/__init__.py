"""Alert state store, webhook delivery."""
