"""Every kind of audit row, one member each (like eVaka's Audit.kt): the trail names no free string."""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    """What an audit row records: a state change, or a read of a child's personal data."""

    # registry (A4, A7.2, A7.8)
    AGREEMENT_SIGNED = "agreement.signed"
    PERECHEN_INCLUDED = "perechen.included"
    PERECHEN_CAPACITY = "perechen.capacity"  # a design capacity changed (A6)
    PRESCHOOL_CORRECTED = "preschool.corrected"
    PRESCHOOL_EXCLUDED = "preschool.excluded"
    PRESCHOOL_REGISTERED_WITH_BANK = "preschool.registered_with_bank"
    GROUP_CREATED = "group.created"
    GROUP_CHANGED = "group.changed"
    STAFF_CREATED = "staff.created"
    STAFF_DEACTIVATED = "staff.deactivated"
    # queue (T1-T3)
    APPLICATIONS_IMPORTED = "applications.imported"
    APPLICATION_STATUS_CHANGED = "application.status_changed"
    QUEUE_ACTUALIZED = "queue.actualized"
    ALLOCATION_PREVIEWED = "allocation.previewed"
    ALLOCATION_CONFIRMED = "allocation.confirmed"
    ALLOCATION_DISCARDED = "allocation.discarded"
    # enrollment (A5, A6, A7.10-A13)
    CHILDREN_IMPORTED = "children.imported"
    CONTRACTS_IMPORTED = "contracts.imported"
    VOUCHER_GRANTED = "voucher.granted"
    VOUCHER_STATUS = "voucher.status"
    VOUCHER_CORRECTED = "voucher.corrected"
    CONTRACT_SIGNED = "contract.signed"
    CONTRACT_ENDED = "contract.ended"
    CONTRACT_CANCELLED = "contract.cancelled"  # annulled before it began: never in force
    PUPILS_GROUPED = "pupils.grouped"  # pupils put in (or taken out of) a preschool's group
    # verification (A7.3, A7.4, A7.9, A7.16)
    LISTS_RECEIVED = "lists.received"
    LISTS_VERIFIED = "lists.verified"
    RISK_CASE_OPENED = "risk_case.opened"
    RISK_CASE_STATE = "risk_case.state"
    # banking (A7.5-A7.10)
    ACCOUNTS_REQUESTED = "accounts.requested"
    ACCOUNT_OPENED = "account.opened"
    ACCOUNT_CLOSED = "account.closed"
    BANK_LIST_RECEIVED = "bank_list.received"
    # attendance (A7.13-A7.17)
    SHEET_MARKED = "sheet.marked"
    SHEET_CONFIRMED = "sheet.confirmed"
    SHEET_AUTO_CONFIRMED = "sheet.auto_confirmed"
    SHEET_DISPUTED = "sheet.disputed"
    SHEET_CORRECTED = "sheet.corrected"
    SHEET_UPHELD = "sheet.upheld"
    SHEET_CORRECTED_BY_PROTOCOL = "sheet.corrected_by_protocol"
    NOBD_SHEETS_EXPORTED = "nobd.sheets_exported"
    # finance (A7.11, A7.12, A7.18, A8-A10)
    NORM_SET = "norm.set"
    PARENT_FEE_SET = "parent_fee.set"
    FUNDING_REQUESTED = "funding.requested"
    FUNDING_TRANSFERRED = "funding.transferred"
    FUNDING_DISTRIBUTED = "funding.distributed"
    MONTH_SETTLED = "month.settled"
    SETTLEMENT_RECALCULATED = "settlement.recalculated"
    LEDGER_SWEPT_CLOSED = "ledger.swept_closed"
    LEDGER_SWEPT_YEAR_END = "ledger.swept_year_end"
    # jobs: long work asked for on a page, run by the worker
    JOB_SUBMITTED = "job.submitted"
    JOB_STATE = "job.state"
    # reports (P1-P5)
    MILESTONE_UPDATED = "milestone.updated"
    # access: tokens, sign-in, reads of a child's personal data (DESIGN rules 5 and 11)
    TOKEN_ISSUED = "token.issued"
    LOGIN_SUCCEEDED = "login.succeeded"
    LOGIN_FAILED = "login.failed"
    LOGIN_LOCKED_OUT = "login.locked_out"  # a login locked from one address (axes)
    TOKEN_REFUSED = "token.refused"  # an unknown API token presented (never its value)
    TOKEN_THROTTLED = "token.throttled"  # an address past the limit of unknown tokens
    APPLICATION_READ = "application.read"
    VOUCHER_READ = "voucher.read"
    QUEUE_READ = "queue.read"
    RISK_CASE_READ = "risk_case.read"
    CHILDREN_READ = "children.read"
