"""The parts of collect made for a million invoices behave as the plain versions would:
the XSD validated in a thread beside the rest of the run, the quick validity pass of
formats.xsd, CSV written in chunks, ledger rows made a chunk at a time."""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import sqlite3
import subprocess
import sys
from contextlib import closing, contextmanager

import polars as pl
import pytest
from test_collect import ONE_DEBTOR, Books, invoices
from test_xsd import pain008

from incasso_sheets.core.errors import CannotContinue
from incasso_sheets.formats import csvfile, xsd
from incasso_sheets.formats import pain008 as pain008_format
from incasso_sheets.ledger import store as ledger


@pytest.fixture
def books(tmp_path) -> Books:
    books = Books(tmp_path)
    books.sheets(ONE_DEBTOR, invoices("A-1;10001;01-11-2026;01-12-2026;10,00;Contributie",
                                      "A-2;10001;01-11-2026;15-12-2026;12,50;Lesgeld"))
    return books


@pytest.fixture
def invalid_xml(monkeypatch):
    """pain.008 files with one amount the XSD refuses (-10.00)."""
    original = pain008_format.write_pain008

    def write(out, message, version="pain.008.001.08"):
        buffer = io.BytesIO()
        original(buffer, message, version)
        out.write(buffer.getvalue().replace(b'Ccy="EUR">10.00<', b'Ccy="EUR">-10.00<', 1))

    monkeypatch.setattr(pain008_format, "write_pain008", write)


def ledger_rows(books: Books) -> int:
    db = books.folder / "incasso.db"
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT count(*) FROM transactions").fetchone()[0]


def test_an_invalid_file_stops_the_run_before_the_commit(books, invalid_xml):
    with pytest.raises(CannotContinue) as raised:
        books.collect()
    assert raised.value.code == "xsd-invalid"
    assert "InstdAmt" in raised.value.params["problems"]
    assert books.files() == []          # no final files and no temporary files
    assert ledger_rows(books) == 0


def test_an_invalid_file_is_reported_before_a_later_failure(books, invalid_xml, monkeypatch):
    """Validated right after writing, the file would have stopped the run first."""
    from incasso_sheets.collect import run as collect_run

    def broken(*args, **kwargs):
        raise RuntimeError("summary failed")

    monkeypatch.setattr(collect_run, "write_summary", broken)
    with pytest.raises(CannotContinue) as raised:
        books.collect()
    assert raised.value.code == "xsd-invalid"
    assert books.files() == []


def test_an_invalid_file_is_reported_before_a_ledger_failure(books, invalid_xml, monkeypatch):
    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(ledger, "record_mandates", broken)
    with pytest.raises(CannotContinue) as raised:
        books.collect()
    assert raised.value.code == "xsd-invalid"
    assert books.files() == []
    assert ledger_rows(books) == 0


def test_a_later_failure_stands_when_the_files_are_valid(books, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(ledger, "record_mandates", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        books.collect()
    assert books.files() == []


def test_no_xsd_commits_an_invalid_file(books, invalid_xml):
    result = books.collect(validate_xsd=False)
    assert result.written and ledger_rows(books) == 2


# --- the quick validity pass of formats.xsd -------------------------------------------------

def mutations(data: bytes, rng: random.Random, count: int):
    for _ in range(count):
        i = rng.randrange(len(data))
        kind = rng.randrange(6)
        if kind == 0:
            yield data[:i]
        elif kind == 1:
            yield data[:i] + data[i + 1:]
        elif kind == 2:
            yield data[:i] + bytes([rng.choice(b"<>&x;/\"' 0-9AZ\x00")]) + data[i:]
        elif kind == 3:
            lines = data.split(b"\n")
            del lines[rng.randrange(len(lines))]
            yield b"\n".join(lines)
        elif kind == 4:
            lines = data.split(b"\n")
            j = rng.randrange(len(lines))
            yield b"\n".join(lines[:j] + [lines[j]] + lines[j:])
        else:
            yield data[:i] + b"&x;" + data[i:]


@pytest.mark.parametrize("chunk_bytes", [1 << 20, 97])
def test_the_quick_pass_never_passes_a_file_the_full_scan_refuses(tmp_path, monkeypatch, chunk_bytes):
    monkeypatch.setattr(xsd, "_CHUNK_BYTES", chunk_bytes)
    rng = random.Random(chunk_bytes)
    path = tmp_path / "file.xml"
    schema = xsd.schema_for("pain.008.001.08")
    seen = set()
    for data in mutations(pain008(count=6), rng, 300):
        path.write_bytes(data)
        failing, errors, _ = xsd._scan(path, schema, 20)
        quick = xsd._is_valid(path, schema)
        assert quick == (not errors), data
        seen.add(quick)
    assert seen == {True, False}


# --- CSV in chunks, ledger rows in chunks -----------------------------------------------------

def test_csv_in_chunks_is_the_csv_in_one_piece(monkeypatch):
    frame = pl.DataFrame({"name": ["=1+1", "Jansen; B.", 'say "hi"', None, "Bakker"],
                          "amount_cents": [100, -5, 0, None, 123456]})

    def written(chunk_rows: int) -> bytes:
        monkeypatch.setattr(csvfile, "CHUNK_ROWS", chunk_rows)
        out = io.BytesIO()
        csvfile.write_csv(out, frame, ["Naam", "Bedrag"], "nl")
        return out.getvalue()

    whole = written(100)
    assert whole.startswith(b"\xef\xbb\xbfNaam;Bedrag\r\n")
    assert written(2) == whole == written(1)
    monkeypatch.setattr(csvfile, "CHUNK_ROWS", 2)
    empty = io.BytesIO()
    csvfile.write_csv(empty, frame.clear(), ["Naam", "Bedrag"], "iso")
    assert empty.getvalue() == b"Naam,Bedrag\n"


def test_ledger_tuples_in_chunks_are_the_rows():
    frame = pl.DataFrame({"a": ["x", None, "z", "w", "v"], "b": [1, 2, None, 4, 5]})
    assert list(ledger._tuples(frame, chunk_rows=2)) == frame.rows()
    assert list(ledger._tuples(frame.clear(), chunk_rows=2)) == []
    columns = [pl.col("b") * 10, pl.lit("k").alias("c")]
    assert list(ledger._tuples(frame, columns, chunk_rows=2)) == frame.select(columns).rows()


def test_blocks_keep_columns_without_a_value_as_nulls():
    """An all-null column (no amendment, no address) becomes one null per block, not a
    column of nulls: the values the XML and the ledger see are the same."""
    from test_pain008 import CREDITOR as creditor

    from incasso_sheets.collect import batching
    from incasso_sheets.core.model import TRANSACTION_SCHEMA

    rows = pl.DataFrame({name: [None, None, None] for name in TRANSACTION_SCHEMA},
                        schema=TRANSACTION_SCHEMA).with_columns(
        end_to_end_id=pl.Series(["A", "B", "C"]), amount_cents=pl.Series([1, 2, 3]),
        scheme=pl.lit("CORE"), sequence_type=pl.Series(["RCUR", "FRST", "RCUR"]),
        collection_date=pl.lit(dt.date(2026, 12, 1)), email=pl.Series(["a@x.nl", None, None]))
    blocks = [b for m in batching.build_messages(rows, creditor=creditor, created_at=dt.datetime(2026, 11, 27),
                                                 first_number=1, carry=("email",))
              for b in m.blocks]
    assert [(b.sequence_type, b.transactions["end_to_end_id"].to_list(), b.transactions["email"].to_list(),
             b.transactions["street"].to_list()) for b in blocks] == [
        ("FRST", ["B"], [None], [None]), ("RCUR", ["A", "C"], ["a@x.nl", None], [None, None])]
    assert all(dict(b.transactions.schema) == {**TRANSACTION_SCHEMA, "email": pl.Utf8} for b in blocks)


@pytest.mark.parametrize(("preset", "polars_first", "expected"), [
    (None, False, "background_thread:true,dirty_decay_ms:100,muzzy_decay_ms:0"),
    ("narenas:1", False, "narenas:1"),
    (None, True, None),  # too late: polars has set up its allocator (and the variable) already
])
def test_the_package_gives_memory_back_soon_unless_told_otherwise(preset, polars_first, expected):
    """polars' allocator is told to return freed memory after 100 ms (the 1 GB peak of a
    million-invoice collect), when the package is loaded before polars; a user's own
    setting stands."""
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    if preset:
        env["_RJEM_MALLOC_CONF"] = preset
    code = ("import polars; " if polars_first else "") + (
        "import os, incasso_sheets; print(os.environ.get('_RJEM_MALLOC_CONF'))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    if expected is None:
        assert "dirty_decay_ms:100" not in out.stdout
    else:
        assert out.stdout.strip() == expected


def ledger_state(books: Books) -> tuple[list, list, list]:
    with closing(sqlite3.connect(books.folder / "incasso.db")) as conn:
        schema = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()
        rows = [conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
                for table in ("messages", "blocks", "transactions", "mandates", "counters")]
        return schema, rows, conn.execute("PRAGMA integrity_check").fetchall()


def test_indexes_built_after_a_bulk_insert_are_the_same(tmp_path, monkeypatch):
    """A first run of more than BULK_ROWS rows drops and rebuilds the transaction indexes;
    the ledger it leaves is the one the row-by-row inserts leave."""
    states, indexes_while_inserting = [], []
    built_after = ledger._indexes_built_after

    @contextmanager
    def watched(conn, table, adding):
        with built_after(conn, table, adding):
            indexes_while_inserting.append(conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                (table,)).fetchone()[0])
            yield

    monkeypatch.setattr(ledger, "_indexes_built_after", watched)
    for bulk_rows in (10**9, 0):
        monkeypatch.setattr(ledger, "BULK_ROWS", bulk_rows)
        (tmp_path / str(bulk_rows)).mkdir()
        books = Books(tmp_path / str(bulk_rows))
        books.sheets(ONE_DEBTOR, invoices(*[f"A-{n};10001;01-11-2026;01-12-2026;10,00;" for n in range(30)]))
        assert books.collect().written
        states.append(ledger_state(books))
    assert indexes_while_inserting == [3, 0]  # the second run inserted without them
    assert states[0] == states[1]
    assert states[1][2] == [("ok",)]
    assert len(states[1][1][2]) == 30
