"""The parts of an .xlsx package that the updater reads around a worksheet: relationships,
the workbook and sheet parts, date styles, shared strings, the date epoch. Parsed with
the hardened parser (formats.xmlsafe): no entities, no DTD, no network."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from pathlib import Path

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.formats.xmlsafe import parser as safe_parser

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def clone(item: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A fresh entry with the original's name, time stamp and compression (the original
    ZipInfo still serves reading the source)."""
    copy = zipfile.ZipInfo(item.filename, item.date_time)
    copy.compress_type = item.compress_type
    copy.external_attr = item.external_attr
    copy.create_system = item.create_system
    return copy


def rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def parse(data: bytes):
    return etree.fromstring(data, safe_parser())


def relationships(zin: zipfile.ZipFile, part: str) -> list[tuple[str, str]]:
    """(type, target part) of every relationship of `part`."""
    path = rels_of(part)
    if path not in zin.namelist():
        return []
    root = parse(zin.read(path))
    out = []
    for rel in root.iter(f"{{{PKG_REL}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(posixpath.dirname(part), target))
        out.append((rel.get("Type", ""), target))
    return out


def external_targets(rels: bytes) -> dict[bytes, str]:
    """Relationship id -> target of the links to outside the package (hyperlinks)."""
    return {rel.get("Id", "").encode(): rel.get("Target", "")
            for rel in parse(rels).iter(f"{{{PKG_REL}}}Relationship")
            if rel.get("TargetMode") == "External"}


def workbook_part(zin: zipfile.ZipFile) -> str:
    for rel_type, target in relationships(zin, ""):
        if rel_type.endswith("/officeDocument"):
            return target
    return "xl/workbook.xml"


def sheet_part(zin, book: str, sheet: str, source: Path) -> str:
    root = parse(zin.read(book))
    ids = {}
    root_rels = parse(zin.read(rels_of(book)))
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


def date_styles(zin, book_rels) -> list[bool]:
    """Per cell style (xf) index: does its number format show a date?"""
    path = next((t for r, t in book_rels if r.endswith("/styles")), None)
    if path is None or path not in zin.namelist():
        return []
    root = parse(zin.read(path))
    custom = {int(n.get("numFmtId")): n.get("formatCode", "")
              for n in root.iter(f"{{{MAIN}}}numFmt")}
    xfs = root.find(f"{{{MAIN}}}cellXfs")
    out = []
    for xf in (xfs if xfs is not None else ()):
        fmt_id = int(xf.get("numFmtId", "0"))
        code = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id, "General"))
        out.append(bool(is_date_format(code)) or 27 <= fmt_id <= 36 or 50 <= fmt_id <= 58)
    return out


def shared_strings(zin, book_rels, wanted: set[int]) -> dict[int, str]:
    """The shared strings at the `wanted` indices, reading no further than needed."""
    path = next((t for r, t in book_rels if r.endswith("/sharedStrings")), None)
    if not wanted or path is None or path not in zin.namelist():
        return {}
    out: dict[int, str] = {}
    last = max(wanted)
    with zin.open(path) as fh:
        for n, (_event, node) in enumerate(etree.iterparse(
                fh, tag=f"{{{MAIN}}}si", resolve_entities=False, no_network=True, load_dtd=False)):
            if n in wanted:
                out[n] = "".join(t.text or "" for t in node.iter(f"{{{MAIN}}}t"))
            node.clear()
            if n >= last:
                break
    return out


def epoch(zin, book: str) -> dt.date:
    root = parse(zin.read(book))
    pr = root.find(f"{{{MAIN}}}workbookPr")
    if pr is not None and pr.get("date1904") in ("1", "true"):
        return dt.date(1904, 1, 1)
    return dt.date(1899, 12, 30)  # the 1900 system, counting Excel's 29-02-1900 in


def calc_chain(book: str, book_rels) -> str | None:
    return next((t for r, t in book_rels if r.endswith("/calcChain")), None)


def without(data: bytes, pattern: bytes) -> bytes:
    return re.sub(pattern, b"", data)
