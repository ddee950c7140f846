"""The `incasso` command line: options -> api -> render -> exit code.

The only module that imports click. Exit codes: 0 done, 1 the input has errors (nothing
written; for `clear`: what matched is booked and something needs a person), 2 usage, 3
cannot read or cannot continue.

Language: --lang, else `language` in incasso.toml, else LC_ALL/LC_MESSAGES/LANG; chosen
from the raw arguments before click parses them, so that --help (texts from the catalogue,
help_texts.py) and click's own errors are in it too. Progress goes to stderr through a
progress.Reporter handed to the api: a live line on a terminal, step times with --verbose.
"""

from __future__ import annotations

import copy
import datetime as dt
import inspect
import os
import sys
from pathlib import Path

import click

from incasso_sheets import __version__, api
from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.core.settings import BANK_CUTOFFS, read_language
from incasso_sheets.core.settings import FILENAME as SETTINGS_FILENAME
from incasso_sheets.runtime import progress
from incasso_sheets.text import messages, render

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_CANNOT = 0, 1, 2, 3


def now() -> dt.datetime:
    """The clock, read once at the edge. INCASSO_NOW (ISO date or datetime) fixes it."""
    fixed = os.environ.get("INCASSO_NOW")
    if fixed:
        return fixed_now(fixed)
    return dt.datetime.now().replace(microsecond=0)


def fixed_now(text: str) -> dt.datetime:
    """INCASSO_NOW as a local date and time; a date is its midnight. A time zone is
    refused: every other time the tool compares with is local and has none."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        value = None
    if value is None or value.tzinfo is not None:
        raise CannotContinue("incasso-now-invalid", value=repr(text))
    return value


def default_language() -> str:
    """The computer's language: nl for nl_* in LC_ALL, LC_MESSAGES or LANG, else en."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "nl" if value.lower().startswith("nl") else "en"
    return "en"


# --- language: --lang > 'language' in incasso.toml > the environment ------------------------

LANG_KEY, EXPLICIT_LANG_KEY = "incasso.lang", "incasso.lang-option"
QUIET_KEY, VERBOSE_KEY = "incasso.quiet", "incasso.verbose"
BANKS = tuple(BANK_CUTOFFS)


def _option_value(args: list[str], name: str) -> str | None:
    """The value of option `name` in the raw arguments (`--name value` or `--name=value`)."""
    for n, arg in enumerate(args):
        if arg == "--":
            break
        if arg == name and n + 1 < len(args):
            return args[n + 1]
        if arg.startswith(name + "="):
            return arg.partition("=")[2]
    return None


def choose_language(args: list[str]) -> str:
    """--lang anywhere on the command line, else `language` in the settings file (--config,
    else incasso.toml here), else LC_ALL / LC_MESSAGES / LANG. Read before click parses, so
    that --help and click's own errors are in that language too."""
    explicit = _option_value(args, "--lang")
    if explicit in messages.LANGUAGES:
        return explicit
    config = _option_value(args, "--config")
    return read_language(Path(config) if config else Path(SETTINGS_FILENAME)) or default_language()


def language(ctx: click.Context) -> str:
    return ctx.meta.get(LANG_KEY) or default_language()


# click's own words (usage line, section titles, errors) through the catalogue: click looks
# its texts up with gettext at the moment it uses them.
_CLICK_DUTCH = {en: nl for code, (en, nl) in messages.CATALOGUE.items() if code.startswith("click-")}
_click_lang = ["en"]


def _click_gettext(message: str) -> str:
    return _CLICK_DUTCH.get(message, message) if _click_lang[0] == "nl" else message


for _module in (click.core, click.exceptions, click.formatting, click.decorators, click.types,
                click.parser, click.termui, click.utils):
    if hasattr(_module, "_"):
        _module._ = _click_gettext


def _set_flag(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[f"incasso.{param.name}"] = True


def _common_options() -> list[click.Option]:
    """--lang, --quiet and --verbose: accepted before the command and after it."""
    return [
        click.Option(["--lang"], type=click.Choice(messages.LANGUAGES), expose_value=False,
                     is_eager=True),  # read by choose_language, before parsing
        click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_set_flag),
        click.Option(["-v", "--verbose"], is_flag=True, expose_value=False, callback=_set_flag),
    ]


def _help_key(ctx: click.Context) -> str:
    names = []
    while ctx.parent is not None:
        names.append(ctx.command.name or "")
        ctx = ctx.parent
    return "-".join(reversed(names)) or "main"


class _Localised:
    """Help texts from the catalogue (`help-<command>`, `opt-<command>-<option>` or
    `opt-<option>`) in the chosen language; the docstring and help= are the fallback."""

    def _help_text(self, ctx: click.Context) -> str:
        found = messages.template(f"help-{_help_key(ctx)}", language(ctx))
        return inspect.cleandoc(found if found is not None else (self.help or ""))

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = self._help_text(ctx)
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def get_short_help_str(self, limit: int = 45) -> str:
        ctx = click.get_current_context(silent=True)
        if ctx is None:
            return super().get_short_help_str(limit)
        clone = copy.copy(self)  # click shortens the text its own way, at a word
        clone.help = self._help_text(click.Context(self, info_name=self.name, parent=ctx))
        return click.Command.get_short_help_str(clone, limit)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        key, lang = _help_key(ctx), language(ctx)
        records = []
        for param in self.get_params(ctx):
            if isinstance(param, click.Argument):
                continue
            name = "help" if param is self.get_help_option(ctx) else (param.name or "")
            name = name.replace("_", "-")
            text = messages.template(f"opt-{key}-{name}", lang) or messages.template(f"opt-{name}", lang)
            if text is not None:
                param = copy.copy(param)
                param.help = text
            record = param.get_help_record(ctx)
            if record is not None:
                records.append(record)
        if records:
            with formatter.section(_click_gettext("Options")):
                formatter.write_dl(records)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)


class Command(_Localised, click.Command):
    """A command with --lang, --quiet and --verbose, and its help from the catalogue."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.params.extend(_common_options())


class Group(_Localised, click.Group):
    """Chooses the language before parsing; turns CannotContinue and OSError into one
    sentence on stderr and exit code 3, in one place."""

    command_class = Command
    group_class = type  # subgroups are Groups too

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.parent is None:
            ctx.meta[LANG_KEY] = _click_lang[0] = choose_language(args)
            explicit = _option_value(args, "--lang")
            ctx.meta[EXPLICIT_LANG_KEY] = explicit if explicit in messages.LANGUAGES else ""
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OSError as exc:  # disk full, permissions, a folder where a file should be
            lang = language(ctx)
            click.echo("incasso: " + messages.text(
                "os-error", lang, reason=exc.strerror or exc, path=exc.filename or ""), err=True)
            ctx.exit(EXIT_CANNOT)
        except CannotContinue as exc:
            lang = language(ctx)
            for problem in getattr(exc, "issues", ()):
                click.echo(render.issue_line(problem, lang), err=True)
            click.echo(f"incasso: {exc.message(lang)}", err=True)
            ctx.exit(EXIT_CANNOT)


def stderr_is_terminal() -> bool:
    """True when progress can be drawn (tests replace this)."""
    return sys.stderr.isatty()


def reporter(ctx: click.Context) -> progress.Reporter:
    """Progress on stderr: a live line on a terminal unless --quiet; step times with --verbose."""
    quiet, verbose = ctx.meta.get(QUIET_KEY, False), ctx.meta.get(VERBOSE_KEY, False)
    live = not quiet and stderr_is_terminal()
    if not live and not verbose:
        return progress.SILENT
    return progress.LineReporter(sys.stderr, language(ctx), live=live, verbose=verbose)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="incasso")
@click.option("--lang", type=click.Choice(messages.LANGUAGES), expose_value=False, is_eager=True)
@click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=_set_flag)
@click.option("-v", "--verbose", is_flag=True, expose_value=False, callback=_set_flag)
@click.pass_context
def main(ctx: click.Context) -> None:
    """incasso-sheets: SEPA direct debit from Excel and CSV sheets (help: help_texts.py)."""
    ctx.ensure_object(dict)
    ctx.obj["lang"] = language(ctx)


# The --help texts of the commands and their options are in help_texts.py, in English and
# Dutch; a docstring here only says what the function is for.

@main.command()
@click.argument("debtors", type=click.Path(path_type=Path))
@click.argument("invoices", type=click.Path(path_type=Path))
@click.option("--sheet", default=None)
@click.option("--debtors-sheet", default=None)
@click.option("--invoices-sheet", default=None)
@click.option("--config", type=click.Path(path_type=Path), default=None)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--report", "report_path", type=click.Path(path_type=Path), default=None)
@click.pass_context
def check(ctx, debtors, invoices, sheet, debtors_sheet, invoices_sheet, config, fmt, report_path):
    """Check the debtors and invoices sheets and report every problem."""
    lang, progress_to = ctx.obj["lang"], reporter(ctx)
    if config is None and Path(SETTINGS_FILENAME).exists():  # a FIFO is refused, not passed by
        config = Path(SETTINGS_FILENAME)
    if report_path is not None:
        from incasso_sheets.sheets.report import refuse_report_path

        refuse_report_path(report_path, [debtors, invoices], config)
    result = api.check(debtors, invoices, now().date(), config=config,
                       debtors_sheet=debtors_sheet or sheet, invoices_sheet=invoices_sheet or sheet,
                       reporter=progress_to)
    if fmt == "json":
        click.echo(render.report_json(result.report, lang))
    else:
        click.echo(render.report_text(result.report, result.rows, lang))
    if report_path is not None:
        from incasso_sheets.sheets.report import write_report

        with progress_to.step("write-report"):
            write_report(report_path, result, lang)
        click.echo(messages.text("report-written", lang, path=report_path), err=True)
    ctx.exit(EXIT_OK if result.report.valid else EXIT_INVALID)


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--force", is_flag=True)
@click.pass_context
def template(ctx, folder, force):
    """Write blank debiteuren.xlsx, facturen.xlsx and incasso.toml to start from."""
    from incasso_sheets.sheets.template import write_templates

    lang = ctx.obj["lang"]
    for path in write_templates(folder, force):
        click.echo(messages.text("file-written", lang, path=path))


def stdin_is_terminal() -> bool:
    """True when someone can answer questions (tests replace this)."""
    return sys.stdin.isatty()


def _init_checks(lang: str) -> dict:
    """Per creditor field, a function from the typed text to the normalised value that
    raises BadParameter with the reason when it is not valid: click then asks again (a
    prompt) or stops with exit code 2 (an option)."""
    from incasso_sheets.init import run as init_run

    def validator(field: str):
        def validate(value: str | None) -> str | None:
            if value is None:
                return None
            normalised, problem = init_run.check_value(field, value.strip(), lang)
            if problem:
                raise click.BadParameter(problem)
            return normalised
        return validate
    return {field: validator(field) for field in init_run.FIELDS}


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--name", default=None)
@click.option("--iban", default=None)
@click.option("--creditor-id", default=None)
@click.option("--bic", default=None)
@click.option("--bank", type=click.Choice(BANKS), default=None)
@click.option("--force", is_flag=True)
@click.pass_context
def init(ctx, folder, name, iban, creditor_id, bic, bank, force):
    """Start a new administration: incasso.toml with the creditor's details, blank
    workbooks and an empty ledger; ask for what is not given when run in a terminal."""
    from incasso_sheets.init import run as init_run

    lang = ctx.obj["lang"]
    init_run.refuse_existing(folder, force)  # before asking anything
    checks = _init_checks(lang)
    given = {"name": name, "iban": iban, "creditor_id": creditor_id, "bic": bic}
    values: dict[str, str | None] = {}
    for field, value in given.items():
        try:
            values[field] = checks[field](value)
        except click.BadParameter as exc:
            raise click.BadParameter(exc.message, ctx=ctx,
                                     param_hint="--" + field.replace("_", "-")) from None
    missing = [f for f in init_run.REQUIRED if not values.get(f)]
    asking = stdin_is_terminal()
    if missing and not asking:
        options = ", ".join("--" + f.replace("_", "-") for f in missing)
        raise click.UsageError(messages.text("init-missing", lang, options=options), ctx=ctx)
    for field in missing:
        values[field] = click.prompt(messages.text(f"init-prompt-{field.replace('_', '-')}", lang),
                                     value_proc=checks[field])
    if missing and bic is None:
        values["bic"] = click.prompt(messages.text("init-prompt-bic", lang), default="",
                                     show_default=False, value_proc=checks["bic"]) or None
    if missing and bank is None:
        bank = click.prompt(messages.text("init-prompt-bank", lang), default="other",
                            type=click.Choice(BANKS))
    result = api.init(folder, init_run.Creditor(**values), bank=bank or "other", force=force,
                      language=ctx.meta.get(EXPLICIT_LANG_KEY, ""))
    for path in result.written:
        click.echo(messages.text("file-written", lang, path=path))
    if result.kept_ledger is not None:
        click.echo(messages.text("init-ledger-kept", lang, path=result.kept_ledger))
    folder_note = "" if folder == Path(".") else messages.text("init-cd", lang, folder=folder)
    click.echo(messages.text("init-next", lang, cd=folder_note))


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(messages.text("option-date-invalid", language(ctx))) from exc


@main.command()
@click.argument("debtors", type=click.Path(path_type=Path))
@click.argument("invoices", type=click.Path(path_type=Path))
@click.option("-o", "--outdir", type=click.Path(path_type=Path), required=True)
@click.option("--config", type=click.Path(path_type=Path), default=None)
@click.option("--date", "collection_date", callback=_date, default=None, metavar="YYYY-MM-DD")
@click.option("--until", callback=_date, default=None, metavar="YYYY-MM-DD")
@click.option("--scheme", type=click.Choice(["CORE", "B2B"]), default=None)
@click.option("--format", "version", type=click.Choice(["pain.008.001.08", "pain.008.001.02"]),
              default=None)
@click.option("--journal-format", type=click.Choice(["nl", "iso"]), default=None)
@click.option("--skip-invalid", is_flag=True)
@click.option("--dry-run", is_flag=True)
@click.option("--no-xsd", is_flag=True)
@click.option("--sheet", default=None)
@click.pass_context
def collect(ctx, debtors, invoices, outdir, config, collection_date, until, scheme, version,
            journal_format, skip_invalid, dry_run, no_xsd, sheet):
    """Write the pain.008 collection file and the suspense-account journal."""
    from incasso_sheets.collect.run import CollectRequest

    lang = ctx.obj["lang"]
    request = CollectRequest(
        debtors=debtors, invoices=invoices, outdir=outdir, now=now(), config=config,
        debtors_sheet=sheet, invoices_sheet=sheet, collection_date=collection_date, until=until,
        scheme=scheme, format=version, dry_run=dry_run, validate_xsd=not no_xsd,
        skip_invalid=skip_invalid, journal_format=journal_format, lang=lang,
        reporter=reporter(ctx))
    result = api.collect(request)
    if result.migration is not None:
        from incasso_sheets.migrate.run import migration_lines
        click.echo("\n".join([*migration_lines(result.migration, lang), ""]))
    click.echo(render.collect_text(result, lang))
    blocked = not result.report.valid and not skip_invalid
    ctx.exit(EXIT_INVALID if blocked else EXIT_OK)


@main.group("debtors")
def debtors_group():
    """Work on the debtors sheet: bulk updates from a CSV or workbook."""


@debtors_group.command("update")
@click.argument("debtors", type=click.Path(path_type=Path))
@click.argument("updates", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--config", type=click.Path(path_type=Path), default=None)
@click.option("--add-new", is_flag=True)
@click.option("--dry-run", is_flag=True)
@click.option("--log", "log_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--sheet", default=None)
@click.option("--updates-sheet", default=None)
@click.pass_context
def debtors_update(ctx, debtors, updates, output, config, add_new, dry_run, log_path, sheet,
                   updates_sheet):
    """Merge UPDATES into the DEBTORS sheet; every change listed, nothing half written."""
    from incasso_sheets.update.run import render_text

    lang = ctx.obj["lang"]
    result = api.update_debtors(debtors, updates, output, now().date(), config=config,
                                add_new=add_new, dry_run=dry_run, log=log_path, sheet=sheet,
                                updates_sheet=updates_sheet, lang=lang, reporter=reporter(ctx))
    click.echo(render_text(result, lang))
    ctx.exit(EXIT_OK if result.report.valid else EXIT_INVALID)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--outdir", type=click.Path(path_type=Path), required=True)
@click.option("--config", type=click.Path(path_type=Path), default=None)
@click.option("--accept-probable", is_flag=True)
@click.option("--journal-format", type=click.Choice(["nl", "iso"]), default=None)
@click.option("--dry-run", is_flag=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def clear(ctx, files, outdir, config, accept_probable, journal_format, dry_run, fmt):
    """Book the bank's payouts, rejects and returns; clear the suspense account."""
    from incasso_sheets.clearing.run import ClearRequest

    lang = ctx.obj["lang"]
    result = api.clear(ClearRequest(files=tuple(files), outdir=outdir, now=now(), config=config,
                                    dry_run=dry_run, accept_probable=accept_probable,
                                    journal_format=journal_format, lang=lang,
                                    reporter=reporter(ctx)))
    click.echo(render.clear_json(result, lang) if fmt == "json" else render.clear_text(result, lang))
    # 1: what matched is booked, and something needs a person (the help text lists what).
    ctx.exit(EXIT_INVALID if result.attention else EXIT_OK)


@main.command()
@click.option("--config", type=click.Path(path_type=Path), default=None)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--all", "show_all", is_flag=True)
@click.pass_context
def status(ctx, config, fmt, show_all):
    """Show every batch: its state and its balance on the suspense account."""
    lang = ctx.obj["lang"]
    other = api.other_creditor(config)
    if other is not None:  # reported, not refused: status changes nothing
        path, ledger_creditor, settings_creditor = other
        click.echo("incasso: " + render.messages.text("ledger-other-creditor", lang, path=path,
                                                       ledger=ledger_creditor, settings=settings_creditor),
                   err=True)
    statuses, suspense = api.status(config, now().date())
    if fmt == "json":
        click.echo(render.status_json(statuses))
    else:
        click.echo(render.status_text(statuses, lang, show_all))


@main.group(name="ledger")
def ledger_group():
    """The ledger (incasso.db beside incasso.toml): check it, export it, import history."""


@ledger_group.command("check")
@click.option("--config", type=click.Path(path_type=Path), default=None)
@click.pass_context
def ledger_check(ctx, config):
    """Verify that the ledger is consistent; list every broken rule."""
    lang = ctx.obj["lang"]
    path, result = api.ledger_check(config)
    for problem in result.problems:
        click.echo(render.issue_line(problem, lang))
    if not result.valid:
        click.echo(render.messages.text("ledger-problems", lang, count=len(result.problems), path=path))
        ctx.exit(EXIT_INVALID)
    click.echo(render.messages.text("ledger-ok", lang, messages=result.messages,
                                    batches=result.batches, transactions=result.transactions))


@ledger_group.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--config", type=click.Path(path_type=Path), default=None)
@click.pass_context
def ledger_export(ctx, folder, config):
    """Write every table of the ledger as a CSV file into FOLDER."""
    lang = ctx.obj["lang"]
    files = api.ledger_export(config, folder)
    click.echo(render.messages.text("ledger-exported", lang, tables=len(files), path=folder))


@ledger_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--config", type=click.Path(path_type=Path), default=None)
@click.option("--debtors", type=click.Path(path_type=Path), default=None)
@click.option("--invoices", type=click.Path(path_type=Path), default=None)
@click.option("--sheet", default=None)
@click.option("--dry-run", is_flag=True)
@click.pass_context
def ledger_import(ctx, file, config, debtors, invoices, sheet, dry_run):
    """Take over the collections an earlier system made, once."""
    from incasso_sheets.migrate.run import render_text

    lang = ctx.obj["lang"]
    result = api.ledger_import(file, now(), config=config, debtors=debtors, invoices=invoices,
                               sheet=sheet, dry_run=dry_run)
    click.echo(render_text(result, lang))
    ctx.exit(EXIT_OK if result.report.valid else EXIT_INVALID)

