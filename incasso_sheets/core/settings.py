"""incasso.toml -> typed Settings; every problem an Issue naming its key.

`parse_settings` is pure (a dict in, Settings and Issues out); `load_settings` is the edge
that finds and reads the file. A missing, unknown or wrongly typed key is one issue each.
"""

from __future__ import annotations

import datetime as dt
import difflib
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.core.issues import Issue, issue
from incasso_sheets.runtime.input_files import regular_file_problem, require_regular_file
from incasso_sheets.sepa import identifiers, text
from incasso_sheets.sheets.read import Limits

FILENAME = "incasso.toml"
FORMATS = ("pain.008.001.08", "pain.008.001.02")
JOURNAL_FORMATS = ("nl", "iso")
SCHEMES = ("CORE", "B2B")
# docs/sepa.md §8.2: cut-off per bank (time, lead TARGET days)
BANK_CUTOFFS = {"abnamro": "12:30", "rabobank": "07:00", "ing": "12:00", "other": "12:00"}


@dataclass(frozen=True)
class Creditor:
    name: str
    iban: str
    bic: str | None
    creditor_id: str
    extra_ibans: tuple[str, ...] = ()   # more accounts the collections are paid into

    @property
    def ibans(self) -> tuple[str, ...]:
        """Every collection account: bank files for another account are not booked."""
        return (self.iban, *self.extra_ibans)


@dataclass(frozen=True)
class Accounts:
    receivables: str
    suspense: str
    bank: str
    bank_charges: str


@dataclass(frozen=True)
class Collection:
    scheme: str = "CORE"
    format: str = "pain.008.001.08"
    batch_booking: bool = True
    first_as_frst: bool = True
    max_transactions_per_file: int = 0
    remittance: str = "Factuur {invoice_number} {description}"
    bank: str = "other"
    cutoff: str = ""
    lead_days: int = 1
    horizon_days: int = 30
    extra_closing_days: tuple[dt.date, ...] = ()

    @property
    def cutoff_time(self) -> dt.time:
        return dt.time.fromisoformat(self.cutoff or BANK_CUTOFFS.get(self.bank, "12:00"))


@dataclass(frozen=True)
class Journal:
    format: str = "nl"
    journal_code: str = "MEM"


@dataclass(frozen=True)
class Settings:
    creditor: Creditor
    accounts: Accounts
    collection: Collection = field(default_factory=Collection)
    journal: Journal = field(default_factory=Journal)
    language: str = ""
    path: Path | None = None
    limits: Limits = field(default_factory=Limits)


_SPEC: dict[str, dict[str, tuple[type | tuple[type, ...], bool]]] = {
    "creditor": {"name": (str, True), "iban": (str, True), "bic": (str, False),
                 "creditor_id": (str, True), "extra_ibans": (list, False)},
    "accounts": {"receivables": (str, True), "suspense": (str, True), "bank": (str, True),
                 "bank_charges": (str, True)},
    "collection": {"scheme": (str, False), "format": (str, False), "batch_booking": (bool, False),
                   "first_as_frst": (bool, False), "max_transactions_per_file": (int, False),
                   "remittance": (str, False), "bank": (str, False), "cutoff": (str, False),
                   "lead_days": (int, False), "horizon_days": (int, False),
                   "extra_closing_days": (list, False)},
    "journal": {"format": (str, False), "journal_code": (str, False)},
    "limits": {"max_unpacked_mb": (int, False), "max_rows": (int, False), "max_cells": (int, False),
               "max_text_mb": (int, False)},
}
_TOP = {"language": str}
DAYS_MAX = {"lead_days": (30, "word-lead-days"), "horizon_days": (3660, "word-horizon-days")}
LANGUAGES = ("nl", "en")
# A settings file is a few kilobytes, and no setting needs more than a line: a bigger file
# or text is a mistake (a sheet saved as incasso.toml) and would cost memory in every run
# (a 10 MB remittance template is put together for every invoice).
SETTINGS_FILE_MAX = 1 << 20
TEXT_MAX = 1000
# Catalogue words (messages: `word-` codes), so that the message reads right in either language.
_TYPE_WORDS = {str: "word-text", bool: "word-bool", int: "word-int", list: "word-list"}
_KEY_WORDS = {"creditor.extra_ibans": "word-iban-list"}  # where the type's word would mislead


def parse_settings(data: dict[str, Any], file: str = FILENAME) -> tuple[Settings | None, list[Issue]]:
    issues: list[Issue] = []

    def problem(code: str, key: str, value: Any = None, **params) -> None:
        issues.append(issue(code, file=file, column=key,
                            value=None if value is None else str(value), **params))

    data = _without_long_texts(data, problem)
    known = [f"{s}.{k}" for s, keys in _SPEC.items() for k in keys] + list(_TOP)
    values: dict[str, dict[str, Any]] = {s: {} for s in _SPEC}
    for section, content in data.items():
        if section in _TOP:
            if not isinstance(content, _TOP[section]):
                problem("settings-wrong-type", section, content, expected=_TYPE_WORDS[_TOP[section]])
            elif section == "language" and content not in ("", *LANGUAGES):
                problem("settings-value-invalid", section, content, allowed=", ".join(LANGUAGES))
            continue
        if section not in _SPEC:
            _unknown(problem, section, None, list(_SPEC))
            continue
        if not isinstance(content, dict):
            problem("settings-wrong-type", section, content, expected="word-table", section=section)
            continue
        for key, value in content.items():
            spec = _SPEC[section].get(key)
            name = f"{section}.{key}"
            if spec is None:
                _unknown(problem, name, value, known)
            elif not isinstance(value, spec[0]) or (spec[0] is int and isinstance(value, bool)):
                problem("settings-wrong-type", name, value,
                        expected=_KEY_WORDS.get(name, _TYPE_WORDS[spec[0]]))
            else:
                values[section][key] = value
    for section, keys in _SPEC.items():
        for key, (_, required) in keys.items():
            if required and key not in values[section] and not any(
                    i.column == f"{section}.{key}" for i in issues):
                problem("settings-key-missing", f"{section}.{key}")

    cred = values["creditor"]
    if "iban" in cred:
        cred["iban"] = identifiers.normalise_iban(cred["iban"])
        reason = identifiers.iban_problem(cred["iban"])
        if reason:
            problem("creditor-iban-invalid", "creditor.iban", cred["iban"], reason=reason)
    if "extra_ibans" in cred:
        extra = []
        for value in cred["extra_ibans"]:
            if not isinstance(value, str):
                problem("settings-wrong-type", "creditor.extra_ibans", value, expected="word-iban-list")
                continue
            iban = identifiers.normalise_iban(value)
            reason = identifiers.iban_problem(iban)
            if reason:
                problem("creditor-iban-invalid", "creditor.extra_ibans", iban, reason=reason)
            extra.append(iban)
        cred["extra_ibans"] = tuple(dict.fromkeys(extra))
    if cred.get("bic"):
        cred["bic"] = cred["bic"].replace(" ", "").upper()
        reason = identifiers.bic_problem(cred["bic"])
        if reason:
            problem("creditor-bic-invalid", "creditor.bic", cred["bic"], reason=reason)
    if "creditor_id" in cred:
        cred["creditor_id"] = identifiers.normalise_creditor_id(cred["creditor_id"])
        reason = identifiers.creditor_id_problem(cred["creditor_id"])
        if reason:
            problem("creditor-id-invalid", "creditor.creditor_id", cred["creditor_id"], reason=reason)
    if "name" in cred and not (0 < len(text.sanitise(cred["name"])) <= text.NAME_MAX):
        problem("creditor-name-invalid", "creditor.name", cred["name"])

    coll = values["collection"]
    for key, allowed in (("scheme", SCHEMES), ("format", FORMATS), ("bank", tuple(BANK_CUTOFFS))):
        if key in coll and coll[key] not in allowed:
            problem("settings-value-invalid", f"collection.{key}", coll[key], allowed=", ".join(allowed))
    if "cutoff" in coll:
        try:
            dt.time.fromisoformat(coll["cutoff"])
        except ValueError:
            problem("settings-wrong-type", "collection.cutoff", coll["cutoff"], expected="word-time")
    if "extra_closing_days" in coll:
        days = coll["extra_closing_days"]
        if not all(isinstance(d, dt.date) and not isinstance(d, dt.datetime) for d in days):
            problem("settings-wrong-type", "collection.extra_closing_days", days, expected=_TYPE_WORDS[list])
        else:
            coll["extra_closing_days"] = tuple(days)
    for key in ("max_transactions_per_file", "lead_days", "horizon_days"):
        if key in coll and coll[key] < 0:
            problem("settings-wrong-type", f"collection.{key}", coll[key], expected="word-zero-or-more")
        elif key in coll and key in DAYS_MAX and coll[key] > DAYS_MAX[key][0]:
            # A date that far ahead is a typo, and would run past the year 9999.
            problem("settings-wrong-type", f"collection.{key}", coll[key], expected=DAYS_MAX[key][1])
    for key, value in values["limits"].items():
        if value < 1:
            problem("settings-wrong-type", f"limits.{key}", value, expected="word-above-zero")
    jour = values["journal"]
    if "format" in jour and jour["format"] not in JOURNAL_FORMATS:
        problem("settings-value-invalid", "journal.format", jour["format"], allowed=", ".join(JOURNAL_FORMATS))

    if issues:
        return None, issues
    if not cred.get("bic"):
        cred["bic"] = identifiers.inspect_iban(cred["iban"])[1]  # derived where the registry knows it
    settings = Settings(
        creditor=Creditor(name=text.sanitise(cred["name"]), iban=cred["iban"], bic=cred["bic"],
                          creditor_id=cred["creditor_id"], extra_ibans=cred.get("extra_ibans", ())),
        accounts=Accounts(**{k: str(v) for k, v in values["accounts"].items()}),
        collection=Collection(**coll),
        journal=Journal(**jour),
        language=data.get("language", ""),
        limits=Limits(**values["limits"]),
    )
    return settings, []


def _without_long_texts(data: dict[str, Any], problem) -> dict[str, Any]:
    """`data` without the settings whose text (or a text in whose list) is longer than
    TEXT_MAX; each of them is a `settings-text-too-long` issue at its key."""
    kept: dict[str, Any] = {}
    for section, content in data.items():
        if isinstance(content, dict):
            content = dict(content)
            for key, value in list(content.items()):
                length = _longest_text(value)
                if length > TEXT_MAX:
                    problem("settings-text-too-long", f"{section}.{key}", _start(value),
                            length=f"{length:,}", limit=f"{TEXT_MAX:,}")
                    del content[key]
        elif _longest_text(content) > TEXT_MAX:
            problem("settings-text-too-long", section, _start(content),
                    length=f"{_longest_text(content):,}", limit=f"{TEXT_MAX:,}")
            continue
        kept[section] = content
    return kept


def _longest_text(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return max(map(_longest_text, value), default=0)
    return 0


def _start(value: Any) -> str:
    """The start of a long value, for the issue (not megabytes of it)."""
    return (value if isinstance(value, str) else str(value)[:100])[:57] + "..."


def _unknown(problem, name: str, value, known: list[str]) -> None:
    match = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    if match:
        problem("settings-key-unknown", name, value, suggestion=match[0])
    else:
        problem("settings-key-unknown-no-suggestion", name, value)


def find_settings(config: str | Path | None, folder: Path | None = None) -> Path:
    if config is not None:
        path = Path(config)
        if path.is_dir():
            raise CannotContinue("settings-is-folder", path=path)
        require_regular_file(path)
        return path
    folder = folder or Path.cwd()
    path = folder / FILENAME
    if path.is_dir():
        raise CannotContinue("settings-is-folder", path=path)
    if not path.exists():
        raise CannotContinue("settings-not-found", folder=folder)
    require_regular_file(path)
    return path


def read_language(path: Path) -> str:
    """The `language` of a settings file: "nl", "en", or "" when it is not set, not valid or
    the file cannot be read. Read before anything else, to choose the language of every
    message (a problem in the file is reported later, by `load_settings`). Only a regular
    file of a settings file's size is read: a FIFO would hang even `--help`, and /dev/zero
    fill the memory."""
    try:
        if regular_file_problem(path) is not None or path.stat().st_size > SETTINGS_FILE_MAX:
            return ""
        value = tomllib.loads(path.read_text(encoding="utf-8")).get("language", "")
    except (OSError, ValueError):  # ValueError: not UTF-8, not TOML, a NUL in the name
        return ""
    return value if value in LANGUAGES else ""


def load_settings(path: Path) -> tuple[Settings | None, list[Issue]]:
    size = require_regular_file(path)
    if size > SETTINGS_FILE_MAX:
        raise CannotContinue("settings-too-large", path=path.name, size=f"{size:,}",
                             limit=f"{SETTINGS_FILE_MAX:,}")
    try:
        with path.open("rb") as fh:
            raw = fh.read(SETTINGS_FILE_MAX + 1)  # a file that grew since: still bounded
    except OSError as exc:
        raise CannotContinue("settings-unreadable", reason=f"{path.name}: {exc.strerror or exc}") from exc
    if len(raw) > SETTINGS_FILE_MAX:
        raise CannotContinue("settings-too-large", path=path.name, size=f"{len(raw):,}",
                             limit=f"{SETTINGS_FILE_MAX:,}")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise CannotContinue("settings-not-utf8", path=path.name, line=line) from exc
    except tomllib.TOMLDecodeError as exc:
        raise CannotContinue("settings-unreadable", reason=f"{path.name}: {exc}") from exc
    settings, issues = parse_settings(data, path.name)
    if settings is not None:
        settings = replace(settings, path=path)
    return settings, issues
