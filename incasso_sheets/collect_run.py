"""`incasso collect` from files to files: the edge around collect.select and batching.

Reads and checks the sheets, consults the ledger, writes every output to a temporary
file, validates the XML against the official XSD, then commits the ledger rows and renames
the files in one step (ledger.commit_run). A rerun never collects an invoice twice.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from incasso_sheets import bookings, faults, ledger
from incasso_sheets.collect import batching, remittance
from incasso_sheets.collect.select import History, Options, Selection, select_collections
from incasso_sheets.errors import CannotContinue
from incasso_sheets.formats import csvfile, journal, workbook
from incasso_sheets.issues import WARNING, Issue, Report, issue
from incasso_sheets.model import Message
from incasso_sheets.sepa.calendar import TargetCalendar
from incasso_sheets.settings import Settings, find_settings, load_settings
from incasso_sheets.sheets.read import ROW

# Why an invoice was left out. `None`: already reported by `check` (currency, amount).
SKIP_SEVERITY = {
    "invoice-invalid-skipped": WARNING, "debtor-invalid-skipped": WARNING,
    "invoice-already-collected": WARNING, "debtor-direct-debit-off": WARNING,
    "invoice-needs-contact": WARNING, "invoice-fix-first": WARNING,
    "scheme-not-selected": WARNING, "invoice-not-due": WARNING, "mandate-inactive": WARNING,
    "mandate-used-up": WARNING, "mandate-ended": WARNING, "mandate-expired": WARNING,
    "currency-skipped": None, "amount-skipped": None,
}
PRENOTIFICATION_DAYS = 14  # sepa-rules.md §7.5 / §11.4


@dataclass
class CollectResult:
    report: Report
    messages: list[Message] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    skipped: pl.DataFrame | None = None
    rows: int = 0
    dry_run: bool = False
    written: bool = False
    recovered: list[Path] = field(default_factory=list)  # an interrupted run's files, finished now


@dataclass(frozen=True)
class CollectRequest:
    debtors: Path
    invoices: Path
    outdir: Path
    now: dt.datetime
    config: Path | None = None
    debtors_sheet: str | None = None
    invoices_sheet: str | None = None
    collection_date: dt.date | None = None
    until: dt.date | None = None
    scheme: str | None = None
    format: str | None = None
    dry_run: bool = False
    validate_xsd: bool = True
    skip_invalid: bool = False
    journal_format: str | None = None


def settings_or_stop(config: Path | None) -> Settings:
    path = find_settings(config)
    settings, problems = load_settings(path)
    if settings is None:
        raise SettingsProblems(problems)
    return settings


class SettingsProblems(CannotContinue):
    """Bad settings: every problem as an Issue, and exit code 3."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("settings-invalid", count=len(issues))


def run_collect(req: CollectRequest) -> CollectResult:
    from incasso_sheets import api

    settings = settings_or_stop(req.config)
    coll = settings.collection
    today = req.now.date()
    checked = api.check_with_settings(req.debtors, req.invoices, today, settings,
                                      req.debtors_sheet, req.invoices_sheet)
    report = Report(list(checked.report.issues))
    result = CollectResult(report, rows=checked.rows, dry_run=req.dry_run)
    problem = remittance.template_problem(coll.remittance)
    if problem:
        raise CannotContinue("remittance-template-invalid", fields=problem)
    if not report.valid and not req.skip_invalid:
        return result
    calendar = TargetCalendar.with_extra(coll.extra_closing_days)
    earliest = calendar.earliest_collection_date(req.now, coll.cutoff_time, coll.lead_days)
    if req.collection_date is not None and req.collection_date < earliest:
        raise CannotContinue("collection-date-too-early", date=req.collection_date, earliest=earliest)
    version = req.format or coll.format
    options = Options(now=req.now, earliest=earliest, calendar=calendar, until=req.until,
                      fixed_date=req.collection_date, scheme=req.scheme,
                      first_as_frst=coll.first_as_frst, remittance=coll.remittance)
    error_rows = {(i.file, i.row) for i in report.errors}
    inv_raw, deb_raw = checked.invoices.raw, checked.debtors.raw
    bad_inv = pl.Series([r for f, r in error_rows if f == inv_raw.file and r], dtype=pl.Int64)
    bad_deb = pl.Series([r for f, r in error_rows if f == deb_raw.file and r], dtype=pl.Int64)
    ledger_path = settings.path.with_name(ledger.FILENAME)
    outdir = req.outdir
    opener = ledger.Ledger.open_read_only if req.dry_run else ledger.Ledger.open
    with opener(ledger_path) as led:
        if led is not None:
            result.recovered = list(led.recovered)
        history = ledger.load_history(led) if led is not None else History.empty()
        selection = select_collections(checked.invoices.typed, checked.debtors.typed, history,
                                       options, bad_inv, bad_deb)
        faults.point("after-reading")
        report.extend(_selection_issues(selection, inv_raw.file, inv_raw.sheet,
                                        checked.invoices.mapping.found, options, coll.horizon_days, today))
        result.skipped = selection.skipped
        if selection.collections.height == 0:
            return result
        first = (led.peek_counter(_counter(today)) if led is not None else 0) + 1
        messages = batching.build_messages(
            selection.collections, creditor=settings.creditor, created_at=req.now, first_number=first,
            batch_booking=coll.batch_booking, max_per_file=coll.max_transactions_per_file)
        result.messages = messages
        if req.dry_run:
            return result
        outdir.mkdir(parents=True, exist_ok=True)
        ledger.sweep_temp_files(outdir)
        planned = _write_outputs(messages, selection, settings, version, outdir, today, req,
                                 led.next_run_id())

        def write(conn, run_id):
            for message in messages:
                ledger.record_collection(conn, run_id, message, f"{message.message_id}.pain008.xml",
                                         version, selection.collections)
            ledger.record_mandates(conn, selection.collections)
            led.set_counter(conn, _counter(today), first + len(messages) - 1)

        # commit_run deletes the temporary files if the ledger transaction fails, and
        # keeps them for recovery once it has committed.
        led.commit_run("collect", req.now, planned, write)
        result.files = [f.final for f in planned]
        result.written = True
    return result


def _counter(day: dt.date) -> str:
    return f"message:{day:%Y%m%d}"


def _selection_issues(selection: Selection, file: str, sheet: str, headers: dict[str, str],
                      options: Options, horizon_days: int, today: dt.date) -> list[Issue]:
    issues: list[Issue] = []
    column = headers.get("invoice_number", "Factuurnummer")
    for row, number, code, detail in selection.skipped.iter_rows():
        severity = SKIP_SEVERITY.get(code)
        if severity is None:
            continue
        issues.append(issue(code, severity, file=file, sheet=sheet, row=row, column=column,
                            value=number, detail=detail))
    chosen = selection.collections
    shortened = chosen.filter(pl.col("remittance_full") != pl.col("remittance"))
    for row, number, before, after in shortened.select(ROW, "invoice_number", "remittance_full",
                                                       "remittance").iter_rows():
        issues.append(issue("remittance-shortened", WARNING, file=file, sheet=sheet, row=row,
                            column=column, value=number, before=before, after=after))
    for row, number, mandate in chosen.filter(pl.col("frst_overridden")).select(
            ROW, "invoice_number", "mandate_id").iter_rows():
        issues.append(issue("sequence-frst-after-use", WARNING, file=file, sheet=sheet, row=row,
                            column=column, value=number, mandate=mandate))
    horizon = today + dt.timedelta(days=horizon_days)
    late = chosen.filter(pl.col("collection_date") > horizon)
    for row, number, day in late.select(ROW, "invoice_number", "collection_date").iter_rows():
        issues.append(issue("collection-date-beyond-horizon", WARNING, file=file, sheet=sheet, row=row,
                            column=column, value=number, date=day, days=horizon_days))
    short = chosen.filter(pl.col("collection_date") < pl.col("invoice_date").dt.offset_by(
        f"{PRENOTIFICATION_DAYS}d"))
    for row, number, day in short.select(ROW, "invoice_number", "collection_date").iter_rows():
        issues.append(issue("prenotification-short", WARNING, file=file, sheet=sheet, row=row,
                            column=column, value=number, date=day, days=PRENOTIFICATION_DAYS))
    return issues


def _write_outputs(messages: list[Message], selection: Selection, settings: Settings, version: str,
                   outdir: Path, today: dt.date, req: CollectRequest, run_id: int) -> list[ledger.PlannedFile]:
    from incasso_sheets.formats import pain008, xsd

    planned: list[ledger.PlannedFile] = []

    def plan(name: str) -> ledger.PlannedFile:
        f = ledger.PlannedFile(outdir / f"{ledger.TEMP_PREFIX}{run_id}-{name}", outdir / name)
        if f.final.exists():
            raise CannotContinue("output-exists", path=f.final)
        planned.append(f)
        return f

    fmt = req.journal_format or settings.journal.format
    try:
        for message in messages:
            mid = message.message_id
            xml = plan(f"{mid}.pain008.xml")
            with open(xml.temp, "wb") as out:
                pain008.write_pain008(out, message, version)
                out.flush()
                os.fsync(out.fileno())
            faults.point("after-xml")
            if req.validate_xsd:
                problems = xsd.validate_file(xml.temp, version)
                if problems:
                    raise CannotContinue("xsd-invalid", path=xml.final.name, problems="; ".join(problems[:5]))
            faults.point("after-xsd")
            lines = collection_journal(message, settings, today)
            unbalanced = bookings.unbalanced_entries(lines)
            if unbalanced:  # cannot happen by construction; refuse to write rather than trust
                raise CannotContinue("journal-unbalanced", entries=", ".join(unbalanced[:5]))
            journal_file = plan(f"{mid}.journal.csv")
            _write_file(journal_file.temp, lambda out, lines=lines: journal.write_journal(out, lines, fmt))
            pre = plan(f"{mid}.prenotification.csv")
            notices = prenotification(message, selection.collections, settings)
            _write_file(pre.temp, lambda out, n=notices: csvfile.write_csv(
                out, n, PRENOTIFICATION_HEADERS, fmt))
            summary = plan(f"{mid}.summary.xlsx")
            write_summary(summary.temp, message, selection.skipped if message is messages[0] else None)
    except BaseException:
        for f in planned:
            f.temp.unlink(missing_ok=True)
        raise
    return planned


def _write_file(path: Path, fill) -> None:
    with open(path, "wb") as out:
        fill(out)
        out.flush()
        os.fsync(out.fileno())


def collection_journal(message: Message, settings: Settings, booking_date: dt.date) -> pl.DataFrame:
    """Per invoice: debit suspense, credit receivables; Boekstuk and Batch = PmtInfId."""
    frames = []
    for block in message.blocks:
        items = block.transactions.select(
            pl.lit(block.payment_info_id).alias("entry"), pl.col("amount_cents"),
            pl.col("invoice_number").alias("subject"), pl.col("debtor_id"), pl.col("invoice_number"),
            pl.lit(block.payment_info_id).alias("batch"), pl.col("mandate_id"), pl.col("end_to_end_id"))
        frames.append(bookings.pair_lines(items, "collection", settings.accounts,
                                          settings.journal.journal_code, booking_date))
    return pl.concat(frames)


PRENOTIFICATION_HEADERS = ["Debiteurnummer", "Naam", "E-mail", "Incassodatum", "Bedrag", "Facturen",
                           "Machtigingskenmerk", "Incassant-ID", "IBAN"]


def prenotification(message: Message, collections: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """Per debtor and collection date: what will be collected, for the pre-notification."""
    frames = [b.transactions.with_columns(pl.lit(b.collection_date).alias("collection_date"))
              for b in message.blocks]
    tx = pl.concat(frames).join(collections.select("end_to_end_id", "email"), on="end_to_end_id",
                                how="left")
    return (tx.group_by("debtor_id", "collection_date", "mandate_id", maintain_order=True)
            .agg(pl.col("debtor_name").first(), pl.col("email").first(), pl.col("amount_cents").sum(),
                 pl.col("invoice_number").str.join(", "), pl.col("debtor_iban").first())
            .select("debtor_id", "debtor_name", "email", "collection_date",
                    "amount_cents", "invoice_number", "mandate_id",
                    pl.lit(settings.creditor.creditor_id).alias("creditor_id"), "debtor_iban"))


def write_summary(path: Path, message: Message, skipped: pl.DataFrame | None) -> None:
    wb = workbook.new_workbook()
    rows = [(b.payment_info_id, b.scheme, b.sequence_type, b.collection_date, b.count, b.total_cents)
            for b in message.blocks]
    rows.append(("Totaal " + message.message_id, None, None, None, message.count, message.total_cents))
    workbook.add_table(wb, "Samenvatting", ["Batch (PmtInfId)", "Type incasso", "Volgordetype",
                                            "Incassodatum", "Aantal", "Totaal"], rows, cents_columns=(5,),
                       widths={1: 30, 4: 14})
    if skipped is not None and skipped.height:
        workbook.add_table(wb, "Overgeslagen", ["Regel", "Factuurnummer", "Reden", "Toelichting"],
                           skipped.iter_rows(), widths={2: 18, 3: 28, 4: 30})
    workbook.save(wb, path)
