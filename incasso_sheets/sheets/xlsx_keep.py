"""What keeps a workbook whole around changed cells: the parts of the package that refer to
cells of the changed worksheet, and the sheet's own rules for what a cell may hold.

* Ranges that end at the last data row (auto-filter, table, data validation, conditional
  formatting, defined names) reach the rows added after it.
* A shared formula (`<f t="shared" ref=".." si="..">`, how Excel stores a formula filled
  down) whose master cell is overwritten: its next cell becomes the master, with the
  formula translated to that cell (openpyxl's Translator, the way Excel shifts relative
  references); a range over several rows and columns is written out as plain formulas.
* Hyperlinks whose target is the cell's old value (`mailto:` + old address) follow the
  new value; a cleared cell loses its link.
* Excel is asked to recalculate on open (`<calcPr fullCalcOnLoad="1"/>`) when a formula
  may depend on a changed cell, since the cached results are stale.
* A column's dropdown (a list validation) says which spellings the sheet uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from openpyxl.formula.translate import Translator
from openpyxl.utils import column_index_from_string, get_column_letter

from incasso_sheets.sheets.xlsx_rows import attrs

_RANGE = re.compile(r"^(\$?)([A-Z]{1,3})(\$?)(\d+)(?::(\$?)([A-Z]{1,3})(\$?)(\d+))?$")


@dataclass(frozen=True)
class Area:
    first_col: int
    first_row: int
    last_col: int
    last_row: int

    def holds(self, col: int, row: int) -> bool:
        return self.first_col <= col <= self.last_col and self.first_row <= row <= self.last_row


def area(ref: str) -> Area | None:
    m = _RANGE.match(ref.strip())
    if m is None:
        return None
    c1, r1 = column_index_from_string(m.group(2)), int(m.group(4))
    if m.group(6) is None:
        return Area(c1, r1, c1, r1)
    return Area(c1, r1, column_index_from_string(m.group(6)), int(m.group(8)))


def areas(sqref: str) -> list[Area]:
    return [a for a in (area(r) for r in sqref.split()) if a is not None]


# --- ranges that grow with added rows ------------------------------------------------------

def grow_range(ref: str, last_row: int, new_last: int) -> str:
    """`ref` (one range, or several separated by spaces) with every range that ends at
    `last_row`, and spans more than one row, reaching `new_last`."""
    out = []
    for one in ref.split(" "):
        m = _RANGE.match(one)
        if m is None or m.group(6) is None or int(m.group(8)) != last_row or int(m.group(4)) == last_row:
            out.append(one)
            continue
        start = one.partition(":")[0]
        out.append(f"{start}:{m.group(5)}{m.group(6)}{m.group(7)}{new_last}")
    return " ".join(out)


_GROWING = re.compile(
    rb'(<(?:\w+:)?(?:autoFilter|table|dataValidation|conditionalFormatting)\b[^>]*?\b(?:sq)?ref=")'
    rb'([^"]*)"')
_XM_SQREF = re.compile(rb"(<(?:\w+:)?sqref>)([^<]*)(</)")


def grow_refs(xml: bytes, last_row: int, new_last: int) -> bytes:
    """The ranges in a worksheet's tail or a table part that end at the last data row reach
    the last added row: auto-filter, table, data validation, conditional formatting (also
    in their Excel 2010 extensions, `<xm:sqref>`)."""
    def grow(m: re.Match) -> bytes:
        return m.group(1) + grow_range(m.group(2).decode(), last_row, new_last).encode() + b'"'

    def grow_xm(m: re.Match) -> bytes:
        return m.group(1) + grow_range(m.group(2).decode(), last_row, new_last).encode() + m.group(3)
    return _XM_SQREF.sub(grow_xm, _GROWING.sub(grow, xml))


_DEFINED = re.compile(rb"(<(?:\w+:)?definedName\b[^>]*>)([^<]*)(</)")
_QUALIFIED = re.compile(r"((?:'(?:[^']|'')+'|[^\s!,()'=+\-*/&^<>]+)!)(\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)")


def grow_defined_names(book: bytes, sheet: str, last_row: int, new_last: int) -> bytes:
    """Defined names (workbook.xml) over ranges of `sheet` that end at the last data row
    reach the last added row."""
    def in_name(m: re.Match) -> bytes:
        text = _unescape_text(m.group(2).decode())
        grown = _QUALIFIED.sub(lambda r: r.group(1) + (
            grow_range(r.group(2), last_row, new_last) if _sheet_of(r.group(1)) == sheet.casefold()
            else r.group(2)), text)
        return m.group(1) + _escape_text(grown).encode() + m.group(3)
    return _DEFINED.sub(in_name, book)


def _sheet_of(qualifier: str) -> str:
    name = qualifier[:-1]
    if name.startswith("'"):
        name = name[1:-1].replace("''", "'")
    return name.casefold()


def _unescape_text(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- recalculation -------------------------------------------------------------------------

_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*>([^<]*)</(?:\w+:)?f>")


def has_formula(xml: bytes, prefix: bytes) -> bool:
    """Whether a worksheet holds a formula (`<f>`; not `<formula1>`, `<filters>`, ...)."""
    return re.search(rb"<" + prefix + rb"f[\s>/]", xml) is not None


def refers_to(xml: bytes, sheet: str) -> bool:
    """Whether a formula in another worksheet, or a defined name, names `sheet`."""
    wanted = sheet.casefold()
    texts = [m.group(1) for m in _FORMULA.finditer(xml)] + [m.group(2) for m in _DEFINED.finditer(xml)]
    for raw in texts:
        text = _unescape_text(raw.decode(errors="replace"))
        if any(_sheet_of(q.group(1)) == wanted for q in _QUALIFIED.finditer(text)):
            return True
    return False


_CALC_PR = re.compile(rb"<((?:\w+:)?)calcPr\b([^>]*?)(/?)>")
# Elements after calcPr in CT_Workbook (ECMA-376 Part 1, 18.2.28): calcPr goes before them.
_AFTER_CALC_PR = re.compile(
    rb"<(?:\w+:)?(?:oleSize|customWorkbookViews|pivotCaches|smartTagPr|smartTagTypes|"
    rb"webPublishing|fileRecoveryPr|webPublishObjects|extLst)\b|</(?:\w+:)?workbook>")


def with_full_calc(book: bytes) -> bytes:
    """workbook.xml asking Excel to recalculate every formula when the file is opened."""
    m = _CALC_PR.search(book)
    if m is not None:
        inner = re.sub(rb'\s*\bfullCalcOnLoad="[^"]*"', b"", m.group(2))
        return (book[:m.start()] + b"<" + m.group(1) + b"calcPr" + inner
                + b' fullCalcOnLoad="1"' + m.group(3) + b">" + book[m.end():])
    root = re.search(rb"<(?:(\w+):)?workbook\b", book)
    prefix = (root.group(1) + b":") if root and root.group(1) else b""
    at = _AFTER_CALC_PR.search(book)
    if at is None:
        return book
    return book[:at.start()] + b"<" + prefix + b'calcPr fullCalcOnLoad="1"/>' + book[at.start():]


# --- shared formulas -----------------------------------------------------------------------

@dataclass(frozen=True)
class SharedFormula:
    si: bytes
    origin: str   # the master cell, "L2"
    ref: Area     # the cells the formula is shared over
    text: str     # the master's formula, without "="


def shared_masters(xml: bytes, prefix: bytes) -> dict[bytes, SharedFormula]:
    """Every shared formula's master cell (the cell whose `<f t="shared">` has a `ref`)."""
    if b't="shared"' not in xml:
        return {}
    p = prefix
    master = re.compile(rb"<" + p + rb"c\b([^>]*)>(?:(?!</" + p + rb"c>).)*?<" + p
                        + rb"f\b([^>]*\bref=\"[^>]*)>([^<]*)</" + p + rb"f>", re.S)
    out = {}
    for m in master.finditer(xml):
        f = attrs(m.group(2))
        cell = attrs(m.group(1)).get(b"r")
        where = area(f.get(b"ref", b"").decode())
        if f.get(b"t") == b"shared" and b"si" in f and cell and where is not None:
            out[f[b"si"]] = SharedFormula(f[b"si"], cell.decode(), where,
                                          _unescape_text(m.group(3).decode()))
    return out


def translate(text: str, origin: str, target: str) -> str:
    """A formula moved from cell `origin` to `target`, relative references shifted."""
    return Translator("=" + text, origin=origin).translate_formula(target)[1:]


def formula_element(prefix: bytes, text: str, shared: tuple[bytes, str] | None = None) -> bytes:
    """`<f>text</f>`, or a shared master `<f t="shared" ref=".." si="..">text</f>`."""
    p = prefix
    body = _escape_text(text).encode()
    if shared is None:
        return b"<" + p + b"f>" + body + b"</" + p + b"f>"
    si, ref = shared
    return (b"<" + p + b'f t="shared" ref="' + ref.encode() + b'" si="' + si + b'">' + body
            + b"</" + p + b"f>")


def cell_ref(col: int, row: int) -> str:
    return f"{get_column_letter(col)}{row}"


# --- hyperlinks ----------------------------------------------------------------------------

_HYPERLINK = re.compile(rb"<(?:\w+:)?hyperlink\b([^>]*?)/>")
_HYPERLINKS_EMPTY = re.compile(rb"<((?:\w+:)?)hyperlinks\b[^>]*>\s*</\1hyperlinks>")


def hyperlinks(tail: bytes) -> dict[str, bytes]:
    """Cell -> relationship id of every hyperlink to a target outside the sheet."""
    out = {}
    for m in _HYPERLINK.finditer(tail):
        a = attrs(m.group(1))
        rid = next((v for k, v in a.items() if k.endswith(b":id")), None)
        ref = a.get(b"ref", b"").decode()
        if rid and ":" not in ref:
            out[ref] = rid
    return out


def without_hyperlinks(tail: bytes, refs: set[str]) -> bytes:
    """The sheet tail without the hyperlinks of cells `refs` (and without an emptied list)."""
    def drop(m: re.Match) -> bytes:
        return b"" if attrs(m.group(1)).get(b"ref", b"").decode() in refs else m.group(0)
    return _HYPERLINKS_EMPTY.sub(b"", _HYPERLINK.sub(drop, tail))


def link_target(old_target: str, old: str | None, new: str | None) -> str | None:
    """The new target of a link whose cell changes from `old` to `new`: it follows when it
    pointed at the old value (`mailto:` + old address, or the old value itself); None when
    the link is not the cell's value (it is left alone), '' when the cell is cleared."""
    if not old:
        return None
    old_clean = old.strip()
    is_mailto = old_target.lower().startswith("mailto:")
    bare = old_target[len("mailto:"):] if is_mailto else old_target
    if bare.partition("?")[0].strip().casefold() != old_clean.casefold():
        return None
    if not new:
        return ""
    return ("mailto:" + new.strip() + bare[len(bare.partition("?")[0]):]) if is_mailto else new.strip()


def retarget(rels: bytes, changes: dict[bytes, str]) -> bytes:
    """Relationships with new targets (id -> target; '' removes the relationship)."""
    def one(m: re.Match) -> bytes:
        rid = attrs(m.group(0)).get(b"Id")
        if rid not in changes:
            return m.group(0)
        if changes[rid] == "":
            return b""
        value = _escape_text(changes[rid]).replace('"', "&quot;").encode()
        return re.sub(rb'\bTarget="[^"]*"', lambda _m: b'Target="' + value + b'"', m.group(0))
    return re.sub(rb"<(?:\w+:)?Relationship\b[^>]*/>", one, rels)


# --- a column's dropdown ---------------------------------------------------------------------

_VALIDATION = re.compile(rb"<((?:\w+:)?)dataValidation\b([^>]*)>(.*?)</\1dataValidation>", re.S)
_FORMULA1 = re.compile(rb"<(?:\w+:)?formula1>([^<]*)</(?:\w+:)?formula1>")


def list_validations(tail: bytes) -> list[tuple[list[Area], list[str]]]:
    """(cells, allowed values) of every dropdown with its values written in the rule
    (`"ja,nee"`); a list drawn from cells elsewhere is not read."""
    out = []
    for m in _VALIDATION.finditer(tail):
        a = attrs(m.group(2))
        if a.get(b"type") != b"list":
            continue
        f = _FORMULA1.search(m.group(3))
        text = _unescape_text(f.group(1).decode()) if f else ""
        if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
            values = [v.strip() for v in text[1:-1].split(",")]
            out.append((areas(a.get(b"sqref", b"").decode()), [v for v in values if v]))
    return out
