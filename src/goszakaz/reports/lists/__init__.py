"""Every staff list, registered by its key (`reports.listing.REGISTRY`) when this is imported:
the department's (edu), the bank's (bank), the operator's (opr)."""

from goszakaz.reports.lists import bank, edu, opr

__all__ = ["bank", "edu", "opr"]
