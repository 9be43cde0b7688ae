"""The `goszakaz allocate` command-line contract, run as a real subprocess."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from goszakaz.domain.iin import make_iin

HEADER = ["military_family", "application_id", "child_iin", "birth_date", "submitted_at",
          "resides_in_city", "large_family", "single_parent", "other_susn",
          "sibling_in_preschool"]  # columns in any order


def row(app_id: str, birth: dt.date, submitted: str, serial: int, **flags: str) -> dict:
    r = {"application_id": app_id, "child_iin": make_iin(birth, serial),
         "birth_date": birth.isoformat(), "submitted_at": submitted, "resides_in_city": "yes",
         "large_family": "0", "single_parent": "false", "other_susn": "no",
         "sibling_in_preschool": "FALSE", "military_family": "0"}
    r.update(flags)
    return r


def write(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=HEADER)
        w.writeheader()
        w.writerows(rows)
    return path


def allocate(tmp: Path, src: Path, volume: int, *extra: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "goszakaz.cli", "allocate", "--applications", str(src),
           "--volume", str(volume), "--as-of", "2024-08-01", "--output", str(tmp / "out.csv"),
           "--summary", str(tmp / "summary.json"), *extra]
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


FIVE = dt.date(2019, 3, 1)  # queue age 5 on 1 July 2024


def test_output_rows_in_input_order_with_statuses_and_reasons(tmp_path: Path) -> None:
    # covers: T1.1, T1.2, T1.7, T2, I12, I13
    rows = [
        row("b7", FIVE, "2023-01-05T10:00:00", 1),                      # cat 5, second
        row("a1", FIVE, "2023-01-01T10:00:00", 2, resides_in_city="no",
            military_family="1"),                                      # not resident
        row("c3", FIVE, "2023-01-03T10:00:00", 3, large_family="true"),  # cat 1
        row("m9", FIVE, "2023-02-01T10:00:00", 4, military_family="yes"),  # military
        row("x2", dt.date(2021, 3, 1), "2022-01-01T10:00:00", 5),          # age 3: none
        row("d4", FIVE, "2023-01-04T10:00:00", 6),                      # cat 5, first
    ]
    result = allocate(tmp_path, write(tmp_path / "in.csv", rows), 3)
    assert result.returncode == 0, result.stderr
    out = list(csv.reader((tmp_path / "out.csv").open(encoding="utf-8")))
    assert out[0] == ["application_id", "status", "category", "queue_number", "seat_order",
                      "reason"]
    assert out[1:] == [
        ["b7", "waiting", "5", "2", "", ""],
        ["a1", "excluded", "", "", "", "not resident"],
        ["c3", "allocated", "1", "1", "2", ""],
        ["m9", "allocated", "", "", "1", "military priority"],
        ["x2", "excluded", "", "", "", "no matching category"],
        ["d4", "allocated", "5", "1", "3", ""],
    ]
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert set(summary) == {"rules", "volume", "as_of", "military", "categories", "iterations",
                            "allocated", "excluded"}
    assert summary["military"] == {"applications": 1, "seats": 1}
    assert summary["excluded"] == {"not resident": 1, "no matching category": 1}
    assert summary["allocated"] == 3 and summary["rules"] == "taraz-2024"
    cat5 = summary["categories"][4]
    assert set(cat5) == {"number", "coefficient", "applications", "vp", "vf", "seats",
                         "cutoff_queue_number"}
    assert (cat5["number"], cat5["applications"], cat5["seats"], cat5["cutoff_queue_number"]) == (
        5, 2, 1, 1)
    assert abs(cat5["vp"] - 2 * 2 / 35) < 1e-12
    assert len(summary["iterations"][0]) == 16


def test_military_beyond_the_volume_wait(tmp_path: Path) -> None:
    # covers: T2, I13
    rows = [row(str(i), FIVE, f"2023-01-0{i}T10:00:00", i, military_family="true")
            for i in (3, 1, 2)]
    result = allocate(tmp_path, write(tmp_path / "in.csv", rows), 2)
    assert result.returncode == 0, result.stderr
    out = list(csv.reader((tmp_path / "out.csv").open(encoding="utf-8")))[1:]
    assert out == [["3", "waiting", "", "", "", "military priority"],
                   ["1", "allocated", "", "", "1", "military priority"],
                   ["2", "allocated", "", "", "2", "military priority"]]


def test_invalid_input_exits_2_names_every_line_and_writes_nothing(tmp_path: Path) -> None:
    rows = [row("1", FIVE, "2023-01-01T10:00:00", 1),
            row("2", FIVE, "not a time", 2, large_family="perhaps"),
            row("1", FIVE, "2023-01-01T10:00:00", 3),
            row("4", FIVE, "2025-01-01T10:00:00", 4)]
    rows[0]["child_iin"] = rows[0]["child_iin"][:-1] + str((int(rows[0]["child_iin"][-1]) + 1) % 10)
    result = allocate(tmp_path, write(tmp_path / "in.csv", rows), 2)
    assert result.returncode == 2
    for needle in ("line 2: child_iin", "line 3: large_family", "line 3: submitted_at",
                   "line 4: application_id: repeats line 2", "line 5: submitted_at"):
        assert needle in result.stderr
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "summary.json").exists()


def test_bad_arguments_and_unknown_rules_exit_2(tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", [row("1", FIVE, "2023-01-01T10:00:00", 1)])
    assert allocate(tmp_path, src, 2, "--rules", "nowhere-2030").returncode == 2
    bad_volume = subprocess.run(
        [sys.executable, "-m", "goszakaz.cli", "allocate", "--applications", str(src),
         "--volume", "-3", "--as-of", "2024-08-01", "--output", str(tmp_path / "o.csv")],
        capture_output=True, text=True, check=False)
    assert bad_volume.returncode == 2 and "--volume" in bad_volume.stderr
    missing = allocate(tmp_path, tmp_path / "absent.csv", 1)
    assert missing.returncode == 2 and "absent.csv" in missing.stderr
    assert not (tmp_path / "out.csv").exists()


def test_rules_check_reports_category_11_and_age_3(tmp_path: Path) -> None:
    # covers: I11, I12, TT1
    result = subprocess.run([sys.executable, "-m", "goszakaz.cli", "rules", "check",
                             "taraz-2024"], capture_output=True, text=True, check=True)
    assert "unreachable: category 11 (susn and A = 2)" in result.stdout
    assert "earlier category (6, 9)" in result.stdout
    assert "no matching category: queue age 3 with no status" in result.stdout
    assert "Σk = 35" in result.stdout
