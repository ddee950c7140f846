"""Fault injection for the crash tests: inert unless INCASSO_FAULT names a point.

`INCASSO_FAULT=after-ledger-commit` makes `point("after-ledger-commit")` kill the process
(`:kill`, the default: os._exit without cleanup, as a power cut would) or raise
(`:raise` -> RuntimeError, `:enospc` -> OSError(ENOSPC)). Tests use it to prove that no
crash leaves partial files or half a ledger run.
"""

from __future__ import annotations

import errno
import os


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
    os._exit(137)
