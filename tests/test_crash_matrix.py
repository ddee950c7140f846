"""Every command killed (or out of disk) at every fault point loses nothing.

The matrix: `collect`, `clear`, `debtors update`, `ledger export` and `ledger import`
(which writes ledger rows and no files), each run as a real subprocess
(`python -m incasso_sheets.cli`) with INCASSO_FAULT at each of its points (faults.py):
`:kill` ends the process with os._exit, as a power cut would; `:enospc` makes the write
fail as a full disk does. All runs start together (module fixture). For each one:

- no partial file is visible: every file in the output folders is byte-identical either
  to the state before the run or to an uninterrupted run (temporary files are hidden,
  dot-prefixed, and gone after the next run);
- the ledger holds the whole run or none of it: every row of every table is compared
  with the ledger before the run and after an uninterrupted run;
- the same command run again, with the same clock, ends with exactly the files and the
  ledger of the uninterrupted run, and `incasso ledger check` passes.

tests/test_crash.py holds the first collect crash tests (and the in-process `:raise`
variants); this file repeats collect with the ledger compared table by table.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent

import pytest
from click.testing import CliRunner
from shared import NOW
from test_crash import prepare

from incasso_sheets.cli import main
from incasso_sheets.runtime.output_plan import LOCK_NAME, RECORD_NAME

CLEAR_NOW = "2026-12-02T20:00:00"
ENV = {"INCASSO_FAULT": None, "LANG": "en_GB.UTF-8", "LC_ALL": None, "LC_MESSAGES": None,
       "INCASSO_LOCK_WAIT": None}

COMMANDS = {
    "collect": (NOW, ["collect", "deb.csv", "inv.csv", "-o", "out"]),
    "clear": (CLEAR_NOW, ["clear", "bank", "-o", "out"]),
    "update": (NOW, ["debtors", "update", "deb.csv", "upd.csv", "-o", "deb.csv",
                     "--log", "out/changes.csv"]),
    "export": (CLEAR_NOW, ["ledger", "export", "out/audit"]),
    "import": (NOW, ["ledger", "import", "old.pain008.xml"]),
}
KILL_POINTS = {
    "collect": ["after-reading", "after-xml", "after-xsd", "ledger-before-commit",
                "after-ledger-commit", "between-renames"],
    "clear": ["after-reading", "after-journal", "ledger-before-commit", "after-ledger-commit",
              "between-renames"],
    "update": ["after-reading", "after-sheet", "between-renames"],
    "export": ["after-first-table"],
    "import": ["ledger-before-commit", "after-ledger-commit"],
}
ENOSPC_POINTS = {
    "collect": ["after-xml", "ledger-before-commit"],
    "clear": ["after-journal", "ledger-before-commit"],
    "update": ["after-sheet"],
    "export": ["after-first-table"],
    "import": ["ledger-before-commit"],
}
# Killed after the ledger commit: the ledger holds the run, the files are left to finish.
COMMITTED = {"after-ledger-commit", "between-renames"}
CASES = [(c, p, "kill") for c, points in KILL_POINTS.items() for p in points] + [
    (c, p, "enospc") for c, points in ENOSPC_POINTS.items() for p in points]

# The bank's answer to the collect of test_crash's sheets: pain.002 rejects 2026-0004
# before settlement (its batch is paid out later), camt.053 pays out the two batches of
# 1 December. Clear writes three files: journal, reopened invoices, returns report.
PAIN002 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>STS-20261130-1</MsgId><CreDtTm>2026-11-30T16:00:00</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts><OrgnlMsgId>INCS-20261127-0001</OrgnlMsgId>
      <OrgnlMsgNmId>pain.008.001.08</OrgnlMsgNmId><GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>INCS-20261127-0001-2</OrgnlPmtInfId><PmtInfSts>PART</PmtInfSts>
      <TxInfAndSts>
        <StsId>RJ-1</StsId><OrgnlEndToEndId>2026-0004</OrgnlEndToEndId><TxSts>RJCT</TxSts>
        <StsRsnInf><Rsn><Cd>AM04</Cd></Rsn></StsRsnInf>
        <OrgnlTxRef><Amt><InstdAmt Ccy="EUR">25.00</InstdAmt></Amt></OrgnlTxRef>
      </TxInfAndSts>
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>
"""
PAYOUT = """
      <Ntry>
        <Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2026-12-01</Dt></BookgDt><ValDt><Dt>2026-12-01</Dt></ValDt>
        <AcctSvcrRef>{ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>ESDD</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><Btch><PmtInfId>{batch}</PmtInfId></Btch></NtryDtls>
      </Ntry>"""
CAMT053 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>STMT-20261201</MsgId><CreDtTm>2026-12-01T23:59:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-20261201</Id><CreDtTm>2026-12-01T23:59:00</CreDtTm>
      <Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>{entries}
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""
BLOCKS = {"INCS-20261127-0001-1": 12100, "INCS-20261127-0001-2": 6750,
          "INCS-20261127-0002-1": 125000}
UPDATES = """
    Debiteurnummer;IBAN;Machtigingskenmerk
    10001;DE89370400440532013000;MDT-10001-B
    10003;;
"""


# --- looking at a folder ------------------------------------------------------------------

def files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` except the ledger's own, by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith("incasso.db") and p.name != RECORD_NAME}


def hidden(name: str) -> bool:
    return any(part.startswith(".incasso-tmp-") for part in Path(name).parts)


def visible(folder: Path) -> dict[str, bytes]:
    return {n: b for n, b in files(folder).items() if not hidden(n)}


def temporary(folder: Path) -> list[str]:
    """The temporary files (an output folder's lock, left by a killed run, is not one)."""
    return [n for n in files(folder) if hidden(n) and Path(n).name != LOCK_NAME]


def ledger_rows(folder: Path) -> dict[str, list[tuple]]:
    """Every row of every table that has rows; of `runs` without the state and the
    absolute file names. `meta` (the schema version) is not a run's: a run killed after
    creating the ledger has written nothing."""
    db = folder / "incasso.db"
    if not db.exists():
        return {}
    with closing(sqlite3.connect(db)) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'meta' ORDER BY name")]
        out = {}
        for table in tables:
            columns = [c[1] for c in conn.execute(f"PRAGMA table_info({table})")
                       if (table, c[1]) not in {("runs", "state"), ("runs", "files")}]
            rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid").fetchall()
            if rows:
                out[table] = rows
        return out


def unfinished_runs(folder: Path) -> int:
    db = folder / "incasso.db"
    if not db.exists():
        return 0
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT count(*) FROM runs WHERE state != 'done'").fetchone()[0]


# --- running ------------------------------------------------------------------------------

def environment(now: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENV}
    fixed = {k: v for k, v in ENV.items() if v is not None}
    return {**env, **fixed, "INCASSO_NOW": now, **extra}


def start(folder: Path, args: list[str], now: str, **extra: str) -> subprocess.Popen:
    """`incasso ARGS` as a separate process in `folder` (extra: INCASSO_FAULT, ...)."""
    return subprocess.Popen([sys.executable, "-m", "incasso_sheets.cli", *args], cwd=folder,
                            env=environment(now, **extra), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def incasso(folder: Path, args: list[str], now: str):
    """The same command in this process (click's CliRunner), from `folder`."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        return CliRunner(env={**ENV, "INCASSO_NOW": now}).invoke(main, args)


# --- the folders before each command, and after an uninterrupted run ---------------------

def bank_files(folder: Path) -> None:
    bank = folder / "bank"
    bank.mkdir()
    (bank / "pain002.xml").write_text(PAIN002, encoding="utf-8")
    entries = "".join(PAYOUT.format(amount=f"{BLOCKS[b] / 100:.2f}", ref=f"REF-{n}", batch=b)
                      for n, b in enumerate(["INCS-20261127-0001-1", "INCS-20261127-0002-1"]))
    (bank / "camt053.xml").write_text(CAMT053.format(entries=entries), encoding="utf-8")


@dataclass(frozen=True)
class State:
    folder: Path
    files: dict[str, bytes]
    ledger: dict[str, list[tuple]]

    @classmethod
    def of(cls, folder: Path) -> State:
        assert temporary(folder) == [] and unfinished_runs(folder) == 0
        return cls(folder, visible(folder), ledger_rows(folder))


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict[str, tuple[State, State]]:
    """command -> (the folder before it runs, the same folder after a clean run)."""
    base = tmp_path_factory.mktemp("base")
    before = {"collect": prepare(base / "collect")}
    before["update"] = prepare(base / "update")
    (before["update"] / "upd.csv").write_text(dedent(UPDATES).lstrip(), encoding="utf-8")
    (before["update"] / "out").mkdir()
    (before["update"] / "incasso.toml").unlink()  # update needs no settings and no ledger
    clear = prepare(base / "clear")
    done = incasso(clear, COMMANDS["collect"][1], NOW)
    assert done.exit_code == 0, done.output
    bank_files(clear)
    before["clear"] = clear
    before["export"] = base / "export"
    shutil.copytree(clear, before["export"])
    before["import"] = prepare(base / "import")  # another system's collection, to take over
    shutil.copy(clear / "out" / "INCS-20261127-0001.pain008.xml", before["import"] / "old.pain008.xml")
    assert {r[0]: r[6] for r in ledger_rows(clear)["blocks"]} == BLOCKS
    states = {}
    for command, folder in before.items():
        clean = base / f"{command}-clean"
        shutil.copytree(folder, clean)
        now, args = COMMANDS[command]
        done = incasso(clean, args, now)
        assert done.exit_code == 0, done.output
        states[command] = (State.of(folder), State.of(clean))
        assert states[command][1].files != states[command][0].files or command == "import"
    assert len(states["clear"][1].files) - len(states["clear"][0].files) == 3
    assert ledger_rows(base / "clear-clean")["journal"]
    return states


@pytest.fixture(scope="module")
def crashed(world, tmp_path_factory) -> dict[tuple[str, str, str], tuple[Path, int, str]]:
    """(command, point, action) -> (folder, exit code, stderr), all started at once."""
    started = {}
    for case in CASES:
        command, point, action = case
        folder = tmp_path_factory.mktemp(f"{command}-{point}-{action}") / "books"
        shutil.copytree(world[command][0].folder, folder)
        now, args = COMMANDS[command]
        started[case] = (folder, start(folder, args, now, INCASSO_FAULT=f"{point}:{action}"))
    done = {}
    for case, (folder, process) in started.items():
        _, stderr = process.communicate(timeout=120)
        done[case] = (folder, process.returncode, stderr)
    return done


@pytest.mark.parametrize("case", CASES, ids=["-".join(c) for c in CASES])
def test_a_crash_loses_nothing_and_the_rerun_is_a_clean_run(world, crashed, case):
    command, point, action = case
    before, clean = world[command]
    folder, code, stderr = crashed[case]
    committed = point in COMMITTED and command != "update"

    if action == "kill":
        assert code == 137, stderr
    else:  # a full disk: one sentence, exit 3, and the temporary files already gone
        assert code == 3, stderr
        assert "incasso: Cannot continue: No space left on device" in stderr
        assert "Traceback" not in stderr
        assert temporary(folder) == []

    # No partial files: each visible file is as it was, or as the clean run wrote it.
    now = visible(folder)
    assert set(now) <= set(before.files) | set(clean.files)
    for name, data in now.items():
        assert data in (before.files.get(name), clean.files.get(name)), name
    # The ledger: all of the run, or nothing of it.
    rows = ledger_rows(folder)
    if committed:
        assert rows == clean.ledger
        assert unfinished_runs(folder) == 1
        checked = incasso(folder, ["ledger", "check"], COMMANDS[command][0])
        assert checked.exit_code == 1
        assert "ledger-run-unfinished  '" in checked.output
        written = set(clean.files) - set(before.files)
        assert len(set(now) - set(before.files)) + len(temporary(folder)) == len(written)
    else:
        assert rows == before.ledger
        assert unfinished_runs(folder) == 0
    if not committed and not (command == "update" and point == "between-renames"):
        assert now == before.files
    if point == "between-renames":  # killed right after the first rename
        assert len(set(now.items()) - set(before.files.items())) == 1

    now_, args = COMMANDS[command]
    rerun = incasso(folder, args, now_)
    assert rerun.exit_code == 0, rerun.output
    assert files(folder) == clean.files  # byte-identical, and no temporary file left
    assert ledger_rows(folder) == clean.ledger
    assert unfinished_runs(folder) == 0
    if committed and command != "import":  # finished by recovery, not run a second time
        assert "Finished an interrupted earlier run" in rerun.output
    if command != "update":
        checked = incasso(folder, ["ledger", "check"], now_)
        assert checked.exit_code == 0, checked.output
        assert checked.output.startswith("Ledger OK: ")


def test_the_matrix_covers_every_fault_point_in_the_code():
    """A fault point added to a command without a crash test fails here."""
    import re

    package = Path(__file__).parent.parent / "incasso_sheets"
    named = {m for path in package.rglob("*.py")
             for m in re.findall(r'faults\.point\("([a-z-]+)"\)', path.read_text(encoding="utf-8"))}
    covered = {p for points in KILL_POINTS.values() for p in points}
    assert named == covered
