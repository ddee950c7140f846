"""Limits on everything a user can feed in, regular files only, and small input traps
(issue 19, items 11 to 13).

The memory cases run as real processes under an address-space limit
(`resource.setrlimit(RLIMIT_AS)`), so a regression fails (the reader aborts, or Python
raises MemoryError) instead of swapping the machine; before these guards each of them
took gigabytes. Files that could hang a run (a FIFO) are watched: a test that would hang
is unblocked after a while and then fails on its output.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import test_hostile_inputs
from click.testing import CliRunner
from test_hostile_inputs import DEBTORS, INVOICES, raw_workbook, row, set_limit

from incasso_sheets.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ENV = {"INCASSO_NOW": "2026-11-27T10:00:00", "LANG": "en_GB.UTF-8", "LC_ALL": "", "LC_MESSAGES": "",
       "INCASSO_FAULT": ""}
MEMORY_LIMIT = 2 << 30  # an ordinary run needs under 1 GB of address space
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# The working folder of the hostile-input tests: the sample settings and clean CSV sheets.
folder = test_hostile_inputs.folder


def run(*args: str, env: dict | None = None):
    result = CliRunner(env={**ENV, **(env or {})}).invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def refused(*args: str, env: dict | None = None) -> str:
    """Exit 3, nothing on stdout, one line on stderr: that line."""
    result = run(*args, env=env)
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("incasso: "), result.stderr
    return lines[0]


LIMITED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
from incasso_sheets.cli import main
main(sys.argv[2:], prog_name="incasso")
"""


def limited(folder: Path, *args: str, memory: int = MEMORY_LIMIT, timeout: float = 600):
    """`incasso ARGS` as its own process in `folder`, within `memory` bytes of address space."""
    env = {k: v for k, v in os.environ.items() if k not in ENV}
    env.update({k: v for k, v in ENV.items() if v})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-c", LIMITED, str(memory), "--lang", "en", *args],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=timeout)


def stopped(result: subprocess.CompletedProcess) -> str:
    """The one stderr line of a process that stopped with exit 3 (not killed, no traceback)."""
    assert result.returncode == 3, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "panicked" not in result.stderr
    assert result.stdout == ""
    return result.stderr.strip()


def shared_text_workbook(path: Path, length: int, cells: int) -> Path:
    """A workbook whose `cells` cells under a header all show one shared text of `length`."""
    strings = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}"><si><t>Naam</t></si>'
               '<si><t>').encode() + b"A" * length + b"</t></si></sst>"
    sheet = b"".join(row(n, b'<c r="A%d" t="s"><v>%d</v></c>' % (n, 0 if n == 1 else 1))
                     for n in range(1, cells + 2))
    return raw_workbook(path, sheet, extra={"xl/sharedStrings.xml": strings})


# --- item 11: memory within the default limits -----------------------------------------------

def test_a_workbook_whose_cells_share_one_50_mb_text_is_refused_within_the_memory_limit(folder):
    # 60 KB; fastexcel made a copy per cell: 6.3 GB, then a Rust abort.
    bomb = shared_text_workbook(folder / "deb.xlsx", 50 << 20, 120)
    assert bomb.stat().st_size < 100_000
    assert stopped(limited(folder, "check", "deb.xlsx", "inv.csv")) == (
        "incasso: Refused to read deb.xlsx: its part xl/sharedStrings.xml holds a text of more "
        "than 32,767 characters, the most Excel keeps in a cell; this workbook was not written "
        "by Excel")


def test_cells_sharing_texts_of_a_cells_size_are_refused_beyond_max_text_mb(folder):
    # Each text fits a cell, but 24,000 cells show it: 750 MB of text, 3 GB to read.
    shared_text_workbook(folder / "deb.xlsx", 32_767, 24_000)
    assert stopped(limited(folder, "check", "deb.xlsx", "inv.csv")) == (
        "incasso: Refused to read deb.xlsx: it holds 750 MB of cell text, more than the limit of "
        "200 MB. A workbook this big can be a 'zip bomb'; if yours really is, raise max_text_mb "
        "under [limits] in incasso.toml")


def test_the_text_limit_is_a_setting_and_counts_each_cell_exactly(folder):
    shared_text_workbook(folder / "deb.xlsx", 30_000, 100)  # 3,000,004 characters in 101 cells
    set_limit(folder, "max_text_mb", 2)
    assert refused("check", "deb.xlsx", "inv.csv") == (
        "incasso: Refused to read deb.xlsx: it holds 3 MB of cell text, more than the limit of "
        "2 MB. A workbook this big can be a 'zip bomb'; if yours really is, raise max_text_mb "
        "under [limits] in incasso.toml")
    set_limit(folder, "max_text_mb", 3)
    assert run("check", "deb.xlsx", "inv.csv").exit_code == 1  # read: its columns are missing


def test_an_inline_text_longer_than_a_cell_is_refused(folder):
    raw_workbook(folder / "deb.xlsx", row(1, b'<c r="A1" t="inlineStr"><is><t>'
                                          + "é".encode() * 32_768 + b"</t></is></c>"))
    assert refused("check", "deb.xlsx", "inv.csv") == (
        "incasso: Refused to read deb.xlsx: its part xl/worksheets/sheet1.xml holds a text of "
        "more than 32,767 characters, the most Excel keeps in a cell; this workbook was not "
        "written by Excel")


def test_a_full_cell_written_with_entities_is_read(folder):
    # 32,767 characters, five bytes each in the XML: within what a cell holds.
    raw_workbook(folder / "deb.xlsx", row(1, b'<c r="A1" t="inlineStr"><is><t>Naam</t></is></c>')
                 + row(2, b'<c r="A2" t="inlineStr"><is><t>' + b"&amp;" * 32_767 + b"</t></is></c>"))
    assert run("check", "deb.xlsx", "inv.csv").exit_code == 1  # read: its columns are missing


def test_a_csv_header_of_500000_columns_is_refused_within_the_memory_limit(folder):
    # 3.9 MB; the reader made a column for each field: 8.3 GB.
    (folder / "deb.csv").write_text(";".join(f"k{n}" for n in range(500_000)) + "\n", encoding="utf-8")
    assert stopped(limited(folder, "check", "deb.csv", "inv.csv")) == (
        "incasso: Refused to read deb.csv: its header has 500,000 columns, and a sheet has at "
        "most 16,384; check the separator of the first line")


def test_the_cells_of_a_csv_count_against_max_cells(folder):
    set_limit(folder, "max_cells", 10)
    assert refused("check", "deb.csv", "inv.csv") == (
        "incasso: Refused to read deb.csv: it holds 18 cells (3 lines x 6 columns), more than "
        "the limit of 10 cells; if yours really is this big, raise max_cells under [limits] in "
        "incasso.toml")


def test_a_10_mb_remittance_template_is_refused_within_the_memory_limit(folder):
    # 117 invoices of the samples took 2.6 GB with it.
    for name in ("debiteuren.xlsx", "facturen.xlsx"):
        shutil.copy(SAMPLES / name, folder / name)
    text = (folder / "incasso.toml").read_text(encoding="utf-8")
    (folder / "incasso.toml").write_text(text.replace(
        'remittance = "Factuur {invoice_number} {description}"',
        'remittance = "Factuur {invoice_number} ' + "x" * (10 << 20) + '"'), encoding="utf-8")
    size = (folder / "incasso.toml").stat().st_size
    assert size > 10 << 20
    assert stopped(limited(folder, "collect", "debiteuren.xlsx", "facturen.xlsx", "-o", "out")) == (
        f"incasso: Refused to read incasso.toml: it is {size:,} bytes, more than the 1,048,576 "
        "bytes a settings file may have")
    assert not (folder / "out").exists()


def test_every_settings_text_has_a_limit(folder):
    text = (folder / "incasso.toml").read_text(encoding="utf-8")
    (folder / "incasso.toml").write_text(
        text.replace('remittance = "Factuur {invoice_number} {description}"',
                     'remittance = "{invoice_number} ' + "x" * 990 + '"')
        .replace('journal_code = "MEM"', 'journal_code = "' + "M" * 5000 + '"'), encoding="utf-8")
    result = run("collect", "deb.csv", "inv.csv", "-o", "out")
    assert result.exit_code == 3
    x60, m60 = "{invoice_number} " + "x" * 40, "M" * 57
    assert (f"incasso.toml:::collection.remittance  settings-text-too-long  '{x60}...'  Text is "
            "1,007 characters long; a setting holds at most 1,000\n") in result.stderr
    assert (f"incasso.toml:::journal.journal_code  settings-text-too-long  '{m60}...'  Text is "
            "5,000 characters long; a setting holds at most 1,000\n") in result.stderr
    assert not (folder / "out").exists()


# --- item 12: devices and FIFOs --------------------------------------------------------------

def unblock_after(fifo: Path, seconds: float = 30) -> threading.Thread:
    """From `seconds` on, open and close `fifo` for writing whenever a reader waits on it,
    so a reader stuck on it reads an empty file and goes on (and its test fails on the
    output) rather than hanging the test run."""
    def write_end() -> None:
        deadline = time.monotonic() + seconds
        while not done.is_set():
            time.sleep(0.1)
            if time.monotonic() > deadline:
                try:
                    os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
                except OSError:
                    pass  # no reader waiting: nothing hangs now
    done = threading.Event()
    thread = threading.Thread(target=write_end, daemon=True)
    thread.done = done
    thread.start()
    return thread


@pytest.fixture
def fifo(folder):
    """fifo(name) -> a named pipe in the folder, watched so that no test hangs on it."""
    watchers = []

    def make(name: str) -> Path:
        path = folder / name
        if path.exists():
            path.unlink()
        os.mkfifo(path)
        watchers.append(unblock_after(path))
        return path
    yield make
    for watcher in watchers:
        watcher.done.set()


FIFO = "it is a named pipe (FIFO), not a regular file"


def test_help_and_version_do_not_wait_for_a_fifo_incasso_toml(folder, fifo):
    fifo("incasso.toml")
    for args in (["--help"], ["--version"], ["collect", "--help"]):
        result = limited(folder, *args, timeout=120)  # a hang fails with TimeoutExpired
        assert result.returncode == 0, result.stderr
    assert stopped(limited(folder, "status", timeout=120)).endswith(f"incasso.toml: {FIFO}")


@pytest.mark.parametrize("args", [["status"], ["check", "deb.csv", "inv.csv"],
                                  ["collect", "deb.csv", "inv.csv", "-o", "out"],
                                  ["debtors", "update", "deb.csv", "upd.csv", "-o", "new.csv"]])
def test_a_fifo_incasso_toml_is_refused_by_every_command(folder, fifo, args):
    fifo("incasso.toml")
    line = refused(*args)  # the name as found: relative, or in the working folder
    assert line in (f"incasso: Cannot read incasso.toml: {FIFO}",
                    f"incasso: Cannot read {folder / 'incasso.toml'}: {FIFO}")


@pytest.mark.parametrize(("name", "args"), [
    ("deb.csv", ["check", "deb.csv", "inv.csv"]),
    ("deb.xlsx", ["collect", "deb.xlsx", "inv.csv", "-o", "out"]),
    ("upd.csv", ["debtors", "update", "deb.csv", "upd.csv", "-o", "new.csv"]),
    ("bank.xml", ["clear", "bank.xml", "-o", "out"]),
    ("bank/camt.xml", ["clear", "bank", "-o", "out"]),
    ("history.csv", ["ledger", "import", "history.csv"]),
    ("other.toml", ["status", "--config", "other.toml"]),
])
def test_a_fifo_is_refused_before_it_is_opened(folder, fifo, name, args):
    (folder / "bank").mkdir()
    fifo(name)
    assert refused(*args) == f"incasso: Cannot read {name}: {FIFO}"
    assert not (folder / "out").exists() and not (folder / "new.csv").exists()


def test_config_dev_zero_is_refused_not_read(folder):
    # It used to be read whole before anything else: a MemoryError traceback.
    for args in (["status", "--config", "/dev/zero"], ["check", "deb.csv", "inv.csv", "--config", "/dev/zero"]):
        assert stopped(limited(folder, *args, timeout=120)) == (
            "incasso: Cannot read /dev/zero: it is a device, not a regular file")
    assert limited(folder, "status", "--config", "/dev/zero", "--help", timeout=120).returncode == 0


def test_a_device_as_a_sheet_is_refused(folder):
    assert refused("check", "/dev/zero", "inv.csv") == (
        "incasso: Cannot read /dev/zero: it is a device, not a regular file")
    assert refused("--lang", "nl", "check", "deb.csv", "/dev/null") == (
        "incasso: Kan /dev/null niet lezen: het is een apparaatbestand, geen gewoon bestand")


def test_a_folder_as_a_sheet_is_named_as_such(folder):
    (folder / "deb").mkdir()
    assert refused("check", "deb", "inv.csv") == (
        "incasso: Cannot read deb: it is a folder, not a regular file")


def test_a_settings_file_beyond_a_settings_file_size_is_refused(folder):
    with (folder / "incasso.toml").open("a", encoding="utf-8") as fh:
        fh.write(("# " + "x" * 98 + "\n") * 11_000)
    size = (folder / "incasso.toml").stat().st_size
    assert refused("status") == (
        f"incasso: Refused to read incasso.toml: it is {size:,} bytes, more than the 1,048,576 "
        "bytes a settings file may have")


# --- item 13: small things -------------------------------------------------------------------

@pytest.mark.parametrize("value", ["soon", "2026-13-01", "27-11-2026", "2026-11-27T10:00:00+01:00", " "])
def test_a_bad_incasso_now_is_one_sentence(folder, value):
    assert refused("check", "deb.csv", "inv.csv", env={"INCASSO_NOW": value}) == (
        f"incasso: INCASSO_NOW is not a date or a date and time: {value!r}; use the form "
        "2026-11-27 or 2026-11-27T10:00:00 (local time, without a time zone), or unset it")


def test_a_date_alone_in_incasso_now_is_its_midnight(folder):
    assert run("check", "deb.csv", "inv.csv", env={"INCASSO_NOW": "2026-11-27"}).exit_code == 0


def test_a_cr_only_csv_is_read_row_by_row(folder):
    # Excel's "CSV (Macintosh)": lines end in CR alone. It read as a header without rows.
    (folder / "deb.csv").write_bytes((DEBTORS + "10002;Pietersen;NL91ABNA0417164301;ja;MDT-2;01-03-2024\n")
                                     .replace("\n", "\r").encode())
    (folder / "inv.csv").write_bytes(INVOICES.replace("\n", "\r").encode())
    result = run("check", "deb.csv", "inv.csv", "--format", "json")
    assert result.exit_code == 1
    assert [(i["row"], i["column"], i["code"]) for i in json.loads(result.stdout)] == [
        (3, "IBAN", "iban-invalid")]
    result = run("collect", "deb.csv", "inv.csv", "-o", "out", "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert b"<EndToEndId>2026-001</EndToEndId>" in next((folder / "out").glob("*.xml")).read_bytes()


def test_a_cr_only_csv_keeps_its_line_ends_when_updated(folder):
    (folder / "deb.csv").write_bytes(DEBTORS.replace("\n", "\r").encode())
    assert run("debtors", "update", "deb.csv", "upd.csv", "-o", "new.csv").exit_code == 0
    assert (folder / "new.csv").read_bytes() == DEBTORS.replace("\n", "\r").replace(
        "Jansen", "Jansen-de Vries").encode()


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16"])
def test_utf16_with_or_without_a_bom_is_named(folder, encoding):
    (folder / "deb.csv").write_bytes(DEBTORS.encode(encoding))
    assert refused("check", "deb.csv", "inv.csv") == (
        "incasso: Cannot read deb.csv: it is UTF-16 text (Excel's 'Unicode Text'); save it from "
        "Excel as 'CSV UTF-8'")


def test_nul_bytes_in_utf8_text_are_not_taken_for_utf16(folder):
    (folder / "deb.csv").write_bytes(DEBTORS.replace("Jansen", "Jan\0sen").encode())
    assert run("check", "deb.csv", "inv.csv").exit_code in (0, 1)


RLO = "\u202e"


def test_a_right_to_left_override_is_shown_escaped_never_raw(folder):
    (folder / "deb.csv").write_text(DEBTORS.replace("NL91ABNA0417164300", f"NL91ABNA{RLO}0417164300")
                                    .replace("Jansen", f"Jan{RLO}sen\u2028"), encoding="utf-8")
    text = run("check", "deb.csv", "inv.csv")
    assert ("deb.csv:deb:2:IBAN  iban-invalid  'NL91ABNA\\u202e0417164300'  IBAN is not valid: "
            "Invalid characters in IBAN NL91ABNA\\u202e0417164300\n") in text.stdout
    as_json = run("check", "deb.csv", "inv.csv", "--format", "json").stdout
    assert "NL91ABNA\\u202e0417164300" in as_json
    assert {i["value"] for i in json.loads(as_json)} >= {f"NL91ABNA{RLO}0417164300"}  # same value back
    update = run("debtors", "update", "deb.csv", "deb.csv", "-o", "new.csv", "--dry-run")
    missing = run("check", f"deb{RLO}.csv", "inv.csv")
    for output in (text.stdout, as_json, update.output, missing.stderr):
        assert RLO not in output and "\u2028" not in output
    assert missing.stderr == "incasso: File not found: deb\\u202e.csv\n"


def test_an_update_shows_the_override_escaped(folder):
    (folder / "upd.csv").write_text(f"Debiteurnummer;Naam\n10001;Jan{RLO}sen\n", encoding="utf-8")
    result = run("debtors", "update", "deb.csv", "upd.csv", "-o", "new.csv", "--dry-run")
    assert "10001  Naam  'Jansen' -> 'Jan\\u202esen'" in result.stdout
    assert RLO not in result.output
