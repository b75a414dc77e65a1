"""The facts of each household's path of help that its criteria (`criteria.py`) judge, from
plain columns only: who took part, dates, outcomes, scales, parties. Grouped queries serve one
household or the whole municipality alike."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, defer

from broker.care.models import (
    ChildContact,
    Closure,
    Evaluation,
    FamilyGroupPlanEvent,
    HelpRequest,
    OtherPlan,
    OtherPlanKind,
    SafetyAssessment,
    SignalFeedback,
)
from broker.care.service import Judgement, escalations, in_order
from broker.clock import local_day
from broker.households.models import Household, Member, RegisseurAssignment
from broker.identity.models import Organisation, Professional
from broker.information_requests.models import InformationRequest
from broker.meetings.models import Invitee, Meeting, MeetingStatus
from broker.meldcode.models import Handback
from broker.observations.models import AmendmentKind, Concern, Observation, ObservationAmendment
from broker.plans.models import Plan
from broker.policy import Policy


@dataclass
class PathFacts:
    """What the queries found about one household's path of help."""

    created: date = date.min
    parents: list[str] = field(default_factory=list)
    children: dict[str, date] = field(default_factory=dict)  # child id -> birth date
    adults: list[str] = field(default_factory=list)
    intake: HelpRequest | None = None  # the first of the current help
    intake_zrm: set[str] = field(default_factory=set)  # adults with a ZRM score
    plan_zrm: set[str] = field(default_factory=set)
    judged: list[Judgement] = field(default_factory=list)
    full_assessments: list[date] = field(default_factory=list)  # with an instrument
    spoken: dict[str, date] = field(default_factory=dict)  # child -> last seen and spoken
    seen: dict[str, date] = field(default_factory=dict)  # child -> last seen
    family_group_plan: FamilyGroupPlanEvent | None = None
    plan_on_fgp: bool = False
    family_in_meeting: set[str] = field(default_factory=set)  # members at a held meeting
    evaluation: Evaluation | None = None
    plan_after_evaluation: bool = False
    escalated: list[date] = field(default_factory=list)
    handed_back: date | None = None  # Veilig Thuis last handed the family back
    closure: Closure | None = None
    regisseur_plans: int = 0  # other organisations that say they direct the help
    unlinked_plans: int = 0
    asked_parties: set[str] = field(default_factory=set)
    signal_parties: dict[str, str] = field(default_factory=dict)  # org id -> party (open)
    asked_organisations: set[str] = field(default_factory=set)
    feedback_due: list[date] = field(default_factory=list)  # signals without feedback
    oldest_late_action: date | None = None


def _plain(model: Any, sealed: Any, households: Any) -> Select[Any]:
    """The households' rows of a model, without their sealed text."""
    return select(model).options(defer(sealed)).where(model.household_id.in_(households))


def _by_household(rows: Any) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        found[row.household_id].append(row)
    return found


def gather(session: Session, ids: Select[Any], today: date) -> dict[str, PathFacts]:
    facts: dict[str, PathFacts] = {}
    for h, created in session.execute(select(Household.id, Household.created_at)
                                      .where(Household.id.in_(ids))):
        facts[h] = PathFacts(created=local_day(created))
    for m in session.scalars(select(Member).where(Member.household_id.in_(ids))):
        f = facts[m.household_id]
        if m.role == "child":
            f.children[m.id] = m.birth_date
        else:
            f.adults.append(m.id)
            if m.role == "parent":
                f.parents.append(m.id)
    closures = _by_household(session.scalars(_plain(Closure, Closure.note, ids)
                                             .order_by(Closure.created_at)))
    requests = _by_household(session.scalars(_plain(HelpRequest, HelpRequest.question, ids)
                                             .order_by(HelpRequest.created_at)))
    for h, f in facts.items():
        last_closure = closures[h][-1] if closures.get(h) else None
        current = [r for r in requests.get(h, [])
                   if last_closure is None or r.created_at > last_closure.created_at]
        f.closure = last_closure if last_closure and not current else None
        f.intake = current[0] if current else (requests[h][-1] if requests.get(h) else None)
        f.intake_zrm = {m for r in current or requests.get(h, []) for m in r.member_zrm}
    for a in session.scalars(_plain(SafetyAssessment, SafetyAssessment.rationale, ids)):
        facts[a.household_id].judged.append(
            Judgement(a.assessed_on, a.outcome, a.scale, a.created_at))
        facts[a.household_id].full_assessments.append(a.assessed_on)
    for p in session.scalars(_plain(Plan, Plan.content, ids)):
        f = facts[p.household_id]
        f.plan_zrm |= set(p.member_zrm or {})
        f.plan_on_fgp |= p.family_group_plan_id is not None
        if p.safety_outcome:
            f.judged.append(Judgement(local_day(p.created_at), p.safety_outcome,
                                      p.safety_scale, p.created_at))
            f.full_assessments.append(local_day(p.created_at))
    for e in session.scalars(select(Evaluation).where(Evaluation.household_id.in_(ids))
                             .order_by(Evaluation.held_on, Evaluation.created_at)):
        f = facts[e.household_id]
        f.judged.append(Judgement(e.held_on, e.safety_outcome, e.safety_scale, e.created_at))
        f.evaluation = e
    for f in facts.values():
        f.judged = in_order(f.judged)
    for h, at in session.execute(select(Plan.household_id, func.max(Plan.created_at))
                                 .where(Plan.household_id.in_(ids)).group_by(Plan.household_id)):
        last = facts[h].evaluation
        facts[h].plan_after_evaluation = last is not None and at > last.created_at
    for h, child, seen, spoken in session.execute(
            select(ChildContact.household_id, ChildContact.child_id,
                   func.max(ChildContact.contact_on),
                   func.max(ChildContact.contact_on).filter(ChildContact.spoken))
            .where(ChildContact.household_id.in_(ids), ChildContact.seen)
            .group_by(ChildContact.household_id, ChildContact.child_id)):
        facts[h].seen[child] = seen
        if spoken:
            facts[h].spoken[child] = spoken
    for event in session.scalars(_plain(FamilyGroupPlanEvent, FamilyGroupPlanEvent.note, ids)
                                 .order_by(FamilyGroupPlanEvent.created_at)):
        facts[event.household_id].family_group_plan = event
    for h, member in session.execute(
            select(Meeting.household_id, Invitee.member_id)
            .join(Invitee, Invitee.meeting_id == Meeting.id)
            .where(Meeting.household_id.in_(ids), Meeting.status == MeetingStatus.HELD,
                   Invitee.member_id.is_not(None))):
        facts[h].family_in_meeting.add(str(member))
    for h, on in escalations(session, ids):
        facts[h].escalated.append(on)
    for h, on in session.execute(select(Handback.household_id, func.max(Handback.handed_back_on))
                                 .where(Handback.household_id.in_(ids))
                                 .group_by(Handback.household_id)):
        facts[h].handed_back = on
    for o in session.scalars(_plain(OtherPlan, OtherPlan.details, ids).where(
            or_(OtherPlan.ended_on.is_(None), OtherPlan.ended_on > today))):
        facts[o.household_id].regisseur_plans += o.kind == OtherPlanKind.REGISSEUR
        facts[o.household_id].unlinked_plans += o.kind == OtherPlanKind.PLAN and not o.linked
    _asked(session, ids, facts)
    _signals(session, ids, facts)
    return facts


def _asked(session: Session, ids: Select[Any], facts: dict[str, PathFacts]) -> None:
    """The organisations asked what they know: invited to a meeting not cancelled (as an
    organisation or through one of its professionals), or sent a request for information."""
    invited = (select(Meeting.household_id, Organisation.id, Organisation.party)
               .join(Invitee, Invitee.meeting_id == Meeting.id)
               .outerjoin(Professional, Professional.id == Invitee.professional_id)
               .join(Organisation, or_(Organisation.id == Invitee.organisation_id,
                                       Organisation.id == Professional.organisation_id))
               .where(Meeting.household_id.in_(ids), Meeting.status != MeetingStatus.CANCELLED))
    requested = (select(InformationRequest.household_id, Organisation.id, Organisation.party)
                 .join(Organisation, Organisation.id == InformationRequest.holder_organisation_id)
                 .where(InformationRequest.household_id.in_(ids)))
    for h, organisation, party in [*session.execute(invited), *session.execute(requested)]:
        facts[h].asked_parties.add(party)
        facts[h].asked_organisations.add(organisation)


def _signals(session: Session, ids: Select[Any], facts: dict[str, PathFacts]) -> None:
    """Other organisations' signals (an observation with a concern, not retracted): their
    organisation must be asked, and told what was done with it."""
    retracted = select(ObservationAmendment.observation_id).where(
        ObservationAmendment.kind == AmendmentKind.RETRACTION)
    newest = (select(RegisseurAssignment.household_id,
                     func.max(RegisseurAssignment.assigned_at).label("at"))
              .where(RegisseurAssignment.household_id.in_(ids))
              .group_by(RegisseurAssignment.household_id).subquery())
    regisseur_org = dict(session.execute(
        select(RegisseurAssignment.household_id, RegisseurAssignment.organisation_id)
        .join(newest, (RegisseurAssignment.household_id == newest.c.household_id)
              & (RegisseurAssignment.assigned_at == newest.c.at))).all())
    given = select(SignalFeedback.observation_id)
    for h, organisation, party, created, fed_back in session.execute(
            select(Observation.household_id, Organisation.id, Organisation.party,
                   Observation.created_at, Observation.id.in_(given))
            .join(Organisation, Organisation.id == Observation.submitted_by_organisation_id)
            .where(Observation.household_id.in_(ids), Observation.concern != Concern.NONE,
                   Observation.id.not_in(retracted))):
        if organisation == regisseur_org.get(h):
            continue
        facts[h].signal_parties[organisation] = party
        if not fed_back:
            facts[h].feedback_due.append(local_day(created))


def relevant_groups(policy: Policy, f: PathFacts) -> list[tuple[str, ...]]:
    """The parties to ask: one of each policy group (for a family with children), and each
    organisation that raised a signal."""
    return [tuple(g) for g in policy.safety.relevant_parties] if f.children else []


def started(f: PathFacts) -> date:
    return f.intake.started_on if f.intake else f.created


def age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def last_judgement(f: PathFacts) -> Judgement | None:
    return f.judged[-1] if f.judged else None
