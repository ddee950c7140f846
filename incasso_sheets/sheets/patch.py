"""Change cells of one worksheet in a copy of an .xlsx workbook; leave every other byte alone.

The copy is made part by part: every part of the package (other sheets, styles, shared
strings, column widths, images, charts, macros in an .xlsm) is copied as it is; in the
worksheet only the rows holding a changed cell are rewritten, and only their changed
cells differ. openpyxl would rewrite the whole workbook (and drop what it does not model,
such as charts and images), and at 100,000 rows it needs some 40 seconds to load and
save; this needs one regular-expression pass over the sheet's XML. openpyxl supplies the
knowledge of which number formats are dates, and the shifting of formula references.

Rows and columns are the ones the reader found (`Layout`, from the `r` attributes of the
sheet's XML, sheets.xlsx_rows), whatever sits above the header. Before anything is
written, every changed row must still hold the debtor number the reader read there;
otherwise the sheet changed after it was read and nothing is written (`update-row-moved`).

How values are written, in the sheet's own vocabulary and format:
* text as an inline string (`t="inlineStr"`), so it is never taken for a formula or a
  number, whatever it starts with; the cell keeps its style (a text format `@` stays);
* in a column with a dropdown (a list validation), the dropdown's spelling of the value
  (`nee` for `no`, `B2B` for `Zakelijk`), when one means the same (`Meaning`);
* in a date column (`dates`) a real date, with the column's date format, when the column
  holds dates (or, while it is empty, is formatted as dates); else text in the form the
  column's texts have (dd-mm-jjjj unless they are written otherwise);
* an IBAN compact or in groups of four, like the column's first IBAN, in capitals;
* in a column that holds numbers (debtor numbers typed as numbers) a number, when the
  text is a plain number, so the column stays one type;
* a cleared cell keeps its style and loses its value.
Rows added after the last data row copy that row's height, cell styles and formulas
(translated to their row), never its hidden state. What else refers to cells is kept up
to date by sheets.xlsx_keep: ranges, shared formulas, hyperlinks, recalculation on open.
When a changed cell held a formula, or formulas are added, the calculation chain is
dropped (Excel rebuilds it).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from openpyxl.utils import get_column_letter

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.sheets import xlsx_keep as keep
from incasso_sheets.sheets.read import excel_number_text
from incasso_sheets.sheets.xlsx_package import (
    calc_chain,
    clone,
    date_styles,
    epoch,
    external_targets,
    parse,
    relationships,
    rels_of,
    shared_strings,
    sheet_part,
    without,
    workbook_part,
)
from incasso_sheets.sheets.xlsx_rows import (
    attrs as _attrs,
)
from incasso_sheets.sheets.xlsx_rows import (
    cell_pattern,
    cells,
    numbered_rows,
    prefix_of,
    row_pattern,
)

KIND_SAMPLE_ROWS = 2000   # rows looked at to tell what a column holds
DEFAULT_DATE_FORMAT_ID = 14

_NUMBER = re.compile(r"^-?(0|[1-9]\d{0,14})(\.\d+)?$")  # no leading zeros: "00123" stays text
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPE_LOOKALIKE = re.compile(r"_(x[0-9A-Fa-f]{4})_")
_DMY_TEXT = re.compile(r"^\s*\d{1,2}([-/.])\d{1,2}\1\d{4}\s*$")
_ISO_TEXT = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")

# (kind, texts) -> what each text means, None where it means nothing of that kind
# (update.meanings: `no` and `nee` both mean false).
Meaning = Callable[[str, list[str]], list[str | None]]


@dataclass(frozen=True)
class Edit:
    text: str | None          # None clears the cell
    date: dt.date | None = None  # the text read as a date (date columns only)
    is_date_column: bool = False
    style: str | None = None  # style for a cell that does not exist yet (a new header)
    old: str | None = None    # the value it replaces (a hyperlink to it follows the new one)
    kind: str | None = None   # the debtor column ("iban", "direct_debit", ...)


@dataclass(frozen=True)
class Layout:
    """Where the table is in the worksheet, as the reader found it (RawSheet)."""
    header_row: int = 1
    columns: dict[str, int] = field(default_factory=dict)  # header -> column (A = 1)
    id_column: int | None = None   # the debtor number's column
    ids: dict[int, str] = field(default_factory=dict)  # row -> debtor number read there


@dataclass
class _Column:
    kind: str | None = None        # first value seen: "text", "number", "date"
    date_style: str | None = None  # style of the first date cell
    default_style: str | None = None  # <col style="..">
    sample: str | int | None = None   # first text: the text, or its shared-string index


@dataclass
class _Sheet:
    prefix: bytes
    styles_date: list[bool]
    epoch: dt.date
    columns: dict[int, _Column] = field(default_factory=dict)
    samples: dict[int, str] = field(default_factory=dict)  # column -> first text, resolved

    def column(self, index: int) -> _Column:
        return self.columns.setdefault(index, _Column())

    def is_date_style(self, style: str | None) -> bool:
        if style is None:
            return False
        i = int(style)
        return 0 <= i < len(self.styles_date) and self.styles_date[i]


def write_updated_copy(source: Path, target: Path | BinaryIO, sheet: str, headers: list[str],
                       edits: dict[tuple[int, str], Edit], *, last_row: int,
                       added_headers: tuple[str, ...] = (), layout: Layout | None = None,
                       meaning: Meaning | None = None) -> None:
    """Copy the workbook `source` to `target` (a name or a file open for writing) with `edits` ((row, header) -> Edit) applied to
    worksheet `sheet`. `headers` are the sheet's headers as read, `layout` where they are;
    `added_headers` become new columns after the last one; rows after `last_row` are new
    rows. Raises CannotContinue (and writes nothing) when a changed row no longer holds
    the debtor number `layout` expects there."""
    layout = layout or Layout(1, {h: i for i, h in enumerate(headers, 1)})
    with zipfile.ZipFile(source) as zin:
        names = set(zin.namelist())
        book = workbook_part(zin)
        book_rels = relationships(zin, book)
        part = sheet_part(zin, book, sheet, source)
        info = _Sheet(b"", date_styles(zin, book_rels), epoch(zin, book))
        xml = zin.read(part)

        def shared(wanted: set[int]) -> dict[int, str]:
            return shared_strings(zin, book_rels, wanted)

        sheet_rels = rels_of(part)
        link_rels = external_targets(zin.read(sheet_rels)) if sheet_rels in names else {}
        patched = _patch_sheet(xml, info, layout, edits, last_row, added_headers, shared,
                               meaning, link_rels, source)
        replaced: dict[str, bytes] = {}
        if patched.link_targets and sheet_rels in names:
            replaced[sheet_rels] = keep.retarget(zin.read(sheet_rels), patched.link_targets)
        if patched.grew:
            for rel_type, table in relationships(zin, part):
                if rel_type.endswith("/table") and table in names:
                    replaced[table] = keep.grow_refs(zin.read(table), last_row, patched.last_row)
        book_xml = zin.read(book)
        new_book = book_xml
        if patched.grew:
            new_book = keep.grow_defined_names(new_book, sheet, last_row, patched.last_row)
        if edits and _formulas_refer_to(zin, book_rels, part, sheet, xml, book_xml, info.prefix):
            new_book = keep.with_full_calc(new_book)
        if new_book != book_xml:
            replaced[book] = new_book
        drop = calc_chain(book, book_rels) if patched.formulas_changed else None
        with zipfile.ZipFile(target, "w") as zout:
            for item in zin.infolist():
                name = item.filename
                if name == drop:
                    continue
                if name == part:
                    with zout.open(clone(item), "w") as out:
                        for chunk in patched.chunks:
                            out.write(chunk)
                    continue
                data = replaced.get(name) or zin.read(name)
                if drop and name == "[Content_Types].xml":
                    data = without(data, rb"<Override\b[^>]*PartName=\"/" + re.escape(drop.encode()) + rb"\"[^>]*/>")
                elif drop and name == rels_of(book):
                    data = without(data, rb"<Relationship\b[^>]*/calcChain\"[^>]*/>")
                zout.writestr(clone(item), data)


def _formulas_refer_to(zin, book_rels, part: str, sheet: str, xml: bytes, book_xml: bytes,
                       prefix: bytes) -> bool:
    """Whether a formula may depend on a cell of the changed sheet: one in the sheet
    itself, one in another sheet naming it, or any formula when a defined name covers
    cells of the sheet (the formula may use the name)."""
    if keep.has_formula(xml, prefix):
        return True
    named = keep.refers_to(book_xml, sheet)
    names = set(zin.namelist())
    for rel_type, other in book_rels:
        if other != part and other in names and rel_type.endswith("/worksheet"):
            data = zin.read(other)
            if keep.refers_to(data, sheet) or (named and keep.has_formula(data, prefix_of(data[:4096]))):
                return True
    return False


# --- the worksheet ------------------------------------------------------------------------

@dataclass
class _Patched:
    chunks: list[bytes]           # the new worksheet part
    last_row: int                 # the last row after the added ones
    grew: bool                    # rows were added
    formulas_changed: bool        # a formula was overwritten, handed on or added
    link_targets: dict[bytes, str]  # hyperlink relationship id -> new target ('' removes)


@dataclass
class _Template:
    """What added rows take from the last data row."""
    attrs: dict[bytes, bytes] = field(default_factory=dict)
    styles: dict[int, str] = field(default_factory=dict)
    formulas: dict[int, tuple[str, str]] = field(default_factory=dict)  # col -> (origin, text)


@dataclass
class _Handover:
    """A shared formula whose master cell is overwritten (xlsx_keep)."""
    formula: keep.SharedFormula
    overwritten: set[tuple[int, int]]  # (row, col) of its cells that get a value
    done: bool = False

    @property
    def in_line(self) -> bool:  # one column or one row: the next cell can take over
        ref = self.formula.ref
        return ref.first_col == ref.last_col or ref.first_row == ref.last_row


def _patch_sheet(xml: bytes, info: _Sheet, layout: Layout, edits: dict[tuple[int, str], Edit],
                 last_row: int, added_headers: tuple[str, ...], shared, meaning: Meaning | None,
                 link_rels: dict[bytes, str], source: Path) -> _Patched:
    info.prefix = p = prefix_of(xml[:4096])
    row_re, cell_re = row_pattern(p), cell_pattern(p)
    open_tag = re.search(rb"<" + p + rb"sheetData\b[^>]*?(/?)>", xml)
    if open_tag is None:
        raise CannotContinue("file-unreadable", path=source, reason="it has no sheetData")
    empty = open_tag.group(1) == b"/"
    start = open_tag.end()
    end = start if empty else xml.index(b"</" + p + b"sheetData>", start)
    tail = xml[end:]
    _read_column_styles(xml[:open_tag.start()], info)

    positions = dict(layout.columns)
    header_xml = next((m.group(0) for n, m in numbered_rows(xml, row_re, start, end)
                       if n == layout.header_row), b"")
    header_styles = _cell_styles(header_xml, cell_re)
    header_style = header_styles[max(header_styles)] if header_styles else None
    for header in added_headers:
        positions[header] = max(positions.values(), default=0) + 1
    _sample_kinds(xml, start, end, row_re, cell_re, info, layout.header_row, shared)

    by_row: dict[int, dict[int, Edit]] = {}
    for (row, header), edit in edits.items():
        by_row.setdefault(row, {})[positions[header]] = edit
    _use_vocabulary(by_row, keep.list_validations(tail), meaning, last_row)
    if added_headers and header_xml:
        by_row.setdefault(layout.header_row, {}).update(
            {positions[h]: Edit(h, style=header_style) for h in added_headers})
    pending = sorted(by_row)
    grew = [r for r in pending if r > last_row]
    new_last = max(grew, default=last_row)
    overwritten = {(r, c) for r, row_edits in by_row.items() for c in row_edits}
    masters = keep.shared_masters(xml, p)
    handovers = [_Handover(f, {(r, c) for r, c in overwritten if f.ref.holds(c, r)})
                 for f in masters.values()
                 if (keep.area(f.origin).first_row, keep.area(f.origin).first_col) in overwritten]
    state = {"formulas": bool(handovers), "ids": {}}

    def body() -> Iterator[bytes]:
        template = _Template()
        above: tuple[int, re.Match | None] = (0, None)  # the row before the last data row
        pos, i = start, 0
        for number, m in numbered_rows(xml, row_re, start, end):
            active = [h for h in handovers if not h.done
                      and h.formula.ref.first_row <= number <= h.formula.ref.last_row]
            if i == len(pending) and not any(not h.done for h in handovers):
                break  # nothing left to change: the rest goes as it is
            while i < len(pending) and pending[i] < number:
                yield xml[pos:m.start()]
                pos = m.start()
                yield _new_row(pending[i], by_row[pending[i]], template, info, state)
                i += 1
            row_xml = m.group(0) if number >= last_row or number in by_row or active else b""
            if number == last_row:
                template = _template(row_xml, number, above[1].group(0) if above[1] is not None
                                     and above[0] == number - 1 else b"", cell_re, info, masters)
            elif number < last_row:
                above = (number, m)
            here = by_row[number] if i < len(pending) and pending[i] == number else None
            if here is None and not active:
                continue
            if here is not None:
                i += 1
                if layout.id_column is not None and number in layout.ids:
                    state["ids"][number] = _id_cell(row_xml, cell_re, layout.id_column)
            yield xml[pos:m.start()]
            yield _patched_row(row_xml, number, _row_attrs(row_xml, number > last_row), here or {},
                               cell_re, info, template.styles if number > last_row else {},
                               active, state)
            pos = m.end()
        yield xml[pos:end]
        while i < len(pending):
            yield _new_row(pending[i], by_row[pending[i]], template, info, state)
            i += 1

    # Consumed here, before anything is written: the pass finds the debtor numbers to
    # verify, and whether a formula changed.
    rows = list(body())
    _verify_rows(layout, state["ids"], info, shared, source)
    link_targets, tail = _links(tail, by_row, link_rels)
    if grew:
        tail = keep.grow_refs(tail, last_row, new_last)
    head = _grow_dimension(xml[:open_tag.start()], new_last, max(positions.values(), default=1), p)
    if empty:
        chunks = [head, xml[open_tag.start():open_tag.end() - 2] + b">", *rows,
                  b"</" + p + b"sheetData>", tail]
    else:
        chunks = [head, xml[open_tag.start():start], *rows, tail]
    return _Patched(chunks, new_last, bool(grew), state["formulas"], link_targets)


def _links(tail: bytes, by_row: dict[int, dict[int, Edit]],
           targets: dict[bytes, str]) -> tuple[dict[bytes, str], bytes]:
    """The hyperlinks of changed cells that pointed at the old value: their new targets
    (relationship id -> target, '' to remove), and the tail without those of cleared cells."""
    links = keep.hyperlinks(tail) if targets else {}
    changes: dict[bytes, str] = {}
    dropped: set[str] = set()
    for row, row_edits in by_row.items():
        for col, edit in row_edits.items():
            ref = keep.cell_ref(col, row)
            rid = links.get(ref)
            if rid is None or rid not in targets:
                continue
            new = keep.link_target(targets[rid], edit.old, edit.text)
            if new is None:
                continue
            changes[rid] = new
            if new == "":
                dropped.add(ref)
    return changes, (keep.without_hyperlinks(tail, dropped) if dropped else tail)


def _use_vocabulary(by_row: dict[int, dict[int, Edit]], lists, meaning: Meaning | None,
                    last_row: int) -> None:
    """Edits in a column with a dropdown take the dropdown's spelling of their value."""
    if not lists or meaning is None:
        return
    spelled: dict[tuple, str] = {}
    for row, row_edits in by_row.items():
        for col, edit in row_edits.items():
            if edit.text is None or edit.kind is None:
                continue
            at = min(row, last_row)  # an added row gets the rule the range grows into
            allowed = next((values for where, values in lists
                            if any(a.holds(col, at) for a in where)), None)
            if allowed and edit.text not in allowed:
                key = (edit.text, edit.kind, tuple(allowed))
                if key not in spelled:
                    spelled[key] = _spelling(edit.text, edit.kind, allowed, meaning)
                row_edits[col] = replace(edit, text=spelled[key])


def _spelling(text: str, kind: str, allowed: list[str], meaning: Meaning) -> str:
    same_case = next((a for a in allowed if a.casefold() == text.casefold()), None)
    if same_case is not None:
        return same_case
    wanted, *options = meaning(kind, [text, *allowed])
    if wanted is None:
        return text
    return next((a for a, m in zip(allowed, options, strict=True) if m == wanted), text)


def _row_attrs(row_xml: bytes, added: bool = False) -> dict[bytes, bytes]:
    """A row's attributes; an added row is never hidden (nor collapsed in an outline)."""
    found = _attrs(row_xml[:row_xml.index(b">")])
    if added:
        for name in (b"hidden", b"collapsed"):
            found.pop(name, None)
    return found


def _read_column_styles(head: bytes, info: _Sheet) -> None:
    p = info.prefix
    for m in re.finditer(rb"<" + p + rb"col\b([^>]*?)/?>", head):
        a = _attrs(m.group(1))
        if b"style" in a and b"min" in a and b"max" in a:
            for col in range(int(a[b"min"]), min(int(a[b"max"]), 16384) + 1):
                info.column(col).default_style = a[b"style"].decode()


def _unescape(raw: bytes) -> str:
    if b"&" not in raw:
        return raw.decode()
    return parse(b"<t>" + raw + b"</t>").text or ""


_INLINE_T = re.compile(rb"<(?:\w+:)?t\b[^>]*>(.*?)</(?:\w+:)?t>", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)


def _sample_kinds(xml: bytes, start: int, end: int, row_re, cell_re, info: _Sheet,
                  header_row: int, shared) -> None:
    """What the columns hold, from their first values below the header; and the first
    text of each column, for the form of dates and IBANs written into it."""
    for n, (number, m) in enumerate(numbered_rows(xml, row_re, start, end)):
        if n > KIND_SAMPLE_ROWS:
            break
        if number <= header_row:
            continue
        for col, attrs, cell in cells(m.group(0), cell_re):
            column = info.column(col)
            inner = cell.group(2)
            t = attrs.get(b"t", b"n")
            if not inner or (b"<" + info.prefix + b"v" not in inner and t != b"inlineStr"):
                continue
            kind = _kind(attrs, info)
            if kind == "date" and column.date_style is None:
                column.date_style = attrs.get(b"s", b"").decode() or None
            if column.kind is None:
                column.kind = kind
            if column.sample is None and kind == "text":
                if t == b"s":
                    v = _VALUE.search(inner)
                    column.sample = int(v.group(1)) if v else None
                else:
                    column.sample = _cell_text(attrs, inner, info, {})
    indices = {c.sample for c in info.columns.values() if isinstance(c.sample, int)}
    strings = shared(indices) if indices else {}
    info.samples = {col: strings.get(c.sample, "") if isinstance(c.sample, int) else c.sample
                    for col, c in info.columns.items() if c.sample is not None}


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


def _cell_text(attrs: dict[bytes, bytes], inner: bytes, info: _Sheet,
               strings: dict[int, str]) -> str | None:
    """A cell's value as the reader reads it (sheets.read): text as written, a number as
    Excel shows it, a date as yyyy-mm-dd; None when empty."""
    t = attrs.get(b"t", b"n")
    if t == b"inlineStr":
        return _unescape(b"".join(_INLINE_T.findall(inner)))
    v = _VALUE.search(inner or b"")
    if v is None:
        return None
    raw = v.group(1)
    if t == b"s":
        return strings.get(int(raw))
    if t == b"b":
        return "true" if raw.strip() in (b"1", b"true") else "false"
    if t == b"d":
        return raw.decode()[:10]
    if t == b"n":
        try:
            number = float(raw)
        except ValueError:
            return _unescape(raw)
        style = attrs.get(b"s")
        if info.is_date_style(style.decode() if style else None):
            return (info.epoch + dt.timedelta(days=int(number))).isoformat()
        return excel_number_text(number)
    return _unescape(raw)


def _cell_styles(row_xml: bytes, cell_re) -> dict[int, str]:
    return {col: attrs[b"s"].decode() for col, attrs, _m in cells(row_xml, cell_re) if b"s" in attrs}


_F = re.compile(rb"<(?:\w+:)?f\b([^>]*?)(?:/>|>([^<]*)</(?:\w+:)?f>)")


def _template(row_xml: bytes, number: int, above: bytes, cell_re, info: _Sheet,
              masters: dict[bytes, keep.SharedFormula]) -> _Template:
    """What rows added below `row_xml` (the last data row) take from it: attributes but
    the hidden state, cell styles, and the formulas of computed columns: a formula filled
    down (shared), or the same formula in the row `above`."""
    formulas = _formulas(row_xml, number, cell_re, masters)
    if formulas and above:
        previous = _formulas(above, number - 1, cell_re, masters)
        formulas = {col: (origin, text) for col, (origin, text) in formulas.items()
                    if origin != keep.cell_ref(col, number) or (col in previous and keep.translate(
                        previous[col][1], previous[col][0], keep.cell_ref(col, number)) == text)}
    elif formulas:
        formulas = {col: f for col, f in formulas.items() if f[0] != keep.cell_ref(col, number)}
    return _Template(_row_attrs(row_xml, added=True), _cell_styles(row_xml, cell_re), formulas)


def _formulas(row_xml: bytes, number: int, cell_re,
              masters: dict[bytes, keep.SharedFormula]) -> dict[int, tuple[str, str]]:
    """Column -> (cell the formula is written in, formula) of the formulas of a row; a
    shared formula's is its master's."""
    out: dict[int, tuple[str, str]] = {}
    for col, _cell_attrs, m in cells(row_xml, cell_re):
        f = _F.search(m.group(2) or b"")
        if f is None:
            continue
        fa = _attrs(f.group(1))
        if fa.get(b"t") == b"shared":
            master = masters.get(fa.get(b"si"))
            if master is not None and master.ref.last_row > master.ref.first_row:
                out[col] = (master.origin, master.text)
        elif fa.get(b"t") in (None, b"normal") and f.group(2):
            out[col] = (keep.cell_ref(col, number), _unescape(f.group(2)))
    return out


def _id_cell(row_xml: bytes, cell_re, id_column: int) -> tuple[dict[bytes, bytes], bytes] | None:
    for col, attrs, m in cells(row_xml, cell_re):
        if col == id_column:
            return attrs, m.group(2) or b""
    return None


def _verify_rows(layout: Layout, found: dict[int, tuple | None], info: _Sheet, shared,
                 source: Path) -> None:
    """Every changed row still holds the debtor number the reader read there; otherwise the
    sheet changed after it was read and an edit would land on another debtor."""
    indices = set()
    for cell in found.values():
        if cell is not None and cell[0].get(b"t") == b"s":
            v = _VALUE.search(cell[1])
            if v is not None:
                indices.add(int(v.group(1)))
    strings = shared(indices) if indices else {}
    for row in sorted(layout.ids):
        cell = found.get(row)
        text = _cell_text(cell[0], cell[1], info, strings) if cell is not None else None
        expected = layout.ids[row]
        if not _same_id(text, expected):
            raise CannotContinue("update-row-moved", path=source.name, row=row,
                                 expected=expected, found=(text or "").strip())


def _same_id(text: str | None, expected: str) -> bool:
    """The cell text against the number the reader read: the same text, stripped; a number
    the reader may have written in another form (a mixed column) compares by its digits."""
    if text is None:
        return False
    text = text.strip()
    if text == expected:
        return True
    try:
        return float(text) == float(expected)
    except ValueError:
        return False


def _patched_row(row_xml: bytes, number: int, attrs: dict[bytes, bytes], edits: dict[int, Edit],
                 cell_re, info: _Sheet, template_styles: dict[int, str],
                 handovers: list[_Handover], state: dict) -> bytes:
    new_cells: dict[int, bytes] = {}
    for col, cell_attrs, m in cells(row_xml, cell_re):
        if col in edits:
            if m.group(2) and re.search(rb"<" + info.prefix + rb"f[\s>/]", m.group(2)):
                state["formulas"] = True
            style = cell_attrs.get(b"s", b"").decode() or edits[col].style
            new_cells[col] = _cell(col, number, edits[col], style, info)
        else:
            new_cells[col] = _handed_over(m.group(0), m.group(2) or b"", col, number, handovers, info)
    for col, edit in edits.items():
        if col not in new_cells:
            style = edit.style or template_styles.get(col, info.column(col).default_style)
            new_cells[col] = _cell(col, number, edit, style, info)
    return _row(number, attrs, new_cells, info)


def _handed_over(cell_xml: bytes, inner: bytes, col: int, row: int, handovers: list[_Handover],
                 info: _Sheet) -> bytes:
    """A cell of a shared formula whose master is overwritten: the first one left takes
    over as master (a range in one row or column), or each gets its formula written out."""
    if not handovers or b"shared" not in inner:
        return cell_xml
    f = _F.search(inner)
    fa = _attrs(f.group(1)) if f else {}
    if fa.get(b"t") != b"shared" or b"ref" in fa:
        return cell_xml
    for h in handovers:
        shared_formula = h.formula
        if h.done or fa.get(b"si") != shared_formula.si or not shared_formula.ref.holds(col, row):
            continue
        here = keep.cell_ref(col, row)
        text = keep.translate(shared_formula.text, shared_formula.origin, here)
        if h.in_line:
            ref = shared_formula.ref
            new_ref = f"{here}:{keep.cell_ref(ref.last_col, ref.last_row)}"
            element = keep.formula_element(info.prefix, text, (shared_formula.si, new_ref))
            h.done = True
        else:
            element = keep.formula_element(info.prefix, text)
        start = cell_xml.index(f.group(0))  # (the start tag <c ..> holds no "<f")
        return cell_xml[:start] + element + cell_xml[start + len(f.group(0)):]
    return cell_xml


def _new_row(number: int, edits: dict[int, Edit], template: _Template, info: _Sheet,
             state: dict) -> bytes:
    new_cells = {col: _cell(col, number, Edit(None), style, info)
                 for col, style in template.styles.items()}
    for col, (origin, text) in template.formulas.items():
        if col not in edits:
            state["formulas"] = True
            style = template.styles.get(col)
            s = f' s="{style}"' if style else ""
            formula = keep.formula_element(info.prefix, keep.translate(
                text, origin, keep.cell_ref(col, number)))
            new_cells[col] = (f'<{info.prefix.decode()}c r="{keep.cell_ref(col, number)}"{s}>'
                              .encode() + formula + b"</" + info.prefix + b"c>")
    for col, edit in edits.items():
        style = template.styles.get(col, info.column(col).default_style)
        new_cells[col] = _cell(col, number, edit, style, info)
    return _row(number, template.attrs, new_cells, info)


def _row(number: int, attrs: dict[bytes, bytes], cells_xml: dict[int, bytes], info: _Sheet) -> bytes:
    p = info.prefix
    kept = b"".join(b' %s="%s"' % (k, v) for k, v in attrs.items() if k not in (b"r", b"spans"))
    body = b"".join(cells_xml[c] for c in sorted(cells_xml) if cells_xml[c])
    tag = b"<" + p + b'row r="%d"' % number + kept
    return tag + (b">" + body + b"</" + p + b"row>" if body else b"/>")


def _cell(col: int, row: int, edit: Edit, style: str | None, info: _Sheet) -> bytes:
    p = info.prefix.decode()
    ref = f"{get_column_letter(col)}{row}"
    column = info.column(col)
    if edit.text is None:
        return f'<{p}c r="{ref}" s="{style}"/>'.encode() if style else b""
    text = edit.text
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
        text = _date_text(edit.date, info.samples.get(col))
    elif edit.kind == "iban":
        text = _iban_text(text, info.samples.get(col))
    s = f' s="{style}"' if style else ""
    if column.kind == "number" and not edit.is_date_column and _NUMBER.match(text):
        return f'<{p}c r="{ref}"{s}><{p}v>{text}</{p}v></{p}c>'.encode()
    return (f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is><{p}t xml:space="preserve">{_xml_text(text)}'
            f'</{p}t></{p}is></{p}c>').encode()


def _date_text(day: dt.date, sample: str | None) -> str:
    """A date as text in the form of the column's texts: dd-mm-jjjj (or with / or .) unless
    the column writes yyyy-mm-dd."""
    if sample and _ISO_TEXT.match(sample):
        return day.isoformat()
    m = _DMY_TEXT.match(sample or "")
    sep = m.group(1) if m else "-"
    return f"{day.day:02d}{sep}{day.month:02d}{sep}{day.year}"


def _iban_text(text: str, sample: str | None) -> str:
    """An IBAN in capitals, compact or in groups of four like the column's first IBAN."""
    compact = re.sub(r"[\s\u00a0]", "", text).upper()
    if sample and re.match(r"^[A-Za-z]{2}\d{2}[\s\u00a0][0-9A-Za-z]{4}[\s\u00a0]", sample.strip()):
        return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))
    return compact


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
    found = keep.area(end or first)
    if found is None:
        return head
    row = max(found.last_row, last_row)
    col = max(found.last_col, last_col)
    new = f"{first}:{get_column_letter(col)}{row}".encode()
    return head[:m.start(1)] + new + head[m.end(1):]
