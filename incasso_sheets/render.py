"""Issues and results as terminal text or JSON. Returns strings; the CLI prints them."""

from __future__ import annotations

import json

from incasso_sheets import messages
from incasso_sheets.issues import Issue, Report


def issue_line(i: Issue, lang: str = "en") -> str:
    place = ":".join("" if p is None else str(p) for p in (i.file, i.sheet, i.row, i.column))
    value = "" if i.value is None else repr(_short(i.value))
    return f"{place}  {i.code}  {value}  {i.message(lang)}".replace("    ", "  ")


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 3] + "..."


def report_text(report: Report, rows: int, lang: str = "en") -> str:
    lines = [issue_line(i, lang) for i in report.sorted()]
    if report.issues:
        lines.append("")
        width = max(len(code) for _, code, _ in report.counts())
        lines += [f"{n:>7}  {code:<{width}}  {sev}" for sev, code, n in report.counts()]
        lines.append(messages.text("summary-counts", lang, errors=len(report.errors),
                                   warnings=len(report.warnings), rows=rows))
    else:
        lines.append(messages.text("summary-ok", lang, rows=rows))
    return "\n".join(lines)


def report_json(report: Report, lang: str = "en") -> str:
    return json.dumps([i.as_dict(lang) for i in report.sorted()], ensure_ascii=False, indent=1)
