"""Pure ingest logic: parsing, canonicalisation, de-duplication decisions. No I/O."""
