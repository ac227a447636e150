"""Pure alert logic: rule parsing, matching and threshold windows."""
