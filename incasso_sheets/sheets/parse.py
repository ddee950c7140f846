"""Column-wise text -> value conversions for sheet cells: dates, yes/no, codes.

Each function returns a polars expression, so a million cells convert in one pass. A
result of null where the text was not empty means "could not read"; the schemas turn that
into an Issue at the cell. Amounts are parsed by `money.with_amount_columns`.
"""

from __future__ import annotations

import polars as pl

_DMY = r"^\d{1,2}([-/.])\d{1,2}([-/.])\d{4}$"
_ISO = r"^\d{4}-\d{1,2}-\d{1,2}( 00:00:00)?$"
EXCEL_EPOCH_SERIAL_MIN, EXCEL_EPOCH_SERIAL_MAX = 20000, 80000  # 1954 .. 2119

YES = ("ja", "j", "yes", "y", "true", "waar", "1", "x", "aan", "on")
NO = ("nee", "n", "no", "false", "onwaar", "0", "uit", "off")


def text(column: str) -> pl.Expr:
    """The cell text, stripped; empty becomes null."""
    s = pl.col(column).str.strip_chars()
    return pl.when(s != "").then(s)


def date(column: str, numeric: bool = False) -> pl.Expr:
    """dd-mm-yyyy, dd/mm/yyyy, dd.mm.yyyy, yyyy-mm-dd; workbook serial numbers if numeric."""
    s = text(column)
    dmy = s.str.replace_all(r"[/.]", "-")
    parsed = pl.coalesce(
        pl.when(s.str.contains(_DMY)).then(dmy.str.strptime(pl.Date, "%d-%m-%Y", strict=False)),
        pl.when(s.str.contains(_ISO)).then(
            s.str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False)),
    )
    if numeric:
        serial = s.cast(pl.Int64, strict=False)
        from_serial = pl.when(serial.is_between(EXCEL_EPOCH_SERIAL_MIN, EXCEL_EPOCH_SERIAL_MAX)).then(
            (pl.lit(-25569, pl.Int64) + serial).cast(pl.Int32).cast(pl.Date))
        parsed = pl.coalesce(parsed, from_serial)
    return parsed


def yes_no(column: str, empty: bool | None = False) -> pl.Expr:
    """ja/nee and friends as Boolean; empty gives `empty`; anything else null."""
    s = text(column).str.to_lowercase()
    return (
        pl.when(s.is_null()).then(pl.lit(empty, pl.Boolean))
        .when(s.is_in(YES)).then(pl.lit(True))
        .when(s.is_in(NO)).then(pl.lit(False))
    )


def code(column: str, mapping: dict[str, str], empty: str | None = None) -> pl.Expr:
    """A coded value (case-insensitive) through `mapping`; empty gives `empty`; else null."""
    s = text(column).str.to_uppercase()
    keys = {k.upper(): v for k, v in mapping.items()}
    return pl.when(s.is_null()).then(pl.lit(empty, pl.Utf8)).otherwise(
        s.replace_strict(list(keys), list(keys.values()), default=None, return_dtype=pl.Utf8))


def invalid(column: str, parsed: pl.Expr) -> pl.Expr:
    """True where the cell has text but `parsed` could not read it."""
    return text(column).is_not_null() & parsed.is_null()


def with_first_rows(frame: pl.DataFrame, row: str = "_row", **keys: pl.Expr) -> pl.DataFrame:
    """For each `name=key`: a column `name` holding, on rows whose key occurs more than
    once, the row of its first occurrence (null for unique or empty keys).

    Only the duplicated keys are grouped: a window over a million unique invoice numbers
    would cost some 200 MB for a column that is nearly always empty."""
    out = []
    for name, key in keys.items():
        values = frame.select(key.alias("_k"))["_k"]
        twice = values.is_duplicated() & values.is_not_null()
        if not twice.any():
            out.append(pl.lit(None, pl.Int64).alias(name))
            continue
        pairs = pl.DataFrame({"_k": values, "_r": frame[row]})
        firsts = pairs.filter(twice).group_by("_k").agg(pl.col("_r").min().alias(name))
        joined = pairs.select("_k").join(firsts, on="_k", how="left", maintain_order="left")
        out.append(joined[name].cast(pl.Int64).alias(name))
    return frame.with_columns(out)
