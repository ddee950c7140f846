"""Which files the tool reads: regular files only, looked at before they are opened.

A named pipe (FIFO) blocks whoever opens it until something writes to it, and a device
such as /dev/zero or /dev/urandom never ends: either one hangs a command, or fills the
memory before any size limit can be checked. So every file a user names (a sheet, the
settings, a bank file, an update sheet) is looked at with `os.stat` first (which follows
a symlink to what it points at) and opened only when it is a regular file.
"""

from __future__ import annotations

import os
import stat

from incasso_sheets.core.errors import CannotContinue

# What a path that is not a regular file is, as a catalogue word (messages: `word-` codes).
_KINDS = (
    (stat.S_ISDIR, "word-kind-folder"),
    (stat.S_ISFIFO, "word-kind-fifo"),
    (stat.S_ISCHR, "word-kind-device"),
    (stat.S_ISBLK, "word-kind-device"),
    (stat.S_ISSOCK, "word-kind-socket"),
)


def regular_file_problem(path: str | os.PathLike) -> str | None:
    """None for a regular file (or a path that cannot be looked at: opening it reports
    that), else the catalogue word for what it is."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    return _kind(mode)


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    return next((word for test, word in _KINDS if test(mode)), "word-kind-other")


def require_regular_file(path: str | os.PathLike) -> int:
    """The size of `path`, a regular file; CannotContinue ('file-not-found',
    'file-not-regular', 'file-unreadable') for anything else, before it is opened."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise CannotContinue("file-not-found", path=path) from exc
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        raise CannotContinue("file-unreadable", path=path,
                             reason=getattr(exc, "strerror", None) or exc) from exc
    kind = _kind(info.st_mode)
    if kind is not None:
        raise CannotContinue("file-not-regular", path=path, kind=kind)
    return info.st_size
