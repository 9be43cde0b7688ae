"""The pages' side of the permissions (DESIGN rule 6): each view declares its Action by `permits`,
checked before the view runs; the view checks the object (its city, parent, bank, preschool)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

from goszakaz.access.actor import Actor
from goszakaz.access.permissions import Action, can

View = Callable[..., HttpResponse]


def permits(get: Action | None = None, *, post: Action | None = None) -> Callable[[View], View]:
    """Declare what a view does on GET and on POST: the anonymous are sent to sign in, an actor
    whose role may not do it gets 403, a method the view does not declare (and any but GET,
    HEAD and POST) 405. The view finds
    the Actor in `actor_of(request)`."""

    def wrap(view: View) -> View:
        @functools.wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            action = {"GET": get, "HEAD": get, "POST": post}.get(request.method or "")
            if action is None:
                return HttpResponseNotAllowed([m for m, a in (("GET", get), ("POST", post)) if a])
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            actor = Actor.of_user(request.user)
            if not can(actor, action):
                raise PermissionDenied
            request.actor = actor  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        checked.actions = {"GET": get, "POST": post}  # type: ignore[attr-defined]
        return checked

    return wrap


def actor_of(request: HttpRequest) -> Actor:
    """The Actor `permits` found for the request."""
    actor: Actor = request.actor  # type: ignore[attr-defined]
    return actor


def own_preschool(request: HttpRequest) -> int:
    """The id of the signed-in preschool (its pages declare preschool actions)."""
    preschool = actor_of(request).preschool
    if preschool is None:
        raise PermissionDenied
    return preschool


def require(request: HttpRequest, action: Action, **obj: Any) -> Actor:
    """The request's Actor, if it may do the action on this object (city=, parent_iin=, bank=,
    preschool=); 403 otherwise."""
    actor = actor_of(request)
    if not can(actor, action, **obj):
        raise PermissionDenied
    return actor
