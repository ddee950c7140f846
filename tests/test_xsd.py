"""schema_for / validate_file: the official XSDs, streaming, errors with their line."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import pytest

from incasso_sheets.core.model import TRANSACTION_SCHEMA, Block, Message
from incasso_sheets.core.settings import Creditor
from incasso_sheets.formats import xsd
from incasso_sheets.formats.pain008 import write_pain008
from incasso_sheets.formats.xsd import schema_for, validate_file


def pain008(version: str = "pain.008.001.08", count: int = 3) -> bytes:
    rows = pl.DataFrame({
        "end_to_end_id": [f"E2E-{i:04d}" for i in range(count)],
        "amount_cents": [100 + i for i in range(count)],
        "mandate_id": [f"MDT-{i:04d}" for i in range(count)],
        "mandate_date": [dt.date(2024, 3, 15)] * count,
        "debtor_name": ["Jansen"] * count,
        "debtor_iban": ["NL91ABNA0417164300"] * count,
        "remittance": ["Factuur"] * count,
    }).with_columns(pl.lit(None).alias(c) for c in TRANSACTION_SCHEMA
                    if c not in {"end_to_end_id", "amount_cents", "mandate_id", "mandate_date",
                                 "debtor_name", "debtor_iban", "remittance"})
    message = Message(
        "INCS-20260305-0001", dt.datetime(2026, 3, 5, 10, 15),
        Creditor("Voorbeeld BV", "NL91ABNA0417164300", "ABNANL2A", "NL69ZZZ123456780000"), True,
        (Block("INCS-20260305-0001-1", "CORE", "RCUR", dt.date(2026, 3, 10),
               rows.select(TRANSACTION_SCHEMA.keys()).cast(TRANSACTION_SCHEMA)),),
    )
    out = io.BytesIO()
    write_pain008(out, message, version)
    return out.getvalue()


def line_of(data: bytes, needle: bytes, occurrence: int = 1) -> int:
    at = -1
    for _ in range(occurrence):
        at = data.index(needle, at + 1)
    return data.count(b"\n", 0, at) + 1


@pytest.fixture
def write(tmp_path):
    def write(data: bytes):
        path = tmp_path / "file.xml"
        path.write_bytes(data)
        return path
    return write


def test_schemas_load_once_from_sepaxml():
    assert schema_for("pain.008.001.02") is schema_for("pain.008.001.02")
    assert schema_for("pain.008.001.08") is not schema_for("pain.008.001.02")
    with pytest.raises(ValueError, match="unknown pain.008 version"):
        schema_for("pain.008.001.99")


@pytest.mark.parametrize("version", xsd.VERSIONS)
def test_valid_file(version, write):
    assert validate_file(write(pain008(version)), version) == []


def test_wrong_version_is_reported(write):
    problems = validate_file(write(pain008("pain.008.001.02")), "pain.008.001.08")
    assert problems == ["line 2: Element 'Document': No matching global declaration "
                        "available for the validation root."]


def test_36_character_message_id_is_rejected_with_its_line(write):
    data = pain008().replace(b"INCS-20260305-0001<", b"X" * 36 + b"<")
    problems = validate_file(write(data), "pain.008.001.08")
    assert problems == [f"line {line_of(data, b'<MsgId>')}: Element 'MsgId': [facet 'maxLength'] "
                        "The value has a length of '36'; this exceeds the allowed maximum "
                        "length of '35'."]
    assert problems[0].startswith("line 5: ")


def test_every_error_gets_its_own_line_up_to_the_limit(write):
    data = pain008(count=5).replace(b">1.0", b">-1.0")
    path = write(data)
    lines = [line_of(data, b">-1.0", n) for n in range(1, 6)]
    problems = validate_file(path, "pain.008.001.08")
    assert [p.split(":")[0] for p in problems] == [f"line {n}" for n in lines]
    assert all("Element 'InstdAmt': [facet 'minInclusive']" in p for p in problems)
    assert len(validate_file(path, "pain.008.001.08", limit=2)) == 2


def test_lines_are_exact_across_many_chunks(write, monkeypatch):
    monkeypatch.setattr(xsd, "_CHUNK_BYTES", 97)
    data = pain008(count=40).replace(b"<MndtId>MDT-0031<", b"<MndtId>" + b"M" * 36 + b"<")
    problems = validate_file(write(data), "pain.008.001.08")
    assert [p.split(": ", 1)[0] for p in problems] == [f"line {line_of(data, b'M' * 36)}"]


def test_not_well_formed(write):
    data = pain008().replace(b"</Nm></Dbtr>", b"</Nm></Dbtx>", 1)
    problems = validate_file(write(data), "pain.008.001.08")
    line = line_of(data, b"</Dbtx>")
    assert problems == [f"line {line}: Opening and ending tag mismatch: Dbtr line {line} and Dbtx"]


def test_truncated_and_empty_files(write):
    data = pain008()
    cut = data[: data.index(b"<DbtrAcct>") + 20]
    [problem] = validate_file(write(cut), "pain.008.001.08")
    last_line = cut.count(b"\n") + 1
    assert problem.startswith(f"line {last_line}: Premature end of data")
    assert validate_file(write(b""), "pain.008.001.08") == ["line 1: Document is empty"]


def test_external_entities_are_not_read(write, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    data = pain008().replace(
        b"<Document", f'<!DOCTYPE Document [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n<Document'.encode(), 1
    ).replace(b"<Nm>Jansen</Nm>", b"<Nm>&x;</Nm>", 1)
    problems = validate_file(write(data), "pain.008.001.08")
    assert problems and not any("SECRET" in p for p in problems)
