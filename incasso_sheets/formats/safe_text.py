"""Text cells that a spreadsheet shows as text and never runs as a formula.

Excel, LibreOffice and Google Sheets treat a cell that starts with `=`, `+`, `-` or `@`
as a formula, and a leading tab or carriage return can hide such a start (OWASP "CSV
injection"). Which writer does what (tests/test_formula_safety.py reads every one back):

* CSV files the tool writes for people and packages to open (journal, pre-notification
  list, reopened invoices, the change log of `debtors update`): a single quote in front of
  such a text (`formula_safe`, `formula_safe_expr`), the usual way to make a cell plain
  text. It changes the text, which is right for a report: it is read, not edited back.
* Workbooks the tool writes (summary, returns, change log, the `check --report` copy, the
  updated debtors workbook): the text is stored as a text cell (openpyxl data type `s`, or
  an inline string), which no spreadsheet evaluates; no quote is added, because a text
  cell already is text. `worksheet_text` makes the text fit a cell.
* The updated debtors CSV of `debtors update` is the user's own data file, not a report:
  its values are written exactly as given, without a quote. A quote would change the data
  (a debtor named `+Plus BV` would become `'+Plus BV` in the next run, and in every file
  made from it), and the same CSV opened in a spreadsheet was already the user's to open.
  Its formula-like values were already in the update sheet the user wrote.
"""

from __future__ import annotations

import re

import polars as pl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel: at most 32,767 characters in a cell; a longer text makes it "repair" the file.
WORKSHEET_TEXT_MAX = 32767
# Characters XML 1.0 cannot carry (control characters other than tab, LF and CR), which
# openpyxl refuses; openpyxl's ILLEGAL_CHARACTERS_RE.
_NOT_IN_XML = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def formula_safe(text: str) -> str:
    """`text`, with a `'` in front when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def worksheet_text(text: str) -> str:
    """`text` as a worksheet cell can hold it: a character XML cannot carry becomes U+FFFD
    (so it shows that something was there), and a text over 32,767 characters is cut to
    that length, ending in '…'."""
    text = _NOT_IN_XML.sub("\ufffd", text)
    if len(text) > WORKSHEET_TEXT_MAX:
        text = text[:WORKSHEET_TEXT_MAX - 1] + "\u2026"
    return text


def fits_worksheet(text: str) -> bool:
    """True when `worksheet_text` would leave `text` as it is."""
    return len(text) <= WORKSHEET_TEXT_MAX and not _NOT_IN_XML.search(text)


def formula_safe_expr(expr: pl.Expr) -> pl.Expr:
    """Column-wise `formula_safe` for a text expression (null stays null)."""
    # A first-character test and a concat are several times faster than a regex replace;
    # the plain branch comes first so the result keeps the input's name.
    risky = expr.str.slice(0, 1).is_in(FORMULA_STARTS)
    return pl.when(~risky).then(expr).otherwise(pl.concat_str([pl.lit("'"), expr]))
