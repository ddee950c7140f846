"""Merge a debtor update sheet into the debtors sheet: frames in; frames, Issues and changes out.

The update sheet (UPDATES) holds `debtor_id` and any subset of the debtor columns, under
the same Dutch or English headers as the debtors sheet. Per cell: empty leaves the value
as it is, a lone `-` (or a look-alike dash: `–`, `—`, `−`) clears it, anything else
replaces it. A value that only differs in form (`nl91 abna 0417 1643 00` for
`NL91ABNA0417164300`, `yes` for `ja`, `2024-03-01` for `01-03-2024`) is no change: the
sheet keeps its text and the change log stays empty, so running the same update twice
changes nothing the second time.

The merged sheet is a RawSheet like the one `read_sheet` gives: text under the headers of
the debtors sheet (columns it lacked appended, under the update sheet's header), `_row` the
row in the debtors sheet, added debtors (`add_new`) in the rows after the last. It is
checked by `api.check_debtors`, the very rules of `incasso check`. An issue at a cell the
update changed (or anywhere in an added debtor's row) is moved to that cell of the update
sheet; one that only arises from the combination stays at the debtor's row in the debtors
sheet. Warnings about cells the update did not touch are left to `incasso check`.

Amendments (docs/sepa.md §3) are not recorded as such. The ledger's `mandates` table keeps
each mandate's last collected IBAN, mandate id and signing date; those values ARE the
pending amendment record: the next `collect` compares the sheet with them
(collect.select + sepa.sequence) and sends the amendment details once. This module runs
the same detection on the merged sheet, only to say in the change log what the next
collection will send. One source of truth, nothing to keep in step. The one thing it adds
to that record: for a debtor the ledger does not know but whose sheet shows earlier
collections, the sheet's old values (`originals`, which the caller writes to the ledger).
A BIC follows its IBAN to another bank, and a mandate reference the ledger knows for
another debtor is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import polars as pl

from incasso_sheets.api import check_debtors
from incasso_sheets.core.identity import identity_key_expr
from incasso_sheets.core.issues import ERROR, WARNING, Issue, issue
from incasso_sheets.core.model import MandateStatus
from incasso_sheets.sepa import identifiers, sequence
from incasso_sheets.sheets import columns, parse, schemas
from incasso_sheets.sheets.read import ROW, RawSheet

# A cell holding only a dash clears the value: `-` or a look-alike that autocorrect or a
# keyboard layout puts in its place (any Unicode dash punctuation, and the minus sign).
CLEARS = r"^[\p{Pd}\x{2212}]$"
UPDATE_SHEETS = ("wijzigingen", "mutaties", "updates", "changes")
DATE_COLUMNS = frozenset({"mandate_date", "mandate_end_date", "last_collection_date"})
ORDER = {c.name: i for i, c in enumerate(columns.DEBTOR_COLUMNS)}
REQUIRED_FOR_NEW = tuple(c for c in columns.DEBTOR_COLUMNS if c.required)

# Notes in the change log (message codes).
ADDED = "update-debtor-added"
SMNDA = "update-amendment-smnda"
ORIGINAL_IBAN = "update-amendment-iban"
ORIGINAL_MANDATE_ID = "update-amendment-mandate-id"
NEW_MANDATE = "update-new-mandate"
BIC_DERIVED = "update-bic-derived"
BIC_CLEARED = "update-bic-cleared"

CHANGES = {ROW: pl.Int64, "update_row": pl.Int64, "debtor_id": pl.Utf8, "column": pl.Utf8,
           "header": pl.Utf8, "update_header": pl.Utf8, "old": pl.Utf8, "new": pl.Utf8,
           "added": pl.Boolean, "note": pl.Utf8, "note_detail": pl.Utf8}


@dataclass(frozen=True)
class UpdateResult:
    merged: RawSheet | None       # None when the sheets could not be merged at all
    changes: pl.DataFrame         # CHANGES: one row per changed cell, in update-sheet order
    issues: list[Issue]
    added_headers: tuple[str, ...] = ()  # columns appended to the debtors sheet
    last_row: int = 1             # last row of the debtors sheet before added debtors
    # HISTORY_MANDATES rows for the ledger: the sheet's old values of mandates the ledger
    # does not know, for the amendment the next collect sends (see _original_mandates)
    originals: pl.DataFrame | None = None

    @property
    def valid(self) -> bool:
        return not any(i.is_error for i in self.issues)

    @property
    def added_debtors(self) -> int:
        return added_debtors(self.changes)

    @property
    def changed_debtors(self) -> int:
        return changed_debtors(self.changes)


def added_debtors(changes: pl.DataFrame) -> int:
    """How many debtors a change list adds (CHANGES frame)."""
    return changes.filter(pl.col("added"))["debtor_id"].n_unique()


def changed_debtors(changes: pl.DataFrame) -> int:
    """How many debtors a change list touches, added ones included."""
    return changes["debtor_id"].n_unique()


def merge_updates(debtors: RawSheet, updates: RawSheet, today: dt.date, *, add_new: bool = False,
                  default_scheme: str = "CORE", mandates: pl.DataFrame | None = None) -> UpdateResult:
    """Merge `updates` into `debtors`, check the result, and list the changed cells.

    `mandates` is the ledger's mandate history (collect.select.HISTORY_MANDATES), used only
    to note in the change log which changes the next collection sends as an amendment."""
    deb_map = columns.map_headers(debtors.headers, columns.DEBTOR_COLUMNS)
    upd_map = columns.map_headers(updates.headers, columns.DEBTOR_COLUMNS)
    at_updates = {"file": updates.file, "sheet": updates.sheet, "row": updates.header_row}
    issues = [*updates.issues, *(i.at(**at_updates) for i in upd_map.issues
                                 if i.column not in updates.repeated_headers and (
                                     i.code != "column-missing"
                                     or i.column == columns.DEBTOR_COLUMNS[0].aliases[0]))]
    empty = pl.DataFrame(schema=CHANGES)
    if "debtor_id" not in upd_map.found or "debtor_id" not in deb_map.found:
        issues += [i.at(file=debtors.file, sheet=debtors.sheet, row=debtors.header_row)
                   for i in deb_map.issues
                   if i.code == "column-missing" and i.column == columns.DEBTOR_COLUMNS[0].aliases[0]]
        return UpdateResult(None, empty, issues)

    updated = [c for c in upd_map.found if c != "debtor_id"]
    upd = _update_frame(updates, upd_map.found)
    issues += _update_row_issues(upd, upd_map.found["debtor_id"], updates)
    upd = upd.filter(pl.col("_key").is_not_null()).unique("_key", keep="first", maintain_order=True)

    id_header = deb_map.found["debtor_id"]
    deb = debtors.frame.with_columns(parse.text(id_header).alias("_key"))
    known = upd["_key"].is_in(deb["_key"].drop_nulls().implode())
    unknown = upd.filter(~known)
    if not add_new:
        issues += [issue("update-debtor-unknown", file=updates.file, sheet=updates.sheet, row=row,
                         column=upd_map.found["debtor_id"], value=key, path=debtors.file)
                   for row, key in unknown.select("_urow", "_key").iter_rows()]
        unknown = unknown.clear()
    elif unknown.height:
        issues += [issue("update-column-missing-for-new", file=updates.file, sheet=updates.sheet,
                         row=updates.header_row, column=col.aliases[0], name=col.aliases[0],
                         count=unknown.height,
                         aliases=", ".join(col.aliases))
                   for col in REQUIRED_FOR_NEW if col.name not in upd_map.found]

    # Columns the debtors sheet lacks are appended under the update sheet's header.
    headers = {c: deb_map.found.get(c, upd_map.found.get(c)) for c in ("debtor_id", *updated)}
    added_headers = tuple(upd_map.found[c] for c in sorted(updated, key=ORDER.get)
                          if c not in deb_map.found)
    numeric = set(debtors.numeric_columns) | {headers[c] for c, h in upd_map.found.items()
                                              if h in updates.numeric_columns}
    last_row = int(debtors.frame[ROW].max() or 1)

    joined = deb.join(upd, on="_key", how="left", maintain_order="left")
    merged_columns, changes = [], []
    for c in updated:
        header = headers[c]
        old = pl.col(header) if c in deb_map.found else pl.lit(None, pl.Utf8)
        cells = _changed_cells(joined, c, old, header in numeric)
        merged_columns.append(
            pl.when(cells["_changed"]).then(cells["_new"]).otherwise(cells["_old"]).alias(header))
        changes.append(cells.filter(pl.col("_changed")).select(
            pl.col(ROW), pl.col("_urow").alias("update_row"), pl.col("_key").alias("debtor_id"),
            pl.lit(c).alias("column"), pl.lit(header).alias("header"),
            pl.lit(upd_map.found[c]).alias("update_header"), pl.col("_old").alias("old"),
            pl.col("_new").alias("new"), pl.lit(False).alias("added")))
    frame = debtors.frame.with_columns(merged_columns).select(ROW, *debtors.headers, *added_headers)
    if "iban" in updated and "bic" in deb_map.found:
        bic_given = (joined.filter(parse.text("_u:bic").is_not_null())[ROW] if "bic" in updated
                     else pl.Series([], dtype=pl.Int64))
        frame, bic_changes = _bic_follows_iban(frame, changes[updated.index("iban")], deb_map.found["bic"],
                                               bic_given)
        changes.append(bic_changes)

    if unknown.height:
        new_rows, new_changes = _added_rows(unknown, updated, headers, upd_map.found, last_row)
        frame = pl.concat([frame, new_rows.select(
            pl.col(h) if h in new_rows.columns else pl.lit(None, pl.Utf8).alias(h)
            for h in frame.columns)], how="vertical_relaxed")
        changes.append(new_changes)
    changes_frame = _sorted_changes(changes)
    # A column the debtors sheet lacks is only added when the update fills it somewhere.
    filled = set(changes_frame["header"].unique().to_list())
    frame = frame.drop([h for h in added_headers if h not in filled])
    added_headers = tuple(h for h in added_headers if h in filled)

    merged = replace(debtors, headers=[*debtors.headers, *added_headers], frame=frame,
                     numeric_columns=frozenset(numeric))
    checked, check_issues = check_debtors(merged, today, default_scheme)
    check_issues, caused = _mandate_duplicates(check_issues, changes_frame, checked.typed, debtors, updates)
    issues += _at_iban_cell(_repointed(check_issues, changes_frame, updates), changes_frame, updates)
    issues += caused
    issues += _look_alikes(frame, changes_frame, deb_map.found, upd_map.found, last_row, debtors, updates)
    issues += _unencodable(changes_frame, debtors, updates)
    issues += _mandates_of_others(changes_frame, checked.typed, mandates, updates)
    originals = _original_mandates(debtors, changes_frame, mandates, today, default_scheme)
    known = originals if mandates is None else pl.concat([mandates, originals])
    changes_frame = _bic_notes(_with_notes(changes_frame, checked.typed, known))
    return UpdateResult(merged, changes_frame, issues, added_headers, last_row, originals)


# --- the update sheet ---------------------------------------------------------------------

def _update_frame(updates: RawSheet, found: dict[str, str]) -> pl.DataFrame:
    return updates.frame.select(
        pl.col(ROW).alias("_urow"),
        parse.text(found["debtor_id"]).alias("_key"),
        pl.col(found["debtor_id"]).alias("_key_text"),
        *[pl.col(h).alias(f"_u:{c}") for c, h in found.items() if c != "debtor_id"],
    )


def _update_row_issues(upd: pl.DataFrame, id_header: str, updates: RawSheet) -> list[Issue]:
    """An update row without a debtor number, or with one that an earlier row had."""
    where = {"file": updates.file, "sheet": updates.sheet, "column": id_header}
    found = parse.with_first_rows(upd.select("_urow", "_key", "_key_text"), "_urow",
                                  _first=identity_key_expr(pl.col("_key")))
    missing = found.filter(pl.col("_key").is_null())
    twice = found.filter(pl.col("_first").is_not_null() & (pl.col("_first") != pl.col("_urow")))
    return ([issue("debtor-id-missing", row=row, value=text, **where)
             for row, text in missing.select("_urow", "_key_text").iter_rows()]
            + [issue("update-debtor-duplicate", row=row, value=key, other_row=first, path=updates.file,
                     **where)
               for row, key, first in twice.select("_urow", "_key", "_first").iter_rows()])


# --- merging ------------------------------------------------------------------------------

def _normal(column: str, name: str, numeric: bool) -> pl.Expr:
    """A cell's value in the form the checks read it, to tell a change from a re-spelling.
    Text that does not read (an invalid date) compares as the text itself."""
    text = parse.text(name)
    if column == "iban":
        value = _iban_key(text)
    elif column == "bic":
        value = text.str.replace_all(r"\s", "").str.to_uppercase()
    elif column == "direct_debit":
        value = parse.yes_no(name).cast(pl.Utf8)
    elif column in DATE_COLUMNS:
        value = parse.date(name, numeric).cast(pl.Utf8)
    elif column == "scheme":
        value = parse.code(name, schemas.SCHEMES)
    elif column == "sequence":
        value = parse.code(name, schemas.SEQUENCES)
    elif column == "country":
        value = text.str.to_uppercase()
    else:
        value = text
    return pl.coalesce(value, text)


def _iban_key(text: pl.Expr) -> pl.Expr:
    """An IBAN as schemas.prepare_debtors reads it: no spaces, dots or dashes, upper case."""
    return text.str.replace_all(r"[\s\u00a0.\-]", "").str.to_uppercase()


def _clears(given: pl.Expr) -> pl.Expr:
    """True where an update cell says "clear": a lone `-` or a look-alike dash."""
    return given.str.contains(CLEARS)
def meanings(column: str, texts: list[str]) -> list[str | None]:
    """What each text means in debtor column `column`, as the checks read it (`no` and
    `nee` both mean false, `Zakelijk` and `B2B` the same scheme): to write a value in the
    spelling of a sheet's dropdown."""
    if column not in ORDER:
        return [None] * len(texts)
    frame = pl.DataFrame({"_v": texts}, schema={"_v": pl.Utf8})
    return frame.select(_normal(column, "_v", False).alias("_m"))["_m"].to_list()


def _changed_cells(joined: pl.DataFrame, column: str, old: pl.Expr, numeric: bool) -> pl.DataFrame:
    """Per debtor row: `_old`, `_new` (the text after the update) and `_changed`."""
    given = parse.text(f"_u:{column}")
    cells = joined.select(
        pl.col(ROW), pl.col("_urow"), pl.col("_key"), old.alias("_old"),
        pl.when(_clears(given)).then(pl.lit(None, pl.Utf8)).otherwise(given).alias("_new"),
        given.is_not_null().alias("_given"))
    return cells.with_columns(
        _changed=pl.col("_given") & _normal(column, "_new", numeric).ne_missing(
            _normal(column, "_old", numeric)))


def _added_rows(unknown: pl.DataFrame, updated: list[str], headers: dict[str, str],
                found: dict[str, str], last_row: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Debtors the debtors sheet does not have (`add_new`): rows after the last one."""
    rows = unknown.with_row_index("_n").with_columns(
        (pl.col("_n").cast(pl.Int64) + last_row + 1).alias(ROW))
    values = {"debtor_id": pl.col("_key")}
    for c in updated:
        given = parse.text(f"_u:{c}")
        values[c] = pl.when(_clears(given)).then(pl.lit(None, pl.Utf8)).otherwise(given)
    new_rows = rows.select(pl.col(ROW), *[e.alias(headers[c]) for c, e in values.items()])
    changes = pl.concat([
        rows.select(pl.col(ROW), pl.col("_urow").alias("update_row"),
                    pl.col("_key").alias("debtor_id"), pl.lit(c).alias("column"),
                    pl.lit(headers[c]).alias("header"), pl.lit(found[c]).alias("update_header"),
                    pl.lit(None, pl.Utf8).alias("old"), e.alias("new"), pl.lit(True).alias("added"))
        for c, e in values.items()
    ]).filter(pl.col("new").is_not_null())
    return new_rows, changes


def _sorted_changes(parts: list[pl.DataFrame]) -> pl.DataFrame:
    frame = pl.concat([p.cast({k: CHANGES[k] for k in p.columns}) for p in parts]) if parts else \
        pl.DataFrame(schema={k: v for k, v in CHANGES.items() if k not in ("note", "note_detail")})
    order = pl.col("column").replace_strict(ORDER, return_dtype=pl.Int64)
    return frame.sort(["update_row", order]).with_columns(
        note=pl.when(pl.col("added")).then(pl.lit(ADDED)).otherwise(pl.lit(None, pl.Utf8)),
        note_detail=pl.lit(None, pl.Utf8))


# --- issues -------------------------------------------------------------------------------

def _repointed(check_issues: list[Issue], changes: pl.DataFrame, updates: RawSheet) -> list[Issue]:
    """Issues at a cell the update changed move to that cell of the update sheet; those in an
    added debtor's row move to its row there. Warnings about untouched cells, and the
    debtors sheet's own header warnings, are left out: they are `incasso check`'s business."""
    if not check_issues:
        return []
    cells = {(r, h): (u, uh) for r, h, u, uh in
             changes.select(ROW, "header", "update_row", "update_header").iter_rows()}
    added = changes.filter(pl.col("added"))
    added_rows = dict(added.select(ROW, "update_row").unique(ROW).iter_rows())
    update_header = dict(added.select("header", "update_header").unique("header").iter_rows())
    out: list[Issue] = []
    for i in check_issues:
        moved = cells.get((i.row, i.column))
        if moved is not None:
            out.append(i.at(file=updates.file, sheet=updates.sheet, row=moved[0], column=moved[1]))
        elif i.row in added_rows:
            out.append(i.at(file=updates.file, sheet=updates.sheet, row=added_rows[i.row],
                            column=update_header.get(i.column, i.column)))
        elif i.severity == ERROR:
            out.append(i)
    return out


def _unencodable(changes: pl.DataFrame, debtors: RawSheet, updates: RawSheet) -> list[Issue]:
    """A CSV in Windows-1252 cannot hold every character; say which cell, before writing."""
    dialect = debtors.dialect
    if dialect is None or dialect.encoding.replace("-", "").lower() in ("utf8", "utf16"):
        return []

    def fits(value: str) -> bool:
        try:
            value.encode(dialect.encoding)
        except UnicodeEncodeError:
            return False
        return True

    values = changes["new"].drop_nulls().unique().to_list()
    bad = [v for v in values if not fits(v)]
    if not bad:
        return []
    rows = changes.filter(pl.col("new").is_in(bad))
    return [issue("update-not-encodable", file=updates.file, sheet=updates.sheet, row=row,
                  column=header, value=value, encoding=dialect.encoding, path=debtors.file,
                  characters=" ".join(dict.fromkeys(ch for ch in value if not fits(ch))))
            for row, header, value in rows.select("update_row", "update_header", "new").iter_rows()]


def _mandate_duplicates(check_issues: list[Issue], changes: pl.DataFrame, typed: pl.DataFrame,
                        debtors: RawSheet, updates: RawSheet) -> tuple[list[Issue], list[Issue]]:
    """A mandate reference used twice because of the update points at the change-file cell
    that caused it (`update-mandate-id-duplicate`), naming the other debtor, its row and its
    file; the check reports the later row, which may be the innocent debtor's. Duplicates the
    update did not cause stay as they are (the debtors sheet's own error)."""
    code = "mandate-id-duplicate"
    if not any(i.code == code for i in check_issues):
        return check_issues, []
    cells = {(r, h): (u, uh, new) for r, h, u, uh, new in changes.filter(
        pl.col("column") == "mandate_id").select(ROW, "header", "update_row", "update_header", "new").iter_rows()}
    owner = dict(typed.select(ROW, "debtor_id").iter_rows())
    kept, caused = [], []
    for i in check_issues:
        other = int(dict(i.params).get("other_row") or 0) if i.code == code else 0
        mine, theirs = cells.get((i.row, i.column)), cells.get((other, i.column))
        if i.code != code or (mine is None and theirs is None):
            kept.append(i)
        elif mine is not None:  # the other side: its change-file row if the update set it too
            path, row = (updates.file, theirs[0]) if theirs is not None else (debtors.file, other)
            caused.append(issue("update-mandate-id-duplicate", file=updates.file, sheet=updates.sheet,
                                row=mine[0], column=mine[1], value=i.value, other=owner.get(other, ""),
                                other_row=row, path=path))
        else:  # the check reported the innocent debtor: point at the change that caused it
            caused.append(issue("update-mandate-id-duplicate", file=updates.file, sheet=updates.sheet,
                                row=theirs[0], column=theirs[1], value=theirs[2],
                                other=owner.get(i.row, ""), other_row=i.row, path=debtors.file))
    return kept, list({(i.row, i.column, i.params): i for i in caused}.values())


def _look_alikes(frame: pl.DataFrame, changes: pl.DataFrame, deb_found: dict[str, str],
                 upd_found: dict[str, str], last_row: int, debtors: RawSheet,
                 updates: RawSheet) -> list[Issue]:
    """A new debtor (`add_new`) that looks like one the debtors sheet has: the same number
    but for leading zeros (an error: by identity.py they are one debtor, and the change
    meant for it would silently not happen), the same IBAN or the same name (warnings:
    family members share an account, two people share a name)."""
    added = changes.filter(pl.col("added"))
    if added.height == 0:
        return []
    c = pl.col
    update_row = dict(added.select(ROW, "update_row").unique(ROW).iter_rows())
    kinds = [("debtor_id", "update-new-same-number", ERROR, identity_key_expr(parse.text(deb_found["debtor_id"]))),
             ("iban", "update-new-same-iban", WARNING, _iban_key(parse.text(deb_found.get("iban", "")))),
             ("name", "update-new-same-name", WARNING,
              parse.text(deb_found.get("name", "")).str.to_lowercase().str.replace_all(r"\s+", ""))]
    out: list[Issue] = []
    for column, code, severity, key in kinds:
        if column not in deb_found or column not in upd_found:
            continue
        keyed = frame.select(c(ROW), parse.text(deb_found["debtor_id"]).alias("_id"),
                             parse.text(deb_found[column]).alias("_value"), key.alias("_k"))
        existing = (keyed.filter((c(ROW) <= last_row) & c("_k").is_not_null())
                    .unique("_k", keep="first", maintain_order=True)
                    .select(c("_k"), c(ROW).alias("_other_row"), c("_id").alias("_other")))
        hits = keyed.filter(c(ROW) > last_row).join(existing, on="_k", how="inner", maintain_order="left")
        out += [issue(code, severity, file=updates.file, sheet=updates.sheet, row=update_row[row],
                      column=upd_found[column], value=value, debtor=debtor, other=other,
                      other_row=other_row, path=debtors.file)
                for row, debtor, value, other, other_row in hits.select(
                    ROW, "_id", "_value", "_other", "_other_row").iter_rows()]
    return out


# --- amendments ---------------------------------------------------------------------------

def _bic_follows_iban(frame: pl.DataFrame, iban_changes: pl.DataFrame, bic_header: str,
                      bic_given: pl.Series) -> tuple[pl.DataFrame, pl.DataFrame]:
    """An IBAN that moves to another bank (sequence.same_bank) takes its new bank's BIC, as the
    registry derives it, or none: the old bank's BIC is never kept. A BIC the update gives
    for the debtor is the user's, and stays. The BIC change points at the update's IBAN
    cell (its `update_header`), the cause of it: an issue about it is shown there."""
    c = pl.col
    old_bic = parse.text(bic_header).str.replace_all(r"\s", "").str.to_uppercase()
    moved = (iban_changes.filter(~c(ROW).is_in(bic_given.implode()))
             .join(frame.select(ROW, parse.text(bic_header).alias("_old_bic_text"), old_bic.alias("_old_bic")),
                   on=ROW, how="inner", maintain_order="left")
             .filter(c("_old_bic").is_not_null() & c("new").is_not_null() & c("old").is_not_null())
             .with_columns(_old_iban=_normal("iban", "old", False), _new_iban=_normal("iban", "new", False)))
    if moved.height:
        moved = moved.filter(~sequence.same_bank(moved["_old_iban"], moved["_new_iban"], old_bic=moved["_old_bic"]))
    derived = [identifiers.inspect_iban(iban)[1] for iban in moved["_new_iban"].to_list()]
    moved = moved.with_columns(pl.Series("_new_bic", derived, dtype=pl.Utf8))
    bic_changes = moved.select(
        c(ROW), c("update_row"), c("debtor_id"), pl.lit("bic").alias("column"), pl.lit(bic_header).alias("header"),
        c("update_header"), c("_old_bic_text").alias("old"), c("_new_bic").alias("new"), pl.lit(False).alias("added"))
    if not moved.height:
        return frame, bic_changes
    frame = frame.join(moved.select(ROW, "_new_bic", pl.lit(True).alias("_follows")), on=ROW, how="left",
                       maintain_order="left")
    return (frame.with_columns(pl.when(c("_follows")).then(c("_new_bic")).otherwise(c(bic_header)).alias(bic_header))
            .drop("_new_bic", "_follows"), bic_changes)


def _bic_notes(changes: pl.DataFrame) -> pl.DataFrame:
    """The note on a BIC that followed its IBAN (a BIC change pointing at an IBAN cell)."""
    c = pl.col
    iban_headers = changes.filter(c("column") == "iban")["update_header"].unique().implode()
    followed = (c("column") == "bic") & c("update_header").is_in(iban_headers)
    return changes.with_columns(
        note=pl.when(followed & c("new").is_null()).then(pl.lit(BIC_CLEARED))
        .when(followed).then(pl.lit(BIC_DERIVED)).otherwise(c("note")))


def _at_iban_cell(issues: list[Issue], changes: pl.DataFrame, updates: RawSheet) -> list[Issue]:
    """`bic-required` on a debtor whose IBAN the update changed is the new IBAN's problem:
    it is shown at that IBAN cell of the update sheet."""
    cells = {r: (u, h) for r, u, h in changes.filter(pl.col("column") == "iban")
             .select(ROW, "update_row", "update_header").iter_rows()}
    if not cells:
        return issues
    return [i.at(file=updates.file, sheet=updates.sheet, row=cells[i.row][0], column=cells[i.row][1])
            if i.code == "bic-required" and i.file != updates.file and i.row in cells else i
            for i in issues]


def _mandates_of_others(changes: pl.DataFrame, typed: pl.DataFrame, mandates: pl.DataFrame | None,
                        updates: RawSheet) -> list[Issue]:
    """A new mandate reference the ledger knows for another debtor, refused at its cell."""
    touched = changes.filter(pl.col("column") == "mandate_id")
    if mandates is None or mandates.height == 0 or touched.height == 0:
        return []
    from incasso_sheets.collect.select import mandates_of_others

    subject = typed.filter(pl.col(ROW).is_in(touched[ROW].implode()))
    found = mandates_of_others(subject, mandates).join(
        touched.select(ROW, "update_row", "update_header"), on=ROW, how="inner")
    return [issue("mandate-id-other-debtor", file=updates.file, sheet=updates.sheet, row=row, column=header,
                  value=mandate_id, other=other)
            for row, header, mandate_id, other in found.select(
                "update_row", "update_header", "mandate_id", "other_debtor").iter_rows()]


def _original_mandates(debtors: RawSheet, changes: pl.DataFrame, mandates: pl.DataFrame | None,
                       today: dt.date, default_scheme: str) -> pl.DataFrame:
    """The sheet's old values of the mandates whose IBAN or reference the update changes,
    where the ledger knows neither the debtor nor the mandate, and the sheet says the
    mandate was used (`Laatste incasso`: history taken over from another system). For the
    ledger knows nothing else, those ARE the original values the next collection must
    send the amendment against (docs/sepa.md §3); the update records them in the ledger
    (history source 'sheet'), where collect reads them like its own."""
    from incasso_sheets.collect.select import HISTORY_MANDATES

    c = pl.col
    empty = pl.DataFrame(schema=HISTORY_MANDATES)
    rows = changes.filter(c("column").is_in(["iban", "mandate_id"]) & ~c("added"))[ROW].unique()
    if rows.len() == 0:
        return empty
    mapping = columns.map_headers(debtors.headers, columns.DEBTOR_COLUMNS)
    last = mapping.found.get("last_collection_date")
    if last is None:  # no history in the sheet: nothing to keep
        return empty
    numeric = frozenset(k for k, h in mapping.found.items() if h in debtors.numeric_columns)
    subset = debtors.frame.filter(c(ROW).is_in(rows.implode()) & parse.text(last).is_not_null())
    frame = schemas.with_columns(subset, mapping.found, schemas.DEBTOR_TEXT)
    old = schemas.typed_debtors(schemas.prepare_debtors(frame, numeric), default_scheme).filter(
        c("last_collection_date").is_not_null() & c("mandate_key").is_not_null() & c("iban").is_not_null()
        & c("debtor_id").is_not_null())
    if mandates is not None and mandates.height:
        debtor_keys = mandates.select(identity_key_expr(c("debtor_id")).drop_nulls())["debtor_id"]
        old = old.filter(~identity_key_expr(c("debtor_id")).is_in(debtor_keys.implode())
                         & ~c("mandate_key").is_in(mandates["mandate_key"].implode()))
    return old.unique("mandate_key", keep="first", maintain_order=True).select(
        "mandate_key", "mandate_id", "debtor_id", "iban", "mandate_date", "last_collection_date",
        pl.lit(MandateStatus.ACTIVE.value).alias("status"), pl.lit(None, pl.Utf8).alias("status_reason"),
        pl.lit(True).alias("used"), pl.lit(False).alias("used_up"),
        pl.lit("sheet").alias("history_source")).cast(HISTORY_MANDATES)


def _with_notes(changes: pl.DataFrame, typed: pl.DataFrame, mandates: pl.DataFrame | None) -> pl.DataFrame:
    """Note on a changed IBAN or mandate id what the next collection will send (docs/sepa.md §3), by
    running collect's own detection (collect.select, sepa.sequence) on the merged sheet."""
    touched = changes.filter(pl.col("column").is_in(["iban", "mandate_id"]))
    if mandates is None or mandates.height == 0 or touched.height == 0:
        return changes
    from incasso_sheets.collect.select import History, history_columns
    from incasso_sheets.sepa.sequence import with_amendments

    rows = touched[ROW].unique().implode()
    subject = typed.filter(pl.col(ROW).is_in(rows) & pl.col("debtor_id").is_not_null())
    history = replace(History.empty(), mandates=mandates)
    f = with_amendments(history_columns(subject, history))
    c = pl.col
    new_mandate = (c("k_mandate_id").is_null() & c("d_mandate_id").is_not_null()
                   & c("prev_mandate_id").is_null())
    notes = f.select(
        c(ROW),
        pl.when(c("smnda")).then(pl.lit(SMNDA))
        .when(c("original_iban").is_not_null()).then(pl.lit(ORIGINAL_IBAN)).alias("_iban_note"),
        c("original_iban").alias("_iban_detail"),
        pl.when(c("original_mandate_id").is_not_null()).then(pl.lit(ORIGINAL_MANDATE_ID))
        .when(new_mandate).then(pl.lit(NEW_MANDATE)).alias("_mandate_note"),
        c("original_mandate_id").alias("_mandate_detail"),
    ).unique(ROW, keep="first")
    joined = changes.join(notes, on=ROW, how="left", maintain_order="left")
    is_iban, is_mandate = c("column") == "iban", c("column") == "mandate_id"
    return joined.with_columns(
        note=pl.when(is_iban & c("_iban_note").is_not_null()).then(c("_iban_note"))
        .when(is_mandate & c("_mandate_note").is_not_null()).then(c("_mandate_note"))
        .otherwise(c("note")),
        note_detail=pl.when(is_iban & c("_iban_note").is_not_null()).then(c("_iban_detail"))
        .when(is_mandate & c("_mandate_note").is_not_null()).then(c("_mandate_detail"))
        .otherwise(c("note_detail")),
    ).select(list(CHANGES))
