"""The marked copy that `incasso check --report` writes: the checked sheets with every issue
on its cell, then an `Issues` sheet.

One worksheet per input sheet, in the order debtors, invoices: for an .xlsx the values,
number formats, column widths, frozen panes and header font of the original; for a .csv
the text as read. A cell with an error is filled red, a cell with only warnings orange, and
its comment holds the messages. The `Issues` sheet (`Meldingen` in Dutch; headers and
words in the user's language, codes as they are) lists every issue with a link to its
cell; an issue whose column is not in the sheet (a missing column) is listed and linked to
its row, and one without a row (a setting) is listed only.

Text is always stored as text, never as a formula (a value `=HYPERLINK(...)` in the input
must not run in the copy). The workbook is streamed (openpyxl write-only), written to a
temporary file in the target folder (output_plan, also openpyxl's scratch) and renamed; it is saved by `formats.workbook.save`
(fixed document and zip dates), so equal input gives equal bytes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.core.issues import Issue
from incasso_sheets.formats.safe_text import FORMULA_STARTS, fits_worksheet, worksheet_text
from incasso_sheets.formats.workbook import FIXED_STAMP
from incasso_sheets.formats.workbook import save as save_workbook
from incasso_sheets.runtime import output_plan
from incasso_sheets.sheets.read import ROW, RawSheet
from incasso_sheets.text import messages

if TYPE_CHECKING:
    from incasso_sheets import api

ISSUES_SHEET = "Issues"  # in English; messages "issues-sheet" has both
ISSUE_COLUMNS = ("severity", "code", "file", "sheet", "row", "column", "value", "message")
ISSUE_WIDTHS = (9, 28, 22, 16, 7, 22, 30, 90)
LINK_COLUMN = ISSUE_COLUMNS.index("column") + 1  # the Issues cell that links to the issue's cell

ERROR_COLOR = "FFFF8080"    # light red
WARNING_COLOR = "FFFFC000"  # orange
ERROR_FILL = PatternFill(fill_type="solid", start_color=ERROR_COLOR, end_color=ERROR_COLOR)
WARNING_FILL = PatternFill(fill_type="solid", start_color=WARNING_COLOR, end_color=WARNING_COLOR)
LINK_FONT = Font(color="FF0563C1", underline="single")
COMMENT_AUTHOR = "incasso"

# Excel: a sheet name has 1 to 31 characters, none of []:*?/\, does not start or end with
# an apostrophe, and is unique ignoring case; "History" is reserved.
TITLE_MAX = 31
_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_RESERVED_TITLES = (ISSUES_SHEET, "History")
# Text a spreadsheet could take for a formula (OWASP "CSV injection"); stored explicitly as text.



@dataclass(frozen=True)
class Target:
    """Where an issue lands in the report: sheet index, Excel row, column (None: not in the sheet)."""
    sheet: int
    row: int
    column: int | None


def write_report(path: Path, result: api.CheckResult, lang: str = "en") -> None:
    """Write the marked copy of the checked sheets, and the Issues sheet, to `path` (.xlsx).

    `path` may be a report of before (replaced as a whole, keeping its mode), never an input,
    the settings or the ledger (output_plan.refuse_overwrites)."""
    path = Path(path)
    sheets = [result.debtors.raw, result.invoices.raw]
    settings = result.settings.path if result.settings is not None else None
    refuse_report_path(path, [sheet.path for sheet in sheets], settings)
    # Whose files: the ledger beside the real settings file (links resolved, as ledger.path_for)
    ledger_path = settings.resolve().with_name("incasso.db") if settings is not None else Path.cwd() / "incasso.db"
    with output_plan.OutputPlan(output_plan.ledger_identity(ledger_path), output_plan.REPORT) as plan:
        plan.fill(plan.plan(path, replace=True), lambda out: _write_workbook(out, sheets, result, lang))
        plan.commit()


def refuse_report_path(path: Path, sheets: list[Path], settings: Path | None) -> None:
    """Stop (exit 3) when the report would overwrite what it may not: the sheets (debtors,
    invoices), the settings, the ledger (beside the settings, or in the working folder when
    there are none) and the ledger's companions. `check` asks before it reads anything, so
    a slip such as `--report incasso.db` costs nothing."""
    protected = [("word-file-debtors", Path(sheets[0])), ("word-file-invoices", Path(sheets[1]))]
    protected += output_plan.administration_files(settings or Path.cwd() / "incasso.toml")
    output_plan.refuse_overwrites([("word-file-report", Path(path))], protected)


def _write_workbook(out, sheets: list[RawSheet], result: api.CheckResult, lang: str) -> None:
    issues_title = messages.text("issues-sheet", lang)
    titles = sheet_titles((raw.sheet for raw in sheets), (issues_title, "History"))
    issues = result.report.sorted()
    marks: list[dict[int, dict[int, list[Issue]]]] = [{} for _ in sheets]
    for i in issues:
        target = locate(i, sheets)
        if target is not None and target.column is not None:
            marks[target.sheet].setdefault(target.row, {}).setdefault(target.column, []).append(i)

    wb = openpyxl.Workbook(write_only=True)
    wb.properties.created = wb.properties.modified = FIXED_STAMP  # no clock in the output
    wb.properties.creator = "incasso-sheets"
    sources: dict[Path, openpyxl.Workbook] = {}
    for raw, title, sheet_marks in zip(sheets, titles, marks, strict=True):
        ws = wb.create_sheet(title)
        if raw.dialect is None:
            rows = _copy_xlsx_sheet(ws, _load(raw.path, sources)[raw.sheet], raw.header_row)
        else:
            rows = _csv_rows(ws, raw)
        _write_marked(ws, rows, sheet_marks, lang)
    sources.clear()
    _write_issues(wb.create_sheet(issues_title), issues, sheets, titles, lang)
    save_workbook(wb, out)


def locate(i: Issue, sheets: list[RawSheet]) -> Target | None:
    """The report cell of an issue: by (file, sheet), its row, and the position of its
    column header in the sheet's headers. None for issues outside the sheets (settings)."""
    if i.row is None:
        return None
    for n, raw in enumerate(sheets):
        if (i.file, i.sheet) == (raw.file, raw.sheet):
            return Target(n, i.row, raw.column_number(i.column))
    return None


def sheet_titles(names: Iterable[str], reserved: tuple[str, ...] = _RESERVED_TITLES) -> list[str]:
    """Valid, distinct worksheet names for `names`, in order; a repeat gets ' (2)', ' (3)'."""
    taken = {r.casefold() for r in reserved}
    titles: list[str] = []
    for name in names:
        base = _TITLE_FORBIDDEN.sub("_", name).strip("'")[:TITLE_MAX].strip("'") or "Sheet"
        title, n = base, 1
        while title.casefold() in taken:
            n += 1
            suffix = f" ({n})"
            title = base[: TITLE_MAX - len(suffix)] + suffix
        taken.add(title.casefold())
        titles.append(title)
    return titles


def safe_text_cell(ws, text: str) -> Cell:
    """A cell that holds `text` as text, even when it looks like a formula ('=...') or an
    error ('#N/A'): openpyxl would otherwise store '=...' as a formula that Excel runs.
    Characters that cannot be stored in a worksheet (control characters) show as U+FFFD,
    and a text over Excel's 32,767 characters is cut (`safe_text.worksheet_text`)."""
    cell = WriteOnlyCell(ws, worksheet_text(text))
    cell.data_type = "s"
    return cell


def _text(ws, text: str) -> Cell | str:
    """`text` for a row to append: the plain string where openpyxl stores it as text anyway
    (most values, and much faster), else a `safe_text_cell`."""
    if text.startswith(FORMULA_STARTS) or text in ERROR_CODES or not fits_worksheet(text):
        return safe_text_cell(ws, text)
    return text


def link_location(title: str, row: int, column: int | None) -> str:
    """An in-workbook hyperlink location, e.g. 'Debiteuren'!C5; column A when not given."""
    quoted = "'" + title.replace("'", "''") + "'"
    return f"{quoted}!{get_column_letter(column or 1)}{row}"


# --- the copied sheets --------------------------------------------------------------------

def _load(path: Path, cache: dict[Path, Any]):
    if path not in cache:
        try:
            cache[path] = openpyxl.load_workbook(path, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for workbooks it cannot read
            reason = (str(exc).splitlines() or [type(exc).__name__])[0]
            raise CannotContinue("file-unreadable", path=path, reason=reason) from exc
    return cache[path]


def _copy_xlsx_sheet(ws, source, header_row: int = 1) -> Iterator[list]:
    """Set the sheet-wide look of `source` on `ws` and return its rows as cells to append,
    from row 1 and column A, so that every cell keeps its place (empty rows or columns
    before the table included). Cached values, not formulas: the checks read what Excel
    shows, and so does the copy."""
    for key, dim in source.column_dimensions.items():
        if dim.customWidth:
            ws.column_dimensions[key].width = dim.width
            ws.column_dimensions[key].min, ws.column_dimensions[key].max = dim.min, dim.max
    ws.freeze_panes = source.freeze_panes
    return (
        [_copy_cell(ws, c, header=row_number == header_row) for c in row]
        for row_number, row in enumerate(source.iter_rows(min_row=1, min_col=1), 1)
    )


def _copy_cell(ws, source, header: bool):
    value = source.value
    is_text = isinstance(value, str) and source.data_type != "e"
    styled = header and source.has_style
    if not styled:
        if is_text:
            return _text(ws, value)
        if value is None or source.number_format == "General":
            return value
    cell = safe_text_cell(ws, value) if is_text else WriteOnlyCell(ws, value)
    if not is_text and source.number_format != "General":
        cell.number_format = source.number_format
    if styled:
        cell.font = copy(source.font)
    return cell


def _csv_rows(ws, raw: RawSheet) -> Iterator[list]:
    bold = Font(bold=True)
    header = []
    for h in raw.headers:
        cell = safe_text_cell(ws, h)
        cell.font = bold
        header.append(cell)
    yield header
    row_number = 1
    for row in raw.frame.select(ROW, *raw.headers).iter_rows():
        for _ in range(row_number + 1, row[0]):  # blank lines the reader dropped
            yield []
        row_number = row[0]
        yield [None if v is None else _text(ws, v) for v in row[1:]]


def _write_marked(ws, rows: Iterator[list], marks: dict[int, dict[int, list[Issue]]],
                  lang: str) -> None:
    row_number = 0
    for row_number, cells in enumerate(rows, 1):
        ws.append(_mark(ws, cells, marks.get(row_number), lang))
    # Issues on rows past the end of the copy (the reader counted rows differently): add
    # those rows, so that no issue goes unmarked.
    for extra in range(row_number + 1, max(marks, default=0) + 1):
        ws.append(_mark(ws, [], marks.get(extra), lang))


def _mark(ws, cells: list, row_marks: dict[int, list[Issue]] | None, lang: str) -> list:
    if not row_marks:
        return cells
    cells = cells + [None] * (max(row_marks) - len(cells))
    for column, issues in row_marks.items():
        cell = cells[column - 1]
        if not isinstance(cell, Cell):
            cell = WriteOnlyCell(ws, cell)
            cells[column - 1] = cell
        cell.fill = ERROR_FILL if any(i.is_error for i in issues) else WARNING_FILL
        cell.comment = _comment([i.message(lang) for i in issues])
    return cells


def _comment(lines: list[str]) -> Comment:
    text = worksheet_text("\n".join(lines))
    wrapped = sum(max(1, math.ceil(len(line) / 45)) for line in lines)
    return Comment(text, COMMENT_AUTHOR, height=16 * wrapped + 12, width=270)


# --- the Issues sheet ---------------------------------------------------------------------

def _write_issues(ws, issues: list[Issue], sheets: list[RawSheet], titles: list[str],
                  lang: str) -> None:
    for n, width in enumerate(ISSUE_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(n)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in ISSUE_COLUMNS:
        cell = safe_text_cell(ws, messages.text(f"issues-col-{name}", lang))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for i in issues:
        values = (messages.text(f"severity-{i.severity}", lang), i.code, i.file, i.sheet, i.row,
                  i.column, i.value, i.message(lang))
        cells = [safe_text_cell(ws, v) if isinstance(v, str) else v for v in values]
        cells[0].fill = ERROR_FILL if i.is_error else WARNING_FILL
        target = locate(i, sheets)
        if target is not None:
            link = cells[LINK_COLUMN - 1]
            if not isinstance(link, Cell):
                link = cells[LINK_COLUMN - 1] = WriteOnlyCell(ws, link)
            link.hyperlink = Hyperlink(ref="", location=link_location(
                titles[target.sheet], target.row, target.column))
            link.font = LINK_FONT
        ws.append(cells)
