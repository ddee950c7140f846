"""Blank input files for a new user: the debtors and invoices workbooks and incasso.toml.

The workbooks carry the Dutch header of every column (the first alias in `columns`), a
bold frozen header row, column widths, dropdowns for coded columns and the number format
each column needs, so that Excel keeps IBANs and invoice numbers as text and shows dates
as dd-mm-yyyy. The settings file is a commented copy of `settings_template.toml`.

Files are written through the output plan (`write_files`: temporary files in the folder,
openpyxl's scratch files beside them, put in place together) and deterministically: fixed
document dates and fixed zip entry times, so the same version of the program writes the
same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.core.settings import FILENAME as SETTINGS_FILENAME
from incasso_sheets.formats import workbook as _scratch  # noqa: F401  (puts openpyxl's scratch files beside the output)
from incasso_sheets.runtime import output_plan
from incasso_sheets.sheets.columns import DEBTOR_COLUMNS, INVOICE_COLUMNS, Column
from incasso_sheets.text import messages

DEBTORS_FILENAME = "debiteuren.xlsx"
INVOICES_FILENAME = "facturen.xlsx"
SETTINGS_TEMPLATE = "settings_template.toml"
FIXED_TIME = dt.datetime(2026, 1, 1)
LAST_ROW = 10000  # validations and formats reach this far; enough for any club or shop

DATE_FORMAT = "dd-mm-yyyy"
AMOUNT_FORMAT = "#,##0.00"
TEXT_FORMAT = "@"

# Per canonical column: the number format new cells get (Excel applies a column's style
# to what is typed in it; '@' stops Excel from turning an IBAN or '0012' into a number).
NUMBER_FORMATS = {
    "debtor_id": TEXT_FORMAT,
    "iban": TEXT_FORMAT,
    "mandate_id": TEXT_FORMAT,
    "invoice_number": TEXT_FORMAT,
    "mandate_date": DATE_FORMAT,
    "mandate_end_date": DATE_FORMAT,
    "last_collection_date": DATE_FORMAT,
    "invoice_date": DATE_FORMAT,
    "due_date": DATE_FORMAT,
    "amount": AMOUNT_FORMAT,
}

# Dropdowns: the values the checks accept, in the words most users write.
CHOICES = {
    "direct_debit": ("ja", "nee"),
    "scheme": ("CORE", "B2B"),
    "sequence": ("FRST", "RCUR", "OOFF", "FNAL"),
    "currency": ("EUR",),
}

WIDTHS = {
    "name": 32, "iban": 24, "mandate_id": 20, "street": 28, "city": 20, "email": 30,
    "description": 36,
}


@dataclass(frozen=True)
class SheetLayout:
    title: str
    columns: tuple[Column, ...]


DEBTORS = SheetLayout("Debiteuren", DEBTOR_COLUMNS)
INVOICES = SheetLayout("Facturen", INVOICE_COLUMNS)


def build_workbook(layout: SheetLayout) -> Workbook:
    """A blank workbook with one sheet laid out for `layout`'s columns."""
    wb = Workbook()
    ws = wb.active
    ws.title = layout.title
    bold = Font(bold=True)
    for index, column in enumerate(layout.columns, start=1):
        header = column.aliases[0]
        letter = get_column_letter(index)
        cell = ws.cell(row=1, column=index, value=header)
        cell.font = bold
        dimension = ws.column_dimensions[letter]
        dimension.width = WIDTHS.get(column.name, max(len(header) + 4, 12))
        if column.name in NUMBER_FORMATS:
            dimension.number_format = NUMBER_FORMATS[column.name]
        if column.name in CHOICES:
            validation = DataValidation(
                type="list", formula1='"' + ",".join(CHOICES[column.name]) + '"',
                allow_blank=True, showErrorMessage=True, errorTitle=header,
                # The blank workbooks are Dutch in every language, like their headers.
                error=messages.text("template-choose", "nl", choices=", ".join(CHOICES[column.name])),
            )
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
            ws.add_data_validation(validation)
    ws.freeze_panes = "A2"
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """The .xlsx bytes of `wb`, the same for the same content: fixed document dates and
    zip entry times (openpyxl's own save stamps both with the clock)."""
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()


def write_files(outputs: dict[Path, Callable[[], bytes]], force: bool = False) -> None:
    """Write each output's content (made inside the plan, so that openpyxl's scratch files
    go beside it, not to the system's temporary folder) through the output plan, then put
    them all in place; an existing file is replaced only with `force`, keeping its mode.
    New files follow the umask: blank sheets and settings hold no personal data yet."""
    folder = next(iter(outputs)).parent
    owner = output_plan.ledger_identity(folder / "incasso.db")
    with output_plan.OutputPlan(owner, output_plan.TEMPLATE) as plan:
        for path, content in outputs.items():
            plan.write(path, lambda out, content=content: out.write(content()), replace=force,
                       mode=0o666 & ~_umask())
        plan.commit()


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path`, replacing it, through the output plan (samples/make_samples.py)."""
    write_files({path: lambda: data}, force=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def settings_template() -> bytes:
    """The commented incasso.toml shipped with the package."""
    return resources.files("incasso_sheets").joinpath(SETTINGS_TEMPLATE).read_bytes()


def filled_settings(language: str = "", **sections: dict[str, str | None]) -> bytes:
    """The commented incasso.toml with values filled in: `language`, and per section a dict
    of key -> value (None leaves the template's line, commented out or not, as it is).
    A commented-out key (`# bic = ...`) that gets a value is switched on."""
    lines = settings_template().decode("utf-8").splitlines(keepends=True)
    section = ""
    out = []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1]
        key = _KEY_LINE.match(stripped)
        if key:
            wanted = {"language": language or None} if section == "" else sections.get(section, {})
            value = wanted.get(key.group(1))
            if value is not None:
                line = f"{key.group(1)} = {_toml_string(value)}\n"
        out.append(line)
    return "".join(out).encode("utf-8")


_KEY_LINE = re.compile(r"^#? ?([a-z_]+) = ")


def _toml_string(value: str) -> str:
    # A JSON string is a valid TOML basic string (the same escapes, \uXXXX included).
    return json.dumps(value, ensure_ascii=False)


def write_templates(folder: Path, force: bool = False) -> list[Path]:
    """Write debiteuren.xlsx, facturen.xlsx and incasso.toml into `folder`.

    Refuses (CannotContinue 'file-exists') when any of them exists, unless `force`;
    then nothing is written.
    """
    outputs = {
        folder / DEBTORS_FILENAME: lambda: workbook_bytes(build_workbook(DEBTORS)),
        folder / INVOICES_FILENAME: lambda: workbook_bytes(build_workbook(INVOICES)),
        folder / SETTINGS_FILENAME: settings_template,
    }
    if not force:
        existing = [path for path in outputs if path.exists()]
        if existing:
            raise CannotContinue("file-exists", path=", ".join(str(p) for p in existing))
    folder.mkdir(parents=True, exist_ok=True)
    write_files(outputs, force)
    return list(outputs)
