"""sepaxml 2.7.0 on the payment dicts bench_collect.py made: the baseline of the collect
benchmarks, in a process of its own that imports nothing but sepaxml.

    python bench/sepaxml_child.py PAYMENTS.pickle OUTDIR pain.008.001.08

Prints one JSON line: wall and CPU seconds of SepaDD(config) + add_payment per transaction
+ export(validate=False) + writing the bytes (one file per scheme, as collect makes them),
the transaction count, and the peak RSS before (the payment dicts) and after.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import pickle
import platform
import resource
import sys
import time
from importlib.metadata import version
from pathlib import Path


def rss_mb() -> float:
    """Peak RSS of this process image (VmHWM): unlike ru_maxrss it does not start from the
    parent's peak, which a process started by fork and exec inherits."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_sepaxml(payments: Path, outdir: Path, schema: str) -> dict:
    from sepaxml import SepaDD

    with open(payments, "rb") as stream:
        data = pickle.load(stream)
    gc.collect()
    base = rss_mb()
    outdir.mkdir(parents=True, exist_ok=True)
    start, cpu = time.perf_counter(), cpu_seconds()
    count = 0
    for k, (scheme, file_payments) in enumerate(data["files"], start=1):
        sepa = SepaDD(dict(data["config"], instrument=scheme), schema=schema)
        for payment in file_payments:
            sepa.add_payment(payment)
        (outdir / f"sepaxml-{k}.xml").write_bytes(sepa.export(validate=False))
        count += len(file_payments)
        del sepa
    return {"seconds": time.perf_counter() - start, "cpu": cpu_seconds() - cpu, "count": count,
            "peak_rss_mb": rss_mb(), "base_rss_mb": base, "sepaxml": version("sepaxml"),
            "python": platform.python_version(), "schema": schema,
            "measured_at": dt.datetime.now().isoformat(timespec="seconds")}


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    print(json.dumps(run_sepaxml(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])))
