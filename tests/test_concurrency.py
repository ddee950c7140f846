"""Runs at the same time on one ledger: one at a time, never a double collection or booking.

Real processes on one folder. INCASSO_FAULT=after-reading:sleep60 (faults.py) holds a run
inside the ledger lock until the test wakes it with SIGUSR1, so the overlap is certain
and no test waits for the clock. INCASSO_LOCK_WAIT sets how long another run waits for
the lock: long enough, and it runs after the first and finds nothing left to do; too
short, and it stops with exit 3 and `ledger-busy`. `status` and `ledger check` read
without the lock: they answer while a run holds it, and see the ledger as it was before
that run or with the whole run, never half of it.
"""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from shared import NOW
from test_crash import INVOICE_NUMBERS, prepare
from test_crash_matrix import COMMANDS, ENV, bank_files, incasso, ledger_rows, start

from incasso_sheets.cli import main
from incasso_sheets.runtime.output_plan import RECORD_NAME

BUSY = "incasso: Another run is in progress on"
HOLD = "after-reading:sleep60"


class Run:
    """A running command whose stderr is followed, to know when it holds the lock."""

    def __init__(self, folder: Path, args: list[str], now: str, **env: str):
        self.process = start(folder, args, now, **env)
        self.stderr: list[str] = []
        self.holding = threading.Event()
        self.woken = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.stderr.append(line)
            if line.startswith("fault: sleeping"):
                self.holding.set()

    @property
    def sleeping(self) -> bool:
        return self.holding.is_set() and not self.woken

    def wake(self) -> None:
        self.woken = True
        self.process.send_signal(signal.SIGUSR1)

    def finish(self) -> tuple[int, str, str]:
        out = self.process.stdout.read()
        code = self.process.wait(timeout=120)
        self._reader.join(timeout=10)
        return code, out, "".join(self.stderr)


def until(condition, what: str, seconds: float = 120):
    """Poll `condition` until it returns something true (a guard against hanging, not a
    measurement: the events come from the processes)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"gave up waiting for {what}")


def one_at_a_time(runs: list[Run]) -> list[tuple[int, str, str]]:
    """Let every run through the point in turn, checking that never two are inside."""
    for _ in runs:
        sleeper = until(lambda: [r for r in runs if r.sleeping], "a run to take the lock")
        assert len(sleeper) == 1, "two runs inside the lock at once"
        sleeper[0].wake()
    return [r.finish() for r in runs]


def transactions(folder: Path) -> list[str]:
    with closing(sqlite3.connect(folder / "incasso.db")) as conn:
        return [r[0] for r in conn.execute("SELECT invoice_number FROM transactions ORDER BY 1")]


def runs(folder: Path) -> list[str]:
    with closing(sqlite3.connect(folder / "incasso.db")) as conn:
        return [r[0] for r in conn.execute("SELECT command FROM runs ORDER BY run_id")]


def together(folder: Path, command: str, count: int, wait: float) -> list[Run]:
    now, args = COMMANDS[command]
    return [Run(folder, args, now, INCASSO_FAULT=HOLD, INCASSO_LOCK_WAIT=str(wait))
            for _ in range(count)]


def one_gives_up(started: list[Run]) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """Two runs, a short wait: the one not holding the lock ends; then the holder goes on."""
    until(lambda: any(r.sleeping for r in started) and any(r.process.poll() is not None
                                                           for r in started), "one run to give up")
    holder = next(r for r in started if r.sleeping)
    other = next(r for r in started if r is not holder)
    busy = other.finish()
    holder.wake()
    return holder.finish(), busy


@pytest.fixture
def collected(tmp_path) -> Path:
    """A folder whose sheets were collected, with the bank's answer in bank/."""
    folder = prepare(tmp_path / "books")
    done = incasso(folder, COMMANDS["collect"][1], NOW)
    assert done.exit_code == 0, done.output
    bank_files(folder)
    return folder


def test_collects_at_once_the_others_wait_and_find_nothing_left(tmp_path):
    folder = prepare(tmp_path / "books")
    results = one_at_a_time(together(folder, "collect", count=3, wait=120))
    assert [code for code, _, _ in results] == [0, 0, 0], results
    assert sum("Written:" in out for _, out, _ in results) == 1
    assert sum(out.endswith("Nothing to collect.\n") for _, out, _ in results) == 2
    assert transactions(folder) == INVOICE_NUMBERS  # each invoice once
    assert runs(folder) == ["collect"]
    assert len([p for p in (folder / "out").iterdir() if p.name != RECORD_NAME]) == 8


def test_collects_at_once_the_other_gives_up_when_the_wait_is_short(tmp_path):
    folder = prepare(tmp_path / "books")
    (ok, out, _), (busy, _, err) = one_gives_up(together(folder, "collect", count=2, wait=0.2))
    assert (ok, busy) == (0, 3)
    assert "Written:" in out
    assert err.startswith(BUSY) and "(waited 0.2 s)" in err
    assert transactions(folder) == INVOICE_NUMBERS
    assert runs(folder) == ["collect"]


def test_clears_at_once_book_every_entry_once(collected, tmp_path):
    clean = shutil.copytree(collected, tmp_path / "clean")
    done = incasso(clean, COMMANDS["clear"][1], COMMANDS["clear"][0])
    assert done.exit_code == 0, done.output

    results = one_at_a_time(together(collected, "clear", count=2, wait=120))
    assert [code for code, _, _ in results] == [0, 0], results
    assert sum("Written:" in out for _, out, _ in results) == 1
    assert ledger_rows(collected) == ledger_rows(clean)  # booked once
    assert runs(collected) == ["collect", "clear"]


def test_clears_at_once_the_other_gives_up_when_the_wait_is_short(collected):
    (ok, out, _), (busy, _, err) = one_gives_up(together(collected, "clear", count=2, wait=0))
    assert (ok, busy) == (0, 3)
    assert "Written:" in out and err.startswith(BUSY)
    assert runs(collected) == ["collect", "clear"]


@pytest.mark.parametrize("point, batches", [("ledger-before-commit", 0), ("after-ledger-commit", 3)])
def test_status_and_check_answer_while_a_collect_holds_the_lock(tmp_path, point, batches):
    """Inside the open transaction the readers see the ledger before the run; after the
    commit (files not yet renamed) they see the whole run, and check knows it is running."""
    folder = prepare(tmp_path / "books")
    now, args = COMMANDS["collect"]
    collector = Run(folder, args, now, INCASSO_FAULT=f"{point}:sleep60", INCASSO_LOCK_WAIT="60")
    until(lambda: collector.sleeping, f"the collect to reach {point}")

    status = start(folder, ["status", "--format", "json", "--all"], now)
    check = start(folder, ["ledger", "check"], now)
    status_out, status_err = status.communicate(timeout=120)
    check_out, check_err = check.communicate(timeout=120)
    assert collector.process.poll() is None  # they answered while the collect held the lock
    assert status.returncode == 0, status_err
    assert len(json.loads(status_out)) == batches
    assert check.returncode == 0, check_out + check_err
    assert check_out == (f"Ledger OK: {batches and 2} messages, {batches} batches, "
                         f"{batches and 4} transactions\n")

    collector.wake()
    code, _, err = collector.finish()
    assert code == 0, err
    after = incasso(folder, ["status", "--format", "json", "--all"], now)
    assert len(json.loads(after.stdout)) == 3
    assert transactions(folder) == INVOICE_NUMBERS


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "1e9"])
def test_a_bad_lock_wait_is_one_sentence_and_exit_3(tmp_path, value):
    folder = prepare(tmp_path / "books")
    now, args = COMMANDS["collect"]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        done = CliRunner(env={**ENV, "INCASSO_NOW": now, "INCASSO_LOCK_WAIT": value}).invoke(main, args)
    assert done.exit_code == 3
    assert done.stderr == (f"incasso: INCASSO_LOCK_WAIT must be a number of seconds from 0 to "
                           f"86400, not '{value}'\n")
