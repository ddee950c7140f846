"""One function per command. Returns results; never prints, never exits.

The CLI (and tests, and other programs) call these; the clock and ids come in as
arguments so that every output can be reproduced byte for byte.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from incasso_sheets.core.issues import Report
from incasso_sheets.core.settings import Settings, find_settings, load_settings
from incasso_sheets.runtime.progress import SILENT, Reporter
from incasso_sheets.sheets import columns, schemas
from incasso_sheets.sheets.read import RawSheet, read_sheet
from incasso_sheets.sheets.validate import run_rules

DEBTOR_SHEETS = ("debiteuren", "debtors", "klanten", "customers", "relaties")
INVOICE_SHEETS = ("facturen", "verkoopfacturen", "invoices", "openstaande posten")


@dataclass(frozen=True)
class CheckedSheet:
    raw: RawSheet
    mapping: columns.Mapping
    prepared: pl.DataFrame   # text + helper columns, for reports
    typed: pl.DataFrame      # clean values, for collecting

    @property
    def rows(self) -> int:
        return self.typed.height

    def slim(self) -> CheckedSheet:
        """The same sheet without the text and helper frames (kept only for reports)."""
        empty = self.raw.frame.clear()
        return dataclasses.replace(self, raw=dataclasses.replace(self.raw, frame=empty),
                                   prepared=self.prepared.clear())


@dataclass(frozen=True)
class CheckResult:
    report: Report
    debtors: CheckedSheet
    invoices: CheckedSheet
    settings: Settings | None

    @property
    def rows(self) -> int:
        return self.debtors.rows + self.invoices.rows


def check_debtors(raw: RawSheet, today: dt.date, default_scheme: str = "CORE") -> tuple[CheckedSheet, list]:
    mapping = columns.map_headers(raw.headers, columns.DEBTOR_COLUMNS)
    numeric = frozenset(c for c, h in mapping.found.items() if h in raw.numeric_columns)
    frame = schemas.with_columns(raw.frame, mapping.found, schemas.DEBTOR_TEXT)
    prepared = schemas.prepare_debtors(frame, numeric)
    where = columns.where_of(mapping, columns.DEBTOR_COLUMNS, raw.file, raw.sheet)
    issues = reading_issues(raw, mapping)
    issues += run_rules(prepared, schemas.debtor_rules(today, "bic" in mapping.found), where)
    typed = schemas.typed_debtors(prepared, default_scheme)
    return CheckedSheet(raw, mapping, prepared, typed), issues


def reading_issues(raw: RawSheet, mapping: columns.Mapping) -> list:
    """What the reader found (ragged CSV rows, a header written twice) and the header
    mapping's issues; a header the reader renamed is reported once, as `column-repeated`."""
    repeated = raw.repeated_headers
    return [*raw.issues, *(i.at(file=raw.file, sheet=raw.sheet, row=raw.header_row)
                           for i in mapping.issues if i.column not in repeated)]


def check_invoices(raw: RawSheet, known_debtors: pl.Series, prefix_length: int = 0) -> tuple[CheckedSheet, list]:
    mapping = columns.map_headers(raw.headers, columns.INVOICE_COLUMNS)
    numeric = frozenset(c for c, h in mapping.found.items() if h in raw.numeric_columns)
    frame = schemas.with_columns(raw.frame, mapping.found, schemas.INVOICE_TEXT)
    prepared = schemas.prepare_invoices(frame, known_debtors, numeric)
    where = columns.where_of(mapping, columns.INVOICE_COLUMNS, raw.file, raw.sheet)
    issues = reading_issues(raw, mapping)
    issues += run_rules(prepared, schemas.invoice_rules(prefix_length), where)
    return CheckedSheet(raw, mapping, prepared, schemas.typed_invoices(prepared)), issues


def check_with_settings(debtors: Path, invoices: Path, today: dt.date, settings: Settings,
                        debtors_sheet: str | None = None, invoices_sheet: str | None = None,
                        reporter: Reporter = SILENT) -> CheckResult:
    """Check both sheets against already loaded settings (collect and update use this)."""
    return _check_sheets(Report(), debtors, invoices, today, settings, debtors_sheet,
                         invoices_sheet, reporter)


def check(debtors: Path, invoices: Path, today: dt.date, *, config: Path | None = None,
          debtors_sheet: str | None = None, invoices_sheet: str | None = None,
          reporter: Reporter = SILENT) -> CheckResult:
    """Read and check both sheets (and the settings file, when given)."""
    report = Report()
    settings = None
    if config is not None:
        settings, settings_issues = load_settings(find_settings(config))
        report.extend(settings_issues)
    return _check_sheets(report, debtors, invoices, today, settings, debtors_sheet,
                         invoices_sheet, reporter)


def _check_sheets(report: Report, debtors: Path, invoices: Path, today: dt.date,
                  settings: Settings | None, debtors_sheet: str | None,
                  invoices_sheet: str | None, reporter: Reporter) -> CheckResult:
    scheme = settings.collection.scheme if settings else "CORE"
    limits = settings.limits if settings else None
    with reporter.step("read-debtors"):
        raw_debtors = read_sheet(debtors, debtors_sheet, DEBTOR_SHEETS, limits)
        reporter.advance(raw_debtors.frame.height)
    with reporter.step("read-invoices"):
        raw_invoices = read_sheet(invoices, invoices_sheet, INVOICE_SHEETS, limits)
        reporter.advance(raw_invoices.frame.height)
    with reporter.step("check-debtors"):
        checked_debtors, issues = check_debtors(raw_debtors, today, scheme)
        reporter.advance(raw_debtors.frame.height)
    report.extend(issues)
    with reporter.step("check-invoices"):
        checked_invoices, issues = check_invoices(raw_invoices, checked_debtors.typed["debtor_id"])
        reporter.advance(raw_invoices.frame.height)
    report.extend(issues)
    return CheckResult(report, checked_debtors, checked_invoices, settings)


def init(folder: Path, creditor, *, bank: str = "other", language: str = "", force: bool = False):
    """A new administration in `folder`: see init_run.run_init."""
    from incasso_sheets.init.run import run_init

    return run_init(folder, creditor, bank=bank, language=language, force=force)


def collect(request):
    """Collect: see collect_run.CollectRequest for the options."""
    from incasso_sheets.collect.run import run_collect

    return run_collect(request)


def update_debtors(debtors: Path, updates: Path, output: Path, today: dt.date, *,
                   config: Path | None = None, add_new: bool = False, dry_run: bool = False,
                   log: Path | None = None, sheet: str | None = None,
                   updates_sheet: str | None = None, lang: str = "nl",
                   reporter: Reporter = SILENT):
    """Merge an update sheet into the debtors sheet: see update_run.run_update."""
    from incasso_sheets.update.run import UpdateRequest, run_update

    return run_update(UpdateRequest(debtors, updates, output, today, config=config, add_new=add_new,
                                    dry_run=dry_run, log=log, sheet=sheet,
                                    updates_sheet=updates_sheet, lang=lang, reporter=reporter))


def clear(request):
    """Clear: see clear_run.ClearRequest for the options."""
    from incasso_sheets.clearing.run import run_clear

    return run_clear(request)


def status(config: Path | None, today: dt.date):
    """Every batch in the ledger with its suspense balance; (statuses, suspense account)."""
    from incasso_sheets.collect.run import settings_or_stop
    from incasso_sheets.ledger import store as ledger
    from incasso_sheets.ledger.status import batch_statuses

    settings = settings_or_stop(config)
    with ledger.Ledger.open_read_only(ledger.path_for(settings)) as led:
        if led is None:
            return [], settings.accounts.suspense
        return batch_statuses(led, settings.accounts.suspense, today), settings.accounts.suspense


def other_creditor(config: Path | None) -> tuple[Path, str, str] | None:
    """(ledger, its creditor identifier, the settings') when the ledger belongs to another
    creditor than the settings; None when it is theirs, or there is no ledger."""
    from incasso_sheets.collect.run import settings_or_stop
    from incasso_sheets.ledger import store as ledger

    settings = settings_or_stop(config)
    path = ledger.path_for(settings)
    with ledger.Ledger.open_read_only(path) as led:
        other = led.other_creditor(settings.creditor.creditor_id) if led is not None else None
    return None if other is None else (path, other, settings.creditor.creditor_id)


def ledger_check(config: Path | None):
    """Check the ledger's invariants: (ledger path, ledger_check.LedgerCheck).

    Reads without the lock (a run may be busy; WAL shows the last committed state)."""
    from incasso_sheets.collect.run import settings_or_stop
    from incasso_sheets.core.errors import CannotContinue
    from incasso_sheets.ledger import store as ledger
    from incasso_sheets.ledger.check import check_ledger

    settings = settings_or_stop(config)
    path = ledger.path_for(settings)
    with ledger.Ledger.open_read_only(path) as led:
        if led is None:
            raise CannotContinue("ledger-not-found", path=path)
        return path, check_ledger(led, settings.accounts.suspense, file=path.name,
                                  creditor_id=settings.creditor.creditor_id)


def ledger_export(config: Path | None, folder: Path) -> list[Path]:
    """Write every ledger table to FOLDER/<table>.csv (see ledger_export); the files."""
    from incasso_sheets.collect.run import settings_or_stop
    from incasso_sheets.core.errors import CannotContinue
    from incasso_sheets.ledger import store as ledger
    from incasso_sheets.ledger.export import export_tables, read_tables
    from incasso_sheets.runtime import output_plan

    settings = settings_or_stop(config)
    output_plan.refuse_overwrites([("word-file-export", Path(folder))],
                                  output_plan.administration_files(settings.path))
    path = ledger.path_for(settings)
    with ledger.Ledger.open_read_only(path) as led:
        if led is None:
            raise CannotContinue("ledger-not-found", path=path)
        tables = read_tables(led)
        identity = led.identity
    return export_tables(tables, folder, identity)


def ledger_import(source: Path, now: dt.datetime, *, config: Path | None = None,
                  debtors: Path | None = None, invoices: Path | None = None, sheet: str | None = None,
                  dry_run: bool = False):
    """Import earlier collections (a sheet or a pain.008) into the ledger: see migrate_run."""
    from incasso_sheets.migrate.run import ImportRequest, run_import

    return run_import(ImportRequest(source, now, config=config, dry_run=dry_run, sheet=sheet,
                                    debtors=debtors, invoices=invoices))
