"""Run column rules through pandera and turn its failure cases into Issues.

A Rule is a description: the column an issue is attributed to, its code and severity, and
a polars expression that is True where the row is fine. `run_rules` builds a pandera
polars DataFrameSchema from the rules (one named Check per rule, lazy validation, so every
failure of every rule is collected in one pass) and maps each failure case back to the
cell: Excel row, the header as the user wrote it, and the value as typed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from incasso_sheets.core.issues import ERROR, Issue
from incasso_sheets.sheets.read import ROW


@dataclass(frozen=True)
class Rule:
    column: str                 # canonical column the issue points at
    code: str
    ok: pl.Expr                 # True (or null) where the row passes
    severity: str = ERROR
    params: tuple[tuple[str, pl.Expr], ...] = ()  # message parameter -> value expression


@dataclass(frozen=True)
class Where:
    file: str
    sheet: str
    headers: dict[str, str]     # canonical -> header as written (or its usual name if absent)
    missing: frozenset[str] = frozenset()  # required columns absent: their rules are skipped


def _check(rule: Rule) -> pa.Check:
    def passes(data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(rule.ok.fill_null(True).alias(data.key))
    return pa.Check(passes, name=rule.code)


def failing_rows(frame: pl.DataFrame, rules: list[Rule]) -> pl.DataFrame:
    """Pandera's failure cases as (`_idx`, `column`, `code`), one row per failing cell."""
    by_column: dict[str, list[pa.Check]] = {}
    for rule in rules:
        by_column.setdefault(rule.column, []).append(_check(rule))
    schema = pa.DataFrameSchema(
        {col: pa.Column(None, nullable=True, checks=checks) for col, checks in by_column.items()},
        strict=False,
    )
    empty = pl.DataFrame(schema={"_idx": pl.Int64, "column": pl.Utf8, "code": pl.Utf8})
    if frame.height == 0 or not rules:
        return empty
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        return cases.select(
            pl.col("index").cast(pl.Int64).alias("_idx"), pl.col("column"), pl.col("check").alias("code")
        ).filter(pl.col("_idx").is_not_null())
    return empty


def run_rules(frame: pl.DataFrame, rules: list[Rule], where: Where) -> list[Issue]:
    """Every failing (row, rule) as an Issue at its cell."""
    rules = [r for r in rules if r.column not in where.missing]
    failures = failing_rows(frame, rules)
    if failures.height == 0:
        return []
    indexed = frame.with_row_index("_idx").with_columns(pl.col("_idx").cast(pl.Int64))
    issues: list[Issue] = []
    rule_of = {(r.column, r.code): r for r in rules}
    for (column, code), group in failures.group_by(["column", "code"], maintain_order=True):
        rule = rule_of[(column, code)]
        names = [name for name, _ in rule.params]
        rows = indexed.join(group.select("_idx"), on="_idx", how="semi").select(
            pl.col(ROW), pl.col(column).cast(pl.Utf8).alias("_value"),
            *[expr.cast(pl.Utf8).alias(f"_p{i}") for i, (_, expr) in enumerate(rule.params)],
        )
        header = where.headers[column]
        for values in rows.iter_rows():
            params = tuple(sorted(zip(names, ("" if v is None else v for v in values[2:]),
                                      strict=True)))
            issues.append(Issue(code, rule.severity, where.file, where.sheet, values[0], header,
                                values[1], params))
    return issues
