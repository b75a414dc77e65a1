"""Who must consent to sharing a person's data (WGBO 7:447, 7:450 and 7:465, Jeugdwet 7.3.4).

An adult decides alone about their own data; for a child under 12 every custodian decides (a
parent with custody, or a GI as guardian); from 12 to 15 the child and every custodian; from
16 the youth alone. Someone of 12 or older judged unable to weigh their interests in the
matter (wilsonbekwaam ter zake) is decided for: a minor by the custodians, an adult by their
curator or mentor where the policy gives the matter to that kind. Ages and the
representatives' matters come from `policies/consent.yaml`; the day is the local calendar
day.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from broker.policy.schema import Capacity


class GrantorRole(StrEnum):
    SUBJECT = "subject"
    CUSTODIAN = "custodian"  # a parent (or other member) with custody
    GUARDIAN = "guardian"  # a GI with custody (voogdij): its professionals grant
    REPRESENTATIVE = "representative"  # an adult's curator or mentor


@dataclass(frozen=True)
class Person:
    id: str
    birth_date: date
    custodians: frozenset[str]  # members with custody today
    guardians: frozenset[str] = frozenset()  # organisations (GI) with custody today
    # The matters (categories) in which they are judged today unable to weigh their interests.
    incapable: frozenset[str] = frozenset()
    representatives: tuple[tuple[str, str], ...] = ()  # (member id, kind) in force today

    def incapable_in(self, category: str | None) -> bool:
        """Judged unable in this matter (None: in any)."""
        return bool(self.incapable) if category is None else category in self.incapable


@dataclass(frozen=True, order=True)
class Required:
    member_id: str | None  # the grantor (a member, or a GI's organisation id); None: no
    role: GrantorRole      # custodian is recorded for this child


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month,
                                                                   birth_date.day))


def required_grantors(person: Person, day: date, capacity: Capacity,
                      category: str | None = None) -> tuple[Required, ...]:
    """Who must grant consent about `category` of this person's data (None: any category:
    whoever must grant for at least one)."""
    age = age_on(person.birth_date, day)
    self_ = (Required(person.id, GrantorRole.SUBJECT),)
    incapable = person.incapable_in(category)
    if age >= capacity.adult_from:
        if not incapable:
            return self_
        return tuple(Required(member, GrantorRole.REPRESENTATIVE)
                     for member, kind in person.representatives
                     if represents(capacity, kind, category)) \
            or (Required(None, GrantorRole.REPRESENTATIVE),)
    custodians = tuple(Required(c, GrantorRole.CUSTODIAN) for c in sorted(person.custodians)) \
        + tuple(Required(g, GrantorRole.GUARDIAN) for g in sorted(person.guardians)) \
        or (Required(None, GrantorRole.CUSTODIAN),)
    if age >= capacity.youth_with_custodians_from and incapable:
        return custodians
    if age >= capacity.youth_alone_from:
        return self_
    return self_ + custodians if age >= capacity.youth_with_custodians_from else custodians


def required_for(person: Person, day: date, capacity: Capacity, categories: list[str]
                 ) -> tuple[Required, ...]:
    """Who must grant a consent about these categories: for each, whoever decides in it."""
    return tuple(sorted({r for category in categories
                         for r in required_grantors(person, day, capacity, category)},
                        key=lambda r: (r.role, r.member_id or "")))


def represents(capacity: Capacity, kind: str, category: str | None) -> bool:
    """Does a representative of this kind grant in this matter? (None: in any)"""
    rule = capacity.representatives.get(kind)
    return rule is not None and (category is None or rule.categories is None
                                 or category in rule.categories)


def why_others_decide(person: Person, day: date, capacity: Capacity, category: str
                      ) -> str | None:
    """The reason a decision gives when others decide for this person, or None."""
    age = age_on(person.birth_date, day)
    if age < capacity.youth_with_custodians_from or not person.incapable_in(category):
        return None
    if age >= capacity.adult_from:
        kinds = sorted({kind for _, kind in person.representatives
                        if represents(capacity, kind, category)})
        sources = {kind: capacity.representatives[kind].source for kind in kinds}
        return "; ".join(f"kan zijn belangen ter zake niet redelijk waarderen; "
                         f"vertegenwoordigd door een {kind} ({source})"
                         for kind, source in sources.items()) or None
    return ("de jongere kan zijn belangen ter zake nu niet redelijk waarderen; de "
            f"gezaghebbenden beslissen ({capacity.incapacity_source})")


def missing_grantors(required: tuple[Required, ...], grantors: frozenset[str]
                     ) -> tuple[Required, ...]:
    return tuple(r for r in required if r.member_id is None or r.member_id not in grantors)
