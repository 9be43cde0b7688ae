"""Permissions as pure functions of (actor's role and scope, action, object) (DESIGN rule 6, A3).

Every page and API operation declares its Action (web.permissions.permits, api.auth.Allowed);
the role check runs before the view, the object check (this city, this parent's child, this
bank's account, this preschool's pupil) inside it with `can(..., city=...)`.
"""

from __future__ import annotations

from enum import Enum, StrEnum

from goszakaz.access.actor import Actor
from goszakaz.registry.models import Role


class Action(StrEnum):
    """What a person or an API client asks to do."""

    HOME = "home"
    # the city's education department (EDU), in its own city
    QUEUE_VIEW = "queue.view"
    QUEUE_ACTUALIZE = "queue.actualize"
    ALLOCATION_VIEW = "allocation.view"
    ALLOCATION_PREVIEW = "allocation.preview"
    ALLOCATION_DECIDE = "allocation.decide"
    PERECHEN_VIEW = "perechen.view"
    PERECHEN_INCLUDE = "perechen.include"
    VOUCHERS_VIEW = "vouchers.view"
    VOUCHERS_GRANT = "vouchers.grant"
    VOUCHER_ANNUL = "voucher.annul"
    LISTS_UPLOAD = "lists.upload"
    EXCLUSIONS_VIEW = "exclusions.view"
    EXCLUDE = "exclude"
    CITY_FUNDING_VIEW = "city_funding.view"
    FUNDING_TRANSFER = "funding.transfer"
    # the city's EDU or the operator
    FUNDING_VIEW = "funding.view"
    FUNDING_STEP = "funding.step"
    TARIFFS_VIEW = "tariffs.view"
    TARIFFS_SET = "tariffs.set"
    OVERSIGHT_VIEW = "oversight.view"  # A14: the oversight pages, EDU in its own city only
    # the operator (OPR), nationally
    BANK_LISTS_VIEW = "bank_lists.view"
    ACCOUNTS_REQUEST = "accounts.request"
    CASES_VIEW = "cases.view"
    LISTS_CHECK = "lists.check"
    CASE_DECIDE = "case.decide"
    UNCONFIRMED_VIEW = "unconfirmed.view"
    FUNDING_LIST = "funding.list"
    FUNDING_REQUEST = "funding.request"
    FUNDING_DISTRIBUTE = "funding.distribute"
    PLAN_VIEW = "plan.view"  # the plan-schedule (P1-P5)
    PLAN_UPDATE = "plan.update"
    CHILD_FILE_VIEW = "child_file.view"  # any child's file, found by IIN or name (read audited)
    CYCLE_VIEW = "cycle.view"  # the month's steps per city with their deadlines
    # a staff member (EDU, OPR, BANK): their own large exports (background jobs)
    EXPORTS_VIEW = "exports.view"
    TRANSFER_VIEW = "transfer.view"  # a ledger transfer of their city, bank, or any (OPR)
    # a bank (BANK), its own accounts: the cabinet and the API
    BANK_ACCOUNTS_VIEW = "bank.accounts.view"
    BANK_ACCOUNTS_REPORT = "bank.accounts.report"
    BANK_PRESCHOOL_REGISTER = "bank.preschool.register"
    # a preschool (PRE), its own pupils: the pages and the API
    PUPILS_VIEW = "pupils.view"
    SHEETS_VIEW = "sheets.view"
    SHEETS_MARK = "sheets.mark"
    DISPUTES_VIEW = "disputes.view"
    DISPUTE_ANSWER = "dispute.answer"
    # the preschool's administrator (PRE without a group), not a group's teacher
    GROUPS_MANAGE = "groups.manage"
    PUPILS_GROUP = "pupils.group"
    STAFF_MANAGE = "staff.manage"
    PAYMENTS_VIEW = "payments.view"  # the payments it received and their ledger transfers
    # the sheet's preschool, the child's parent or the operator: a dispute's document (A7.15)
    DISPUTE_DOCUMENT = "dispute.document"
    # a parent (PAR), their own children
    CABINET_VIEW = "cabinet.view"
    CONTRACT_SIGN = "contract.sign"
    SHEET_ANSWER = "sheet.answer"


EDU, OPR, BANK, PRE, PAR = Role.EDU, Role.OPR, Role.BANK, Role.PRE, Role.PAR
ROLES: dict[Action, frozenset[str]] = {
    Action.HOME: frozenset({EDU, OPR, BANK, PRE, PAR, ""}),
    **dict.fromkeys([Action.QUEUE_VIEW, Action.QUEUE_ACTUALIZE, Action.ALLOCATION_VIEW,
                     Action.ALLOCATION_PREVIEW, Action.ALLOCATION_DECIDE, Action.PERECHEN_VIEW,
                     Action.PERECHEN_INCLUDE, Action.VOUCHERS_VIEW, Action.VOUCHERS_GRANT,
                     Action.VOUCHER_ANNUL, Action.LISTS_UPLOAD, Action.EXCLUSIONS_VIEW,
                     Action.EXCLUDE, Action.CITY_FUNDING_VIEW, Action.FUNDING_TRANSFER],
                    frozenset({EDU})),
    **dict.fromkeys([Action.FUNDING_VIEW, Action.FUNDING_STEP, Action.TARIFFS_VIEW,
                     Action.TARIFFS_SET, Action.OVERSIGHT_VIEW], frozenset({EDU, OPR})),
    **dict.fromkeys([Action.BANK_LISTS_VIEW, Action.ACCOUNTS_REQUEST, Action.CASES_VIEW,
                     Action.LISTS_CHECK, Action.CASE_DECIDE, Action.UNCONFIRMED_VIEW,
                     Action.FUNDING_LIST, Action.FUNDING_REQUEST, Action.FUNDING_DISTRIBUTE,
                     Action.PLAN_VIEW, Action.PLAN_UPDATE, Action.CHILD_FILE_VIEW,
                     Action.CYCLE_VIEW],
                    frozenset({OPR})),
    **dict.fromkeys([Action.BANK_ACCOUNTS_VIEW, Action.BANK_ACCOUNTS_REPORT,
                     Action.BANK_PRESCHOOL_REGISTER], frozenset({BANK})),
    **dict.fromkeys([Action.PUPILS_VIEW, Action.SHEETS_VIEW, Action.SHEETS_MARK,
                     Action.DISPUTES_VIEW, Action.DISPUTE_ANSWER, Action.GROUPS_MANAGE,
                     Action.PUPILS_GROUP, Action.STAFF_MANAGE, Action.PAYMENTS_VIEW],
                    frozenset({PRE})),
    Action.DISPUTE_DOCUMENT: frozenset({PRE, PAR, OPR}),
    **dict.fromkeys([Action.EXPORTS_VIEW, Action.TRANSFER_VIEW], frozenset({EDU, OPR, BANK})),
    **dict.fromkeys([Action.CABINET_VIEW, Action.CONTRACT_SIGN, Action.SHEET_ANSWER],
                    frozenset({PAR})),
}
class _Unasked(Enum):
    GROUP = "any group"  # no pupil's group was asked about (a pupil in none is `None`)


ANY_GROUP = _Unasked.GROUP
# What only a preschool's administrator does: a teacher (a PRE user with a group) is refused;
# the answer to a parent's dispute (A7.16) is the preschool's, given by its administrator,
# who alone opens the parent's documents and sees the money the preschool received.
ADMINISTRATOR = frozenset({Action.GROUPS_MANAGE, Action.PUPILS_GROUP, Action.STAFF_MANAGE,
                           Action.DISPUTES_VIEW, Action.DISPUTE_ANSWER, Action.DISPUTE_DOCUMENT,
                           Action.PAYMENTS_VIEW})


def can(actor: Actor, action: Action, *, city: str | None = None, parent_iin: str | None = None,
        bank: str | None = None, preschool: int | None = None,
        group: int | None | _Unasked = ANY_GROUP) -> bool:
    """May the actor do the action (on an object of this city, parent, bank, preschool, group)?

    An EDU user acts only in its own city; a parent reaches only their own children; a bank
    only its own accounts; a preschool only its own pupils, and a group's teacher only its own
    group's (`group=`: the pupil's group, None for a pupil in none) and never the
    administrator's actions; the operator works nationally.
    Without an object only the role (and that the actor has its scope) is checked.
    """
    if actor.role not in ROLES[action]:
        return False
    if actor.role == EDU:
        return actor.city is not None and city in (None, actor.city)
    if actor.role == PAR:
        return bool(actor.iin) and parent_iin in (None, actor.iin)
    if actor.role == BANK:
        return actor.bank is not None and bank in (None, actor.bank)
    if actor.role == PRE:
        if actor.preschool is None or preschool not in (None, actor.preschool):
            return False
        if actor.group is None:  # the preschool's administrator
            return True
        return action not in ADMINISTRATOR and (group is ANY_GROUP or group == actor.group)
    return True
