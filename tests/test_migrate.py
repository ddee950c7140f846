"""Migrations: mandate history from the debtors sheet, earlier collections imported into the
ledger (a sheet or a pain.008), Visma-style fields and codes, and the migration report.

Each test writes tiny CSV sheets (and a pain.008) into its own folder next to a copy of
samples/incasso.toml; the ledger lands beside it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from textwrap import dedent

import polars as pl
import pytest

from incasso_sheets import api
from incasso_sheets.collect.run import CollectRequest
from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.formats import xsd
from incasso_sheets.ledger import store as ledger
from incasso_sheets.sheets.columns import DEBTOR_COLUMNS, map_headers

NOW = dt.datetime(2026, 11, 27, 10, 0)  # Friday before the cut-off: earliest date 2026-12-01
SAMPLE_SETTINGS = Path(__file__).resolve().parent.parent / "samples" / "incasso.toml"

DEBTORS = """
    Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging;Laatste incasso
    10001;Jansen;NL91ABNA0417164300;ja;MDT-10001;01-03-2024;28-10-2026
    10002;Bakkerij Oost;NL64RABO0260893498;ja;MDT-10002;01-03-2024;
    10003;De Vries;NL02ABNA0123456789;ja;MDT-10003;01-03-2024;
"""
INVOICES = """
    Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag;Omschrijving
    2026-0001;10001;01-11-2026;01-12-2026;121,00;Contributie
    2026-0002;10002;01-11-2026;01-12-2026;25,50;Clubkleding
    2026-0003;10003;01-11-2026;01-12-2026;100,00;Contributie
    2026-0090;10003;01-10-2026;01-11-2026;95,00;Oktober
"""
HISTORY = """
    Factuurnummer;Debiteurnummer;Machtigingskenmerk;Bedrag;Incassodatum;Status
    2026-0090;10003;MDT-10003;95,00;01-11-2026;
    2026-0080;10002;MDT-10002;50,00;01-10-2026;geweigerd
"""

PAIN008 = """\
<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.02">
  <CstmrDrctDbtInitn>
    <GrpHdr>
      <MsgId>OLD-2026-11</MsgId><CreDtTm>2026-10-25T09:00:00</CreDtTm>
      <NbOfTxs>2</NbOfTxs><CtrlSum>130.00</CtrlSum>
      <InitgPty><Nm>Sportvereniging De Voorbeeldige</Nm></InitgPty>
    </GrpHdr>
    {blocks}
  </CstmrDrctDbtInitn>
</Document>
"""
BLOCK = """
    <PmtInf>
      <PmtInfId>{pid}</PmtInfId><PmtMtd>DD</PmtMtd><NbOfTxs>1</NbOfTxs><CtrlSum>{amount}</CtrlSum>
      <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl><LclInstrm><Cd>CORE</Cd></LclInstrm><SeqTp>{seq}</SeqTp></PmtTpInf>
      <ReqdColltnDt>{date}</ReqdColltnDt>
      <Cdtr><Nm>Sportvereniging De Voorbeeldige</Nm></Cdtr>
      <CdtrAcct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></CdtrAcct>
      <CdtrAgt><FinInstnId><BIC>ABNANL2A</BIC></FinInstnId></CdtrAgt>
      <ChrgBr>SLEV</ChrgBr>
      <CdtrSchmeId><Id><PrvtId><Othr><Id>NL69ZZZ123456780000</Id><SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr></PrvtId></Id></CdtrSchmeId>
      <DrctDbtTxInf>
        <PmtId><EndToEndId>{e2e}</EndToEndId></PmtId>
        <InstdAmt Ccy="EUR">{amount}</InstdAmt>
        <DrctDbtTx><MndtRltdInf><MndtId>{mandate}</MndtId><DtOfSgntr>2024-03-01</DtOfSgntr></MndtRltdInf></DrctDbtTx>
        <DbtrAgt><FinInstnId><Othr><Id>NOTPROVIDED</Id></Othr></FinInstnId></DbtrAgt>
        <Dbtr><Nm>Debiteur</Nm></Dbtr>
        <DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct>
        <RmtInf><Ustrd>Factuur {e2e}</Ustrd></RmtInf>
      </DrctDbtTxInf>
    </PmtInf>"""


def pain008(*blocks: dict) -> str:
    return PAIN008.format(blocks="".join(BLOCK.format(**b) for b in blocks))


class Folder:
    """deb.csv, inv.csv, incasso.toml (the sample's), incasso.db and out/."""

    def __init__(self, path: Path):
        self.path = path
        self.out = path / "out"
        shutil.copy(SAMPLE_SETTINGS, path / "incasso.toml")
        self.write("deb.csv", DEBTORS)
        self.write("inv.csv", INVOICES)

    def write(self, name: str, content: str) -> Path:
        target = self.path / name
        target.write_text(dedent(content).strip() + "\n", encoding="utf-8")
        return target

    def collect(self, now: dt.datetime = NOW, **options):
        return api.collect(CollectRequest(
            debtors=self.path / "deb.csv", invoices=self.path / "inv.csv", outdir=self.out, now=now,
            config=self.path / "incasso.toml", **options))

    def import_(self, name: str, now: dt.datetime = NOW, **options):
        return api.ledger_import(self.path / name, now, config=self.path / "incasso.toml", **options)

    def ledger(self, sql: str, params=()) -> list[tuple]:
        with closing(sqlite3.connect(self.path / "incasso.db")) as conn:
            return conn.execute(sql, params).fetchall()


@pytest.fixture
def folder(tmp_path) -> Folder:
    return Folder(tmp_path)


def sequences(result) -> dict[str, str]:
    """invoice number -> sequence type of the collection made."""
    return {number: block.sequence_type for message in result.messages for block in message.blocks
            for number in block.transactions["invoice_number"].to_list()}


def skipped(result) -> dict[str, tuple[str, str | None]]:
    return {number: (code, detail) for _, number, code, detail in result.skipped.iter_rows()}


def cells(report, *codes: str) -> set[tuple]:
    return {(i.row, i.column, i.code) for i in report.issues if not codes or i.code in codes}


# --- mandate history from the debtors sheet -----------------------------------------------

def test_last_collection_date_gives_rcur_and_a_fresh_mandate_frst(folder):
    result = folder.collect()
    assert result.report.valid
    assert sequences(result) == {"2026-0001": "RCUR", "2026-0002": "FRST", "2026-0003": "FRST",
                                 "2026-0090": "FRST"}
    assert folder.ledger("SELECT mandate_key, history_source, last_collection_date FROM mandates "
                         "ORDER BY mandate_key") == [
        ("MDT-10001", "sheet", "2026-12-01"), ("MDT-10002", "incasso", "2026-12-01"),
        ("MDT-10003", "incasso", "2026-12-01")]
    assert result.migration.from_sheet == ["MDT-10001"]


def test_the_ledger_wins_over_the_sheet_for_a_mandate_it_knows(folder):
    folder.write("inv.csv", """
        Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag
        2026-0002;10002;01-11-2026;01-12-2026;25,50
    """)
    assert sequences(folder.collect()) == {"2026-0002": "FRST"}
    # The FRST was rejected: the mandate is still unused, whatever the sheet says now.
    folder_db = folder.path / "incasso.db"
    with closing(sqlite3.connect(folder_db)) as conn, conn:
        conn.execute("UPDATE transactions SET status = 'rejected', reason_code = 'AM04'")
    folder.write("deb.csv", DEBTORS.replace("01-03-2024;\n    10003", "01-03-2024;20-11-2026\n    10003"))
    again = folder.collect(now=dt.datetime(2026, 12, 2, 10, 0))
    assert sequences(again) == {"2026-0002": "FRST"}
    assert again.migration is None


def test_last_collection_date_problems_are_reported_at_their_cell(folder):
    folder.write("deb.csv", """
        Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging;Laatste incasso
        10001;Jansen;NL91ABNA0417164300;ja;MDT-10001;01-03-2024;28-12-2026
        10002;Bakkerij Oost;NL64RABO0260893498;ja;MDT-10002;01-03-2024;gisteren
        10003;De Vries;NL02ABNA0123456789;ja;MDT-10003;01-03-2024;15-01-2024
    """)
    result = api.check(folder.path / "deb.csv", folder.path / "inv.csv", NOW.date())
    assert cells(result.report) == {
        (2, "Laatste incasso", "last-collection-date-in-future"),
        (3, "Laatste incasso", "date-invalid"),
        (4, "Laatste incasso", "last-collection-before-mandate-date"),
    }
    future = next(i for i in result.report.issues if i.row == 2)
    assert future.message() == "Last collection date lies in the future (today is 2026-11-27)"
    # A collection before the signing date belongs to an earlier mandate: this one is unused.
    assert result.debtors.typed["last_collection_date"].to_list() == [dt.date(2026, 12, 28), None, None]


def test_the_36_months_run_from_the_later_of_ledger_and_sheet(folder):
    folder.write("deb.csv", DEBTORS.replace("01-03-2024;28-10-2026", "01-03-2020;15-11-2023"))
    result = folder.collect()
    assert skipped(result)["2026-0001"] == ("mandate-expired", "2023-11-15")
    # The same mandate in the ledger (an import) with a later date keeps it alive.
    folder.write("historie.csv", """
        Factuurnummer;Debiteurnummer;Machtigingskenmerk;Bedrag;Incassodatum
        2025-0001;10001;MDT-10001;10,00;01-06-2025
    """)
    assert folder.import_("historie.csv").written
    assert sequences(folder.collect())["2026-0001"] == "RCUR"


# --- Visma eAccounting field names and codes --------------------------------------------

VISMA_DEBTORS = """
    customer_number;name;iban;direct_debit;mandate_id;mandate_type;sequence_type;signing_date;end_date;latest_direct_debit
    10001;Jansen;NL91ABNA0417164300;1;MDT-10001;1;1;2024-03-01;;2026-10-28
    10002;Bakkerij Oost;NL64RABO0260893498;1;MDT-10002;2;2;2024-03-01;2027-03-01;
    10003;De Vries;NL02ABNA0123456789;1;MDT-10003;1;3;2024-03-01;;
    10004;Pietersen;NL91ABNA0417164300;1;MDT-10004;3;4;2024-03-01;;
"""


def test_visma_field_names_read_without_renaming():
    headers = [h.strip() for h in dedent(VISMA_DEBTORS).strip().splitlines()[0].split(";")]
    mapping = map_headers(headers, DEBTOR_COLUMNS)
    assert mapping.issues == []
    assert {c: h for c, h in mapping.found.items()} == {
        "debtor_id": "customer_number", "name": "name", "iban": "iban", "direct_debit": "direct_debit",
        "mandate_id": "mandate_id", "scheme": "mandate_type", "sequence": "sequence_type",
        "mandate_date": "signing_date", "mandate_end_date": "end_date",
        "last_collection_date": "latest_direct_debit"}


def test_visma_codes_are_mapped_and_unknown_codes_reported_at_their_cell(folder):
    folder.write("deb.csv", VISMA_DEBTORS)
    result = api.check(folder.path / "deb.csv", folder.path / "inv.csv", NOW.date())
    assert cells(result.report, "scheme-invalid", "sequence-invalid") == {
        (5, "mandate_type", "scheme-invalid"), (5, "sequence_type", "sequence-invalid")}
    typed = result.debtors.typed
    assert typed["scheme"].to_list()[:3] == ["CORE", "B2B", "CORE"]
    assert typed["sequence"].to_list()[:3] == [None, "FNAL", "OOFF"]
    assert typed["last_collection_date"].to_list()[0] == dt.date(2026, 10, 28)


def test_visma_sequence_1_is_derived_from_the_history(folder):
    folder.write("deb.csv", "\n".join(dedent(VISMA_DEBTORS).strip().splitlines()[:4]))
    result = folder.collect()
    assert result.report.valid
    # 1 = recurring, with a latest direct debit: RCUR; 2 = final (B2B); 3 = one-off.
    seq = sequences(result)
    assert (seq["2026-0001"], seq["2026-0002"]) == ("RCUR", "FNAL")
    assert [s for n, s in seq.items() if n in ("2026-0003", "2026-0090")] == ["OOFF"]  # one per run
    assert {b.scheme for m in result.messages for b in m.blocks
            if "2026-0002" in b.transactions["invoice_number"]} == {"B2B"}


# --- earlier collections from a sheet ------------------------------------------------------

def test_imported_invoice_is_not_collected_and_its_mandate_is_used(folder):
    folder.write("historie.csv", HISTORY)
    result = folder.import_("historie.csv")
    assert result.report.valid and result.written
    assert (result.imported, result.already) == (2, 0)
    assert result.mandates_used == ["MDT-10003"]          # the rejected one does not count
    assert result.invoices_blocked == ["2026-0090"]
    assert folder.ledger("SELECT end_to_end_id, invoice_number, payment_info_id, status, source, attempt "
                         "FROM transactions ORDER BY end_to_end_id") == [
        ("2026-0080", "2026-0080", None, "rejected", "import", 1),
        ("2026-0090", "2026-0090", None, "collected", "import", 1)]
    assert folder.ledger("SELECT mandate_key, history_source, last_collection_date FROM mandates") == [
        ("MDT-10003", "import", "2026-11-01")]
    collected = folder.collect()
    assert skipped(collected)["2026-0090"] == ("invoice-already-collected", "import 2026-11-01")
    assert sequences(collected) == {"2026-0001": "RCUR", "2026-0002": "FRST", "2026-0003": "RCUR"}
    assert collected.migration.from_import == ["MDT-10003"]
    assert collected.migration.invoices == ["2026-0090"]


def test_importing_the_same_file_twice_adds_nothing(folder):
    folder.write("historie.csv", HISTORY)
    assert folder.import_("historie.csv").imported == 2
    before = folder.ledger("SELECT count(*) FROM transactions"), folder.ledger("SELECT count(*) FROM runs")
    again = folder.import_("historie.csv")
    assert again.report.valid and not again.written
    assert (again.imported, again.already) == (0, 2)
    assert (folder.ledger("SELECT count(*) FROM transactions"), folder.ledger("SELECT count(*) FROM runs")) == before


def test_a_dry_run_writes_nothing(folder):
    folder.write("historie.csv", HISTORY)
    result = folder.import_("historie.csv", dry_run=True)
    assert result.imported == 2 and not result.written
    assert not (folder.path / "incasso.db").exists()


def test_import_problems_are_reported_at_their_cell_and_nothing_is_imported(folder):
    folder.write("historie.csv", """
        Factuurnummer;Debiteurnummer;Machtigingskenmerk;Bedrag;Incassodatum;EndToEndId;Status;Volgordetype;Reden
        2026-0090;10003;MDT-10003;95,00;01-11-2026;E-1;;;
        2026-0091;10003;MDT 10003;tien;31-11-2026;E-1;weg;XXXX;AM4
        ;10003;MDT-10003;0;01-11-2026;;;;
    """)
    result = folder.import_("historie.csv")
    assert not result.report.valid and not result.written
    assert cells(result.report) == {
        (3, "Machtigingskenmerk", "mandate-id-invalid"), (3, "Bedrag", "amount-invalid"),
        (3, "Incassodatum", "date-invalid"), (3, "EndToEndId", "end-to-end-id-duplicate"),
        (3, "Status", "import-status-invalid"), (3, "Volgordetype", "sequence-invalid"),
        (3, "Reden", "reason-code-invalid"),
        (4, "Factuurnummer", "invoice-number-missing"), (4, "Bedrag", "import-amount-not-positive"),
    }
    assert not (folder.path / "incasso.db").exists()


def test_an_end_to_end_id_the_ledger_has_for_another_invoice_is_an_error(folder):
    folder.write("historie.csv", """
        Factuurnummer;Debiteurnummer;Machtigingskenmerk;Bedrag;Incassodatum;EndToEndId
        2026-0090;10003;MDT-10003;95,00;01-11-2026;E-1
    """)
    folder.import_("historie.csv")
    folder.write("historie2.csv", """
        Factuurnummer;Debiteurnummer;Machtigingskenmerk;Bedrag;Incassodatum;EndToEndId
        2026-0091;10003;MDT-10003;95,00;01-11-2026;E-1
    """)
    result = folder.import_("historie2.csv")
    assert cells(result.report) == {(2, "EndToEndId", "import-end-to-end-id-taken")}
    assert result.report.issues[0].params == (("invoice", "2026-0090"),)
    assert folder.ledger("SELECT count(*) FROM transactions") == [(1,)]


def test_an_invoice_collected_by_incasso_itself_is_left_out(folder):
    folder.collect()
    folder.write("historie.csv", """
        Factuurnummer;Debiteurnummer;Machtigingskenmerk;Bedrag;Incassodatum
        2026-0002;10002;MDT-10002;25,50;01-10-2026
        2025-0100;10002;MDT-10002;25,50;01-09-2026
    """)
    result = folder.import_("historie.csv")
    assert result.report.valid
    assert {(i.row, i.code, i.severity) for i in result.report.issues} == {
        (2, "import-invoice-collected-here", "warning")}
    assert result.imported == 1


def test_imported_end_to_end_ids_are_never_reused(folder):
    # The old system re-presented 2026-0002 as "2026-0002-2" and that came back (AM04).
    folder.write("historie.csv", """
        Factuurnummer;Debiteurnummer;Machtigingskenmerk;Bedrag;Incassodatum;EndToEndId;Status;Reden
        2026-0002;10002;MDT-10002;25,50;01-10-2026;2026-0002-2;returned;AM04
    """)
    assert folder.import_("historie.csv").written
    result = folder.collect()
    ids = {number: e2e for message in result.messages for block in message.blocks
           for number, e2e in block.transactions.select("invoice_number", "end_to_end_id").iter_rows()}
    assert ids["2026-0002"] == "2026-0002-3"


def test_rows_without_end_to_end_ids_get_the_invoice_number_and_attempts(folder):
    folder.write("historie.csv", """
        Factuurnummer;Debiteurnummer;Machtigingskenmerk;Bedrag;Incassodatum;Status;Reden
        2026-0070;10002;MDT-10002;25,50;01-09-2026;rejected;AM04
        2026-0070;10002;MDT-10002;25,50;01-10-2026;betaald;
    """)
    folder.import_("historie.csv")
    assert folder.ledger("SELECT end_to_end_id, attempt, status FROM transactions ORDER BY attempt") == [
        ("2026-0070", 1, "rejected"), ("2026-0070-2", 2, "settled")]
    assert folder.import_("historie.csv").already == 2


# --- earlier collections from a pain.008 ---------------------------------------------------

def old_pain008(folder: Folder) -> Path:
    target = folder.path / "oud.xml"
    target.write_text(pain008(
        {"pid": "OLD-2026-11-1", "seq": "FRST", "date": "2026-11-02", "e2e": "2026-0090",
         "amount": "95.00", "mandate": "MDT-10003", "iban": "NL02ABNA0123456789"},
        {"pid": "OLD-2026-11-2", "seq": "RCUR", "date": "2026-11-03", "e2e": "2026-0050",
         "amount": "35.00", "mandate": "MDT-10002", "iban": "NL64RABO0260893498"},
    ), encoding="utf-8")
    assert xsd.validate_file(target, "pain.008.001.02") == []
    return target


def test_an_imported_pain008_blocks_its_invoices_and_marks_its_mandates(folder):
    old_pain008(folder)
    result = folder.import_("oud.xml", debtors=folder.path / "deb.csv")
    assert result.report.valid and result.kind == "pain.008"
    assert (result.imported, result.mandates_used, result.invoices_blocked) == (
        2, ["MDT-10003", "MDT-10002"], ["2026-0090", "2026-0050"])
    assert folder.ledger("SELECT end_to_end_id, debtor_id, iban, sequence_type, collection_date, status, "
                         "source FROM transactions ORDER BY end_to_end_id") == [
        ("2026-0050", "10002", "NL64RABO0260893498", "RCUR", "2026-11-03", "collected", "import"),
        ("2026-0090", "10003", "NL02ABNA0123456789", "FRST", "2026-11-02", "collected", "import")]
    assert folder.ledger("SELECT mandate_key, mandate_date, history_source FROM mandates ORDER BY 1") == [
        ("MDT-10002", "2024-03-01", "import"), ("MDT-10003", "2024-03-01", "import")]
    collected = folder.collect()
    assert skipped(collected)["2026-0090"][0] == "invoice-already-collected"
    assert sequences(collected) == {"2026-0001": "RCUR", "2026-0002": "RCUR", "2026-0003": "RCUR"}
    new_ids = {e2e for m in collected.messages for b in m.blocks for e2e in b.transactions["end_to_end_id"]}
    with ledger.Ledger.open_read_only(folder.path / "incasso.db") as led:
        used = set(ledger.load_history(led, pl.Series(["2026-0090", "2026-0050", "2026-0001"]))
                   .end_to_end_ids.to_list())
    assert {"2026-0090", "2026-0050"} <= used
    assert not new_ids & {"2026-0090", "2026-0050"}
    # Imports are no batches of ours: status shows only what incasso wrote.
    statuses, _ = api.status(folder.path / "incasso.toml", NOW.date())
    assert {s.payment_info_id for s in statuses} == {b.payment_info_id for m in collected.messages
                                                     for b in m.blocks}
    assert folder.import_("oud.xml").already == 2


def test_a_pain008_amount_error_points_at_its_line(folder):
    target = old_pain008(folder)
    target.write_text(target.read_text(encoding="utf-8").replace(
        '<InstdAmt Ccy="EUR">35.00</InstdAmt>', '<InstdAmt Ccy="EUR">35,00</InstdAmt>'), encoding="utf-8")
    result = folder.import_("oud.xml")
    assert {(i.file, i.sheet, i.column, i.code) for i in result.report.issues} == {
        ("oud.xml", "OLD-2026-11", "InstdAmt", "amount-invalid")}
    line = next(n for n, text in enumerate(target.read_text().splitlines(), 1) if "35,00" in text)
    assert result.report.issues[0].row == line - 2  # the line of its DrctDbtTxInf
    assert not (folder.path / "incasso.db").exists()


def test_other_xml_is_refused(folder):
    folder.write("camt.xml", '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>')
    with pytest.raises(CannotContinue) as caught:
        folder.import_("camt.xml")
    assert caught.value.code == "import-file-unknown"


# --- the migration report ----------------------------------------------------------------

def test_inconsistencies_are_reported_by_the_import_and_the_first_collect(folder):
    folder.write("historie.csv", """
        Factuurnummer;Debiteurnummer;Machtigingskenmerk;Bedrag;Incassodatum
        2026-0090;10003;MDT-10003;90,00;01-11-2026
        2026-0080;10009;MDT-10009;50,00;01-10-2026
    """)
    result = folder.import_("historie.csv", debtors=folder.path / "deb.csv", invoices=folder.path / "inv.csv")
    assert cells(result.report) == {(2, "Bedrag", "import-amount-differs"),
                                     (3, "Machtigingskenmerk", "import-mandate-unknown")}
    assert result.written
    first = folder.collect(dry_run=True)
    assert cells(first.report, "import-amount-differs", "import-mandate-unknown") == {
        (5, "Bedrag", "import-amount-differs"), (None, "Machtigingskenmerk", "import-mandate-unknown")}
    assert folder.collect().migration is not None
    later = folder.collect(now=dt.datetime(2026, 11, 30, 10, 0))
    assert later.migration is None
    assert not cells(later.report, "import-amount-differs", "import-mandate-unknown")


def test_a_return_of_an_imported_collection_is_booked_without_a_batch(folder):
    from incasso_sheets.clearing.run import ClearRequest

    folder.write("historie.csv", """
        Factuurnummer;Debiteurnummer;Machtigingskenmerk;Bedrag;Incassodatum
        2026-0001;10001;MDT-10001;120,50;20-11-2026
    """)
    folder.import_("historie.csv")
    camt054 = Path(__file__).resolve().parent / "fixtures" / "bank" / "camt054_v02_returns.xml"
    settings = folder.path / "incasso.toml"  # the fixture is a notification for another account
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "[creditor]\n", '[creditor]\nextra_ibans = ["NL02ABNA0123456789"]\n', 1), encoding="utf-8")
    result = api.clear(ClearRequest(files=(camt054,), outdir=folder.out, now=NOW,
                                    config=folder.path / "incasso.toml"))
    assert [(e.kind, e.end_to_end_id) for e in result.booked if e.end_to_end_id == "2026-0001"] == [
        ("return", "2026-0001")]
    assert folder.ledger("SELECT status, reason_code FROM transactions") == [("returned", "AM04")]
    assert folder.ledger("SELECT entry, account, debit_cents, credit_cents, batch FROM journal "
                         "WHERE end_to_end_id = '2026-0001' ORDER BY line_id") == [
        ("2026-0001", "1300", 12050, None, None), ("2026-0001", "1100", None, 12050, None)]
