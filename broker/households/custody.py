"""Part 2 of households: who decides for whom, as it changes. Custody (gezag) changes by court
decision and keeps its history; a GI may hold it (voogdij). A care provider may judge that
someone of 12 or older cannot weigh their interests in some matters (a minor's custodians
then decide in them; an adult's curator or mentor, where the policy gives them the matter).
Consents granted under custody that changed go to the re-consent list."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.audit.recording import Action, Record, record, record_all
from broker.clock import local_day, now
from broker.consent.service import reconsent_due
from broker.disclosure.capacity import age_on
from broker.disclosure.facts import HouseholdFacts, lock_household_for_change
from broker.errors import Forbidden, Invalid, NotFound
from broker.households.models import CourtDecision, Custody, Incapacity, Representation
from broker.households.schemas import (
    CourtDecisionIn,
    CustodyChange,
    CustodyLink,
    IncapacityCreate,
    RepresentativeCreate,
)
from broker.households.service import MAX_CUSTODIANS, team_facts, visible_facts
from broker.identity.models import Organisation
from broker.identity.principal import Principal
from broker.vault.service import writable_key

GUARDIAN_PARTY = "gi"  # a gecertificeerde instelling holds custody as guardian (voogdij)


@dataclass(frozen=True)
class CustodyView:
    current: list[Custody]
    history: list[Custody]
    reconsent: list[str]  # consent ids


def custody(session: Session, *, actor: Principal, household_id: str) -> CustodyView:
    """Custody today and before, and the consents to ask again (the household's team)."""
    team_facts(session, actor, household_id)
    return _view(session, actor, household_id)


def _view(session: Session, actor: Principal, household_id: str) -> CustodyView:
    rows = list(session.scalars(select(Custody).where(Custody.household_id == household_id)
                                .order_by(Custody.child_id, Custody.started_on)))
    today = local_day(now())
    due = [d.consent.id for d in reconsent_due(session, household_id)]
    record_all(session, [Record(Action.READ, actor, subject_id=child, object_type="custody",
                                object_id=household_id)
                         for child in dict.fromkeys(r.child_id for r in rows)])
    return CustodyView([r for r in rows if r.in_force(today)], rows, due)


def change_custody(session: Session, *, actor: Principal, household_id: str,
                   body: CustodyChange) -> CustodyView:
    """From the court's decision on, the household's custody is as listed: the links it no
    longer holds end that day, the new ones start. The household's team records it."""
    lock_household_for_change(session, household_id)
    facts = team_facts(session, actor, household_id)
    rows = list(session.scalars(select(Custody).where(Custody.household_id == household_id)
                                .with_for_update()))
    on = body.court_decision.date
    if on > local_day(now()) or any(r.started_on and r.started_on > on for r in rows):
        raise Invalid("A court decision is recorded once it is made, after the last one.",
                      code="court_decision_date")
    wanted = _links(session, facts, body.custody, on)
    current = {_key(r): r for r in rows if r.in_force(on)}
    had = {r.child_id for r in current.values()}
    bare = sorted(child for child in had - {child for _, _, child in wanted}
                  if age_on(facts.members[child].birth_date, on)
                  < audit_context(session).policy.consent.capacity.adult_from)
    if bare:
        raise Invalid("Every minor who had a custodian keeps one: a court names a guardian.",
                      code="custody_incomplete", children=bare)
    decision = _decision(session, actor, household_id, body.court_decision)
    for key, row in current.items():
        if key not in wanted:
            row.ended_on, row.ended_by_decision_id = on, decision.id
    session.add_all(Custody(household_id=household_id, custodian_id=member,
                            custodian_organisation_id=organisation, child_id=child,
                            started_on=on, decision_id=decision.id)
                    for member, organisation, child in sorted(wanted - current.keys(),
                                                              key=str))
    session.flush()
    changed = {child for *_, child in wanted ^ current.keys()}
    record_all(session, [Record(Action.CUSTODY_CHANGE, actor, subject_id=child,
                                object_type="court_decision", object_id=decision.id)
                         for child in sorted(changed)])
    return _view(session, actor, household_id)


Key = tuple[str | None, str | None, str]  # custodian member, custodian organisation, child


def _key(row: Custody) -> Key:
    return row.custodian_id, row.custodian_organisation_id, row.child_id


def _links(session: Session, facts: HouseholdFacts, links: list[CustodyLink], on: date
           ) -> set[Key]:
    """The links asked for, each checked: a minor child of the household, and one custodian,
    an adult member or a GI (422 `invalid_custody`, `custodian_organisation`)."""
    adult_from = audit_context(session).policy.consent.capacity.adult_from
    wanted: set[Key] = set()
    for link in links:
        child = facts.members.get(link.child)
        if child is None or child.role != "child" or age_on(child.birth_date, on) >= adult_from:
            raise Invalid("Custody is of a minor child of the household.",
                          code="invalid_custody")
        if (link.custodian is None) == (link.custodian_organisation_id is None):
            raise Invalid("Name one custodian: a member or a GI organisation.",
                          code="invalid_custody")
        if link.custodian is not None:
            custodian = facts.members.get(link.custodian)
            if custodian is None or custodian.id == child.id \
                    or age_on(custodian.birth_date, on) < adult_from:
                raise Invalid("A custodian is an adult member of the household.",
                              code="invalid_custody")
        else:
            organisation = session.get(Organisation, link.custodian_organisation_id)
            if organisation is None or organisation.party != GUARDIAN_PARTY:
                raise Invalid("Only a GI (gecertificeerde instelling) holds custody as an "
                              "organisation.", code="custodian_organisation")
        key = (link.custodian, link.custodian_organisation_id, child.id)
        if key in wanted:
            raise Invalid("A custody link is given twice.", code="invalid_custody")
        wanted.add(key)
    for child_id in {c for *_, c in wanted}:
        if sum(1 for *_, c in wanted if c == child_id) > MAX_CUSTODIANS:
            raise Invalid("A child has at most two custodians.", code="invalid_custody")
    return wanted


def _decision(session: Session, actor: Principal, household_id: str, body: CourtDecisionIn
              ) -> CourtDecision:
    key = writable_key(session, household_id)
    decision = CourtDecision(household_id=household_id, reference=b"", decided_on=body.date,
                             recorded_by=actor.actor_id)
    session.add(decision)
    session.flush()
    decision.reference = key.seal(f"court-decision:{decision.id}", body.reference)
    return decision


# --- Someone who cannot weigh their interests in a matter (wilsonbekwaam ter zake) ----------

def record_incapacity(session: Session, *, actor: Principal, household_id: str,
                      body: IncapacityCreate) -> Incapacity:
    """A care provider with a ground of its own about this person (the household's team, or
    named for them in a consent, override or mandate, or their guardian) judges that they
    cannot weigh their interests in these matters, why (sealed) and until when; meanwhile
    the custodians (a minor) or the curator or mentor (an adult) decide in them."""
    if actor.professional_id is None:
        raise Forbidden("A professional, not a system, judges someone's capacity.",
                        code="wrong_role")
    lock_household_for_change(session, household_id)
    facts = visible_facts(session, actor, household_id=household_id)
    policy = audit_context(session).policy
    capacity = policy.consent.capacity
    if capacity.incapacity_assessors and actor.party not in capacity.incapacity_assessors:
        raise Forbidden("A care provider judges someone's capacity, not this organisation.",
                        code="not_an_assessor")
    today = local_day(now())
    member = facts.members.get(body.subject_id)
    if member is None:
        raise NotFound("No such person.")
    if not (facts.in_team(actor) if actor.organisation_id == facts.regisseur_organisation_id
            else actor.organisation_id in facts.around(member.id, now())):
        raise Forbidden("Only an organisation with a ground of its own about this person "
                        "judges their capacity.", code="not_an_assessor")
    if age_on(member.birth_date, today) < capacity.youth_with_custodians_from:
        raise Invalid("A child under 12 is decided for by the custodians already.",
                      code="not_a_youth")
    unknown = sorted(set(body.categories) - policy.categories.keys())
    if unknown:
        raise Invalid("Name the matters as data categories.", code="categories",
                      fields=unknown)
    if not today < body.valid_until <= today + timedelta(days=capacity.incapacity_max_days):
        raise Invalid(f"The judgement holds at most {capacity.incapacity_max_days} days.",
                      code="valid_until")
    incapacity = Incapacity(household_id=household_id, subject_id=member.id,
                            assessed_by=actor.professional_id,
                            organisation_id=actor.organisation_id, reason=b"",
                            categories=sorted(set(body.categories)), valid_from=today,
                            valid_until=body.valid_until)
    session.add(incapacity)
    session.flush()
    incapacity.reason = writable_key(session, household_id, member.id).seal(
        f"incapacity:{incapacity.id}", body.reason)
    record(session, Record(Action.INCAPACITY, actor, subject_id=member.id,
                           object_type="incapacity", object_id=incapacity.id))
    return incapacity


def end_incapacity(session: Session, *, actor: Principal, household_id: str,
                   incapacity_id: str) -> Incapacity:
    """The judging organisation, or the household's team, ends it today."""
    lock_household_for_change(session, household_id)
    facts = visible_facts(session, actor, household_id=household_id)
    incapacity = session.get(Incapacity, incapacity_id, with_for_update=True)
    if incapacity is None or incapacity.household_id != household_id:
        raise NotFound("No such judgement.")
    if actor.organisation_id != incapacity.organisation_id and not facts.in_team(actor):
        raise Forbidden("The organisation that judged, or the household's team, ends it.",
                        code="not_the_assessor")
    if incapacity.ended_on is None:
        incapacity.ended_on = local_day(now())
        session.flush()
        record(session, Record(Action.INCAPACITY_END, actor, subject_id=incapacity.subject_id,
                               object_type="incapacity", object_id=incapacity.id))
    return incapacity


# --- An adult's curator or mentor -----------------------------------------------------------

def record_representative(session: Session, *, actor: Principal, household_id: str,
                          body: RepresentativeCreate) -> Representation:
    """The household's team records an adult's curator or mentor (a member) by the court's
    decision; from its day, they grant in the matters the policy lists for the kind."""
    lock_household_for_change(session, household_id)
    facts = team_facts(session, actor, household_id)
    capacity = audit_context(session).policy.consent.capacity
    if body.kind not in capacity.representatives:
        raise Invalid(f"A representative is one of: {', '.join(capacity.representatives)}.",
                      code="representative_kind")
    on = body.court_decision.date
    subject, representative = (facts.members.get(body.subject_id),
                               facts.members.get(body.representative_id))
    if subject is None or age_on(subject.birth_date, on) < capacity.adult_from:
        raise Invalid("A curator or mentor represents an adult of the household.",
                      code="not_an_adult")
    if representative is None or representative.id == subject.id \
            or age_on(representative.birth_date, on) < capacity.adult_from:
        raise Invalid("The representative is another adult member of the household.",
                      code="representative")
    if on > local_day(now()):
        raise Invalid("A court decision is recorded once it is made.",
                      code="court_decision_date")
    decision = _decision(session, actor, household_id, body.court_decision)
    representation = Representation(household_id=household_id, subject_id=subject.id,
                                    representative_id=representative.id, kind=body.kind,
                                    decision_id=decision.id, valid_from=on,
                                    recorded_by=actor.actor_id)
    session.add(representation)
    session.flush()
    record(session, Record(Action.REPRESENTATIVE, actor, subject_id=subject.id,
                           object_type="representation", object_id=representation.id))
    return representation


def end_representative(session: Session, *, actor: Principal, household_id: str,
                       representation_id: str) -> Representation:
    """The household's team records that the curatele or mentorschap ended today."""
    lock_household_for_change(session, household_id)
    team_facts(session, actor, household_id)
    representation = session.get(Representation, representation_id, with_for_update=True)
    if representation is None or representation.household_id != household_id:
        raise NotFound("No such representative.")
    if representation.ended_on is None:
        representation.ended_on = local_day(now())
        session.flush()
        record(session, Record(Action.REPRESENTATIVE_END, actor,
                               subject_id=representation.subject_id,
                               object_type="representation", object_id=representation.id))
    return representation
