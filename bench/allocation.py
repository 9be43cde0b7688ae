"""Benchmark of the Taraz allocation at real size: the in-memory core and the `allocate` CLI end to end.

Usage: python bench/allocation.py [--n 1000000] [--volume 150000] [--seed 7]
       python bench/allocation.py --case shuffled [--n 300000] [--runs 5]
Generates n seeded applications (goszakaz.queue.synthetic), then times:
- core: goszakaz.domain.allocation.allocate on the parsed applications (median of 3 runs),
  and the peak memory that step allocates (tracemalloc, in a separate run);
- CLI: `goszakaz allocate` as a subprocess (parse, validate, allocate, write), with the
  child's peak resident memory (ru_maxrss).
The `shuffled` case writes the same applications as any valid file may look (issue 8): the
columns in a seeded random order, the booleans as true/false, 1/0 or yes/no in mixed case with
blanks around some (" 0 ", "TRUE", "Yes "), and blanks around some other cells; it times the
floor (a subprocess with plain Python's csv module reading the file and writing six columns
back) and `goszakaz allocate` end to end, alternately, `--runs` times each, and prints the
medians and their ratio.
Prints one JSON object with the figures; docs/performance.md records them.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
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
from goszakaz.queue.files import BOOLEAN_COLUMNS, COLUMNS, read_applications
from goszakaz.queue.synthetic import synthetic_rows, write_csv

AS_OF = dt.date(2024, 8, 1)

# The floor: what plain Python's csv module takes to read the file and write six columns back.
FLOOR = """
import csv, sys
with open(sys.argv[1], encoding="utf-8", newline="") as f, \\
        open(sys.argv[2], "w", encoding="utf-8", newline="") as g:
    w = csv.writer(g, lineterminator="\\n")
    w.writerows(row[:6] for row in csv.reader(f))
"""
SPELLINGS = {True: ("true", "1", "yes"), False: ("false", "0", "no")}
BLANKS = ("", "", "", " ", "  ", "\t")


def write_shuffled_csv(path: Path, n: int, *, seed: int, as_of: dt.date) -> list[str]:
    """n valid synthetic applications, columns shuffled, booleans in mixed spellings; the header."""
    rng = random.Random(seed)
    header = list(COLUMNS)
    rng.shuffle(header)
    flags = frozenset(BOOLEAN_COLUMNS)

    def spell(value: str) -> str:
        word = rng.choice(SPELLINGS[value == "true"])
        word = rng.choice((word, word, word.upper(), word.title(),
                           "".join(c.upper() if rng.random() < 0.5 else c for c in word)))
        return rng.choice(BLANKS) + word + rng.choice(BLANKS)

    def pad(value: str) -> str:
        return f" {value} " if rng.random() < 0.05 else value

    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows([spell(row[c]) if c in flags else pad(row[c]) for c in header]
                    for row in synthetic_rows(n, seed=seed, as_of=as_of))
    return header


def shuffled_case(args: argparse.Namespace) -> dict[str, object]:
    """Floor and `goszakaz allocate` on a shuffled, mixed-spelling file; medians and ratio."""
    n = args.n or 300_000
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "applications.csv"
        t = time.perf_counter()
        header = write_shuffled_csv(src, n, seed=args.seed, as_of=AS_OF)
        gen_s = time.perf_counter() - t
        floor_cmd = [sys.executable, "-c", FLOOR, str(src), str(Path(tmp) / "floor.csv")]
        out = Path(tmp) / "out.csv"
        cli_cmd = [sys.executable, "-m", "goszakaz.cli", "allocate", "--applications", str(src),
                   "--volume", str(args.volume), "--as-of", AS_OF.isoformat(),
                   "--output", str(out), "--summary", str(Path(tmp) / "summary.json")]
        floor, cli = [], []
        for _ in range(args.runs):  # alternately, so that a busy spell hits both alike
            for cmd, times in ((floor_cmd, floor), (cli_cmd, cli)):
                t = time.perf_counter()
                subprocess.run(cmd, check=True)
                times.append(time.perf_counter() - t)
        with out.open(encoding="utf-8") as f:
            rows = sum(1 for _ in f) - 1
        assert rows == n, f"{rows} output rows for {n} applications"
    floor_s, cli_s = statistics.median(floor), statistics.median(cli)
    return {
        "date": dt.date.today().isoformat(), "case": "shuffled", "n": n,
        "volume": args.volume, "columns": header, "generate_s": round(gen_s, 2),
        "floor_runs_s": [round(s, 2) for s in floor], "cli_runs_s": [round(s, 2) for s in cli],
        "floor_s": round(floor_s, 2), "cli_s": round(cli_s, 2),
        "ratio": round(cli_s / floor_s, 2),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--case", choices=("clean", "shuffled"), default="clean")
    p.add_argument("--n", type=int, help="applications (default 1,000,000; shuffled 300,000)")
    p.add_argument("--volume", type=int, default=150_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--runs", type=int, default=5, help="runs of each command (shuffled case)")
    args = p.parse_args()
    if args.case == "shuffled":
        print(json.dumps(shuffled_case(args), indent=2))
        return
    args.n = args.n or 1_000_000
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
