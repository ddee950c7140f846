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


EXAMPLES_PER_CODE = 5
AGGREGATED = {"invoice-already-collected", "debtor-direct-debit-off", "scheme-not-selected",
              "invoice-not-due", "prenotification-short", "collection-date-beyond-horizon"}


def collect_text(result, lang: str = "en") -> str:
    """Issues (routine skips summarised per code), then the blocks and the files written."""
    from incasso_sheets.money import format_cents

    lines: list[str] = []
    shown: dict[str, int] = {}
    for i in result.report.sorted():
        if i.code in AGGREGATED:
            shown[i.code] = shown.get(i.code, 0) + 1
            if shown[i.code] > EXAMPLES_PER_CODE:
                continue
        lines.append(issue_line(i, lang))
    for code, n in shown.items():
        if n > EXAMPLES_PER_CODE:
            lines.append(f"  ... {n - EXAMPLES_PER_CODE} more {code}")
    if result.report.issues:
        lines.append("")
        lines += [f"{n:>7}  {code}  {sev}" for sev, code, n in result.report.counts()]
    if not result.report.valid and not result.written and not result.messages:
        lines.append(messages.text("collect-stopped", lang, errors=len(result.report.errors)))
        return "\n".join(lines)
    if not result.messages:
        lines.append(messages.text("collect-nothing", lang))
        return "\n".join(lines)
    decimal = "," if lang == "nl" else "."
    lines.append("")
    header = ("batch", "scheme", "seq", "date", "count", "total")
    rows = []
    for m in result.messages:
        for b in m.blocks:
            rows.append((b.payment_info_id, b.scheme, b.sequence_type, b.collection_date.isoformat(),
                         str(b.count), format_cents(b.total_cents, decimal)))
        rows.append((m.message_id, "", "", "", str(m.count), format_cents(m.total_cents, decimal)))
    widths = [max(len(r[k]) for r in [*rows, header]) for k in range(6)]
    for r in [header, *rows]:
        lines.append("  ".join(v.rjust(w) if k >= 4 else v.ljust(w) for k, (v, w) in enumerate(zip(r, widths, strict=True))).rstrip())
    lines.append("")
    if result.dry_run:
        lines.append(messages.text("collect-dry-run", lang))
    else:
        lines += [messages.text("file-written", lang, path=p) for p in result.files]
    return "\n".join(lines)
