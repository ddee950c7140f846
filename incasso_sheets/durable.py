"""Durable writes: a file's bytes on disk before it is renamed into place, folder entries
synced after renames, and whether the process that owns a temporary file still runs.

Shared by every command that writes output atomically (collect, clear, debtors update,
ledger export) and by the ledger's run protocol.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO


def write_durably(path: Path, fill: Callable[[BinaryIO], None]) -> None:
    """Create `path`, let `fill` write it, and fsync it before returning."""
    with open(path, "wb") as out:
        fill(out)
        out.flush()
        os.fsync(out.fileno())


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


def process_running(pid: int) -> bool:
    """True when a process with this id exists (temporary files named after it are live)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
