"""MT940 structured statements: the tag-86 splitter, each bank's layout read into entries,
recognition by content, refusal of cut-off or garbled files, and the round trip collect ->
the bank's answer as MT940 -> clear.

The fixtures in tests/fixtures/bank/mt940/ follow each bank's format description (named
in the README beside them); the round trip writes the same layouts from the batches that
collect wrote, with `mt940_answer` below.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from pathlib import Path
from textwrap import dedent

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from test_clear import ACCOUNTS, B2B, CORE, Batch, Books

from incasso_sheets.cli import main
from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.formats import bankfile, mt940
from incasso_sheets.formats.accounts import account_matches
from incasso_sheets.sepa import reasons

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bank" / "mt940"
OUR_IBAN = "NL91ABNA0417164300"
ENV = {"INCASSO_NOW": "2026-12-02T20:00:00", "INCASSO_FAULT": None, "LANG": "en_GB.UTF-8",
       "LC_ALL": None, "LC_MESSAGES": None}


def incasso(*args: str):
    return CliRunner(env=ENV).invoke(main, list(args), catch_exceptions=False)


# --- tag 86 ------------------------------------------------------------------------------------

def test_abnamro_fields_run_to_the_next_key_and_the_final_slash_may_be_missing():
    text = "/TRTP/SEPA Incasso batch/PREF/INCS-20261127-0001-1/NRTX/5/PIND/BRUTO"
    assert mt940.split_details(text, mt940.ABNAMRO) == {
        "TRTP": "SEPA Incasso batch", "PREF": "INCS-20261127-0001-1", "NRTX": "5", "PIND": "BRUTO"}
    assert mt940.split_details(text + "/", mt940.ABNAMRO)["PIND"] == "BRUTO"


def test_ing_code_words_are_separated_by_double_slashes():
    text = ("/RTRN/AM04//EREF/2026-0002//MARF/MDT-10002//CSID/NL69ZZZ123456780000//CNTP/"
            "NL65RABO0000246914/RABONL2U/Bakker/AMSTERDAM//REMI/USTD//Clubkleding/")
    assert mt940.split_details(text, mt940.ING) == {
        "RTRN": "AM04", "EREF": "2026-0002", "MARF": "MDT-10002", "CSID": "NL69ZZZ123456780000",
        "CNTP": "NL65RABO0000246914/RABONL2U/Bakker/AMSTERDAM", "REMI": "USTD//Clubkleding"}


def test_only_the_banks_own_keys_split_so_remittance_text_keeps_its_slashes():
    text = "/MARF/MDT-1/EREF/2026-0003/RTRN/MD06/BENM//NAME/De Vries/REMI//Les/TRTP/ 12/2026"
    fields = mt940.split_details(text, mt940.RABOBANK)
    # TRTP is ABN AMRO's key, not Rabobank's: here it is part of the remittance text.
    assert fields["REMI"] == "/Les/TRTP/ 12/2026"
    assert fields["NAME"] == "De Vries" and "BENM" not in fields  # an empty value is absent
    assert mt940.split_details(text, mt940.ABNAMRO)["TRTP"] == "12/2026"


def test_lines_wrapped_mid_key_are_joined_without_a_separator():
    wrapped = ("/RTYP/SEPA Incasso terugboeking bank/MARF/MDT-10002/RTRN/AM04\n"
               "/IBAN/NL65RABO0000246914/NAME/Bakker/REMI/Clubkleding 2026-0002/E\n"
               "REF/2026-0002")
    text = mt940.rebuild_details(wrapped)
    assert "\n" not in text
    fields = mt940.split_details(text, mt940.ABNAMRO)
    assert fields["EREF"] == "2026-0002" and fields["RTRN"] == "AM04"
    assert fields["REMI"] == "Clubkleding 2026-0002"


def test_a_continuation_line_keeps_its_leading_space():
    assert mt940.rebuild_details("/REMI/Contributie\n november") == "/REMI/Contributie november"


KEY = st.sampled_from(mt940.KEYS[mt940.ING])
VALUE = st.text(st.sampled_from("ABCXYZ0123456789 -.,?+"), min_size=1, max_size=40).map(str.strip).filter(bool)


@settings(deadline=None)
@given(st.dictionaries(KEY, VALUE, min_size=1, max_size=8), st.integers(20, 70))
def test_ing_fields_survive_wrapping_at_any_width(fields, width):
    text = "/" + "//".join(f"{k}/{v}" for k, v in fields.items()) + "/"
    wrapped = "\n".join(text[i:i + width] for i in range(0, len(text), width))
    assert mt940.split_details(mt940.rebuild_details(wrapped), mt940.ING) == fields


# --- each bank's layout --------------------------------------------------------------------------

def summary(path: Path) -> list[tuple]:
    return [(e.line, e.credit, e.amount_cents, e.value_date.isoformat(), e.domain_code,
             reasons.classify_entry(e), e.batch.payment_info_id if e.batch else None,
             tuple((d.end_to_end_id, d.reason_code, d.mandate_id) for d in e.details))
            for e in mt940.iter_entries(path)]


PAYOUT_ROW = ("PMNT/IDDT/ESDD", "payout", "INCS-20261127-0001-1", ())
AM04 = ("PMNT/IDDT/UPDD", "return", None, (("2026-0002", "AM04", "MDT-10002"),))
MD06 = ("PMNT/IDDT/UPDD", "return", None, (("2026-0003", "MD06", "MDT-10003"),))
CHARGE = ("PMNT/IDDT/CHRG", "charges", None, (("2026-0002", None, None),))


def test_abnamro_statement_form_b_with_envelope_and_bban():
    path = FIXTURES / "abnamro.sta"
    assert summary(path) == [
        (8, True, 25845, "2026-12-01", *PAYOUT_ROW),
        (11, True, 4500, "2026-12-01", None, "other", None, ()),
        (23, False, 5995, "2026-12-03", *AM04),
        (27, False, 2500, "2026-12-03", *MD06),
        (30, False, 250, "2026-12-03", *CHARGE)]
    entry = next(mt940.iter_entries(path))
    assert (entry.kind, entry.status, entry.account_iban, entry.currency, entry.proprietary_code,
            entry.message_id) == ("mt940", "BOOK", "417164300", "EUR", "N247", "ABN AMRO BANK NV")
    assert entry.batch.count == 5
    assert account_matches(entry.account_iban, [OUR_IBAN])


def test_ing_statement_with_trcd_codes_and_a_statement_level_86():
    path = FIXTURES / "ing.940"
    assert summary(path) == [
        (8, True, 25845, "2026-12-01", *PAYOUT_ROW),
        (21, False, 5995, "2026-12-03", *AM04),
        (26, False, 2500, "2026-12-03", *MD06),
        (31, False, 250, "2026-12-03", *CHARGE)]
    entries = list(mt940.iter_entries(path))
    # The package would glue /SUM/, '-}' and the next message's header onto these.
    assert entries[0].additional_info == (
        "/PREF/INCS-20261127-0001-1//CSID/NL69ZZZ123456780000//REMI/USTD//TOTAAL     5 POSTEN/")
    assert entries[-1].additional_info == "/EREF/2026-0002//REMI/USTD//KOSTEN STORNO 2026-0002/"
    assert entries[0].account_iban == "NL20INGB0001234567EUR"
    assert account_matches(entries[0].account_iban, ["NL20INGB0001234567"])


def test_rabobank_statement_with_padded_amounts_and_counter_account_lines():
    path = FIXTURES / "rabobank.swi"
    assert summary(path) == [
        (6, True, 25845, "2026-12-01", *PAYOUT_ROW),
        (14, False, 5995, "2026-12-03", *AM04),
        (18, False, 2500, "2026-12-03", *MD06),
        (22, False, 250, "2026-12-03", *CHARGE)]
    entries = list(mt940.iter_entries(path))
    assert entries[0].booking_date is None  # Rabobank writes no entry date
    assert entries[0].account_iban == "NL44RABO0123456789EUR"
    assert dict(entries[2].references)["REMI"] == "/Contributie november/december"


def test_a_charge_that_names_no_collection_is_an_account_charge(tmp_path):
    text, name = statement_text("ing", "NL20INGB0001234567", [
        booking(dt.date(2026, 12, 3), -250, "charge", reference=None)])
    entry, = mt940.iter_entries(write(tmp_path / name, text))
    assert (entry.domain_code, reasons.classify_entry(entry)) == ("ACMT/MDOP/CHRG", "other")


def test_digests_are_stable_and_a_repeated_booking_gets_its_own(tmp_path):
    path = FIXTURES / "abnamro.sta"
    assert [e.digest for e in mt940.iter_entries(path)] == [e.digest for e in mt940.iter_entries(path)]
    copy = tmp_path / "copy.sta"
    shutil.copy(path, copy)
    assert [e.digest for e in mt940.iter_entries(copy)] == [e.digest for e in mt940.iter_entries(path)]
    day = dt.date(2026, 12, 3)
    twice = [booking(day, -250, "charge", "2026-0002"), booking(day, -250, "charge", "2026-0002")]
    text, name = statement_text("abnamro", OUR_IBAN, twice)
    digests = [e.digest for e in mt940.iter_entries(write(tmp_path / name, text))]
    assert len(set(digests)) == 2


def test_a_long_statement_is_read_in_chunks_with_every_line_number(tmp_path, monkeypatch):
    monkeypatch.setattr(mt940, "CHUNK", 3)
    day = dt.date(2026, 12, 3)
    text, name = statement_text("ing", OUR_IBAN, [
        booking(day, -(100 + n), "return", f"2026-{n:04d}", "AM04") for n in range(10)])
    path = write(tmp_path / name, text)
    entries = list(mt940.iter_entries(path))
    lines = text.splitlines()
    assert [e.amount_cents for e in entries] == [100 + n for n in range(10)]
    assert all(lines[e.line - 1].startswith(":61:") for e in entries)
    assert [e.details[0].end_to_end_id for e in entries] == [f"2026-{n:04d}" for n in range(10)]


# --- recognised by content ----------------------------------------------------------------------

@pytest.mark.parametrize("fixture", ["abnamro.sta", "ing.940", "rabobank.swi"])
@pytest.mark.parametrize("suffix", [".sta", ".940", ".swi", ".txt", ".mt940", ""])
def test_mt940_is_recognised_by_content_whatever_its_name(tmp_path, fixture, suffix):
    path = tmp_path / f"download{suffix}"
    shutil.copy(FIXTURES / fixture, path)
    assert bankfile.identify(path) == (bankfile.MT940, "")


@pytest.mark.parametrize("text", [
    "Datum;Bedrag;Omschrijving\n01-12-2026;258,45;Incasso\n",
    ":20:only a reference\nand some text\n",
    '<?xml version="1.0"?>\n<Document xmlns="urn:example"/>\n',
])
def test_other_files_are_not_mt940(tmp_path, text):
    path = tmp_path / "file.txt"
    path.write_text(text, encoding="utf-8")
    assert not bankfile.is_mt940(path)


def test_a_folder_of_statements_includes_mt940_files_by_content(tmp_path):
    from incasso_sheets.clearing.run import expand

    shutil.copy(FIXTURES / "ing.940", tmp_path / "ing.940")
    shutil.copy(FIXTURES / "rabobank.swi", tmp_path / "mutaties.txt")
    (tmp_path / "notes.txt").write_text("not a bank file\n", encoding="utf-8")
    assert [p.name for p in expand((tmp_path,))] == ["ing.940", "mutaties.txt"]


# --- refused ---------------------------------------------------------------------------------------

def read_all(path: Path) -> list:
    return list(mt940.iter_entries(path))


def test_a_statement_cut_off_before_its_closing_balance_is_refused(tmp_path):
    lines = (FIXTURES / "ing.940").read_text(encoding="utf-8").splitlines()
    cut = write(tmp_path / "cut.940", "\n".join(lines[:24]) + "\n")  # inside the second message
    with pytest.raises(CannotContinue) as caught:
        read_all(cut)
    assert caught.value.code == "mt940-unreadable"
    assert "no closing balance" in caught.value.params["reason"]


def test_bookings_that_do_not_add_up_to_the_closing_balance_are_refused(tmp_path):
    text = (FIXTURES / "rabobank.swi").read_text(encoding="utf-8")
    changed = write(tmp_path / "changed.swi", text.replace("D000000000059,95", "D000000000059,59"))
    with pytest.raises(CannotContinue) as caught:
        read_all(changed)
    assert caught.value.params["reason"] == (
        "opening balance plus bookings is 1171.36, the closing balance says 1171.00")


def test_a_garbled_booking_is_refused_at_its_line(tmp_path):
    text = (FIXTURES / "abnamro.sta").read_text(encoding="utf-8")
    garbled = write(tmp_path / "garbled.sta", text.replace(":61:2612031203D25,N244", ":61:26120X1203D25,N244"))
    with pytest.raises(CannotContinue) as caught:
        read_all(garbled)
    assert caught.value.params["line"] == "27"


def test_the_cli_stops_on_a_truncated_mt940_with_one_sentence_and_books_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    books = Books(tmp_path)
    first, _, _ = books.collect()
    text, _ = mt940_answer("abnamro", [first], returns=[], charge=None)
    (tmp_path / "bank" / "afschrift.sta").write_text(text[: text.rindex(":62F:")], encoding="utf-8")
    before = books.snapshot()
    result = incasso("clear", "bank", "-o", "out")
    assert result.exit_code == 3
    assert result.stderr == (
        "incasso: Cannot read the MT940 file bank/afschrift.sta, line 4: the statement has no "
        "closing balance (:62F:), so the file may be cut short\n")
    assert books.snapshot() == before


# --- round trip ------------------------------------------------------------------------------------

def booking(day: dt.date, cents: int, kind: str, reference: str | None = None,
            reason: str | None = None, mandate: str = "MDT-0") -> tuple:
    return (day, cents, kind, reference, reason, mandate)


def _wrap(text: str, first: int, width: int = 65) -> list[str]:
    return [text[:first]] + [text[i:i + width] for i in range(first, len(text), width)]


def _amount(cents: int, bank: str) -> str:
    whole, frac = divmod(abs(cents), 100)
    if bank == "abnamro":  # trailing zeros left out: 150, and 10,5
        return f"{whole},{f'{frac:02d}'.rstrip('0')}"
    if bank == "rabobank":
        return f"{whole},{frac:02d}".zfill(15)
    return f"{whole},{frac:02d}"


def _balance(cents: int, day: dt.date) -> str:
    return f"{'C' if cents >= 0 else 'D'}{day:%y%m%d}EUR{abs(cents) // 100},{abs(cents) % 100:02d}"


def _details(bank: str, kind: str, reference: str | None, reason: str | None, mandate: str) -> str:
    if kind == "batch":
        return {"abnamro": f"/TRTP/SEPA Incasso batch/PREF/{reference}/NRTX/1/PIND/BRUTO",
                "ing": f"/PREF/{reference}//CSID/NL69ZZZ123456780000//REMI/USTD//TOTAAL 1 POSTEN/",
                "rabobank": f"/PREF/{reference}"}[bank]
    if kind == "return":
        return {"abnamro": f"/RTYP/SEPA Incasso terugboeking bank/MARF/{mandate}/RTRN/{reason}"
                           f"/IBAN/NL65RABO0000246914/NAME/Debiteur/REMI/Factuur/EREF/{reference}",
                "ing": f"/RTRN/{reason}//EREF/{reference}//MARF/{mandate}//CSID/NL69ZZZ123456780000"
                       "//CNTP/NL65RABO0000246914/RABONL2U/Debiteur/AMSTERDAM//REMI/USTD//Factuur/",
                "rabobank": f"/MARF/{mandate}/EREF/{reference}/RTRN/{reason}/BENM//NAME/Debiteur"
                            "/REMI/Factuur"}[bank]
    if bank == "ing":
        return (f"/EREF/{reference}//" if reference else "/") + "REMI/USTD//KOSTEN STORNO/"
    return (f"/EREF/{reference}" if reference else "") + "/REMI/Kosten storno"


def _line61(bank: str, day: dt.date, cents: int, kind: str, n: int) -> list[str]:
    mark = "C" if cents >= 0 else "D"
    amount = _amount(cents, bank)
    if bank == "abnamro":
        code = {"batch": "N247", "return": "N245", "charge": "NCHG"}[kind]
        return [f":61:{day:%y%m%d%m%d}{mark}{amount}{code}NONREF"]
    if bank == "ing":
        code, ref, trcd = {"batch": ("NDDT", "PREF", "01010"), "return": ("NRTI", "EREF", "01216"),
                           "charge": ("NCHG", "EREF", "09001")}[kind]
        return [f":61:{day:%y%m%d%m%d}{mark}{amount}{code}{ref}//{n:014d}", f"/TRCD/{trcd}/"]
    code, ref = {"batch": ("N680", "PREF"), "return": ("N631", "MARF"), "charge": ("N093", "EREF")}[kind]
    lines = [f":61:{day:%y%m%d}{mark}{amount}{code}{ref}"]
    return lines + (["NL65RABO0000246914"] if kind == "return" else [])


def statement_text(bank: str, iban: str, bookings: list[tuple], opening: int = 100000) -> tuple[str, str]:
    """One statement in `bank`'s layout (docs/sepa.md §4.5) and a file name for it."""
    day = bookings[0][0] if bookings else dt.date(2026, 12, 1)
    account = {"abnamro": iban[-9:].lstrip("0") if iban.startswith("NL") else iban,
               "ing": f"{iban}EUR", "rabobank": f"{iban} EUR"}[bank]
    head = {"abnamro": ["ABNANL2A", "940", "ABNANL2A", ":20:ABN AMRO BANK NV", f":25:{account}",
                        ":28:33501/1"],
            "ing": ["{1:F01INGBNL2ABXXX0000000000}", "{2:I940INGBNL2AXXXN}", "{4:",
                    f":20:P{day:%y%m%d}000000001", f":25:{account}", ":28C:00000"],
            "rabobank": [":940:", f":20:940S{day:%y%m%d}", f":25:{account}", ":28C:0"]}[bank]
    lines = head + [f":60F:{_balance(opening, day)}"]
    balance = opening
    for n, (when, cents, kind, reference, reason, mandate) in enumerate(bookings, start=1):
        lines += _line61(bank, when, cents, kind, n)
        details = _details(bank, kind, reference, reason, mandate)
        lines += _wrap(":86:" + details, 65) if bank != "rabobank" else \
            [":86:" + part if i == 0 else part for i, part in enumerate(_wrap(details, 65))]
        balance += cents
    last = bookings[-1][0] if bookings else day
    lines.append(f":62F:{_balance(balance, last)}")
    if bank == "ing":
        lines += [f":64:{_balance(balance, last)}", ":86:/SUM/0/0/0,00/0,00/", "-}"]
    elif bank == "abnamro":
        lines.append("-")
    end = "\n" if bank == "rabobank" else "\r\n"
    name = {"abnamro": "MT940.sta", "ing": "mt940.940", "rabobank": "transacties.swi"}[bank]
    return end.join(lines) + end, name


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def mt940_answer(bank: str, batches: list[Batch], returns: list[tuple[str, str]],
                 charge: str | None) -> tuple[str, str]:
    """The bank's answer to a collection: each batch credited (by /PREF/), the returns
    (EndToEndId, reason) debited with /EREF/ and /RTRN/, a charge naming a return."""
    day = max(b.collection_date for b in batches)
    txs = {t.end_to_end_id: t for b in batches for t in b.transactions}
    items = [booking(b.collection_date, b.total_cents, "batch", b.payment_info_id) for b in batches]
    items += [booking(day, -txs[e2e].amount_cents, "return", e2e, reason, txs[e2e].mandate_id)
              for e2e, reason in returns]
    if charge:
        items.append(booking(day, -250, "charge", charge))
    return statement_text(bank, OUR_IBAN, items)


@pytest.mark.parametrize("bank", ["abnamro", "ing", "rabobank"])
def test_round_trip_collect_mt940_clear(tmp_path, bank):
    books = Books(tmp_path)
    first, _second, b2b = books.collect()
    assert (first.payment_info_id, b2b.payment_info_id) == (f"{CORE}-1", f"{B2B}-1")
    text, name = mt940_answer(bank, [first, b2b], [("2026-0002", "AM04"), ("2026-0003", "MD06")],
                              charge="2026-0002")
    statement = write(books.bank_dir / name, text)
    result = books.clear(statement)
    assert [(e.kind, e.payment_info_id, e.amount_cents, e.end_to_end_id, e.reason_code)
            for e in result.booked] == [
        ("payout", first.payment_info_id, first.total_cents, None, None),
        ("payout", b2b.payment_info_id, b2b.total_cents, None, None),
        ("return", first.payment_info_id, 5995, "2026-0002", "AM04"),
        ("return", first.payment_info_id, 2500, "2026-0003", "MD06"),
        ("charges", first.payment_info_id, 250, "2026-0002", None)]
    assert result.outcome.unmatched == [] and result.probable == []
    S, R, B, C = (ACCOUNTS[k] for k in ("suspense", "receivables", "bank", "bank_charges"))
    assert books.pairs() == sorted([
        ("payout", B, S, first.total_cents, first.payment_info_id, None),
        ("payout", B, S, b2b.total_cents, b2b.payment_info_id, None),
        ("return", R, B, 5995, first.payment_info_id, "2026-0002"),
        ("return", R, B, 2500, first.payment_info_id, "2026-0003"),
        ("charges", C, B, 250, first.payment_info_id, "2026-0002")], key=repr)
    balances = books.balances()
    assert balances[first.payment_info_id] == 0 and balances[b2b.payment_info_id] == 0
    reopened = next(p for p in result.files if p.name.endswith(".reopened-invoices.csv"))
    assert [re.split("[;,]", line)[0] for line in reopened.read_text(encoding="utf-8").splitlines()[1:]] \
        == ["2026-0002", "2026-0003"]
    assert books.statuses()["2026-0002"] == ("returned", "AM04")
    assert books.statuses()["2026-0003"] == ("returned", "MD06")

    before = books.snapshot()
    again = books.clear(statement)
    assert again.booked == [] and again.outcome.unmatched == []
    assert again.outcome.duplicates == 5
    assert books.snapshot() == before


def test_a_charge_for_someone_elses_transaction_is_listed_not_booked(tmp_path):
    books = Books(tmp_path)
    books.collect()
    text, name = statement_text("ing", OUR_IBAN, [booking(dt.date(2026, 12, 3), -250, "charge", "X-9")])
    result = books.clear(write(books.bank_dir / name, text))
    assert result.booked == []
    assert [(u.code, u.amount_cents, u.detail) for u in result.outcome.unmatched] == [
        ("bank-charges-unmatched", 250, "X-9")]


def test_the_cli_clears_an_mt940_download_in_a_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    books = Books(tmp_path)
    first, _, _ = books.collect()
    text, _ = mt940_answer("abnamro", [first], [("2026-0002", "AM04")], charge="2026-0002")
    write(books.bank_dir / "MT940141203.sta", text)
    result = incasso("clear", "bank", "-o", "out")
    assert result.exit_code == 0
    assert result.stdout == dedent("""
        1 payouts booked, 258.45 in total (bank / suspense)
        1 returns and refunds booked, 59.95 (receivables / bank)
        1 bank charges booked, 2.50
        Batch INCS-20261127-0001-1: suspense balance 0.00
        Written: out/CLR-20261202-0001.journal.csv
        Written: out/CLR-20261202-0001.reopened-invoices.csv
        Written: out/CLR-20261202-0001.returns.xlsx
    """).lstrip("\n")
    assert re.search(r"2026-0002", (tmp_path / "out" / "CLR-20261202-0001.reopened-invoices.csv")
                     .read_text(encoding="utf-8"))


def test_a_day_without_bookings_is_an_empty_statement(tmp_path):
    path = write(tmp_path / "leeg.940", "\r\n".join([
        "{1:F01INGBNL2ABXXX0000000000}{2:I940INGBNL2AXXXN}{4:", ":20:P261203000000001",
        ":25:NL20INGB0001234567EUR", ":28C:00000", ":60F:C261202EUR1258,45",
        ":62F:C261203EUR1258,45", ":64:C261203EUR1258,45", ":86:/SUM/0/0/0,00/0,00/", "-}"]) + "\r\n")
    assert bankfile.identify(path) == (bankfile.MT940, "")
    assert read_all(path) == []


def read_or_refuse(data: bytes) -> tuple[list | None, str | None]:
    """The entries of an MT940 file with these bytes, or the code it is refused with."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "download.sta"
        path.write_bytes(data)
        try:
            return list(mt940.iter_entries(path)), None
        except CannotContinue as exc:
            return None, exc.code


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(["abnamro.sta", "ing.940", "rabobank.swi"]),
       st.lists(st.tuples(st.floats(0, 1), st.binary(max_size=6), st.integers(0, 30)),
                min_size=1, max_size=4))
def test_a_damaged_file_is_read_or_refused_never_a_traceback(name, damage):
    data = bytearray((FIXTURES / name).read_bytes())
    for where, inserted, removed in damage:
        at = int(where * (len(data) - 1))
        data[at:at + removed] = inserted
    entries, refused = read_or_refuse(bytes(data))
    assert refused in (None, "mt940-unreadable")
    assert entries is not None or refused is not None


def test_the_reason_is_the_first_four_characters_of_rtrn(tmp_path):
    """Older ING layouts append the R-type to the reason code."""
    text, name = statement_text("ing", OUR_IBAN, [
        booking(dt.date(2026, 12, 3), -5995, "return", "2026-0002", "MS03 RTRN"),
        booking(dt.date(2026, 12, 3), -2500, "return", "2026-0003", "AM04RTRN")])
    assert [e.details[0].reason_code for e in mt940.iter_entries(write(tmp_path / name, text))] == [
        "MS03", "AM04"]
