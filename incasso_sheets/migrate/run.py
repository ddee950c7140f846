"""`incasso ledger import` from file to ledger, and the migration report of `collect`.

Reads the earlier collections of the system left behind, either a sheet (.xlsx, .csv; see
migrate.IMPORT_COLUMNS) or a pain.008 file that system wrote (recognised by the namespace
of its root element, read as a stream over DrctDbtTxInf). Checks them with migrate's rules,
compares them with the ledger (migrate.plan_import) and, when nothing is wrong, records them
in one ledger run: transactions with source 'import' and no block, mandates with
history_source 'import'. With any error nothing is imported.

In a pain.008 the invoice number of a transaction is its EndToEndId (as incasso-sheets and
most packages write it); the file carries no debtor number, which `--debtors` fills in
through the mandate reference. Use a sheet when the old system wrote something else.

The first `collect` after an import (and `ledger import` itself, given `--debtors` and
`--invoices`) reports what was taken over: mandates that count as used and from which
source, invoices never collected again, and what looks inconsistent.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from lxml import etree

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.core.identity import identity_key_expr
from incasso_sheets.core.issues import WARNING, Issue, Report, issue
from incasso_sheets.core.money import format_cents
from incasso_sheets.formats.xmlsafe import iterparse_safe, release, sniff_namespace
from incasso_sheets.ledger import store as ledger
from incasso_sheets.migrate import plan as migrate
from incasso_sheets.runtime.input_files import regular_file_problem
from incasso_sheets.sepa import text
from incasso_sheets.sheets import columns, schemas
from incasso_sheets.sheets.read import ROW, read_sheet
from incasso_sheets.sheets.validate import Where, run_rules
from incasso_sheets.text import messages

COMMAND = "ledger import"
PAIN008 = re.compile(r"pain[.:]008[.:]\d{3}[.:]\d{2}", re.IGNORECASE)
# Where issues in a pain.008 point: the element that holds the value (row = its line).
XML_HEADERS = {"invoice_number": "EndToEndId", "debtor_id": "Dbtr", "mandate_id": "MndtId",
               "amount": "InstdAmt", "collection_date": "ReqdColltnDt", "end_to_end_id": "EndToEndId",
               "sequence": "SeqTp", "status": "-", "reason_code": "-", "iban": "DbtrAcct",
               "mandate_date": "DtOfSgntr"}
NOT_PROVIDED = "NOTPROVIDED"  # an EndToEndId some programs write when they have none


@dataclass(frozen=True)
class ImportRequest:
    source: Path
    now: dt.datetime
    config: Path | None = None
    dry_run: bool = False
    sheet: str | None = None
    debtors: Path | None = None     # to compare with (and to find a pain.008's debtors)
    invoices: Path | None = None    # to compare with


@dataclass
class ImportResult:
    report: Report
    path: Path
    kind: str = "sheet"             # or "pain.008"
    rows: int = 0
    imported: int = 0
    already: int = 0
    mandates_used: list[str] = field(default_factory=list)
    invoices_blocked: list[str] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False


@dataclass(frozen=True)
class ImportSheet:
    typed: pl.DataFrame
    where: Where
    issues: list[Issue]
    kind: str


@dataclass(frozen=True)
class Migration:
    """What a collect run takes over from an earlier system."""
    column: str                    # the debtors sheet's last collection header, as written
    from_sheet: list[str]          # mandates used because of the sheet's last collection date
    from_import: list[str]         # mandates of the debtors sheet used through the import
    invoices: list[str]            # invoices of the invoices sheet the import has collected

    @property
    def empty(self) -> bool:
        return not (self.from_sheet or self.from_import or self.invoices)


# --- reading -------------------------------------------------------------------------------

def read_import(path: Path, sheet: str | None = None, limits=None) -> ImportSheet:
    """The import file, checked and typed: a sheet, or a pain.008 the old system wrote."""
    if _looks_like_xml(path):
        frame, message_id = read_pain008(path)
        where = Where(path.name, message_id or "", XML_HEADERS)
        rules = migrate.import_rules(invoice_limit=text.ID_MAX, debtor_required=False)
        prepared = migrate.prepare_import(frame, frozenset({"amount"}))
        return ImportSheet(migrate.typed_import(prepared), where, run_rules(prepared, rules, where), "pain.008")
    raw = read_sheet(path, sheet, migrate.IMPORT_SHEETS, limits)
    mapping = columns.map_headers(raw.headers, migrate.IMPORT_COLUMNS)
    numeric = frozenset(c for c, h in mapping.found.items() if h in raw.numeric_columns)
    frame = schemas.with_columns(raw.frame, mapping.found, migrate.IMPORT_TEXT)
    prepared = migrate.prepare_import(frame, numeric)
    where = columns.where_of(mapping, migrate.IMPORT_COLUMNS, raw.file, raw.sheet)
    issues = [*raw.issues, *(i.at(file=raw.file, sheet=raw.sheet, row=raw.header_row)
                             for i in mapping.issues)]
    issues += run_rules(prepared, migrate.import_rules(), where)
    return ImportSheet(migrate.typed_import(prepared), where, issues, "sheet")


def _looks_like_xml(path: Path) -> bool:
    if path.suffix.lower() == ".xml":
        return True
    if regular_file_problem(path) is not None:
        return False  # read_sheet refuses it, without opening it
    try:
        with path.open("rb") as f:
            head = f.read(64)
    except OSError:
        return False  # read_sheet reports it
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


def read_pain008(path: Path) -> tuple[pl.DataFrame, str | None]:
    """The transactions of a pain.008 as the import's text columns, and its MsgId.

    Streams over DrctDbtTxInf; a block's sequence type and collection date come from its
    PmtInf header (a transaction's own PmtTpInf/SeqTp, allowed from .08 on, wins).
    """
    namespace = sniff_namespace(path)
    if not PAIN008.search(namespace):
        raise CannotContinue("import-file-unknown", path=path.name, namespace=namespace or "-")
    cols: dict[str, list] = {name: [] for name in (ROW, "end_to_end_id", "mandate_id", "amount",
                                                   "collection_date", "sequence", "iban", "mandate_date")}
    message_id = block_sequence = block_date = None
    tags = ("MsgId", "PmtInfId", "PmtTpInf", "ReqdColltnDt", "DrctDbtTxInf")
    for _event, elem in iterparse_safe(path, tags):
        name = etree.QName(elem).localname
        parent = elem.getparent()
        in_block = parent is not None and etree.QName(parent).localname == "PmtInf"
        if name == "DrctDbtTxInf":
            e2e = _text(elem, "PmtId/EndToEndId")
            cols[ROW].append(elem.sourceline)
            cols["end_to_end_id"].append(None if e2e == NOT_PROVIDED else e2e)
            cols["mandate_id"].append(_text(elem, "DrctDbtTx/MndtRltdInf/MndtId"))
            cols["mandate_date"].append(_text(elem, "DrctDbtTx/MndtRltdInf/DtOfSgntr"))
            cols["amount"].append(_text(elem, "InstdAmt"))
            cols["collection_date"].append(block_date)
            cols["sequence"].append(_text(elem, "PmtTpInf/SeqTp") or block_sequence)
            cols["iban"].append(_text(elem, "DbtrAcct/Id/IBAN"))
            release(elem)
        elif name == "MsgId" and message_id is None:
            message_id = (elem.text or "").strip() or None
        elif name == "PmtInfId" and in_block:
            block_sequence = block_date = None
        elif name == "PmtTpInf" and in_block:
            block_sequence = _text(elem, "SeqTp")
        elif name == "ReqdColltnDt" and in_block:
            block_date = (elem.text or "").strip() or None
    frame = pl.DataFrame(cols, schema={ROW: pl.Int64, **{k: pl.Utf8 for k in cols if k != ROW}})
    return frame.with_columns(
        pl.col("end_to_end_id").alias("invoice_number"), pl.lit(None, pl.Utf8).alias("debtor_id"),
        pl.lit(None, pl.Utf8).alias("status"), pl.lit(None, pl.Utf8).alias("reason_code"),
    ).select(ROW, *migrate.IMPORT_TEXT), message_id


def _text(elem: etree._Element, path: str) -> str | None:
    found = elem.find("/".join("{*}" + part for part in path.split("/")))
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


# --- importing -----------------------------------------------------------------------------

def run_import(req: ImportRequest) -> ImportResult:
    from incasso_sheets.collect.run import settings_or_stop

    settings = settings_or_stop(req.config)
    today = req.now.date()
    sheet = read_import(req.source, req.sheet, settings.limits)
    report = Report(list(sheet.issues))
    result = ImportResult(report, req.source, sheet.kind, rows=sheet.typed.height, dry_run=req.dry_run)
    typed = sheet.typed
    debtors, invoices = _today_sheets(req, today, settings)
    if debtors is not None and sheet.kind == "pain.008":
        owners = debtors.select("mandate_key", pl.col("debtor_id").alias("_owner")).drop_nulls().unique(
            "mandate_key", keep="first")
        typed = typed.join(owners, on="mandate_key", how="left", maintain_order="left").with_columns(
            debtor_id=pl.coalesce("debtor_id", "_owner")).drop("_owner")
    report.extend(compare_import(typed, sheet.where, debtors, invoices, req))
    if not report.valid:
        return result
    ledger_path = ledger.path_for(settings)
    opener = ledger.Ledger.open_read_only if req.dry_run else ledger.Ledger.open
    with opener(ledger_path, creditor_id=settings.creditor.creditor_id) as led:
        known, used = _ledger_state(led)
        plan = migrate.plan_import(typed, known, used, sheet.where)
        report.extend(plan.issues)
        if not report.valid:
            return result
        result.imported, result.already = plan.new.height, plan.already
        result.mandates_used, result.invoices_blocked = plan.mandates_used, plan.invoices_blocked
        if req.dry_run or plan.new.height == 0:
            return result

        def write(conn, run_id):
            ledger.record_import(conn, plan.new, plan.mandates)

        led.commit_run(COMMAND, req.now, [], write)
        result.written = True
    return result


def _today_sheets(req: ImportRequest, today: dt.date, settings):
    """The typed debtors and invoices sheets given to compare with (their own problems are
    for `incasso check`; here only their values count)."""
    from incasso_sheets import api

    debtors = invoices = None
    if req.debtors is not None:
        raw = read_sheet(req.debtors, None, api.DEBTOR_SHEETS, settings.limits)
        debtors = api.check_debtors(raw, today, settings.collection.scheme)[0].typed
    if req.invoices is not None:
        raw = read_sheet(req.invoices, None, api.INVOICE_SHEETS, settings.limits)
        known = debtors["debtor_id"] if debtors is not None else pl.Series([], dtype=pl.Utf8)
        invoices = api.check_invoices(raw, known)[0].typed
    return debtors, invoices


def compare_import(typed: pl.DataFrame, where: Where, debtors: pl.DataFrame | None,
                   invoices: pl.DataFrame | None, req: ImportRequest) -> list[Issue]:
    """Warnings at the import's cells for what does not fit today's sheets."""
    found: list[Issue] = []
    if invoices is not None:
        differs = migrate.amount_differences(typed, invoices)
        for row, number, cents, open_cents in differs.select(ROW, "invoice_number", "amount_cents",
                                                             "open_cents").iter_rows():
            found.append(issue("import-amount-differs", WARNING, file=where.file, sheet=where.sheet,
                               row=row, column=where.headers["amount"], value=format_cents(cents),
                               invoice=number, imported=format_cents(cents), open=format_cents(open_cents)))
    if debtors is not None:
        unknown = migrate.unknown_mandates(typed.filter(pl.col("mandate_key").is_not_null()), debtors)
        for row, mandate in unknown.select(ROW, "mandate_id").iter_rows():
            found.append(issue("import-mandate-unknown", WARNING, file=where.file, sheet=where.sheet,
                               row=row, column=where.headers["mandate_id"], value=mandate, mandate=mandate))
    return found


def _ledger_state(led) -> tuple[pl.DataFrame, pl.Series]:
    """The ledger's transactions as plan_import needs them, and its used mandates' keys."""
    if led is None:
        return pl.DataFrame(schema=migrate.LEDGER_TRANSACTIONS), pl.Series([], dtype=pl.Utf8)
    known = led.frame(
        "SELECT end_to_end_id, invoice_number, attempt, collection_date, amount_cents, source FROM transactions",
        schema={**migrate.LEDGER_TRANSACTIONS, "collection_date": pl.Utf8},
    ).with_columns(pl.col("collection_date").str.to_date(strict=False))
    mandates = ledger.load_mandates(led)
    return known, mandates.filter(pl.col("used"))["mandate_key"]


# --- what collect takes over ---------------------------------------------------------------

IMPORTED = {"invoice_number": pl.Utf8, "mandate_key": pl.Utf8, "mandate_id": pl.Utf8,
            "amount_cents": pl.Int64, "collection_date": pl.Utf8, "status": pl.Utf8}


def first_collect_after_import(led) -> bool:
    row = led.conn.execute(
        "SELECT (SELECT coalesce(max(run_id), 0) FROM runs WHERE command = ?) > "
        "(SELECT coalesce(max(run_id), 0) FROM runs WHERE command = 'collect')", (COMMAND,)).fetchone()
    return bool(row[0])


def collect_migration(led, collections: pl.DataFrame, checked) -> tuple[Migration | None, list[Issue]]:
    """The migration report of a collect run: mandates used through the debtors sheet's last
    collection date (every run that meets one), and, on the first collect after a ledger
    import, what the import took over and what does not fit the sheets."""
    deb, inv = checked.debtors, checked.invoices
    column = deb.mapping.found.get("last_collection_date", "Laatste incasso")
    from_sheet = []
    if "history_from_sheet" in collections.columns:
        from_sheet = (collections.filter(pl.col("history_from_sheet")).sort(ROW)
                      .unique("mandate_key", keep="first", maintain_order=True)["mandate_id"].to_list())
    from_import: list[str] = []
    invoices: list[str] = []
    found: list[Issue] = []
    if led is not None and first_collect_after_import(led):
        imported = led.frame(
            "SELECT invoice_number, mandate_key, mandate_id, amount_cents, collection_date, status "
            "FROM transactions WHERE source = 'import' ORDER BY collection_date, attempt",
            schema=IMPORTED).with_columns(pl.col("collection_date").str.to_date(strict=False))
        done = imported.filter(pl.col("status").is_in(migrate.DONE))
        used = done["mandate_key"].unique().implode()
        from_import = (deb.typed.filter(pl.col("mandate_key").is_in(used)).sort(ROW)
                       .unique("mandate_key", keep="first", maintain_order=True)["mandate_id"].to_list())
        # (an invoice by its identity: identity.py)
        key = identity_key_expr(pl.col("invoice_number"))
        latest = imported.group_by(key.alias("_key"), maintain_order=True).last()
        blocked = latest.filter(pl.col("status").is_in(migrate.DONE))["_key"].implode()
        invoices = inv.typed.filter(key.is_in(blocked)).sort(ROW)["invoice_number"].to_list()
        amount_header = inv.mapping.found.get("amount", "Bedrag")
        for row, number, cents, open_cents in migrate.amount_differences(imported, inv.typed).select(
                "_invoice_row", "invoice_number", "amount_cents", "open_cents").iter_rows():
            found.append(issue("import-amount-differs", WARNING, file=inv.raw.file, sheet=inv.raw.sheet,
                               row=row, column=amount_header, value=format_cents(open_cents),
                               invoice=number, imported=format_cents(cents), open=format_cents(open_cents)))
        mandate_header = deb.mapping.found.get("mandate_id", "Machtigingskenmerk")
        for mandate in migrate.unknown_mandates(done, deb.typed)["mandate_id"].to_list():
            found.append(issue("import-mandate-unknown", WARNING, file=deb.raw.file, sheet=deb.raw.sheet,
                               column=mandate_header, value=mandate, mandate=mandate))
    migration = Migration(column, from_sheet, from_import, invoices)
    return (None if migration.empty else migration), found


# --- text ----------------------------------------------------------------------------------

def _listed(values: list[str], lang: str) -> str:
    shown, more = migrate.examples(values)
    return shown + (", " + messages.text("list-more", lang, count=more) if more else "")


def migration_lines(migration: Migration | None, lang: str = "en") -> list[str]:
    """The "taken over" lines of a collect run or an import."""
    if migration is None or migration.empty:
        return []
    lines = [messages.text("migration-header", lang)]
    if migration.from_sheet:
        lines.append(messages.text("migration-mandates-sheet", lang, count=len(migration.from_sheet),
                                   column=migration.column, examples=_listed(migration.from_sheet, lang)))
    if migration.from_import:
        lines.append(messages.text("migration-mandates-import", lang, count=len(migration.from_import),
                                   examples=_listed(migration.from_import, lang)))
    if migration.invoices:
        lines.append(messages.text("migration-invoices-import", lang, count=len(migration.invoices),
                                   examples=_listed(migration.invoices, lang)))
    return lines


def render_text(result: ImportResult, lang: str = "en") -> str:
    """What `incasso ledger import` prints: issues, then what was (or would be) imported."""
    from incasso_sheets.text.render import issue_line

    lines = [issue_line(i, lang) for i in result.report.sorted()]
    if lines:
        lines.append("")
    name = result.path.name
    if not result.report.valid:
        lines.append(messages.text("import-stopped", lang, errors=len(result.report.errors)))
        return "\n".join(lines)
    if result.imported == 0:
        lines.append(messages.text("import-nothing" if result.already else "import-empty", lang, path=name))
        return "\n".join(lines)
    code = "import-would" if result.dry_run else "import-done"
    lines.append(messages.text(code, lang, count=result.imported, path=name))
    if result.already:
        lines.append(messages.text("import-already", lang, count=result.already))
    lines += migration_lines(Migration("", [], result.mandates_used, result.invoices_blocked), lang)
    if result.dry_run:
        lines.append(messages.text("collect-dry-run", lang))
    return "\n".join(lines)
