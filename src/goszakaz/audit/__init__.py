"""Append-only audit trail: who, in which role, did what to which object, before and after."""
