"""Issue: one problem in the user's data, and Report: the issues of one run.

An issue points at the cell the user has to fix: file, sheet, the row number Excel shows
(header = row 1) and the column header as the user wrote it. `code` is a stable
kebab-case slug; the message text comes from the catalogue in `messages`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from incasso_sheets.text import messages

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Issue:
    code: str
    severity: str = ERROR
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    params: tuple[tuple[str, str], ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def message(self, lang: str = "en") -> str:
        return messages.text(self.code, lang, **dict(self.params))

    def at(self, **where) -> Issue:
        return replace(self, **where)

    def as_dict(self, lang: str = "en") -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message(lang),
        }


def issue(code: str, severity: str = ERROR, /, **fields) -> Issue:
    """Build an Issue; keyword arguments that are not Issue fields become message params."""
    where = {k: fields.pop(k) for k in ("file", "sheet", "row", "column", "value") if k in fields}
    params = tuple(sorted((k, "" if v is None else str(v)) for k, v in fields.items()))
    return Issue(code, severity, params=params, **where)


def _sort_key(i: Issue):
    return (i.severity != ERROR, i.file or "", i.sheet or "", i.row or 0, i.column or "", i.code)


@dataclass
class Report:
    issues: list[Issue] = field(default_factory=list)

    def extend(self, more: Iterable[Issue]) -> None:
        self.issues.extend(more)

    @property
    def valid(self) -> bool:
        return not any(i.is_error for i in self.issues)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if not i.is_error]

    def sorted(self) -> list[Issue]:
        return sorted(self.issues, key=_sort_key)

    def counts(self) -> list[tuple[str, str, int]]:
        """(severity, code, count), errors first, then by descending count."""
        c = Counter((i.severity, i.code) for i in self.issues)
        return sorted(((s, code, n) for (s, code), n in c.items()),
                      key=lambda t: (t[0] != ERROR, -t[2], t[1]))
