"""The review step of `incasso debtors update` (issue 20): look-alike new debtors, dashes
that clear, the dry run's change log, the log's form, and messages that name their file.

Through click's CliRunner with the exact text in English and Dutch where the message is
the point; through update.merge_updates where the cell is.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from textwrap import dedent

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from shared import ENV

from incasso_sheets.cli import main
from incasso_sheets.sheets.read import read_sheet
from incasso_sheets.update.merge import CLEARS, merge_updates

DEBTORS = """\
    Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging;E-mail
    000102;Jansen;NL91ABNA0417164300;ja;MDT-1;2024-03-01;jansen@example.com
    10002;Pietersen;NL44RABO0123456789;ja;MDT-2;01-03-2024;
"""
HEADER = "Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging"
LOG_HEADER = "\ufeffDebiteurnummer;Kolom;Oud;Nieuw;Opmerking;Waarschuwingen;Regel in wijzigingen"


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write("deb.csv", DEBTORS)
    return tmp_path


def write(name: str, text: str, encoding: str = "utf-8") -> Path:
    path = Path(name)
    path.write_bytes(dedent(text).encode(encoding))
    return path


def update(*args: str, lang: str = "en"):
    return CliRunner(env=ENV).invoke(main, ["--lang", lang, "debtors", "update", *args],
                                     catch_exceptions=False)


# --- --add-new: likely duplicates -----------------------------------------------------------

NEW_DEBTORS = f"""\
    {HEADER}
    102;Jansen;NL02ABNA0123456789;ja;MDT-102;01-11-2026
"""


@pytest.mark.parametrize("lang, expected", [
    ("en", [
        "upd.csv:upd:2:Debiteurnummer  update-new-same-number  '102'  Debtor 102 is not in deb.csv, "
        "but its row 2 holds debtor 000102, the same number (leading zeros do not count), so 102 is "
        "not added; to change that debtor, write 000102 (format the column as Text, so Excel keeps "
        "the zeros)",
        "upd.csv:upd:2:Naam  update-new-same-name  'Jansen'  New debtor 102 has the name of debtor "
        "000102 on row 2 of deb.csv; check that it is not the same debtor under another number",
        "",
        "Nothing written: fix the 1 errors above.",
    ]),
    ("nl", [
        "upd.csv:upd:2:Debiteurnummer  update-new-same-number  '102'  Debiteur 102 staat niet in "
        "deb.csv, maar regel 2 daarvan heeft debiteur 000102, hetzelfde nummer (voorloopnullen tellen "
        "niet), dus 102 wordt niet toegevoegd; schrijf 000102 om die debiteur te wijzigen (maak de "
        "kolom Tekst, dan houdt Excel de nullen)",
        "upd.csv:upd:2:Naam  update-new-same-name  'Jansen'  Nieuwe debiteur 102 heeft de naam van "
        "debiteur 000102 op regel 2 van deb.csv; controleer dat het niet dezelfde debiteur onder een "
        "ander nummer is",
        "",
        "Niets geschreven: herstel de 1 fouten hierboven.",
    ]),
])
def test_a_lost_leading_zero_is_not_added_as_a_new_debtor(folder, lang, expected):
    write("upd.csv", NEW_DEBTORS)
    result = update("deb.csv", "upd.csv", "-o", "new.csv", "--add-new", "--log", "log.csv", lang=lang)
    assert result.exit_code == 1
    assert result.output.splitlines() == expected
    assert sorted(p.name for p in folder.iterdir()) == ["deb.csv", "upd.csv"]


@pytest.mark.parametrize("lang, expected", [
    ("en", [
        "upd.csv:upd:2:IBAN  update-new-same-iban  'NL44 RABO 0123 4567 89'  New debtor 10009 has "
        "the IBAN of debtor 10002 on row 3 of deb.csv; check that it is not the same debtor under "
        "another number",
        "upd.csv:upd:3:Naam  update-new-same-name  'JANSEN'  New debtor 10010 has the name of debtor "
        "000102 on row 2 of deb.csv; check that it is not the same debtor under another number",
    ]),
    ("nl", [
        "upd.csv:upd:2:IBAN  update-new-same-iban  'NL44 RABO 0123 4567 89'  Nieuwe debiteur 10009 "
        "heeft de IBAN van debiteur 10002 op regel 3 van deb.csv; controleer dat het niet dezelfde "
        "debiteur onder een ander nummer is",
        "upd.csv:upd:3:Naam  update-new-same-name  'JANSEN'  Nieuwe debiteur 10010 heeft de naam van "
        "debiteur 000102 op regel 2 van deb.csv; controleer dat het niet dezelfde debiteur onder een "
        "ander nummer is",
    ]),
])
def test_the_same_iban_or_name_is_a_warning_and_the_debtor_is_added(folder, lang, expected):
    # A family shares an account, two members share a name: a warning, not a refusal.
    write("upd.csv", f"""\
        {HEADER}
        10009;Pietersen Jr;NL44 RABO 0123 4567 89;ja;MDT-9;01-11-2026
        10010; JANSEN ;NL02ABNA0123456789;ja;MDT-10;01-11-2026
    """)
    result = update("deb.csv", "upd.csv", "-o", "new.csv", "--add-new", lang=lang)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:3] == [*expected, ""]
    assert [line.split(";")[0] for line in Path("new.csv").read_text().splitlines()[1:]] == [
        "000102", "10002", "10009", "10010"]


def test_names_compare_without_case_and_spaces(write_csv):
    debtors = read_sheet(write_csv("deb.csv", DEBTORS))
    updates = read_sheet(write_csv("upd.csv", f"""
        {HEADER}
        10011;pieter sen;NL02ABNA0123456789;ja;MDT-11;01-11-2026
        10012;Jansen-Bakker;NL02ABNA0123456789;ja;MDT-12;01-11-2026
    """))
    result = merge_updates(debtors, updates, dt.date(2026, 11, 27), add_new=True)
    assert {(i.row, i.column, i.code, i.params) for i in result.issues} == {
        (2, "Naam", "update-new-same-name", (("debtor", "10011"), ("other", "10002"),
                                             ("other_row", "3"), ("path", "deb.csv")))}
    assert result.valid


def test_two_spellings_of_one_number_in_the_changes_are_one_debtor_twice(write_csv):
    debtors = read_sheet(write_csv("deb.csv", DEBTORS))
    updates = read_sheet(write_csv("upd.csv", """
        Debiteurnummer;Naam
        0010002;Piet
        10002;Pietersen-Smit
    """))
    result = merge_updates(debtors, updates, dt.date(2026, 11, 27), add_new=True)
    assert ("upd.csv", 3, "Debiteurnummer", "update-debtor-duplicate") in {
        (i.file, i.row, i.column, i.code) for i in result.issues}
    assert not result.valid


# --- dashes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("dash", ["-", "\u2013", "\u2014", "\u2212", "\u2010", "\u2012", "\uff0d",
                                  " \u2013 "])
def test_a_lone_dash_of_any_kind_clears(write_csv, dash):
    debtors = read_sheet(write_csv("deb.csv", DEBTORS))
    updates = read_sheet(write_csv("upd.csv", f"Debiteurnummer;E-mail\n000102;{dash}\n"))
    result = merge_updates(debtors, updates, dt.date(2026, 11, 27))
    assert result.valid
    assert list(result.changes.select("column", "old", "new").iter_rows()) == [
        ("email", "jansen@example.com", None)]


@given(st.characters(categories=["Pd"]) | st.just("\u2212"))
def test_every_unicode_dash_and_the_minus_sign_alone_mean_clear(dash):
    assert pl.Series([dash, dash * 2, f"x{dash}"]).str.contains(CLEARS).to_list() == [True, False, False]


@pytest.mark.parametrize("text", ["--", "\u2013\u2013", "a\u2013b", "_"])
def test_other_text_with_dashes_is_a_value(write_csv, text):
    debtors = read_sheet(write_csv("deb.csv", DEBTORS))
    updates = read_sheet(write_csv("upd.csv", f"Debiteurnummer;E-mail\n000102;{text}\n"))
    result = merge_updates(debtors, updates, dt.date(2026, 11, 27))
    assert list(result.changes.select("column", "new").iter_rows()) == [("email", text)]


def test_an_en_dash_clears_in_the_written_sheet(folder):
    write("upd.csv", "Debiteurnummer;E-mail\n000102;\u2013\n")
    result = update("deb.csv", "upd.csv", "-o", "new.csv")
    assert result.exit_code == 0, result.output
    assert "000102  E-mail  'jansen@example.com' -> ''" in result.output
    assert Path("new.csv").read_text().splitlines()[1] == (
        "000102;Jansen;NL91ABNA0417164300;ja;MDT-1;2024-03-01;")


# --- the dry run and the change log -------------------------------------------------------

def test_a_dry_run_writes_only_the_log_and_all_of_it(folder):
    rows = [f"{10100 + n};Lid {n};NL02ABNA0123456789;nee;;" for n in range(250)]
    write("deb.csv", "\n".join([HEADER, *rows]) + "\n")
    write("upd.csv", "Debiteurnummer;Naam\n" + "".join(f"{10100 + n};Lid {n}b\n" for n in range(250)))
    before = Path("deb.csv").read_bytes()
    result = update("deb.csv", "upd.csv", "-o", "deb.csv", "--dry-run", "--log", "log.csv")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-5:] == [
        "... and 50 more changes (all of them in the --log file)",
        "",
        "250 changes for 250 debtors, 0 of them new.",
        "Written: log.csv",
        "Dry run: the debtors sheet is not written, only the change log.",
    ]
    assert Path("deb.csv").read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["deb.csv", "log.csv", "upd.csv"]
    lines = Path("log.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 251
    assert lines[-1] == "10349;Naam;Lid 249;Lid 249b;;;251"


def test_a_dry_run_in_dutch(folder):
    write("upd.csv", "Debiteurnummer;Naam\n10002;Pietersen-Smit\n")
    result = update("deb.csv", "upd.csv", "-o", "new.csv", "--dry-run", "--log", "log.csv", lang="nl")
    assert result.output == dedent("""\
        10002  Naam  'Pietersen' -> 'Pietersen-Smit'

        1 wijzigingen bij 1 debiteuren, waarvan 0 nieuw.
        Geschreven: log.csv
        Proefdraai: het debiteurenbestand is niet geschreven, alleen het wijzigingslog.
        """)


def test_a_dry_run_with_errors_writes_no_log(folder):
    write("upd.csv", "Debiteurnummer;Naam\n10009;Nieuw\n")
    result = update("deb.csv", "upd.csv", "-o", "new.csv", "--dry-run", "--log", "log.csv")
    assert result.exit_code == 1
    assert not Path("log.csv").exists()


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_log_has_dd_mm_yyyy_dates_warnings_and_the_change_row_in_any_language(folder, lang):
    write("upd.csv", """\
        Debiteurnummer;Datum machtiging;Naam
        10002;2025-03-02;
        000102;1/3/2025;Jansén
    """)
    result = update("deb.csv", "upd.csv", "-o", "new.csv", "--log", "log.csv", lang=lang)
    assert result.exit_code == 0, result.output
    warning = {"en": "Name contains characters outside the SEPA set; sent as 'Jansen'",
               "nl": "Naam bevat tekens buiten de SEPA-tekenset; wordt verstuurd als 'Jansen'"}[lang]
    assert Path("log.csv").read_text(encoding="utf-8").splitlines() == [
        LOG_HEADER,
        "10002;Datum machtiging;01-03-2024;02-03-2025;;;2",
        f'000102;Naam;Jansen;Jansén;;"name-transliterated: {warning}";3',  # quoted: it holds a ;
        "000102;Datum machtiging;01-03-2024;01-03-2025;;;3",
    ]
    assert "10002  Datum machtiging  '01-03-2024' -> '02-03-2025'" in result.output


def test_a_workbook_debtors_sheet_logs_its_date_cells_as_dd_mm_yyyy(folder):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Debiteuren"
    ws.append(HEADER.split(";"))
    ws.append(["10001", "Jansen", "NL91ABNA0417164300", "ja", "MDT-1", dt.datetime(2024, 3, 1)])
    wb.save("deb.xlsx")
    write("upd.csv", "Debiteurnummer;Datum machtiging\n10001;02-03-2024\n")
    result = update("deb.xlsx", "upd.csv", "-o", "new.xlsx", "--log", "log.xlsx")
    assert result.exit_code == 0, result.output
    log = openpyxl.load_workbook("log.xlsx").active
    assert [c.value for c in log[2]] == ["10001", "Datum machtiging", "01-03-2024", "02-03-2024",
                                         None, None, 2]


# --- messages that name their file --------------------------------------------------------

@pytest.mark.parametrize("lang, expected", [
    ("en", "upd.csv:upd:3:Machtigingskenmerk  update-mandate-id-duplicate  'mdt-2'  Mandate reference "
           "is also used by debtor 10002 on row 3 of deb.csv (references are not case-sensitive)"),
    ("nl", "upd.csv:upd:3:Machtigingskenmerk  update-mandate-id-duplicate  'mdt-2'  Machtigingskenmerk "
           "wordt ook gebruikt door debiteur 10002 op regel 3 van deb.csv (hoofdletters tellen niet)"),
])
def test_a_duplicate_mandate_points_at_the_change_not_the_innocent_debtor(folder, lang, expected):
    # 000102 (row 2) takes the mandate of 10002 (row 3): the check reports the later row, 10002's,
    # which the update did not touch; the message goes to the change that caused it.
    write("upd.csv", "Debiteurnummer;Machtigingskenmerk\n10002;\n000102;mdt-2\n")
    result = update("deb.csv", "upd.csv", "-o", "new.csv", lang=lang)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == expected
    assert "deb.csv:deb:" not in result.output


def test_two_changes_with_one_mandate_point_at_each_other(write_csv):
    debtors = read_sheet(write_csv("deb.csv", DEBTORS))
    updates = read_sheet(write_csv("upd.csv", """
        Debiteurnummer;Machtigingskenmerk
        10002;MDT-NEW
        000102;MDT-NEW
    """))
    result = merge_updates(debtors, updates, dt.date(2026, 11, 27))
    assert {(i.file, i.row, i.code, dict(i.params)["path"], dict(i.params)["other_row"])
            for i in result.issues} == {("upd.csv", 2, "update-mandate-id-duplicate", "upd.csv", "3")}


def test_a_duplicate_the_update_did_not_cause_stays_in_the_debtors_sheet(write_csv):
    debtors = read_sheet(write_csv("deb.csv", DEBTORS.replace("MDT-2", "MDT-1")))
    updates = read_sheet(write_csv("upd.csv", "Debiteurnummer;Naam\n10002;Piet\n"))
    result = merge_updates(debtors, updates, dt.date(2026, 11, 27))
    assert {(i.file, i.row, i.code) for i in result.issues} == {("deb.csv", 3, "mandate-id-duplicate")}


@pytest.mark.parametrize("lang, expected", [
    ("en", "upd.csv:upd:2:Debiteurnummer  update-debtor-unknown  '10009'  Debtor number is not in "
           "deb.csv, so the update stops and nothing is written; correct the number, or give "
           "--add-new to add it as a new debtor"),
    ("nl", "upd.csv:upd:2:Debiteurnummer  update-debtor-unknown  '10009'  Debiteurnummer staat niet "
           "in deb.csv, dus stopt het bijwerken en wordt er niets geschreven; verbeter het nummer, of "
           "geef --add-new om het als nieuwe debiteur toe te voegen"),
])
def test_an_unknown_debtor_says_it_stops_the_update(folder, lang, expected):
    write("upd.csv", "Debiteurnummer;Naam\n10009;Nieuw\n10002;Pietersen-Smit\n")
    result = update("deb.csv", "upd.csv", "-o", "new.csv", lang=lang)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == expected
    assert not Path("new.csv").exists()


@pytest.mark.parametrize("lang, expected", [
    ("en", "upd.csv:upd:2:Naam  update-not-encodable  'Łukasz Łącki'  The characters Ł ą cannot be "
           "written in deb.csv, which is encoded as cp1252; save it as CSV UTF-8 first"),
    ("nl", "upd.csv:upd:2:Naam  update-not-encodable  'Łukasz Łącki'  De tekens Ł ą kunnen niet in "
           "deb.csv geschreven worden, dat als cp1252 is opgeslagen; sla het eerst op als CSV UTF-8"),
])
def test_a_character_the_csv_cannot_hold_is_named(folder, lang, expected):
    write("deb.csv", DEBTORS.replace("Jansen;", "Renée;"), encoding="cp1252")
    write("upd.csv", "Debiteurnummer;Naam\n000102;Łukasz Łącki\n")
    result = update("deb.csv", "upd.csv", "-o", "new.csv", lang=lang)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == expected
    assert "{value}" not in result.output
