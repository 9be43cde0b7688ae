"""Money: the double-entry ledger per child, funding, payments, the year-end sweep."""
