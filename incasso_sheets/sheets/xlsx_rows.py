"""Rows and columns of a worksheet as its XML numbers them, for reading and for patching alike.

Excel numbers every `<row r="..">` and `<c r="..">`; rows and cells that hold nothing are
left out of the file, so the n-th row element is not row n. Both the reader (which row is
the header, which column each header is in) and the updater (which row to change) take
the numbers from these attributes, and count on from the previous one where a generator
left them out (`previous + 1`, as Excel reads such a file).

The header is the first row with a cell that holds a value (`<v>` with text, or an inline
string); empty and formatted-only rows above it are not rows of the table.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from openpyxl.utils import column_index_from_string

_ATTR = re.compile(rb"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(r"^\$?([A-Z]+)\$?(\d+)$")
_WORKSHEET = re.compile(rb"<(?:(\w+):)?worksheet\b")
_CHUNK = 1 << 16
HEADER_SEARCH_MAX = 64 << 20  # bytes of sheet XML looked through for the header row


@dataclass(frozen=True)
class HeaderRow:
    row: int                  # as Excel shows it
    columns: tuple[int, ...]  # the columns (A = 1) whose header cell holds a value


def prefix_of(xml: bytes) -> bytes:
    """The namespace prefix of the worksheet's elements (b"x:" or b"")."""
    m = _WORKSHEET.search(xml)
    return (m.group(1) + b":") if m and m.group(1) else b""


def row_pattern(prefix: bytes) -> re.Pattern:
    """A `<row>` element; group 1 is its `r` number (read ahead: a row may leave it out)."""
    return re.compile(rb"<" + prefix + rb"row\b(?=[^>]*?\br=\"(\d+)\")?[^>]*?(?:/>|>.*?</"
                      + prefix + rb"row>)", re.S)


def cell_pattern(prefix: bytes) -> re.Pattern:
    """A `<c>` element; group 1 its attributes, group 2 its content."""
    return re.compile(rb"<" + prefix + rb"c\b([^>]*?)(?:/>|>(.*?)</" + prefix + rb"c>)", re.S)


def attrs(tag: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _ATTR.finditer(tag)}


def numbered_rows(xml: bytes, row_re: re.Pattern, start: int = 0, end: int | None = None,
                  previous: int = 0) -> Iterator[tuple[int, re.Match]]:
    """(row number, match) of every row element between `start` and `end`; `previous` is
    the number of the row before `start`."""
    for m in row_re.finditer(xml, start, len(xml) if end is None else end):
        previous = int(m.group(1)) if m.group(1) else previous + 1
        yield previous, m


def column_of(ref: bytes | None, fallback: int) -> int:
    if not ref:
        return fallback
    m = _REF.match(ref.decode())
    return column_index_from_string(m.group(1)) if m else fallback


def cells(row_xml: bytes, cell_re: re.Pattern) -> Iterator[tuple[int, dict[bytes, bytes], re.Match]]:
    """(column, attributes, match) of every cell of a row."""
    col = 0
    for m in cell_re.finditer(row_xml):
        a = attrs(m.group(1))
        col = column_of(a.get(b"r"), col + 1)
        yield col, a, m


def value_columns(row_xml: bytes, cell_re: re.Pattern, prefix: bytes) -> tuple[int, ...]:
    """The columns of the cells in a row that hold a value."""
    v, inline = b"<" + prefix + b"v>", b"<" + prefix + b"is"
    out = []
    for col, _a, m in cells(row_xml, cell_re):
        inner = m.group(2) or b""
        if (v in inner and v + b"</" not in inner) or inline in inner:
            out.append(col)
    return tuple(out)


def find_header(path: Path, part: str) -> HeaderRow:
    """The header row of worksheet `part` of the workbook at `path`: the first row that
    holds a value, reading only as far as it. Row 1 when the sheet holds no value at all
    (the reader then finds no columns)."""
    buffer, previous, prefix = b"", 0, None
    seen = 0
    with zipfile.ZipFile(path) as archive, archive.open(part) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            buffer += chunk
            if prefix is None:
                prefix = prefix_of(buffer[:4096])
                row_re, cell_re = row_pattern(prefix), cell_pattern(prefix)
            last = 0
            for number, m in numbered_rows(buffer, row_re, previous=previous):
                found = value_columns(m.group(0), cell_re, prefix)
                if found:
                    return HeaderRow(number, found)
                previous, last = number, m.end()
            buffer = buffer[last:]  # the rows looked at; a row cut by the chunk stays
            seen += len(chunk)
            if not chunk or seen > HEADER_SEARCH_MAX:
                return HeaderRow(1, ())
