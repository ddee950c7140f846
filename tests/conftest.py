"""Shared fixtures: write inline CSV text to files and run `api.check` on them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from textwrap import dedent

import pytest

from incasso_sheets import api

TODAY = dt.date(2026, 11, 27)

# One clean debtor (10001), and an invoices sheet for it; each is the partner sheet in
# tests about the other one (test_check_*.py assert that both are clean).
CLEAN_DEBTORS = """
    Debiteurnummer;Naam;IBAN;Automatische incasso;Machtigingskenmerk;Datum machtiging
    10001;Jansen;NL91ABNA0417164300;ja;MDT-10001;01-03-2024
"""
NO_INVOICES = """
    Factuurnummer;Debiteurnummer;Factuurdatum;Vervaldatum;Bedrag
"""


@pytest.fixture
def write_csv(tmp_path: Path):
    """write_csv(name, text) -> path of a file holding the dedented text."""
    def write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(dedent(text).lstrip("\n").encode(encoding))
        return path
    return write


@pytest.fixture
def run_check(write_csv):
    """run_check(debtors_csv, invoices_csv, today) -> api.CheckResult of deb.csv, inv.csv."""
    def run(debtors: str = CLEAN_DEBTORS, invoices: str = NO_INVOICES,
            today: dt.date = TODAY) -> api.CheckResult:
        return api.check(write_csv("deb.csv", debtors), write_csv("inv.csv", invoices), today)
    return run


def _cells(result: api.CheckResult) -> set[tuple[int | None, str | None, str]]:
    return {(i.row, i.column, i.code) for i in result.report.issues}


@pytest.fixture
def debtor_cells(run_check):
    """{(row, column, code)} of every issue when `debtors` is checked (no invoices)."""
    def run(debtors: str, today: dt.date = TODAY):
        return _cells(run_check(debtors, NO_INVOICES, today))
    return run


@pytest.fixture
def invoice_cells(run_check):
    """{(row, column, code)} of every issue when `invoices` is checked against debtor 10001."""
    def run(invoices: str):
        return _cells(run_check(CLEAN_DEBTORS, invoices))
    return run


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden files under tests/golden/ from the current output")
