"""The message catalogue: every text in English and Dutch, every code the code uses present,
and the language chosen by --lang, incasso.toml and LANG, in that order."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner

from incasso_sheets.clearing import run as clear_run
from incasso_sheets.cli import main
from incasso_sheets.collect import run as collect_run
from incasso_sheets.core.issues import issue
from incasso_sheets.sheets import report
from incasso_sheets.text import messages, render
from incasso_sheets.update import run as update_run

PACKAGE = Path(__file__).resolve().parent.parent / "incasso_sheets"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
ENV = {"INCASSO_NOW": "2026-11-27T10:00:00", "LANG": "en_GB.UTF-8", "LC_ALL": None,
       "LC_MESSAGES": None}

# A code as the first argument of these calls, or as a constant, is shown to the user.
CALLS = re.compile(r"""(?:\bissue|\bCannotContinue|\bmessages\.text|\bmessages_text|\bproblem|\bAmountError|
                       \bRule\(\s*[^,()]+,)\(?\s*"([a-z0-9]+(?:-[a-z0-9]+)+)"[,)]""", re.VERBOSE)
CONSTANTS = re.compile(r'^[A-Z_]+ = "([a-z0-9]+(?:-[a-z0-9]+)+)"$', re.MULTILINE)
STEPS = re.compile(r'\.step\(\s*"([a-z-]+)"')
WORDS = re.compile(r'"(word-[a-z0-9-]+)"')
NOT_CODES = {"dd-mm-yyyy"}


def source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py")))


def test_every_message_exists_in_both_languages_and_differs():
    for code, pair in messages.CATALOGUE.items():
        assert len(pair) == 2, code
        english, dutch = pair
        assert english.strip() and dutch.strip(), f"{code}: a language is empty"
        if code in messages.IDENTICAL:
            assert english == dutch, f"{code} is listed as identical but is not"
        else:
            assert english != dutch, f"{code}: the Dutch text is the English one"


def test_both_languages_use_the_same_parameters():
    for code, (english, dutch) in messages.CATALOGUE.items():
        fields = [set(re.findall(r"\{([a-z_.]+)(?:![rs])?\}", t)) for t in (english, dutch)]
        assert fields[0] == fields[1], code


def test_every_code_the_code_uses_is_in_the_catalogue():
    text = source()
    used = set(CALLS.findall(text)) | (set(CONSTANTS.findall(text)) - NOT_CODES)
    used |= {f"step-{name}" for name in STEPS.findall(text)}
    used |= set(WORDS.findall(text))
    assert len(used) > 150  # the patterns still find the codes
    missing = sorted(code for code in used if code not in messages.CATALOGUE)
    assert missing == []


def test_every_code_put_together_in_the_code_is_in_the_catalogue():
    built = [f"severity-{s}" for s in ("error", "warning")]
    built += [f"clear-{kind}" for kind in ("payout", "reject", "return", "charges", "reject-debited")]
    built += [f"returns-kind-{kind}" for kind in ("reject", "return")]
    built += [f"init-prompt-{f}" for f in ("name", "iban", "creditor-id", "bic", "bank")]
    built += [f"issues-col-{name}" for name in report.ISSUE_COLUMNS]
    built += [*collect_run.SUMMARY_HEADERS, *collect_run.SKIPPED_HEADERS, *clear_run.RETURNS_HEADERS,
              *update_run.LOG_COLUMNS, *render.COLLECT_COLUMNS, *render.STATUS_COLUMNS]
    assert [code for code in built if code not in messages.CATALOGUE] == []


def _commands(group: click.Group, key: str = ""):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        sub = f"{key}-{name}" if key else name
        yield sub, command
        if isinstance(command, click.Group):
            yield from _commands(command, sub)


def test_every_command_and_option_has_help_in_both_languages():
    missing = []
    for key, command in [("main", main), *_commands(main)]:
        if f"help-{key}" not in messages.CATALOGUE:
            missing.append(f"help-{key}")
        for param in command.params:
            if isinstance(param, click.Argument):
                continue
            name = param.name.replace("_", "-")
            if f"opt-{key}-{name}" not in messages.CATALOGUE and f"opt-{name}" not in messages.CATALOGUE:
                missing.append(f"opt-{key}-{name}")
    assert missing == []


def test_every_help_ends_with_an_example():
    for code, pair in messages.CATALOGUE.items():
        if code.startswith("help-"):
            for text in pair:
                last = inspect.cleandoc(text).split("\n\n")[-1]
                assert last.startswith("\b\n") and "incasso " in last, code


# --- a sample of messages in both languages ----------------------------------------------------

@pytest.mark.parametrize(("code", "params", "english", "dutch"), [
    ("iban-invalid", {"reason": "x"}, "IBAN is not valid: x", "IBAN is ongeldig: x"),
    ("summary-counts", {"errors": 1, "warnings": 2, "rows": 3},
     "1 errors, 2 warnings in 3 rows.", "1 fouten, 2 waarschuwingen in 3 regels."),
    ("file-written", {"path": "a.xml"}, "Written: a.xml", "Geschreven: a.xml"),
    ("status-overdue", {}, "NOT CLEARED", "NIET AFGELETTERD"),
    ("settings-wrong-type", {"expected": "word-int"}, "Setting must be a whole number",
     "Instelling moet een geheel getal zijn"),
    ("settings-wrong-type", {"expected": "word-table", "section": "creditor"},
     "Setting must be a [creditor] table", "Instelling moet een tabel [creditor] zijn"),
])
def test_a_sample_of_messages(code, params, english, dutch):
    assert messages.text(code, "en", **params) == english
    assert messages.text(code, "nl", **params) == dutch


def test_an_issue_speaks_both_languages():
    problem = issue("mandate-date-in-future", file="d.csv", row=3, column="Datum machtiging",
                    value="2030-01-01", today="2026-11-27")
    assert problem.message("en") == "Mandate date lies in the future (today is 2026-11-27)"
    assert problem.message("nl") == "Datum machtiging ligt in de toekomst (vandaag is 2026-11-27)"
    assert problem.as_dict("nl").keys() == problem.as_dict("en").keys()


# --- a generated workbook in both languages -----------------------------------------------------

@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    for name in ("debiteuren.xlsx", "facturen.xlsx", "incasso.toml"):
        (tmp_path / name).write_bytes((SAMPLES / name).read_bytes())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def incasso(*args: str, **env: str | None):
    return CliRunner(env={**ENV, **env}).invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize(("lang", "sheets", "headers"), [
    ("en", ["Summary", "Skipped"],
     ("Batch (PmtInfId)", "Scheme", "Sequence type", "Collection date", "Count", "Total")),
    ("nl", ["Samenvatting", "Overgeslagen"],
     ("Batch (PmtInfId)", "Type incasso", "Volgordetype", "Incassodatum", "Aantal", "Totaal")),
])
def test_summary_workbook_headers_in_the_chosen_language(folder, lang, sheets, headers):
    result = incasso("--lang", lang, "collect", "debiteuren.xlsx", "facturen.xlsx", "-o", "out")
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(folder / "out" / "INCS-20261127-0001.summary.xlsx")
    assert wb.sheetnames == sheets
    rows = list(wb[sheets[0]].values)
    assert rows[0] == headers
    assert rows[-1][0] == ("Total" if lang == "en" else "Totaal") + " INCS-20261127-0001"
    # the CSV files are file formats: the same Dutch headers in both languages
    journal = (folder / "out" / "INCS-20261127-0001.prenotification.csv").read_text("utf-8-sig")
    assert journal.startswith("Debiteurnummer;Naam;E-mail;Incassodatum;Bedrag")


# --- which language: --lang > incasso.toml > LANG ------------------------------------------------

def _settings_with_language(folder: Path, language: str) -> None:
    path = folder / "incasso.toml"
    path.write_text(path.read_text("utf-8").replace('language = ""', f'language = "{language}"'),
                    encoding="utf-8")


@pytest.mark.parametrize(("args", "toml", "env_lang", "expected"), [
    ((), "", "en_GB.UTF-8", "en"),
    ((), "", "nl_NL.UTF-8", "nl"),
    ((), "nl", "en_GB.UTF-8", "nl"),
    ((), "en", "nl_NL.UTF-8", "en"),
    (("--lang", "en"), "nl", "nl_NL.UTF-8", "en"),
    (("--lang=nl",), "en", "en_GB.UTF-8", "nl"),
])
def test_language_precedence(folder, args, toml, env_lang, expected):
    _settings_with_language(folder, toml)
    result = incasso(*args, "check", "debiteuren.xlsx", "facturen.xlsx", LANG=env_lang)
    assert result.exit_code == 0
    summary = {"en": "0 errors, 5 warnings in 160 rows.",
               "nl": "0 fouten, 5 waarschuwingen in 160 regels."}[expected]
    assert result.stdout.splitlines()[-1] == summary


def test_lang_after_the_command_and_in_lc_all(folder):
    assert "fouten" in incasso("check", "debiteuren.xlsx", "facturen.xlsx", "--lang", "nl").stdout
    assert "fouten" in incasso("check", "debiteuren.xlsx", "facturen.xlsx", LC_ALL="nl_BE.UTF-8").stdout


def test_language_setting_must_be_nl_or_en(folder):
    _settings_with_language(folder, "de")
    result = incasso("check", "debiteuren.xlsx", "facturen.xlsx")
    assert "incasso.toml:::language  settings-value-invalid  'de'  Setting must be one of: nl, en" \
        in result.stdout


# --- --help in Dutch ------------------------------------------------------------------------------

def test_help_in_dutch_with_lang_and_with_the_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for result in (incasso("--lang", "nl", "collect", "--help"),
                   incasso("collect", "--help", LANG="nl_NL.UTF-8"),
                   incasso("collect", "--help", "--lang", "nl")):
        assert result.exit_code == 0
        out = result.stdout
        assert out.startswith("Gebruik: ")
        assert "Maak het pain.008-incassobestand en het journaal van de tussenrekening." in out
        assert "\nOpties:\n" in out
        assert "Toon deze hulp en stop." in out
        assert "Incasseer de goede facturen en noem de rest" in out  # --skip-invalid
        assert "Show this message" not in out


def test_help_in_english(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = incasso("collect", "--help").stdout
    assert out.startswith("Usage: ")
    assert "Write the pain.008 collection file and the suspense-account journal." in out
    assert "Collect the valid invoices and list the rest" in out


def test_command_list_and_click_errors_in_dutch(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = incasso("--lang", "nl", "--help").stdout
    assert "\nOpdrachten:\n" in out
    assert "Maak het pain.008-incassobestand" in out
    result = incasso("--lang", "nl", "collect", "a.xlsx", "b.xlsx")
    assert result.exit_code == 2
    assert "Fout: Optie ontbreekt '-o' / '--outdir'." in result.stderr
    result = incasso("--lang", "nl", "collect", "a.xlsx", "b.xlsx", "-o", "out", "--date", "morgen")
    assert "gebruik JJJJ-MM-DD" in result.stderr
    # and back to English in the same process
    assert "Error: Missing option" in incasso("collect", "a.xlsx", "b.xlsx").stderr


def test_version():
    result = incasso("--version")
    assert result.exit_code == 0
    assert re.fullmatch(r"incasso, version \d+\.\d+\.\d+\n", result.stdout)


def test_json_keys_and_codes_are_the_same_in_both_languages(folder):
    fouten = SAMPLES / "fouten"
    outputs = [incasso("--lang", lang, "check", str(fouten / "debiteuren.xlsx"),
                       str(fouten / "facturen.xlsx"), "--format", "json") for lang in ("en", "nl")]
    en, nl = (json.loads(r.stdout) for r in outputs)
    assert [(i["code"], i["row"], i["column"], i["severity"]) for i in en] == \
           [(i["code"], i["row"], i["column"], i["severity"]) for i in nl]
    assert en[0]["message"] != nl[0]["message"]
