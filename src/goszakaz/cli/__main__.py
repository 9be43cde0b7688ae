"""`python -m goszakaz.cli`: the `goszakaz` command."""

import sys

from goszakaz.cli import main

sys.exit(main())
