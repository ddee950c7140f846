"""Collect benchmarks: `api.collect` end to end on generated CSV sheets, and sepaxml 2.7.0
building the same transactions.

Registered into bench/run.py (which imports this module); run them with

    python bench/run.py --only collect-100k --only collect-1m
    python bench/run.py --only collect-100k-noxsd --only collect-1m-noxsd [--with-sepaxml-1m]

Every run of `api.collect` gets a fresh ledger and output folder (incasso.db and out/
deleted), the settings of samples/incasso.toml and the clock at NOW, so that every invoice
is due in the future and collectable. The functions of the pipeline are wrapped (not
copied) to time its phases; the CPU time of a phase is that of the thread that ran it.

sepaxml runs in a process of its own (its peak RSS is its own), on the transactions the
collect run put into its files, as payment dicts made beforehand and cached: what is timed
is SepaDD(config), add_payment per transaction, export(validate=False) and writing the
bytes. For 1,000,000 invoices sepaxml needs about 85 s and 4 GB, so the 1M comparison uses
the measurement cached in bench/data/collect/ unless --with-sepaxml-1m asks for a new one.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import pickle
import shutil
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import run
from run import (
    BENCH,
    DATA,
    QUICK_FACTOR,
    Measurement,
    Options,
    benchmark,
    cpu_seconds,
    dataset,
    rss_mb,
)

NOW = dt.datetime(2026, 11, 27, 10, 0)  # invoices are due 2026-12-01 .. 2026-12-31
SETTINGS = BENCH.parent / "samples" / "incasso.toml"
WORK = DATA / "collect"
MEMORY_TARGET_MB = 1024         # 1,000,000 invoices with XSD validation
SEPAXML_RATIO_TARGET = 5.0      # collect --no-xsd at least 5x faster than sepaxml, no validation
WARMUP_INVOICES, WARMUP_DEBTORS = 1_000, 100


# --- phases -----------------------------------------------------------------------------------

@dataclass
class Phase:
    depth: int
    label: str
    wall: float = 0.0
    cpu: float = 0.0        # CPU seconds of the process's threads, less those of phases
                            # running in parallel (see phase_timer)
    thread: str = ""        # "" for the main thread
    peak_mb: float = 0.0    # the process's peak RSS so far, when the phase ended
    rss_mb: float = 0.0     # the RSS when the phase ended


TICKS = os.sysconf("SC_CLK_TCK")
PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def task_ticks() -> dict[int, int]:
    """CPU ticks (user + system) of every thread of this process, by thread id."""
    ticks = {}
    for name in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{name}/stat", "rb") as stream:
                fields = stream.read().rsplit(b")", 1)[1].split()
        except OSError:  # the thread has just ended
            continue
        ticks[int(name)] = int(fields[11]) + int(fields[12])
    return ticks


def current_rss_mb() -> float:
    with open("/proc/self/statm", "rb") as stream:
        return int(stream.read().split()[1]) * PAGE_MB


def phase_targets():
    """(owner, attribute, label) of every function timed as a phase; labels may be callables
    of the call's arguments. Names the library no longer has are skipped."""
    from incasso_sheets import api
    from incasso_sheets.collect import batching
    from incasso_sheets.collect import run as collect_run
    from incasso_sheets.formats import journal, pain008, xsd
    from incasso_sheets.ledger import store as ledger
    from incasso_sheets.runtime import output_plan

    def output_file(args, kwargs) -> str:
        name = args[1].final.name  # OutputPlan.fill(self, planned, writer)
        kind = name.split(".", 1)[1] if "." in name else name
        return f"write {kind} (temporary file, fsync)"

    return [
        (api, "check_with_settings", "check (read, rules, typed frames)"),
        (ledger, "load_history", "load history"),
        (collect_run, "select_collections", "select"),
        (collect_run, "_selection_issues", "selection warnings"),
        (batching, "build_messages", "batching"),
        (collect_run, "_write_outputs", "outputs (temporary files)"),
        (pain008, "write_pain008", "xml write"),
        (xsd, "validate_file", "xsd validate"),
        (collect_run, "collection_journal", "journal lines"),
        (journal, "write_journal", "journal write"),
        (collect_run, "prenotification", "prenotification frame"),
        (output_plan.OutputPlan, "fill", output_file),  # every output, through the output plan
        (collect_run, "write_summary", "summary.xlsx"),
        (ledger.Ledger, "commit_run", "ledger commit (+ renames)"),
        (ledger, "record_collection", "record transactions"),
        (ledger, "record_mandates", "record mandates"),
    ]


@contextmanager
def phase_timer(out: list[Phase]):
    """Wrap the phase functions; each call appends a Phase (inclusive, nested by depth).

    polars works in a pool of threads, so the CPU of a phase in the main thread is that of
    every thread of the process (from /proc, 10 ms ticks), less the threads that run a
    timed phase of their own in parallel (XSD validation); their CPU is their phase's.
    """
    local = threading.local()
    parallel: dict[int, int] = {}   # thread id -> ticks at the end of its phase (0: running)

    def wrap(fn, label):
        def timed(*args, **kwargs):
            depth = getattr(local, "depth", 0)
            try:
                text = label(args, kwargs) if callable(label) else label
            except Exception:  # a changed signature must not stop the benchmark
                text = fn.__name__
            thread = threading.current_thread()
            main = thread is threading.main_thread()
            phase = Phase(depth, text, thread="" if main else thread.name)
            out.append(phase)
            local.depth = depth + 1
            me = threading.get_native_id()
            if not main:
                parallel[me] = 0
            wall, ticks = time.perf_counter(), task_ticks()
            try:
                return fn(*args, **kwargs)
            finally:
                local.depth = depth
                phase.wall = time.perf_counter() - wall
                now = task_ticks()
                if main:
                    spent = sum(t - ticks.get(tid, 0) for tid, t in now.items() if tid not in parallel)
                else:
                    spent = now.get(me, 0) - ticks.get(me, 0)
                    parallel[me] = now.get(me, 0)
                phase.cpu = spent / TICKS
                phase.peak_mb, phase.rss_mb = rss_mb(), current_rss_mb()
        return timed

    saved = []
    try:
        for owner, name, label in phase_targets():
            if hasattr(owner, name):
                original = getattr(owner, name)
                saved.append((owner, name, original))
                setattr(owner, name, wrap(original, label))
        yield
    finally:
        for owner, name, original in reversed(saved):
            setattr(owner, name, original)


def phase_lines(phases: list[Phase], wall: float, cpu: float) -> list[str]:
    lines = [f"phases of the best run (inclusive; total {wall:.2f} s wall, {cpu:.2f} s CPU; RSS at "
             "the end of the phase, and the peak so far):",
             f"  {'':<44} {'wall s':>7} {'share':>6} {'CPU s':>7} {'RSS':>9} {'peak':>9}"]
    top_wall = top_cpu = 0.0
    merged: dict[tuple[int, str, str], Phase] = {}  # the same phase per message, added up
    order = []
    for p in phases:
        key = (p.depth, p.label, p.thread)
        if key not in merged:
            merged[key] = Phase(p.depth, p.label, thread=p.thread)
            order.append(key)
        m = merged[key]
        m.wall, m.cpu = m.wall + p.wall, m.cpu + p.cpu
        m.peak_mb, m.rss_mb = max(m.peak_mb, p.peak_mb), max(m.rss_mb, p.rss_mb)
    for key in order:
        p = merged[key]
        if p.depth == 0 or p.thread:
            top_cpu += p.cpu
        if p.depth == 0 and not p.thread:
            top_wall += p.wall
        label = p.label + (f" [{p.thread}]" if p.thread else "")
        share = p.wall / wall * 100 if wall else 0.0
        lines.append(f"  {'  ' * p.depth}{label:<{44 - 2 * p.depth}} {p.wall:7.2f} {share:5.1f}% "
                     f"{p.cpu:7.2f} {p.rss_mb:6,.0f} MB {p.peak_mb:6,.0f} MB")
    lines.append(f"  {'(rest: settings, issues, ids, ...)':<44} {wall - top_wall:7.2f} {'':>6} "
                 f"{max(cpu - top_cpu, 0):7.2f}")
    if any(p.thread for p in phases):
        lines.append("  [thread]: in a thread of its own, in parallel with the phases after it; "
                     "its CPU is its thread's alone")
    return lines


# --- running collect ------------------------------------------------------------------------

def fresh_folder(folder: Path) -> Path:
    """The data folder of one run: settings copied, no ledger, no outputs."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SETTINGS, folder / "incasso.toml")
    for name in ("incasso.db", "incasso.db-wal", "incasso.db-shm", "incasso.db.lock"):
        (folder / name).unlink(missing_ok=True)
    shutil.rmtree(folder / "out", ignore_errors=True)
    return folder


def request(debtors: Path, invoices: Path, folder: Path, validate_xsd: bool, dry_run: bool = False):
    from incasso_sheets.collect.run import CollectRequest

    return CollectRequest(debtors, invoices, folder / "out", NOW, config=folder / "incasso.toml",
                          validate_xsd=validate_xsd, dry_run=dry_run)


def collect_once(debtors: Path, invoices: Path, folder: Path, validate_xsd: bool):
    from incasso_sheets import api

    req = request(debtors, invoices, fresh_folder(folder), validate_xsd)
    start, cpu = time.perf_counter(), cpu_seconds()
    result = api.collect(req)
    return result, time.perf_counter() - start, cpu_seconds() - cpu


def warm_up(validate_xsd: bool) -> float:
    """One small collect first: imports, pandera's backends and the XSD are loaded once per
    process; what the timed runs measure is the work that grows with the rows."""
    debtors, invoices, _ = dataset(WARMUP_INVOICES, WARMUP_DEBTORS, "csv")
    start = time.perf_counter()
    result, _, _ = collect_once(debtors, invoices, WORK / "warm-up", validate_xsd)
    if not result.written:
        raise RuntimeError("the warm-up collect wrote nothing")
    return time.perf_counter() - start


def measure_collect(invoices_n: int, debtors_n: int, options: Options, validate_xsd: bool,
                    repeat: int) -> tuple[Measurement, dict]:
    debtors, invoices, _ = dataset(invoices_n, debtors_n, "csv", quick=options.quick)
    folder = WORK / invoices.parent.name / ("run" if validate_xsd else "run-no-xsd")
    warm = warm_up(validate_xsd)
    base = rss_mb()
    times: list[float] = []
    cpu_times: list[float] = []
    best_phases: list[Phase] = []
    result = None
    for _ in range(options.repeat or repeat):
        result = None
        gc.collect()
        phases: list[Phase] = []
        with phase_timer(phases):
            result, wall, cpu = collect_once(debtors, invoices, folder, validate_xsd)
        if not result.written:
            raise RuntimeError(f"collect wrote nothing: {result.report.errors[:3]}")
        if not times or wall < min(times):
            best_phases = phases
        times.append(wall)
        cpu_times.append(cpu)
    best = times.index(min(times))
    count = sum(m.count for m in result.messages)
    total = sum(m.total_cents for m in result.messages)
    notes = [f"{result.rows:,} sheet rows in; {count:,} collected in {len(result.messages)} files "
             f"(total {total / 100:,.2f} EUR); {len(result.report.issues):,} issues "
             f"({len(result.report.errors):,} errors); XSD validation "
             f"{'on' if validate_xsd else 'off (--no-xsd)'}",
             f"warm-up before the timed runs (imports + {WARMUP_INVOICES:,} invoices): {warm:.2f} s",
             "runs (wall / CPU s): " + ", ".join(f"{w:.2f} / {c:.2f}"
                                                 for w, c in zip(times, cpu_times, strict=True))]
    notes += phase_lines(best_phases, times[best], cpu_times[best])
    if options.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        collect_once(debtors, invoices, folder, validate_xsd)
        profiler.disable()
        run.print_profile(profiler)
    measurement = Measurement(rows=invoices_n // (QUICK_FACTOR if options.quick else 1), times=times,
                              cpu_times=cpu_times, notes=notes, base_rss_mb=base)
    facts = {"count": count, "total_cents": total, "folder": str(folder),
             "dataset": invoices.parent.name,
             "xml_write": sum(p.wall for p in best_phases if p.label == "xml write")}
    return measurement, facts


def target_lines(measurement: Measurement, seconds: float | None, rows: int, quick: bool,
                 memory_mb: float | None = None) -> list[str]:
    scale = 1 / QUICK_FACTOR if quick else 1.0
    lines = []
    if seconds is not None:
        limit = seconds * scale
        wall, cpu = measurement.best, measurement.best_cpu
        lines.append(f"target: {rows:,} invoices in <= {limit:g} s{' (scaled)' if quick else ''}: "
                     f"wall {wall:.2f} s {'PASS' if wall <= limit else 'FAIL'}, "
                     f"CPU {cpu:.2f} s {'PASS' if cpu <= limit else 'FAIL'}")
    if memory_mb is not None:
        peak = rss_mb()
        lines.append(f"target: peak RSS <= {memory_mb:,.0f} MB: {peak:,.0f} MB "
                     f"{'PASS' if peak <= memory_mb else 'FAIL'} (the whole process: imports, warm-up, "
                     f"every run{'; not scaled' if quick else ''})")
    return lines


# --- sepaxml ----------------------------------------------------------------------------------

def payments_file(dataset_name: str) -> Path:
    return WORK / dataset_name / "sepaxml-payments.pickle"


def sepaxml_cache(dataset_name: str) -> Path:
    return WORK / dataset_name / "sepaxml-measurement.json"


def make_payments(debtors: Path, invoices: Path, out: Path) -> None:
    """The transactions of a dry-run collect as sepaxml payment dicts, one list per file."""
    from incasso_sheets import api

    result = api.collect(request(debtors, invoices, fresh_folder(out.parent / "dry-run"), False,
                                 dry_run=True))
    files = []
    for message in result.messages:
        payments = []
        for block in message.blocks:
            for row in block.transactions.iter_rows(named=True):
                payment = {
                    "name": row["debtor_name"], "IBAN": row["debtor_iban"],
                    "amount": row["amount_cents"], "type": block.sequence_type,
                    "collection_date": block.collection_date, "mandate_id": row["mandate_id"],
                    "mandate_date": row["mandate_date"], "description": row["remittance"] or "",
                    "endtoend_id": row["end_to_end_id"],
                }
                if row["debtor_bic"]:
                    payment["BIC"] = row["debtor_bic"]
                payments.append(payment)
        files.append((message.blocks[0].scheme, payments))
    creditor = result.messages[0].creditor
    config = {"name": creditor.name, "IBAN": creditor.iban, "BIC": creditor.bic, "batch": True,
              "creditor_id": creditor.creditor_id, "currency": "EUR"}
    with open(out, "wb") as stream:
        pickle.dump({"config": config, "files": files}, stream, protocol=pickle.HIGHEST_PROTOCOL)


def sepaxml_measurement(debtors: Path, invoices: Path, facts: dict, fresh: bool) -> dict | None:
    """sepaxml on the same transactions: measured now in a child process when `fresh`,
    else the cached measurement (None when there is none)."""
    cache = sepaxml_cache(facts["dataset"])
    if not fresh:
        if cache.is_file():
            cached = json.loads(cache.read_text())
            cached["cached"] = True
            return cached
        return None
    payments = payments_file(facts["dataset"])
    payments.parent.mkdir(parents=True, exist_ok=True)
    me = str(Path(__file__).resolve())
    if not payments.is_file() or payments.stat().st_mtime < invoices.stat().st_mtime:
        print("  making the sepaxml payment dicts (dry-run collect) ...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, me, "--make-payments", str(debtors), str(invoices),
                        str(payments)], check=True)
    print("  running sepaxml ...", file=sys.stderr, flush=True)
    done = subprocess.run([sys.executable, str(BENCH / "sepaxml_child.py"), str(payments),
                           str(payments.parent / "sepaxml-out"), "pain.008.001.08"],
                          check=True, stdout=subprocess.PIPE, text=True)
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    cache.write_text(json.dumps(measured, indent=2) + "\n")
    shutil.rmtree(payments.parent / "sepaxml-out", ignore_errors=True)
    measured["cached"] = False
    return measured


def comparison_lines(measurement: Measurement, facts: dict, sepaxml: dict | None,
                     hint: str) -> list[str]:
    if sepaxml is None:
        return [f"sepaxml: not measured ({hint})"]
    source = (f"cached measurement of {sepaxml['measured_at']}" if sepaxml.get("cached")
              else "measured in this run")
    lines = [f"sepaxml {sepaxml['sepaxml']} ({source}; SepaDD + add_payment + export(validate=False) "
             f"+ write, in its own process): {sepaxml['seconds']:.2f} s wall, {sepaxml['cpu']:.2f} s CPU, "
             f"peak RSS {sepaxml['peak_rss_mb']:,.0f} MB (of which {sepaxml['base_rss_mb']:,.0f} MB "
             f"the payment dicts it is given)"]
    if sepaxml["count"] != facts["count"]:
        lines.append(f"  <-- sepaxml built {sepaxml['count']:,} transactions, collect "
                     f"{facts['count']:,}: make the payments again (delete {payments_file(facts['dataset'])})")
    wall_ratio = sepaxml["seconds"] / measurement.best
    cpu_ratio = sepaxml["cpu"] / measurement.best_cpu
    verdict = "PASS" if wall_ratio >= SEPAXML_RATIO_TARGET else "FAIL"
    lines.append(f"collect end to end vs sepaxml XML only: {wall_ratio:.1f}x faster (wall), "
                 f"{cpu_ratio:.1f}x (CPU); target >= {SEPAXML_RATIO_TARGET:g}x: {verdict}")
    if facts.get("xml_write"):
        lines.append(f"the same work alone (writing the pain.008 files): collect {facts['xml_write']:.2f} s, "
                     f"sepaxml {sepaxml['seconds']:.2f} s: {sepaxml['seconds'] / facts['xml_write']:.0f}x")
    return lines


# --- the benchmarks -------------------------------------------------------------------------

@benchmark("collect-100k", "collect 100,000 invoices (10,000 debtors, CSV) end to end, XSD on",
           target_seconds=4.0, target_rows=100_000)
def collect_100k(options: Options) -> Measurement:
    measurement, _ = measure_collect(100_000, 10_000, options, True, repeat=3)
    measurement.notes += target_lines(measurement, 4.0, measurement.rows, options.quick)
    return measurement


@benchmark("collect-1m", "collect 1,000,000 invoices (100,000 debtors, CSV) end to end, XSD on",
           target_seconds=30.0, target_rows=1_000_000)
def collect_1m(options: Options) -> Measurement:
    measurement, _ = measure_collect(1_000_000, 100_000, options, True, repeat=1)
    measurement.notes += target_lines(measurement, 30.0, measurement.rows, options.quick,
                                      memory_mb=MEMORY_TARGET_MB)
    return measurement


@benchmark("collect-100k-noxsd", "collect 100,000 invoices, --no-xsd, against sepaxml (no validation)")
def collect_100k_no_xsd(options: Options) -> Measurement:
    measurement, facts = measure_collect(100_000, 10_000, options, False, repeat=3)
    debtors, invoices, _ = dataset(100_000, 10_000, "csv", quick=options.quick)
    measurement.notes += comparison_lines(
        measurement, facts, sepaxml_measurement(debtors, invoices, facts, fresh=True), "")
    return measurement


@benchmark("collect-1m-noxsd", "collect 1,000,000 invoices, --no-xsd, against sepaxml (cached, "
           "or --with-sepaxml-1m)")
def collect_1m_no_xsd(options: Options) -> Measurement:
    measurement, facts = measure_collect(1_000_000, 100_000, options, False, repeat=1)
    debtors, invoices, _ = dataset(1_000_000, 100_000, "csv", quick=options.quick)
    fresh = options.quick or getattr(options, "with_sepaxml_1m", False)
    measurement.notes += comparison_lines(
        measurement, facts, sepaxml_measurement(debtors, invoices, facts, fresh=fresh),
        "no cached measurement; run once with --with-sepaxml-1m (about 90 s, 4 GB)")
    return measurement


def main(argv: list[str]) -> int:
    """The child process that makes the payment dicts for sepaxml_child.py."""
    if argv[:1] == ["--make-payments"] and len(argv) == 4:
        make_payments(Path(argv[1]), Path(argv[2]), Path(argv[3]))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
