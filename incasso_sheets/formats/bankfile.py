"""Which kind of bank file is this: camt.052, camt.053, camt.054, pain.002 (and which
version) or MT940.

The answer comes from the root element's namespace only (docs/sepa.md §4.3: it names
the kind and version), so identifying a 2 GB statement reads a few hundred bytes.
Versions are accepted leniently: the element paths the readers use hardly change between versions, so
camt.052/053.001.02/.04/.08 and pain.002.001.03/.10 all read, and so do later ones.
Namespaces that spell the message with colons (the Austrian
`APC:STUZZA:payments:ISO:pain:002:001:03`) are read too. A file without a namespace is
not read: its version cannot be told. The message it says it is (the root's first
element, `CstmrPmtStsRpt` for a pain.002) is named in the refusal (docs/sepa.md §4.3).

MT940 is recognised by content, never by its name (`.sta`, `.940`, `.swi`, `.txt` and
`.mt940` all occur): a file that is not XML and opens with MT940 records, either `:20:`
or one of the envelopes the banks put before it (docs/sepa.md §4.5: ABN AMRO's
`ABNANL2A`, Rabobank's `:940:`, a SWIFT `{1:` header), followed by a `:20:` and a `:25:`.
"""

from __future__ import annotations

import os
import re
from typing import NoReturn

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.formats.xmlsafe import iterparse_safe, sniff_namespace

CAMT052 = "camt.052"
CAMT053 = "camt.053"
CAMT054 = "camt.054"
PAIN002 = "pain.002"
KINDS = (CAMT052, CAMT053, CAMT054, PAIN002)
MT940 = "mt940"
# The message element inside Document, by kind (ISO 20022 message definitions).
MESSAGE_ELEMENTS = {"BkToCstmrAcctRpt": CAMT052, "BkToCstmrStmt": CAMT053,
                    "BkToCstmrDbtCdtNtfctn": CAMT054, "CstmrPmtStsRpt": PAIN002}

_MESSAGE = re.compile(r"(camt|pain)[.:](\d{3})[.:](\d{3})[.:](\d{2})", re.IGNORECASE)
_MT940_START = re.compile(r"^(:20:|\{1:|:940:|ABNANL2A|0000 \d\d[A-Z]{4}NL)")
_MT940_HEAD = 4096  # a statement's :20: and :25: come within the first few lines


def kind_of_namespace(namespace: str) -> tuple[str, str] | None:
    """(kind, version) for a namespace such as `...:camt.053.001.02`, or None."""
    matches = _MESSAGE.findall(namespace)
    if not matches:
        return None
    found = matches[-1]  # the message name ends the namespace
    kind = f"{found[0].lower()}.{found[1]}"
    if kind not in KINDS:
        return None
    return kind, f"{found[2]}.{found[3]}"


def identify(path: str | os.PathLike) -> tuple[str, str]:
    """(kind, version) of a bank file, e.g. ('camt.053', '001.02').

    Raises CannotContinue('bank-file-unknown') for anything else, 'xml-refused' for a
    file with a DTD, 'file-unreadable' for a file that is neither XML nor MT940.
    """
    if is_mt940(path):
        return MT940, ""
    namespace = sniff_namespace(path)
    found = kind_of_namespace(namespace)
    if found is None:
        _refuse_unknown(path, namespace)
    return found


def _refuse_unknown(path: str | os.PathLike, namespace: str) -> NoReturn:
    """CannotContinue for a file whose namespace names no bank message we read."""
    if namespace:
        raise CannotContinue("bank-file-unknown", path=path, namespace=namespace)
    element = _message_element(path)
    kind = MESSAGE_ELEMENTS.get(element)
    if kind is not None:
        raise CannotContinue("bank-file-no-namespace", path=path, kind=kind, element=element)
    raise CannotContinue("bank-file-unknown-no-namespace", path=path, element=element)


def _message_element(path: str | os.PathLike) -> str:
    """The local name of the root's first child element (the message: CstmrPmtStsRpt),
    or of the root itself when it has none."""
    root = None
    for _event, elem in iterparse_safe(path, ("*",), events=("start",)):
        if root is not None:
            return elem.tag.rpartition("}")[2]
        root = elem.tag.rpartition("}")[2]
    return root or "-"


def expect_kind(path: str | os.PathLike, *kinds: str) -> tuple[str, str, str]:
    """(kind, version, namespace) when the file is one of `kinds`; otherwise
    CannotContinue('bank-file-wrong-kind') naming what it is."""
    namespace = sniff_namespace(path)
    found = kind_of_namespace(namespace)
    if found is None:
        _refuse_unknown(path, namespace)
    if found[0] not in kinds:
        raise CannotContinue(
            "bank-file-wrong-kind", path=path, found=found[0], expected=" / ".join(kinds)
        )
    return found[0], found[1], namespace


def is_mt940(path: str | os.PathLike) -> bool:
    """True for a file that opens like an MT940 statement (see the module docstring)."""
    try:
        with open(path, "rb") as f:
            head = f.read(_MT940_HEAD)
    except FileNotFoundError as exc:
        raise CannotContinue("file-not-found", path=path) from exc
    except OSError as exc:
        raise CannotContinue("file-unreadable", path=path, reason=exc.strerror or exc) from exc
    text = head.decode("latin-1").removeprefix("\xef\xbb\xbf")  # a UTF-8 BOM
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or lines[0].startswith("<") or not _MT940_START.match(lines[0]):
        return False
    tags = [line[:4] for line in lines[:12]]
    return ":20:" in tags and ":25:" in tags
