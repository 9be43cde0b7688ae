"""The pages' shared context: which role's navigation menu base.html shows (web/nav_<role>.html)."""

from __future__ import annotations

from django.http import HttpRequest

from goszakaz.access.actor import Actor

NAV = {"EDU": "edu", "OPR": "opr", "BANK": "bank", "PRE": "pre", "PAR": "par"}


def navigation(request: HttpRequest) -> dict[str, object]:
    """`nav_role`: the signed-in person's role as the name of its menu ("" for none);
    `nav_teacher`: a preschool user who is a group's teacher (not its administrator)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_role": "", "nav_teacher": False}
    actor = getattr(request, "actor", None) or Actor.of_user(user)
    return {"nav_role": NAV.get(actor.role, ""),
            "nav_teacher": actor.role == "PRE" and actor.group is not None}
