"""Issues and results as terminal text or JSON. Returns strings; the CLI prints them."""

from __future__ import annotations

import json
import re

from incasso_sheets.core.issues import Issue, Report
from incasso_sheets.text import messages


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
        lines += [f"{n:>7}  {code:<{width}}  {messages.text('severity-' + sev, lang)}"
                  for sev, code, n in report.counts()]
        lines.append(messages.text("summary-counts", lang, errors=len(report.errors),
                                   warnings=len(report.warnings), rows=rows))
    else:
        lines.append(messages.text("summary-ok", lang, rows=rows))
    return "\n".join(lines)


def report_json(report: Report, lang: str = "en") -> str:
    text = json.dumps([i.as_dict(lang) for i in report.sorted()], ensure_ascii=False, indent=1)
    return _NOT_ASCII.sub(_json_escape_unprintable, text)


# JSON escapes only C0 controls; a right-to-left override or a C1 control in a value would
# reach the terminal as it is. Written as \uXXXX it reads back as the same value.
_NOT_ASCII = re.compile(r"[^\x20-\x7e\n]")


def _json_escape_unprintable(found: re.Match) -> str:
    char = found.group()
    return char if char.isprintable() else json.dumps(char)[1:-1]


COLLECT_COLUMNS = ["col-batch", "col-scheme", "col-seq", "col-date", "col-count", "col-total"]
STATUS_COLUMNS = ["col-batch", "col-date", "col-scheme", "col-seq", "col-count", "col-total",
                  "col-settled", "col-rejected", "col-returned", "col-suspense"]
EXAMPLES_PER_CODE = 5
# Codes a large run can have on thousands of rows: collect shows a few of each and the
# count (`incasso check` lists every one).
AGGREGATED = {"invoice-already-collected", "debtor-direct-debit-off", "scheme-not-selected",
              "invoice-not-due", "prenotification-short", "collection-date-beyond-horizon",
              "name-transliterated", "description-transliterated"}


def collect_text(result, lang: str = "en") -> str:
    """Issues (routine skips summarised per code), then the blocks and the files written."""
    from incasso_sheets.core.money import format_cents

    lines: list[str] = [messages.text("run-recovered", lang, path=p) for p in result.recovered]
    shown: dict[str, int] = {}
    for i in result.report.sorted():
        if i.code in AGGREGATED:
            shown[i.code] = shown.get(i.code, 0) + 1
            if shown[i.code] > EXAMPLES_PER_CODE:
                continue
        lines.append(issue_line(i, lang))
    for code, n in shown.items():
        if n > EXAMPLES_PER_CODE:
            lines.append(messages.text("more-of-code", lang, count=n - EXAMPLES_PER_CODE, code=code))
    if result.report.issues:
        lines.append("")
        lines += [f"{n:>7}  {code}  {messages.text('severity-' + sev, lang)}"
                  for sev, code, n in result.report.counts()]
    stopped = not result.report.valid and not result.skip_invalid
    if stopped and not result.written and not result.messages:
        lines.append(messages.text("collect-stopped", lang, errors=len(result.report.errors)))
        return "\n".join(lines)
    if not result.messages:
        lines.append(messages.text("collect-nothing", lang))
        return "\n".join(lines)
    decimal = "," if lang == "nl" else "."
    if lines:  # a blank line after the issues, none at the top
        lines.append("")
    header = tuple(messages.headers(COLLECT_COLUMNS, lang))
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


def clear_text(result, lang: str = "en") -> str:
    from incasso_sheets.core.money import format_cents

    decimal = "," if lang == "nl" else "."
    o = result.outcome
    lines: list[str] = [messages.text("run-recovered", lang, path=p) for p in result.recovered]
    counts: dict[str, tuple[int, int]] = {}
    for e in result.booked:
        n, total = counts.get(e.kind, (0, 0))
        counts[e.kind] = (n + 1, total + e.amount_cents)
    for kind, (n, total) in counts.items():
        lines.append(messages.text(f"clear-{kind}", lang, count=n, total=format_cents(total, decimal)))
    for u in result.attention:
        amount = "" if u.amount_cents is None else format_cents(u.amount_cents, decimal)
        lines.append("  ".join(part for part in (messages.visible(u.source), u.code, amount, _attention_text(u, lang)) if part))
    if o.duplicates:
        lines.append(messages.text("clear-duplicates", lang, count=o.duplicates))
    if o.not_booked:
        lines.append(messages.text("clear-not-booked", lang, count=o.not_booked))
    if o.ignored:
        lines.append(messages.text("clear-ignored", lang, count=o.ignored))
    if not result.booked:
        lines.append(messages.text("clear-nothing", lang))
    for pid, balance in result.balances:
        lines.append(messages.text("clear-balance", lang, batch=pid, balance=format_cents(balance, decimal)))
    if result.dry_run:
        lines.append(messages.text("collect-dry-run", lang))
    lines += [messages.text("file-written", lang, path=p) for p in result.files]
    return "\n".join(lines)


def _attention_text(item, lang: str) -> str:
    return messages.text(item.code, lang, **{"detail": item.detail, **dict(item.params)})


def clear_json(result, lang: str = "en") -> str:
    """The clear summary for scripts: counts and `*_cents` per kind booked, the entries
    left alone, and each item that needs a person with its stable `code` and `reason`."""
    booked: dict[str, dict[str, int]] = {}
    for e in result.booked:
        kind = booked.setdefault(e.kind, {"count": 0, "total_cents": 0})
        kind["count"] += 1
        kind["total_cents"] += e.amount_cents
    o = result.outcome
    summary = {
        "run": result.run_name or None,
        "dry_run": result.dry_run,
        "booked": booked,
        "duplicates": o.duplicates,
        "not_booked": o.not_booked,
        "ignored": o.ignored,
        "attention": [
            {"code": u.code, "reason": _attention_text(u, lang), "source": u.source,
             "amount_cents": u.amount_cents, "detail": u.detail or None, **dict(u.params)}
            for u in result.attention
        ],
        "balances": [{"batch": pid, "suspense_cents": balance} for pid, balance in result.balances],
        "files": [str(p) for p in result.files],
        "recovered": [str(p) for p in result.recovered],
    }
    return json.dumps(summary, ensure_ascii=False, indent=1)


def status_text(statuses, lang: str = "en", show_all: bool = False) -> str:
    from incasso_sheets.core.money import format_cents

    decimal = "," if lang == "nl" else "."
    if not statuses:
        return messages.text("status-empty", lang)
    header = (*messages.headers(STATUS_COLUMNS, lang), "")
    rows = []
    for s in statuses:
        if not show_all and s.suspense_cents == 0 and s.settled + s.rejected + s.returned == s.count:
            continue
        rows.append((s.payment_info_id, s.collection_date.isoformat(), s.scheme, s.sequence_type,
                     str(s.count), format_cents(s.total_cents, decimal), str(s.settled), str(s.rejected),
                     str(s.returned), format_cents(s.suspense_cents, decimal), _status_note(s, lang)))
    total = sum(s.suspense_cents for s in statuses)
    lines = []
    if rows:
        widths = [max(len(r[k]) for r in [*rows, header]) for k in range(len(header))]
        for r in [header, *rows]:
            lines.append("  ".join(v.rjust(w) if 4 <= k <= 9 else v.ljust(w)
                                   for k, (v, w) in enumerate(zip(r, widths, strict=True))).rstrip())
        lines.append("")
    hidden = len(statuses) - len(rows)
    if hidden:
        lines.append(messages.text("status-hidden", lang, count=hidden))
    lines.append(messages.text("status-total", lang, total=format_cents(total, decimal),
                               batches=len(statuses)))
    return "\n".join(lines)


def _status_note(s, lang: str) -> str:
    why = messages.text(s.why, lang) if s.why else ""
    if s.overdue:
        return messages.text("status-overdue", lang) + (f": {why}" if why else "")
    return why


def status_json(statuses) -> str:
    return json.dumps([s.as_dict() for s in statuses], indent=1)
