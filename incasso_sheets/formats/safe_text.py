"""Text cells that a spreadsheet shows as text and never runs as a formula.

Excel, LibreOffice and Google Sheets treat a cell that starts with `=`, `+`, `-` or `@`
as a formula, and a leading tab or carriage return can hide such a start (OWASP "CSV
injection"). A single quote in front makes the cell plain text. Every writer of files a
user opens in a spreadsheet passes its text cells through one of these two functions.
"""

from __future__ import annotations

import polars as pl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(text: str) -> str:
    """`text`, with a `'` in front when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def formula_safe_expr(expr: pl.Expr) -> pl.Expr:
    """Column-wise `formula_safe` for a text expression (null stays null)."""
    # A first-character test and a concat are several times faster than a regex replace;
    # the plain branch comes first so the result keeps the input's name.
    risky = expr.str.slice(0, 1).is_in(FORMULA_STARTS)
    return pl.when(~risky).then(expr).otherwise(pl.concat_str([pl.lit("'"), expr]))
