"""Progress: a live line on a terminal, step times with --verbose, nothing otherwise."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from incasso_sheets import cli
from incasso_sheets.runtime import progress

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
ENV = {"INCASSO_NOW": "2026-11-27T10:00:00", "LANG": "en_GB.UTF-8", "LC_ALL": None,
       "LC_MESSAGES": None}
STEP_LABELS = ("Reading the debtors", "Checking the invoices", "Writing the pain.008 files")


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_live_line_shows_bar_count_rate_and_is_wiped():
    stream, clock = io.StringIO(), Clock()
    reporter = progress.LineReporter(stream, "en", live=True, clock=clock)
    with reporter.step("write-xml", total=1000):
        clock.now += 2
        reporter.advance(500)
        reporter._draw()
    out = stream.getvalue()
    assert "\rWriting the pain.008 files  [##########..........] 500/1,000  250/s  2.00 s" in out
    assert out.endswith("\r")  # wiped: the terminal shows what it showed before
    assert out.split("\r")[-2].strip() == ""


def test_verbose_prints_each_step_time_in_the_language():
    stream, clock = io.StringIO(), Clock()
    reporter = progress.LineReporter(stream, "nl", verbose=True, clock=clock)
    with reporter.step("read-debtors"):
        clock.now += 1.5
        reporter.advance(3000)
    with reporter.step("commit"):
        clock.now += 0.25
    assert stream.getvalue() == ("Debiteuren lezen: 1,50 s (3.000 stuks, 2.000/s)\n"
                                 "Vastleggen in het ledger: 0,25 s\n")


def test_silent_reports_nothing():
    with progress.SILENT.step("read-debtors", total=3):
        progress.SILENT.advance(3)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """folder(name): a copy of the samples in tmp_path/name, made the current folder."""
    def make(name: str) -> Path:
        path = tmp_path / name
        path.mkdir()
        for sample in ("debiteuren.xlsx", "facturen.xlsx", "incasso.toml"):
            (path / sample).write_bytes((SAMPLES / sample).read_bytes())
        monkeypatch.chdir(path)
        return path
    return make


def collect(*options: str):
    return CliRunner(env=ENV).invoke(cli.main, [*options, "collect", "debiteuren.xlsx", "facturen.xlsx",
                                                "-o", "out"], catch_exceptions=False)


def test_no_progress_when_not_a_terminal(folder):
    folder("a")
    result = collect()
    assert result.exit_code == 0
    assert "\r" not in result.output
    assert "#" not in result.stderr
    assert not any(label in result.output for label in STEP_LABELS)


def test_verbose_prints_step_times_to_stderr_and_leaves_stdout_alone(folder):
    folder("a")
    plain = collect()
    folder("b")
    verbose = collect("--verbose")
    assert verbose.exit_code == 0
    assert verbose.stdout == plain.stdout
    times = verbose.stderr.splitlines()
    for label in (*STEP_LABELS, "Validating against the XSD", "Recording in the ledger"):
        assert any(line.startswith(f"{label}: ") and line.endswith("/s)") or
                   line.startswith(f"{label}: ") and line.endswith(" s") for line in times), label
    assert "\r" not in verbose.stderr


def test_a_terminal_gets_the_live_line_unless_quiet(folder, monkeypatch):
    monkeypatch.setattr(cli, "stderr_is_terminal", lambda: True)
    folder("a")
    live = collect()
    assert live.exit_code == 0
    assert "\rReading the debtors" in live.stderr
    folder("b")
    quiet = collect("-q")
    assert quiet.stderr == ""
    assert "\r" not in quiet.output
