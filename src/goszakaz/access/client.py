"""Where a request comes from: the client's network address, behind as many proxies as the
deployment declares (settings.PROXIES), for the sign-in lockout and the API's throttle."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR when nothing stands in front; behind N proxies, the
    address the outermost proxy saw (the N-th from the right of X-Forwarded-For, which each
    proxy appends to). What the client itself put further left is never believed. None when
    the header is missing, shorter than declared, or not an address (axes keeps addresses in
    an IP address column)."""
    proxies: int = getattr(settings, "PROXIES", 0)
    if not proxies:
        return _valid(request.META.get("REMOTE_ADDR", ""))
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < proxies:
        return None
    return _valid(hops[-proxies])


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
