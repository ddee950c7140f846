"""Header aliases: the Dutch and English headers users write, mapped to canonical names.

Headers match case-insensitively, ignoring spaces, dashes, underscores and dots. An unknown
header is reported with the closest known name; a missing required column is one issue.

Exports of other packages read without renaming: the snake_case field names of the Visma
eAccounting API (`mandate_id`, `mandate_type`, `sequence_type`, `signing_date`, `end_date`,
`latest_direct_debit`) match the aliases below once underscores are ignored.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from incasso_sheets.core.issues import WARNING, Issue, issue


@dataclass(frozen=True)
class Column:
    name: str            # canonical
    aliases: tuple[str, ...]  # display forms, Dutch first
    required: bool = False


DEBTOR_COLUMNS = (
    Column("debtor_id", ("Debiteurnummer", "Klantnummer", "Relatienummer", "Debtor number",
                         "Customer number", "Debtor id", "Customer id"), True),
    Column("name", ("Naam", "Naam rekeninghouder", "Name", "Account holder"), True),
    Column("iban", ("IBAN", "Rekeningnummer", "Account number"), True),
    Column("bic", ("BIC", "Swift")),
    Column("direct_debit", ("Automatische incasso", "Incasso", "Direct debit"), True),
    Column("mandate_id", ("Machtigingskenmerk", "Mandaatnummer", "Mandate reference",
                          "Mandate ID"), True),
    Column("mandate_date", ("Datum machtiging", "Ondertekend op", "Mandate date",
                            "Signing date"), True),
    Column("mandate_end_date", ("Einddatum machtiging", "Mandate end date", "End date")),
    Column("scheme", ("Type incasso", "Scheme", "Mandate type")),
    Column("sequence", ("Volgordetype", "Sequence type")),
    Column("street", ("Straat", "Adres", "Street", "Address")),
    Column("postcode", ("Postcode", "Postal code", "Zip")),
    Column("city", ("Plaats", "Woonplaats", "City", "Town")),
    Column("country", ("Land", "Country")),
    Column("email", ("E-mail", "Email", "E-mailadres")),
    # Migrations: the last collection under the mandate in the system left behind. Last, so
    # the template's other columns keep their places. Visma: latest_direct_debit.
    Column("last_collection_date", ("Laatste incasso", "Datum laatste incasso",
                                    "Latest direct debit", "Last collection")),
)

INVOICE_COLUMNS = (
    Column("invoice_number", ("Factuurnummer", "Invoice number", "Invoice"), True),
    Column("debtor_id", ("Debiteurnummer", "Klantnummer", "Relatienummer", "Debtor number",
                         "Customer number", "Debtor id", "Customer id"), True),
    Column("invoice_date", ("Factuurdatum", "Invoice date"), True),
    Column("due_date", ("Vervaldatum", "Due date"), True),
    Column("amount", ("Openstaand bedrag", "Bedrag", "Amount due", "Amount", "Open amount"), True),
    Column("currency", ("Valuta", "Currency")),
    Column("description", ("Omschrijving", "Description")),
)


def header_key(header: str) -> str:
    return re.sub(r"[\s\-_.]", "", header).casefold()


@dataclass(frozen=True)
class Mapping:
    """canonical name -> header as written, plus the issues found while mapping."""
    found: dict[str, str]
    issues: list[Issue]


def where_of(mapping: Mapping, columns: tuple[Column, ...], file: str, sheet: str):
    """Where issues of this sheet point: headers as written, usual names for absent ones."""
    from incasso_sheets.sheets.validate import Where

    headers = {c.name: mapping.found.get(c.name, c.aliases[0]) for c in columns}
    missing = frozenset(c.name for c in columns if c.required and c.name not in mapping.found)
    return Where(file, sheet, headers, missing)


def map_headers(headers: list[str], columns: tuple[Column, ...]) -> Mapping:
    lookup: dict[str, str] = {}
    for col in columns:
        lookup[header_key(col.name)] = col.name
        for alias in col.aliases:
            lookup[header_key(alias)] = col.name
    found: dict[str, str] = {}
    issues: list[Issue] = []
    for header in headers:
        if header.startswith("__UNNAMED__") or not header.strip():
            continue
        canonical = lookup.get(header_key(header))
        if canonical is None:
            suggestion = _closest(header, columns)
            code = "column-unknown" if suggestion else "column-unknown-no-suggestion"
            issues.append(issue(code, WARNING, row=1, column=header, value=header,
                                header=header, suggestion=suggestion))
        elif canonical in found:
            issues.append(issue("column-duplicate", row=1, column=header, value=header,
                                header=header, other=found[canonical]))
        else:
            found[canonical] = header
    for col in columns:
        if col.required and col.name not in found:
            issues.append(issue("column-missing", row=1, column=col.aliases[0],
                                name=col.aliases[0], aliases=", ".join(col.aliases)))
    return Mapping(found, issues)


def _closest(header: str, columns: tuple[Column, ...]) -> str | None:
    names = {header_key(a): a for col in columns for a in col.aliases}
    match = difflib.get_close_matches(header_key(header), list(names), n=1, cutoff=0.6)
    return names[match[0]] if match else None
