"""The criteria of the path of help (Toezichtkader Stelseltoezicht Jeugd, themes 'Toeleiding
en toegang' and 'In zorg') judged from plain columns: who took part, dates, outcomes, scales,
parties. Grouped queries serve one household or the whole municipality alike."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from broker.care.models import (
    ChildContact,
    Closure,
    ClosureReason,
    Evaluation,
    FamilyGroupPlanEvent,
    FamilyGroupPlanStatus,
    HelpRequest,
    OtherPlan,
    OtherPlanKind,
    SafetyAssessment,
    SignalFeedback,
)
from broker.care.service import escalated, escalations
from broker.clock import local_day
from broker.households.models import Household, Member, RegisseurAssignment
from broker.identity.models import Organisation, Professional
from broker.information_requests.models import InformationRequest
from broker.meetings.models import Invitee, Meeting, MeetingStatus
from broker.meldcode.models import Handback
from broker.observations.models import AmendmentKind, Concern, Observation, ObservationAmendment
from broker.plans.models import Plan
from broker.policy import Policy
from broker.quality.indicator import Indicator, Status


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
    judged: list[tuple[date, str, int | None]] = field(default_factory=list)
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
    closures = _by_household(session.scalars(select(Closure).where(Closure.household_id.in_(ids))
                                             .order_by(Closure.created_at)))
    requests = _by_household(session.scalars(select(HelpRequest)
                                             .where(HelpRequest.household_id.in_(ids))
                                             .order_by(HelpRequest.created_at)))
    for h, f in facts.items():
        last_closure = closures[h][-1] if closures.get(h) else None
        current = [r for r in requests.get(h, [])
                   if last_closure is None or r.created_at > last_closure.created_at]
        f.closure = last_closure if last_closure and not current else None
        f.intake = current[0] if current else (requests[h][-1] if requests.get(h) else None)
        f.intake_zrm = {m for r in current or requests.get(h, []) for m in r.member_zrm}
    for a in session.scalars(select(SafetyAssessment)
                             .where(SafetyAssessment.household_id.in_(ids))):
        facts[a.household_id].judged.append((a.assessed_on, a.outcome, a.scale))
        facts[a.household_id].full_assessments.append(a.assessed_on)
    for p in session.scalars(select(Plan).where(Plan.household_id.in_(ids))):
        f = facts[p.household_id]
        f.plan_zrm |= set(p.member_zrm or {})
        f.plan_on_fgp |= p.family_group_plan_id is not None
        if p.safety_outcome:
            f.judged.append((local_day(p.created_at), p.safety_outcome, p.safety_scale))
            f.full_assessments.append(local_day(p.created_at))
    for e in session.scalars(select(Evaluation).where(Evaluation.household_id.in_(ids))
                             .order_by(Evaluation.held_on, Evaluation.created_at)):
        f = facts[e.household_id]
        f.judged.append((e.held_on, e.safety_outcome, e.safety_scale))
        f.evaluation = e
    for f in facts.values():
        f.judged.sort(key=lambda j: j[0])
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
    for event in session.scalars(select(FamilyGroupPlanEvent)
                                 .where(FamilyGroupPlanEvent.household_id.in_(ids))
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
    for o in session.scalars(select(OtherPlan).where(OtherPlan.household_id.in_(ids),
                                                     OtherPlan.ended_on.is_(None))):
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


def last_judgement(f: PathFacts) -> tuple[date, str, int | None] | None:
    return f.judged[-1] if f.judged else None


ACUTE = "onveilig_acuut"  # acute danger: voluntary help alone never suffices


def _day(day: date | None) -> str:
    return f"{day:%d-%m-%Y}" if day else ""


def help_request(f: PathFacts, policy: Policy) -> Indicator:
    """Toeleiding en toegang: the help request is formulated in dialogue with the family
    (the parents and the children took part)."""
    name = "help_request"
    if f.intake is None:
        return Indicator(name, Status.MISSING, "help_request_missing")
    took_part = set(f.intake.formulated_with)
    voiced = [c for c, birth in f.children.items()
              if age(birth, f.intake.started_on) >= policy.safety.child_voice_from_age]
    if not took_part & set(f.parents or f.adults):
        return Indicator(name, Status.ATTENTION, "help_request_without_parents")
    left_out = [c for c in voiced if c not in took_part]
    if left_out:
        return Indicator(name, Status.ATTENTION, "help_request_without_children",
                         {"count": len(left_out), "total": len(voiced)})
    return Indicator(name, Status.OK, "help_request_with_family",
                     {"day": _day(f.intake.started_on)})


def life_domains(f: PathFacts, policy: Policy) -> Indicator:
    """Toeleiding en toegang: the questions behind the question, on every leefgebied."""
    name = "life_domains"
    if f.intake is None:
        return Indicator(name, Status.MISSING, "domains_missing")
    every = [c for c in policy.categories if c != "basisgegevens"]
    missed = [c for c in every if c not in f.intake.life_domains]
    if missed:
        return Indicator(name, Status.ATTENTION, "domains_partly",
                         {"count": len(missed), "total": len(every),
                          "domains": ", ".join(policy.categories[c].label.lower()
                                               for c in missed)})
    return Indicator(name, Status.OK, "domains_all", {"total": len(every)})


def safety_questions(f: PathFacts, policy: Policy, today: date, flags: list[str]
                     ) -> Indicator:
    """Toeleiding en toegang: safety risks estimated at the start of every help request, by
    uniform questions; a full assessment with a named instrument where an answer demands it."""
    name = "safety_questions"
    if f.intake is None:
        return Indicator(name, Status.MISSING, "safety_questions_missing")
    asked = f.intake.started_on
    if not f.intake.full_assessment:
        return Indicator(name, Status.OK, "safety_questions_safe", {"day": _day(asked)})
    days = policy.safety.terms.assessment_after_intake_days
    if any(day >= asked - timedelta(days=days) for day in f.full_assessments):
        return Indicator(name, Status.OK, "full_assessment_done", {"day": _day(asked)})
    due = asked + timedelta(days=days)
    if today <= due:
        return Indicator(name, Status.ATTENTION, "full_assessment_due", {"due": _day(due)})
    flags.append("violence_without_assessment")
    return Indicator(name, Status.MISSING, "full_assessment_missing",
                     {"day": _day(asked), "days": days})


def self_reliance(f: PathFacts) -> Indicator:
    """Toeleiding en toegang: the self-reliance of each adult is estimated (ZRM)."""
    name = "self_reliance"
    scored = [a for a in f.adults if a in f.intake_zrm | f.plan_zrm]
    if not scored:
        return Indicator(name, Status.MISSING, "zrm_missing")
    if len(scored) < len(f.adults):
        return Indicator(name, Status.ATTENTION, "zrm_partly",
                         {"count": len(f.adults) - len(scored), "total": len(f.adults)})
    return Indicator(name, Status.OK, "zrm_done", {"total": len(scored)})


def partners_asked(f: PathFacts, policy: Policy, held: int) -> Indicator:
    """Toeleiding en toegang: the help is connected with the other parties concerned: the
    GP, school or childcare and youth health care, and whoever raised a signal."""
    name = "partners_asked"
    label = {p.id: p.label.lower() for p in policy.parties.values()}
    asked = [g for g in relevant_groups(policy, f) if set(g) & f.asked_parties]
    missing = [" of ".join(label[p] for p in g) for g in relevant_groups(policy, f)
               if g not in asked]
    missing += [f"{label.get(party, party)} (signaal)"
                for organisation, party in f.signal_parties.items()
                if organisation not in f.asked_organisations]
    named = ", ".join(sorted({label.get(p, p) for p in f.asked_parties})) or "-"
    if not f.asked_parties:
        return Indicator(name, Status.MISSING, "partners_none_asked",
                         {"missing": ", ".join(missing) or "-"})
    if missing:
        return Indicator(name, Status.ATTENTION, "partners_partly_asked",
                         {"asked": named, "missing": ", ".join(missing)})
    return Indicator(name, Status.OK, "partners_all_asked", {"asked": named, "held": held})


def family_group_plan(f: PathFacts) -> Indicator:
    """Toeleiding en toegang: the family had the chance to make a family group plan; the
    professional works from it, or with a plan made with parents and children."""
    name, event = "family_group_plan", f.family_group_plan
    if event is None:
        return Indicator(name, Status.MISSING, "fgp_not_offered")
    day: dict[str, str | int] = {"day": _day(event.decided_on)}
    if event.status == FamilyGroupPlanStatus.RECEIVED:
        return Indicator(name, Status.OK, "fgp_plan_based", day) if f.plan_on_fgp else \
            Indicator(name, Status.ATTENTION, "fgp_not_linked", day)
    if event.status == FamilyGroupPlanStatus.DECLINED:
        return Indicator(name, Status.OK, "fgp_declined_plan_with_family", day) \
            if f.family_in_meeting & set(f.parents or f.adults) else \
            Indicator(name, Status.ATTENTION, "fgp_declined_no_family_plan", day)
    return Indicator(name, Status.ATTENTION, f"fgp_{event.status}", day)


def one_plan(f: PathFacts) -> Indicator:
    """In zorg: one family, one plan, one regisseur."""
    name = "one_plan_one_regisseur"
    if f.regisseur_plans:
        return Indicator(name, Status.ATTENTION, "second_regisseur",
                         {"count": f.regisseur_plans})
    if f.unlinked_plans:
        return Indicator(name, Status.ATTENTION, "plans_not_linked",
                         {"count": f.unlinked_plans})
    return Indicator(name, Status.OK, "one_plan")


def evaluation_safety(f: PathFacts, policy: Policy) -> Indicator:
    """In zorg: the evaluation compares the safety at the start with now."""
    name, e = "evaluation_safety", f.evaluation
    if e is None:
        return Indicator(name, Status.MISSING, "evaluation_safety_missing")
    if e.start_outcome is None:
        return Indicator(name, Status.ATTENTION, "evaluation_no_start", {"day": _day(e.held_on)})
    values: dict[str, str | int] = {"start": e.start_outcome, "now": e.safety_outcome,
                                    "day": _day(e.held_on)}
    if e.safety_outcome in policy.safety.unsafe_outcomes or (
            e.start_scale is not None and e.safety_scale < e.start_scale):
        return Indicator(name, Status.ATTENTION, "safety_not_better", values)
    return Indicator(name, Status.OK, "safety_compared", values)


def escalation(f: PathFacts, policy: Policy, today: date, late_since: date | None,
               flags: list[str]) -> Indicator:
    """In zorg: escalated when voluntary help does not come about, is not enough or does
    not work: the children are in acute danger, an evaluation finds them still unsafe and no
    safer than at the start, or the plan's actions stall."""
    name, last = "escalation", last_judgement(f)
    since = escalated(f.escalated, f.intake.started_on if f.intake else None, f.handed_back)
    e, unsafe = f.evaluation, policy.safety.unsafe_outcomes
    failing = e is not None and e.safety_outcome in unsafe and (
        e.start_scale is None or e.safety_scale <= e.start_scale)
    if since is None and last is not None and (
            last[1] == ACUTE or (failing and e is not None and last[0] == e.held_on)):
        flags.append("unsafe_without_escalation")
        return Indicator(name, Status.MISSING, "escalation_needed_unsafe",
                         {"day": _day(last[0]), "outcome": last[1]})
    stalled = policy.safety.terms.stagnation_escalate_days
    if late_since is not None and today - late_since > timedelta(days=stalled) and (
            since is None or since < late_since):
        return Indicator(name, Status.ATTENTION, "escalation_consider",
                         {"day": _day(late_since), "days": stalled})
    if since is not None:
        return Indicator(name, Status.OK, "escalated", {"day": _day(since)})
    return Indicator(name, Status.OK, "escalation_not_needed")


def plan_adjusted(f: PathFacts, policy: Policy, today: date) -> Indicator:
    """In zorg: when the family's needs change, the goals are adjusted with them."""
    name, e = "plan_adjusted", f.evaluation
    if e is None or not e.needs_changed:
        return Indicator(name, Status.OK, "plan_fits")
    if f.plan_after_evaluation:
        return Indicator(name, Status.OK, "plan_adjusted", {"day": _day(e.held_on)})
    due = e.held_on + timedelta(days=policy.safety.terms.adjust_plan_days)
    if today <= due:
        return Indicator(name, Status.ATTENTION, "plan_adjust_due", {"due": _day(due)})
    return Indicator(name, Status.OVERDUE, "plan_adjust_overdue", {"day": _day(e.held_on)})


def closure(f: PathFacts) -> Indicator:
    """In zorg: help ends when the family can go on alone or aftercare is arranged (checked
    when it is closed: 422 `closure_unsafe`)."""
    name, c = "closure", f.closure
    if c is None:
        return Indicator(name, Status.OK, "help_ongoing")
    return Indicator(name, Status.OK, {ClosureReason.ZELFSTANDIG: "closed_independent",
                                       ClosureReason.NAZORG: "closed_aftercare"}.get(
        ClosureReason(c.reason), "closed_escalated"), {"day": _day(c.closed_on)})


def child_seen(f: PathFacts, policy: Policy, today: date, flags: list[str]) -> Indicator:
    """Each child seen within the term after the start of the help, and spoken from the age
    the policy names (seed 002: 'met alle gezinsleden is gesproken')."""
    name = "child_seen"
    if not f.children:
        return Indicator(name, Status.OK, "no_children_to_speak")
    days = policy.safety.terms.child_seen_days
    since = started(f) - timedelta(days=days)
    voice = policy.safety.child_voice_from_age
    unseen = [c for c, birth in f.children.items()
              if (f.spoken if age(birth, today) >= voice else f.seen).get(c, date.min) < since]
    start = started(f)
    if not unseen:
        return Indicator(name, Status.OK, "children_seen", {"count": len(f.children)})
    due = start + timedelta(days=days)
    if today <= due:
        return Indicator(name, Status.ATTENTION, "children_to_see",
                         {"count": len(unseen), "due": _day(due)})
    flags.append("child_not_seen")
    return Indicator(name, Status.MISSING, "children_not_seen",
                     {"count": len(unseen), "total": len(f.children), "days": days})


def feedback(f: PathFacts, policy: Policy, today: date) -> Indicator:
    """A partner that raised a signal hears what was done with it, within the term."""
    name, days = "feedback_to_signaller", policy.safety.terms.feedback_days
    if not f.signal_parties:
        return Indicator(name, Status.OK, "no_partner_signals")
    late = [d for d in f.feedback_due if today > d + timedelta(days=days)]
    if late:
        return Indicator(name, Status.OVERDUE, "feedback_overdue",
                         {"count": len(late), "days": days})
    if f.feedback_due:
        return Indicator(name, Status.ATTENTION, "feedback_pending",
                         {"count": len(f.feedback_due),
                          "due": _day(min(f.feedback_due) + timedelta(days=days))})
    return Indicator(name, Status.OK, "feedback_given")
