"""Who must consent to sharing a person's data (WGBO 7:447 and 7:450, Jeugdwet 7.3.4).

An adult decides alone about their own data; for a child under 12 every custodian decides;
from 12 to 15 the child and every custodian; from 16 the youth alone. Ages come from
`policies/consent.yaml`; the day is the local calendar day.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from broker.policy.schema import Capacity


class GrantorRole(StrEnum):
    SUBJECT = "subject"
    CUSTODIAN = "custodian"


@dataclass(frozen=True)
class Person:
    id: str
    birth_date: date
    custodians: frozenset[str]


@dataclass(frozen=True, order=True)
class Required:
    member_id: str | None  # None: no custodian is recorded for this child
    role: GrantorRole


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month,
                                                                   birth_date.day))


def required_grantors(person: Person, day: date, capacity: Capacity) -> tuple[Required, ...]:
    age = age_on(person.birth_date, day)
    self_ = (Required(person.id, GrantorRole.SUBJECT),)
    if age >= capacity.youth_alone_from:
        return self_
    custodians = tuple(Required(c, GrantorRole.CUSTODIAN) for c in sorted(person.custodians)) \
        or (Required(None, GrantorRole.CUSTODIAN),)
    return self_ + custodians if age >= capacity.youth_with_custodians_from else custodians


def missing_grantors(required: tuple[Required, ...], grantors: frozenset[str]
                     ) -> tuple[Required, ...]:
    return tuple(r for r in required if r.member_id is None or r.member_id not in grantors)
