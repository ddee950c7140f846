"""Small .xlsx tables written with openpyxl: safe text, exact amounts, fixed properties.

Shared by the generated workbooks (collection summary, returns report, change log).
Strings are stored as text cells even when they look like formulas, made to fit a cell
(`safe_text.worksheet_text`: control characters shown as U+FFFD, at most 32,767
characters); amounts (integer
cents) become exact Decimals with two decimals; dates real dates; the workbook's
created/modified stamps and the zip entries' times are fixed, so the same input gives
byte-identical files.

openpyxl writes every worksheet to a scratch file before it goes into the zip, by
default in the system's temporary folder, where a killed run would leave it with the
sheet's personal data. While an output plan fills a file, the scratch goes beside that
file under the plan's temporary name (output_plan.scratch_target), so it is removed
afterwards or swept by the next run.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

import openpyxl
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet import _writer as worksheet_writer
from openpyxl.writer.excel import ExcelWriter

from incasso_sheets.formats.safe_text import worksheet_text
from incasso_sheets.runtime.output_plan import scratch_target

FIXED_STAMP = dt.datetime(2026, 1, 1)
_system_scratch = worksheet_writer.create_temporary_file


def _scratch_file(suffix: str = "") -> str:
    """openpyxl's create_temporary_file, made in the output's folder while a plan fills one."""
    target = scratch_target()
    if target is None:
        return _system_scratch(suffix)
    folder, prefix, made = target
    fd, name = tempfile.mkstemp(suffix="-openpyxl" + suffix, prefix=prefix, dir=folder)
    os.close(fd)
    made.append(name)
    worksheet_writer.ALL_TEMP_FILES.append(name)  # openpyxl's cleanup() removes it from there
    return name


worksheet_writer.create_temporary_file = _scratch_file


def new_workbook() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.properties.created = FIXED_STAMP
    wb.properties.modified = FIXED_STAMP
    wb.properties.creator = "incasso-sheets"
    return wb


def add_table(wb: openpyxl.Workbook, title: str, headers: list[str], rows, cents_columns=(),
              widths: dict[int, int] | None = None):
    """A sheet with a bold header row and `rows` (iterables of values)."""
    ws = wb.create_sheet(title)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    cents = set(cents_columns)
    # The row number is counted, not asked: ws.max_row scans every cell, which made a
    # table of n rows cost n^2 (10,000 returns: 40 s).
    for r, row in enumerate(rows, start=2):
        ws.append([None] * len(headers))
        for i, value in enumerate(row, start=1):
            set_cell(ws.cell(r, i), value, is_cents=(i - 1) in cents)
    ws.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = (widths or {}).get(i, max(12, len(header) + 2))
    return ws


def set_cell(cell, value, is_cents: bool = False) -> None:
    if value is None:
        return
    if is_cents:
        cell.value = Decimal(int(value)) / 100
        cell.number_format = "#,##0.00"
    elif isinstance(value, str):
        cell.value = worksheet_text(value)
        cell.data_type = TYPE_STRING  # never a formula, whatever the text starts with
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        cell.value = value
        cell.number_format = "DD-MM-YYYY"
    else:
        cell.value = value


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all carry FIXED_STAMP instead of the time of writing."""

    def writestr(self, zinfo_or_arcname, data, *args, **kwargs):
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, FIXED_STAMP.timetuple()[:6])
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename, arcname=None, *args, **kwargs):
        # openpyxl writes each worksheet from a temporary file: keep its bytes, not its mtime
        self.writestr(arcname or Path(filename).name, Path(filename).read_bytes())


def save(wb: openpyxl.Workbook, path: Path | BinaryIO) -> None:
    """Write `wb` to `path`, a file name or a file opened for writing (output_plan.fill)."""
    # Not wb.save(): openpyxl stamps `modified` with the clock and the zip entries with the
    # time of writing, so two runs would differ (outputs must be byte-identical).
    with _FixedTimeZip(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()
