"""A run killed or failing at any point leaves all or nothing, and a rerun completes it once.

Each kill runs `incasso collect` as a real subprocess with INCASSO_FAULT switched on
(faults.py): `:kill` ends the process with os._exit, as a power cut would. The six killed
runs start together (module fixture) to keep the suite fast. The rerun, in the same folder
without the fault, must end with exactly the files of a clean run in another folder with
the same clock, and a ledger holding each invoice once.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from textwrap import dedent

import pytest
from click.testing import CliRunner
from shared import ENV, SETTINGS

from incasso_sheets.cli import main
from incasso_sheets.ledger.store import TEMP_PREFIX
from incasso_sheets.runtime.output_plan import LOCK_NAME, RECORD_NAME

# Two schemes, so two messages and eight files: a crash between renames leaves a mix.
DEBTORS = """
    Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging;Type incasso
    10001;Jansen;NL91ABNA0417164300;ja;MDT-10001;01-03-2024;CORE
    10002;Bakkerij Oost;NL64RABO0260893498;ja;MDT-10002;01-03-2024;B2B
    10003;Peeters;BE68539007547034;ja;MDT-10003;01-03-2024;CORE
"""
INVOICES = """
    Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag;Omschrijving
    2026-0001;10001;01-11-2026;01-12-2026;121,00;Contributie
    2026-0002;10002;01-11-2026;01-12-2026;1250,00;Sponsorbijdrage
    2026-0003;10003;01-11-2026;15-12-2026;42,50;Kantine
    2026-0004;10001;01-11-2026;15-12-2026;25,00;Clubkleding
"""
INVOICE_NUMBERS = ["2026-0001", "2026-0002", "2026-0003", "2026-0004"]
POINTS = ["after-reading", "after-xml", "after-xsd", "ledger-before-commit",
          "after-ledger-commit", "between-renames"]
COMMITTED = {"after-ledger-commit", "between-renames"}
ARGS = ["collect", "deb.csv", "inv.csv", "-o", "out"]


def prepare(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("incasso.toml", SETTINGS), ("deb.csv", DEBTORS), ("inv.csv", INVOICES)):
        (folder / name).write_text(dedent(text).lstrip(), encoding="utf-8")
    return folder


def start(folder: Path, fault: str) -> subprocess.Popen:
    """`incasso collect deb.csv inv.csv -o out` as a separate process in `folder`."""
    env = {k: v for k, v in os.environ.items() if k not in ENV}
    env.update({k: v for k, v in ENV.items() if v is not None}, INCASSO_FAULT=fault)
    return subprocess.Popen([sys.executable, "-m", "incasso_sheets.cli", *ARGS], cwd=folder, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def incasso(folder: Path, monkeypatch, *args: str, fault: str | None = None):
    """The same command in this process (click's CliRunner), from `folder`."""
    monkeypatch.chdir(folder)
    runner = CliRunner(env={**ENV, "INCASSO_FAULT": fault})
    return runner.invoke(main, list(args or ARGS))


def outputs(folder: Path) -> dict[str, bytes]:
    out = folder / "out"
    """The output folder's files, but its record of who wrote them (test_output_plan)."""
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.name != RECORD_NAME} if out.exists() else {}


def final_files(folder: Path) -> dict[str, bytes]:
    return {n: b for n, b in outputs(folder).items() if not n.startswith(TEMP_PREFIX)}


def temp_files(folder: Path) -> list[str]:
    """The temporary files (not the output folder's lock, which a killed run leaves too)."""
    return [n for n in outputs(folder) if n.startswith(TEMP_PREFIX) and n != LOCK_NAME]


def ledger_invoices(folder: Path) -> list[str]:
    db = folder / "incasso.db"
    if not db.exists():
        return []
    with closing(sqlite3.connect(db)) as conn:
        return [r[0] for r in conn.execute("SELECT invoice_number FROM transactions ORDER BY 1")]


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> dict[str, bytes]:
    """The outputs of an uninterrupted run with the same sheets and clock."""
    folder = prepare(tmp_path_factory.mktemp("clean"))
    with pytest.MonkeyPatch.context() as mp:
        done = incasso(folder, mp)
    assert done.exit_code == 0, done.output
    files = outputs(folder)
    assert len(files) == 8 and not temp_files(folder)
    assert ledger_invoices(folder) == INVOICE_NUMBERS
    return files


@pytest.fixture(scope="module")
def killed(tmp_path_factory) -> dict[str, tuple[Path, int, str]]:
    """name -> (folder, exit code, stderr) of a subprocess killed at a fault point.

    One run per fault point, plus "elsewhere" (killed after the commit) for the test that
    recovers from another folder; all started at once. A run killed with exit code 137
    also shows that `python -m incasso_sheets.cli` runs the command.
    """
    runs = {p: p for p in POINTS} | {"elsewhere": "after-ledger-commit"}
    started = {name: (folder, start(folder, point)) for name, point in runs.items()
               for folder in [prepare(tmp_path_factory.mktemp(name) / "books")]}
    done = {}
    for name, (folder, process) in started.items():
        _, stderr = process.communicate(timeout=120)
        done[name] = (folder, process.returncode, stderr)
    return done


@pytest.mark.parametrize("point", POINTS)
def test_killed_run_leaves_all_or_nothing_and_a_rerun_completes_it_once(killed, clean, point,
                                                                         monkeypatch):
    folder, code, stderr = killed[point]
    assert code == 137, stderr

    # No partial files: nothing but complete files of the committed run is visible, and
    # the ledger holds the whole run or nothing of it.
    visible = final_files(folder)
    if point in COMMITTED:
        assert ledger_invoices(folder) == INVOICE_NUMBERS
        assert all(visible[n] == clean[n] for n in visible)
        assert len(visible) + len(temp_files(folder)) == len(clean)
    else:
        assert ledger_invoices(folder) == []
        assert visible == {}
    if point == "between-renames":
        assert len(visible) == 1  # killed right after the first rename

    rerun = incasso(folder, monkeypatch)
    assert rerun.exit_code == 0, rerun.output
    assert outputs(folder) == clean  # byte-identical, and no temporary files left
    assert ledger_invoices(folder) == INVOICE_NUMBERS
    if point in COMMITTED:
        # finished by recovery, not collected a second time
        assert rerun.stdout.endswith("Nothing to collect.\n")


@pytest.mark.parametrize("action", ["raise", "enospc"])
def test_failure_after_writing_the_xml_cleans_up(tmp_path, clean, action, monkeypatch):
    folder = prepare(tmp_path)
    failed = incasso(folder, monkeypatch, fault=f"after-xml:{action}")
    if action == "raise":
        assert isinstance(failed.exception, RuntimeError)
    else:  # a full disk is one sentence and exit 3, not a traceback
        assert failed.exit_code == 3
        assert "incasso: Cannot continue: No space left on device" in failed.stderr
        assert "Traceback" not in failed.output
    assert outputs(folder) == {}  # no final files and no temporary files
    assert ledger_invoices(folder) == []
    rerun = incasso(folder, monkeypatch)
    assert rerun.exit_code == 0, rerun.output
    assert outputs(folder) == clean


def test_failure_in_the_ledger_transaction_cleans_up(tmp_path, clean, monkeypatch):
    folder = prepare(tmp_path)
    failed = incasso(folder, monkeypatch, fault="ledger-before-commit:raise")
    assert failed.exit_code != 0
    assert outputs(folder) == {}
    assert ledger_invoices(folder) == []


@pytest.mark.parametrize("point", sorted(COMMITTED))
def test_failure_after_the_commit_leaves_the_files_to_finish(tmp_path, clean, point, monkeypatch):
    """The ledger says the invoices are collected: their files must not be thrown away."""
    folder = prepare(tmp_path)
    failed = incasso(folder, monkeypatch, fault=f"{point}:raise")
    assert failed.exit_code != 0
    assert ledger_invoices(folder) == INVOICE_NUMBERS
    rerun = incasso(folder, monkeypatch)
    assert rerun.exit_code == 0, rerun.output
    assert outputs(folder) == clean


def test_recovery_works_from_another_folder(killed, clean, tmp_path, monkeypatch):
    """The ledger remembers where the files go, whatever folder the next run starts in."""
    folder, code, stderr = killed["elsewhere"]
    assert code == 137, stderr
    rerun = incasso(tmp_path, monkeypatch, "collect", str(folder / "deb.csv"), str(folder / "inv.csv"),
                    "-o", str(folder / "out"), "--config", str(folder / "incasso.toml"))
    assert rerun.exit_code == 0, rerun.output
    assert outputs(folder) == clean
    assert ledger_invoices(folder) == INVOICE_NUMBERS
