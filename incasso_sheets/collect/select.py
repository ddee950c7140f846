"""Which invoices are collected now, on which date, with which sequence type.

Takes the typed debtors and invoices frames, the ledger's history (as frames) and the run
options; returns the collections (one row per invoice, columns ready for batching) and
the invoices left out, each with the reason code. Everything is column-wise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from incasso_sheets.collect.remittance import remittance_columns
from incasso_sheets.core.identity import identity_key_expr
from incasso_sheets.core.model import MandateStatus, TransactionStatus
from incasso_sheets.sepa import reasons, sequence
from incasso_sheets.sepa.calendar import TargetCalendar
from incasso_sheets.sepa.identifiers import outside_eea
from incasso_sheets.sheets.read import ROW

# Helper columns of the history joins and of the reason: not needed once the reason is known.
DECIDED_COLUMNS = ("_inv_bad", "_deb_bad", "last_batch", "last_reason", "last_iban", "last_mandate_id",
                   "same_reason_count", "mandate_status", "mandate_status_reason", "mandate_used_up",
                   "_wanted", "_detail", "last_debtor_id", "last_invoice_date", "invoice_key",
                   "last_invoice_number")
# Debtor columns that no skip rule looks at: joined after the selection (see below).
LATE_DEBTOR_COLUMNS = ("name", "bic", "street", "postcode", "city", "country", "email")
ADDRESS_COLUMNS = ("street", "postcode", "city", "country")
# The columns history_columns joins only to work out the prev_* and last_* ones.
HISTORY_HELPERS = ("k_mandate_id", "k_iban", "k_last", "k_used", "d_mandate_key", "d_mandate_id", "d_iban",
                   "d_mandate_date", "d_last")
# The history that tells an invoice was collected before (and is the same invoice).
EARLIER_HISTORY = ("last_status", "last_batch", "last_debtor_id", "last_invoice_date", "last_invoice_number")
MANDATE_EXPIRY_MONTHS = 36  # EPC rulebook: unused for 36 months after the last collection
INACTIVE = tuple(MandateStatus.inactive())

# Keyed by invoice identity (identity.identity_key); last_invoice_number is the spelling
# the ledger knows it by.
HISTORY_INVOICES = {"invoice_key": pl.Utf8, "last_invoice_number": pl.Utf8, "last_attempt": pl.Int64,
                    "last_status": pl.Utf8, "last_batch": pl.Utf8, "last_reason": pl.Utf8, "last_iban": pl.Utf8,
                    "last_mandate_id": pl.Utf8, "same_reason_count": pl.Int64,
                    "last_debtor_id": pl.Utf8, "last_invoice_date": pl.Date}
HISTORY_MANDATES = {"mandate_key": pl.Utf8, "mandate_id": pl.Utf8, "debtor_id": pl.Utf8,
                    "iban": pl.Utf8, "mandate_date": pl.Date, "last_collection_date": pl.Date,
                    "status": pl.Utf8, "status_reason": pl.Utf8, "used": pl.Boolean,
                    "used_up": pl.Boolean, "history_source": pl.Utf8}


@dataclass(frozen=True)
class History:
    invoices: pl.DataFrame        # HISTORY_INVOICES: latest attempt per invoice
    mandates: pl.DataFrame        # HISTORY_MANDATES
    end_to_end_ids: pl.Series     # the used EndToEndIds these invoices could take (n, n-2, ...)

    @classmethod
    def empty(cls) -> History:
        return cls(pl.DataFrame(schema=HISTORY_INVOICES), pl.DataFrame(schema=HISTORY_MANDATES),
                   pl.Series("end_to_end_id", [], pl.Utf8))


@dataclass(frozen=True)
class Options:
    now: dt.datetime
    earliest: dt.date                 # earliest allowed collection date
    calendar: TargetCalendar
    until: dt.date | None = None      # only invoices due on or before
    fixed_date: dt.date | None = None  # --date: one collection date for all
    scheme: str | None = None         # --scheme: only this scheme
    first_as_frst: bool = True
    remittance: str = "Factuur {invoice_number} {description}"


@dataclass(frozen=True)
class Selection:
    collections: pl.DataFrame   # one row per invoice to collect
    skipped: pl.DataFrame       # _row, invoice_number, code, detail


def history_columns(frame: pl.DataFrame, history: History) -> pl.DataFrame:
    """Join the mandate history: by mandate key, else the debtor's latest earlier mandate.

    A debtor's `last_collection_date` from the sheet (a migration from another system)
    stands in for the history the ledger does not have: the mandate counts as used, and its
    36-month expiry runs from the later of the two dates. `history_from_sheet` marks the
    rows where the sheet alone made the mandate used.
    """
    m = history.mandates
    by_key = m.select(
        pl.col("mandate_key"), pl.col("mandate_id").alias("k_mandate_id"), pl.col("iban").alias("k_iban"),
        pl.col("last_collection_date").alias("k_last"), pl.col("status").alias("mandate_status"),
        pl.col("status_reason").alias("mandate_status_reason"), pl.col("used").alias("k_used"),
        pl.col("used_up").alias("mandate_used_up"))
    latest = (m.filter(pl.col("used")).sort("last_collection_date", nulls_last=False)
              .group_by("debtor_id").last())
    by_debtor = latest.select(
        pl.col("debtor_id"), pl.col("mandate_key").alias("d_mandate_key"),
        pl.col("mandate_id").alias("d_mandate_id"), pl.col("iban").alias("d_iban"),
        pl.col("mandate_date").alias("d_mandate_date"), pl.col("last_collection_date").alias("d_last"))
    f = (frame.join(by_key, on="mandate_key", how="left", maintain_order="left")
         .join(by_debtor, on="debtor_id", how="left", maintain_order="left"))
    c = pl.col
    known = c("k_mandate_id").is_not_null()
    # A new mandate id with the same signing date as the debtor's previous mandate is an
    # amendment of that mandate; with another signing date it is a new mandate.
    continues = ~known & c("d_mandate_id").is_not_null() & (c("d_mandate_date") == c("mandate_date"))
    sheet_last = c("last_collection_date") if "last_collection_date" in frame.columns else pl.lit(None, pl.Date)
    from_sheet = ~known & ~continues & sheet_last.is_not_null()
    return f.with_columns(
        prev_mandate_key=pl.when(known).then(c("mandate_key")).when(continues).then(c("d_mandate_key")),
        prev_mandate_id=pl.when(known).then(c("k_mandate_id")).when(continues).then(c("d_mandate_id")),
        prev_iban=pl.when(known).then(c("k_iban")).when(continues).then(c("d_iban")),
        prev_used=pl.when(known).then(c("k_used")).when(continues).then(pl.lit(True)).otherwise(from_sheet),
        last_collection_date=pl.max_horizontal(
            pl.when(known).then(c("k_last")).when(continues).then(c("d_last")), sheet_last),
        history_from_sheet=from_sheet,
    )


def mandates_of_others(debtors: pl.DataFrame, mandates: pl.DataFrame) -> pl.DataFrame:
    """The debtor rows (`_row`, debtor_id, mandate_id, `other_debtor`) whose mandate reference
    the ledger knows for another debtor. A mandate reference names one mandate of one debtor
    for the creditor (docs/sepa.md §3): under another debtor it would go out as an amendment
    of that debtor's mandate. Debtor numbers compare as identities (identity.py)."""
    c = pl.col
    known = mandates.filter(c("debtor_id").is_not_null()).select(
        "mandate_key", c("debtor_id").alias("other_debtor"))
    return (debtors.filter(c("mandate_key").is_not_null())
            .select(ROW, "debtor_id", "mandate_id", "mandate_key")
            .join(known, on="mandate_key", how="inner", maintain_order="left")
            .filter(identity_key_expr(c("other_debtor")) != identity_key_expr(c("debtor_id")))
            .select(ROW, "debtor_id", "mandate_id", "other_debtor"))


def select_collections(invoices: pl.DataFrame, debtors: pl.DataFrame, history: History,
                       options: Options, invalid_invoice_rows: pl.Series | None = None,
                       invalid_debtor_rows: pl.Series | None = None) -> Selection:
    c = pl.col
    deb = debtors.rename({ROW: "_debtor_row"}).unique("debtor_id", keep="first")
    # The debtor's texts are joined only onto the invoices that are collected: carried
    # through every join of the selection they would be copied at each (a million rows).
    late = [col for col in LATE_DEBTOR_COLUMNS if col in deb.columns]
    bad_inv = invalid_invoice_rows if invalid_invoice_rows is not None else pl.Series([], dtype=pl.Int64)
    bad_deb = invalid_debtor_rows if invalid_debtor_rows is not None else pl.Series([], dtype=pl.Int64)
    # The debtors whose row (the first with their number) has an error.
    bad_debtors = deb.filter(c("_debtor_row").is_in(bad_deb.implode()))["debtor_id"]
    f = invoices.with_columns(
        invoice_key=identity_key_expr(c("invoice_number")),
        _inv_bad=c(ROW).is_in(bad_inv.implode()),
        _deb_bad=c("debtor_id").is_in(bad_debtors.implode()).fill_null(False),
    )
    # The history in two steps: first what shows an invoice was collected before, so that
    # those invoices leave (below) before the debtors and the rest are joined on.
    # (maintain_order: the sheet's order is the files' order, whatever polars' default.)
    # An invoice is known by its identity: `inv-1` in the sheet is `INV-0001` in the ledger.
    f = f.join(history.invoices.select("invoice_key", *EARLIER_HISTORY), on="invoice_key", how="left",
               maintain_order="left")
    # An invoice number the ledger knows for another invoice (another invoice date, or
    # another debtor where the dates do not say it is the same one): numbering that
    # restarts every year, say. It would pass for collected and never be collected.
    same_date = c("last_invoice_date") == c("invoice_date")
    reused = ((c("last_invoice_date") != c("invoice_date")).fill_null(False)
              | ((c("last_debtor_id") != c("debtor_id")).fill_null(False) & ~same_date.fill_null(False)))
    # Collected before: every state but the two that bring an invoice back. A status the
    # ledger should not hold (`ledger check` reports it) is never taken for "collect again".
    failed = c("last_status").is_in(list(TransactionStatus.failed())).fill_null(False)
    done = c("last_status").is_not_null() & ~failed
    # The reasons to skip an invoice, first one first.
    first_reasons = [
        (c("_inv_bad"), "invoice-invalid-skipped"),
        (c("_deb_bad"), "debtor-invalid-skipped"),
        (c("currency") != "EUR", "currency-skipped"),
        (c("amount_cents") <= 0, "amount-skipped"),
        (reused, "invoice-number-reused"),
    ]
    # Invoices collected before leave here, with the reason the full list would give them:
    # a second run of the same sheets would carry a million of them through every join.
    # (The first five reasons need only the invoices and the history joined so far.)
    earlier = f.select(done & ~pl.any_horizontal(cond.fill_null(False) for cond, _ in first_reasons)).to_series()
    # Collected under another spelling: the warning names the ledger's spelling too.
    spelled = c("last_invoice_number") != c("invoice_number")
    collected_before = f.filter(earlier).select(
        c(ROW), c("invoice_number"),
        pl.when(spelled).then(pl.lit("invoice-already-collected-as"))
        .otherwise(pl.lit("invoice-already-collected")).alias("code"),
        pl.when(spelled).then(pl.concat_str([c("last_invoice_number"), c("last_batch")], separator=" in batch "))
        .otherwise(c("last_batch")).alias("detail"))
    if collected_before.height:  # (a filter that keeps every row still copies them all)
        f = f.filter(~earlier)
    del earlier
    # The mandate history is the debtor's: worked out per debtor (not per invoice), and
    # only what the rules below use is joined onto the invoices.
    with_history = history_columns(deb.drop(late), history).drop(HISTORY_HELPERS)
    f = f.join(with_history, on="debtor_id", how="left", maintain_order="left")
    f = f.join(history.invoices.drop(EARLIER_HISTORY), on="invoice_key", how="left", maintain_order="left")
    cal = options.calendar
    if options.fixed_date is not None:
        wanted = pl.lit(options.fixed_date)
    else:
        wanted = pl.max_horizontal(c("due_date"), pl.lit(options.earliest))
    f = f.with_columns(_wanted=wanted)
    distinct = f["_wanted"].drop_nulls().unique()
    moved = pl.DataFrame({"_wanted": distinct,
                          "collection_date": [cal.next_business_day(d) for d in distinct.to_list()]},
                         schema={"_wanted": pl.Date, "collection_date": pl.Date})
    f = f.join(moved, on="_wanted", how="left", maintain_order="left")
    expired_after = c("last_collection_date").dt.offset_by(f"{MANDATE_EXPIRY_MONTHS}mo")
    codes = {code: (r.retry, r.max_retries) for code, r in reasons.REASONS.items()}
    retry_class = c("last_reason").replace_strict(
        {k: v[0] for k, v in codes.items()}, default=reasons.STOP, return_dtype=pl.Utf8)
    max_retries = c("last_reason").replace_strict(
        {k: v[1] for k, v in codes.items()}, default=None, return_dtype=pl.Int64)
    # docs/sepa.md §9.2: contact-the-debtor codes (MD06, MS02, AM05, unknown codes) and
    # retries beyond their limit (MS03: once) are not re-collected automatically; "fix"
    # codes (AC01, MD02, RC01, ...) only once the debtor's IBAN or mandate has changed.
    needs_contact = failed & ((retry_class == reasons.STOP)
                              | (c("same_reason_count") > max_retries).fill_null(False))
    unchanged = (c("last_iban") == c("iban")) & (c("last_mandate_id") == c("mandate_id"))
    fix_first = failed & (retry_class == reasons.FIX) & unchanged.fill_null(True)
    reason = pl.when(pl.lit(False)).then(pl.lit(None, pl.Utf8))
    for cond, code in [*first_reasons, (done, "invoice-already-collected")]:
        reason = reason.when(cond).then(pl.lit(code))
    reason = (
        reason.when(needs_contact).then(pl.lit("invoice-needs-contact"))
        .when(fix_first).then(pl.lit("invoice-fix-first"))
        .when(~c("direct_debit").fill_null(False)).then(pl.lit("debtor-direct-debit-off"))
        .when(pl.lit(options.scheme is not None) & (c("scheme") != pl.lit(options.scheme or "")))
        .then(pl.lit("scheme-not-selected"))
        .when(pl.lit(options.until is not None) & (c("due_date") > pl.lit(options.until)))
        .then(pl.lit("invoice-not-due"))
        .when(c("mandate_status").is_in(INACTIVE)).then(pl.lit("mandate-inactive"))
        .when(c("mandate_used_up").fill_null(False)).then(pl.lit("mandate-used-up"))
        .when(c("mandate_end_date") < c("collection_date")).then(pl.lit("mandate-ended"))
        .when(expired_after < c("collection_date")).then(pl.lit("mandate-expired"))
    )
    detail = (
        pl.when(reused).then(pl.concat_str(
            [c("last_batch"), c("last_debtor_id").fill_null("?"),
             c("last_invoice_date").dt.strftime("%Y-%m-%d").fill_null("?")], separator=", "))
        .when(done).then(c("last_batch"))
        .when(needs_contact | fix_first).then(c("last_reason"))
        .when(c("mandate_status").is_in(INACTIVE))
        .then(pl.concat_str([c("mandate_status"), c("mandate_status_reason").fill_null("")], separator=" "))
        .when(c("mandate_end_date") < c("collection_date")).then(c("mandate_end_date").cast(pl.Utf8))
        .when(expired_after < c("collection_date")).then(c("last_collection_date").cast(pl.Utf8))
    )
    f = f.with_columns(_skip=reason, _detail=detail)
    skipped = f.filter(c("_skip").is_not_null()).select(
        c(ROW), c("invoice_number"), c("_skip").alias("code"), c("_detail").alias("detail"))
    if collected_before.height:
        skipped = pl.concat([collected_before, skipped]).sort(ROW)
    del collected_before
    # The columns that only decided the reason are left behind: at a million rows each
    # costs 8 to 16 MB in every copy made from here on.
    chosen = f.drop(DECIDED_COLUMNS, strict=False).filter(c("_skip").is_null())
    del f
    # The texts first: the amendment rules read the debtor's BIC (sequence.same_bank).
    chosen = chosen.join(_debtor_texts(deb, late), on="debtor_id", how="left", maintain_order="left")
    if "street" not in chosen.columns:
        chosen = chosen.with_columns(pl.lit(None, pl.Utf8).alias(name) for name in ADDRESS_COLUMNS)
    chosen = sequence.with_amendments(chosen)
    chosen = sequence.with_sequence(chosen, options.first_as_frst)
    # A one-off (OOFF) or final (FNAL) mandate carries one collection: within this run the
    # earliest invoice takes it, the others wait as used up (a second one would be AG02).
    single_use = c("sequence_type").is_in(["OOFF", "FNAL"])
    if chosen.select(single_use.any()).item():
        order = pl.struct("collection_date", ROW).rank("ordinal").over("mandate_key")
        chosen = chosen.with_columns(_extra=single_use & (order > 1))
        extra = chosen.filter(c("_extra")).select(
            c(ROW), c("invoice_number"), pl.lit("mandate-used-up").alias("code"),
            pl.lit(None, pl.Utf8).alias("detail"))
        skipped = pl.concat([skipped, extra]).sort(ROW) if extra.height else skipped
        chosen = chosen.filter(~c("_extra")).drop("_extra")
    chosen = remittance_columns(chosen, options.remittance)
    chosen = _with_end_to_end_ids(chosen, history.end_to_end_ids)
    chosen = chosen.with_columns(debtor_name=c("name"), debtor_iban=c("iban"), debtor_bic=c("bic"))
    return Selection(chosen, skipped)


def _debtor_texts(deb: pl.DataFrame, late: list[str]) -> pl.DataFrame:
    """The debtor's texts for the chosen invoices, and `send_address`: the postal address goes
    into the XML only for a debtor outside the EEA (docs/sepa.md §2), so only theirs is
    kept. When no debtor needs one, the address columns are left out here and come back as
    one null each (a column of a million nulls would take 16 MB in every copy)."""
    c = pl.col
    send = outside_eea(c("country"), c("iban").str.slice(0, 2))
    texts = deb.select("debtor_id", *late, send.alias("send_address"))
    if not texts["send_address"].any():
        return texts.drop(ADDRESS_COLUMNS, strict=False)
    return texts.with_columns(pl.when(c("send_address")).then(c(name)).alias(name)
                              for name in ADDRESS_COLUMNS if name in texts.columns)


def _with_end_to_end_ids(frame: pl.DataFrame, used: pl.Series) -> pl.DataFrame:
    """EndToEndId = invoice number, plus `-n` for the n-th attempt; never one used before."""
    c = pl.col
    rejected = c("last_status").is_in(list(TransactionStatus.failed())).fill_null(False)
    f = frame.with_columns(attempt=pl.when(rejected).then(c("last_attempt") + 1).otherwise(pl.lit(1, pl.Int64)))
    f = f.with_columns(end_to_end_id=pl.when(c("attempt") == 1).then(c("invoice_number")).otherwise(
        pl.concat_str([c("invoice_number"), pl.lit("-"), c("attempt").cast(pl.Utf8)])))
    # An id is taken when the ledger has it, or when a re-presentation ("A" attempt 2 ->
    # "A-2") meets another invoice numbered "A-2" in this run: then the attempt goes up.
    clash = f["end_to_end_id"].is_in(used.implode()) | (
        f["end_to_end_id"].is_duplicated() & (f["attempt"] > 1))
    if not clash.any():
        return f
    taken = set(used.to_list()) | set(f.filter(~clash)["end_to_end_id"].to_list())
    ids, attempts = f["end_to_end_id"].to_list(), f["attempt"].to_list()
    numbers = f["invoice_number"].to_list()
    for i, flag in enumerate(clash.to_list()):
        if not flag:
            continue
        n = attempts[i]
        while ids[i] in taken:
            n += 1
            ids[i] = f"{numbers[i]}-{n}"
        attempts[i] = n
        taken.add(ids[i])
    return f.with_columns(end_to_end_id=pl.Series(ids, dtype=pl.Utf8),
                          attempt=pl.Series(attempts, dtype=pl.Int64))
