"""`goszakaz allocate` and `goszakaz rules`: the Taraz allocation on a file, and checks of rule sets
(no database)."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
import time

from goszakaz import rules
from goszakaz.domain.allocation import allocate, summary
from goszakaz.domain.categories import STATUS_FLAGS, check_rules
from goszakaz.files import TooManyErrors
from goszakaz.queue.files import read_applications, write_outcomes

logger = logging.getLogger(__name__)  # heard only where logging is set up: this runs without Django


def run(args: argparse.Namespace) -> int:
    """`goszakaz allocate` or `goszakaz rules`."""
    return allocate_command(args) if args.command == "allocate" else rules_command(args)


def allocate_command(args: argparse.Namespace) -> int:
    """`goszakaz allocate`: exit 0 with the output written, or 2 with every bad line on stderr."""
    # A batch of millions of small acyclic objects: the cyclic collector would only rescan them.
    gc.disable()
    started = time.perf_counter()
    try:
        rule_set = rules.load(args.rules)
    except KeyError as e:
        print(f"error: {e.args[0]}", file=sys.stderr)
        return 2
    try:
        parsed = read_applications(args.applications, as_of=args.as_of)
    except TooManyErrors as e:
        for err in e.errors:
            print(f"{args.applications}: {err}", file=sys.stderr)
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as e:
        print(f"error: {args.applications}: {e}", file=sys.stderr)
        return 2
    if parsed.errors:
        for err in parsed.errors:
            print(f"{args.applications}: {err}", file=sys.stderr)
        print(f"error: {len(parsed.errors)} problem(s); nothing written", file=sys.stderr)
        return 2
    result = allocate(parsed.applications, volume=args.volume, as_of=args.as_of, rules=rule_set)
    write_outcomes(args.output, parsed.applications, result)
    if args.summary:
        tmp = args.summary.with_name(args.summary.name + ".part")
        tmp.write_text(json.dumps(summary(result), ensure_ascii=False, indent=2) + "\n",
                       encoding="utf-8")
        tmp.replace(args.summary)
    logger.info("allocated", extra={
        "command": "allocate", "rules": rule_set.id, "applications": len(parsed.applications),
        "volume": args.volume, "allocated": result.allocated,
        "seconds": round(time.perf_counter() - started, 3)})
    return 0


def rules_command(args: argparse.Namespace) -> int:
    """`goszakaz rules check ID`: unreachable categories (I11) and unmatched ages (I12)."""
    if args.action == "list":
        for rule_id in rules.available():
            print(rule_id)
        return 0
    try:
        rule_set = rules.load(args.rule_id)
    except KeyError as e:
        print(f"error: {e.args[0]}", file=sys.stderr)
        return 2
    report = check_rules(rule_set)
    print(f"rule set {rule_set.id}: {len(rule_set.categories)} categories, "
          f"Σk = {rule_set.total_coefficient}, source: {rule_set.source}")
    for n in report.unreachable:
        earlier = ", ".join(str(c) for c in report.shadowed_by[n]) or "none"
        print(f"unreachable: category {n} ({rule_set.category(n).rule_text()}): every "
              f"application it takes belongs to an earlier category ({earlier})")
    for age, flags in report.unmatched:
        statuses = [f for f, on in zip(STATUS_FLAGS, flags, strict=True) if on] or ["no status"]
        print(f"no matching category: queue age {age} with {', '.join(statuses)}")
    if report.clean:
        print("every category is reachable and every application has a category")
    return 0
