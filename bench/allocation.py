"""Benchmark of the Taraz allocation at real size: the in-memory core and the `allocate` CLI end to end.

Usage: python bench/allocation.py [--n 1000000] [--volume 150000] [--seed 7]
Generates n seeded applications (goszakaz.queue.synthetic), then times:
- core: goszakaz.domain.allocation.allocate on the parsed applications (median of 3 runs),
  and the peak memory that step allocates (tracemalloc, in a separate run);
- CLI: `goszakaz allocate` as a subprocess (parse, validate, allocate, write), with the
  child's peak resident memory (ru_maxrss).
Prints one JSON object with the figures; docs/performance.md records them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from goszakaz import rules
from goszakaz.domain.allocation import allocate
from goszakaz.queue.files import read_applications
from goszakaz.queue.synthetic import write_csv

AS_OF = dt.date(2024, 8, 1)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--volume", type=int, default=150_000)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "applications.csv"
        t = time.perf_counter()
        write_csv(src, args.n, seed=args.seed, as_of=AS_OF)
        gen_s = time.perf_counter() - t

        t = time.perf_counter()
        parsed = read_applications(src, as_of=AS_OF)
        parse_s = time.perf_counter() - t
        assert not parsed.errors, parsed.errors[:5]
        rule_set = rules.load("taraz-2024")
        times = []
        for _ in range(3):
            t = time.perf_counter()
            result = allocate(parsed.applications, volume=args.volume, as_of=AS_OF,
                              rules=rule_set)
            times.append(time.perf_counter() - t)
            allocated = result.allocated
            del result
        core_s = statistics.median(times)
        tracemalloc.start()  # a separate run: tracing slows the allocation several times over
        allocate(parsed.applications, volume=args.volume, as_of=AS_OF, rules=rule_set)
        core_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        del parsed

        out = Path(tmp) / "out.csv"
        cmd = [sys.executable, "-m", "goszakaz.cli", "allocate", "--applications", str(src),
               "--volume", str(args.volume), "--as-of", AS_OF.isoformat(), "--output", str(out),
               "--summary", str(Path(tmp) / "summary.json")]
        t = time.perf_counter()
        subprocess.run(cmd, check=True)
        cli_s = time.perf_counter() - t
        cli_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(json.dumps({
        "date": dt.date.today().isoformat(), "n": args.n, "volume": args.volume,
        "allocated": allocated, "generate_s": round(gen_s, 2), "parse_s": round(parse_s, 2),
        "core_s": round(core_s, 2), "core_peak_mb": round(core_peak / 2**20),
        "cli_s": round(cli_s, 2), "cli_peak_rss_mb": round(cli_rss / 2**20),
    }, indent=2))


if __name__ == "__main__":
    main()
