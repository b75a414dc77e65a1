"""Load what `decide()` needs about a household in a few Core queries, once per request:
members, custody, consents with grantors and withdrawals, and the regisseur."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.consent.capacity import Person
from broker.consent.engine import ConsentFact, SubjectFacts
from broker.consent.models import Consent, ConsentGrantor, ConsentWithdrawal
from broker.households.models import Custody, Member, RegisseurAssignment
from broker.identity.principal import Principal


def consent_fact(consent: Any, grantors: list[str], withdrawn_at: datetime | None
                 ) -> ConsentFact:
    return ConsentFact(
        id=consent.id, categories=frozenset(consent.categories),
        organisations=frozenset(r["organisation_id"] for r in consent.recipients
                                if r.get("organisation_id")),
        parties=frozenset(r["party"] for r in consent.recipients if r.get("party")),
        purposes=frozenset(consent.purposes), grantors=frozenset(grantors),
        valid_from=consent.valid_from, valid_until=consent.valid_until,
        withdrawn_at=withdrawn_at)


def consents_with_history(session: Session, *criteria: Any
                          ) -> list[tuple[Consent, list[str], datetime | None]]:
    """Consents matching `criteria`, each with its grantors and withdrawal time."""
    rows = session.execute(select(Consent, ConsentWithdrawal.withdrawn_at)
                           .outerjoin(ConsentWithdrawal,
                                      ConsentWithdrawal.consent_id == Consent.id)
                           .where(*criteria)).all()
    grantors: dict[str, list[str]] = defaultdict(list)
    if rows:
        for consent_id, member_id in session.execute(
                select(ConsentGrantor.consent_id, ConsentGrantor.member_id)
                .where(ConsentGrantor.consent_id.in_([c.id for c, _ in rows]))):
            grantors[consent_id].append(member_id)
    return [(c, grantors[c.id], withdrawn) for c, withdrawn in rows]


@dataclass(frozen=True)
class MemberFacts:
    id: str
    ref: str
    given_name: str
    family_name: str
    birth_date: date
    role: str


@dataclass(frozen=True)
class HouseholdFacts:
    household_id: str
    regisseur_professional_id: str | None
    regisseur_organisation_id: str | None
    members: dict[str, MemberFacts]
    subjects: dict[str, SubjectFacts]

    def involves(self, principal: Principal, at: datetime) -> bool:
        """The regisseur, and organisations named in a consent in force for a member (later
        issues add meeting invitations, submissions and override recipients)."""
        if principal.professional_id and \
                principal.professional_id == self.regisseur_professional_id:
            return True
        return any(principal.organisation_id in c.organisations and c.in_force(at)
                   for facts in self.subjects.values() for c in facts.consents)

    def short_names(self) -> dict[str, str]:
        """'S. Jansen': how reasons name people, and only to those involved."""
        return {m.id: f"{m.given_name[:1]}. {m.family_name}" for m in self.members.values()}


def load_household(session: Session, *, household_id: str | None = None,
                   member_id: str | None = None) -> HouseholdFacts | None:
    """Everything the door needs about one household (by its id or a member's id)."""
    # Core queries on the session's connection: this runs on every disclosure.
    connection = session.connection()
    if household_id is None:
        household_id = connection.execute(
            select(Member.household_id).where(Member.id == member_id)).scalar()
        if household_id is None:
            return None
    members = {row.id: MemberFacts(row.id, row.ref, row.given_name, row.family_name,
                                   row.birth_date, row.role)
               for row in connection.execute(select(
                   Member.id, Member.ref, Member.given_name, Member.family_name,
                   Member.birth_date, Member.role).where(Member.household_id == household_id))}
    if not members:
        return None
    custodians: dict[str, set[str]] = defaultdict(set)
    for custodian_id, child_id in connection.execute(
            select(Custody.custodian_id, Custody.child_id)
            .where(Custody.household_id == household_id)):
        custodians[child_id].add(custodian_id)
    grantors: dict[str, list[str]] = defaultdict(list)
    for consent_id, grantor in connection.execute(
            select(ConsentGrantor.consent_id, ConsentGrantor.member_id)
            .join(Consent, Consent.id == ConsentGrantor.consent_id)
            .where(Consent.household_id == household_id)):
        grantors[consent_id].append(grantor)
    by_subject: dict[str, list[ConsentFact]] = defaultdict(list)
    for consent in connection.execute(
            select(Consent.id, Consent.subject_id, Consent.categories, Consent.recipients,
                   Consent.purposes, Consent.valid_from, Consent.valid_until,
                   ConsentWithdrawal.withdrawn_at)
            .outerjoin(ConsentWithdrawal, ConsentWithdrawal.consent_id == Consent.id)
            .where(Consent.household_id == household_id)):
        by_subject[consent.subject_id].append(
            consent_fact(consent, grantors[consent.id], consent.withdrawn_at))
    regisseur = connection.execute(
        select(RegisseurAssignment.professional_id, RegisseurAssignment.organisation_id)
        .where(RegisseurAssignment.household_id == household_id)
        .order_by(RegisseurAssignment.assigned_at.desc()).limit(1)).first()
    owner = regisseur.organisation_id if regisseur else None
    subjects = {m.id: SubjectFacts(Person(m.id, m.birth_date, frozenset(custodians[m.id])),
                                   household_id, owner, tuple(by_subject[m.id]))
                for m in members.values()}
    return HouseholdFacts(household_id, regisseur.professional_id if regisseur else None,
                          owner, members, subjects)


def household_facts(session: Session, household_id: str) -> dict[str, SubjectFacts]:
    facts = load_household(session, household_id=household_id)
    return facts.subjects if facts else {}
