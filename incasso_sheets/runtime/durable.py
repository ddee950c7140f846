"""Durable renames: folder entries synced after files are renamed into them.

The files themselves are written and fsynced by output_plan (the one place that makes,
writes and renames output files); the ledger's recovery and `ledger export` use this too.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def fsync_dirs(folders: Iterable[Path]) -> None:
    """Make renames in these folders durable (a crash after this keeps the new names)."""
    for folder in set(folders):
        try:
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
