"""Read an .xlsx or .csv sheet into a polars frame of text plus the Excel row numbers.

Every column arrives as text (Utf8) so that checks can show the value exactly as the user
typed it; `_row` holds the row number Excel shows. In a workbook the header is the first
row that holds a value, and its row and the column of each header are taken from the
sheet's XML (sheets.xlsx_rows), so empty or formatted rows above the table, and empty
columns before it, shift nothing (`RawSheet.header_row`, `column_number`). fastexcel is
told that row: with `header_row=n` it reads row n + 1 of the sheet as the header and
every row after it, empty ones included (tests/test_update_workbook.py pins this). Workbook cells that
are numbers are written as plain decimals rounded to 15 significant digits, which is what
Excel displays (so 0.1 + 0.2 reads as 0.3); their headers are listed in
`numeric_columns` so amounts in them are never taken for thousands separators. Date cells
become ISO `yyyy-mm-dd`. CSV files: `;`, `,` or tab, UTF-8 with or without BOM, or
Windows-1252, all detected; lines ended by CR alone (Excel's "CSV (Macintosh)") too. A
header wider than Excel's 16,384 columns, or more cells than `max_cells`, is refused
before the reader makes its columns.

What a file is comes from its first bytes, not its name: a workbook named .csv, text named
.xlsx, an old .xls or a password-protected workbook (both OLE2 compound files), UTF-16
text (with a BOM or without) and images are refused with a message saying what the file
is; so are a FIFO and a device, before they are opened (input_files).

Problems found while reading are Issues on the sheet (`RawSheet.issues`), not stops:
* `csv-row-length` (error): a CSV row with more fields than the header. The extra fields
  would be lost, so the row is reported (and, with --skip-invalid, not collected).
* `csv-row-short` (warning): a CSV row with fewer fields; the missing ones read as empty.
* `column-repeated` (error): a header written twice; only the first column is read.

A workbook is inspected before fastexcel reads it (`choose_sheet`), against "zip bombs": a
few kilobytes that unpack to gigabytes, or two cells a million rows and 16,000 columns
apart (fastexcel allocates every cell in between, and a failed allocation aborts the
process: no exception, no message). The unpacked size (from the zip's central directory),
and the rows and cells of the sheet to read (one streamed pass over its XML, about 0.1 s
per 100,000 rows) must stay within `Limits` (settings: [limits]); a DTD in any XML part is
refused, as in bank files (formats.xmlsafe). So is a cell text longer than Excel's 32,767
characters, and more text in the cells than `max_text_mb`, a shared string counted once
for every cell that shows it (`check_cell_texts`). Without a sheet name the first visible
worksheet is read, not a hidden one.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import polars as pl

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.core.issues import WARNING, Issue, issue
from incasso_sheets.formats.safe_text import formula_unquote_expr
from incasso_sheets.runtime.input_files import require_regular_file
from incasso_sheets.sheets.xlsx_rows import HeaderRow, find_header

ROW = "_row"
HEADER_TEXT_MAX = 1 << 20  # the header row is looked for in the first MiB of a CSV
# fastexcel logs a notice for every all-empty column; an empty optional column is normal.
logging.getLogger("fastexcel").addHandler(logging.NullHandler())
logging.getLogger("fastexcel").propagate = False
CSV_SUFFIXES = {".csv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
MB = 1 << 20

# First bytes of files that are not sheets, or not the kind their name says.
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc, and encrypted .xlsx
OTHER_MAGIC = (
    (b"\x89PNG", "PNG"), (b"%PDF", "PDF"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"),
    (b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"7z\xbc\xaf", "7-Zip"), (b"Rar!", "RAR"),
)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Limits:
    """How big a sheet may be before it is read (settings: [limits]); a CSV counts its
    header width times its lines against max_cells."""
    max_unpacked_mb: int = 500
    max_rows: int = 2_000_000
    max_cells: int = 50_000_000
    max_text_mb: int = 200


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
    issues: tuple[Issue, ...] = ()     # found while reading (file and sheet filled in)
    header_row: int = 1                # the header's row number as Excel shows it
    column_numbers: tuple[int, ...] = ()  # per header its column (A = 1); empty: 1, 2, 3, ...

    @property
    def file(self) -> str:
        return self.path.name

    def column_number(self, header: str) -> int | None:
        """The column (A = 1) of `header` in the sheet, as Excel shows it."""
        if header not in self.headers:
            return None
        position = self.headers.index(header)
        return self.column_numbers[position] if position < len(self.column_numbers) else position + 1

    @property
    def repeated_headers(self) -> frozenset[str]:
        """Headers the reader renamed because the header was written before."""
        return frozenset(i.column for i in self.issues if i.code == "column-repeated")


def read_sheet(path: str | Path, sheet: str | None = None, prefer: tuple[str, ...] = (),
               limits: Limits | None = None) -> RawSheet:
    """Read one sheet. Without `sheet`, a worksheet named like one of `prefer` (matched
    case-insensitively) is taken, else the first visible one; so one workbook can hold
    both the debtors and the invoices."""
    path = Path(path)
    require_regular_file(path)
    suffix = path.suffix.lower()
    try:
        with path.open("rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise CannotContinue("file-unreadable", path=path, reason=exc.strerror or exc) from exc
    if magic.startswith(OLE2_MAGIC):
        raise CannotContinue("file-is-xls", path=path)
    for start, kind in OTHER_MAGIC:
        if magic.startswith(start) and suffix in CSV_SUFFIXES | XLSX_SUFFIXES:
            raise CannotContinue("file-is-other", path=path, kind=kind)
    if magic.startswith(ZIP_MAGIC):
        if suffix in CSV_SUFFIXES:
            raise CannotContinue("file-is-workbook", path=path)
        return _read_xlsx(path, sheet, prefer, limits or Limits())
    if suffix in XLSX_SUFFIXES:
        raise CannotContinue("file-is-text" if magic else "file-unreadable", path=path,
                             reason="the file is empty")
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, limits or Limits())
    raise CannotContinue("file-type-unknown", path=path)


# --- CSV ----------------------------------------------------------------------------------

def sniff_csv(data: bytes) -> tuple[CsvDialect, str]:
    """The dialect of CSV bytes, and the content decoded to text."""
    bom = data.startswith(b"\xef\xbb\xbf")
    body = memoryview(data)[3:] if bom else data  # no copy of a large file for the BOM
    try:
        text = codecs.decode(body, "utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        text = codecs.decode(body, "cp1252", errors="replace")
        encoding = "cp1252"
    end = min((i for i in (text.find("\n"), text.find("\r")) if i >= 0), default=-1)
    first = text if end < 0 else text[:end]  # (split would copy the whole rest)
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


def _read_csv(path: Path, limits: Limits) -> RawSheet:
    data = path.read_bytes()
    if data.startswith(UTF16_BOMS) or _utf16_without_bom(data):
        raise CannotContinue("csv-utf16", path=path)
    data = _cr_line_ends(data)
    dialect, text = sniff_csv(data)
    if not text or text.isspace():
        raise CannotContinue("file-unreadable", path=path, reason="the file is empty")
    _check_csv_width(path, text, dialect.separator, data.count(b"\n") + 1, limits)
    source = data[3:] if dialect.bom else data
    if dialect.encoding != "utf-8":
        source = text.encode("utf-8")
    # The decoded text is only needed again when rows may be ragged: a large file is then
    # decoded a second time rather than kept in memory next to the frame.
    head = text[:HEADER_TEXT_MAX]
    del text
    options = {"separator": dialect.separator, "infer_schema": False, "raise_if_empty": False}
    too_long = False
    try:
        try:
            frame = pl.read_csv(io.BytesIO(source), **options)
        except pl.exceptions.ComputeError as exc:
            if "more fields" not in str(exc):
                raise
            too_long = True  # read again, cut to the header's width; every such row is reported
            frame = pl.read_csv(io.BytesIO(source), truncate_ragged_lines=True, **options)
    except (pl.exceptions.PolarsError, csv.Error) as exc:
        raise CannotContinue("file-unreadable", path=path, reason=str(exc).splitlines()[0]) from exc
    frame = _formula_unquoted(frame)
    issues = _ragged_rows(path, lambda: sniff_csv(data)[1], dialect.separator, frame, too_long)
    issues += _repeated_headers(_csv_header(head, dialect.separator), frame.columns)
    return _finish(path, path.stem, frame, frozenset(), dialect, issues)


def _formula_unquoted(frame: pl.DataFrame) -> pl.DataFrame:
    """Each cell as it was meant before a CSV writer made it formula-safe: the quote
    `safe_text.formula_safe` puts before `=`, `+`, `-`, `@`, tab or CR is taken off again
    (the tool's own `reopened-invoices.csv` holds invoice `-0003` as `'-0003`). Only the
    columns with a cell that starts with a quote are touched."""
    quoted = [name for name in frame.columns if frame[name].str.starts_with("'").any()]
    if not quoted:
        return frame
    return frame.with_columns(formula_unquote_expr(pl.col(name)) for name in quoted)
def _utf16_without_bom(data: bytes) -> bool:
    """UTF-16 text without a byte order mark: in its first characters (a header, in
    Latin letters) one byte of every pair is NUL and the other is not. Text in any
    ASCII-based encoding has no NUL bytes at all."""
    pairs = min(len(data), 1024) // 2
    if pairs < 2:
        return False
    even, odd = data[0:2 * pairs:2], data[1:2 * pairs:2]
    return any(nul.count(0) >= pairs * 3 // 4 and letters.count(0) <= pairs // 4
               for nul, letters in ((odd, even), (even, odd)))


_LONE_CR = re.compile(rb"\r(?!\n)")


def _cr_line_ends(data: bytes) -> bytes:
    """Lines ended by CR alone (Excel's "CSV (Macintosh)", classic Mac OS) ended by LF,
    which the reader splits rows on; without this the whole file reads as one header.
    Told by the first line end: a CR that no LF follows."""
    cr = data.find(b"\r")
    if cr < 0 or data.find(b"\n", 0, cr + 2) >= 0:
        return data
    return _LONE_CR.sub(b"\n", data)


COLUMNS_MAX = 16_384  # Excel's last column, XFD: no sheet saved as CSV is wider


def _check_csv_width(path: Path, text: str, separator: str, lines: int, limits: Limits) -> None:
    """Refuse a header wider than a sheet can be, or more cells (header width times
    lines) than `limits.max_cells`, before the reader makes a column for every field (a
    header of 500,000 fields took 8 GB)."""
    end = text.find("\n")
    columns = _count_outside_quotes(text if end < 0 else text[:end], separator) + 1
    if columns > COLUMNS_MAX:
        raise CannotContinue("csv-too-wide", path=path, count=f"{columns:,}", limit=f"{COLUMNS_MAX:,}")
    if columns * lines > limits.max_cells:
        raise CannotContinue("csv-too-large", path=path, size="word-csv-cells",
                             cells=f"{columns * lines:,}", rows=f"{lines:,}", columns=f"{columns:,}",
                             limit="word-cells-limit", limit_cells=f"{limits.max_cells:,}",
                             setting="max_cells")


def _csv_header(text: str, separator: str) -> list[str] | None:
    try:
        return next(csv.reader(io.StringIO(text, newline=""), delimiter=separator), None)
    except csv.Error:
        return None


def _ragged_rows(path: Path, decoded: Callable[[], str], separator: str, frame: pl.DataFrame,
                 too_long: bool) -> list[Issue]:
    """csv-row-length for every row with more fields than the header, csv-row-short for
    every row with fewer. The reader cuts long rows and fills short ones, so the exact
    field counts are taken (with the csv module) only when one of them can be there."""
    width = frame.width
    if frame.height == 0 or width == 0:
        return []
    last = frame.columns[-1]
    if not too_long and frame[last].null_count() == 0:
        return []  # every row reaches the last column: none is short, and none was long
    text = decoded()
    limit = csv.field_size_limit()
    try:
        csv.field_size_limit(max(limit, len(text)))  # polars reads a cell of any length
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error:
        records = []
    finally:
        csv.field_size_limit(limit)
    if len(records) != frame.height + 1:
        # The csv module splits the records differently (odd quoting): the rows cannot be
        # told apart, and a cut row must not go unreported.
        if too_long:
            raise CannotContinue("csv-row-length-unknown", path=path, fields=width)
        return []
    issues: list[Issue] = []
    for number, fields in enumerate(records[1:], start=2):
        count = len(fields)
        if count > width:
            issues.append(issue("csv-row-length", row=number, value=separator.join(fields[width:]),
                                 count=count, expected=width))
        elif 0 < count < width and any(f.strip() for f in fields):
            issues.append(issue("csv-row-short", WARNING, row=number, count=count, expected=width))
    return issues


def _repeated_headers(written: list[str] | None, read: list[str], header_row: int = 1,
                      numbers: tuple[int, ...] = ()) -> list[Issue]:
    """`column-repeated` for every header the reader renamed because it came before
    (polars adds `_duplicated_0`, fastexcel `_1`)."""
    if written is None or len(written) != len(read):
        return []
    numbers = numbers or tuple(range(1, len(read) + 1))
    seen: dict[str, int] = {}
    issues: list[Issue] = []
    for position, header, name in zip(numbers, written, read, strict=True):
        key = header.strip()
        if key and key in seen and name != header:
            issues.append(issue("column-repeated", row=header_row, column=name, value=header,
                                header=header, first=_letters(seen[key]),
                                letter=_letters(position)))
        seen.setdefault(key, position)
    return issues


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- XLSX ---------------------------------------------------------------------------------

def _read_xlsx(path: Path, sheet: str | None, prefer: tuple[str, ...], limits: Limits) -> RawSheet:
    import fastexcel

    name = choose_sheet(path, sheet, prefer, limits)
    header = _header_of(path, name)
    try:
        reader = fastexcel.read_excel(str(path))
        # fastexcel's header_row counts from the sheet's first row (0 = row 1), except that 0
        # means "the first row that holds a value"; both are the header row found here.
        frame = reader.load_sheet(name, header_row=header.row - 1, schema_sample_rows=None,
                                  dtype_coercion="coerce").to_polars()
        # (fastexcel's available_columns() says which names it made up, but costs a
        # second pass over the sheet; its made-up names are __UNNAMED__<position>.)
        numbers = _column_numbers(header, [_MADE_UP.match(c) is None for c in frame.columns])
        written = _written_headers(reader, name, frame.columns, header.row)
    except Exception as exc:  # fastexcel raises its own hierarchy for broken workbooks
        raise CannotContinue("file-unreadable", path=path, reason=_first_line(exc)) from exc
    except BaseException as exc:  # a panic in the Rust reader (pyo3's PanicException)
        if type(exc).__name__ != "PanicException":
            raise
        raise CannotContinue("file-unreadable", path=path, reason=_first_line(exc)) from exc
    numeric = frozenset(c for c, t in frame.schema.items() if t.is_numeric())
    frame = frame.with_columns(_as_text(frame, c, t) for c, t in frame.schema.items())
    issues = _repeated_headers(written, frame.columns, header.row, numbers)
    return _finish(path, name, frame, numeric, None, issues, header.row, numbers)


def _header_of(path: Path, name: str) -> HeaderRow:
    """The header row of worksheet `name`, found in its XML (sheets.xlsx_rows)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        with zipfile.ZipFile(path) as archive:
            book_part = next((t for rel, t in _relationships(archive, "", parser)
                              if rel.endswith("/officeDocument")), "xl/workbook.xml")
            root = etree.fromstring(archive.read(book_part), parser)
            targets = dict(_relationships(archive, book_part, parser, ids=True))
        node = next((n for n in root.iter(f"{{{_MAIN}}}sheet") if n.get("name") == name), None)
        part = targets.get(node.get(f"{{{_REL}}}id") or "") if node is not None else None
        return find_header(path, part) if part else HeaderRow(1, ())
    except (KeyError, etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, OSError, EOFError,
            ValueError, NotImplementedError, RuntimeError) as exc:
        raise CannotContinue("file-unreadable", path=path,
                             reason=f"it is not a valid .xlsx workbook ({_first_line(exc)})") from exc


def _column_numbers(header: HeaderRow, named: list[bool]) -> tuple[int, ...]:
    """The column of every column fastexcel read. fastexcel starts at the leftmost column
    that holds a value anywhere in the sheet and numbers on from there; its columns named
    from the header row are the header row's cells with a value, in order, which gives
    that start. () (= A, B, C, ...) when the two cannot be lined up."""
    looked_up = [i for i, is_named in enumerate(named) if is_named]
    if not looked_up or len(looked_up) != len(header.columns):
        return ()
    offset = header.columns[0] - looked_up[0]
    if any(col - i != offset for i, col in zip(looked_up, header.columns, strict=True)):
        return ()
    return tuple(i + offset for i in range(len(named)))


_RENAMED = re.compile(r"^(.*)_\d+$")
_MADE_UP = re.compile(r"^__UNNAMED__\d+$")


def _written_headers(reader, name: str, headers: list[str], header_row: int) -> list[str] | None:
    """The header cells as written, when fastexcel may have renamed one (`Naam` twice
    reads as `Naam`, `Naam_1`); None when no header looks renamed (the common case: the
    sheet is not read a second time)."""
    seen: set[str] = set()
    suspect = False
    for header in headers:
        m = _RENAMED.match(header)
        suspect = suspect or bool(m and m.group(1) in seen)
        seen.add(header)
    if not suspect:
        return None
    first = reader.load_sheet(name, header_row=None, skip_rows=header_row - 1, n_rows=1,
                              dtypes="string").to_polars()
    if first.height == 0 or first.width != len(headers):
        return None
    return ["" if v is None else v for v in first.row(0)]


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]


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


# --- the workbook before it is unpacked ---------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CHUNK = MB
_XML_PARTS = (".xml", ".rels", ".vml")


@dataclass(frozen=True)
class _Book:
    names: list[str]
    visible: list[str]
    parts: dict[str, str]  # sheet name -> worksheet part in the package


def choose_sheet(path: Path, sheet: str | None, prefer: tuple[str, ...], limits: Limits) -> str:
    """The worksheet to read, after checking the package: its unpacked size (from the
    central directory, before anything is unpacked), no DTD in any XML part, and the rows
    and cells of the chosen sheet."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise CannotContinue("file-unreadable", path=path,
                             reason=f"it is not a valid .xlsx workbook ({_first_line(exc)})") from exc
    with archive:
        book = _inspect_package(archive, path, limits)
        if sheet is not None and sheet not in book.names:
            raise CannotContinue("sheet-not-found", sheet=sheet, path=path.name,
                                 available=", ".join(book.names))
        preferred = [n for n in book.names if n.strip().casefold() in prefer]
        candidates = [sheet] if sheet is not None else (preferred or book.visible or book.names)
        if not candidates:
            raise CannotContinue("file-unreadable", path=path, reason="the workbook has no sheets")
        part = book.parts.get(candidates[0])
        if part is not None and part in archive.NameToInfo:
            _check_sheet_size(archive, archive.getinfo(part), path, limits)
            check_cell_texts(archive, archive.getinfo(part), path, limits)
    return candidates[0]


def _inspect_package(archive: zipfile.ZipFile, path: Path, limits: Limits) -> _Book:
    from lxml import etree

    from incasso_sheets.formats.xmlsafe import doctype_in

    members = archive.infolist()
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.max_unpacked_mb * MB:
        raise CannotContinue("xlsx-too-large", path=path, size=f"{unpacked / MB:,.0f} MB",
                             limit=f"{limits.max_unpacked_mb:,} MB", setting="max_unpacked_mb")
    for member in members:
        if member.filename.lower().endswith(_XML_PARTS):
            with _open_member(archive, member, path) as fh:
                try:
                    found = doctype_in(fh)
                except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
                    raise CannotContinue("file-unreadable", path=path, reason=_first_line(exc)) from exc
            if found:
                raise CannotContinue("xlsx-xml-refused", path=path, part=member.filename, reason=found)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        book_part = next((t for rel, t in _relationships(archive, "", parser)
                          if rel.endswith("/officeDocument")), "xl/workbook.xml")
        root = etree.fromstring(archive.read(book_part), parser)
        targets = {rid: t for rid, t in _relationships(archive, book_part, parser, ids=True)}
    except (KeyError, etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, OSError, EOFError,
            ValueError, NotImplementedError, RuntimeError) as exc:
        raise CannotContinue("file-unreadable", path=path,
                             reason=f"it is not a valid .xlsx workbook ({_first_line(exc)})") from exc
    names, visible, parts = [], [], {}
    for node in root.iter(f"{{{_MAIN}}}sheet"):
        name = node.get("name") or ""
        names.append(name)
        if node.get("state", "visible") == "visible":
            visible.append(name)
        target = targets.get(node.get(f"{{{_REL}}}id") or "")
        if target:
            parts[name] = target
    return _Book(names, visible, parts)


def _relationships(archive: zipfile.ZipFile, part: str, parser, ids: bool = False):
    """(type or id, target part) of every relationship of `part` ('' for the package)."""
    from lxml import etree

    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in archive.NameToInfo:
        return []
    out = []
    for rel in etree.fromstring(archive.read(rels), parser).iter(f"{{{_PKG_REL}}}Relationship"):
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(folder, target))
        out.append((rel.get("Id", "") if ids else rel.get("Type", ""), target))
    return out


def _open_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: Path):
    try:
        return archive.open(member)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, ValueError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression
        raise CannotContinue("file-unreadable", path=path, reason=_first_line(exc)) from exc


def _check_sheet_size(archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: Path,
                      limits: Limits) -> None:
    """Refuse a worksheet with more rows or cells than `limits`. The reader allocates
    every cell from the first to the last one, filled or not, so what counts is how far
    apart the cell references (r="AB12") are, not how many cells there are.

    One pass over the XML looks only for the longest column letters and row numbers (a
    search for a pattern that is not there is fast); the exact last row and column are
    found (in a second pass, among the longest references only) when the bound that gives
    is over a limit."""
    letters, digits, rows = _scan(archive, member, path)
    if digits > DIGITS_MAX:
        raise CannotContinue("xlsx-too-large", path=path, size=f"rows numbered over {10 ** DIGITS_MAX - 1:,}",
                             limit=f"{limits.max_rows:,} rows", setting="max_rows")
    width = {1: 26, 2: 702}.get(letters, 16384)
    last_row = 10 ** digits - 1
    if last_row > limits.max_rows or width * last_row > limits.max_cells:
        width, last_row = _exact_extent(archive, member, path, letters, digits)
    rows = max(rows, last_row)
    if rows > limits.max_rows:
        raise CannotContinue("xlsx-too-large", path=path, size=f"{rows:,} rows",
                             limit=f"{limits.max_rows:,} rows", setting="max_rows")
    if width * last_row > limits.max_cells:
        raise CannotContinue("xlsx-too-large", path=path,
                             size=f"{width * last_row:,} cells ({last_row:,} rows x {width:,} columns)",
                             limit=f"{limits.max_cells:,} cells", setting="max_cells")


def _chunks(archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: Path):
    """The worksheet XML in pieces, as (data, end): `data[:end]` ends before a `<`, so no
    reference is cut in two (and no copy of the piece is made to say so). A text longer
    than a cell holds stops the reading (`_refuse_long_texts`), so a piece never grows
    past _CHUNK + _RUN_BYTES_MAX."""
    tail = b""
    try:
        with _open_member(archive, member, path) as fh:
            while chunk := fh.read(_CHUNK):
                data = tail + chunk if tail else chunk
                cut = data.rfind(b"<")
                if cut <= 0:
                    tail = data
                    if len(tail) > _RUN_BYTES_MAX:
                        _refuse_text(path, member)
                    continue
                _refuse_long_texts(data, cut, path, member)
                yield data, cut
                tail = data[cut:]
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise CannotContinue("file-unreadable", path=path, reason=_first_line(exc)) from exc
    if tail:
        _refuse_long_texts(tail, len(tail), path, member)
        yield tail, len(tail)


def _scan(archive, member, path) -> tuple[int, int, int]:
    """(most column letters, most row digits, number of <row> elements). Per piece one
    search for a reference with more letters and one with more digits than seen so far,
    which normally find nothing. (Two simple patterns: their alternation is several times
    slower to search for.)"""
    letters, digits, rows = 1, 1, 0
    row_tag = None
    for data, end in _chunks(archive, member, path):
        if row_tag is None:
            m = _WORKSHEET.search(data, 0, end)
            row_tag = b"<" + ((m.group(1) or b"") if m else b"") + b"row"
        rows += data.count(row_tag, 0, end)
        while letters < 3 and (m := _pattern(rb'r="[A-Z]{%d,3}[0-9]' % (letters + 1)).search(data, 0, end)):
            letters = len(_REF.match(data, m.start()).group(1))
        while digits <= DIGITS_MAX and (m := _pattern(rb'r="[A-Z]{1,3}[0-9]{%d}' % (digits + 1)).search(data, 0, end)):
            digits = len(_REF.match(data, m.start(), m.start() + 32).group(2))
    return letters, digits, rows


DIGITS_MAX = 12  # a row number longer than this is refused without reading it as a number
_WORKSHEET = re.compile(rb"<(\w+:)?worksheet\b")
_REF = re.compile(rb'r="([A-Z]+)([0-9]+)')
_PATTERNS: dict[bytes, re.Pattern] = {}


def _pattern(source: bytes) -> re.Pattern:
    return _PATTERNS.setdefault(source, re.compile(source))


def _exact_extent(archive, member, path, letters: int, digits: int) -> tuple[int, int]:
    """(last column, last row) among the references with `letters` letters and `digits`
    digits: the largest ones, so the list stays short."""
    column_re = re.compile(rb'r="([A-Z]{%d})[0-9]' % letters)
    row_re = re.compile(rb'r="[A-Z]{1,3}([0-9]{%d})"' % digits)
    last_column, last_row = b"", b""
    for data, end in _chunks(archive, member, path):
        last_column = max(last_column, max(column_re.findall(data, 0, end), default=b""))
        last_row = max(last_row, max(row_re.findall(data, 0, end), default=b""))
    width = 0
    for ch in last_column:
        width = width * 26 + ch - 64
    return width, int(last_row or 0)


# --- the text in the cells, before the workbook is unpacked ------------------------------

CELL_TEXT_MAX = 32_767  # Excel's own limit for the text of one cell
# The most bytes one character takes in XML (`&#x10FFFF;`): a stretch without a tag longer
# than this many bytes holds too long a text, whatever it is written in.
_RUN_BYTES_MAX = 10 * CELL_TEXT_MAX
_SHARED_INDEX = re.compile(
    rb"""<(?:\w+:)?c\s[^>]*?\bt=["']s["'][^>]*>\s*<(?:\w+:)?v>\s*([0-9]{1,10})\s*<""")
_ENTITY = re.compile(rb"&#?\w+;")
_MIN_SHARED_CELL = 20  # bytes of the shortest cell that shows a shared text: <c t="s"><v>0</v></c>


def check_cell_texts(archive: zipfile.ZipFile, sheet: zipfile.ZipInfo, path: Path,
                     limits: Limits) -> None:
    """Refuse a text longer than a cell can hold, and a sheet whose cells would hold more
    than `limits.max_text_mb` of text, before the reader makes a copy of a shared text
    for every cell that shows it (60 KB of workbook whose cells share one 50 MB text took
    6 GB, and the reader aborts the process when an allocation fails).

    Streamed, and cheap for an ordinary workbook: the sheet's own texts were looked at
    in the pass that counted its rows (`_chunks`); one pass over the shared strings finds
    their longest, and the bound (longest shared text x cells that can show one) decides
    alone; only when it does not, the sheet's shared-string cells are counted, and only
    when that bound is over too, each cell's text is added up."""
    budget = limits.max_text_mb * MB
    shared = [m for m in archive.infolist() if m.filename.lower().endswith("sharedstrings.xml")]
    longest = max((_longest_text(archive, m, path) for m in shared), default=0)
    if longest * (sheet.file_size // _MIN_SHARED_CELL) <= budget:
        return
    cells = sum(data.count(b't="s"', 0, end) + data.count(b"t='s'", 0, end)
                for data, end in _chunks(archive, sheet, path))
    if longest * cells <= budget:
        return
    lengths = [n for m in shared for n in _shared_text_lengths(archive, m, path)]
    total = 0
    for data, end in _chunks(archive, sheet, path):
        for index in _SHARED_INDEX.findall(data, 0, end):
            position = int(index)
            total += lengths[position] if position < len(lengths) else 0
    if total > budget:
        raise CannotContinue("xlsx-too-large", path=path, size="word-text-mb",
                             text_mb=f"{total / MB:,.0f}", limit=f"{limits.max_text_mb:,} MB",
                             setting="max_text_mb")


def _longest_text(archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: Path) -> int:
    """The longest stretch of bytes between two tags in a part: at least as long as its
    longest text in characters."""
    longest = 0
    for data, end in _chunks(archive, member, path):
        while found := _pattern(rb">[^<]{%d}" % (longest + 1)).search(data, 0, end):
            # one search for a longer one than seen so far, which normally finds nothing
            stop = data.find(b"<", found.start(), end)
            longest = (end if stop < 0 else stop) - found.start() - 1
    return longest


_WINDOW = (CELL_TEXT_MAX + 1) // 2  # a stretch longer than a cell text holds a whole window


def _refuse_long_texts(data: bytes, end: int, path: Path, member: zipfile.ZipInfo) -> None:
    """CannotContinue when data[:end] holds a text longer than CELL_TEXT_MAX characters.
    Only a stretch without a `<` over CELL_TEXT_MAX bytes can be one, and such a stretch
    holds a whole window of _WINDOW bytes without one: a search for `<` in each window
    (memchr, not a regular expression) finds it."""
    start = 0
    while start + _WINDOW <= end:
        if data.find(b"<", start, start + _WINDOW) >= 0:
            start += _WINDOW
            continue
        before = data.rfind(b"<", 0, start) + 1
        after = data.find(b"<", start + _WINDOW, end)
        after = end if after < 0 else after
        text = data[before:after]
        text = text[text.find(b">") + 1:]  # from the end of the tag it follows
        if len(text) > CELL_TEXT_MAX:
            characters = len(_ENTITY.sub(b"&", text).decode("utf-8", errors="replace"))
            if characters > CELL_TEXT_MAX:
                _refuse_text(path, member)
        start = after


def _refuse_text(path: Path, member: zipfile.ZipInfo) -> None:
    raise CannotContinue("xlsx-text-too-long", path=path, part=member.filename,
                         limit=f"{CELL_TEXT_MAX:,}")


def _shared_text_lengths(archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: Path) -> list[int]:
    """The length of each shared text (<si>), in characters, in order."""
    from lxml import etree

    lengths: list[int] = []
    try:
        with _open_member(archive, member, path) as fh:
            for _event, item in etree.iterparse(fh, events=("end",), tag=f"{{{_MAIN}}}si",
                                                resolve_entities=False, no_network=True,
                                                load_dtd=False):
                lengths.append(sum(len(t.text or "") for t in item.iter(f"{{{_MAIN}}}t")
                                   if t.getparent().tag != f"{{{_MAIN}}}rPh"))
                item.clear(keep_tail=False)
    except (etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
        raise CannotContinue("file-unreadable", path=path, reason=_first_line(exc)) from exc
    return lengths


# --- both ---------------------------------------------------------------------------------

def _finish(path: Path, sheet: str, frame: pl.DataFrame, numeric: frozenset[str],
            dialect: CsvDialect | None, issues: list[Issue] = (), header_row: int = 1,
            numbers: tuple[int, ...] = ()) -> RawSheet:
    headers = [str(h) for h in frame.columns]
    # The reader gives every row after the header, empty ones included: row n of the frame
    # is the header's row + 1 + n.
    frame = frame.with_row_index(ROW, offset=header_row + 1).with_columns(pl.col(ROW).cast(pl.Int64))
    if headers:
        blank = pl.all_horizontal(
            pl.col(h).is_null() | (pl.col(h).str.strip_chars() == "") for h in headers
        )
        frame = frame.filter(~blank)
    located = tuple(i.at(file=path.name, sheet=sheet) for i in issues)
    return RawSheet(path, sheet, headers, frame, numeric, dialect, located, header_row, numbers)
