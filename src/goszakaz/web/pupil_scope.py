"""Which of a preschool's pupils a page shows: the group asked for (a teacher: always their own),
the contracts of a period, and how a pupil is named (name first, the IIN partly masked)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from goszakaz.access.actor import Actor
from goszakaz.access.permissions import Action, can
from goszakaz.domain.iin import short_iin
from goszakaz.enrollment.models import Contract
from goszakaz.registry.models import Group, Preschool

ALL, NONE = "", "none"  # the ?group= of every pupil, and of the pupils in no group


@dataclass(frozen=True)
class Scope:
    """The pupils shown: all of the preschool's (`key` ""), those in no group ("none"), or one
    group's (its id); `groups` are the groups the reader may choose from."""

    key: str
    group: Group | None
    groups: list[Group]

    def contracts(self, qs: QuerySet[Contract]) -> QuerySet[Contract]:
        """The contracts of this scope."""
        if self.group is not None:
            return qs.filter(group=self.group)
        return qs.filter(group=None) if self.key == NONE else qs


def scope_of(request: HttpRequest, actor: Actor, preschool: Preschool, action: Action,
             *, default_first: bool = False) -> Scope:
    """The scope `?group=` (GET or POST) asks for: a teacher gets their group (403 for another,
    by URL too), the administrator any of the preschool's groups (404 for another's), all of the
    pupils, or those in none; `default_first`: with nothing asked, the first active group."""
    asked = (request.POST.get("group") if request.method == "POST" else None)
    if asked is None:
        asked = request.GET.get("group", "")
    asked = asked.strip()
    if actor.group is not None:
        group = Group.objects.filter(pk=actor.group, preschool=preschool).first()
        if group is None or (asked not in ("", str(group.pk))):
            raise PermissionDenied
        return Scope(str(group.pk), group, [group])
    groups = list(Group.objects.filter(preschool=preschool, active=True))
    if asked in (ALL, NONE):
        if asked == ALL and default_first and groups:
            return Scope(str(groups[0].pk), groups[0], groups)
        return Scope(asked, None, groups)
    group = Group.objects.filter(pk=int(asked) if asked.isdigit() else 0,
                                 preschool=preschool).first()
    if group is None:
        raise Http404
    if not can(actor, action, preschool=preschool.pk, group=group.pk):
        raise PermissionDenied
    if group not in groups:
        groups.append(group)  # an archived group stays readable
    return Scope(str(group.pk), group, groups)


def in_force(preschool: Preschool, first: dt.date, last: dt.date) -> QuerySet[Contract]:
    """The preschool's contracts in force on some day from first to last."""
    return (Contract.objects.filter(preschool=preschool, starts_on__lte=last)
            .filter(Q(ends_on=None) | Q(ends_on__gte=first)))


def by_name(contracts: list[Contract]) -> list[Contract]:
    """Pupils in the order a teacher calls them: by name, then by IIN."""
    return sorted(contracts, key=lambda c: (c.voucher.child_name.casefold() or "\uffff",
                                            c.voucher.child_iin))


def pupil_name(contract: Contract) -> str:
    """How a page names a pupil: the child's name, or the masked IIN when there is none."""
    return contract.voucher.child_name or short_iin(contract.voucher.child_iin)
