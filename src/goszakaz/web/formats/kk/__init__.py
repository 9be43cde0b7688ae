"""kk: the formats every language of the site shares."""
