"""Reading XML that someone else wrote: no DTD, no entities, no network, streamed.

Bank files (camt.053/054, pain.002) come from outside. They never need a document type
declaration, and a DTD is how entity bombs ("billion laughs") and external entities
(XXE: `SYSTEM "file:///etc/passwd"`) get in. So a file with a `<!DOCTYPE` is refused
with `xml-refused` before the parser sees it: `refuse_dtd` scans the prolog (everything
before the root element) as text. Scanning first matters: libxml2 expands internal
entities inside attribute values even with `resolve_entities=False`.

As a second line the parser runs with entity resolution, DTD loading and network access
off, and the tree is checked for a DTD at the first event it yields.

`iterparse_safe` streams: a 2 GB statement is never loaded whole, provided the caller
releases what it has read (`release`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from lxml import etree

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.runtime.input_files import require_regular_file

PROLOG_LIMIT = 1 << 20  # a real prolog is a few hundred bytes; more is refused
_CHUNK = 1 << 16
_NEED = 9  # len("<!DOCTYPE"): enough text to tell a comment, a PI, a DTD and the root apart

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_NO_BOM = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)


def _decode_head(head: bytes) -> str:
    """The start of a file as text, good enough to find markup in the prolog."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return head[len(bom):].decode(codec, errors="replace")
    for start, codec in _NO_BOM:
        if head.startswith(start):
            return head.decode(codec, errors="replace")
    # Every ASCII-compatible encoding (UTF-8, ISO-8859-x, Windows-125x) shows its markup
    # as ASCII bytes, and latin-1 maps each byte to one character without failing.
    return head.decode("latin-1")


def _doctype_reason(rest: str) -> str:
    """A short, language-neutral token for what the DTD holds (never its content)."""
    parts = ["<!DOCTYPE>"]
    if "<!ENTITY" in rest:
        parts.append("<!ENTITY>")
    if "SYSTEM" in rest or "PUBLIC" in rest:
        parts.append("SYSTEM/PUBLIC")
    return " ".join(parts)


def _scan_prolog(text: str, eof: bool) -> str | None:
    """'' when the root element (or something the parser must judge) is reached, a
    reason when the prolog holds a declaration, None when more text is needed."""
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if n - i < _NEED and not eof:
            return None
        if text.startswith("<?", i):
            end = text.find("?>", i + 2)
            if end < 0:
                return None if not eof else ""
            i = end + 2
        elif text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            if end < 0:
                return None if not eof else ""
            i = end + 3
        elif text.startswith("<!", i):
            return _doctype_reason(text[i:])
        else:
            return ""


def refuse_dtd(path: str | os.PathLike) -> None:
    """Raise CannotContinue('xml-refused') when the file has a DOCTYPE before its root.

    Reads only the prolog (normally one 64 KiB chunk). Files that are not XML at all
    pass; the parser reports them as unreadable. Only a regular file is opened (a FIFO
    would hang the run, a device never end).
    """
    require_regular_file(path)
    try:
        with open(path, "rb") as f:
            found = doctype_in(f)
    except FileNotFoundError as exc:
        raise CannotContinue("file-not-found", path=path) from exc
    except OSError as exc:
        raise CannotContinue("file-unreadable", path=path, reason=exc.strerror or exc) from exc
    if found:
        raise CannotContinue("xml-refused", path=path, reason=found)


def doctype_in(stream: BinaryIO) -> str:
    """What the prolog of the XML in `stream` declares ('<!DOCTYPE> <!ENTITY>' ...), or ''
    when it declares nothing. Reads only the prolog; also for the parts of an .xlsx."""
    head = b""
    while True:
        chunk = stream.read(_CHUNK)
        head += chunk
        found = _scan_prolog(_decode_head(head), eof=not chunk)
        if found is not None:
            return found
        if len(head) >= PROLOG_LIMIT:
            return f"prolog > {PROLOG_LIMIT} bytes"


def _refuse_tree_dtd(elem: etree._Element, path: str | os.PathLike) -> None:
    """Second line: the parser saw a DTD that the prolog scan missed."""
    info = elem.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise CannotContinue("xml-refused", path=path, reason="<!DOCTYPE>")


def _parse_options() -> dict:
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "huge_tree": True,  # deep or long text is fine once DTDs are refused
        "remove_blank_text": True,  # indentation between elements: half the nodes of a file
        "remove_comments": True,
        "remove_pis": True,
    }


def parser() -> etree.XMLParser:
    """A parser with entity resolution, DTD loading and network access off, for XML that
    is read whole (the small parts of a workbook)."""
    return etree.XMLParser(**_parse_options())


def _tag_filter(tags: Iterable[str]) -> list[str]:
    """Local names match in any namespace; `{ns}name` is taken as given."""
    return [t if t.startswith("{") else "{*}" + t for t in tags]


def iterparse_safe(
    path: str | os.PathLike,
    tags: Iterable[str],
    events: tuple[str, ...] = ("end",),
) -> Iterator[tuple[str, etree._Element]]:
    """Stream (event, element) for the given tags; refuse DTDs first.

    The caller owns memory: after reading an element it calls `release(elem)` (or its own
    variant), otherwise the tree grows with the file.
    """
    refuse_dtd(path)
    try:
        context = etree.iterparse(
            os.fspath(path), events=events, tag=_tag_filter(tags), **_parse_options()
        )
        first = next(context, None)
        if first is None:
            if context.root is not None:
                _refuse_tree_dtd(context.root, path)
            return
        _refuse_tree_dtd(first[1], path)
        yield first
        yield from context
    except etree.XMLSyntaxError as exc:
        raise CannotContinue("file-unreadable", path=path, reason=exc.msg or exc) from exc
    except FileNotFoundError as exc:
        raise CannotContinue("file-not-found", path=path) from exc
    except OSError as exc:
        raise CannotContinue("file-unreadable", path=path, reason=exc.strerror or exc) from exc


def release(elem: etree._Element) -> None:
    """Free an element that has been read, and the siblings read before it."""
    elem.clear(keep_tail=False)
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


def sniff_namespace(path: str | os.PathLike) -> str:
    """The namespace of the root element ('' when it has none), reading no further."""
    refuse_dtd(path)
    try:
        with open(path, "rb") as f:
            for _event, elem in etree.iterparse(f, events=("start",), **_parse_options()):
                _refuse_tree_dtd(elem, path)
                return etree.QName(elem).namespace or ""
    except etree.XMLSyntaxError as exc:
        raise CannotContinue("file-unreadable", path=path, reason=exc.msg or exc) from exc
    except OSError as exc:
        raise CannotContinue("file-unreadable", path=path, reason=exc.strerror or exc) from exc
    raise CannotContinue("file-unreadable", path=path, reason="no root element")
