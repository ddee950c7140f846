"""`incasso init`: a new administration in a folder, from the creditor's details.

Writes incasso.toml (the commented template with the creditor's name, IBAN, BIC, creditor
identifier, bank and language filled in), the blank debiteuren.xlsx and facturen.xlsx,
and creates the empty ledger (incasso.db). The settings are parsed before anything is
written, so a file that `load_settings` would refuse is never left behind. Existing
settings and workbooks are only replaced with `force`; an existing ledger never is: it
holds the memory of every collection.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.core.settings import FILENAME as SETTINGS_FILENAME
from incasso_sheets.core.settings import parse_settings
from incasso_sheets.ledger import store as ledger
from incasso_sheets.sepa import identifiers, text
from incasso_sheets.sheets import template
from incasso_sheets.text import messages

FIELDS = ("name", "iban", "creditor_id", "bic")
REQUIRED = ("name", "iban", "creditor_id")


@dataclass(frozen=True)
class Creditor:
    name: str
    iban: str
    creditor_id: str
    bic: str | None = None


@dataclass
class InitResult:
    written: list[Path] = field(default_factory=list)
    kept_ledger: Path | None = None
    debtors: Path | None = None
    invoices: Path | None = None


def check_value(name: str, value: str, lang: str = "en") -> tuple[str, str | None]:
    """(normalised value, None) or (value, the reason it is not valid, in `lang`), for the
    creditor's `name`, `iban`, `creditor_id` or `bic` (empty: derived from the IBAN)."""
    if name == "name":
        if not 0 < len(text.sanitise(value)) <= text.NAME_MAX:
            return value, messages.text("creditor-name-invalid", lang)
        return value, None
    if name == "iban":
        iban = identifiers.normalise_iban(value)
        reason = identifiers.iban_problem(iban)
        return iban, reason and messages.text("creditor-iban-invalid", lang, reason=reason)
    if name == "creditor_id":
        cid = identifiers.normalise_creditor_id(value)
        reason = identifiers.creditor_id_problem(cid)
        return cid, reason and messages.text("creditor-id-invalid", lang, reason=reason)
    if name == "bic":
        bic = value.replace(" ", "").upper()
        reason = identifiers.bic_problem(bic) if bic else None
        return bic, reason and messages.text("creditor-bic-invalid", lang, reason=reason)
    raise ValueError(name)


def refuse_existing(folder: Path, force: bool = False) -> None:
    """CannotContinue 'file-exists' when the settings or a workbook is already in `folder`
    (and not `force`); called before asking anything, and again before writing."""
    if force:
        return
    names = (template.DEBTORS_FILENAME, template.INVOICES_FILENAME, SETTINGS_FILENAME)
    existing = [Path(folder) / name for name in names if (Path(folder) / name).exists()]
    if existing:
        raise CannotContinue("file-exists", path=", ".join(str(p) for p in existing))


def run_init(folder: Path, creditor: Creditor, *, bank: str = "other", language: str = "",
             force: bool = False) -> InitResult:
    folder = Path(folder)
    settings = template.filled_settings(
        creditor={"name": creditor.name, "iban": creditor.iban, "bic": creditor.bic or None,
                  "creditor_id": creditor.creditor_id},
        collection={"bank": bank}, language=language)
    _settings, problems = parse_settings(tomllib.loads(settings.decode("utf-8")))
    if problems:
        raise CannotContinue("settings-invalid", count=len(problems))
    outputs = {
        folder / template.DEBTORS_FILENAME: lambda: template.workbook_bytes(
            template.build_workbook(template.DEBTORS)),
        folder / template.INVOICES_FILENAME: lambda: template.workbook_bytes(
            template.build_workbook(template.INVOICES)),
        folder / SETTINGS_FILENAME: lambda: settings,
    }
    refuse_existing(folder, force)
    folder.mkdir(parents=True, exist_ok=True)
    result = InitResult(debtors=folder / template.DEBTORS_FILENAME,
                        invoices=folder / template.INVOICES_FILENAME)
    template.write_files(outputs, force)
    result.written += list(outputs)
    ledger_path = folder / ledger.FILENAME
    if ledger_path.exists():
        result.kept_ledger = ledger_path
    else:
        with ledger.Ledger.open(ledger_path):
            pass
        result.written.append(ledger_path)
    return result
