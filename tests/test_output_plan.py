"""The output plan (output_plan.py): a shared output folder, overwrite guards, symlinks,
modes and workbook scratch files (issue 19, items 1, 7, 8, 10 and 13).

The races are real: two processes of two administrations on one output folder, and a
thread that plants links while a run writes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path
from textwrap import dedent

import pytest
from click.testing import CliRunner
from shared import ENV, NOW, SETTINGS
from test_crash import DEBTORS, INVOICES
from test_crash_matrix import environment

from incasso_sheets.cli import main
from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.runtime import output_plan
from incasso_sheets.runtime.output_plan import LOCK_NAME, RECORD_NAME, TEMP_PREFIX, OutputPlan

FINAL_NAMES = [f"INCS-20261127-000{n}.{kind}" for n in (1, 2)
               for kind in ("pain008.xml", "journal.csv", "prenotification.csv", "summary.xlsx")]
UPDATES = """
    Debiteurnummer;IBAN;Machtigingskenmerk
    10001;DE89370400440532013000;MDT-10001-B
"""


CREDITOR = "NL69ZZZ123456780000"  # the settings' creditor identifier
OTHER_CREDITOR = "NL79ZZZ999999990000"  # another creditor (valid check digits)


def administration(folder: Path, club: str = "Sportvereniging De Voorbeeldige", creditor: str = CREDITOR) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    settings = dedent(SETTINGS).lstrip().replace("Sportvereniging De Voorbeeldige", club).replace(CREDITOR, creditor)
    for name, text in (("incasso.toml", settings), ("deb.csv", dedent(DEBTORS).lstrip()),
                       ("inv.csv", dedent(INVOICES).lstrip()), ("upd.csv", dedent(UPDATES).lstrip())):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def incasso(folder: Path, *args: str):
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        return CliRunner(env=ENV).invoke(main, list(args))


def start(folder: Path, *args: str, **extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "incasso_sheets.cli", *args], cwd=folder,
                            env=environment(NOW, **extra), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink()}


def transactions(folder: Path) -> list[str]:
    if not (folder / "incasso.db").exists():
        return []
    with closing(sqlite3.connect(folder / "incasso.db")) as conn:
        return [r[0] for r in conn.execute("SELECT invoice_number FROM transactions ORDER BY 1")]


def described(folder: Path, club: str, creditor: str = CREDITOR) -> str:
    """An administration as messages name it: its creditor and its settings file."""
    return f"{club} ({creditor}, {folder / 'incasso.toml'})"


def listing(folder: Path) -> list[str]:
    """The folder's names but the record of who wrote them."""
    return sorted(p.name for p in folder.iterdir() if p.name != RECORD_NAME)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX))


# --- 1. two administrations, one output folder ------------------------------------------------

def test_two_administrations_racing_into_one_folder_never_swap_or_lose_files(tmp_path):
    """Both start at once as run 1 (the same MsgIds): one writes its eight files, the other
    waits for the folder and then stops on the winner's outputs, naming both; nothing of it
    is recorded."""
    clubs = {"a": "Club Alfa", "b": "Club Bravo"}
    creditors = {"a": CREDITOR, "b": OTHER_CREDITOR}
    folders = {k: administration(tmp_path / k, club, creditors[k]) for k, club in clubs.items()}
    runs = {k: start(folders[k], "collect", "deb.csv", "inv.csv", "-o", str(tmp_path / "shared"),
                     INCASSO_LOCK_WAIT="300")
            for k in folders}
    results = {k: (p.communicate(timeout=300), p.returncode) for k, p in runs.items()}
    results = {k: (code, out, err) for k, ((out, err), code) in results.items()}
    codes = sorted(code for code, _, _ in results.values())
    assert codes == [0, 3], results
    winner = next(k for k, (code, _, _) in results.items() if code == 0)
    loser = next(k for k in folders if k != winner)
    shared = tmp_path / "shared"
    assert results[loser][2] == (
        f"incasso: The output folder {shared} holds outputs of another administration, "
        f"{described(folders[winner], clubs[winner], creditors[winner])} (such as {shared / min(FINAL_NAMES)}); "
        f"this run is of {described(folders[loser], clubs[loser], creditors[loser])}: use an output folder "
        "of its own; nothing was written\n")
    assert listing(shared) == sorted(FINAL_NAMES)
    for name in FINAL_NAMES:
        if name.endswith(".pain008.xml"):
            text = (shared / name).read_text(encoding="utf-8")
            assert clubs[winner] in text and clubs[loser] not in text
    assert transactions(folders[winner]) == ["2026-0001", "2026-0002", "2026-0003", "2026-0004"]
    assert transactions(folders[loser]) == []


def test_a_run_waits_for_the_folder_and_gives_up_naming_both_administrations(tmp_path):
    a = administration(tmp_path / "a", "Club Alfa")
    b = administration(tmp_path / "b", "Club Bravo")
    shared = str(tmp_path / "shared")
    holder = start(a, "collect", "deb.csv", "inv.csv", "-o", shared, INCASSO_FAULT="after-xml:sleep60")
    for line in holder.stderr:  # the holder is inside the folder's lock, its first file written
        if line.startswith("fault: sleeping"):
            break
    busy = start(b, "collect", "deb.csv", "inv.csv", "-o", shared, INCASSO_LOCK_WAIT="0.5")
    _, err = busy.communicate(timeout=120)
    code = busy.returncode
    holder.send_signal(__import__("signal").SIGUSR1)
    assert holder.wait(timeout=120) == 0
    assert code == 3
    assert err == (f"incasso: The output folder {shared} is in use by a run of {described(a, 'Club Alfa')} "
                   f"(waited 0.5 s); this run is of {described(b, 'Club Bravo')}: use an output folder of its "
                   "own, or try again later; nothing was written\n")
    assert transactions(b) == []
    assert listing(Path(shared)) == sorted(FINAL_NAMES)


def test_another_administrations_unfinished_files_stop_a_run_and_are_left_alone(tmp_path):
    """A is killed after its commit: its temporary files wait in the shared folder for A's
    recovery. B neither sweeps nor renames them, and stops naming both; A then finishes."""
    a = administration(tmp_path / "a", "Club Alfa")
    b = administration(tmp_path / "b", "Club Bravo")
    shared = tmp_path / "shared"
    killed = start(a, "collect", "deb.csv", "inv.csv", "-o", str(shared), INCASSO_FAULT="after-ledger-commit")
    assert killed.wait(timeout=120) == 137
    pending = snapshot(shared)
    assert len(pending) == 9  # eight temporary files and the folder's lock
    done = incasso(b, "collect", "deb.csv", "inv.csv", "-o", str(shared))
    assert done.exit_code == 3
    first = sorted(n for n in pending if n != LOCK_NAME)[0]
    assert done.stderr == (
        f"incasso: The output folder {shared} holds unfinished files ({shared / first}) of another "
        f"administration ({described(a, 'Club Alfa')}); this run is of {described(b, 'Club Bravo')}: use "
        "an output folder of its own, nothing was written\n")
    assert {n: v for n, v in snapshot(shared).items() if n != LOCK_NAME} == \
        {n: v for n, v in pending.items() if n != LOCK_NAME}
    assert transactions(b) == []
    finished = incasso(a, "collect", "deb.csv", "inv.csv", "-o", str(shared))
    assert finished.exit_code == 0, finished.output
    assert listing(shared) == sorted(FINAL_NAMES)
    assert "Club Alfa" in (shared / FINAL_NAMES[0]).read_text(encoding="utf-8")


def test_recovery_never_replaces_a_file_it_did_not_make(tmp_path):
    a = administration(tmp_path / "a")
    out = tmp_path / "a" / "out"
    killed = start(a, "collect", "deb.csv", "inv.csv", "-o", "out", INCASSO_FAULT="after-ledger-commit")
    assert killed.wait(timeout=120) == 137
    (out / FINAL_NAMES[0]).write_bytes(b"someone else's file")
    refused = incasso(a, "collect", "deb.csv", "inv.csv", "-o", "out")
    assert refused.exit_code == 3
    assert refused.stderr == f"incasso: {out / FINAL_NAMES[0]} already exists; choose another output folder\n"
    assert (out / FINAL_NAMES[0]).read_bytes() == b"someone else's file"
    (out / FINAL_NAMES[0]).unlink()
    assert incasso(a, "collect", "deb.csv", "inv.csv", "-o", "out").exit_code == 0
    assert listing(out) == sorted(FINAL_NAMES)
    assert (out / FINAL_NAMES[0]).read_bytes().startswith(b"<?xml")


def test_a_sweep_takes_only_this_owners_files_of_its_own_kind(tmp_path):
    mine = output_plan.owner_tag("/x/incasso.db")
    theirs = output_plan.owner_tag("/y/incasso.db")
    (tmp_path / f"{TEMP_PREFIX}{mine}-upd-abcdefgh-deb.csv").write_text("half")
    (tmp_path / f"{TEMP_PREFIX}{mine}-run-abcdefgh-a.xml").write_text("half")
    with OutputPlan("/x/incasso.db", output_plan.UPDATE) as plan:
        plan.claim(tmp_path)
    assert [p.name for p in plan.swept] == [f"{TEMP_PREFIX}{mine}-upd-abcdefgh-deb.csv"]
    (tmp_path / f"{TEMP_PREFIX}{theirs}-upd-abcdefgh-deb.csv").write_text("half")
    with pytest.raises(CannotContinue) as raised, OutputPlan("/x/incasso.db", output_plan.UPDATE) as plan:
        plan.claim(tmp_path)
    assert raised.value.code == "output-folder-other-owner"
    assert (tmp_path / f"{TEMP_PREFIX}{theirs}-upd-abcdefgh-deb.csv").exists()


def test_temporary_names_are_unpredictable_and_owned(tmp_path):
    with OutputPlan("/x/incasso.db", output_plan.RUN) as plan:
        one, two = plan.plan(tmp_path / "a.csv"), plan.plan(tmp_path / "a.csv")
    assert one.temp != two.temp
    assert output_plan.temp_owner(one.temp.name) == (output_plan.owner_tag("/x/incasso.db"), "run")
    assert re.fullmatch(r"\.incasso-tmp-[0-9a-f]{12}-run-[a-z0-9_]{8}-a\.csv", one.temp.name)


# --- 1b. the folder remembers which administration wrote which file ---------------------------

def collect_in_process(folder: Path, out: Path, now: str = NOW) -> subprocess.CompletedProcess:
    """`incasso collect deb.csv inv.csv -o OUT` as a process of its own."""
    return subprocess.run([sys.executable, "-m", "incasso_sheets.cli", "collect", "deb.csv", "inv.csv",
                           "-o", str(out)], cwd=folder, env=environment(now), capture_output=True,
                          text=True, timeout=300)


def other_administration(shared: Path, writer: str, first: str, ours: str) -> str:
    return (f"incasso: The output folder {shared} holds outputs of another administration, {writer} "
            f"(such as {shared / first}); this run is of {ours}: use an output folder of its own; "
            "nothing was written\n")


@pytest.mark.parametrize("now", [NOW, "2026-11-28T10:00:00"], ids=["same-names", "other-names"])
def test_another_administrations_outputs_stop_a_run_naming_both(tmp_path, now):
    """A collects into out/; then B (another creditor) collects into out/, on the same day
    (the same MsgIds, so the same names) or the next (names of its own): B stops before it
    writes anything, naming both administrations, and A's files stay byte for byte."""
    a = administration(tmp_path / "a", "Club Alfa")
    b = administration(tmp_path / "b", "Club Bravo", OTHER_CREDITOR)
    shared = tmp_path / "out"
    assert collect_in_process(a, shared).returncode == 0
    before = snapshot(shared)
    assert sorted(before) == sorted([*FINAL_NAMES, RECORD_NAME])
    stopped = collect_in_process(b, shared, now)
    assert stopped.returncode == 3
    assert stopped.stderr == other_administration(shared, described(a, "Club Alfa"), min(FINAL_NAMES),
                                                  described(b, "Club Bravo", OTHER_CREDITOR))
    assert snapshot(shared) == before
    assert transactions(b) == []
    assert transactions(a) == ["2026-0001", "2026-0002", "2026-0003", "2026-0004"]


def test_an_administrations_own_earlier_outputs_are_its_own(tmp_path):
    """A's second run into its folder is not stopped by A's first; the record lists both."""
    a = administration(tmp_path / "a", "Club Alfa")
    invoices = (a / "inv.csv").read_text(encoding="utf-8")
    (a / "inv.csv").write_text(invoices.replace("2026-0004;10001;01-11-2026;15-12-2026;25,00;Clubkleding\n", ""),
                               encoding="utf-8")
    out = tmp_path / "out"
    assert collect_in_process(a, out).returncode == 0
    first = listing(out)
    (a / "inv.csv").write_text(invoices, encoding="utf-8")
    again = collect_in_process(a, out)
    assert again.returncode == 0, again.stderr
    second = [n for n in listing(out) if n not in first]
    assert second and all(n.startswith("INCS-20261127-0003.") for n in second)
    record = json.loads((out / RECORD_NAME).read_text(encoding="utf-8"))["administrations"]
    assert list(record) == [str(a / "incasso.db")]
    assert record[str(a / "incasso.db")]["files"] == sorted(first + second)
    assert record[str(a / "incasso.db")]["creditor_name"] == "Club Alfa"


def test_once_the_other_administrations_files_are_gone_the_folder_is_free(tmp_path):
    a = administration(tmp_path / "a", "Club Alfa")
    b = administration(tmp_path / "b", "Club Bravo", OTHER_CREDITOR)
    out = tmp_path / "out"
    assert collect_in_process(a, out).returncode == 0
    (tmp_path / "a-archive").mkdir()
    for name in FINAL_NAMES:
        (out / name).rename(tmp_path / "a-archive" / name)
    assert collect_in_process(b, out).returncode == 0
    assert "Club Bravo" in (out / FINAL_NAMES[0]).read_text(encoding="utf-8")
    record = json.loads((out / RECORD_NAME).read_text(encoding="utf-8"))["administrations"]
    assert list(record) == [str(b / "incasso.db")]  # A's entry went with its files
    (a / "inv.csv").write_text((a / "inv.csv").read_text(encoding="utf-8").replace("2026-000", "2027-000"),
                               encoding="utf-8")
    stopped = collect_in_process(a, out)  # now B's outputs stop A's next run
    assert stopped.returncode == 3
    assert "Club Bravo" in stopped.stderr


def test_a_copied_ledger_is_another_administration(tmp_path):
    """A copy of A's folder has A's ledger id at another path: not taken for A (its
    counters would give A's names to other collections), and named as a copy."""
    a = administration(tmp_path / "a", "Club Alfa")
    out = tmp_path / "out"
    assert collect_in_process(a, out).returncode == 0
    copy = tmp_path / "copy"
    shutil.copytree(a, copy)
    (copy / "inv.csv").write_text((a / "inv.csv").read_text(encoding="utf-8").replace("2026-000", "2027-000"),
                                  encoding="utf-8")
    before = snapshot(out)
    stopped = collect_in_process(copy, out)
    assert stopped.returncode == 3
    assert stopped.stderr == (
        f"incasso: The output folder {out} holds outputs of {described(a, 'Club Alfa')} (such as "
        f"{out / min(FINAL_NAMES)}), whose ledger has the same id as this run's, {described(copy, 'Club Alfa')}: "
        "one ledger is a copy of the other, or was moved; use an output folder of its own; nothing was written\n")
    assert snapshot(out) == before


@pytest.mark.parametrize("how", ["moved", "copied"])
def test_an_administration_moved_or_copied_with_its_output_folder_keeps_it(tmp_path, how):
    """The ledger's id at another path is this administration when nothing is left where
    it was (moved), or when the output folder travelled with it (out/ inside the
    administration's folder, renamed or restored from a copy)."""
    a = administration(tmp_path / "a", "Club Alfa")
    assert collect_in_process(a, a / "out").returncode == 0
    moved = tmp_path / "b"
    (shutil.move if how == "moved" else shutil.copytree)(a, moved)
    (moved / "inv.csv").write_text((moved / "inv.csv").read_text(encoding="utf-8").replace("2026-000", "2027-000"),
                                   encoding="utf-8")
    done = collect_in_process(moved, moved / "out")
    assert done.returncode == 0, done.stderr
    record = json.loads((moved / "out" / RECORD_NAME).read_text(encoding="utf-8"))["administrations"]
    assert list(record) == [str(moved / "incasso.db")]
    assert len(record[str(moved / "incasso.db")]["files"]) == 16


def test_a_moved_administration_keeps_its_shared_output_folder(tmp_path):
    a = administration(tmp_path / "a", "Club Alfa")
    out = tmp_path / "out"
    assert collect_in_process(a, out).returncode == 0
    moved = tmp_path / "renamed"
    a.rename(moved)
    (moved / "inv.csv").write_text((moved / "inv.csv").read_text(encoding="utf-8").replace("2026-000", "2027-000"),
                                   encoding="utf-8")
    done = collect_in_process(moved, out)
    assert done.returncode == 0, done.stderr
    assert list(json.loads((out / RECORD_NAME).read_text(encoding="utf-8"))["administrations"]) == \
        [str(moved / "incasso.db")]


def test_a_recovery_records_the_files_it_finishes(tmp_path):
    """A killed after its commit: the rerun that finishes the files records them as A's,
    with what the ledger knows (its creditor), so B is stopped by them."""
    a = administration(tmp_path / "a", "Club Alfa")
    b = administration(tmp_path / "b", "Club Bravo", OTHER_CREDITOR)
    out = tmp_path / "out"
    killed = start(a, "collect", "deb.csv", "inv.csv", "-o", str(out), INCASSO_FAULT="after-ledger-commit")
    assert killed.wait(timeout=120) == 137
    assert not (out / RECORD_NAME).exists()
    finished = incasso(a, "collect", "deb.csv", "inv.csv", "-o", str(out))
    assert finished.exit_code == 0 and "Nothing to collect." in finished.output
    assert listing(out) == sorted(FINAL_NAMES)
    stopped = collect_in_process(b, out)
    assert stopped.returncode == 3
    assert stopped.stderr == other_administration(out, f"{CREDITOR}, {a / 'incasso.db'}", min(FINAL_NAMES),
                                                  described(b, "Club Bravo", OTHER_CREDITOR))


@pytest.mark.parametrize("record", ["link", "garbage", "folder"])
def test_a_record_that_cannot_be_read_stops_the_run(tmp_path, record):
    a = administration(tmp_path / "a")
    out = a / "out"
    out.mkdir()
    target = tmp_path / "elsewhere.json"
    target.write_text('{"administrations": {}}')
    if record == "link":
        os.symlink(target, out / RECORD_NAME)
    elif record == "garbage":
        (out / RECORD_NAME).write_text("not json")
    else:
        (out / RECORD_NAME).mkdir()
    done = incasso(a, "collect", "deb.csv", "inv.csv", "-o", "out")
    assert done.exit_code == 3
    assert done.stderr.startswith(f"incasso: Cannot read {out / RECORD_NAME}, the output folder's record")
    assert transactions(a) == []
    assert [p.name for p in out.iterdir()] == [RECORD_NAME]
    assert target.read_text() == '{"administrations": {}}'


# --- 10. links planted while a run writes -----------------------------------------------------

class Planter(threading.Thread):
    """An attacker with write access to the folder: links at every final name and at the
    temporary names older versions used, and every temporary file that appears swapped for
    a link; all pointing at `target`."""

    def __init__(self, folder: Path, target: Path, names: list[str]):
        super().__init__(daemon=True)
        self.folder, self.target, self.names = folder, target, names
        self.stop = threading.Event()
        self.planted = 0

    def run(self) -> None:
        while not self.stop.is_set():
            for name in self.names:
                self._plant(self.folder / name)
            for path in list(self.folder.iterdir()) if self.folder.is_dir() else []:
                if path.name.startswith(TEMP_PREFIX) and path.name != LOCK_NAME and not path.is_symlink():
                    try:
                        path.unlink()
                    except OSError:
                        continue
                    self._plant(path)

    def _plant(self, path: Path) -> None:
        try:
            os.symlink(self.target, path)
            self.planted += 1
        except OSError:
            pass


@pytest.mark.parametrize("where", ["final", "temporary"])
def test_collect_never_writes_through_a_planted_link(tmp_path, where):
    a = administration(tmp_path / "a")
    out = a / "out"
    out.mkdir()
    target = tmp_path / "attacker.txt"
    target.write_bytes(b"the attacker's file")
    names = FINAL_NAMES if where == "final" else [f"{TEMP_PREFIX}1-{n}" for n in FINAL_NAMES]
    planter = Planter(out, target, names)
    planter.start()
    try:
        done = incasso(a, "collect", "deb.csv", "inv.csv", "-o", "out")
    finally:
        planter.stop.set()
        planter.join()
    assert planter.planted > 0
    assert target.read_bytes() == b"the attacker's file"
    assert done.exit_code == 3, done.output
    assert done.stderr.startswith("incasso: ")
    assert transactions(a) == []
    assert not [p for p in out.iterdir() if p.is_file() and not p.is_symlink()
                and p.name not in (LOCK_NAME, RECORD_NAME) and not p.name.startswith(TEMP_PREFIX)]


def test_update_never_writes_through_a_planted_link(tmp_path):
    a = administration(tmp_path / "a")
    target = tmp_path / "attacker.txt"
    target.write_bytes(b"the attacker's file")
    before = (a / "deb.csv").read_bytes()
    names = [f".incasso-tmp-update-{pid}-deb.csv" for pid in range(os.getpid(), os.getpid() + 50)]
    planter = Planter(a, target, names)
    planter.start()
    try:
        done = incasso(a, "debtors", "update", "deb.csv", "upd.csv", "-o", "deb.csv")
    finally:
        planter.stop.set()
        planter.join()
    assert target.read_bytes() == b"the attacker's file"
    assert not (a / "deb.csv").is_symlink()
    assert done.exit_code in (0, 3), done.output
    after = (a / "deb.csv").read_bytes()
    assert after == before if done.exit_code == 3 else b"DE89370400440532013000" in after


# --- 7 and 8. nothing overwrites what it did not make -------------------------------------------

def ledger_folder(tmp_path: Path) -> Path:
    a = administration(tmp_path / "a")
    assert incasso(a, "collect", "deb.csv", "inv.csv", "-o", "out").exit_code == 0
    os.link(a / "incasso.db", a / "hardlink.db")
    os.symlink(a / "incasso.toml", a / "settings-link.toml")
    return a


REFUSED = [
    (["check", "deb.csv", "inv.csv", "--report", "incasso.db"], "incasso.db (--report) is the ledger (or its "
     "journal or lock) incasso.db"),
    (["check", "deb.csv", "inv.csv", "--report", "incasso.toml"], "incasso.toml (--report) is the settings "
     "file incasso.toml"),
    (["check", "deb.csv", "inv.csv", "--report", "hardlink.db"], "hardlink.db (--report) is the ledger (or "
     "its journal or lock) incasso.db"),
    (["check", "deb.csv", "inv.csv", "--report", "settings-link.toml"], "settings-link.toml (--report) is "
     "the settings file incasso.toml"),
    (["check", "deb.csv", "inv.csv", "--report", "inv.csv"], "inv.csv (--report) is the invoices sheet "
     "inv.csv"),
    (["debtors", "update", "deb.csv", "upd.csv", "-o", "deb.csv", "--log", "deb.csv"], "deb.csv (--log) "
     "is the debtors sheet deb.csv"),
    (["debtors", "update", "deb.csv", "upd.csv", "-o", "new.csv", "--log", "new.csv"], "new.csv (--log) "
     "is -o new.csv"),
    (["debtors", "update", "deb.csv", "upd.csv", "-o", "upd.csv"], "upd.csv (-o) is the update sheet "
     "upd.csv"),
    (["debtors", "update", "deb.csv", "upd.csv", "-o", "incasso.db"], "incasso.db (-o) is the ledger (or "
     "its journal or lock) {a}/incasso.db"),
    (["debtors", "update", "deb.csv", "upd.csv", "-o", "deb.csv", "--log", "incasso.db-wal"],
     "incasso.db-wal (--log) is the ledger (or its journal or lock) {a}/incasso.db-wal"),
    (["debtors", "update", "deb.csv", "upd.csv", "-o", "out.csv", "--log", "incasso.toml"],
     "incasso.toml (--log) is the settings file {a}/incasso.toml"),
    (["collect", "deb.csv", "inv.csv", "-o", "incasso.db"], "incasso.db (-o) is the ledger (or its "
     "journal or lock) {a}/incasso.db"),
]


@pytest.mark.parametrize(("args", "message"), REFUSED, ids=[" ".join(a) for a, _ in REFUSED])
def test_an_output_that_is_an_input_the_ledger_or_the_settings_is_refused(tmp_path, args, message):
    a = ledger_folder(tmp_path)
    before = snapshot(a)
    done = incasso(a, *args)
    assert done.exit_code == 3
    assert done.stderr == f"incasso: {message.format(a=a)}; choose another name: nothing was written\n"
    assert done.stdout == ""  # refused before anything is read or checked
    assert snapshot(a) == before


def test_an_update_in_place_still_works_and_keeps_the_sheets_mode(tmp_path):
    a = administration(tmp_path / "a")
    (a / "deb.csv").chmod(0o640)
    done = incasso(a, "debtors", "update", "deb.csv", "upd.csv", "-o", "deb.csv", "--log", "log.csv")
    assert done.exit_code == 0, done.output
    assert b"DE89370400440532013000" in (a / "deb.csv").read_bytes()
    assert stat.S_IMODE((a / "deb.csv").stat().st_mode) == 0o640
    assert stat.S_IMODE((a / "log.csv").stat().st_mode) == 0o600
    assert leftovers(a) == []


# --- 10 and 13. modes, fsync, workbook scratch, export into a link ----------------------------

def test_new_personal_data_files_are_not_world_readable(tmp_path):
    a = administration(tmp_path / "a")
    (a / "deb.csv").chmod(0o644)
    assert incasso(a, "collect", "deb.csv", "inv.csv", "-o", "out").exit_code == 0
    assert {stat.S_IMODE((a / "out" / n).stat().st_mode) for n in FINAL_NAMES} == {0o600}
    assert incasso(a, "debtors", "update", "deb.csv", "upd.csv", "-o", "new.csv").exit_code == 0
    assert stat.S_IMODE((a / "new.csv").stat().st_mode) == 0o640  # the input's, less the world's
    assert incasso(a, "check", "deb.csv", "inv.csv", "--report", "report.xlsx").exit_code == 0
    assert stat.S_IMODE((a / "report.xlsx").stat().st_mode) == 0o600
    (a / "report.xlsx").chmod(0o644)  # a report replaced keeps the mode it had
    assert incasso(a, "check", "deb.csv", "inv.csv", "--report", "report.xlsx").exit_code == 0
    assert stat.S_IMODE((a / "report.xlsx").stat().st_mode) == 0o644


def test_every_file_is_fsynced_before_it_gets_its_name(tmp_path, monkeypatch):
    """docs/reliability.md: every output, the workbooks too, is on disk before its rename."""
    a = administration(tmp_path / "a")
    synced: set[tuple[int, int]] = set()
    real_fsync = os.fsync

    def fsync(fd):
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode):
            synced.add((info.st_dev, info.st_ino))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    assert incasso(a, "collect", "deb.csv", "inv.csv", "-o", "out").exit_code == 0
    assert incasso(a, "debtors", "update", "deb.csv", "upd.csv", "-o", "deb.csv", "--log",
                   "log.xlsx").exit_code == 0
    assert incasso(a, "check", "deb.csv", "inv.csv", "--report", "report.xlsx").exit_code == 0
    written = [a / "out" / n for n in FINAL_NAMES] + [a / "deb.csv", a / "log.xlsx", a / "report.xlsx"]
    for path in written:
        info = path.stat()
        assert (info.st_dev, info.st_ino) in synced, path


def test_workbook_scratch_files_stay_beside_the_output_and_go(tmp_path, monkeypatch):
    """openpyxl writes each worksheet to a scratch file: with a plan, beside the output under
    the plan's name; removed when the write fails, so nothing lands in the system's temp."""
    from openpyxl.worksheet import _writer

    from incasso_sheets.formats import workbook

    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(system_temp))
    seen: list[Path] = []
    real_cleanup = _writer.WorksheetWriter.cleanup

    def failing_cleanup(self):
        seen.append(Path(self.out))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_writer.WorksheetWriter, "cleanup", failing_cleanup)
    out = tmp_path / "out"
    wb = workbook.new_workbook()
    workbook.add_table(wb, "s", ["Naam", "IBAN"], [("Jansen", "NL91ABNA0417164300")])
    with pytest.raises(OSError), OutputPlan("/x/incasso.db", output_plan.RUN) as plan:
        plan.write(out / "summary.xlsx", lambda fh: workbook.save(wb, fh))
    monkeypatch.setattr(_writer.WorksheetWriter, "cleanup", real_cleanup)
    assert seen and seen[0].parent == out and seen[0].name.startswith(plan.prefix)
    assert list(system_temp.iterdir()) == []
    assert leftovers(out) == []


def test_a_killed_workbook_write_leaves_its_scratch_for_the_next_sweep(tmp_path):
    script = dedent(f"""
        import os, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from openpyxl.worksheet import _writer
        from incasso_sheets.runtime import output_plan
        from incasso_sheets.formats import workbook
        _writer.WorksheetWriter.cleanup = lambda self: os._exit(137)
        wb = workbook.new_workbook()
        workbook.add_table(wb, "s", ["Naam", "IBAN"], [("Jansen", "NL91ABNA0417164300")])
        with output_plan.OutputPlan("/x/incasso.db", output_plan.RUN) as plan:
            plan.write(output_plan.Path({str(tmp_path / 'out' / 'summary.xlsx')!r}),
                       lambda out: workbook.save(wb, out))
    """)
    env = {**os.environ, "TMPDIR": str(tmp_path / "system-temp"), "PYTHONPATH": str(Path(__file__).parent.parent)}
    (tmp_path / "system-temp").mkdir()
    killed = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert killed.returncode == 137, killed.stderr
    assert list((tmp_path / "system-temp").iterdir()) == []
    left = leftovers(tmp_path / "out")
    assert any(n.endswith("-openpyxl") for n in left), left
    with OutputPlan("/x/incasso.db", output_plan.RUN) as plan:
        plan.claim(tmp_path / "out")
    assert leftovers(tmp_path / "out") == []


KILLED_WORKBOOK = """
import os, sys
from openpyxl.worksheet import _writer
_writer.WorksheetWriter.cleanup = lambda self: os._exit(137)  # killed inside the workbook's write
from pathlib import Path
from incasso_sheets.init import run as init_run
from incasso_sheets.cli import main
folder = Path(sys.argv[2])
if sys.argv[1] == "template":
    main(["template", str(folder)])
else:
    init_run.run_init(folder, init_run.Creditor("Club Alfa", "NL91ABNA0417164300", "NL69ZZZ123456780000"))
"""


@pytest.mark.parametrize("command", ["template", "init"])
def test_template_and_init_write_their_workbooks_through_the_plan(tmp_path, command):
    """`incasso template` and `init` write the blank workbooks like every other workbook:
    openpyxl's scratch file beside the output under the plan's name (a killed run leaves
    it there, for the next sweep, not in the system's temporary folder); nothing in place
    until every file is written."""
    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    env = {**os.environ, "TMPDIR": str(system_temp), "PYTHONPATH": str(Path(__file__).parent.parent)}
    killed = subprocess.run([sys.executable, "-c", KILLED_WORKBOOK, command, str(tmp_path / "new")],
                            env=env, capture_output=True, text=True, timeout=120)
    assert killed.returncode == 137, killed.stderr
    assert list(system_temp.iterdir()) == []
    left = leftovers(tmp_path / "new")
    assert any(n.endswith("-openpyxl") for n in left), left
    assert not [p for p in (tmp_path / "new").iterdir() if not p.name.startswith(TEMP_PREFIX)]
    with OutputPlan(output_plan.ledger_identity(tmp_path / "new" / "incasso.db"), output_plan.TEMPLATE) as plan:
        plan.claim(tmp_path / "new")
    assert leftovers(tmp_path / "new") == []
    done = CliRunner().invoke(main, ["template", str(tmp_path / "new")])
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["debiteuren.xlsx", "facturen.xlsx",
                                                                    "incasso.toml"]
    assert list(system_temp.iterdir()) == []


def test_ledger_export_into_a_linked_folder(tmp_path):
    a = ledger_folder(tmp_path)
    (tmp_path / "real-audit").mkdir()
    os.symlink(tmp_path / "real-audit", a / "audit")
    done = incasso(a, "ledger", "export", "audit")
    assert done.exit_code == 0, done.output
    assert (a / "audit").is_symlink()
    assert "transactions.csv" in {p.name for p in (tmp_path / "real-audit").iterdir()}
    assert leftovers(tmp_path) == [] and leftovers(a) == []


def test_the_folders_lock_goes_once_nothing_is_left(tmp_path):
    a = administration(tmp_path / "a")
    assert incasso(a, "collect", "deb.csv", "inv.csv", "-o", "out").exit_code == 0
    assert not (a / "out" / LOCK_NAME).exists()
    shutil.rmtree(a / "out")


def test_one_folder_spelled_two_ways_is_locked_once(tmp_path, monkeypatch):
    a = administration(tmp_path / "a")
    (a / "sub").mkdir()
    monkeypatch.setenv("INCASSO_LOCK_WAIT", "0")
    done = incasso(a, "debtors", "update", "deb.csv", "upd.csv", "-o", "deb.csv", "--log", "sub/../log.csv")
    assert done.exit_code == 0, done.output
    assert (a / "log.csv").exists() and leftovers(a) == []
