"""Who acts: a signed-in user in a role and scope, a bank's or preschool's API token, or the system."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from goszakaz.registry.models import Membership

SYSTEM = "SYS"  # the role of the platform's own work: commands, `tick`, the scheduler


@dataclass(frozen=True, slots=True)
class Actor:
    """The party a service acts for, typed: its role and scope, and who exactly (user or token).

    Scope: the city of an EDU user, the IIN of a parent, the code of a bank, the id of a
    preschool (and of a teacher's group: a PRE user without one is the preschool's
    administrator). `user_id` is set for a signed-in person, `token` for an API client (with its
    bank or preschool); the system has neither.
    """

    role: str
    user_id: int | None = None
    city: str | None = None
    iin: str = ""
    bank: str | None = None
    preschool: int | None = None
    token: int | None = None
    group: int | None = None

    @classmethod
    def system(cls, role: str = SYSTEM) -> Actor:
        """The platform itself, acting in a role (an EDU import run from the command line)."""
        return cls(role=role)

    @classmethod
    def of_user(cls, user: Any) -> Actor:
        """A Django user: its membership's role and scope (no role when it has none)."""
        if user is None or not user.is_authenticated:
            return cls(role="")
        membership = Membership.objects.filter(user_id=user.pk).select_related(
            "city", "bank").first()
        if membership is None:
            return cls(role="", user_id=user.pk)
        return cls(role=membership.role, user_id=user.pk,
                   city=membership.city.code if membership.city else None,
                   iin=membership.iin,
                   bank=membership.bank.code if membership.bank else None,
                   preschool=membership.preschool_id, group=membership.group_id)

    @property
    def client(self) -> str:
        """The API client it stands for ("bank:halyk", "preschool:12"), or ""."""
        if self.token is None:
            return ""
        return f"bank:{self.bank}" if self.bank else f"preschool:{self.preschool}"
