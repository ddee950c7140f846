"""The sample company in samples/: the clean pair passes `incasso check`, the pair in
samples/fouten/ shows the mistakes it was made with, and the sample settings are valid."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from incasso_sheets.cli import main
from incasso_sheets.core.settings import load_settings

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def check(*args: str):
    return CliRunner().invoke(main, ["--lang", "en", "check", *args, "--format", "json"])


def issues_of(result) -> list[dict]:
    return json.loads(result.stdout)


@pytest.fixture
def in_samples(monkeypatch):
    """Run from samples/, so `check` checks samples/incasso.toml as well."""
    monkeypatch.chdir(SAMPLES)
    monkeypatch.setenv("INCASSO_NOW", "2026-11-27")


def test_sample_settings_are_valid():
    settings, issues = load_settings(SAMPLES / "incasso.toml")
    assert issues == []
    assert settings.creditor.name == "Sportvereniging De Voorbeeldige"
    assert settings.creditor.iban == "NL91ABNA0417164300"
    assert settings.creditor.creditor_id == "NL69ZZZ123456780000"
    assert settings.collection.bank == "abnamro"


def test_clean_samples_pass(in_samples):
    result = check("debiteuren.xlsx", "facturen.xlsx")
    assert result.exit_code == 0, result.output
    codes = {(i["row"], i["code"]) for i in issues_of(result)}
    assert {code for _, code in codes} == {"name-transliterated"}


def test_clean_samples_pass_today(monkeypatch):
    monkeypatch.chdir(SAMPLES)
    monkeypatch.delenv("INCASSO_NOW", raising=False)
    result = check("debiteuren.xlsx", "facturen.xlsx")
    assert result.exit_code == 0, result.output


def test_mistakes_are_found(in_samples):
    result = check("fouten/debiteuren.xlsx", "fouten/facturen.xlsx")
    assert result.exit_code == 1
    found = {(i["file"], i["row"], i["column"], i["code"]) for i in issues_of(result)
             if i["code"] != "name-transliterated"}
    assert found == {
        ("debiteuren.xlsx", 4, "IBAN", "iban-invalid"),
        ("debiteuren.xlsx", 13, "Datum machtiging", "mandate-date-in-future"),
        ("debiteuren.xlsx", 17, "Machtigingskenmerk", "mandate-id-duplicate"),
        ("debiteuren.xlsx", 21, "Machtigingskenmerk", "mandate-id-missing"),
        ("facturen.xlsx", 11, "Openstaand bedrag", "amount-ambiguous"),
        ("facturen.xlsx", 52, "Factuurnummer", "invoice-number-duplicate"),
        ("facturen.xlsx", 58, "Debiteurnummer", "debtor-unknown"),
        ("facturen.xlsx", 72, "Factuurdatum", "date-invalid"),
        ("facturen.xlsx", 92, "Valuta", "currency-not-eur"),
        ("facturen.xlsx", 94, "Openstaand bedrag", "amount-too-many-decimals"),
    }


def cell_values(path: Path) -> list[tuple]:
    wb = openpyxl.load_workbook(path)
    return [(ws.title, row) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)]


def test_committed_samples_are_what_the_script_makes(tmp_path, monkeypatch, capsys):
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    script = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_samples", script)  # dataclasses look it up there
    spec.loader.exec_module(script)
    script.write_samples(tmp_path)
    assert (tmp_path / "incasso.toml").read_bytes() == (SAMPLES / "incasso.toml").read_bytes()
    for name in ("debiteuren.xlsx", "facturen.xlsx", "fouten/debiteuren.xlsx", "fouten/facturen.xlsx"):
        assert cell_values(tmp_path / name) == cell_values(SAMPLES / name), \
            f"{name}: run samples/make_samples.py and commit the result"
