"""en: the formats every language of the site shares."""
