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
        except OSError as exc:  # disk full, permissions, a folder where a file should be
            lang = (ctx.obj or {}).get("lang", "en")
            click.echo("incasso: " + render.messages.text(
                "os-error", lang, reason=exc.strerror or exc, path=exc.filename or ""), err=True)
            ctx.exit(EXIT_CANNOT)
        except CannotContinue as exc:
            lang = (ctx.obj or {}).get("lang", "en")
            for problem in getattr(exc, "issues", ()):
                click.echo(render.issue_line(problem, lang), err=True)
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
        click.echo(render.report_text(result.report, result.rows, lang))
    if report_path is not None:
        from incasso_sheets.sheets.report import write_report
        write_report(report_path, result, lang)
        click.echo(render.messages.text("report-written", lang, path=report_path), err=True)
    ctx.exit(EXIT_OK if result.report.valid else EXIT_INVALID)


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--force", is_flag=True, help="Overwrite the files if they already exist.")
@click.pass_context
def template(ctx, folder, force):
    """Write blank debiteuren.xlsx, facturen.xlsx and incasso.toml to start from.

    FOLDER (default: the current folder) gets the two workbooks, with the Dutch column
    headers, dropdowns and date, amount and text formats, and a settings file with every
    setting explained. Fill in your own creditor details and ledger accounts in
    incasso.toml. Existing files are left alone unless --force is given (exit code 3).

    Example:

        incasso template mijn-incasso && cd mijn-incasso
    """
    from incasso_sheets.sheets.template import write_templates

    lang = ctx.obj["lang"]
    for path in write_templates(folder, force):
        click.echo(render.messages.text("file-written", lang, path=path))


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("use YYYY-MM-DD, for example 2026-12-01") from exc


@main.command()
@click.argument("debtors", type=click.Path(path_type=Path))
@click.argument("invoices", type=click.Path(path_type=Path))
@click.option("-o", "--outdir", type=click.Path(path_type=Path), required=True,
              help="Folder for the collection file, journal, summary and pre-notification list.")
@click.option("--config", type=click.Path(path_type=Path), default=None,
              help="Settings file (default: incasso.toml in the current folder).")
@click.option("--date", "collection_date", callback=_date, default=None, metavar="YYYY-MM-DD",
              help="One collection date for every invoice (default: each invoice's due date, "
                   "moved to the earliest possible date).")
@click.option("--until", callback=_date, default=None, metavar="YYYY-MM-DD",
              help="Only invoices due on or before this date (default: all open invoices).")
@click.option("--scheme", type=click.Choice(["CORE", "B2B"]), default=None,
              help="Only collect this scheme (default: both, one file each).")
@click.option("--format", "version", type=click.Choice(["pain.008.001.08", "pain.008.001.02"]),
              default=None, help="pain.008 version (default: from the settings, else .08).")
@click.option("--journal-format", type=click.Choice(["nl", "iso"]), default=None,
              help="Journal CSV dialect (default: from the settings, else nl).")
@click.option("--skip-invalid", is_flag=True,
              help="Collect the valid invoices and list the rest, instead of stopping on errors.")
@click.option("--dry-run", is_flag=True, help="Show what would be collected; write nothing.")
@click.option("--no-xsd", is_flag=True, help="Skip the XSD validation of the generated file.")
@click.option("--sheet", default=None, help="Worksheet to read in both workbooks.")
@click.pass_context
def collect(ctx, debtors, invoices, outdir, config, collection_date, until, scheme, version,
            journal_format, skip_invalid, dry_run, no_xsd, sheet):
    """Write the pain.008 collection file and the suspense-account journal.

    Collects the open invoices of debtors with direct debit on, exactly once: the ledger
    (incasso.db beside incasso.toml) remembers every collected invoice, so running the same
    sheets again collects nothing new. Writes, per file, OUTDIR/<MsgId>.pain008.xml,
    .journal.csv, .summary.xlsx and .prenotification.csv. With errors in the sheets nothing
    is written (exit 1) unless --skip-invalid.

    Example:

        cd samples && incasso collect debiteuren.xlsx facturen.xlsx -o out/
    """
    from incasso_sheets.collect_run import CollectRequest

    lang = ctx.obj["lang"]
    request = CollectRequest(
        debtors=debtors, invoices=invoices, outdir=outdir, now=now(), config=config,
        debtors_sheet=sheet, invoices_sheet=sheet, collection_date=collection_date, until=until,
        scheme=scheme, format=version, dry_run=dry_run, validate_xsd=not no_xsd,
        skip_invalid=skip_invalid, journal_format=journal_format)
    result = api.collect(request)
    click.echo(render.collect_text(result, lang))
    blocked = not result.report.valid and not skip_invalid
    ctx.exit(EXIT_INVALID if blocked else EXIT_OK)


@main.group("debtors")
def debtors_group():
    """Work on the debtors sheet: bulk updates from a CSV or workbook."""


@debtors_group.command("update")
@click.argument("debtors", type=click.Path(path_type=Path))
@click.argument("updates", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The updated debtors sheet, in the format of DEBTORS (may be DEBTORS itself).")
@click.option("--config", type=click.Path(path_type=Path), default=None,
              help="Settings file, for the ledger beside it (default: incasso.toml here, if present).")
@click.option("--add-new", is_flag=True,
              help="Add debtors that are not in DEBTORS (every required column must be present).")
@click.option("--dry-run", is_flag=True, help="Show the changes; write nothing.")
@click.option("--log", "log_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the change log to this .csv or .xlsx file.")
@click.option("--sheet", default=None, help="Worksheet of the debtors workbook.")
@click.option("--updates-sheet", default=None, help="Worksheet of the updates workbook.")
@click.pass_context
def debtors_update(ctx, debtors, updates, output, config, add_new, dry_run, log_path, sheet,
                   updates_sheet):
    """Merge UPDATES (new IBANs, mandates, addresses...) into the DEBTORS sheet.

    UPDATES is a .csv or .xlsx with a debtor number column and any of the debtors sheet's
    columns, under the same Dutch or English headers. An empty cell leaves the value as it
    is; a lone - clears it. The result is checked with the rules of 'incasso check'; with
    any error nothing is written (exit 1) and each problem points at its cell in UPDATES.
    The output keeps everything else of DEBTORS: for a workbook, other sheets, formatting
    and extra columns; for a CSV, its separator and encoding. Every change is listed (also
    in --log); a changed IBAN or mandate reference of a debtor collected before is sent
    as a SEPA amendment with the next collection. Running the same update again changes
    nothing.

    Example:

    \b
        incasso debtors update samples/debiteuren.xlsx wijzigingen.csv -o debiteuren-nieuw.xlsx
    """
    from incasso_sheets.update_run import render_text

    lang = ctx.obj["lang"]
    result = api.update_debtors(debtors, updates, output, now().date(), config=config,
                                add_new=add_new, dry_run=dry_run, log=log_path, sheet=sheet,
                                updates_sheet=updates_sheet, lang=lang)
    click.echo(render_text(result, lang))
    ctx.exit(EXIT_OK if result.report.valid else EXIT_INVALID)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--outdir", type=click.Path(path_type=Path), required=True,
              help="Folder for the clearing journal, returns report and reopened invoices.")
@click.option("--config", type=click.Path(path_type=Path), default=None,
              help="Settings file (default: incasso.toml in the current folder).")
@click.option("--accept-probable", is_flag=True,
              help="Also book payouts matched only by amount and date.")
@click.option("--journal-format", type=click.Choice(["nl", "iso"]), default=None,
              help="Journal CSV dialect (default: from the settings, else nl).")
@click.option("--dry-run", is_flag=True, help="Show what would be booked; write nothing.")
@click.pass_context
def clear(ctx, files, outdir, config, accept_probable, journal_format, dry_run):
    """Clear the suspense account from the bank's camt.053/054 and pain.002 files.

    FILES are statements (camt.053), notifications (camt.054) and status reports
    (pain.002), or folders holding them; the kind is read from the XML namespace. Payouts
    clear their batch (bank / suspense), rejects and returns reopen their invoices
    (receivables / suspense or bank) and update the mandate by reason code. Reading the
    same file twice books nothing twice. Writes OUTDIR/CLR-<date>-<n>.journal.csv, and for
    rejects and returns .returns.xlsx and .reopened-invoices.csv (shaped like the invoices
    sheet, to feed back to collect).

    Example:

        cd samples && incasso clear bank/ -o out/
    """
    from incasso_sheets.clear_run import ClearRequest

    lang = ctx.obj["lang"]
    result = api.clear(ClearRequest(files=tuple(files), outdir=outdir, now=now(), config=config,
                                    dry_run=dry_run, accept_probable=accept_probable,
                                    journal_format=journal_format))
    click.echo(render.clear_text(result, lang))
    ctx.exit(EXIT_OK)


@main.command()
@click.option("--config", type=click.Path(path_type=Path), default=None,
              help="Settings file (default: incasso.toml in the current folder).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--all", "show_all", is_flag=True, help="Also list batches that are fully cleared.")
@click.pass_context
def status(ctx, config, fmt, show_all):
    """Show every batch: its state and its balance on the suspense account.

    A batch is cleared when its suspense balance is zero: the payout and every reject have
    been booked. Batches past their collection date that are not cleared are flagged.

    Example:

        cd samples && incasso status
    """
    lang = ctx.obj["lang"]
    statuses, suspense = api.status(config, now().date())
    if fmt == "json":
        click.echo(render.status_json(statuses))
    else:
        click.echo(render.status_text(statuses, lang, show_all))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
