"""Text cells that a spreadsheet shows as text and never runs as a formula.

Excel, LibreOffice and Google Sheets treat a cell that starts with `=`, `+`, `-` or `@`
as a formula, and a leading tab or carriage return can hide such a start (OWASP "CSV
injection"). Which writer does what (tests/test_formula_safety.py reads every one back):

* CSV files the tool writes for people and packages to open (journal, pre-notification
  list, reopened invoices, the change log of `debtors update`): a single quote in front of
  such a text (`formula_safe`, `formula_safe_expr`), the usual way to make a cell plain
  text. It changes the text, which is right for a report: it is read, not edited back.
  The quote is reversible, and undone when the tool reads a CSV (`formula_unquote_expr`):
  a text that already starts with quotes before such a start gets one quote more, so
  exactly one leading quote before `'`s and `=`, `+`, `-`, `@`, tab or CR is always the
  tool's own. `reopened-invoices.csv` fed back into `collect` is read as it was meant:
  `'-0003` is invoice `-0003` again, with its holds (tests/test_identity.py).
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
# What formula_safe quoted: a quote, then quotes, then a formula start.
_QUOTED = r"^'+[=+\-@\t\r]"


def formula_safe(text: str) -> str:
    """`text`, with a `'` in front when a spreadsheet would read it as a formula (or when
    it starts with quotes before such a start: so that `formula_unquote` is exact)."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def formula_unquote(text: str) -> str:
    """The text `formula_safe` was given: its quote taken off again."""
    return text[1:] if re.match(_QUOTED, text) else text


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
    first = expr.str.slice(0, 1)
    risky = first.is_in(FORMULA_STARTS) | ((first == "'") & expr.str.contains(_QUOTED))
    return pl.when(~risky).then(expr).otherwise(pl.concat_str([pl.lit("'"), expr]))


def formula_unquote_expr(expr: pl.Expr) -> pl.Expr:
    """Column-wise `formula_unquote` (null stays null)."""
    return pl.when(expr.str.contains(_QUOTED)).then(expr.str.slice(1)).otherwise(expr)
