"""Which kind of bank file is this: camt.053, camt.054 or pain.002, and which version.

The answer comes from the root element's namespace only (sepa-rules.md §10.1: "key on the
namespace"), so identifying a 2 GB statement reads a few hundred bytes. Versions are
accepted leniently: the element paths the readers use hardly change between versions, so
camt.053.001.02/.04/.08 and pain.002.001.03/.10 all read, and so do later ones.
Namespaces that spell the message with colons (the Austrian
`APC:STUZZA:payments:ISO:pain:002:001:03`) are read too.
"""

from __future__ import annotations

import os
import re

from incasso_sheets.errors import CannotContinue
from incasso_sheets.formats.xmlsafe import sniff_namespace

CAMT053 = "camt.053"
CAMT054 = "camt.054"
PAIN002 = "pain.002"
KINDS = (CAMT053, CAMT054, PAIN002)

_MESSAGE = re.compile(r"(camt|pain)[.:](\d{3})[.:](\d{3})[.:](\d{2})", re.IGNORECASE)


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
    file with a DTD, 'file-unreadable' for a file that is not XML.
    """
    namespace = sniff_namespace(path)
    found = kind_of_namespace(namespace)
    if found is None:
        raise CannotContinue("bank-file-unknown", path=path, namespace=namespace or "-")
    return found


def expect_kind(path: str | os.PathLike, *kinds: str) -> tuple[str, str, str]:
    """(kind, version, namespace) when the file is one of `kinds`; otherwise
    CannotContinue('bank-file-wrong-kind') naming what it is."""
    namespace = sniff_namespace(path)
    found = kind_of_namespace(namespace)
    if found is None:
        raise CannotContinue("bank-file-unknown", path=path, namespace=namespace or "-")
    if found[0] not in kinds:
        raise CannotContinue(
            "bank-file-wrong-kind", path=path, found=found[0], expected=" / ".join(kinds)
        )
    return found[0], found[1], namespace
