"""The families a partner's organisation is involved with, and one family as that
organisation may see it. Involvement is `HouseholdFacts.involves` (granted, never taken);
everything personal passes the door and is recorded; a household the caller is not involved
with does not exist here (404)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from broker.care.models import SignalFeedback
from broker.clock import local_day, now
from broker.disclosure.door import Item, disclose_each
from broker.disclosure.engine import BASIC_DATA
from broker.disclosure.facts import HouseholdFacts, MemberFacts, load_household
from broker.households import service as households
from broker.households.worklist import involvement_candidates
from broker.identity.models import Organisation
from broker.identity.principal import Principal
from broker.information_requests import service as information
from broker.meetings.models import Invitee, Meeting, MeetingSlot
from broker.meldcode.models import MeldcodeCase
from broker.observations import service as observations
from broker.observations.models import Observation

PURPOSE = "hulpverlening"


@dataclass(frozen=True)
class Involvement:
    """Why the organisation is involved: codes the page words ('consent', 'override',
    'mandate', 'guardian', 'meeting'), and the matters a consent in force covers."""

    grounds: tuple[str, ...]
    categories: tuple[str, ...]


@dataclass(frozen=True)
class FamilyRow:
    household_id: str
    label: str | None  # None: the organisation sees no member's name
    names: list[str]
    involvement: Involvement
    meetings: list[Meeting]


def involvement(facts: HouseholdFacts, organisation_id: str, at: datetime) -> Involvement:
    grounds: list[str] = []
    categories: set[str] = set()
    for subject in facts.subjects.values():
        for consent in subject.consents:
            if consent.in_force(at) and organisation_id in consent.organisations:
                grounds.append("consent")
                categories |= consent.categories
        if any(o.valid_from <= at < o.valid_until and organisation_id in o.organisations
               for o in subject.overrides):
            grounds.append("override")
        if any(m.organisation_id == organisation_id and m.in_force(local_day(at))
               for m in subject.mandates):
            grounds.append("mandate")
        if organisation_id in subject.person.guardians:
            grounds.append("guardian")
    if organisation_id in facts.invitees:
        grounds.append("meeting")
    return Involvement(tuple(dict.fromkeys(grounds)), tuple(sorted(categories)))


def _invited_meetings(session: Session, actor: Principal, household_id: str) -> list[Meeting]:
    """The household's meetings the caller is invited to, in person or as organisation."""
    invited = select(Invitee.meeting_id).where(or_(
        Invitee.organisation_id == actor.organisation_id,
        Invitee.professional_id == (actor.professional_id or "")))
    return list(session.scalars(select(Meeting).where(
        Meeting.household_id == household_id, Meeting.id.in_(invited))
        .order_by(Meeting.created_at.desc())))


def _shown(session: Session, actor: Principal, facts: HouseholdFacts) -> list[MemberFacts]:
    """The members whose names this reader may see (basic data through the door, recorded)."""
    members = sorted(facts.members.values(), key=lambda m: m.birth_date)
    decisions = disclose_each(session, actor=actor, purpose=PURPOSE, items=[
        Item(facts.subjects[m.id], BASIC_DATA, object_type="household",
             object_id=facts.household_id) for m in members])
    return [m for m, decision in zip(members, decisions, strict=True) if decision.permitted]


def involved_families(session: Session, *, actor: Principal) -> list[FamilyRow]:
    """The families another organisation is involved with now, newest first, each named by
    the family names it may see (never the regisseur's own free-text label). The regisseur's
    organisation works on `/huishoudens` instead."""
    at, rows = now(), []
    for household_id in involvement_candidates(session, actor):
        facts = load_household(session, household_id=household_id)
        if facts is None or facts.regisseur_organisation_id == actor.organisation_id \
                or not facts.involves(actor, at):
            continue
        shown = _shown(session, actor, facts)
        names = [f"{m.given_name} {m.family_name}" for m in shown]
        label = " / ".join(households.family_names(shown)) or None
        rows.append(FamilyRow(household_id, label, names,
                              involvement(facts, actor.organisation_id, at),
                              _invited_meetings(session, actor, household_id)))
    return rows


@dataclass(frozen=True)
class FamilyPage:
    view: households.HouseholdView
    involvement: Involvement
    shown: list[observations.Shown]
    withheld: list[observations.Withheld]
    meetings: list[Meeting]
    moments: dict[str, datetime]  # meeting id -> the chosen slot's start
    requests: list[information.RequestView]
    cases: list[MeldcodeCase]
    regisseur: Organisation | None
    feedback: dict[str, SignalFeedback]  # own signal's observation id -> what was done


def family_page(session: Session, *, actor: Principal, household_id: str) -> FamilyPage:
    """One family as the caller's organisation may see it: members (basic data through the
    door), observations shown or withheld with the reason, the meetings it is invited to,
    open requests for information, and its own meldcode cases. 404 when not involved."""
    facts = households.visible_facts(session, actor, household_id=household_id)
    view = households.view_household(session, actor=actor, household_id=household_id)
    shown, withheld = observations.household_observations(session, actor=actor,
                                                          household_id=household_id)
    meetings = _invited_meetings(session, actor, household_id)
    slots = [m.slot_id for m in meetings if m.slot_id]
    moments = {s.meeting_id: s.start for s in session.scalars(
        select(MeetingSlot).where(MeetingSlot.id.in_(slots)))} if slots else {}
    cases = list(session.scalars(select(MeldcodeCase).where(
        MeldcodeCase.household_id == household_id,
        MeldcodeCase.organisation_id == actor.organisation_id)
        .order_by(MeldcodeCase.created_at.desc()))) \
        if actor.professional_id and facts.reaches_own(actor) else []
    return FamilyPage(view, involvement(facts, actor.organisation_id, now()), shown, withheld,
                      meetings, moments,
                      information.open_requests_about(session, actor=actor,
                                                      household_id=household_id),
                      cases, session.get(Organisation, view.regisseur.organisation_id),
                      feedback_received(session, actor, household_id))


def feedback_received(session: Session, actor: Principal, household_id: str
                      ) -> dict[str, SignalFeedback]:
    """The feedback on the caller's organisation's own signals: what was done with each
    (an outcome code and a day, no details)."""
    return {f.observation_id: f for f in session.scalars(
        select(SignalFeedback).join(Observation, Observation.id == SignalFeedback.observation_id)
        .where(SignalFeedback.household_id == household_id,
               Observation.submitted_by_organisation_id == actor.organisation_id))}
