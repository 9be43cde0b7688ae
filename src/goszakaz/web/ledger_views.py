"""A ledger transfer for the staff (issue 12: every money figure links to its transfers): the
operator sees any, a city department its city's, a bank those from or to its accounts."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from goszakaz import clock
from goszakaz.access.permissions import Action
from goszakaz.audit.services import record_read
from goszakaz.domain.iin import short_iin
from goszakaz.finance.models import Transfer
from goszakaz.registry.models import Role
from goszakaz.web.payment_views import in_words
from goszakaz.web.permissions import actor_of, permits


@permits(Action.TRANSFER_VIEW)
def staff_transfer(request: HttpRequest, transfer_id: str) -> HttpResponse:
    """One transfer: its id, day, amount, month, what it is, from whom and to whom."""
    actor = actor_of(request)
    transfer = get_object_or_404(
        Transfer.objects.select_related("debit__bank", "credit__bank", "child"), pk=transfer_id)
    if actor.role == Role.EDU and transfer.city != actor.city:
        raise PermissionDenied
    if actor.role == Role.BANK and not Transfer.objects.filter(
            Q(debit__bank__code=actor.bank) | Q(credit__bank__code=actor.bank),
            pk=transfer.pk).exists():
        raise PermissionDenied
    record_read(actor=actor, at=clock.now(), what="page:staff-transfer", city=transfer.city,
                children=[transfer.child_id] if transfer.child_id else [],
                detail={"transfer": transfer.pk})
    return render(request, "web/staff_transfer.html", {
        "t": transfer, "debit": in_words(transfer.debit, transfer.child),
        "credit": in_words(transfer.credit, transfer.child),
        "masked_iin": short_iin(transfer.child.child_iin) if transfer.child else ""})
