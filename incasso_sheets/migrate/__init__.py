"""`ledger import`: take over the history of another tool."""
