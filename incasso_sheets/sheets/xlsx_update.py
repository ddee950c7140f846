"""Change cells of one worksheet in a copy of an .xlsx workbook; leave every other byte alone.

The copy is made part by part: every part of the package (other sheets, styles, shared
strings, column widths, data validations, images, charts, macros in an .xlsm) is copied
as it is; in the worksheet only the rows holding a changed cell are rewritten, and only
their changed cells differ. openpyxl would rewrite the whole workbook (and drop what it
does not model, such as charts and images), and at 100,000 rows it needs some 40 seconds
to load and save; this needs one regular-expression pass over the sheet's XML. openpyxl
supplies the knowledge of which number formats are dates.

How values are written:
* text as an inline string (`t="inlineStr"`), so it is never taken for a formula or a
  number, whatever it starts with; the cell keeps its style (a text format `@` stays);
* in a date column (`dates`) a real date, with the column's date format, when the column
  holds dates (or, while it is empty, is formatted as dates); else the text as typed;
* in a column that holds numbers (debtor numbers typed as numbers) a number, when the
  text is a plain number, so the column stays one type;
* a cleared cell keeps its style and loses its value.
Rows added after the last data row copy that row's height and cell styles. The sheet's
dimension, its auto-filter and a table ending at the last data row grow with them.
When a changed cell held a formula, the calculation chain is dropped (Excel rebuilds it).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import column_index_from_string, get_column_letter

from incasso_sheets.errors import CannotContinue

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
KIND_SAMPLE_ROWS = 2000   # rows looked at to tell what a column holds
DEFAULT_DATE_FORMAT_ID = 14

_ATTR = re.compile(rb"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(r"^\$?([A-Z]+)\$?(\d+)$")
_NUMBER = re.compile(r"^-?(0|[1-9]\d{0,14})(\.\d+)?$")  # no leading zeros: "00123" stays text
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPE_LOOKALIKE = re.compile(r"_(x[0-9A-Fa-f]{4})_")


@dataclass(frozen=True)
class Edit:
    text: str | None          # None clears the cell
    date: dt.date | None = None  # the text read as a date (date columns only)
    is_date_column: bool = False
    style: str | None = None  # style for a cell that does not exist yet (a new header)


@dataclass
class _Column:
    kind: str | None = None        # first value seen: "text", "number", "date"
    date_style: str | None = None  # style of the first date cell
    default_style: str | None = None  # <col style="..">


@dataclass
class _Sheet:
    prefix: bytes
    styles_date: list[bool]
    epoch: dt.date
    columns: dict[int, _Column] = field(default_factory=dict)
    had_formula: bool = False

    def column(self, index: int) -> _Column:
        return self.columns.setdefault(index, _Column())

    def is_date_style(self, style: str | None) -> bool:
        if style is None:
            return False
        i = int(style)
        return 0 <= i < len(self.styles_date) and self.styles_date[i]


def write_updated_copy(source: Path, target: Path | BinaryIO, sheet: str, headers: list[str],
                       edits: dict[tuple[int, str], Edit], *, last_row: int,
                       added_headers: tuple[str, ...] = ()) -> None:
    """Copy the workbook `source` to `target` (a name or a file open for writing) with `edits` ((row, header) -> Edit) applied to
    worksheet `sheet`. `headers` are the sheet's headers as read; `added_headers` become
    new columns after the last one; rows after `last_row` are new rows."""
    with zipfile.ZipFile(source) as zin:
        names = set(zin.namelist())
        book = _workbook_part(zin)
        book_rels = _relationships(zin, book)
        part = _sheet_part(zin, book, sheet, source)
        info = _Sheet(b"", _date_styles(zin, book_rels), _epoch(zin, book))
        xml = zin.read(part)

        def shared(wanted: set[int]) -> dict[int, str]:
            return _shared_strings(zin, book_rels, wanted)

        chunks, extent = _patch_sheet(xml, info, headers, edits, last_row, added_headers, shared)
        tables = {}
        if extent.grew_rows:
            for rel_type, table in _relationships(zin, part):
                if rel_type.endswith("/table") and table in names:
                    tables[table] = _extend_refs(zin.read(table), last_row, extent.last_row)
        drop = _calc_chain(book, book_rels) if info.had_formula else None
        with zipfile.ZipFile(target, "w") as zout:
            for item in zin.infolist():
                name = item.filename
                if name == drop:
                    continue
                if name == part:
                    with zout.open(_clone(item), "w") as out:
                        for chunk in chunks:
                            out.write(chunk)
                    continue
                data = zin.read(name)
                if name in tables:
                    data = tables[name]
                elif drop and name == "[Content_Types].xml":
                    data = _without(data, rb"<Override\b[^>]*PartName=\"/" + re.escape(drop.encode()) + rb"\"[^>]*/>")
                elif drop and name == _rels_of(book):
                    data = _without(data, rb"<Relationship\b[^>]*/calcChain\"[^>]*/>")
                zout.writestr(_clone(item), data)


# --- the package ----------------------------------------------------------------------------

def _clone(item: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A fresh entry with the original's name, time stamp and compression (the original
    ZipInfo still serves reading the source)."""
    copy = zipfile.ZipInfo(item.filename, item.date_time)
    copy.compress_type = item.compress_type
    copy.external_attr = item.external_attr
    copy.create_system = item.create_system
    return copy


def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _relationships(zin: zipfile.ZipFile, part: str) -> list[tuple[str, str]]:
    """(type, target part) of every relationship of `part`."""
    path = _rels_of(part)
    if path not in zin.namelist():
        return []
    root = etree.fromstring(zin.read(path))
    out = []
    for rel in root.iter(f"{{{PKG_REL}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(posixpath.dirname(part), target))
        out.append((rel.get("Type", ""), target))
    return out


def _workbook_part(zin: zipfile.ZipFile) -> str:
    for rel_type, target in _relationships(zin, ""):
        if rel_type.endswith("/officeDocument"):
            return target
    return "xl/workbook.xml"


def _sheet_part(zin, book: str, sheet: str, source: Path) -> str:
    root = etree.fromstring(zin.read(book))
    ids = {}
    root_rels = etree.fromstring(zin.read(_rels_of(book)))
    for rel in root_rels.iter(f"{{{PKG_REL}}}Relationship"):
        target = rel.get("Target", "")
        ids[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(posixpath.dirname(book), target))
    names = []
    for node in root.iter(f"{{{MAIN}}}sheet"):
        names.append(node.get("name"))
        if node.get("name") == sheet:
            return ids[node.get(f"{{{REL}}}id")]
    raise CannotContinue("sheet-not-found", sheet=sheet, path=source.name, available=", ".join(names))


def _date_styles(zin, book_rels) -> list[bool]:
    """Per cell style (xf) index: does its number format show a date?"""
    path = next((t for r, t in book_rels if r.endswith("/styles")), None)
    if path is None or path not in zin.namelist():
        return []
    root = etree.fromstring(zin.read(path))
    custom = {int(n.get("numFmtId")): n.get("formatCode", "")
              for n in root.iter(f"{{{MAIN}}}numFmt")}
    xfs = root.find(f"{{{MAIN}}}cellXfs")
    out = []
    for xf in (xfs if xfs is not None else ()):
        fmt_id = int(xf.get("numFmtId", "0"))
        code = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id, "General"))
        out.append(bool(is_date_format(code)) or 27 <= fmt_id <= 36 or 50 <= fmt_id <= 58)
    return out


def _shared_strings(zin, book_rels, wanted: set[int]) -> dict[int, str]:
    """The shared strings at the `wanted` indices, reading no further than needed."""
    path = next((t for r, t in book_rels if r.endswith("/sharedStrings")), None)
    if not wanted or path is None or path not in zin.namelist():
        return {}
    out: dict[int, str] = {}
    last = max(wanted)
    with zin.open(path) as fh:
        for n, (_event, node) in enumerate(etree.iterparse(fh, tag=f"{{{MAIN}}}si")):
            if n in wanted:
                out[n] = "".join(t.text or "" for t in node.iter(f"{{{MAIN}}}t"))
            node.clear()
            if n >= last:
                break
    return out


def _epoch(zin, book: str) -> dt.date:
    root = etree.fromstring(zin.read(book))
    pr = root.find(f"{{{MAIN}}}workbookPr")
    if pr is not None and pr.get("date1904") in ("1", "true"):
        return dt.date(1904, 1, 1)
    return dt.date(1899, 12, 30)  # the 1900 system, counting Excel's 29-02-1900 in


def _calc_chain(book: str, book_rels) -> str | None:
    return next((t for r, t in book_rels if r.endswith("/calcChain")), None)


def _without(data: bytes, pattern: bytes) -> bytes:
    return re.sub(pattern, b"", data)


# --- the worksheet ------------------------------------------------------------------------

@dataclass
class _Extent:
    last_row: int
    grew_rows: bool


def _patch_sheet(xml: bytes, info: _Sheet, headers: list[str], edits: dict[tuple[int, str], Edit],
                 last_row: int, added_headers: tuple[str, ...], shared) -> tuple[list[bytes], _Extent]:
    root = re.search(rb"<(?:(\w+):)?worksheet\b", xml)
    info.prefix = (root.group(1) + b":") if root and root.group(1) else b""
    p = info.prefix
    # group 1: the row number, read ahead in the start tag (a row may leave it out)
    row_re = re.compile(rb"<" + p + rb"row\b(?=[^>]*?\br=\"(\d+)\")?[^>]*?(?:/>|>.*?</" + p
                        + rb"row>)", re.S)
    cell_re = re.compile(rb"<" + p + rb"c\b([^>]*?)(?:/>|>(.*?)</" + p + rb"c>)", re.S)
    open_tag = re.search(rb"<" + p + rb"sheetData\b[^>]*?(/?)>", xml)
    if open_tag is None:
        raise CannotContinue("file-unreadable", path="worksheet", reason="it has no sheetData")
    empty = open_tag.group(1) == b"/"
    start = open_tag.end()
    end = start if empty else xml.index(b"</" + p + b"sheetData>", start)
    _read_column_styles(xml[:open_tag.start()], info)

    header_row = next(row_re.finditer(xml, start, end), None)
    header_xml = header_row.group(0) if header_row else b""
    positions = _header_positions(header_xml, cell_re, headers, shared)
    header_styles = _cell_styles(header_xml, cell_re)
    header_style = header_styles[max(header_styles)] if header_styles else None
    for header in added_headers:
        positions[header] = max(positions.values(), default=0) + 1
    _sample_kinds(xml, start, end, row_re, cell_re, info)

    by_row: dict[int, dict[int, Edit]] = {}
    for (row, header), edit in edits.items():
        by_row.setdefault(row, {})[positions[header]] = edit
    if added_headers and header_row is not None:
        by_row.setdefault(1, {}).update({positions[h]: Edit(h, style=header_style)
                                         for h in added_headers})
    pending = sorted(by_row)
    grew = [r for r in pending if r > last_row]
    new_last = max(grew, default=last_row)

    def body() -> Iterator[bytes]:
        template: tuple[dict[bytes, bytes], dict[int, str]] = ({}, {})
        pos, previous = start, 0
        i = 0
        for m in row_re.finditer(xml, start, end):
            if i == len(pending):
                break  # nothing left to change: the rest goes as it is
            number = int(m.group(1)) if m.group(1) else previous + 1
            previous = number
            while i < len(pending) and pending[i] < number:
                yield xml[pos:m.start()]
                pos = m.start()
                yield _new_row(pending[i], by_row[pending[i]], template, info)
                i += 1
            if number == last_row:
                template = (_row_attrs(m.group(0)), _cell_styles(m.group(0), cell_re))
            if i < len(pending) and pending[i] == number:
                yield xml[pos:m.start()]
                yield _patched_row(m.group(0), number, _row_attrs(m.group(0)), by_row[number],
                                   cell_re, info, template[1] if number > last_row else {})
                pos = m.end()
                i += 1
        yield xml[pos:end]
        while i < len(pending):
            yield _new_row(pending[i], by_row[pending[i]], template, info)
            i += 1

    head = xml[:open_tag.start()]
    width = max(positions.values(), default=1)
    head = _grow_dimension(head, new_last, width, p)
    tail = xml[end:]
    if grew:
        tail = _extend_refs(tail, last_row, new_last)
    if empty:
        chunks = [head, xml[open_tag.start():open_tag.end() - 2] + b">", *body(),
                  b"</" + p + b"sheetData>", tail]
    else:
        chunks = [head, xml[open_tag.start():start], *body(), tail]
    return chunks, _Extent(new_last, bool(grew))


def _row_attrs(row_xml: bytes) -> dict[bytes, bytes]:
    return _attrs(row_xml[:row_xml.index(b">")])


def _attrs(tag: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _ATTR.finditer(tag)}


def _column_of(ref: bytes | None, fallback: int) -> int:
    if not ref:
        return fallback
    m = _REF.match(ref.decode())
    return column_index_from_string(m.group(1)) if m else fallback


def _cells(row_xml: bytes, cell_re) -> Iterator[tuple[int, dict[bytes, bytes], re.Match]]:
    col = 0
    for m in cell_re.finditer(row_xml):
        attrs = _attrs(m.group(1))
        col = _column_of(attrs.get(b"r"), col + 1)
        yield col, attrs, m


def _read_column_styles(head: bytes, info: _Sheet) -> None:
    p = info.prefix
    for m in re.finditer(rb"<" + p + rb"col\b([^>]*?)/?>", head):
        a = _attrs(m.group(1))
        if b"style" in a and b"min" in a and b"max" in a:
            for col in range(int(a[b"min"]), min(int(a[b"max"]), 16384) + 1):
                info.column(col).default_style = a[b"style"].decode()


def _header_positions(row_xml: bytes, cell_re, headers: list[str], shared) -> dict[str, int]:
    """Header as read -> column number: by the header cell's text, else (a header the reader
    made up, such as `__UNNAMED__3`) by its place among the headers as read."""
    found: list[tuple[int, str | int]] = []
    first = None
    for col, attrs, m in _cells(row_xml, cell_re):
        first = col if first is None else first
        inner = m.group(2) or b""
        kind = attrs.get(b"t", b"n")
        if kind == b"inlineStr":
            parts = re.findall(rb"<(?:\w+:)?t\b[^>]*>(.*?)</(?:\w+:)?t>", inner, re.S)
            found.append((col, _unescape(b"".join(parts))))
            continue
        value = re.search(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", inner, re.S)
        if value is not None:
            found.append((col, int(value.group(1)) if kind == b"s" else _unescape(value.group(1))))
    strings = shared({v for _, v in found if isinstance(v, int)})
    texts: dict[str, int] = {}
    for col, v in found:
        text = strings.get(v, "") if isinstance(v, int) else v
        texts.setdefault(text.strip(), col)
        texts.setdefault(text, col)
    first = first or 1
    return {h: texts.get(h, texts.get(h.strip(), first + i)) for i, h in enumerate(headers)}


def _unescape(raw: bytes) -> str:
    return etree.fromstring(b"<t>" + raw + b"</t>").text or ""


def _sample_kinds(xml: bytes, start: int, end: int, row_re, cell_re, info: _Sheet) -> None:
    """What the columns hold, from their first values (the header row left out)."""
    for n, m in enumerate(row_re.finditer(xml, start, end)):
        if n == 0:
            continue
        if n > KIND_SAMPLE_ROWS:
            break
        for col, attrs, cell in _cells(m.group(0), cell_re):
            column = info.column(col)
            inner = cell.group(2)
            if not inner or (b"<" + info.prefix + b"v" not in inner and b"inlineStr" not in attrs.get(b"t", b"")):
                continue
            kind = _kind(attrs, info)
            if kind == "date" and column.date_style is None:
                column.date_style = attrs.get(b"s", b"").decode() or None
            if column.kind is None:
                column.kind = kind


def _kind(attrs: dict[bytes, bytes], info: _Sheet) -> str:
    t = attrs.get(b"t", b"n")
    if t in (b"s", b"inlineStr", b"str"):
        return "text"
    if t == b"d":
        return "date"
    if t == b"n":
        style = attrs.get(b"s")
        return "date" if info.is_date_style(style.decode() if style else None) else "number"
    return "other"


def _cell_styles(row_xml: bytes, cell_re) -> dict[int, str]:
    return {col: attrs[b"s"].decode() for col, attrs, _m in _cells(row_xml, cell_re) if b"s" in attrs}


def _patched_row(row_xml: bytes, number: int, attrs: dict[bytes, bytes], edits: dict[int, Edit],
                 cell_re, info: _Sheet, template_styles: dict[int, str]) -> bytes:
    cells: dict[int, bytes] = {}
    for col, cell_attrs, m in _cells(row_xml, cell_re):
        if col in edits:
            if m.group(2) and b"<" + info.prefix + b"f" in m.group(2):
                info.had_formula = True
            style = cell_attrs.get(b"s", b"").decode() or edits[col].style
            cells[col] = _cell(col, number, edits[col], style, info)
        else:
            cells[col] = m.group(0)
    for col, edit in edits.items():
        if col not in cells:
            style = edit.style or template_styles.get(col, info.column(col).default_style)
            cells[col] = _cell(col, number, edit, style, info)
    return _row(number, attrs, cells, info)


def _new_row(number: int, edits: dict[int, Edit],
             template: tuple[dict[bytes, bytes], dict[int, str]], info: _Sheet) -> bytes:
    attrs, styles = template
    cells = {col: _cell(col, number, Edit(None), style, info) for col, style in styles.items()}
    for col, edit in edits.items():
        style = styles.get(col, info.column(col).default_style)
        cells[col] = _cell(col, number, edit, style, info)
    return _row(number, attrs, cells, info)


def _row(number: int, attrs: dict[bytes, bytes], cells: dict[int, bytes], info: _Sheet) -> bytes:
    p = info.prefix
    kept = b"".join(b' %s="%s"' % (k, v) for k, v in attrs.items() if k not in (b"r", b"spans"))
    body = b"".join(cells[c] for c in sorted(cells) if cells[c])
    tag = b"<" + p + b'row r="%d"' % number + kept
    return tag + (b">" + body + b"</" + p + b"row>" if body else b"/>")


def _cell(col: int, row: int, edit: Edit, style: str | None, info: _Sheet) -> bytes:
    p = info.prefix.decode()
    ref = f"{get_column_letter(col)}{row}"
    column = info.column(col)
    if edit.text is None:
        return f'<{p}c r="{ref}" s="{style}"/>'.encode() if style else b""
    if edit.is_date_column and edit.date is not None:
        holds_dates = column.kind == "date" or (
            column.kind is None and (info.is_date_style(style) or info.is_date_style(column.default_style)))
        if holds_dates:
            if not info.is_date_style(style):
                style = column.date_style or (
                    column.default_style if info.is_date_style(column.default_style) else None)
            if style is not None:
                serial = (edit.date - info.epoch).days
                return f'<{p}c r="{ref}" s="{style}"><{p}v>{serial}</{p}v></{p}c>'.encode()
    s = f' s="{style}"' if style else ""
    if column.kind == "number" and not edit.is_date_column and _NUMBER.match(edit.text):
        return f'<{p}c r="{ref}"{s}><{p}v>{edit.text}</{p}v></{p}c>'.encode()
    text = _xml_text(edit.text)
    return (f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is><{p}t xml:space="preserve">{text}'
            f'</{p}t></{p}is></{p}c>').encode()


def _xml_text(value: str) -> str:
    """Escaped for XML; characters XML cannot hold as `_xHHHH_`, as Excel writes them."""
    value = _ESCAPE_LOOKALIKE.sub(r"_x005F_\1_", value)
    value = _ILLEGAL_XML.sub(lambda m: f"_x{ord(m.group(0)):04X}_", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- references that grow with added rows ----------------------------------------------------

def _grow_dimension(head: bytes, last_row: int, last_col: int, p: bytes) -> bytes:
    m = re.search(rb"<" + p + rb'dimension\b[^>]*\bref="([^"]*)"', head)
    if m is None:
        return head
    ref = m.group(1).decode()
    first, _, end = ref.partition(":")
    end = end or first
    em = _REF.match(end)
    if not em:
        return head
    row = max(int(em.group(2)), last_row)
    col = max(column_index_from_string(em.group(1)), last_col)
    new = f"{first}:{get_column_letter(col)}{row}".encode()
    return head[:m.start(1)] + new + head[m.end(1):]


def _extend_refs(xml: bytes, last_row: int, new_last: int) -> bytes:
    """`ref="A1:O41"` attributes (auto-filter, table) that end at the last data row reach the
    last added row."""
    def grow(m: re.Match) -> bytes:
        ref = m.group(2).decode()
        first, sep, end = ref.partition(":")
        em = _REF.match(end) if sep else None
        if em is None or int(em.group(2)) != last_row:
            return m.group(0)
        return m.group(1) + f'{first}:{em.group(1)}{new_last}"'.encode()
    return re.sub(rb'(<(?:\w+:)?(?:autoFilter|table)\b[^>]*?\bref=")([^"]*)"', grow, xml)
