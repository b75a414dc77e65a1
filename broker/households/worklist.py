"""The households on a professional's start page: the ones they direct, and the ones their
organisation is involved with (ids and readable references only: no member's data)."""

from dataclasses import dataclass

from sqlalchemy import String, cast, or_, select, union
from sqlalchemy.orm import Session

from broker.clock import now
from broker.consent.models import Consent
from broker.disclosure.facts import load_household
from broker.households.models import Custody, Household, RegisseurAssignment
from broker.households.references import household_references
from broker.households.service import households_of_regisseur
from broker.identity.principal import Principal
from broker.mandates.models import Mandate
from broker.meetings.models import Invitee, Meeting
from broker.meldcode.models import Override


@dataclass(frozen=True)
class Directed:
    household_id: str
    label: str  # the regisseur's own label for the family


def directed(session: Session, actor: Principal) -> list[Directed]:
    """The households the caller directs now, newest first."""
    return [Directed(h.id, h.label)
            for h in households_of_regisseur(session, actor.professional_id or "")]


@dataclass(frozen=True)
class Involved:
    household_id: str
    reference: str  # 'HH-2026-014'


def involvement_candidates(session: Session, actor: Principal) -> list[str]:
    """A superset of the households the caller's organisation is involved with, newest
    first; each is decided by `HouseholdFacts.involves` afterwards."""
    org = actor.organisation_id
    invited = select(Invitee.meeting_id).where(or_(
        Invitee.organisation_id == org, Invitee.professional_id == (actor.professional_id or "")))
    found = union(
        select(Consent.household_id).where(cast(Consent.recipients, String).contains(org)),
        select(Override.household_id).where(cast(Override.recipient_ids, String).contains(org)),
        select(Mandate.household_id).where(Mandate.organisation_id == org),
        select(Custody.household_id).where(Custody.custodian_organisation_id == org),
        select(Meeting.household_id).where(Meeting.id.in_(invited)),
        select(RegisseurAssignment.household_id)
        .where(RegisseurAssignment.organisation_id == org))
    return list(session.scalars(select(Household.id).where(Household.id.in_(found))
                                .order_by(Household.created_at.desc())))


def involved(session: Session, actor: Principal) -> list[Involved]:
    """The households another organisation is involved with now (consent or override in
    force, mandate, guardianship, or a meeting still to be held), newest first."""
    at = now()
    ids = [h for h in involvement_candidates(session, actor)
           if (facts := load_household(session, household_id=h)) is not None
           and facts.regisseur_organisation_id != actor.organisation_id
           and facts.involves(actor, at)]
    references = household_references(session, ids)
    return [Involved(h, references[h]) for h in ids]
