"""Choosing what to collect and grouping it into blocks. No I/O here."""
