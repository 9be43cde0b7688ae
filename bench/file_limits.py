"""Benchmark of the files' limits (issue 10): the probes' hostile files through the commands.

Usage: python bench/file_limits.py [--csv-mb 200] [--bomb-mb 300]
Makes, in a temporary directory:
- an XLSX of the city's children list whose sharedStrings.xml unpacks to `--bomb-mb` MB (the
  probe: 765 KB packed, 300 MB unpacked), and runs `goszakaz import-children` on it against a
  fresh SQLite database there (migrated first, not timed);
- a CSV of queue applications of about `--csv-mb` MB in which every row is bad (an IIN that is
  no IIN, a boolean that is none), and runs `goszakaz allocate` and `goszakaz
  import-applications` on it; then the same with rows 60 characters longer, so that the file
  stays under the rows' limit and the errors' limit stops it.
Each command is a subprocess, like a user runs it: its wall time, its peak resident memory
(ru_maxrss of that child, from os.wait4), its exit code and the lines it printed to stderr.
Prints one JSON object; docs/performance.md records the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl

COLUMNS = ("application_id,child_iin,birth_date,submitted_at,resides_in_city,large_family,"
           "single_parent,other_susn,sibling_in_preschool,military_family")


def xlsx_bomb(path: Path, mb: int) -> None:
    book = openpyxl.Workbook()
    book.active.append(["child_iin", "birth_date", "child_name", "parent_iin", "period_start"])
    book.save(path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z, \
            z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
        f.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
        block = b"A" * 2**20
        for _ in range(mb):
            f.write(block)
        f.write(b"</t></si></sst>")


def bad_csv(path: Path, mb: int, pad: int = 0) -> int:
    """Rows until the file holds `mb` MB; each row has two bad cells (and an id `pad`
    characters longer). The number of rows."""
    rows = 0
    prefix = "A" * pad
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(COLUMNS + "\n")
        while f.tell() < mb * 2**20:
            f.write("".join(f"{prefix}{rows + i},20010150001X,2020-01-01,2024-01-10T09:00:00,maybe,"
                            "false,false,false,false,false\n" for i in range(10_000)))
            rows += 10_000
    return rows


def run(args: list[str], env: dict[str, str], work: Path) -> dict[str, object]:
    started = time.perf_counter()
    with (work / "stdout").open("wb") as out, (work / "stderr").open("wb") as err:
        child = subprocess.Popen([sys.executable, "-m", "goszakaz.cli", *args], env=env,
                                 stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak memory
    seconds = time.perf_counter() - started
    lines = (work / "stderr").read_text(errors="replace").splitlines()
    return {"command": f"goszakaz {args[0]}", "seconds": round(seconds, 2),
            "exit": os.waitstatus_to_exitcode(status), "peak_mb": round(usage.ru_maxrss / 1024),
            "stderr_lines": len(lines), "last_line": lines[-1][:240] if lines else ""}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-mb", type=int, default=200)
    parser.add_argument("--bomb-mb", type=int, default=300)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {**os.environ, "DEBUG": "1", "GOSZAKAZ_DATA_DIR": str(work / "var"),
               "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}", "LOG_LEVEL": "WARNING"}
        subprocess.run([sys.executable, "-m", "goszakaz.cli", "migrate", "-v", "0"], env=env,
                       check=True)
        bomb, csv_file = work / "children.xlsx", work / "applications.csv"
        long_rows = work / "long-rows.csv"  # the same size in fewer rows: under the rows' limit
        xlsx_bomb(bomb, opts.bomb_mb)
        rows = bad_csv(csv_file, opts.csv_mb)
        fewer = bad_csv(long_rows, opts.csv_mb, pad=60)
        figures = {
            "bomb": {"packed_kb": bomb.stat().st_size // 1024,
                     "unpacked_mb": sum(m.file_size for m in zipfile.ZipFile(bomb).infolist())
                     // 2**20},
            "csv": {"mb": csv_file.stat().st_size // 2**20, "rows": rows},
            "csv_long_rows": {"mb": long_rows.stat().st_size // 2**20, "rows": fewer},
            "runs": [
                run(["import-children", "--city", "uralsk", "--file", str(bomb)], env, work),
                run(["allocate", "--applications", str(csv_file), "--volume", "1000",
                     "--as-of", "2024-08-01", "--output", str(work / "out.csv")], env, work),
                run(["import-applications", "--city", "taraz", "--file", str(csv_file)], env, work),
                run(["allocate", "--applications", str(long_rows), "--volume", "1000",
                     "--as-of", "2024-08-01", "--output", str(work / "out.csv")], env, work),
                run(["import-applications", "--city", "taraz", "--file", str(long_rows)], env,
                    work),
            ]}
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
