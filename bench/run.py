"""Benchmarks: throughput of incasso-sheets against the targets of the performance issue.

    python bench/run.py                          # every benchmark, full sizes
    python bench/run.py --quick                  # a tenth of the rows, targets scaled
    python bench/run.py --only check-csv         # one benchmark (repeatable option)
    python bench/run.py --only check-csv --phases --profile   # where the time goes

Input sheets are generated once by bench/generate.py and cached under bench/data/
(git-ignored). Each benchmark runs in its own Python process, so its peak RSS is its own;
inside that process the library is imported first and the call is timed in-process, best of
a few runs. A benchmark is a function registered with @benchmark that returns a Measurement;
add collect, clear or debtor-update benchmarks the same way.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DATA = BENCH / "data"
sys.path.insert(0, str(BENCH))

# Before polars (generate imports it): the package sets polars' allocator up when it is
# loaded first, as it is by the `incasso` command (incasso_sheets/__init__.py).
import incasso_sheets  # noqa: E402, F401

# isort: split
from generate import Params  # noqa: E402

TODAY = dt.date(2026, 11, 27)
QUICK_FACTOR = 10


@dataclass(frozen=True)
class Options:
    quick: bool = False
    phases: bool = False
    profile: bool = False
    repeat: int | None = None   # None: the benchmark's own default
    with_sepaxml_1m: bool = False  # collect-1m-no-xsd: measure sepaxml again (~90 s, 4 GB)


@dataclass
class Measurement:
    rows: int
    times: list[float]          # wall seconds per run
    cpu_times: list[float] = field(default_factory=list)  # CPU seconds per run, all threads
    notes: list[str] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    base_rss_mb: float = 0.0    # after imports, before the first run

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def best_cpu(self) -> float:
        return min(self.cpu_times) if self.cpu_times else float("nan")


@dataclass(frozen=True)
class Benchmark:
    name: str
    description: str
    fn: Callable[[Options], Measurement]
    target_seconds: float | None = None   # at full size
    target_rows: int | None = None        # rows the target is for, to scale it for --quick


BENCHMARKS: list[Benchmark] = []


def benchmark(name: str, description: str, target_seconds: float | None = None,
              target_rows: int | None = None):
    def register(fn: Callable[[Options], Measurement]) -> Callable[[Options], Measurement]:
        BENCHMARKS.append(Benchmark(name, description, fn, target_seconds, target_rows))
        return fn
    return register


# --- data ---------------------------------------------------------------------------------

def dataset(invoices: int, debtors: int, fmt: str, error_rate: float = 0.0, *,
            quick: bool = False) -> tuple[Path, Path, dict]:
    """The two sheet paths and the manifest, generated on first use and cached."""
    if quick:
        invoices, debtors = invoices // QUICK_FACTOR, max(1, debtors // QUICK_FACTOR)
    params = Params(invoices, debtors, error_rate, fmt)
    outdir = DATA / f"{fmt}-{invoices}i-{debtors}d-e{error_rate:g}-s{params.seed}"
    manifest_path = outdir / "manifest.json"
    debtors_path, invoices_path = params.paths(outdir)
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else None
    if manifest is None or manifest["params"] != asdict(params) or not (
            debtors_path.is_file() and invoices_path.is_file()):
        # In a process of its own, so that the benchmark's peak RSS is not the generator's.
        print(f"generating {outdir.relative_to(BENCH.parent)} ...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, str(BENCH / "generate.py"), str(outdir),
                        "--invoices", str(invoices), "--debtors", str(debtors),
                        "--error-rate", str(error_rate), "--format", fmt,
                        "--seed", str(params.seed)], check=True, stdout=subprocess.DEVNULL)
        manifest = json.loads(manifest_path.read_text())
        print(f"  done in {manifest['seconds']:.1f} s", file=sys.stderr, flush=True)
    return debtors_path, invoices_path, manifest


# --- measuring ----------------------------------------------------------------------------

def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def cpu_seconds() -> float:
    """CPU time of this process, all threads: steadier than wall time on a busy machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def phase_timer(out: list[tuple[int, str, float, float]]) -> Iterator[None]:
    """Time the stages of `api.check` by wrapping the functions it calls (inclusive times,
    nested calls indented). Wrapping, not copying, keeps this in step with api.py."""
    from incasso_sheets import api
    from incasso_sheets.sepa import identifiers, text
    from incasso_sheets.sheets import columns, schemas, validate

    def sheet_kind(frame) -> str:
        return "invoices" if "_number" in frame.columns else "debtors"

    targets = [
        (api, "read_sheet", lambda a, k: f"read_sheet {Path(a[0]).name}"),
        (columns, "map_headers", None),
        (schemas, "with_columns", None),
        (schemas, "prepare_debtors", None),
        (identifiers, "check_ibans", None),
        (schemas, "_over_distinct", lambda a, k: f"_over_distinct {a[1]}"),
        (text, "sanitise_series", lambda a, k: f"sanitise_series {a[0].name}"),
        (api, "run_rules", lambda a, k: f"run_rules {sheet_kind(a[0])}"),
        (validate, "failing_rows", lambda a, k: f"failing_rows (pandera) {sheet_kind(a[0])}"),
        (schemas, "typed_debtors", None),
        (schemas, "prepare_invoices", None),
        (schemas, "typed_invoices", None),
    ]
    depth = 0

    def wrap(name, fn, label):
        def timed(*args, **kwargs):
            nonlocal depth
            slot = len(out)
            try:
                text_ = label(args, kwargs) if label else name
            except Exception:  # a changed signature must not stop the benchmark
                text_ = name
            out.append((depth, text_, 0.0, 0.0))
            depth += 1
            wall, cpu = time.perf_counter(), cpu_seconds()
            try:
                return fn(*args, **kwargs)
            finally:
                depth -= 1
                out[slot] = (*out[slot][:2], time.perf_counter() - wall, cpu_seconds() - cpu)
        return timed

    # Names that have gone from the library are skipped, not an error.
    targets = [t for t in targets if hasattr(t[0], t[1])]
    saved = [(module, name, getattr(module, name)) for module, name, _ in targets]
    try:
        for module, name, label in targets:
            setattr(module, name, wrap(name, getattr(module, name), label))
        yield
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


def print_phases(phases: list[tuple[int, str, float, float]], wall: float, cpu: float) -> None:
    print(f"\nphases of one check (inclusive; total {wall:.2f} s wall, {cpu:.2f} s CPU)",
          file=sys.stderr)
    print(f"  {'':<48} {'wall s':>8} {'share':>6} {'CPU s':>8}", file=sys.stderr)
    top_wall = top_cpu = 0.0
    for depth, label, seconds, cpu_s in phases:
        if depth == 0:
            top_wall, top_cpu = top_wall + seconds, top_cpu + cpu_s
        share = seconds / wall * 100 if wall else 0
        print(f"  {'  ' * depth}{label:<{48 - 2 * depth}} {seconds:8.3f} {share:5.1f}% {cpu_s:8.3f}",
              file=sys.stderr)
    print(f"  {'(rest of check)':<48} {wall - top_wall:8.3f} {'':>6} {cpu - top_cpu:8.3f}",
          file=sys.stderr)


def print_profile(profiler: cProfile.Profile, lines: int = 35) -> None:
    for key in ("cumulative", "tottime"):
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer).strip_dirs().sort_stats(key)
        stats.print_stats(lines)
        text = buffer.getvalue()
        print(f"\ncProfile, sorted by {key} (top {lines}):", file=sys.stderr)
        print(text[text.find("   ncalls"):], file=sys.stderr)


def measure_check(debtors: Path, invoices: Path, options: Options, repeat: int):
    """Time api.check on the two sheets: returns the Measurement and the last result."""
    from incasso_sheets import api

    base = rss_mb()
    times: list[float] = []
    cpu_times: list[float] = []
    result = None
    for _ in range(options.repeat or repeat):
        result = None  # let the previous result go before the next run
        start, cpu = time.perf_counter(), cpu_seconds()
        result = api.check(debtors, invoices, today=TODAY)
        times.append(time.perf_counter() - start)
        cpu_times.append(cpu_seconds() - cpu)
    measurement = Measurement(rows=result.rows, times=times, cpu_times=cpu_times, base_rss_mb=base)
    if options.phases:
        phases: list[tuple[int, str, float, float]] = []
        start, cpu = time.perf_counter(), cpu_seconds()
        with phase_timer(phases):
            api.check(debtors, invoices, today=TODAY)
        print_phases(phases, time.perf_counter() - start, cpu_seconds() - cpu)
    if options.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        api.check(debtors, invoices, today=TODAY)
        profiler.disable()
        print_profile(profiler)
    return measurement, result


# Planted error kind -> the issue code check should give for it.
PLANTED_CODES = {"iban-checksum": "iban-invalid", "mandate-date-impossible": "date-invalid",
                 "amount-ambiguous": "amount-ambiguous", "debtor-unknown": "debtor-unknown",
                 "invoice-number-duplicate": "invoice-number-duplicate",
                 "date-impossible": "date-invalid"}


def issue_notes(result, manifest: dict) -> list[str]:
    report = result.report
    errors, warnings = report.errors, report.warnings
    planted = manifest["planted_errors"]
    notes = [f"issues: {len(report.issues):,} ({len(errors):,} errors, {len(warnings):,} warnings);"
             f" planted errors: {planted['total']:,}"]
    found = Counter((i.sheet, i.code) for i in errors)
    expected: Counter = Counter()
    for sheet_key, sheet in (("debtors", result.debtors.raw.sheet),
                             ("invoices", result.invoices.raw.sheet)):
        for kind, n in planted[sheet_key].items():
            expected[(sheet, PLANTED_CODES[kind])] += n
    for key in sorted(set(found) | set(expected)):
        mark = "" if found[key] == expected[key] else "   <-- differs"
        notes.append(f"  {key[0] + ':':<12} {key[1]:<28} found {found[key]:>7,}  planted "
                     f"{expected[key]:>7,}{mark}")
    warned = Counter(i.code for i in warnings)
    for code, n in manifest.get("expected_warnings", {}).items():
        mark = "" if warned[code] == n else "   <-- differs"
        notes.append(f"  {'warning:':<12} {code:<28} found {warned[code]:>7,}  expected {n:>7,}{mark}")
    for code, n in warned.items():
        if code not in manifest.get("expected_warnings", {}):
            notes.append(f"  {'warning:':<12} {code:<28} found {n:>7,}  expected       0   <-- differs")
    return notes


# --- the benchmarks -----------------------------------------------------------------------

@benchmark("check-csv", "check 1,000,000 invoices + 100,000 debtors from CSV",
           target_seconds=10.0, target_rows=1_100_000)
def check_csv(options: Options) -> Measurement:
    debtors, invoices, _ = dataset(1_000_000, 100_000, "csv", quick=options.quick)
    return measure_check(debtors, invoices, options, repeat=2)[0]


@benchmark("check-xlsx", "check 100,000 invoices + 10,000 debtors from .xlsx",
           target_seconds=5.0, target_rows=110_000)
def check_xlsx(options: Options) -> Measurement:
    debtors, invoices, _ = dataset(100_000, 10_000, "xlsx", quick=options.quick)
    return measure_check(debtors, invoices, options, repeat=3)[0]


@benchmark("check-csv-errors", "as check-csv, 1 % of the rows with one error (one run)")
def check_csv_errors(options: Options) -> Measurement:
    debtors, invoices, manifest = dataset(1_000_000, 100_000, "csv", 0.01, quick=options.quick)
    measurement, result = measure_check(debtors, invoices, options, repeat=1)
    measurement.notes = issue_notes(result, manifest)
    return measurement


@benchmark("check-xlsx-errors", "as check-xlsx, 1 % of the rows with one error (one run)")
def check_xlsx_errors(options: Options) -> Measurement:
    debtors, invoices, manifest = dataset(100_000, 10_000, "xlsx", 0.01, quick=options.quick)
    measurement, result = measure_check(debtors, invoices, options, repeat=1)
    measurement.notes = issue_notes(result, manifest)
    return measurement


# --- debtors update -------------------------------------------------------------------------

UPDATE_DEBTORS, UPDATE_CHANGES = 100_000, 10_000


def update_sheets(fmt: str, quick: bool) -> tuple[Path, Path]:
    """The debtors sheet (100,000 debtors) and an update CSV changing every tenth debtor:
    half of them a new IBAN and BIC at another bank, half an e-mail address and street."""
    from generate import FIRST_DEBTOR_ID, make_iban

    debtors, _, _ = dataset(1_000, UPDATE_DEBTORS, fmt, quick=quick)
    count = UPDATE_CHANGES // (QUICK_FACTOR if quick else 1)
    updates = debtors.parent / f"wijzigingen-{count}.csv"
    if not updates.is_file():
        lines = ["Debiteurnummer;IBAN;BIC;E-mail;Straat"]
        for k in range(count):
            debtor = FIRST_DEBTOR_ID + 10 * k
            if k % 2 == 0:
                lines.append(f"{debtor};{make_iban('NL', f'RABO{k:010d}')};RABONL2U;;")
            else:
                lines.append(f"{debtor};;;nieuw.{debtor}@example.com;Nieuwe Weg {k}")
        updates.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return debtors, updates


def measure_update(debtors: Path, updates: Path, options: Options, repeat: int) -> Measurement:
    """Time api.update_debtors (read, merge, check, write the new sheet) without a ledger."""
    from incasso_sheets import api

    output = DATA / "update-out" / f"debiteuren-nieuw{debtors.suffix}"
    output.parent.mkdir(parents=True, exist_ok=True)
    base = rss_mb()
    times: list[float] = []
    cpu_times: list[float] = []
    result = None
    for _ in range(options.repeat or repeat):
        output.unlink(missing_ok=True)
        start, cpu = time.perf_counter(), cpu_seconds()
        result = api.update_debtors(debtors, updates, output, TODAY)
        times.append(time.perf_counter() - start)
        cpu_times.append(cpu_seconds() - cpu)
    report = result.report
    notes = [f"{result.changes.height:,} changed cells in {result.changed_debtors:,} debtors "
             f"({result.rows:,} update rows); {len(report.errors):,} errors; written: {result.written}"]
    notes += [f"  {i.file}:{i.row}:{i.column} {i.code}" for i in report.errors[:5]]
    if options.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        api.update_debtors(debtors, updates, output, TODAY)
        profiler.disable()
        print_profile(profiler)
    return Measurement(rows=UPDATE_DEBTORS // (QUICK_FACTOR if options.quick else 1), times=times,
                       cpu_times=cpu_times, notes=notes, base_rss_mb=base)


@benchmark("update-csv", "debtors update: 100,000 debtors (CSV), 10,000 of them changed",
           target_seconds=5.0, target_rows=UPDATE_DEBTORS)
def update_csv(options: Options) -> Measurement:
    return measure_update(*update_sheets("csv", options.quick), options, repeat=2)


@benchmark("update-xlsx", "debtors update: 100,000 debtors (.xlsx), 10,000 of them changed",
           target_seconds=20.0, target_rows=UPDATE_DEBTORS)
def update_xlsx(options: Options) -> Measurement:
    return measure_update(*update_sheets("xlsx", options.quick), options, repeat=2)


# --- clear ------------------------------------------------------------------------------------

CLEAR_INVOICES, CLEAR_RETURNS = 1_000_000, 0.01
CLEAR_NOW = dt.datetime(2027, 1, 8, 9, 0)


def clear_data(quick: bool) -> tuple[Path, dict]:
    """The collected ledger and the bank's answer for the 1M (or 100k) invoices data set,
    made by generate_bank.py (collect without XSD, then the camt files) and cached."""
    debtors, invoices, _ = dataset(1_000_000, 100_000, "csv", quick=quick)
    outdir = DATA / f"clear-{invoices.parent.name}-r{CLEAR_RETURNS:g}"
    manifest_path = outdir / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else None
    params = {"version": 1, "debtors": str(debtors), "invoices": str(invoices),
              "returns": CLEAR_RETURNS, "seed": 1}
    if manifest is None or manifest["params"] != params:
        print(f"generating {outdir.relative_to(BENCH.parent)} (collect, then camt files) ...",
              file=sys.stderr, flush=True)
        subprocess.run([sys.executable, str(BENCH / "generate_bank.py"), str(outdir),
                        "--debtors", str(debtors), "--invoices", str(invoices),
                        "--returns", str(CLEAR_RETURNS), "--seed", "1"],
                       check=True, stdout=subprocess.DEVNULL)
        manifest = json.loads(manifest_path.read_text())
        print(f"  done: collect {manifest['collect_seconds']} s, camt files "
              f"{manifest['bank_files_seconds']} s", file=sys.stderr, flush=True)
    return outdir, manifest


def clear_mt940_data(quick: bool) -> tuple[Path, dict]:
    """clear_data's collected ledger, and its answer as one MT940 statement (bank/mt940.940,
    one booking per collected transaction; bank/mt940-batch.940, one per collection block),
    written by generate_bank.py --mt940-only."""
    outdir, manifest = clear_data(quick)
    from generate_bank import MT940_VERSION

    wanted = ("mt940.940", "mt940-batch.940")
    if manifest.get("mt940_version") != MT940_VERSION or manifest.get("mt940_batch_version") != MT940_VERSION \
            or not all((outdir / "bank" / name).is_file() for name in wanted):
        print(f"generating {outdir.relative_to(BENCH.parent)}/bank/mt940.940 ...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, str(BENCH / "generate_bank.py"), str(outdir), "--mt940-only"], check=True, stdout=subprocess.DEVNULL)
        manifest = json.loads((outdir / "manifest.json").read_text())
    return outdir, manifest


def measure_clear(options: Options, source: Path, files: tuple[Path, ...], input_note: str) -> Measurement:
    """Time api.clear on `files`, each run on a fresh copy of the collected ledger."""
    import shutil
    from collections import Counter

    from incasso_sheets import api
    from incasso_sheets.clearing.run import ClearRequest
    from incasso_sheets.ledger import store as ledger

    work = DATA / "clear-work"

    def fresh_request() -> ClearRequest:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        for name in ("incasso.toml", "incasso.db"):
            shutil.copy(source / name, work / name)
        # A ledger cached by an older version is brought to the current schema here, not
        # in the timed run: that is a one-off of the upgrade, not of clearing.
        with ledger.Ledger.open(work / "incasso.db"):
            pass
        return ClearRequest(files=files, outdir=work / "out", now=CLEAR_NOW,
                            config=work / "incasso.toml")

    base = rss_mb()
    times: list[float] = []
    cpu_times: list[float] = []
    result = None
    for _ in range(options.repeat or 2):
        result = None
        request = fresh_request()  # not timed: copying the ledger
        start, cpu = time.perf_counter(), cpu_seconds()
        result = api.clear(request)
        times.append(time.perf_counter() - start)
        cpu_times.append(cpu_seconds() - cpu)
    booked = Counter(e.kind for e in result.booked)
    cleared = sum(1 for _, balance in result.balances if balance == 0)
    notes = [
        input_note,
        "booked: " + ", ".join(f"{n:,} {kind}" for kind, n in sorted(booked.items()))
        + f"; unmatched {len(result.outcome.unmatched):,}; batches at suspense 0: "
        f"{cleared} of {len(result.balances)}",
        "files: " + ", ".join(f"{p.name} ({p.stat().st_size / 1e6:,.1f} MB)" for p in result.files),
    ]
    if options.profile:
        request = fresh_request()
        profiler = cProfile.Profile()
        profiler.enable()
        api.clear(request)
        profiler.disable()
        print_profile(profiler)
    return Measurement(rows=CLEAR_INVOICES // (QUICK_FACTOR if options.quick else 1), times=times,
                       cpu_times=cpu_times, notes=notes, base_rss_mb=base)


@benchmark("clear-1m", "clear a camt.053 paying out 1,000,000 collected invoices (one entry "
           "per batch, every transaction as TxDtls) and a camt.054 with 1 % returns",
           target_seconds=20.0, target_rows=CLEAR_INVOICES)
def clear_1m(options: Options) -> Measurement:
    source, manifest = clear_data(options.quick)
    files = (source / "bank" / "camt053.xml", source / "bank" / "camt054.xml")
    return measure_clear(options, source, files, (
        f"{manifest['tx_details']:,} TxDtls in {manifest['payout_entries']} payout entries "
        f"({manifest['camt053_bytes'] / 1e6:,.0f} MB camt.053), {manifest['returns']:,} returns "
        f"({manifest['camt054_bytes'] / 1e6:,.1f} MB camt.054); collected in "
        f"{manifest['collect_seconds']} s (not timed)"))


@benchmark("clear-mt940-1m", "clear one MT940 statement (ING layout, batch booking off) paying "
           "out 1,000,000 collected invoices one booking each, then 1 % returns and their charges",
           target_seconds=20.0, target_rows=CLEAR_INVOICES)
def clear_mt940_1m(options: Options) -> Measurement:
    source, manifest = clear_mt940_data(options.quick)
    return measure_clear(options, source, (source / "bank" / "mt940.940",), (
        f"{manifest['mt940_bookings']:,} bookings ({manifest['mt940_returns']:,} returns) in one "
        f"statement, {manifest['mt940_bytes'] / 1e6:,.0f} MB; collected in "
        f"{manifest['collect_seconds']} s (not timed)"))


@benchmark("clear-mt940-batch-1m", "clear one MT940 statement (ING layout, batch booking on) paying "
           "out 1,000,000 collected invoices in one /PREF/ credit per batch, then 1 % returns and "
           "their charges", target_seconds=20.0, target_rows=CLEAR_INVOICES)
def clear_mt940_batch_1m(options: Options) -> Measurement:
    source, manifest = clear_mt940_data(options.quick)
    return measure_clear(options, source, (source / "bank" / "mt940-batch.940",), (
        f"{manifest['mt940_batch_bookings']:,} bookings ({manifest['mt940_batch_returns']:,} returns) in "
        f"one statement, {manifest['mt940_batch_bytes'] / 1e6:,.1f} MB; collected in "
        f"{manifest['collect_seconds']} s (not timed)"))


# The collect benchmarks live in bench_collect.py, which registers them here; as __main__
# this module must also be importable as `run` for that.
sys.modules.setdefault("run", sys.modules[__name__])
import bench_collect  # noqa: E402, F401

# --- running and reporting ----------------------------------------------------------------

def run_child(bench: Benchmark, options: Options) -> None:
    """Run one benchmark in this process; its Measurement goes to stdout as JSON."""
    import incasso_sheets.api  # noqa: F401  warm-up import, not timed

    measurement = bench.fn(options)
    measurement.peak_rss_mb = rss_mb()
    print(json.dumps(asdict(measurement)))


def run_isolated(bench: Benchmark, options: Options) -> Measurement | str:
    args = [sys.executable, str(Path(__file__).resolve()), "--child", bench.name]
    args += ["--quick"] * options.quick + ["--phases"] * options.phases
    args += ["--profile"] * options.profile
    args += ["--with-sepaxml-1m"] * options.with_sepaxml_1m
    if options.repeat:
        args += ["--repeat", str(options.repeat)]
    done = subprocess.run(args, stdout=subprocess.PIPE, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return f"crashed (exit {done.returncode}), see the traceback above"
    return Measurement(**json.loads(lines[-1]))


def scaled_target(bench: Benchmark, rows: int) -> float | None:
    if bench.target_seconds is None:
        return None
    if bench.target_rows is None or rows == bench.target_rows:
        return bench.target_seconds
    return bench.target_seconds * rows / bench.target_rows


def print_table(results: list[tuple[Benchmark, Measurement | str]], quick: bool) -> None:
    header = (f"{'benchmark':<18} {'rows':>10} {'best s':>8} {'first s':>8} {'CPU s':>7} {'rows/s':>10} "
              f"{'peak RSS':>9} {'target':>10} {'ratio':>6}  result")
    print("\n" + header)
    print("-" * len(header))
    for bench, m in results:
        if isinstance(m, str):
            print(f"{bench.name:<18} {m}")
            continue
        target = scaled_target(bench, m.rows)
        if target is None:
            target_text, ratio_text, verdict = "-", "-", ""
        else:
            ok = m.best <= target
            approx = "~" if target != bench.target_seconds else ""
            target_text = f"{approx}<= {target:g} s"
            ratio_text = f"{m.best / target:.2f}x"
            verdict = "PASS" if ok else "FAIL"
        print(f"{bench.name:<18} {m.rows:>10,} {m.best:>8.2f} {m.times[0]:>8.2f} {m.best_cpu:>7.2f} "
              f"{m.rows / m.best:>10,.0f} {m.peak_rss_mb:>6,.0f} MB {target_text:>10} "
              f"{ratio_text:>6}  {verdict}")
    print("\nbest s: fastest of the runs (wall); first s: the first run in a fresh process;\n"
          "CPU s: least CPU time of a run, all threads (steadier when the machine is busy);\n"
          "ratio: best / target; peak RSS: the whole benchmark process, imports included."
          + ("\n--quick: a tenth of the rows, targets scaled linearly (~)."
                         if quick else ""))
    for bench, m in results:
        if not isinstance(m, str) and m.notes:
            print(f"\n{bench.name}: {bench.description}")
            for line in m.notes:
                print(f"  {line}")


def describe_machine() -> str:
    """What the numbers were measured on: commit, Python, polars, CPUs and current load."""
    import polars

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=BENCH.parent, capture_output=True, text=True,
                              check=False)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "?"
    if git("status", "--porcelain", "--", ".", ":!bench"):
        commit += " + uncommitted changes"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    busy = ("  (busy: load above the CPU count, wall times will be high)"
            if os.getloadavg()[0] > (os.cpu_count() or 1) else "")
    return (f"incasso-sheets {commit}; Python {sys.version.split()[0]}, polars "
            f"{polars.__version__}; {os.cpu_count()} CPUs, load {load}{busy}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="run only this benchmark (repeatable): "
                             + ", ".join(b.name for b in BENCHMARKS))
    parser.add_argument("--quick", action="store_true", help="a tenth of the rows")
    parser.add_argument("--phases", action="store_true", help="time the stages of check")
    parser.add_argument("--profile", action="store_true", help="cProfile one run of check")
    parser.add_argument("--repeat", type=int, help="runs per benchmark (default: its own)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks")
    parser.add_argument("--with-sepaxml-1m", action="store_true",
                        help="collect-1m-no-xsd: run sepaxml on 1M transactions (~90 s, 4 GB) "
                             "instead of using its cached measurement")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # keep the table in order with the progress lines
    by_name = {b.name: b for b in BENCHMARKS}
    if args.list:
        for b in BENCHMARKS:
            print(f"{b.name:<18} {b.description}")
        return 0
    options = Options(args.quick, args.phases, args.profile, args.repeat, args.with_sepaxml_1m)
    if args.child:
        run_child(by_name[args.child], options)
        return 0
    unknown = [n for n in args.only or () if n not in by_name]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(by_name)}")
    chosen = [by_name[n] for n in args.only] if args.only else BENCHMARKS
    print(describe_machine(), file=sys.stderr)
    results = []
    for bench in chosen:
        print(f"running {bench.name}: {bench.description}", file=sys.stderr, flush=True)
        results.append((bench, run_isolated(bench, options)))
    print_table(results, args.quick)
    # A missed target is a result to read, not a failure of the run; a crash is.
    return 1 if any(isinstance(m, str) for _, m in results) else 0


if __name__ == "__main__":
    sys.exit(main())
