"""The ledger (SQLite): its store and schema; the only place that speaks SQL."""
