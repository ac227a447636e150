"""The analysts' query API (FastAPI, versioned under /v1)."""
