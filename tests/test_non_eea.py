"""Debtors in a SEPA country outside the EEA (docs/sepa.md §1-2): the debtor bank's BIC is
required (`bic-required`, never NOTPROVIDED), and the postal address goes along, as Ctry
and two AdrLine in pain.008.001.02 and structured in pain.008.001.08."""

from __future__ import annotations

import pytest
from lxml import etree
from test_collect import VERSIONS, Books, invoices, skipped, xml_files

from incasso_sheets.formats import xsd
from incasso_sheets.sepa.identifiers import EEA, SEPA, SEPA_NON_EEA, inspect_iban

# Swiss IBANs: the first's bank (clearing 00762) is not in the registry, the second's is.
CH_UNKNOWN_BANK = "CH9300762011623852957"
CH_KNOWN_BANK = "CH5604835012345678009"
HEADER = ("Debiteurnummer;Naam;IBAN;BIC;Automatische incasso;Machtigingskenmerk;Datum machtiging;"
          "Straat;Postcode;Plaats;Land")
NO_BIC_HEADER = HEADER.replace("BIC;", "")
SWISS = "10001;Kaeser AG;{iban};{bic};ja;MDT-10001;01-03-2024;{street};8001;Zürich;CH"
DUTCH = "10002;Jansen;NL91ABNA0417164300;;ja;MDT-10002;01-03-2024;Dorpsstraat 1;1234 AB;Utrecht;NL"
TWO_INVOICES = invoices("A-1;10001;01-11-2026;01-12-2026;10,00;Contributie",
                        "A-2;10002;01-11-2026;01-12-2026;20,00;Contributie")


def swiss(iban: str = CH_UNKNOWN_BANK, bic: str = "", street: str = "Bahnhofstrasse 1") -> str:
    return SWISS.format(iban=iban, bic=bic, street=street)


@pytest.fixture
def books(tmp_path) -> Books:
    return Books(tmp_path)


def debtor_parts(path) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """EndToEndId -> (the DbtrAgt's FinInstnId text, PstlAdr's children as (tag, text))."""
    root = etree.parse(str(path)).getroot()
    found = {}
    for tx in root.iter("{*}DrctDbtTxInf"):
        address = tx.find("{*}Dbtr/{*}PstlAdr")
        found[tx.findtext("{*}PmtId/{*}EndToEndId")] = (
            "".join(tx.find("{*}DbtrAgt/{*}FinInstnId").itertext()),
            [] if address is None else [(etree.QName(c).localname, c.text) for c in address])
    return found


def test_the_swiss_test_ibans_are_what_the_tests_take_them_for():
    assert inspect_iban(CH_UNKNOWN_BANK) == (None, None)
    assert inspect_iban(CH_KNOWN_BANK) == (None, "UBSWCHZH80A")


def test_non_eea_list_follows_the_epc_list():
    # EPC409-09 as extended up to Serbia (May 2025); none of them is in the EEA.
    assert {"CH", "GB", "MC", "SM", "VA", "AD", "GI", "GG", "JE", "IM", "PM",
            "AL", "MD", "ME", "MK", "RS"} == SEPA_NON_EEA
    assert not SEPA_NON_EEA & EEA
    assert SEPA == EEA | SEPA_NON_EEA


@pytest.mark.parametrize("version", VERSIONS)
def test_swiss_debtor_with_bic_is_collected_with_its_address(books, version):
    books.sheets("\n".join([HEADER, swiss(bic="POFICHBEXXX"), DUTCH]), TWO_INVOICES)
    result = books.collect(format=version)
    (path,) = xml_files(result)
    assert xsd.validate_file(path, version) == []
    parts = debtor_parts(path)
    bic_tag = "BIC" if version == "pain.008.001.02" else "BICFI"
    assert parts["A-1"][0] == "POFICHBEXXX"
    assert b"<" + bic_tag.encode() + b">POFICHBEXXX<" in path.read_bytes()
    if version == "pain.008.001.02":
        # EPC usage rules for .02: Ctry and at most two AdrLine, nothing else
        assert parts["A-1"][1] == [("Ctry", "CH"), ("AdrLine", "Bahnhofstrasse 1"), ("AdrLine", "8001 Zurich")]
    else:
        assert parts["A-1"][1] == [("StrtNm", "Bahnhofstrasse 1"), ("PstCd", "8001"), ("TwnNm", "Zurich"),
                                   ("Ctry", "CH")]
    assert parts["A-2"] == ("ABNANL2A", [])  # inside the EEA: no address


@pytest.mark.parametrize("version", VERSIONS)
def test_a_derived_bic_is_enough(books, version):
    books.sheets("\n".join([NO_BIC_HEADER, swiss(CH_KNOWN_BANK).replace(";;", ";")]),
                 invoices("A-1;10001;01-11-2026;01-12-2026;10,00;Contributie"))
    result = books.collect(format=version)
    assert result.report.valid
    (path,) = xml_files(result)
    assert xsd.validate_file(path, version) == []
    assert debtor_parts(path)["A-1"][0] == "UBSWCHZH80A"


@pytest.mark.parametrize(("header", "row", "column"), [
    (HEADER, swiss(), "BIC"),                                  # the BIC cell
    (NO_BIC_HEADER, swiss().replace(";;", ";"), "IBAN"),      # no BIC column: the IBAN cell
])
def test_check_reports_a_swiss_debtor_without_bic_at_its_cell(debtor_cells, header, row, column):
    assert debtor_cells(f"{header}\n{row}") == {(2, column, "bic-required")}


def test_check_accepts_a_swiss_debtor_whose_bic_is_derived(debtor_cells):
    assert debtor_cells(f"{HEADER}\n{swiss(CH_KNOWN_BANK)}") == set()


def test_the_bic_required_message(run_check):
    result = run_check(f"{HEADER}\n{swiss()}")
    (issue,) = result.report.issues
    assert (issue.code, issue.severity, issue.value) == ("bic-required", "error", None)
    assert dict(issue.params) == {"country": "CH"}


def test_collect_stops_for_a_swiss_debtor_without_bic(books):
    books.sheets("\n".join([HEADER, swiss(), DUTCH]), TWO_INVOICES)
    result = books.collect()
    assert [(i.row, i.column, i.code) for i in result.report.errors] == [(2, "BIC", "bic-required")]
    assert books.files() == []


def test_skip_invalid_leaves_the_swiss_debtor_out(books):
    books.sheets("\n".join([HEADER, swiss(), DUTCH]), TWO_INVOICES)
    result = books.collect(skip_invalid=True)
    assert skipped(result) == {"A-1": "debtor-invalid-skipped"}
    (path,) = xml_files(result)
    assert b"NOTPROVIDED</Id></Othr></FinInstnId></DbtrAgt>" not in path.read_bytes()
    assert set(debtor_parts(path)) == {"A-2"}


def test_a_long_street_is_shortened_with_a_warning(books, debtor_cells):
    street = "Rue du Commandant Jean-Baptiste Charcot-de-la-Villeneuve et des Environs 12"
    assert len(street) > 70
    cells = debtor_cells(f"{HEADER}\n{swiss(bic='POFICHBEXXX', street=street)}")
    assert cells == {(2, "Straat", "address-shortened")}
    books.sheets("\n".join([HEADER, swiss(bic="POFICHBEXXX", street=street)]),
                 invoices("A-1;10001;01-11-2026;01-12-2026;10,00;Contributie"))
    result = books.collect(format="pain.008.001.02")
    (warning,) = [i for i in result.report.issues if i.code == "address-shortened"]
    assert (warning.value, dict(warning.params)) == (street, {"after": street[:70], "limit": "70"})
    (path,) = xml_files(result)
    assert xsd.validate_file(path, "pain.008.001.02") == []
    assert debtor_parts(path)["A-1"][1][1] == ("AdrLine", street[:70])


def test_a_long_dutch_street_is_not_sent_and_not_reported(debtor_cells):
    long_street = DUTCH.replace("Dorpsstraat 1", "D" * 80)
    assert debtor_cells(f"{HEADER}\n{long_street}") == set()
