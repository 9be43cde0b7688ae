"""The comparisons of the НОБД check (A7.4): our child or preschool against НОБД's record, no database."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from goszakaz.verification.models import RiskCaseKind
from goszakaz.verification.nobd import NobdChild, NobdPreschool


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One difference: its kind, our value and НОБД's ("" when there is none)."""

    kind: RiskCaseKind
    ours: str = ""
    nobd: str = ""

    def digest(self) -> str:
        """A short fingerprint of the values, for the case key (no personal data in clear)."""
        raw = f"{self.kind}\x1f{self.ours}\x1f{self.nobd}".encode()
        return hashlib.sha256(raw).hexdigest()[:16]


def normal_name(name: str) -> str:
    """A name as compared: case-folded, ё as е, single spaces (НОБД writes names in capitals)."""
    return " ".join(name.casefold().replace("ё", "е").split())


@dataclass(frozen=True, slots=True)
class CityNames:
    """A city as НОБД may write it: its registry code or its name in ru, kk or en."""

    code: str
    aliases: frozenset[str]

    @classmethod
    def of(cls, code: str, *names: str) -> CityNames:
        """The city by its code and names (normalized like `normal_name`)."""
        return cls(code, frozenset(normal_name(n) for n in (code, *names) if n))

    def __contains__(self, written: object) -> bool:
        return isinstance(written, str) and normal_name(written) in self.aliases


def child_mismatches(
    *, iin: str, birth_date: dt.date, name: str, city: CityNames, record: NobdChild | None
) -> list[Mismatch]:
    """A7.4, T1.1: IIN unknown; else birth date, name (when we have one) and residence.

    `city` is the voucher's city. An unknown IIN is the only finding
    for that child: there is nothing to compare the rest with.
    """
    if record is None:
        return [Mismatch(RiskCaseKind.IIN_UNKNOWN, ours=iin)]
    found = []
    if record.birth_date != birth_date:
        found.append(Mismatch(RiskCaseKind.BIRTH_DATE_DIFFERS, ours=birth_date.isoformat(),
                              nobd=record.birth_date.isoformat()))
    if name and normal_name(name) != normal_name(record.full_name):
        found.append(Mismatch(RiskCaseKind.NAME_DIFFERS, ours=name, nobd=record.full_name))
    if record.city not in city:
        found.append(Mismatch(RiskCaseKind.NOT_RESIDENT, ours=city.code,
                              nobd=record.city))
    return found


def preschool_mismatches(
    *, bin_: str, city: CityNames, record: NobdPreschool | None
) -> list[Mismatch]:
    """A7.4: the BIN unknown to НОБД, or НОБД placing the preschool in another city.

    Names are not compared: organizations' names differ in legal form and quotes far more often
    than they are wrong, and the BIN identifies the organization.
    """
    if record is None:
        return [Mismatch(RiskCaseKind.BIN_UNKNOWN, ours=bin_)]
    if record.city not in city:
        return [Mismatch(RiskCaseKind.PRESCHOOL_CITY_DIFFERS, ours=city.code,
                         nobd=record.city)]
    return []
