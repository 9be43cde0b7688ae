"""Changes to the registry: the Перечень (A4), preschool corrections, bank registrations (A7.8), the
accession agreement's signatures (A7.2), API tokens, a preschool's groups and staff accounts.

The registry sits below the audit trail in the layers, so these functions return what changed
and their callers (the apps above, the workflows) write the audit row of the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from goszakaz.domain.iin import InvalidNumber, validate_bin
from goszakaz.registry.models import (
    AgreementSignature,
    AgreementVersion,
    ApiToken,
    Bank,
    BankRegistration,
    City,
    Group,
    Membership,
    Preschool,
    Role,
)

PRESCHOOL_CORRECTIONS = ("name", "bin")


class RegistryError(ValueError):
    """A registry change the rules do not allow; the message says why."""


def current_agreement() -> AgreementVersion | None:
    """The latest published version of the accession agreement."""
    return AgreementVersion.objects.order_by("-number").first()


def signature_needed(*, party_type: str, party_key: str) -> AgreementVersion | None:
    """A7.2: the version a party still has to sign, or None.

    Only versions that add obligations need a signature; a party who signed that version or any
    later one is bound by the agreement as it now stands.
    """
    binding = (AgreementVersion.objects.filter(adds_obligations=True).order_by("-number")
               .first())
    if binding is None:
        return None
    signed = AgreementSignature.objects.filter(
        party_type=party_type, party_key=party_key, version__number__gte=binding.number)
    return None if signed.exists() else binding


def sign_agreement(*, party_type: str, party_key: str, at: dt.datetime
                   ) -> tuple[AgreementSignature | None, bool]:
    """Sign the current version (A7.2, A7.10: for a parent, signing a contract is accession);
    (the signature, whether it is new). Signing the same version twice changes nothing."""
    version = current_agreement()
    if version is None:
        return None, False
    return AgreementSignature.objects.get_or_create(
        version=version, party_type=party_type, party_key=party_key, defaults={"signed_at": at})


def perechen(city: City, day: dt.date) -> QuerySet[Preschool]:
    """A4: the preschools on the city's Перечень on that day."""
    return Preschool.objects.filter(city=city, included_on__lte=day).filter(
        Q(excluded_on=None) | Q(excluded_on__gt=day))


def include_in_perechen(*, city: City, bin_: str, name: str, design_capacity: int,
                        included_on: dt.date) -> tuple[Preschool, dict[str, str | None], bool]:
    """A4: put a preschool on the city's Перечень from a day (registering it if new); returns the
    preschool, its inclusion before, and whether it is new. Another city's BIN is refused."""
    preschool, created = Preschool.objects.select_for_update().get_or_create(
        bin=bin_, defaults={"name": name, "city": city, "design_capacity": design_capacity})
    if preschool.city_id != city.pk:
        raise RegistryError(_("This BIN belongs to a preschool of another city."))
    before = {"included_on": preschool.included_on.isoformat() if preschool.included_on else None}
    preschool.included_on, preschool.excluded_on = included_on, None
    preschool.design_capacity = design_capacity
    preschool.save(update_fields=["included_on", "excluded_on", "design_capacity"])
    return preschool, before, created


def exclude_preschool(*, preschool: Preschool, on: dt.date) -> dt.date | None | bool:
    """A4, A7.4: the preschool leaves the Перечень from `on`; returns its exclusion date before,
    or False when it already left on or before `on` (nothing changes)."""
    preschool = Preschool.objects.select_for_update().get(pk=preschool.pk)
    if preschool.excluded_on is not None and preschool.excluded_on <= on:
        return False
    before = preschool.excluded_on
    preschool.excluded_on = on
    preschool.save(update_fields=["excluded_on"])
    return before


def set_capacity(*, preschool: Preschool, capacity: int) -> int:
    """A6: the preschool's design capacity from now on; returns the one before."""
    preschool = Preschool.objects.select_for_update().get(pk=preschool.pk)
    before = preschool.design_capacity
    preschool.design_capacity = capacity
    preschool.save(update_fields=["design_capacity"])
    return before


def correct_preschool(*, preschool: Preschool, corrections: dict[str, str]
                      ) -> dict[str, dict[str, str]]:
    """A7.4: a protocol corrects the preschool's name or BIN; field -> {before, after} of what
    changed. A BIN must be valid and not another preschool's."""
    unknown = sorted(set(corrections) - set(PRESCHOOL_CORRECTIONS))
    if unknown:
        raise RegistryError(_("A protocol cannot correct %(fields)s.")
                            % {"fields": ", ".join(unknown)})
    preschool = Preschool.objects.select_for_update().get(pk=preschool.pk)
    applied: dict[str, dict[str, str]] = {}
    for name, raw in corrections.items():
        value = " ".join(str(raw).split())
        if not value:
            raise RegistryError(_("%(field)s: must be a non-empty text.") % {"field": name})
        if name == "bin":
            try:
                validate_bin(value)
            except InvalidNumber as e:
                raise RegistryError(f"bin: {e}") from None
            if Preschool.objects.filter(bin=value).exclude(pk=preschool.pk).exists():
                raise RegistryError(_("Another preschool has this BIN."))
        before = getattr(preschool, name)
        if before != value:
            setattr(preschool, name, value)
            applied[name] = {"before": str(before), "after": value}
    if applied:
        preschool.save(update_fields=list(applied))
    return applied


def digest(token: str) -> str:
    """The SHA-256 of an API token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, at: dt.datetime, bank: Bank | None = None, preschool: Preschool | None = None
                ) -> tuple[str, ApiToken]:
    """A new API token of a bank or of a preschool's own system: the token (shown once) and its
    row, which keeps only the digest."""
    if (bank is None) == (preschool is None):
        raise RegistryError("a token belongs to one bank or one preschool")
    token = secrets.token_urlsafe(32)
    return token, ApiToken.objects.create(token_sha256=digest(token), created_at=at, bank=bank,
                                          preschool=preschool)


def token_holder(token: str) -> ApiToken | None:
    """The active token row of a token (with its bank or preschool), or None."""
    return (ApiToken.objects.select_related("bank", "preschool")
            .filter(token_sha256=digest(token), active=True).first())


def register_with_bank(*, bank: Bank, preschool: Preschool, on: dt.date
                       ) -> tuple[BankRegistration, bool]:
    """A7.8: the preschool registered with the bank, once; (the registration, whether new)."""
    return BankRegistration.objects.get_or_create(bank=bank, preschool=preschool,
                                                  defaults={"registered_on": on})


GROUP_FIELDS = ("name", "age_group", "active")
USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-_")


def _group_name(preschool: Preschool, name: str, group: Group | None = None) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 100:
        raise RegistryError(_("A group's name is 1 to 100 characters."))
    same = Group.objects.filter(preschool=preschool, name=name)
    if (same.exclude(pk=group.pk) if group is not None else same).exists():
        raise RegistryError(_("The preschool already has a group of that name."))
    return name


def create_group(*, preschool: Preschool, name: str, age_group: str) -> Group:
    """A new group of the preschool's pupils."""
    return Group.objects.create(preschool=preschool, name=_group_name(preschool, name),
                                age_group=age_group)


def change_group(*, group: Group, changes: dict[str, object]
                 ) -> tuple[dict[str, object], dict[str, object]]:
    """Rename a group, set its age group, archive or restore it; (before, after) of what
    changed (nothing when nothing did)."""
    before, after = {}, {}
    for key, value in changes.items():
        if key not in GROUP_FIELDS:
            raise RegistryError(f"not a group's field: {key}")
        if key == "name":
            value = _group_name(group.preschool, str(value), group)
        if getattr(group, key) != value:
            before[key], after[key] = getattr(group, key), value
            setattr(group, key, value)
    if after:
        group.save(update_fields=list(after))
    return before, after


def create_teacher(*, group: Group, username: str, password: str) -> Membership:
    """A teacher's account for the group: it sees and marks that group's pupils only. The
    login is lower-case Latin letters, digits, `.`, `-`, `_`; the password passes the site's
    password rules (the administrator hands it over; the teacher may change it)."""
    users = get_user_model()
    username = username.strip().lower()
    if not 3 <= len(username) <= 40 or not set(username) <= USERNAME_CHARS:
        raise RegistryError(_("A login is 3 to 40 Latin letters, digits, dots, dashes or "
                              "underscores."))
    if users.objects.filter(username__iexact=username).exists():
        raise RegistryError(_("That login is taken: choose another."))
    user = users(username=username)
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise RegistryError(" ".join(e.messages)) from None
    user.set_password(password)
    user.save()
    return Membership.objects.create(user=user, role=Role.PRE, preschool=group.preschool,
                                     group=group)


def deactivate_staff(*, membership: Membership) -> bool:
    """A staff account can no longer sign in (its history stays); False if it already could
    not. The preschool's administrator's own account is not a staff account."""
    if membership.role != Role.PRE or membership.group_id is None:
        raise RegistryError(_("Only a teacher's account is deactivated here."))
    user = membership.user
    if not user.is_active:
        return False
    user.is_active = False
    user.save(update_fields=["is_active"])
    return True
