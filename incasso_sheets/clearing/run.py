"""`incasso clear` from bank files to bookings: the edge around clearing.match.

Reads pain.002 status reports first (so pre-settlement rejects are known when a net payout
is matched), then camt.053 / camt.052 / camt.054 files in the order given; books only the
entries of the creditor's own accounts in euro (clearing.scope); books what matched in one
ledger run: journal lines, transaction statuses, mandate follow-up by reason code, and the
statement entries seen (so reading the same file again books nothing twice). Outputs per
run: CLR-<date>-<n>.journal.csv, .returns.xlsx and .reopened-invoices.csv. What needs a
person (unmatched, probable, held back) is `ClearResult.attention`; the CLI exits 1 on it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import polars as pl

from incasso_sheets.clearing import match
from incasso_sheets.clearing.bookings import clearing_line_chunks, clearing_lines
from incasso_sheets.clearing.scope import Scope
from incasso_sheets.collect.run import settings_or_stop
from incasso_sheets.core.model import MandateStatus, TransactionStatus
from incasso_sheets.formats import bankfile, camt, csvfile, journal, mt940, pain002, workbook
from incasso_sheets.ledger import store as ledger
from incasso_sheets.runtime import faults, output_plan
from incasso_sheets.runtime.input_files import require_regular_file
from incasso_sheets.runtime.progress import SILENT, Reporter
from incasso_sheets.sepa import reasons
from incasso_sheets.sepa.calendar import TargetCalendar
from incasso_sheets.text import messages

# A transaction's status after each kind of bank event.
STATUS_AFTER = {"reject": TransactionStatus.REJECTED, "return": TransactionStatus.RETURNED,
                "payout": TransactionStatus.SETTLED}
INVOICE_HEADERS = ["Factuurnummer", "Debiteurnummer", "Factuurdatum", "Vervaldatum", "Bedrag",
                   "Valuta", "Omschrijving"]


@dataclass(frozen=True)
class ClearRequest:
    files: tuple[Path, ...]
    outdir: Path
    now: dt.datetime
    config: Path | None = None
    dry_run: bool = False
    accept_probable: bool = False
    journal_format: str | None = None
    lang: str = "nl"                 # language of the returns workbook
    reporter: Reporter = SILENT      # progress of the steps (the CLI shows it on a terminal)


@dataclass
class ClearResult:
    outcome: match.Outcome
    booked: list[match.Event] = field(default_factory=list)
    probable: list[match.Event] = field(default_factory=list)
    transactions: dict[str, match.TxState] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    run_name: str = ""
    dry_run: bool = False
    balances: list[tuple[str, int]] = field(default_factory=list)  # touched batches: (pid, balance)
    recovered: list[Path] = field(default_factory=list)  # an interrupted run's files, finished now

    @property
    def attention(self) -> list[match.Unmatched]:
        """Everything that needs a person: probable matches not booked, entries that
        matched nothing, malformed entries, statements held back, unknown status reports."""
        probable = [match.Unmatched(e.source, e.amount_cents, True, "bank-payout-probable",
                                    e.payment_info_id, params=(("batch", e.payment_info_id),))
                    for e in self.probable]
        return probable + list(self.outcome.unmatched)


def expand(files: tuple[Path, ...]) -> list[Path]:
    out: list[Path] = []
    for f in files:
        if f.is_dir():
            out += sorted(p for p in f.iterdir()
                          if p.suffix.lower() == ".xml" or (p.is_file() and bankfile.is_mt940(p)))
        else:
            require_regular_file(f)
            out.append(f)
    return out


class _LedgerLookup:
    """The ledger as match.Lookup wants it, plus what this run has decided so far.

    Statement entries are matched one by one, but their EndToEndIds and entry keys are
    looked up in the ledger a chunk of entries at a time (`prefetch`): an MT940 without
    batch booking has a booking, and so a lookup, per collected transaction."""

    def __init__(self, led: ledger.Ledger | None):
        self.led = led
        self.overlay: dict[str, match.TxState] = {}
        self.keys: set[str] = set()
        self.blocks = self._blocks()
        self.cache: dict[str, match.TxState] = {}    # the ledger's, for the entries prefetched
        self.checked: set[str] = set()               # entry keys looked up for them
        self.seen_keys: set[str] = set()             # ... and found booked in an earlier run
        self.shared: dict[str | None, str | None] = {}  # one object per batch, debtor, mandate

    def _blocks(self) -> dict[str, match.BlockState]:
        if self.led is None:
            return {}
        rows = self.led.conn.execute(
            """SELECT b.payment_info_id, b.message_id, b.collection_date, b.total_cents,
                      coalesce((SELECT sum(amount_cents) FROM transactions t
                                WHERE t.payment_info_id = b.payment_info_id AND t.status = ?), 0),
                      EXISTS (SELECT 1 FROM journal j WHERE j.batch = b.payment_info_id
                              AND j.event = 'payout')
               FROM blocks b""", (TransactionStatus.REJECTED,)).fetchall()
        return {r[0]: match.BlockState(r[0], r[1], dt.date.fromisoformat(r[2]), r[3], r[4], bool(r[5]))
                for r in rows}

    def prefetch(self, entries: list) -> None:
        """Look up, in one go, what matching `entries` will ask the ledger: the
        transactions of their EndToEndIds (entries with a few) and their entry keys."""
        self.cache, self.checked, self.seen_keys = {}, set(), set()
        if self.led is None:
            return
        ids = [d.end_to_end_id for e in entries if len(e.details) <= 1
               for d in e.details if d.end_to_end_id and d.end_to_end_id not in self.overlay]
        self.cache = self._read(list(dict.fromkeys(ids)))
        self.checked = {match.entry_key(e.account_iban, e.bank_ref, e.digest) for e in entries}
        self.seen_keys = ledger.booked_entry_keys(self.led.conn, list(self.checked))

    def _read(self, ids: list[str]) -> dict[str, match.TxState]:
        # A million payouts are kept until they are booked: one str object per batch,
        # debtor and mandate, not one per transaction.
        same = self.shared
        found = {}
        for e2e, pid, invoice, debtor, mandate, mandate_key, cents, status in \
                ledger.clearing_transactions(self.led.conn, ids):
            found[e2e] = match.TxState(e2e, same.setdefault(pid, pid), invoice,
                                       same.setdefault(debtor, debtor), same.setdefault(mandate, mandate),
                                       same.setdefault(mandate_key, mandate_key), cents,
                                       same.setdefault(status, status))
        return found

    def transactions(self, ids) -> dict[str, match.TxState]:
        # No copy of `ids` first: at the commit they are every EndToEndId booked.
        found: dict[str, match.TxState] = {}
        rest: dict[str, None] = {}
        for i in ids:
            tx = self.overlay.get(i) or self.cache.get(i)
            if tx is None:
                rest[i] = None
            else:
                found[i] = tx
        if self.led is None or not rest:
            return found
        found.update(self._read(list(rest)))
        return found

    def block_transactions(self, pid: str) -> list[str]:
        if self.led is None:
            return []
        return [r[0] for r in self.led.conn.execute(
            "SELECT end_to_end_id FROM transactions WHERE payment_info_id = ?", (pid,))]

    def booked(self, key: str) -> bool:
        if key in self.keys:
            return True
        if self.led is None:
            return False
        if key in self.checked:
            return key in self.seen_keys
        return bool(ledger.booked_entry_keys(self.led.conn, [key]))

    def lookup(self) -> match.Lookup:
        return match.Lookup(self.blocks, self.transactions, self.block_transactions, self.booked)

    def apply(self, events: list[match.Event]) -> None:
        """Remember this run's decisions so later files in the same run see them."""
        for e in events:
            self.keys.add(e.entry_key)
            if e.kind == "payout":
                b = self.blocks[e.payment_info_id]
                if not b.payout_booked:
                    self.blocks[e.payment_info_id] = dataclasses.replace(b, payout_booked=True)
            if e.end_to_end_id and e.kind in ("reject", "return", "payout"):
                tx = self.transactions([e.end_to_end_id])[e.end_to_end_id]
                if e.kind == "payout" and tx.status != TransactionStatus.COLLECTED:
                    continue  # as _record: a payout settles only what is still collected
                status = STATUS_AFTER[e.kind]
                self.overlay[e.end_to_end_id] = dataclasses.replace(tx, status=status)


# Statement entries matched after one ledger lookup for all of them (_LedgerLookup.prefetch).
_MATCH_CHUNK = 2000


def _chunks(entries, size: int):
    """`entries` in lists of about `size` entries and transaction details, as they come (the
    readers stream): a camt entry of a whole batch, with a TxDtls per invoice, comes alone."""
    chunk, weight = [], 0
    for entry in entries:
        chunk.append(entry)
        weight += 1 + len(entry.details)
        if weight >= size:
            yield chunk
            chunk, weight = [], 0
    if chunk:
        yield chunk


def run_clear(req: ClearRequest) -> ClearResult:
    settings = settings_or_stop(req.config)
    paths = expand(req.files)
    output_plan.refuse_overwrites([("word-file-output", req.outdir)],
                                  [*(("word-file-bank", p) for p in paths),
                                   *output_plan.administration_files(settings.path)])
    kinds = [(p, *bankfile.identify(p)) for p in paths]
    ordered = [k for k in kinds if k[1] == "pain.002"] + [k for k in kinds if k[1] != "pain.002"]
    calendar = TargetCalendar.with_extra(settings.collection.extra_closing_days)
    ledger_path = ledger.path_for(settings)
    opener = ledger.Ledger.open_read_only if req.dry_run else ledger.Ledger.open
    with opener(ledger_path, creditor_id=settings.creditor.creditor_id) as led:
        state = _LedgerLookup(led)
        scope = Scope(settings.creditor.ibans)
        outcome = match.Outcome()
        pending: dict[str, int] = {}
        with req.reporter.step("read-bank"):
            for path, kind, _version in ordered:
                before = len(outcome.events)
                if kind == "pain.002":
                    report = pain002.read_status_report(path)
                    match.match_status_report(report, path.name, state.lookup(),
                                              _report_date(report, req.now.date()), outcome, pending)
                    req.reporter.advance()
                else:
                    entries = 0
                    read = mt940.iter_entries if kind == bankfile.MT940 else camt.iter_entries
                    lookup = state.lookup()
                    for chunk in _chunks(read(path), _MATCH_CHUNK):
                        admitted = []
                        for entry in chunk:
                            entries += 1
                            req.reporter.advance()
                            if scope.admits(entry, path.name):
                                admitted.append(entry)
                        state.prefetch(admitted)
                        for entry in admitted:
                            source = f"{path.name}:{entry.line}" if entry.line else path.name
                            match.match_entry(entry, source, lookup, calendar, pending, outcome)
                            state.apply(outcome.events[before:])
                            before = len(outcome.events)
                    if not entries and kind.startswith("camt.") and not camt.read_statements(path):
                        # A group header alone: no statement, so nothing to book (and a
                        # camt message needs at least one, ISO 20022 message definitions).
                        outcome.unmatched.append(match.Unmatched(path.name, None, False,
                                                                 "bank-file-no-statement"))
                state.apply(outcome.events[before:])
            outcome.unmatched.extend(scope.held_back())
        faults.point("after-reading")
        booked = [e for e in outcome.events if not e.probable or req.accept_probable]
        probable = [e for e in outcome.events if e.probable and not req.accept_probable]
        txs = state.transactions(e.end_to_end_id for e in booked if e.end_to_end_id)
        result = ClearResult(outcome, booked, probable, txs, dry_run=req.dry_run,
                             recovered=list(led.recovered) if led is not None else [])
        if req.dry_run or not booked or led is None:
            # a dry run shows the balances as they would be after booking
            would_book = clearing_lines(booked, txs, settings.accounts, settings.journal.journal_code)
            result.balances = _balances(led, {e.payment_info_id for e in booked}, settings, would_book)
            return result
        day = req.now.date()
        counter = f"clear:{day:%Y%m%d}"
        number = led.peek_counter(counter) + 1
        run_name = f"CLR-{day:%Y%m%d}-{number:04d}"
        result.run_name = run_name

        def lines():
            return clearing_line_chunks(booked, txs, settings.accounts, settings.journal.journal_code)
        fmt = req.journal_format or settings.journal.format
        with output_plan.OutputPlan(led.owner(settings), output_plan.RUN) as plan:
            plan.write(req.outdir / f"{run_name}.journal.csv", lambda out: journal.write_journal(out, lines(), fmt))
            faults.point("after-journal")
            failed = [e for e in booked if e.kind in ("reject", "return")]
            if failed:
                reopened = _reopened_invoices(led, failed)
                plan.write(req.outdir / f"{run_name}.reopened-invoices.csv",
                      lambda out: csvfile.write_csv(out, reopened, INVOICE_HEADERS, fmt))
                plan.write(req.outdir / f"{run_name}.returns.xlsx",
                      lambda out: write_returns_report(out, failed, txs, req.lang))
            planned = plan.files

            def write(conn, run_id):
                _record(conn, run_id, booked, txs, lines, day)
                led.set_counter(conn, counter, number)

            # commit_run removes the temporary files itself if the transaction fails; after
            # the commit they belong to the run and the next run's recovery renames them.
            plan.hand_over()
            with req.reporter.step("commit"):
                led.commit_run("clear", req.now, planned, write)
        result.files = [f.final for f in planned]
        result.balances = _balances(led, {e.payment_info_id for e in booked}, settings)
        return result


def _report_date(report, fallback: dt.date) -> dt.date:
    """A reject is booked on the day of the bank's status report (its CreDtTm)."""
    try:
        return dt.date.fromisoformat((report.created or "")[:10])
    except ValueError:
        return fallback


def _record(conn, run_id: int, booked: list[match.Event], txs, lines: Callable[[], Iterable[pl.DataFrame]],
            day: dt.date) -> None:
    conn.executemany("INSERT OR IGNORE INTO statement_entries (entry_key, run_id, file, kind) VALUES (?, ?, ?, ?)",
                     ((e.entry_key, run_id, e.source, e.kind) for e in booked))
    # In the events' order (a payout and a return of one transaction in the same run), each
    # run of events with the same statement as one executemany.
    for statement, group in itertools.groupby(booked, _status_statement):
        if statement is not None:
            conn.executemany(statement, (_status_params(e, day) for e in group))
    for e in booked:
        if e.kind in ("reject", "return"):
            effect = reasons.reason(e.reason_code).mandate_effect
            tx = txs.get(e.end_to_end_id)
            if effect in (MandateStatus.DEAD, MandateStatus.BLOCKED) and tx is not None and tx.mandate_key:
                conn.execute("UPDATE mandates SET status = ?, status_reason = ? WHERE mandate_key = ?",
                             (effect, e.reason_code, tx.mandate_key))
    for part in lines():
        conn.executemany(
            "INSERT INTO journal (run_id, event, entry, date, account, description, debit_cents, credit_cents, "
            "debtor_id, invoice_number, batch, mandate_id, end_to_end_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((run_id, event, entry, d.isoformat(), acct, desc, deb, cred, debtor, inv, batch, mandate, e2e)
             for (_j, entry, d, acct, desc, deb, cred, debtor, inv, batch, mandate, e2e, event)
             in part.iter_rows()))


_SETTLE_BATCH = ("UPDATE transactions SET status = ?, status_date = ? "
                 "WHERE payment_info_id = ? AND status = ?")
_SETTLE_ONE = "UPDATE transactions SET status = ?, status_date = ? WHERE end_to_end_id = ? AND status = ?"
_FAIL_ONE = "UPDATE transactions SET status = ?, reason_code = ?, status_date = ? WHERE end_to_end_id = ?"


def _status_statement(e: match.Event) -> str | None:
    if e.kind == "payout":
        return _SETTLE_BATCH if e.end_to_end_id is None else _SETTLE_ONE
    if e.kind in ("reject", "return"):
        return _FAIL_ONE
    return None


def _status_params(e: match.Event, day: dt.date) -> tuple:
    if e.kind == "payout":
        return (TransactionStatus.SETTLED, e.date.isoformat() if e.date else day.isoformat(),
                e.payment_info_id if e.end_to_end_id is None else e.end_to_end_id,
                TransactionStatus.COLLECTED)
    return (STATUS_AFTER[e.kind], e.reason_code, (e.date or day).isoformat(), e.end_to_end_id)


def _reopened_invoices(led, failed: list[match.Event]) -> pl.DataFrame:
    ids = list(dict.fromkeys(e.end_to_end_id for e in failed))
    schema = {"invoice_number": pl.Utf8, "debtor_id": pl.Utf8, "invoice_date": pl.Utf8,
              "due_date": pl.Utf8, "amount_cents": pl.Int64, "currency": pl.Utf8,
              "description": pl.Utf8}
    frames = []
    # In chunks: SQLite takes at most 32,766 variables (999 in older builds), and a file
    # rejected as a whole reopens every invoice in it.
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        marks = ",".join("?" * len(chunk))
        frames.append(led.frame(
            f"""SELECT invoice_number, debtor_id, invoice_date, due_date, amount_cents, 'EUR' AS currency,
                       description FROM transactions WHERE end_to_end_id IN ({marks})""",
            chunk, schema=schema))
    frame = pl.concat(frames).sort("invoice_number", maintain_order=True)
    return frame.with_columns(pl.col("invoice_date").str.to_date(strict=False),
                              pl.col("due_date").str.to_date(strict=False))


RETURNS_HEADERS = ["returns-col-invoice", "returns-col-debtor", "returns-col-e2e", "returns-col-amount",
                   "returns-col-kind", "returns-col-reason", "returns-col-meaning-nl",
                   "returns-col-meaning-en", "returns-col-advice-nl", "returns-col-advice-en",
                   "returns-col-batch", "returns-col-date"]


def write_returns_report(path: Path | BinaryIO, failed: list[match.Event], txs, lang: str = "nl") -> None:
    """Each reject and return with its reason code, meaning and advice in Dutch and English."""
    wb = workbook.new_workbook()
    rows = []
    for e in failed:
        tx = txs.get(e.end_to_end_id)
        info = reasons.reason(e.reason_code)
        rows.append((tx.invoice_number if tx else None, tx.debtor_id if tx else None,
                     e.end_to_end_id, e.amount_cents, messages.text(f"returns-kind-{e.kind}", lang),
                     e.reason_code, info.meaning_nl, info.meaning_en, info.advice_nl, info.advice_en,
                     e.payment_info_id, e.date))
    workbook.add_table(wb, messages.text("returns-sheet", lang), messages.headers(RETURNS_HEADERS, lang),
                       rows, cents_columns=(3,), widths={7: 40, 8: 40, 9: 40, 10: 40, 11: 26})
    workbook.save(wb, path)


def _balances(led, pids: set[str], settings, unbooked: pl.DataFrame | None = None) -> list[tuple[str, int]]:
    """Suspense balance of the touched batches: the ledger's, plus `unbooked` journal lines."""
    if led is None or not pids:
        return []
    from incasso_sheets.ledger.status import batch_balances

    extra: dict[str, int] = {}
    if unbooked is not None and unbooked.height:
        moves = (unbooked.filter(pl.col("account") == settings.accounts.suspense)
                 .group_by("batch").agg((pl.col("debit_cents").fill_null(0)
                                         - pl.col("credit_cents").fill_null(0)).sum().alias("move")))
        extra = dict(moves.iter_rows())
    return [(pid, bal + extra.get(pid, 0)) for pid, bal in batch_balances(led, settings.accounts.suspense, pids)]
