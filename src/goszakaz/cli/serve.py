"""`goszakaz serve`: the production server, gunicorn on the WSGI app, static files collected for
whitenoise and the cache's table made first (both idempotent). Settings from the environment."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from django.conf import settings
from django.core.management import call_command

logger = logging.getLogger(__name__)


def gunicorn_argv(args: argparse.Namespace) -> list[str]:
    """The gunicorn command line: the app, the address, the workers; access log on stderr; no
    control socket (gunicorn's runtime management, not needed). GUNICORN_CMD_ARGS adds anything
    else (timeouts, ...)."""
    argv = [sys.executable, "-m", "gunicorn", "goszakaz.wsgi:application", "--bind", args.bind,
            "--access-logfile", "-", "--error-logfile", "-", "--no-control-socket"]
    if args.workers:
        argv += ["--workers", str(args.workers)]
    return argv


def run(args: argparse.Namespace) -> int:
    """Prepare (cache table, static files), then become gunicorn (this process: its signals
    stop it as they stop gunicorn)."""
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    logger.info("serving", extra={"bind": args.bind, "debug": settings.DEBUG,
                                  "static_root": str(settings.STATIC_ROOT)})
    sys.stdout.flush()
    sys.stderr.flush()
    argv = gunicorn_argv(args)
    os.execv(argv[0], argv)
    return 0  # not reached: execv replaces the process
