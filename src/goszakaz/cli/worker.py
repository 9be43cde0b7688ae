"""`goszakaz worker`: runs the background jobs asked for on the pages, one at a time, until
stopped (or, with --once, until none is waiting). Each job is whole or not at all: a worker
killed in the middle leaves its job to be taken again."""

from __future__ import annotations

import argparse
import os
import time

from goszakaz import clock
from goszakaz.workflows.jobs import run_next


def run(args: argparse.Namespace) -> int:
    """The worker's loop."""
    while True:
        job = run_next(now=clock.now)
        if job is not None:
            print(f"job {job.pk} ({job.kind}): {job.state}", flush=True)
            continue
        if args.once or (args.parent and os.getppid() != args.parent):  # its server is gone
            return 0
        time.sleep(args.sleep)
