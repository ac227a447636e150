"""Storage: the only place that maps between wire records, rows and API models."""
