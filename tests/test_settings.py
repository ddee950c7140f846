"""settings: incasso.toml -> Settings, each problem one Issue naming its key."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.core.settings import (
    Accounts,
    Collection,
    Journal,
    find_settings,
    load_settings,
    parse_settings,
)

VALID = {
    "creditor": {"name": "Voorbeeld Sportvereniging", "iban": "NL91ABNA0417164300",
                 "bic": "ABNANL2A", "creditor_id": "NL69ZZZ123456780000"},
    "accounts": {"receivables": "1300", "suspense": "1290", "bank": "1100",
                 "bank_charges": "4610"},
    "collection": {"scheme": "CORE", "format": "pain.008.001.08", "batch_booking": True,
                   "first_as_frst": True, "max_transactions_per_file": 0,
                   "remittance": "Factuur {invoice_number} {description}"},
    "journal": {"format": "nl", "journal_code": "MEM"},
}

TOML = """
[creditor]
name = "Voorbeeld Sportvereniging"
iban = "NL91ABNA0417164300"
creditor_id = "NL69ZZZ123456780000"

[accounts]
receivables = "1300"
suspense = "1290"
bank = "1100"
bank_charges = "4610"
"""


def with_change(section: str, key: str, value=None, *, delete: bool = False) -> dict:
    data = copy.deepcopy(VALID)
    if delete:
        del data[section][key]
    else:
        data[section][key] = value
    return data


def problems(data: dict) -> list[tuple[str, str | None]]:
    settings, issues = parse_settings(data)
    assert settings is None
    return [(i.column, i.code) for i in issues]


def test_valid_settings():
    settings, issues = parse_settings(VALID)
    assert issues == []
    assert settings.creditor.name == "Voorbeeld Sportvereniging"
    assert settings.creditor.iban == "NL91ABNA0417164300"
    assert settings.creditor.bic == "ABNANL2A"
    assert settings.creditor.creditor_id == "NL69ZZZ123456780000"
    assert settings.accounts == Accounts("1300", "1290", "1100", "4610")
    assert settings.collection == Collection()
    assert settings.journal == Journal()
    assert settings.path is None


def test_values_are_normalised():
    data = copy.deepcopy(VALID)
    data["creditor"].update(iban="nl91 abna 0417 1643 00", bic="abna nl2a",
                            creditor_id="nl69 zzz 1234 5678 0000", name="Café & Co")
    settings, issues = parse_settings(data)
    assert issues == []
    assert (settings.creditor.iban, settings.creditor.bic, settings.creditor.creditor_id) == (
        "NL91ABNA0417164300", "ABNANL2A", "NL69ZZZ123456780000")
    assert settings.creditor.name == "Cafe + Co"


def test_optional_sections_take_their_defaults():
    data = {"creditor": dict(VALID["creditor"]), "accounts": dict(VALID["accounts"])}
    settings, issues = parse_settings(data)
    assert issues == []
    assert settings.collection.format == "pain.008.001.08"
    assert settings.collection.cutoff_time == dt.time(12, 0)
    assert settings.journal.format == "nl"


def test_collection_details():
    data = copy.deepcopy(VALID)
    data["collection"].update(bank="rabobank", extra_closing_days=[dt.date(2026, 12, 31)],
                              lead_days=2)
    settings, issues = parse_settings(data)
    assert issues == []
    assert settings.collection.cutoff_time == dt.time(7, 0)
    assert settings.collection.extra_closing_days == (dt.date(2026, 12, 31),)
    assert settings.collection.lead_days == 2


def test_missing_creditor_iban_is_one_issue():
    assert problems(with_change("creditor", "iban", delete=True)) == [
        ("creditor.iban", "settings-key-missing")]


def test_a_missing_section_is_one_issue_per_required_key():
    data = copy.deepcopy(VALID)
    del data["accounts"]
    assert problems(data) == [(f"accounts.{k}", "settings-key-missing")
                              for k in ("receivables", "suspense", "bank", "bank_charges")]


def test_unknown_key_gets_a_suggestion():
    settings, issues = parse_settings(with_change("collection", "schme", "B2B"))
    assert settings is None
    (issue,) = issues
    assert (issue.column, issue.code, issue.value) == (
        "collection.schme", "settings-key-unknown", "B2B")
    assert issue.message() == "Unknown setting; did you mean 'collection.scheme'?"
    assert issue.file == "incasso.toml"


@pytest.mark.parametrize(("section", "key", "value", "expected"), [
    ("collection", "batch_booking", "yes", "true or false"),
    ("collection", "max_transactions_per_file", True, "a whole number"),
    ("collection", "max_transactions_per_file", "10", "a whole number"),
    ("collection", "max_transactions_per_file", -1, "zero or more"),
    ("collection", "cutoff", "25:00", 'a time like "12:30"'),
    ("collection", "extra_closing_days", ["2026-12-31"], "a list like [2026-12-31]"),
    ("accounts", "receivables", 1300, "text in quotes"),
])
def test_wrong_type(section, key, value, expected):
    settings, issues = parse_settings(with_change(section, key, value))
    assert settings is None
    (issue,) = issues
    assert (issue.column, issue.code) == (f"{section}.{key}", "settings-wrong-type")
    assert issue.message() == f"Setting must be {expected}"


def test_wrong_type_of_a_required_key_is_not_also_missing():
    assert problems(with_change("creditor", "iban", 123)) == [
        ("creditor.iban", "settings-wrong-type")]


@pytest.mark.parametrize(("section", "key", "value", "allowed"), [
    ("collection", "format", "pain.008.001.09", "pain.008.001.08, pain.008.001.02"),
    ("collection", "scheme", "COR1", "CORE, B2B"),
    ("journal", "format", "xml", "nl, iso"),
])
def test_invalid_values(section, key, value, allowed):
    settings, issues = parse_settings(with_change(section, key, value))
    assert settings is None
    (issue,) = issues
    assert (issue.column, issue.code, issue.value) == (
        f"{section}.{key}", "settings-value-invalid", value)
    assert issue.message() == f"Setting must be one of: {allowed}"


@pytest.mark.parametrize(("key", "value", "code"), [
    ("creditor_id", "NL98ZZZ999999999999", "creditor-id-invalid"),
    ("iban", "NL91ABNA0417164301", "creditor-iban-invalid"),
    ("bic", "ABNANL", "creditor-bic-invalid"),
    ("name", "***", "creditor-name-invalid"),
    ("name", "N" * 71, "creditor-name-invalid"),
])
def test_invalid_creditor(key, value, code):
    assert problems(with_change("creditor", key, value)) == [(f"creditor.{key}", code)]


def test_every_problem_is_reported_at_once():
    data = copy.deepcopy(VALID)
    del data["creditor"]["iban"]
    data["creditor"]["creditor_id"] = "NL98ZZZ999999999999"
    data["collection"].update(schme="B2B", batch_booking="yes", format="pain.008")
    assert sorted(problems(data)) == [
        ("collection.batch_booking", "settings-wrong-type"),
        ("collection.format", "settings-value-invalid"),
        ("collection.schme", "settings-key-unknown"),
        ("creditor.creditor_id", "creditor-id-invalid"),
        ("creditor.iban", "settings-key-missing"),
    ]


def test_language_must_be_text():
    assert problems({**VALID, "language": 1}) == [("language", "settings-wrong-type")]
    settings, _ = parse_settings({**VALID, "language": "nl"})
    assert settings.language == "nl"


def test_a_section_that_is_not_a_table_is_the_wrong_type():
    data = {**VALID, "creditor": "Voorbeeld"}
    assert ("creditor", "settings-wrong-type") in problems(data)


# --- the file -------------------------------------------------------------------------------

def test_load_settings_reads_toml_and_remembers_the_path(tmp_path):
    path = tmp_path / "incasso.toml"
    path.write_text(TOML, encoding="utf-8")
    settings, issues = load_settings(path)
    assert issues == []
    assert settings.path == path
    assert settings.accounts.bank == "1100"


def test_load_settings_names_the_file_in_issues(tmp_path):
    path = tmp_path / "mijn.toml"
    path.write_text(TOML.replace("NL69", "NL98"), encoding="utf-8")
    settings, issues = load_settings(path)
    assert settings is None
    assert [(i.file, i.column, i.code) for i in issues] == [
        ("mijn.toml", "creditor.creditor_id", "creditor-id-invalid")]


def test_broken_toml_cannot_continue(tmp_path):
    path = tmp_path / "incasso.toml"
    path.write_text("[creditor\nname = ", encoding="utf-8")
    with pytest.raises(CannotContinue) as exc:
        load_settings(path)
    assert exc.value.code == "settings-unreadable"


def test_find_settings(tmp_path):
    with pytest.raises(CannotContinue) as exc:
        find_settings(None, tmp_path)
    assert exc.value.code == "settings-not-found"
    with pytest.raises(CannotContinue) as exc:
        find_settings(tmp_path / "ander.toml")
    assert exc.value.code == "file-not-found"
    (tmp_path / "incasso.toml").write_text(TOML, encoding="utf-8")
    assert find_settings(None, tmp_path) == tmp_path / "incasso.toml"
    assert find_settings(tmp_path / "incasso.toml") == tmp_path / "incasso.toml"
