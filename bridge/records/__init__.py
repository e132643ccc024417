"""Record files: framed bytes ↔ flat, exactly typed columns (read, iterate, write, patch)."""
