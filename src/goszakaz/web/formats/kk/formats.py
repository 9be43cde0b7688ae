"""kk: the formats every language of the site shares (formats.common)."""

from goszakaz.web.formats.common import *  # noqa: F403
