"""`incasso ledger export DIR`: every table of the ledger as a CSV file, for an auditor.

One file per table, `<table>.csv`, in the `iso` dialect of formats.csvfile (`,`, UTF-8,
LF, ISO dates as stored), the column names as headers, rows in the order they were
written. Amounts stay integer cents under their own names (`amount_cents`), so the files
add up to the ledger exactly; text passes through the formula-safe rule like every CSV
incasso-sheets writes. All tables are read in one read transaction (one consistent
state, even while a run commits), written into a temporary folder beside DIR (output_plan's
name, mode 0700) and then renamed to DIR in one step: DIR holds the whole export or does
not exist. A DIR that is a link to an empty folder gets the export in that folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import polars as pl

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.formats.csvfile import write_csv
from incasso_sheets.ledger.store import Ledger
from incasso_sheets.runtime import faults, output_plan
from incasso_sheets.runtime.durable import fsync_dirs


def read_tables(led: Ledger) -> dict[str, pl.DataFrame]:
    """Every table of the ledger, by name, read in one transaction."""
    conn = led.conn
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]
        tables = {}
        for name in names:
            columns = conn.execute(f'PRAGMA table_info("{name}")').fetchall()
            schema = {c[1]: pl.Int64 if c[2].upper().startswith("INT") else pl.Utf8 for c in columns}
            select = ", ".join(f'"{c}"' if t == pl.Int64 else f'CAST("{c}" AS TEXT)'
                               for c, t in schema.items())
            tables[name] = led.frame(f'SELECT {select} FROM "{name}" ORDER BY rowid', schema=schema)
        return tables
    finally:
        if began:
            conn.execute("ROLLBACK")


def export_tables(tables: dict[str, pl.DataFrame], folder: Path, identity: str) -> list[Path]:
    """Write `tables` to FOLDER/<table>.csv, all at once; FOLDER must be new or empty. A
    FOLDER that is a link to a folder is followed: the export goes where it points.
    `identity` is the administration's (output_plan.ledger_identity)."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise CannotContinue("export-folder-not-empty", path=folder)
    target = folder.resolve() if folder.is_symlink() else folder.absolute()
    with output_plan.OutputPlan(identity, output_plan.EXPORT) as plan:
        parent = plan.claim(target.parent)
        temp = Path(tempfile.mkdtemp(prefix=plan.prefix, suffix="-" + target.name[-output_plan.NAME_KEPT:],
                                     dir=parent))
        try:
            for name, frame in tables.items():
                # write_csv shows Int64 `_cents` columns as amounts (12.50); an export keeps
                # the stored integers, so those columns go in under a name without that suffix.
                renamed = frame.rename({c: f"{c}#" for c in frame.columns if c.endswith("_cents")})
                with open(temp / f"{name}.csv", "xb") as out:
                    write_csv(out, renamed, list(frame.columns), "iso")
                    out.flush()
                    os.fsync(out.fileno())
                faults.point("after-first-table")
            fsync_dirs([temp])
            # A rename onto a folder that is not empty fails: an export never replaces one
            # (an empty FOLDER is replaced).
            os.replace(temp, target)
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
        fsync_dirs([parent])
    return [folder / f"{name}.csv" for name in tables]
