"""`incasso template`: the blank workbooks and settings file, and the committed copies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from incasso_sheets.cli import main
from incasso_sheets.core import settings
from incasso_sheets.sheets import template
from incasso_sheets.sheets.columns import DEBTOR_COLUMNS, INVOICE_COLUMNS

COMMITTED = Path(__file__).resolve().parent.parent / "templates"
NAMES = ("debiteuren.xlsx", "facturen.xlsx", "incasso.toml")


def run(*args: str):
    return CliRunner().invoke(main, ["--lang", "en", "template", *args])


def describe(path: Path) -> dict:
    """What a user sees of a workbook, read back with openpyxl."""
    wb = openpyxl.load_workbook(path)
    sheets = {}
    for ws in wb.worksheets:
        sheets[ws.title] = {
            "headers": [c.value for c in ws[1]],
            "bold": [c.font.b for c in ws[1]],
            "freeze": ws.freeze_panes,
            "validations": sorted((v.type, v.formula1, str(v.sqref))
                                  for v in ws.data_validations.dataValidation),
            "columns": {k: (d.number_format, d.width) for k, d in sorted(ws.column_dimensions.items())},
            "rows": ws.max_row,
        }
    return {"sheets": sheets, "created": wb.properties.created, "modified": wb.properties.modified}


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("template") / "nieuw"
    result = run(str(folder))
    assert result.exit_code == 0, result.output
    return folder


def test_writes_three_files(written):
    assert sorted(p.name for p in written.iterdir()) == sorted(NAMES)


@pytest.mark.parametrize("name", ["debiteuren.xlsx", "facturen.xlsx"])
def test_workbooks_equal_committed_copies(written, name):
    assert describe(written / name) == describe(COMMITTED / name)


def test_settings_equal_committed_copy(written):
    assert (written / "incasso.toml").read_bytes() == (COMMITTED / "incasso.toml").read_bytes()


def test_same_bytes_every_time(written, tmp_path):
    template.write_templates(tmp_path, force=False)
    for name in NAMES:
        assert (tmp_path / name).read_bytes() == (written / name).read_bytes(), name


def test_debtors_layout(written):
    sheet = describe(written / "debiteuren.xlsx")["sheets"]["Debiteuren"]
    assert sheet["headers"] == [c.aliases[0] for c in DEBTOR_COLUMNS]
    assert all(sheet["bold"])
    assert sheet["freeze"] == "A2"
    assert sheet["rows"] == 1
    assert sheet["validations"] == [
        ("list", '"CORE,B2B"', "I2:I10000"),
        ("list", '"FRST,RCUR,OOFF,FNAL"', "J2:J10000"),
        ("list", '"ja,nee"', "E2:E10000"),
    ]
    formats = {h: sheet["columns"][chr(65 + i)][0] for i, h in enumerate(sheet["headers"])}
    assert formats["Debiteurnummer"] == formats["IBAN"] == formats["Machtigingskenmerk"] == "@"
    assert formats["Datum machtiging"] == formats["Einddatum machtiging"] == "dd-mm-yyyy"
    assert formats["Naam"] == "General"


def test_invoices_layout(written):
    sheet = describe(written / "facturen.xlsx")["sheets"]["Facturen"]
    assert sheet["headers"] == [c.aliases[0] for c in INVOICE_COLUMNS]
    assert sheet["validations"] == [("list", '"EUR"', "F2:F10000")]
    formats = {h: sheet["columns"][chr(65 + i)][0] for i, h in enumerate(sheet["headers"])}
    assert formats["Factuurnummer"] == formats["Debiteurnummer"] == "@"
    assert formats["Factuurdatum"] == formats["Vervaldatum"] == "dd-mm-yyyy"
    assert formats["Openstaand bedrag"] == "#,##0.00"


def test_blank_workbooks_pass_check(written, monkeypatch):
    monkeypatch.chdir(written)
    monkeypatch.setenv("INCASSO_NOW", "2026-11-27")
    result = CliRunner().invoke(main, ["--lang", "en", "check", "debiteuren.xlsx", "facturen.xlsx"])
    assert result.exit_code == 0, result.output
    assert "No problems found in 0 rows." in result.output


def test_settings_template_is_valid():
    data = tomllib.loads(template.settings_template().decode("utf-8"))
    parsed, issues = settings.parse_settings(data)
    assert issues == []
    assert parsed.creditor.creditor_id == "NL69ZZZ123456780000"
    assert (parsed.accounts.receivables, parsed.accounts.suspense, parsed.accounts.bank,
            parsed.accounts.bank_charges) == ("1300", "1290", "1100", "4610")


@pytest.mark.parametrize("key", [f"{section}.{key}" for section, keys in settings._SPEC.items()
                                 for key in keys] + list(settings._TOP))
def test_settings_template_mentions_every_key_after_a_comment(key):
    lines = template.settings_template().decode("utf-8").splitlines()
    section, _, name = key.rpartition(".")
    current = ""
    for n, line in enumerate(lines):
        if re.fullmatch(r"\[(\w+)\]", line):
            current = line.strip("[]")
        elif current == section and re.match(rf"#? ?{name} = ", line):
            assert lines[n - 1].startswith("#"), f"{key} has no comment above it"
            return
    pytest.fail(f"{key} is not in the settings template")


def test_refuses_to_overwrite(tmp_path):
    (tmp_path / "facturen.xlsx").write_bytes(b"mine")
    result = run(str(tmp_path))
    assert result.exit_code == 3
    assert result.output == (f"incasso: Nothing written; already there: {tmp_path / 'facturen.xlsx'}"
                             " (use --force to overwrite)\n")
    assert [p.name for p in tmp_path.iterdir()] == ["facturen.xlsx"]
    assert (tmp_path / "facturen.xlsx").read_bytes() == b"mine"


def test_refusal_in_dutch(tmp_path):
    (tmp_path / "incasso.toml").write_text("# mijn instellingen\n")
    result = CliRunner().invoke(main, ["--lang", "nl", "template", str(tmp_path)])
    assert result.exit_code == 3
    assert "bestaat al" in result.output and "--force" in result.output


def test_force_overwrites(tmp_path, written):
    (tmp_path / "facturen.xlsx").write_bytes(b"mine")
    (tmp_path / "incasso.toml").write_text("# mijn instellingen\n")
    result = run(str(tmp_path), "--force")
    assert result.exit_code == 0, result.output
    assert result.output == "".join(f"Written: {tmp_path / name}\n" for name in NAMES)
    for name in NAMES:
        assert (tmp_path / name).read_bytes() == (written / name).read_bytes(), name
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_default_folder_is_current(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run().exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(NAMES)
