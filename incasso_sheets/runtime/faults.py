"""Fault injection for the crash and concurrency tests: inert unless INCASSO_FAULT names a point.

`INCASSO_FAULT=<point>[:<action>]` acts when the run reaches `point(<point>)`:

| action    | what happens                                                              |
|-----------|---------------------------------------------------------------------------|
| `kill`    | (the default) os._exit(137) without cleanup, as a power cut would         |
| `raise`   | RuntimeError, an unexpected bug                                           |
| `enospc`  | OSError(ENOSPC), a full disk                                              |
| `sleep<N>`| a line on stderr, then N seconds of sleep (or until SIGUSR1), then carry  |
|           | on: holds the ledger lock or an open transaction for a concurrency test   |

The points (docs/reliability.md lists which test covers each):

- collect: after-reading, after-xml, after-xsd, ledger-before-commit, after-ledger-commit,
  between-renames;
- clear: after-reading, after-journal, ledger-before-commit, after-ledger-commit,
  between-renames;
- debtors update: after-reading, after-sheet, between-renames;
- ledger export: after-first-table (fires after each table; `kill` stops at the first);
- ledger import: ledger-before-commit, after-ledger-commit (it writes ledger rows only).

ledger-before-commit, after-ledger-commit and between-renames sit in ledger.commit_run,
so every command that commits a run has them.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
import time


def point(name: str) -> None:
    wanted = os.environ.get("INCASSO_FAULT")
    if not wanted:
        return
    target, _, action = wanted.partition(":")
    if target != name:
        return
    if action == "raise":
        raise RuntimeError(f"fault injected at {name}")
    if action == "enospc":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    if action.startswith("sleep"):
        _sleep(name, float(action[len("sleep"):] or 1))
        return
    os._exit(137)


class _Woken(Exception):
    pass


def _wake(signum, frame):
    raise _Woken


def _sleep(name: str, seconds: float) -> None:
    # The line tells a test that the run has reached the point (and holds what it holds);
    # SIGUSR1 tells the run to go on, so the test waits for events, not for the clock.
    previous = signal.signal(signal.SIGUSR1, _wake)
    try:
        print(f"fault: sleeping {seconds:g} s at {name}", file=sys.stderr, flush=True)
        time.sleep(seconds)
    except _Woken:
        pass
    finally:
        signal.signal(signal.SIGUSR1, previous)
