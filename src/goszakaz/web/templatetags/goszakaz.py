"""Template filters: labels of allocation reasons and city names in the page's language."""

from __future__ import annotations

from django import template
from django.utils import translation
from django.utils.translation import gettext_lazy as _

register = template.Library()

REASONS = {
    "not resident": _("not resident in the city"),
    "no matching category": _("no matching category"),
    "military priority": _("military family, placed first"),
}


@register.filter
def reason_label(code: str) -> str:
    """The reader's words for a reason code of the allocation output."""
    return str(REASONS.get(code, code))


@register.filter
def city_name(city: object) -> str:
    """The city's name in the current language (Russian by default)."""
    lang = translation.get_language() or "ru"
    return str(getattr(city, f"name_{lang}", None) or getattr(city, "name_ru", ""))
