"""gunicorn settings file of bench/month_end.py (`GUNICORN_CMD_ARGS=--config=...`): the
server's clock fixed at the bench's moment, GOSZAKAZ_BENCH_NOW (an ISO date-time with its
offset), in the master before it forks, so every worker reads it (goszakaz.clock.frozen)."""

import datetime as dt
import os

from goszakaz import clock

_moment = dt.datetime.fromisoformat(os.environ["GOSZAKAZ_BENCH_NOW"])
_clock = clock.frozen(_moment)  # kept: a collected generator would leave it (its finally)
_clock.__enter__()  # never left: the server runs at that moment
