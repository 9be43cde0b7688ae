"""Changes to the registry: the accession agreement's versions and signatures (A7.2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from goszakaz.audit.services import record
from goszakaz.registry.models import AgreementSignature, AgreementVersion


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


def sign_agreement(
    *, party_type: str, party_key: str, actor: Any, role: str, at: dt.datetime | None = None
) -> AgreementSignature | None:
    """Sign the current version (A7.2, A7.10: for a parent, signing a contract is accession).

    Signing the same version twice changes nothing and returns the first signature.
    """
    version = current_agreement()
    if version is None:
        return None
    signature, created = AgreementSignature.objects.get_or_create(
        version=version, party_type=party_type, party_key=party_key,
        defaults={"signed_at": at or timezone.now()})
    if created:
        record(user=actor, role=role, action="agreement.signed", obj_type="agreement",
               obj_id=version.number, after={"party_type": party_type})
    return signature
