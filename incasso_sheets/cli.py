"""The `incasso` command line: options -> api -> render -> exit code.

The only module that imports click. Exit codes: 0 done, 1 the input has errors (nothing
written), 2 usage, 3 cannot read or cannot continue.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from incasso_sheets import __version__, api, render
from incasso_sheets.errors import CannotContinue

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_CANNOT = 0, 1, 2, 3


def now() -> dt.datetime:
    """The clock, read once at the edge. INCASSO_NOW (ISO date or datetime) fixes it."""
    fixed = os.environ.get("INCASSO_NOW")
    if fixed:
        return dt.datetime.fromisoformat(fixed)
    return dt.datetime.now().replace(microsecond=0)


def default_language() -> str:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "nl" if value.lower().startswith("nl") else "en"
    return "en"


class Group(click.Group):
    """Turns CannotContinue into one sentence on stderr and exit code 3, in one place."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CannotContinue as exc:
            lang = (ctx.obj or {}).get("lang", "en")
            click.echo(f"incasso: {exc.message(lang)}", err=True)
            ctx.exit(EXIT_CANNOT)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="incasso")
@click.option("--lang", type=click.Choice(["nl", "en"]), default=None,
              help="Language of messages (default: from LANG).")
@click.pass_context
def main(ctx: click.Context, lang: str | None) -> None:
    """incasso-sheets: SEPA direct debit from Excel and CSV sheets.

    Check the debtors and invoices sheets, write the pain.008 collection file and the
    suspense-account journal, and clear it from the bank's statements.
    """
    ctx.ensure_object(dict)
    ctx.obj["lang"] = lang or default_language()


@main.command()
@click.argument("debtors", type=click.Path(path_type=Path))
@click.argument("invoices", type=click.Path(path_type=Path))
@click.option("--sheet", default=None, help="Worksheet to read in both workbooks.")
@click.option("--debtors-sheet", default=None, help="Worksheet of the debtors workbook.")
@click.option("--invoices-sheet", default=None, help="Worksheet of the invoices workbook.")
@click.option("--config", type=click.Path(path_type=Path), default=None,
              help="Settings file to check as well (default: incasso.toml here, if present).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="How to print the issues.")
@click.option("--report", "report_path", type=click.Path(path_type=Path), default=None,
              help="Write a marked copy of the sheets (.xlsx) with the bad cells coloured.")
@click.pass_context
def check(ctx, debtors, invoices, sheet, debtors_sheet, invoices_sheet, config, fmt, report_path):
    """Check the debtors and invoices sheets and report every problem.

    DEBTORS and INVOICES are .xlsx or .csv files (Dutch or English headers). Every problem
    is reported at its cell as FILE:SHEET:ROW:COLUMN, errors first. Exit code 0 when there
    are no errors (warnings allowed), 1 when there are.

    Example:

        incasso check samples/debiteuren.xlsx samples/facturen.xlsx --report checked.xlsx
    """
    lang = ctx.obj["lang"]
    if config is None and Path("incasso.toml").is_file():
        config = Path("incasso.toml")
    result = api.check(debtors, invoices, now().date(), config=config,
                       debtors_sheet=debtors_sheet or sheet, invoices_sheet=invoices_sheet or sheet)
    if fmt == "json":
        click.echo(render.report_json(result.report, lang))
    else:
        click.echo(render.report_text(result.report, result.rows, lang),
                   err=not result.report.valid and False)
    if report_path is not None:
        from incasso_sheets.sheets.report import write_report
        write_report(report_path, result, lang)
        click.echo(render.messages.text("report-written", lang, path=report_path), err=True)
    ctx.exit(EXIT_OK if result.report.valid else EXIT_INVALID)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
