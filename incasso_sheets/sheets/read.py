"""Read an .xlsx or .csv sheet into a polars frame of text plus the Excel row numbers.

Every column arrives as text (Utf8) so that checks can show the value exactly as the user
typed it; `_row` holds the row number Excel shows (header = row 1). Workbook cells that
are numbers are written as plain decimals rounded to 15 significant digits, which is what
Excel displays (so 0.1 + 0.2 reads as 0.3); their headers are listed in
`numeric_columns` so amounts in them are never taken for thousands separators. Date cells
become ISO `yyyy-mm-dd`. CSV files: `;`, `,` or tab, UTF-8 with or without BOM, or
Windows-1252, all detected.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import polars as pl

from incasso_sheets.errors import CannotContinue

ROW = "_row"
# fastexcel logs a notice for every all-empty column; an empty optional column is normal.
logging.getLogger("fastexcel").addHandler(logging.NullHandler())
logging.getLogger("fastexcel").propagate = False
CSV_SUFFIXES = {".csv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}


@dataclass(frozen=True)
class CsvDialect:
    separator: str = ";"
    encoding: str = "utf-8"
    bom: bool = False


@dataclass(frozen=True)
class RawSheet:
    path: Path
    sheet: str
    headers: list[str]
    frame: pl.DataFrame  # one Utf8 column per header, plus ROW
    numeric_columns: frozenset[str] = field(default_factory=frozenset)
    dialect: CsvDialect | None = None  # CSV only

    @property
    def file(self) -> str:
        return self.path.name


def read_sheet(path: str | Path, sheet: str | None = None, prefer: tuple[str, ...] = ()) -> RawSheet:
    """Read one sheet. Without `sheet`, a worksheet named like one of `prefer` (matched
    case-insensitively) is taken, else the first one; so one workbook can hold both the
    debtors and the invoices."""
    path = Path(path)
    if not path.is_file():
        raise CannotContinue("file-not-found", path=path)
    suffix = path.suffix.lower()
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic.startswith(b"PK\x03\x04") and suffix not in CSV_SUFFIXES:
        return _read_xlsx(path, sheet, prefer)
    if suffix in XLSX_SUFFIXES:
        raise CannotContinue("file-unreadable", path=path, reason="it is not an Excel .xlsx workbook")
    if suffix in CSV_SUFFIXES:
        return _read_csv(path)
    raise CannotContinue("file-type-unknown", path=path)


# --- CSV ----------------------------------------------------------------------------------

def sniff_csv(data: bytes) -> tuple[CsvDialect, str]:
    """The dialect of CSV bytes, and the content decoded to text."""
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]
    try:
        text = data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        encoding = "cp1252"
    first = text.split("\n", 1)[0]
    counts = {sep: _count_outside_quotes(first, sep) for sep in (";", ",", "\t")}
    separator = max(counts, key=lambda s: (counts[s], s == ";"))
    return CsvDialect(separator, encoding, bom), text


def _count_outside_quotes(line: str, sep: str) -> int:
    n, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            n += 1
    return n


def _read_csv(path: Path) -> RawSheet:
    data = path.read_bytes()
    dialect, text = sniff_csv(data)
    if not text.strip():
        raise CannotContinue("file-unreadable", path=path, reason="the file is empty")
    source = data[3:] if dialect.bom else data
    if dialect.encoding != "utf-8":
        source = text.encode("utf-8")
    try:
        frame = pl.read_csv(
            io.BytesIO(source), separator=dialect.separator, infer_schema=False,
            truncate_ragged_lines=True, raise_if_empty=False,
        )
    except (pl.exceptions.PolarsError, csv.Error) as exc:
        raise CannotContinue("file-unreadable", path=path, reason=str(exc).splitlines()[0]) from exc
    return _finish(path, path.stem, frame, frozenset(), dialect)


# --- XLSX ---------------------------------------------------------------------------------

def _read_xlsx(path: Path, sheet: str | None, prefer: tuple[str, ...]) -> RawSheet:
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
        names = reader.sheet_names
        if sheet is not None and sheet not in names:
            raise CannotContinue("sheet-not-found", sheet=sheet, path=path.name,
                                 available=", ".join(names))
        preferred = [n for n in names if n.strip().casefold() in prefer]
        name = sheet if sheet is not None else (preferred or names)[0]
        loaded = reader.load_sheet(name, schema_sample_rows=None, dtype_coercion="coerce")
        frame = loaded.to_polars()
    except CannotContinue:
        raise
    except Exception as exc:  # fastexcel raises its own hierarchy for broken workbooks
        raise CannotContinue("file-unreadable", path=path, reason=str(exc).splitlines()[0]) from exc
    numeric = frozenset(c for c, t in frame.schema.items() if t.is_numeric())
    frame = frame.with_columns(_as_text(frame, c, t) for c, t in frame.schema.items())
    return _finish(path, name, frame, numeric, None)


def _as_text(frame: pl.DataFrame, column: str, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(column)
    if dtype in (pl.Date, pl.Datetime) or isinstance(dtype, pl.Datetime):
        return col.dt.strftime("%Y-%m-%d")
    if dtype == pl.Boolean:
        return pl.when(col).then(pl.lit("true")).when(~col).then(pl.lit("false")).alias(column)
    if dtype.is_float():
        distinct = frame[column].drop_nulls().unique()
        mapping = pl.DataFrame({column: distinct, "_text": [excel_number_text(v) for v in distinct]})
        return col.replace_strict(mapping[column], mapping["_text"], default=None,
                                  return_dtype=pl.Utf8)
    return col.cast(pl.Utf8)


def excel_number_text(value: float) -> str:
    """A workbook number as Excel shows it: 15 significant digits, plain decimal notation."""
    text = format(Decimal(format(value, ".15g")), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# --- both ---------------------------------------------------------------------------------

def _finish(path: Path, sheet: str, frame: pl.DataFrame, numeric: frozenset[str],
            dialect: CsvDialect | None) -> RawSheet:
    headers = [str(h) for h in frame.columns]
    frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    if headers:
        blank = pl.all_horizontal(
            pl.col(h).is_null() | (pl.col(h).str.strip_chars() == "") for h in headers
        )
        frame = frame.filter(~blank)
    return RawSheet(path, sheet, headers, frame, numeric, dialect)
