"""Small .xlsx tables written with openpyxl: safe text, exact amounts, fixed properties.

Shared by the generated workbooks (collection summary, returns report, change log).
Strings are stored as text cells even when they look like formulas; amounts (integer
cents) become exact Decimals with two decimals; dates real dates; the workbook's
created/modified stamps are fixed so the same input gives the same content.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FIXED_STAMP = dt.datetime(2026, 1, 1)


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
    for row in rows:
        ws.append([None] * len(headers))
        r = ws.max_row
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
        cell.value = value
        cell.data_type = TYPE_STRING  # never a formula, whatever the text starts with
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        cell.value = value
        cell.number_format = "DD-MM-YYYY"
    else:
        cell.value = value


def save(wb: openpyxl.Workbook, path: Path) -> None:
    wb.save(path)
