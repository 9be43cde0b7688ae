"""Every staff list, registered by its key (`reports.listing.REGISTRY`) when this is imported:
the department's (edu), the bank's (bank)."""

from goszakaz.reports.lists import bank, edu

__all__ = ["bank", "edu"]
