"""Load what `decide()` needs about a person, in a few queries."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.consent.capacity import Person
from broker.consent.engine import ConsentFact, SubjectFacts
from broker.consent.models import Consent, ConsentGrantor, ConsentWithdrawal
from broker.households.models import Custody, Member, RegisseurAssignment


def consent_fact(consent: Consent, grantors: Iterable[str],
                 withdrawn_at: datetime | None) -> ConsentFact:
    return ConsentFact(
        id=consent.id, categories=frozenset(consent.categories),
        organisations=frozenset(r["organisation_id"] for r in consent.recipients
                                if r.get("organisation_id")),
        parties=frozenset(r["party"] for r in consent.recipients if r.get("party")),
        purposes=frozenset(consent.purposes), grantors=frozenset(grantors),
        valid_from=consent.valid_from, valid_until=consent.valid_until,
        withdrawn_at=withdrawn_at)


def consents_with_history(session: Session, *criteria: object
                          ) -> list[tuple[Consent, list[str], datetime | None]]:
    """Consents matching `criteria`, each with its grantors and withdrawal time."""
    consents = list(session.scalars(select(Consent).where(*criteria)))  # type: ignore[arg-type]
    ids = [c.id for c in consents]
    grantors: dict[str, list[str]] = defaultdict(list)
    withdrawn: dict[str, datetime] = {}
    if ids:
        for consent_id, member_id in session.execute(
                select(ConsentGrantor.consent_id, ConsentGrantor.member_id)
                .where(ConsentGrantor.consent_id.in_(ids))):
            grantors[consent_id].append(member_id)
        for consent_id, at in session.execute(
                select(ConsentWithdrawal.consent_id, ConsentWithdrawal.withdrawn_at)
                .where(ConsentWithdrawal.consent_id.in_(ids))):
            withdrawn[consent_id] = at
    return [(c, grantors[c.id], withdrawn.get(c.id)) for c in consents]


def consents_in_force_for_household(session: Session, household_id: str, at: datetime
                                    ) -> list[Consent]:
    rows = consents_with_history(session, Consent.household_id == household_id)
    return [c for c, _, withdrawn in rows
            if c.valid_from <= at < c.valid_until and (withdrawn is None or at < withdrawn)]


def household_facts(session: Session, household_id: str) -> dict[str, SubjectFacts]:
    """Facts for every member of a household: one load for a whole page or brief."""
    members = list(session.scalars(select(Member).where(Member.household_id == household_id)))
    custodians: dict[str, set[str]] = defaultdict(set)
    for custodian_id, child_id in session.execute(
            select(Custody.custodian_id, Custody.child_id)
            .where(Custody.household_id == household_id)):
        custodians[child_id].add(custodian_id)
    by_subject: dict[str, list[ConsentFact]] = defaultdict(list)
    for consent, grantors, withdrawn in consents_with_history(session,
                                                  Consent.household_id == household_id):
        by_subject[consent.subject_id].append(consent_fact(consent, grantors, withdrawn))
    owner = session.scalar(select(RegisseurAssignment.organisation_id)
                           .where(RegisseurAssignment.household_id == household_id)
                           .order_by(RegisseurAssignment.assigned_at.desc()).limit(1))
    return {m.id: SubjectFacts(Person(m.id, m.birth_date, frozenset(custodians[m.id])),
                               household_id, owner, tuple(by_subject[m.id]))
            for m in members}


def subject_facts(session: Session, subject_id: str) -> SubjectFacts | None:
    member = session.get(Member, subject_id)
    if member is None:
        return None
    return household_facts(session, member.household_id)[subject_id]
