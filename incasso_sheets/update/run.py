"""`incasso debtors update` from files to files: the edge around `update.merge_updates`.

Reads the debtors sheet and the update sheet, reads the ledger's mandate history (read
only, when there is a ledger beside the settings), merges and checks, and writes the
updated debtors sheet and the change log, each to a temporary file in its target folder,
then renamed into place, the sheet last; with any error nothing is written, and with
`dry_run` only the change log (the review before the real run).
A crash leaves each file either as it was or complete, and running the same update
again gives exactly the files of an uninterrupted run (tests/test_crash_matrix.py).

The updated sheet keeps the form of the debtors sheet. A workbook is copied with only the
changed cells changed (sheets.xlsx_update). A CSV keeps its separator, encoding, BOM and
line ends; only the records holding a changed cell are written anew (with the csv
module, quoting where needed), every other line is kept as it was. With no change at all
the output is a byte-for-byte copy, so repeating an update changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import BinaryIO

import polars as pl

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.core.issues import Issue, Report
from incasso_sheets.core.settings import FILENAME as SETTINGS_FILENAME
from incasso_sheets.core.settings import Settings, find_settings, load_settings
from incasso_sheets.ledger import store as ledger
from incasso_sheets.runtime import faults, output_plan
from incasso_sheets.runtime.progress import SILENT, Reporter
from incasso_sheets.sheets import parse
from incasso_sheets.sheets.read import (
    CSV_SUFFIXES,
    ROW,
    XLSX_SUFFIXES,
    RawSheet,
    read_sheet,
    sniff_csv,
)
from incasso_sheets.text import messages
from incasso_sheets.update import merge as update
from incasso_sheets.update.merge import DATE_COLUMNS, UPDATE_SHEETS, UpdateResult, merge_updates

LOG_HEADERS = ["Debiteurnummer", "Kolom", "Oud", "Nieuw", "Opmerking", "Waarschuwingen",
               "Regel in wijzigingen"]  # the CSV's, fixed
LOG_COLUMNS = ["log-col-debtor", "log-col-column", "log-col-old", "log-col-new", "log-col-note",
               "log-col-warnings", "log-col-update-row"]
LOG_DATE = "%d-%m-%Y"  # dates in the log and on the terminal, whatever the language
LOG_SUFFIXES = (".csv", ".xlsx")
SHOWN_CHANGES = 200  # terminal lines; the log file has them all


@dataclass(frozen=True)
class UpdateRequest:
    debtors: Path
    updates: Path
    output: Path
    today: dt.date
    config: Path | None = None
    add_new: bool = False
    dry_run: bool = False
    log: Path | None = None
    sheet: str | None = None           # worksheet of the debtors workbook
    updates_sheet: str | None = None   # worksheet of the update workbook
    lang: str = "nl"                   # language of the notes in the change log
    reporter: Reporter = SILENT        # progress of the steps (the CLI shows it on a terminal)


@dataclass
class UpdateRunResult:
    report: Report
    changes: pl.DataFrame            # update.CHANGES
    rows: int = 0                    # update rows read
    files: list[Path] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False

    @property
    def added_debtors(self) -> int:
        return update.added_debtors(self.changes)

    @property
    def changed_debtors(self) -> int:
        return update.changed_debtors(self.changes)


def run_update(req: UpdateRequest) -> UpdateRunResult:
    settings = _settings(req.config)
    _refuse_overwrites(req, settings)
    if req.log is not None and req.log.suffix.lower() not in LOG_SUFFIXES:
        raise CannotContinue("update-log-format", path=req.log)
    limits = settings.limits if settings else None
    as_read = fingerprint(req.debtors)  # before reading: a change while it is read shows too
    with req.reporter.step("read-debtors"):
        debtors = read_sheet(req.debtors, req.sheet, _debtor_sheets(), limits)
        req.reporter.advance(debtors.frame.height)
    _check_output_format(debtors, req.output)
    with req.reporter.step("read-updates"):
        updates = read_sheet(req.updates, req.updates_sheet, UPDATE_SHEETS, limits)
        req.reporter.advance(updates.frame.height)
    mandates = _mandate_history(settings)
    scheme = settings.collection.scheme if settings else "CORE"
    with req.reporter.step("merge"):
        merged = merge_updates(debtors, updates, req.today, add_new=req.add_new,
                               default_scheme=scheme, mandates=mandates)
        req.reporter.advance(debtors.frame.height)
    result = UpdateRunResult(Report(list(merged.issues)), merged.changes, updates.frame.height,
                             dry_run=req.dry_run)
    originals = merged.originals if merged.originals is not None else pl.DataFrame()
    keeper = ledger.path_for(settings) if settings and settings.path else None
    if originals.height and keeper is None:
        result.report.extend(_originals_not_kept(originals, merged.changes, updates))
    if not merged.valid:
        return result
    # The warnings the log carries beside their change: those at the change file's cells.
    warnings = [i for i in merged.issues if i.file == updates.file]
    if req.dry_run:
        if req.log is not None:
            result.files = [_write_log_only(req.log, merged.changes, warnings, req.lang, settings)]
        return result
    faults.point("after-reading")
    with output_plan.OutputPlan(_identity(settings), output_plan.UPDATE) as plan:
        # -o may be the debtors sheet itself (an update in place); --log is a new file or
        # a log of before. Both are replaced only as a whole, keeping the mode they had.
        sheet = plan.plan(req.output, replace=True, like=req.debtors)
        log = plan.plan(req.log, replace=True) if req.log is not None else None
        with req.reporter.step("write-sheet"):
            plan.fill(sheet, lambda out: _write_sheet(debtors, merged, out))
        faults.point("after-sheet")
        if log is not None:
            plan.fill(log, lambda out: write_log(log.final, merged.changes, req.lang, warnings, out))
        # The edits are rows of the sheet as it was read: if it changed since (re-saved,
        # sorted), they could land on other debtors.
        if fingerprint(req.debtors) != as_read:
            raise CannotContinue("update-sheet-changed", path=req.debtors.name)
        if originals.height and keeper is not None:
            # Before the sheet: a crash in between leaves the ledger holding the values the
            # sheet still has (no amendment follows from them), and the same update again
            # records nothing new.
            with ledger.Ledger.open(keeper, creditor_id=settings.creditor.creditor_id) as led, \
                    led.transaction() as conn:
                ledger.record_originals(conn, originals)
        # The sheet last: it is the step that makes the update happen. A crash before it
        # leaves the sheet as it was, and the same update run again writes the same log.
        plan.commit([log, sheet] if log is not None else [sheet])
    result.files = [f.final for f in (sheet, log) if f is not None]
    result.written = True
    return result


def _write_log_only(log: Path, changes: pl.DataFrame, warnings: list[Issue], lang: str,
                    settings: Settings | None) -> Path:
    """A dry run's change log, in full, written like every other output (the output plan)."""
    with output_plan.OutputPlan(_identity(settings), output_plan.UPDATE) as plan:
        planned = plan.plan(log, replace=True)
        plan.fill(planned, lambda out: write_log(planned.final, changes, lang, warnings, out))
        plan.commit([planned])
    return planned.final


@dataclass(frozen=True)
class Fingerprint:
    size: int
    mtime_ns: int
    digest: str


def fingerprint(path: Path) -> Fingerprint | None:
    """Size, modification time and SHA-256 of a regular file; None for anything else or
    what cannot be read (opened without blocking: a FIFO must not hang the run)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with open(fd, "rb") as fh:
        stat = os.fstat(fd)
        if not S_ISREG(stat.st_mode):
            return None
        try:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        except OSError:
            return None
    return Fingerprint(stat.st_size, stat.st_mtime_ns, digest)


def _refuse_overwrites(req: UpdateRequest, settings: Settings | None) -> None:
    """-o may be the debtors sheet (an update in place), nothing else that is read or kept;
    --log may be none of these, nor -o."""
    administration = Path(settings.path) if settings is not None and settings.path else Path(SETTINGS_FILENAME)
    protected = [("word-file-updates", req.updates), *output_plan.administration_files(administration)]
    output_plan.refuse_overwrites([("word-file-output", req.output)], protected)
    if req.log is not None:
        output_plan.refuse_overwrites(
            [("word-file-log", req.log)],
            [*protected, ("word-file-debtors", req.debtors), ("word-file-output", req.output)])


def _identity(settings: Settings | None) -> str:
    """Whose files these are: the administration of the settings (else the working folder's)."""
    if settings is not None and settings.path is not None:
        return output_plan.ledger_identity(ledger.path_for(settings))  # beside the real settings
    return output_plan.ledger_identity(Path.cwd() / ledger.FILENAME)


def _debtor_sheets() -> tuple[str, ...]:
    from incasso_sheets.api import DEBTOR_SHEETS

    return DEBTOR_SHEETS


def _settings(config: Path | None) -> Settings | None:
    """The settings, for the default scheme and the ledger; none needed without a file."""
    if config is None and not Path(SETTINGS_FILENAME).exists():
        return None
    settings, problems = load_settings(find_settings(config))
    if settings is None:
        from incasso_sheets.collect.run import SettingsProblems

        raise SettingsProblems(problems)
    return settings


def _mandate_history(settings: Settings | None) -> pl.DataFrame | None:
    """The ledger's last collected values per mandate (read only; no ledger, no history)."""
    if settings is None or settings.path is None:
        return None
    with ledger.Ledger.open_read_only(ledger.path_for(settings),
                                     creditor_id=settings.creditor.creditor_id) as led:
        return ledger.load_mandates(led) if led is not None else None


def _originals_not_kept(originals: pl.DataFrame, changes: pl.DataFrame, updates: RawSheet) -> list:
    """Warnings at the update's IBAN or mandate cells whose original values nothing keeps."""
    from incasso_sheets.core.issues import WARNING, issue

    last = dict(originals.select("debtor_id", pl.col("last_collection_date").dt.strftime("%d-%m-%Y")).iter_rows())
    cells = changes.filter(pl.col("column").is_in(["iban", "mandate_id"])
                           & pl.col("debtor_id").is_in(list(last)))
    return [issue("update-originals-not-kept", WARNING, file=updates.file, sheet=updates.sheet, row=row,
                  column=header, value=new, last=last[debtor])
            for row, header, new, debtor in cells.select("update_row", "update_header", "new",
                                                         "debtor_id").iter_rows()]


def _check_output_format(debtors: RawSheet, output: Path) -> None:
    # A workbook keeps its own suffix: .xlsm and .xlsx differ in content type.
    suffix = debtors.path.suffix.lower()
    wanted = CSV_SUFFIXES if debtors.dialect is not None else (
        {suffix} if suffix in XLSX_SUFFIXES else {".xlsx"})
    if output.suffix.lower() not in wanted:
        raise CannotContinue("update-output-format", path=output, source=debtors.file,
                             suffix=" or ".join(sorted(wanted)))


# --- writing --------------------------------------------------------------------------------

def _write_sheet(debtors: RawSheet, merged: UpdateResult, out: BinaryIO) -> None:
    if merged.changes.height == 0:
        with open(debtors.path, "rb") as source:
            shutil.copyfileobj(source, out)
    elif debtors.dialect is None:
        _write_xlsx(debtors, merged, out)
    else:
        write_updated_csv(debtors, merged.changes, merged.added_headers, out)


def _write_xlsx(debtors: RawSheet, merged: UpdateResult, out: BinaryIO) -> None:
    from incasso_sheets.sheets.patch import Edit, Layout, write_updated_copy

    c = pl.col
    cells = merged.changes.select(
        c(ROW), c("header"), c("new"), c("column").is_in(sorted(DATE_COLUMNS)).alias("_dated"),
        c("old"), c("column"),
    ).with_columns(pl.when(c("_dated")).then(parse.date("new", True)).alias("_date"))
    edits = {(row, header): Edit(new, day, dated, old=old, kind=column)
             for row, header, new, dated, old, column, day in cells.iter_rows()}
    id_header = _id_header(debtors)
    layout = Layout(debtors.header_row, {h: debtors.column_number(h) for h in debtors.headers},
                    debtors.column_number(id_header), _debtor_rows(merged.changes))
    write_updated_copy(debtors.path, out, debtors.sheet, debtors.headers, edits,
                       last_row=merged.last_row, added_headers=merged.added_headers,
                       layout=layout, meaning=update.meanings)


def _id_header(debtors: RawSheet) -> str:
    from incasso_sheets.sheets import columns

    return columns.map_headers(debtors.headers, columns.DEBTOR_COLUMNS).found["debtor_id"]


def _debtor_rows(changes: pl.DataFrame) -> dict[int, str]:
    """Row -> debtor number of every changed row that was in the sheet when it was read."""
    return dict(changes.filter(~pl.col("added")).select(ROW, "debtor_id").unique(ROW).iter_rows())


def write_updated_csv(debtors: RawSheet, changes: pl.DataFrame, added_headers: tuple[str, ...],
                      out: BinaryIO) -> None:
    """The debtors CSV with the changed records written anew and every other line as it was,
    to `out` (a file open for writing)."""
    dialect, text = sniff_csv(debtors.path.read_bytes())
    sep = dialect.separator
    lines = list(io.StringIO(text, newline=""))
    headers = [*debtors.headers, *added_headers]
    index = {h: i for i, h in enumerate(headers)}
    width = len(headers)
    by_record: dict[int, dict[int, str]] = {}
    for row, header, new in changes.select(ROW, "header", "new").iter_rows():
        by_record.setdefault(row - 1, {})[index[header]] = new or ""
    expected = {row - 1: debtor for row, debtor in _debtor_rows(changes).items()}
    id_index = index[_id_header(debtors)]
    if added_headers:
        by_record.setdefault(0, {}).update({index[h]: h for h in added_headers})
    newline = _line_end(lines[0]) if lines else "\r\n"
    lines_out: list[str] = []
    for n, (first, last) in enumerate(_record_lines(lines, sep)):
        original = lines[first] if last == first + 1 else "".join(lines[first:last])
        edits = by_record.pop(n, None)
        end = _line_end(original)
        if edits is None:
            if added_headers:  # every record gets the new columns, empty
                count = len(_fields(original, sep))
                if 0 < count < width:
                    original = original[:len(original) - len(end)] + sep * (width - count) + end
            lines_out.append(original)
            continue
        fields = _fields(original, sep)
        if n in expected and (fields[id_index].strip() if id_index < len(fields) else "") != expected[n]:
            raise CannotContinue("update-row-moved", path=debtors.file, row=n + 1,
                                 expected=expected[n], found=fields[id_index].strip()
                                 if id_index < len(fields) else "")
        fields += [""] * (width - len(fields))
        for i, value in edits.items():
            fields[i] = value
        lines_out.append(_record_text(fields, sep) + (end or newline))
    lost = sorted(set(expected) & set(by_record))
    if lost:  # a changed debtor's record is no longer there
        raise CannotContinue("update-row-moved", path=debtors.file, row=lost[0] + 1,
                             expected=expected[lost[0]], found="")
    if by_record and lines_out and not _line_end(lines_out[-1]):
        lines_out[-1] += newline
    for n in sorted(by_record):  # added debtors, after the last line
        fields = [""] * width
        for i, value in by_record[n].items():
            fields[i] = value
        lines_out.append(_record_text(fields, sep) + newline)
    data = "".join(lines_out).encode(dialect.encoding, errors="replace")
    if dialect.bom:
        out.write(b"\xef\xbb\xbf")
    out.write(data)


def _record_lines(lines: list[str], separator: str) -> list[tuple[int, int]]:
    """(first line, line after the last) of every CSV record, counted as the reader of the
    debtors sheet counts them: a quoted field may span lines."""
    if all(line.count('"') % 2 == 0 for line in lines):
        # No quoted field spans lines (its first line would hold an odd number of quotes).
        return [(i, i + 1) for i in range(len(lines))]
    consumed = [0]

    def feed():
        for i, line in enumerate(lines):
            consumed[0] = i + 1
            yield line

    out, start = [], 0
    for _record in csv.reader(feed(), delimiter=separator):
        out.append((start, consumed[0]))
        start = consumed[0]
    return out


def _fields(record: str, separator: str) -> list[str]:
    return next(csv.reader(io.StringIO(record, newline=""), delimiter=separator), [])


def _line_end(line: str) -> str:
    for end in ("\r\n", "\n", "\r"):
        if line.endswith(end):
            return end
    return ""


def _record_text(fields: list[str], separator: str) -> str:
    # The writer quotes a field holding a character of its line terminator, so the terminator
    # must hold both CR and LF; it is cut off again here.
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n",
               quoting=csv.QUOTE_MINIMAL).writerow(fields)
    return buffer.getvalue()[:-2]


# --- the change log -------------------------------------------------------------------------

def note_texts(changes: pl.DataFrame, lang: str) -> pl.Series:
    """The note of every change as text in `lang`."""
    pairs = changes.select("note", "note_detail").unique().filter(pl.col("note").is_not_null())
    table = pairs.with_columns(pl.Series("_text", [
        messages.text(note, lang, detail=detail or "") for note, detail in pairs.iter_rows()],
        dtype=pl.Utf8))
    return changes.join(table, on=["note", "note_detail"], how="left", nulls_equal=True,
                        maintain_order="left")["_text"]


def log_frame(changes: pl.DataFrame, lang: str, issues: Sequence[Issue] = ()) -> pl.DataFrame:
    """One row per change: debtor, column, old and new value (dates as dd-mm-jjjj), the
    note, the warnings at its change-file cell (or its row), and that row."""
    return changes.select(
        pl.col("debtor_id"), pl.col("header"), _shown("old"), _shown("new"),
        note_texts(changes, lang).alias("note"),
        pl.Series("warnings", change_warnings(changes, issues, lang), dtype=pl.Utf8),
        pl.col("update_row"))


def _shown(name: str) -> pl.Expr:
    """A value as the log shows it: a date column's readable dates as dd-mm-jjjj (the debtors
    sheet, the update and a workbook's date cells each spell them their own way)."""
    dated = pl.col("column").is_in(sorted(DATE_COLUMNS))
    day = parse.date(name).dt.strftime(LOG_DATE)
    return pl.when(dated & day.is_not_null()).then(day).otherwise(pl.col(name)).alias(name)


def change_warnings(changes: pl.DataFrame, issues: Sequence[Issue], lang: str) -> list[str | None]:
    """Per change, the warnings among `issues` (those at the change file) at its cell, as
    `code: message` texts; a warning at another cell of the row goes with each change of
    that row."""
    at_cell: dict[tuple[int, str], list[str]] = {}
    for i in issues:
        if not i.is_error and i.row is not None:
            at_cell.setdefault((i.row, i.column), []).append(f"{i.code}: {i.message(lang)}")
    if not at_cell:
        return [None] * changes.height
    cells = list(changes.select("update_row", "update_header").iter_rows())
    used = set(cells)
    by_row: dict[int, list[str]] = {}
    for (row, column), texts in at_cell.items():
        if (row, column) not in used:
            by_row.setdefault(row, []).extend(texts)
    out = []
    for row, header in cells:
        texts = at_cell.get((row, header), []) + by_row.get(row, [])
        out.append(" | ".join(texts) if texts else None)
    return out


def write_log(path: Path, changes: pl.DataFrame, lang: str, issues: Sequence[Issue] = (),
              out: BinaryIO | None = None) -> None:
    """The change log as CSV (Dutch spreadsheet dialect) or .xlsx, by the name of the file,
    to `path` or to `out` (a file open for writing). The notes and warnings are in `lang`; so are the workbook's headers. The CSV keeps its
    fixed Dutch headers, like every CSV incasso writes: a file format other programs read."""
    frame = log_frame(changes, lang, issues)
    if path.suffix.lower() == ".xlsx":
        from incasso_sheets.formats import workbook

        wb = workbook.new_workbook()
        workbook.add_table(wb, messages.text("log-sheet", lang), messages.headers(LOG_COLUMNS, lang),
                           frame.iter_rows(), widths={2: 24, 3: 28, 4: 28, 5: 60, 6: 60})
        workbook.save(wb, path if out is None else out)
        return
    from incasso_sheets.formats.csvfile import write_csv

    if out is not None:
        write_csv(out, frame, LOG_HEADERS, "nl")
        return
    with open(path, "wb") as fh:
        write_csv(fh, frame, LOG_HEADERS, "nl")


# --- the terminal ---------------------------------------------------------------------------

def render_text(result: UpdateRunResult, lang: str = "en") -> str:
    """Issues, then the changes (the first SHOWN_CHANGES), then what was written."""
    from incasso_sheets.text.render import issue_line

    report = result.report
    lines = [issue_line(i, lang) for i in report.sorted()]
    if not report.valid:
        lines.append("")
        lines.append(messages.text("update-stopped", lang, errors=len(report.errors)))
        return "\n".join(lines)
    changes = log_frame(result.changes, lang)
    if lines:
        lines.append("")
    shown = changes.head(SHOWN_CHANGES)
    width = max((len(h) for h in shown["header"]), default=0)
    for debtor, header, old, new, note in shown.select("debtor_id", "header", "old", "new", "note").iter_rows():
        line = f"{debtor}  {header:<{width}}  {_quoted(old)} -> {_quoted(new)}"
        lines.append(f"{line}  ({note})" if note else line)
    if changes.height > SHOWN_CHANGES:
        lines.append(messages.text("update-more", lang, count=changes.height - SHOWN_CHANGES))
    if changes.height:
        lines.append("")
        lines.append(messages.text("update-summary", lang, changes=changes.height,
                                   debtors=result.changed_debtors, added=result.added_debtors))
    else:
        lines.append(messages.text("update-nothing", lang))
    lines += [messages.text("file-written", lang, path=p) for p in result.files]
    if result.dry_run:
        lines.append(messages.text("update-dry-run-log" if result.files else "update-dry-run", lang))
    return "\n".join(lines)


def _quoted(value: str | None) -> str:
    value = messages.visible(value or "")
    return "'" + (value if len(value) <= 60 else value[:57] + "...") + "'"
