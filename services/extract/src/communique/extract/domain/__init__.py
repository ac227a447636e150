"""Pure extraction pipeline: data in, data out; no I/O, no clock, no settings."""
