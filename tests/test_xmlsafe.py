"""xmlsafe and bankfile: hostile XML is refused before anything expands; files are
identified from the root namespace alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.formats import xmlsafe
from incasso_sheets.formats.bankfile import identify, kind_of_namespace
from incasso_sheets.formats.camt import iter_entries
from incasso_sheets.formats.pain002 import read_status_report
from incasso_sheets.formats.xmlsafe import iterparse_safe, refuse_dtd, sniff_namespace

BANK = Path(__file__).parent / "fixtures" / "bank"
HOSTILE = ["hostile_billion_laughs.xml", "hostile_xxe.xml", "hostile_doctype.xml"]
CAMT053 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def write(tmp_path: Path, text: str | bytes, name: str = "f.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize(
    "reader",
    [identify, sniff_namespace, refuse_dtd, read_status_report, lambda p: list(iter_entries(p))],
    ids=["identify", "sniff", "refuse_dtd", "pain002", "camt"],
)
def test_hostile_files_are_refused_by_every_reader(name, reader):
    with pytest.raises(CannotContinue) as caught:
        reader(BANK / name)
    assert caught.value.code == "xml-refused"
    message = caught.value.message("en") + caught.value.message("nl")
    assert "lollol" not in message      # no entity was expanded into the message
    assert "root:" not in message       # /etc/passwd was not read into it


def test_refusal_names_what_was_found_not_its_content():
    reasons = {}
    for name in HOSTILE:
        with pytest.raises(CannotContinue) as caught:
            refuse_dtd(BANK / name)
        reasons[name] = caught.value.params["reason"]
    assert reasons == {
        "hostile_billion_laughs.xml": "<!DOCTYPE> <!ENTITY>",
        "hostile_xxe.xml": "<!DOCTYPE> <!ENTITY> SYSTEM/PUBLIC",
        "hostile_doctype.xml": "<!DOCTYPE> SYSTEM/PUBLIC",
    }


def test_second_line_refuses_a_dtd_the_prolog_scan_missed(monkeypatch):
    # Without the prolog scan, the parser's tree still shows the DTD at the first event.
    monkeypatch.setattr(xmlsafe, "refuse_dtd", lambda path: None)
    with pytest.raises(CannotContinue) as caught:
        list(iterparse_safe(BANK / "hostile_xxe.xml", ["Ntry"]))
    assert caught.value.code == "xml-refused"


@pytest.mark.parametrize(
    "prolog",
    [
        "\ufeff<?xml version='1.0'?>\n<!DOCTYPE d>",                  # after a BOM
        "<?xml version='1.0'?><!-- <Document> in a comment --><!DOCTYPE d>",
        "<?xml-stylesheet href='x'?>\n\n<!DOCTYPE d>",
        "<!doctype d>",                                              # any '<!' but a comment
        "<!-- " + "x" * 200_000 + " --><!DOCTYPE d>",                # past the first chunk
    ],
)
def test_doctype_found_anywhere_in_the_prolog(tmp_path, prolog):
    path = write(tmp_path, prolog + f'<Document xmlns="{CAMT053}"/>')
    with pytest.raises(CannotContinue) as caught:
        refuse_dtd(path)
    assert caught.value.code == "xml-refused"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_doctype_found_in_utf16_and_utf32(tmp_path, codec):
    text = f'<?xml version="1.0" encoding="{codec}"?><!DOCTYPE d><Document xmlns="{CAMT053}"/>'
    with pytest.raises(CannotContinue) as caught:
        refuse_dtd(write(tmp_path, text.encode(codec)))
    assert caught.value.code == "xml-refused"


def test_doctype_text_inside_the_document_is_just_text(tmp_path):
    path = write(tmp_path, f'<Document xmlns="{CAMT053}"><a>&lt;!DOCTYPE x&gt;</a></Document>')
    refuse_dtd(path)
    assert sniff_namespace(path) == CAMT053


def test_endless_prolog_is_refused(tmp_path):
    path = write(tmp_path, "<!--" + "x" * (xmlsafe.PROLOG_LIMIT + 10))
    with pytest.raises(CannotContinue) as caught:
        refuse_dtd(path)
    assert caught.value.code == "xml-refused"


def test_undeclared_entity_is_unreadable_not_expanded(tmp_path):
    path = write(tmp_path, f'<Document xmlns="{CAMT053}"><a>&xxe;</a></Document>')
    with pytest.raises(CannotContinue) as caught:
        list(iterparse_safe(path, ["a"]))
    assert caught.value.code == "file-unreadable"


@pytest.mark.parametrize(
    ("text", "code"),
    [("not xml at all", "file-unreadable"), ("", "file-unreadable"),
     (f'<Document xmlns="{CAMT053}"><open>', "file-unreadable")],
)
def test_broken_files(tmp_path, text, code):
    path = write(tmp_path, text)
    with pytest.raises(CannotContinue) as caught:
        list(iterparse_safe(path, ["open"]))
    assert caught.value.code == code


def test_missing_file(tmp_path):
    with pytest.raises(CannotContinue) as caught:
        identify(tmp_path / "nope.xml")
    assert caught.value.code == "file-not-found"


def test_iterparse_matches_local_names_in_any_namespace(tmp_path):
    path = write(tmp_path, '<r xmlns="urn:a"><x>1</x><y xmlns="urn:b"><x>2</x></y></r>')
    assert [e.text for _, e in iterparse_safe(path, ["x"])] == ["1", "2"]
    assert [e.text for _, e in iterparse_safe(path, ["{urn:b}x"])] == ["2"]


def test_release_frees_read_siblings(tmp_path):
    path = write(tmp_path, "<r>" + "<x>1</x>" * 5 + "</r>")
    kept = []  # what is left of the elements read before this one
    for _, elem in iterparse_safe(path, ["x"]):
        kept.append([(e.text, len(e)) for e in elem.itersiblings(preceding=True)])
        xmlsafe.release(elem)
    assert kept == [[], [(None, 0)], [(None, 0)], [(None, 0)], [(None, 0)]]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("abnamro_camt053_v02.xml", ("camt.053", "001.02")),
        ("rabobank_camt053_v02.xml", ("camt.053", "001.02")),
        ("camt053_v08_booked_pending.xml", ("camt.053", "001.08")),
        ("camt054_v02_returns.xml", ("camt.054", "001.02")),
        ("pain002_v03_partial.xml", ("pain.002", "001.03")),
        ("pain002_v03_group_rejected.xml", ("pain.002", "001.03")),
    ],
)
def test_identify_fixtures(name, expected):
    assert identify(BANK / name) == expected


@pytest.mark.parametrize(
    ("namespace", "expected"),
    [
        ("urn:iso:std:iso:20022:tech:xsd:camt.053.001.04", ("camt.053", "001.04")),
        ("urn:iso:std:iso:20022:tech:xsd:camt.054.001.08", ("camt.054", "001.08")),
        ("urn:iso:std:iso:20022:tech:xsd:pain.002.001.10", ("pain.002", "001.10")),
        ("urn:iso:std:iso:20022:tech:xsd:camt.053.001.13", ("camt.053", "001.13")),
        ("APC:STUZZA:payments:ISO:pain:002:001:03", ("pain.002", "001.03")),
        ("urn:iso:std:iso:20022:tech:xsd:pain.008.001.02", None),
        ("urn:iso:std:iso:20022:tech:xsd:camt.052.001.02", ("camt.052", "001.02")),  # read since issue 12
        ("", None),
    ],
)
def test_kind_of_namespace(namespace, expected):
    assert kind_of_namespace(namespace) == expected


def test_unknown_and_wrong_kinds(tmp_path):
    pain008 = write(tmp_path, '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"/>')
    with pytest.raises(CannotContinue) as caught:
        identify(pain008)
    assert caught.value.code == "bank-file-unknown"
    assert caught.value.params["namespace"].endswith("pain.008.001.02")
    with pytest.raises(CannotContinue) as caught:
        list(iter_entries(BANK / "pain002_v03_partial.xml"))
    assert (caught.value.code, caught.value.params["found"]) == ("bank-file-wrong-kind", "pain.002")
    with pytest.raises(CannotContinue) as caught:
        read_status_report(BANK / "camt054_v02_returns.xml")
    assert caught.value.code == "bank-file-wrong-kind"
