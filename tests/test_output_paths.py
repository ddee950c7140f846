"""Output paths never overwrite what a run reads or keeps (issue 19, `make fuzz`).

Hypothesis picks `-o`, `--report`, `--log` and `ledger export DIR` among the inputs, the
ledger (with its lock, and as a hard link), the settings (also through a symbolic link),
each in several spellings, and new names; the command either refuses (exit 3, one
sentence) or leaves every input, the ledger and the settings byte-identical. The one
file a run may change is the debtors sheet named as its own `-o`: the documented update
in place.

Examples per property: INCASSO_FUZZ_EXAMPLES (`make fuzz`), else a few.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from pathlib import Path
from textwrap import dedent

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from shared import ENV, SETTINGS
from test_broken_sheets import examples
from test_crash import DEBTORS, INVOICES

from incasso_sheets.cli import main

UPDATES = """
    Debiteurnummer;IBAN;Machtigingskenmerk
    10001;DE89370400440532013000;MDT-10001-B
"""
ADMINISTRATION = ["incasso.toml", "incasso.db", "incasso.db.lock"]
INPUTS = {"check": ["deb.csv", "inv.csv"], "collect": ["deb.csv", "inv.csv"], "export": [],
          "update": ["deb.csv", "upd.csv"], "update-log": ["deb.csv", "upd.csv"]}
# every spelling of a kept file, and names that are free
SPELLINGS = {
    "deb.csv": ["deb.csv", "./deb.csv", "sub/../deb.csv", "{abs}/deb.csv"],
    "inv.csv": ["inv.csv", "sub/../inv.csv"],
    "upd.csv": ["upd.csv", "{abs}/upd.csv"],
    "incasso.toml": ["incasso.toml", "./incasso.toml", "link.toml", "{abs}/incasso.toml"],
    "incasso.db": ["incasso.db", "hardlink.db", "sub/../incasso.db", "incasso.db-wal", "incasso.db-shm"],
    "incasso.db.lock": ["incasso.db.lock"],
    "new": ["new.csv", "new.xlsx", "sub/new.csv", "report.xlsx", "out", "sub/out"],
}
PATHS = st.sampled_from([p for spellings in SPELLINGS.values() for p in spellings])


@functools.cache
def template() -> Path:
    """An administration with a ledger (one collect run), made once per session."""
    folder = Path(tempfile.mkdtemp(prefix="incasso-output-paths-"))
    for name, text in (("incasso.toml", SETTINGS), ("deb.csv", DEBTORS), ("inv.csv", INVOICES),
                       ("upd.csv", UPDATES)):
        (folder / name).write_text(dedent(text).lstrip(), encoding="utf-8")
    (folder / "sub").mkdir()
    assert invoke(folder, "collect", "deb.csv", "inv.csv", "-o", "books").exit_code == 0
    return folder


def invoke(folder: Path, *args: str):
    before = Path.cwd()
    os.chdir(folder)
    try:
        return CliRunner(env=ENV).invoke(main, ["--lang", "en", *args])
    finally:
        os.chdir(before)


def kept(folder: Path, command: str) -> dict[str, bytes]:
    """The bytes of the command's inputs, the ledger, its lock and the settings."""
    return {name: (folder / name).read_bytes() for name in [*INPUTS[command], *ADMINISTRATION]
            if (folder / name).exists()}


@given(command=st.sampled_from(["check", "update", "update-log", "export", "collect"]),
       first=PATHS, second=PATHS)
@examples(default=12)
def test_an_output_path_refuses_or_leaves_every_kept_file_as_it_was(command, first, second):
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name) / "club"
        shutil.copytree(template(), folder)
        os.link(folder / "incasso.db", folder / "hardlink.db")
        os.symlink(folder / "incasso.toml", folder / "link.toml")
        first, second = (p.format(abs=folder) for p in (first, second))
        before = kept(folder, command)
        args = {
            "check": ["check", "deb.csv", "inv.csv", "--report", first],
            "update": ["debtors", "update", "deb.csv", "upd.csv", "-o", first],
            "update-log": ["debtors", "update", "deb.csv", "upd.csv", "-o", first, "--log", second],
            "export": ["ledger", "export", first],
            "collect": ["collect", "deb.csv", "inv.csv", "-o", first],
        }[command]
        result = invoke(folder, *args)
        assert result.exit_code in (0, 1, 2, 3), result.output
        assert "Traceback" not in result.output
        if result.exit_code == 3:
            assert len(result.stderr.splitlines()) == 1, result.stderr
        after = kept(folder, command)
        in_place = command.startswith("update") and (folder / first).resolve() == folder / "deb.csv"
        if in_place and result.exit_code == 0:
            after.pop("deb.csv"), before.pop("deb.csv")
        assert after == before, (args, result.output)
