"""incasso-sheets: SEPA direct debit from Excel and CSV sheets."""

import os as _os
import sys as _sys

__version__ = "0.1.0"

# polars allocates with jemalloc, set up by polars itself to keep freed memory for half a
# second (and "muzzy" memory for a second) before giving it back to the system; polars
# appends `_RJEM_MALLOC_CONF` to its own setting, so the later values win. A collect of a
# million invoices frees hundreds of MB between its steps (the check's text columns, the
# selection's joins); held on to, that put the process above 1 GB. Given back after 100 ms
# by jemalloc's own thread, the run peaks near 900 MB in the same time (bench/README.md).
# This counts when the package is loaded before polars, as the `incasso` command does; a
# value the user set stands.
if "polars" not in _sys.modules:
    _os.environ.setdefault("_RJEM_MALLOC_CONF", "background_thread:true,dirty_decay_ms:100,muzzy_decay_ms:0")
