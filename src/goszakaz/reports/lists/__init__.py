"""Every staff list, registered by its key (`reports.listing.REGISTRY`) when this is imported:
the department's (edu, allocation), the bank's (bank)."""

from goszakaz.reports.lists import allocation, bank, edu

__all__ = ["allocation", "bank", "edu"]
