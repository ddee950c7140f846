"""Earlier collections taken over from another system: the import sheet's columns and
rules, its typed frame, and the plan of what `incasso ledger import` adds to the ledger.

The import sheet has one row per collection the old system made: invoice number, debtor,
mandate reference, amount and collection date, and optionally the EndToEndId, the sequence
type, the status (settled, rejected, returned; empty = collected) with the bank's reason code,
the debtor's IBAN and the mandate's signing date. A rejected or returned row is re-collected
by the rules of a rejected collection (docs/sepa.md §9.2); without a reason code that
means: contact the debtor first. A pain.008 file of the old system arrives here as the same text
columns (see migrate_run). The cells are read by the parsers and checked by the rule groups
of the debtors and invoices sheets (`schemas.id_rules`, `amount_rules`, `date_rule`); an
identifier of history that fails today's rules is only a warning (HISTORICAL).

`plan_import` compares the typed rows with the ledger: a row the ledger already has is
"already imported" (same EndToEndId and invoice, or, without an EndToEndId, the same
invoice, date and amount), so importing a file twice adds nothing. New rows get the next
attempt numbers of their invoice, and an EndToEndId when the sheet gives none: the invoice
number (`-n` for the n-th attempt), which is what incasso-sheets itself would have sent, so
it is never sent again. Mandates with a collected or settled row count as used from now on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from incasso_sheets.core import money
from incasso_sheets.core.identity import identity_key_expr
from incasso_sheets.core.issues import ERROR, WARNING, Issue
from incasso_sheets.core.model import TransactionStatus
from incasso_sheets.sepa import identifiers
from incasso_sheets.sheets import parse
from incasso_sheets.sheets.columns import DEBTOR_COLUMNS, INVOICE_COLUMNS, Column
from incasso_sheets.sheets.read import ROW
from incasso_sheets.sheets.schemas import amount_rules, date_rule, id_rules, invoice_number_limit
from incasso_sheets.sheets.validate import Rule, Where

DONE = TransactionStatus.done()  # a collection that counts: the invoice is paid, the mandate used
# History is a fact: the bank accepted these collections, whatever today's checks say of
# their identifiers (a German IBAN failing its national check digits, a mandate reference
# with a space). Those checks only warn. What would make the ledger wrong stays an error:
# a missing invoice number, mandate reference, amount or date, an unreadable amount, date,
# status or code, a duplicate.
HISTORICAL = frozenset({"invoice-number-too-long", "invoice-number-invalid", "mandate-id-too-long",
                        "mandate-id-invalid", "end-to-end-id-too-long", "end-to-end-id-invalid",
                        "iban-invalid"})


def _aliases(columns: tuple[Column, ...], name: str) -> tuple[str, ...]:
    return next(c.aliases for c in columns if c.name == name)


IMPORT_COLUMNS = (
    Column("invoice_number", _aliases(INVOICE_COLUMNS, "invoice_number"), True),
    Column("debtor_id", _aliases(DEBTOR_COLUMNS, "debtor_id"), True),
    Column("mandate_id", _aliases(DEBTOR_COLUMNS, "mandate_id"), True),
    Column("amount", ("Bedrag", "Geïncasseerd bedrag", "Incassobedrag", "Amount",
                      "Collected amount"), True),
    Column("collection_date", ("Incassodatum", "Datum incasso", "Collection date",
                               "Direct debit date"), True),
    Column("end_to_end_id", ("EndToEndId", "End-to-end-ID", "Transactiekenmerk")),
    Column("sequence", ("Volgordetype", "Sequence type")),
    Column("status", ("Status", "Resultaat", "Result")),
    Column("reason_code", ("Redencode", "Reden", "Reason code", "Reason")),
    Column("iban", _aliases(DEBTOR_COLUMNS, "iban")),
    Column("mandate_date", _aliases(DEBTOR_COLUMNS, "mandate_date")),
)
IMPORT_TEXT = tuple(c.name for c in IMPORT_COLUMNS)
IMPORT_SHEETS = ("incasso's", "historie", "incassohistorie", "collections", "history")

# What was sent: the four SEPA codes (an empty cell: unknown, stored as null).
SEQUENCES = {s: s for s in ("FRST", "RCUR", "OOFF", "FNAL")}
STATUSES = {
    "COLLECTED": "collected", "GEINCASSEERD": "collected", "GEÏNCASSEERD": "collected",
    "VERSTUURD": "collected", "SENT": "collected",
    "SETTLED": "settled", "PAID": "settled", "BETAALD": "settled", "VERWERKT": "settled",
    "OK": "settled",
    "REJECTED": "rejected", "GEWEIGERD": "rejected", "AFGEWEZEN": "rejected", "REJECT": "rejected",
    "RETURNED": "returned", "STORNO": "returned", "GESTORNEERD": "returned",
    "TERUGGEBOEKT": "returned", "RETURN": "returned", "REFUNDED": "returned",
}

TYPED_IMPORT = {ROW: pl.Int64, "invoice_number": pl.Utf8, "debtor_id": pl.Utf8, "mandate_id": pl.Utf8,
                "mandate_key": pl.Utf8, "amount_cents": pl.Int64, "collection_date": pl.Date,
                "end_to_end_id": pl.Utf8, "sequence_type": pl.Utf8, "status": pl.Utf8,
                "reason_code": pl.Utf8, "iban": pl.Utf8, "mandate_date": pl.Date}
# What plan_import needs to know of the ledger's transactions.
LEDGER_TRANSACTIONS = {"end_to_end_id": pl.Utf8, "invoice_number": pl.Utf8, "attempt": pl.Int64,
                       "collection_date": pl.Date, "amount_cents": pl.Int64, "source": pl.Utf8}


def prepare_import(frame: pl.DataFrame, numeric: frozenset[str] = frozenset()) -> pl.DataFrame:
    """The import's text columns plus typed helper columns (prefixed `_`)."""
    f = money.with_amount_columns(frame, "amount", "amount" in numeric).with_columns(
        _number=parse.text("invoice_number"),
        _debtor=parse.text("debtor_id"),
        _mandate=parse.text("mandate_id"),
        _date=parse.date("collection_date", "collection_date" in numeric),
        _e2e=parse.text("end_to_end_id"),
        _sequence=parse.code("sequence", SEQUENCES),
        _status=parse.code("status", STATUSES, empty="collected"),
        _reason=parse.text("reason_code").str.to_uppercase(),
        _iban=parse.text("iban").str.replace_all(r"[\s\u00a0.\-]", "").str.to_uppercase(),
        _mandate_date=parse.date("mandate_date", "mandate_date" in numeric),
    )
    same = pl.concat_str([pl.col("_number"), pl.col("_date").cast(pl.Utf8),
                          pl.col("amount_cents").cast(pl.Utf8)], separator="\x1f")
    f = f.with_columns(_mandate_key=pl.col("_mandate").str.to_uppercase())
    # Without EndToEndIds, two rows with the same invoice, date and amount are one
    # collection typed twice; with them the ids tell collections apart.
    f = parse.with_first_rows(f, _e2e_first=pl.col("_e2e"),
                              _same_first=pl.when(pl.col("_e2e").is_null()).then(same))
    checked = identifiers.check_ibans(f["_iban"]).select(
        pl.col("iban").alias("_iban"), pl.col("problem").alias("_iban_problem"))
    return f.join(checked, on="_iban", how="left", maintain_order="left")


def import_rules(invoice_limit: int | None = None, debtor_required: bool = True) -> list[Rule]:
    """Every check of an import row; an identifier failing today's rules only warns
    (HISTORICAL). `invoice_limit`: the longest invoice number (default: as in the invoices
    sheet); a pain.008's EndToEndIds may use all 35 characters."""
    c = pl.col
    limit = invoice_number_limit() if invoice_limit is None else invoice_limit
    rules = [
        *id_rules("invoice_number", c("_number"), "invoice-number", required=pl.lit(True), limit=limit),
        Rule("invoice_number", "import-row-duplicate",
             c("_same_first").is_null() | (c(ROW) == c("_same_first")),
             params=(("other_row", c("_same_first")),)),
        Rule("debtor_id", "debtor-id-missing", pl.lit(not debtor_required) | c("_debtor").is_not_null()),
        *id_rules("mandate_id", c("_mandate"), "mandate-id", required=pl.lit(True), mandate=True),
        *amount_rules(),
        Rule("amount", "import-amount-not-positive", c("amount_cents") > 0),
        Rule("collection_date", "collection-date-missing", parse.text("collection_date").is_not_null()),
        date_rule("collection_date", "_date"),
        *id_rules("end_to_end_id", c("_e2e"), "end-to-end-id"),
        Rule("end_to_end_id", "end-to-end-id-duplicate",
             c("_e2e_first").is_null() | (c(ROW) == c("_e2e_first")),
             params=(("other_row", c("_e2e_first")),)),
        Rule("sequence", "sequence-invalid", ~parse.invalid("sequence", c("_sequence"))),
        Rule("status", "import-status-invalid", ~parse.invalid("status", c("_status"))),
        # ISO 20022 external status reason codes (AM04, MD06, ...) are four characters.
        Rule("reason_code", "reason-code-invalid", c("_reason").str.contains(r"^[A-Z0-9]{4}$")),
        Rule("iban", "iban-invalid", c("_iban").is_null() | c("_iban_problem").is_null(),
             params=(("reason", c("_iban_problem")),)),
        date_rule("mandate_date", "_mandate_date"),
    ]
    return [replace(r, severity=WARNING) if r.code in HISTORICAL else r for r in rules]


def typed_import(prepared: pl.DataFrame) -> pl.DataFrame:
    """One row per earlier collection: TYPED_IMPORT."""
    c = pl.col
    return prepared.select(
        c(ROW),
        c("_number").alias("invoice_number"),
        c("_debtor").alias("debtor_id"),
        c("_mandate").alias("mandate_id"),
        c("_mandate_key").alias("mandate_key"),
        c("amount_cents"),
        c("_date").alias("collection_date"),
        c("_e2e").alias("end_to_end_id"),
        c("_sequence").alias("sequence_type"),
        c("_status").alias("status"),
        c("_reason").alias("reason_code"),
        c("_iban").alias("iban"),
        c("_mandate_date").alias("mandate_date"),
    ).cast(TYPED_IMPORT)


# --- against the ledger --------------------------------------------------------------------

@dataclass(frozen=True)
class ImportPlan:
    new: pl.DataFrame            # TYPED_IMPORT + attempt, end_to_end_id filled: to record
    already: int                 # rows the ledger has from an earlier import
    mandates: pl.DataFrame       # mandate_key, mandate_id, debtor_id, iban, mandate_date,
                                 # last_collection_date: to upsert (history_source 'import')
    mandates_used: list[str]     # mandate ids that count as used from now on (were not)
    invoices_blocked: list[str]  # invoice numbers never collected again
    issues: list[Issue]


def plan_import(typed: pl.DataFrame, ledger_transactions: pl.DataFrame, used_mandates: pl.Series,
                where: Where) -> ImportPlan:
    """What the ledger lacks of `typed`: new rows with attempts and EndToEndIds, mandates.

    `ledger_transactions` has LEDGER_TRANSACTIONS; `used_mandates` the keys of the mandates
    the ledger already counts as used. An EndToEndId the ledger holds for another invoice is
    an error; an invoice incasso-sheets collected itself is left out with a warning.
    """
    c = pl.col
    # Invoices are compared by their identity (identity.py): `inv-1` is `INV-0001`.
    key = identity_key_expr(c("invoice_number")).alias("_key")
    led = ledger_transactions.with_columns(key)
    by_id = led.select("end_to_end_id", c("invoice_number").alias("_l_invoice"), c("_key").alias("_l_key"))
    same = led.select("_key", "collection_date", "amount_cents").unique().with_columns(_l_same=pl.lit(True))
    ours = led.filter(c("source") == "incasso").select("_key").unique().with_columns(_ours=pl.lit(True))
    f = (typed.with_columns(key).join(by_id, on="end_to_end_id", how="left")
         .join(same, on=["_key", "collection_date", "amount_cents"], how="left")
         .join(ours, on="_key", how="left"))
    given = c("end_to_end_id").is_not_null()
    f = f.with_columns(
        _already=(given & (c("_l_key") == c("_key"))).fill_null(False)
        | (~given & c("_l_same").fill_null(False)),
        _taken=(given & (c("_l_key") != c("_key"))).fill_null(False),
    ).with_columns(_ours=~c("_already") & ~c("_taken") & c("_ours").fill_null(False))
    issues = _issues(f.filter(c("_taken")), "end_to_end_id", "import-end-to-end-id-taken", where,
                     invoice=c("_l_invoice"))
    issues += _issues(f.filter(c("_ours")), "invoice_number", "import-invoice-collected-here", where,
                      severity=WARNING)
    new = f.filter(~c("_already") & ~c("_taken") & ~c("_ours")).select(list(typed.columns))
    new = _with_attempts(new, led)
    new = _with_end_to_end_ids(new, led["end_to_end_id"])
    done = new.filter(c("status").is_in(DONE))
    mandates = (done.sort("collection_date", ROW).group_by("mandate_key", maintain_order=True).agg(
        c("mandate_id").last(), c("debtor_id").drop_nulls().last(), c("iban").drop_nulls().last(),
        c("mandate_date").drop_nulls().last(), c("collection_date").max().alias("last_collection_date"),
        c(ROW).min().alias("_first")).sort("_first").drop("_first"))
    newly = mandates.filter(~c("mandate_key").is_in(used_mandates.implode()))
    latest = new.sort("attempt").group_by(key, maintain_order=True).last()
    blocked = latest.filter(c("status").is_in(DONE)).sort(ROW)["invoice_number"].to_list()
    return ImportPlan(new, int(f["_already"].sum()), mandates, newly["mandate_id"].to_list(),
                      blocked, issues)


def _with_attempts(new: pl.DataFrame, ledger_transactions: pl.DataFrame) -> pl.DataFrame:
    """Attempts continue the invoice's attempts in the ledger, in order of collection date."""
    c = pl.col
    key = identity_key_expr(c("invoice_number")).alias("_key")
    base = ledger_transactions.group_by(key).agg(c("attempt").max().alias("_base"))
    order = pl.struct("collection_date", ROW).rank("ordinal").over("_key").cast(pl.Int64)
    return new.with_columns(key).join(base, on="_key", how="left", maintain_order="left").with_columns(
        attempt=c("_base").fill_null(0) + order).drop("_base", "_key")


def _with_end_to_end_ids(new: pl.DataFrame, used: pl.Series) -> pl.DataFrame:
    """Rows without an EndToEndId get the invoice number (`-n` from attempt 2), the id
    incasso-sheets would have sent; one the ledger or this import already has gets the next
    free suffix."""
    c = pl.col
    synthesised = pl.when(c("attempt") == 1).then(c("invoice_number")).otherwise(
        pl.concat_str([c("invoice_number"), pl.lit("-"), c("attempt").cast(pl.Utf8)]))
    f = new.with_columns(_given=c("end_to_end_id").is_not_null(),
                         end_to_end_id=pl.coalesce(c("end_to_end_id"), synthesised))
    taken = set(used.to_list()) | set(f.filter(c("_given"))["end_to_end_id"].to_list())
    ids, given = f["end_to_end_id"].to_list(), f["_given"].to_list()
    numbers, attempts = f["invoice_number"].to_list(), f["attempt"].to_list()
    for i, is_given in enumerate(given):
        if is_given:
            continue
        n = attempts[i]
        while ids[i] in taken:
            n += 1
            ids[i] = f"{numbers[i]}-{n}"
        taken.add(ids[i])
    return f.with_columns(end_to_end_id=pl.Series(ids, dtype=pl.Utf8)).drop("_given")


def _issues(rows: pl.DataFrame, column: str, code: str, where: Where, severity: str = ERROR,
            **params: pl.Expr) -> list[Issue]:
    names = list(params)
    frame = rows.select(pl.col(ROW), pl.col(column).cast(pl.Utf8),
                        *[e.cast(pl.Utf8).alias(f"_p{i}") for i, e in enumerate(params.values())])
    return [Issue(code, severity, where.file, where.sheet, r[0], where.headers[column], r[1],
                  tuple(sorted(zip(names, ("" if v is None else v for v in r[2:]), strict=True))))
            for r in frame.iter_rows()]


# --- against the sheets of today -----------------------------------------------------------

def amount_differences(imported: pl.DataFrame, invoices: pl.DataFrame) -> pl.DataFrame:
    """Invoices the import has collected (latest row per invoice) that the invoices sheet
    has open for another amount: the import's columns plus `_invoice_row`, `open_cents`."""
    c = pl.col
    key = identity_key_expr(c("invoice_number")).alias("_key")
    latest = (imported.sort("collection_date").group_by(key, maintain_order=True).last()
              .filter(c("status").is_in(DONE)))
    sheet = invoices.select(c(ROW).alias("_invoice_row"), key,
                            c("amount_cents").alias("open_cents")).filter(c("open_cents").is_not_null())
    return latest.join(sheet, on="_key", how="inner").filter(
        c("open_cents") != c("amount_cents")).drop("_key")


def unknown_mandates(imported: pl.DataFrame, debtors: pl.DataFrame) -> pl.DataFrame:
    """Mandates in the import that no debtor in the debtors sheet has (first row of each)."""
    known = debtors["mandate_key"].drop_nulls().implode()
    return imported.filter(~pl.col("mandate_key").is_in(known)).unique("mandate_key", keep="first",
                                                                        maintain_order=True)


def examples(values: list[str], limit: int = 5) -> tuple[str, int]:
    """The first `limit` values joined for a report line, and how many more there are."""
    return ", ".join(values[:limit]), max(len(values) - limit, 0)
