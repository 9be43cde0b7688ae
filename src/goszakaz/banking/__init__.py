"""Child bank accounts, the bank API and the monthly bank lists (A7.5-A7.9)."""
