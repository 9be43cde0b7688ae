"""Every staff list, registered by its key (`reports.listing.REGISTRY`) when this is imported:
the department's (edu, allocation), the bank's (bank), the operator's (opr)."""

from goszakaz.reports.lists import allocation, bank, edu, opr

__all__ = ["allocation", "bank", "edu", "opr"]
