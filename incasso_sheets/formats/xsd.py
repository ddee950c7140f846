"""The official pain.008 XSDs and validating a file against them while streaming.

The schemas are read from the installed `sepaxml` package (docs/sepa.md §5.4); they are
never copied into this repository. `validate_file` keeps memory flat for files with a
million transactions: it feeds the file in chunks to a validating parser whose target
builds no tree at all (`_is_valid`), which also lets libxml2 run without Python's lock, so
the validation of a large file can run in a thread beside other work.

Only a file that pass finds invalid is read again to describe its problems: once by a
validating pull parser that throws each finished `DrctDbtTxInf` away and collects the
errors, and as libxml2 reports no line numbers when it validates while parsing, the errors
are located in a further pass: the same chunks are fed again, and each chunk that raised
an error is fed line by line, so every new error belongs to the line just fed.
"""

from __future__ import annotations

import functools
import importlib.resources
import os
import re
from collections.abc import Iterator

from lxml import etree

VERSIONS = ("pain.008.001.02", "pain.008.001.08")

_CHUNK_BYTES = 1 << 20
_WHERE = re.compile(r"(?:, line \d+, column \d+)?(?: \(<string>, line \d+\))?$")
_NAMESPACE = re.compile(r"\{[^{}]*:[^{}]*\}")  # {urn:...}; not {1,15} in a pattern


@functools.cache
def schema_for(version: str) -> etree.XMLSchema:
    """The XMLSchema of one pain.008 version, loaded once from the sepaxml package."""
    if version not in VERSIONS:
        raise ValueError(f"unknown pain.008 version {version!r}; known: {', '.join(VERSIONS)}")
    resource = importlib.resources.files("sepaxml") / "schemas" / f"{version}.xsd"
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.ElementTree(etree.fromstring(resource.read_bytes(), parser)))


def validate_file(path: str | os.PathLike[str], version: str, limit: int = 20) -> list[str]:
    """Validate a pain.008 file against the official XSD; [] when valid.

    Each problem reads `line 123: Element 'InstdAmt': ...`; at most `limit` are returned.
    A file that is not well-formed XML gets one problem: its first syntax error.
    """
    schema = schema_for(version)
    if _is_valid(path, schema):
        return []
    failing_chunks, errors, maybe_malformed = _scan(path, schema, max(limit, 1))
    if not errors:
        return []
    # Not well-formed: the validator's words after a syntax error are noise.
    syntax = _syntax_error(path) if maybe_malformed else None
    if syntax is not None:
        return [syntax]
    located = _locate(path, schema, failing_chunks, limit)
    return located or [_describe(0, message) for message in errors[:limit]]


def _chunks(path: str | os.PathLike[str]) -> Iterator[bytes]:
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK_BYTES):
            yield chunk


class _NoTree:
    """A parser target with no start, end or data handlers: libxml2 builds nothing and
    calls no Python code while it parses and validates."""

    def close(self) -> None:
        return None


def _is_valid(path: str | os.PathLike[str], schema: etree.XMLSchema) -> bool:
    """True when the file is well-formed and valid: the one pass a valid file costs.

    Two to three times less work than the pull parser of `_scan`, which builds each
    transaction's elements only to throw them away. Any error, of the parser or of the
    schema, counts: then `_scan` and `_locate` describe it.
    """
    parser = etree.XMLParser(target=_NoTree(), schema=schema, no_network=True)
    try:
        for chunk in _chunks(path):
            parser.feed(chunk)
        parser.close()
    except (etree.XMLSyntaxError, etree.DocumentInvalid):
        return False
    return len(parser.feed_error_log) == 0


def _parser(schema: etree.XMLSchema | None) -> etree.XMLPullParser:
    # lxml's default already refuses external entities. resolve_entities=False is NOT set
    # here: combined with a schema it makes lxml 6.1 accept a truncated file silently.
    return etree.XMLPullParser(events=("end",), tag="{*}DrctDbtTxInf", schema=schema,
                               no_network=True)


def _drop_finished(parser: etree.XMLPullParser) -> None:
    for _, element in parser.read_events():
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]


def _scan(path, schema, limit: int) -> tuple[set[int], list[str], bool]:
    """Feed the file once, up to the chunk where the first `limit` errors are known.

    Returns the indexes of the chunks that raised errors, the errors, and whether the file
    may be badly formed (then the validator's messages are not to be trusted).
    """
    parser = _parser(schema)
    failing: set[int] = set()
    index = 0
    closing = False
    try:
        for index, chunk in enumerate(_chunks(path)):
            before = len(parser.feed_error_log)
            parser.feed(chunk)
            _drop_finished(parser)
            errors = len(parser.feed_error_log)
            if errors > before:
                failing.add(index)
            if errors >= limit:
                return failing, [e.message for e in parser.feed_error_log], False
        closing = True
        parser.close()
    except (etree.XMLSyntaxError, etree.DocumentInvalid) as exc:
        failing.add(index)
        log = list(parser.feed_error_log)
        schema_only = closing and bool(log) and all(e.domain_name == "SCHEMASV" for e in log)
        return failing, [e.message for e in log] or [str(exc)], not schema_only
    return failing, [e.message for e in parser.feed_error_log], False


def _locate(path, schema, failing: set[int], limit: int) -> list[str]:
    """Feed again, line by line inside failing chunks, naming the line of each error."""
    parser = _parser(schema)
    found: list[str] = []
    seen = 0
    line = 1

    def collect(at_line: int) -> None:
        nonlocal seen
        log = parser.feed_error_log
        for entry in list(log)[seen:]:
            text = _describe(entry.line or at_line, entry.message)
            if text not in found:
                found.append(text)
        seen = len(log)

    try:
        for index, chunk in enumerate(_chunks(path)):
            if index not in failing:
                parser.feed(chunk)
                line += chunk.count(b"\n")
            else:
                for piece in chunk.splitlines(keepends=True):
                    parser.feed(piece)
                    collect(line)
                    if len(found) >= limit:
                        return found
                    line += piece.count(b"\n")
            _drop_finished(parser)
    except etree.XMLSyntaxError as exc:
        found.append(_describe(exc.lineno or line, str(exc)))
        return found[:limit]
    try:
        parser.close()
    except (etree.XMLSyntaxError, etree.DocumentInvalid):
        collect(line)
    return found[:limit]


def _syntax_error(path) -> str | None:
    """The first well-formedness error of the file, with its line, or None."""
    parser = _parser(None)
    empty = True
    try:
        for chunk in _chunks(path):
            empty = False
            parser.feed(chunk)
            _drop_finished(parser)
        if empty:
            return "line 1: Document is empty"
        parser.close()
    except etree.XMLSyntaxError as exc:
        last = exc.error_log.last_error
        if last is not None:
            return _describe(last.line or exc.lineno or 0, last.message)
        return _describe(exc.lineno or 0, str(exc))
    return None


def _describe(line: int, message: str) -> str:
    message = _NAMESPACE.sub("", message.strip())
    message = _WHERE.sub("", message)
    return f"line {line}: {message}" if line else message
