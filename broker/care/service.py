"""Recording the path of a household's help, by the household's team: the help request, a
safety assessment at any time, each child seen and spoken, the family group plan, the
evaluation against the start, escalation, other organisations' plans, feedback to a signal's
partner, and closure only when it is safe to let go (Toezichtkader 'Toeleiding en toegang',
'In zorg')."""

import json
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.audit.recording import Action, Record, record_all
from broker.care.models import (
    ChildContact,
    Closure,
    ClosureReason,
    Escalation,
    Evaluation,
    FamilyGroupPlanEvent,
    FamilyGroupPlanStatus,
    HelpRequest,
    OtherPlan,
    SafetyAssessment,
    SignalFeedback,
)
from broker.care.schemas import (
    ChildContactCreate,
    ClosureCreate,
    EscalationCreate,
    EscalationOutcome,
    EvaluationCreate,
    FamilyGroupPlanCreate,
    FeedbackCreate,
    HelpRequestCreate,
    OtherPlanCreate,
    OtherPlanUpdate,
    SafetyAssessmentCreate,
)
from broker.clock import local_day, now
from broker.db import new_id
from broker.disclosure.engine import BASIC_DATA
from broker.disclosure.facts import HouseholdFacts
from broker.errors import Conflict, Invalid, NotFound
from broker.households import service as households
from broker.households.models import Member
from broker.identity.models import Organisation, Professional
from broker.identity.principal import Principal
from broker.meldcode.models import Handback, MeldcodeCase, MeldcodeStep, StepDecision
from broker.observations.models import AmendmentKind, Concern, Observation, ObservationAmendment
from broker.plans.models import Plan
from broker.policy import Policy
from broker.vault.service import key_for, writable_key

CURRENT = timedelta(days=183)  # an assessment older than half a year is no longer current


def life_domains(policy: Policy) -> list[str]:
    """The leefgebieden a help request looks at: every category but the basic data."""
    return [c for c in policy.categories if c != BASIC_DATA]


def _today_or_past(day: date | None) -> date:
    today = local_day(now())
    if day is not None and day > today:
        raise Invalid("A date in the future cannot be recorded as done.", code="in_future")
    return day or today


def _members(facts: HouseholdFacts, ids: list[str], *, children: bool = False) -> list[str]:
    wanted = {m.id for m in facts.members.values() if not children or m.role == "child"}
    if not set(ids) <= wanted:
        raise Invalid("Name " + ("children" if children else "members") + " of this household.",
                      code="subjects", fields=sorted(set(ids) - wanted))
    return list(dict.fromkeys(ids))


Row = TypeVar("Row", HelpRequest, SafetyAssessment, ChildContact, FamilyGroupPlanEvent,
              Evaluation, Escalation, Closure, OtherPlan, SignalFeedback)


SAFETY_RECORDS = {"safety_assessment", "child_contact", "escalation", "closure"}


def _recorded(session: Session, actor: Principal, row: Row, object_type: str) -> Row:
    """The row stored, and its recording in the audit log (ids only): one event per member
    of the household, since the path of help is about each of them (and each may ask
    what was recorded about them)."""
    session.add(row)
    session.flush()
    safety = object_type in SAFETY_RECORDS
    members = session.scalars(select(Member.id).where(
        Member.household_id == row.household_id).order_by(Member.id)).all()
    record_all(session, [Record(
        Action.CARE_RECORD, actor, subject_id=member, object_type=object_type,
        object_id=row.id, purpose="veiligheid" if safety else "hulpverlening",
        categories=["veiligheid"] if safety else [BASIC_DATA]) for member in members])
    return row


def record_help_request(session: Session, *, actor: Principal, household_id: str,
                        body: HelpRequestCreate) -> HelpRequest:
    """The hulpvraag formulated with the family; every uniform safety question answered."""
    facts = households.team_facts(session, actor, household_id)
    policy = audit_context(session).policy
    asked = {q.id: q for q in policy.safety.questions}
    if body.safety_questions.keys() != asked.keys():
        raise Invalid("Answer every safety question of the policy, and only those.",
                      code="safety_questions",
                      fields=sorted(asked.keys() ^ body.safety_questions.keys()))
    unknown = set(body.life_domains) - set(life_domains(policy))
    if unknown:
        raise Invalid("Name leefgebieden of the policy.", code="life_domains",
                      fields=sorted(unknown))
    adults = set(facts.members) - set(facts.children())
    bad_zrm = [k for m, scores in body.zrm_by_member.items() for k, v in scores.items()
               if m not in adults or k not in policy.categories
               or not policy.categories[k].zrm or not 1 <= v <= 5]
    if bad_zrm or not body.zrm_by_member.keys() <= adults:
        raise Invalid("ZRM scores are 1 to 5 per leefgebied, per adult of this household.",
                      code="zrm", fields=bad_zrm)
    request_id = new_id()
    request = HelpRequest(
        id=request_id, household_id=household_id,
        question=writable_key(session, household_id).seal(f"help-request:{request_id}",
                                                          body.question),
        formulated_with=_members(facts, body.formulated_with),
        life_domains=list(dict.fromkeys(body.life_domains)),
        safety_answers=dict(body.safety_questions),
        full_assessment=any(body.safety_questions[q] == asked[q].full_assessment_when
                            for q in asked),
        member_zrm={m: dict(s) for m, s in body.zrm_by_member.items()},
        started_on=_today_or_past(body.on), recorded_by=actor.actor_id,
        organisation_id=actor.organisation_id)
    return _recorded(session, actor, request, "help_request")


def record_safety_assessment(session: Session, *, actor: Principal, household_id: str,
                             body: SafetyAssessmentCreate) -> SafetyAssessment:
    """A safety assessment at any time, with a named instrument of the policy; one about a
    single child is sealed under that child's key."""
    facts = households.team_facts(session, actor, household_id)
    safety = audit_context(session).policy.safety
    if body.instrument not in safety.instruments:
        raise Invalid("Name one of the policy's instruments: " + ", ".join(safety.instruments),
                      code="instrument")
    if body.outcome not in safety.outcomes:
        raise Invalid("The outcome is one of: " + ", ".join(safety.outcomes), code="outcome")
    subjects = _members(facts, body.subject_ids, children=True) if body.subject_ids \
        else [m for m in facts.children() if facts.members[m].role == "child"]
    if not subjects:
        raise Invalid("A safety assessment is about the household's children.",
                      code="subjects")
    assessment_id = new_id()
    assessment = SafetyAssessment(
        id=assessment_id, household_id=household_id, subject_ids=subjects,
        instrument=body.instrument, outcome=body.outcome, scale=body.safety_scale,
        rationale=key_for(session, household_id, subjects).seal(
            f"safety-assessment:{assessment_id}", body.rationale),
        assessed_on=_today_or_past(body.on), recorded_by=actor.actor_id,
        organisation_id=actor.organisation_id)
    return _recorded(session, actor, assessment, "safety_assessment")


def record_child_contact(session: Session, *, actor: Principal, household_id: str,
                         body: ChildContactCreate) -> ChildContact:
    """A child seen and spoken (kindgesprek); the child's own words under the child's key."""
    facts = households.team_facts(session, actor, household_id)
    child_id = _members(facts, [body.child_id], children=True)[0]
    by = body.by_professional_id or actor.professional_id
    professional = session.get(Professional, by) if by else None
    if professional is None or not professional.active \
            or professional.organisation_id != actor.organisation_id:
        raise Invalid("Name a professional of your organisation who spoke with the child.",
                      code="professional")
    contact_on = _today_or_past(body.on)
    if contact_on < facts.members[child_id].birth_date:
        raise Invalid("A child is seen after its birth.", code="too_early")
    if body.view is not None and not body.spoken:
        raise Invalid("The child's own view is recorded when the child was spoken.",
                      code="view_without_conversation")
    contact_id = new_id()
    contact = ChildContact(
        id=contact_id, household_id=household_id, child_id=child_id,
        contact_on=contact_on, seen=body.seen, spoken=body.spoken,
        place=body.place, by_professional_id=professional.id,
        view=writable_key(session, household_id, child_id).seal(
            f"child-contact:{contact_id}", body.view.model_dump_json())
        if body.view else None, organisation_id=actor.organisation_id)
    return _recorded(session, actor, contact, "child_contact")


def latest_family_group_plan(session: Session, household_id: str
                             ) -> FamilyGroupPlanEvent | None:
    return session.scalars(select(FamilyGroupPlanEvent)
                           .where(FamilyGroupPlanEvent.household_id == household_id)
                           .order_by(FamilyGroupPlanEvent.created_at.desc())).first()


def record_family_group_plan(session: Session, *, actor: Principal, household_id: str,
                             body: FamilyGroupPlanCreate) -> FamilyGroupPlanEvent:
    """Offered first; then accepted, declined (by whom and why) or received (its reference)."""
    facts = households.team_facts(session, actor, household_id)
    latest = latest_family_group_plan(session, household_id)
    if body.status != FamilyGroupPlanStatus.OFFERED and latest is None:
        raise Conflict("Offer the family group plan first.", code="not_offered")
    if body.status == FamilyGroupPlanStatus.DECLINED and not (body.decided_by and body.note):
        raise Invalid("Say who of the family declined, and why.", code="declined_without_reason")
    if body.status == FamilyGroupPlanStatus.RECEIVED and not body.reference:
        raise Invalid("Give the reference of the family group plan received.",
                      code="reference")
    event_id = new_id()
    note = {"note": body.note, "reference": body.reference}
    event = FamilyGroupPlanEvent(
        id=event_id, household_id=household_id, status=body.status,
        decided_on=_today_or_past(body.on), decided_by=_members(facts, body.decided_by),
        note=writable_key(session, household_id).seal(
            f"family-group-plan:{event_id}", json.dumps(note, ensure_ascii=False))
        if body.note or body.reference else None,
        recorded_by=actor.actor_id, organisation_id=actor.organisation_id)
    return _recorded(session, actor, event, "family_group_plan")


class Judgement(NamedTuple):
    """A safety judgement: its day, outcome and scale; `at` orders those of one day."""

    day: date
    outcome: str
    scale: int | None
    at: datetime


def in_order(judged: list[Judgement]) -> list[Judgement]:
    return sorted(judged, key=lambda j: (j.day, j.at))


def assessments(session: Session, household_id: str) -> list[Judgement]:
    """Every safety judgement in time order: assessments recorded on their own, in a
    meeting's outcome, and at an evaluation."""
    found = [Judgement(a.assessed_on, a.outcome, a.scale, a.created_at) for a in session.scalars(
        select(SafetyAssessment).where(SafetyAssessment.household_id == household_id))]
    found += [Judgement(local_day(p.created_at), p.safety_outcome, p.safety_scale, p.created_at)
              for p in session.scalars(select(Plan).where(Plan.household_id == household_id,
                                                          Plan.safety_outcome.is_not(None)))
              if p.safety_outcome]
    found += [Judgement(e.held_on, e.safety_outcome, e.safety_scale, e.created_at)
              for e in session.scalars(select(Evaluation)
                                       .where(Evaluation.household_id == household_id))]
    return in_order(found)


def record_evaluation(session: Session, *, actor: Principal, household_id: str,
                      body: EvaluationCreate) -> Evaluation:
    """The plan's goals and the safety at the start compared with now, with the family."""
    facts = households.team_facts(session, actor, household_id)
    plan = session.scalars(select(Plan).where(Plan.household_id == household_id)
                           .order_by(Plan.version.desc())).first()
    if plan is None:
        raise Conflict("Evaluate a plan: record a meeting's outcome first.", code="no_plan")
    if body.safety_outcome not in audit_context(session).policy.safety.outcomes:
        raise Invalid("The outcome is one of the policy's outcomes.", code="outcome")
    held_on = _today_or_past(body.on)
    if body.next_evaluation <= held_on:
        raise Invalid("The next evaluation comes after this one.", code="next_evaluation")
    if len({g.priority for g in body.goals}) != len(body.goals):
        raise Invalid("One score per goal.", code="goals")
    begun = help_started(session, household_id) or date.min
    start = next((j for j in assessments(session, household_id) if j.day >= begun), None)
    evaluation = Evaluation(
        household_id=household_id, plan_id=plan.id, held_on=held_on,
        participants=_members(facts, body.participants),
        goals=[g.model_dump() for g in body.goals],
        start_scale=start[2] if start else None, start_outcome=start[1] if start else None,
        safety_scale=body.safety_scale, safety_outcome=body.safety_outcome,
        needs_changed=body.needs_changed, next_evaluation=body.next_evaluation,
        recorded_by=actor.actor_id, organisation_id=actor.organisation_id)
    return _recorded(session, actor, evaluation, "evaluation")


def record_escalation(session: Session, *, actor: Principal, household_id: str,
                      body: EscalationCreate) -> Escalation:
    households.team_facts(session, actor, household_id)
    escalation_id = new_id()
    escalation = Escalation(
        id=escalation_id, household_id=household_id, to=body.to, why=body.why,
        escalated_on=_today_or_past(body.on),
        reason=writable_key(session, household_id).seal(f"escalation:{escalation_id}",
                                                        body.reason),
        recorded_by=actor.actor_id, organisation_id=actor.organisation_id)
    return _recorded(session, actor, escalation, "escalation")


def record_escalation_outcome(session: Session, *, actor: Principal, escalation_id: str,
                              body: EscalationOutcome) -> Escalation:
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise NotFound("No such escalation.")
    households.team_facts(session, actor, escalation.household_id)
    if escalation.outcome is not None:
        raise Conflict("The escalation's outcome was recorded already.", code="outcome_recorded")
    outcome_on = _today_or_past(body.on)
    if outcome_on < escalation.escalated_on:
        raise Invalid("The outcome comes after the escalation.", code="too_early")
    escalation.outcome = writable_key(session, escalation.household_id).seal(
        f"escalation-outcome:{escalation.id}", body.outcome)
    escalation.outcome_on = outcome_on
    return _recorded(session, actor, escalation, "escalation")


def escalated(days: list[date], begun: date | None, handed_back: date | None) -> date | None:
    """The last escalation that still stands: made since the help began, and after Veilig
    Thuis last handed the family back (afschaling ends an escalation)."""
    standing = [d for d in days if d >= (begun or date.min)
                and (handed_back is None or d > handed_back)]
    return max(standing, default=None)


def escalations(session: Session, households: Any) -> list[tuple[str, date]]:
    """(household, day) of each escalation: recorded as such, or a meldcode report to
    Veilig Thuis (step 5: melden)."""
    reported = session.execute(
        select(MeldcodeCase.household_id, MeldcodeStep.recorded_at)
        .join(MeldcodeStep, MeldcodeStep.case_id == MeldcodeCase.id)
        .where(MeldcodeCase.household_id.in_(households), MeldcodeStep.step == 5,
               MeldcodeStep.decision.in_([StepDecision.MELDEN, StepDecision.MELDEN_EN_HULP])))
    return [(h, local_day(at)) for h, at in reported] + [
        (h, on) for h, on in session.execute(
            select(Escalation.household_id, Escalation.escalated_on)
            .where(Escalation.household_id.in_(households)))]


def help_started(session: Session, household_id: str) -> date | None:
    """When the current help began: the first help request after the last closure."""
    closed = session.scalar(select(func.max(Closure.closed_on))
                            .where(Closure.household_id == household_id))
    return session.scalar(select(func.min(HelpRequest.started_on)).where(
        HelpRequest.household_id == household_id,
        *([HelpRequest.created_at > _closed_at(session, household_id)] if closed else [])))


def _closed_at(session: Session, household_id: str) -> object:
    return session.scalar(select(func.max(Closure.created_at))
                          .where(Closure.household_id == household_id))


def is_closed(session: Session, household_id: str) -> bool:
    closed_at = _closed_at(session, household_id)
    return closed_at is not None and session.scalar(select(func.count(HelpRequest.id)).where(
        HelpRequest.household_id == household_id, HelpRequest.created_at > closed_at)) == 0


def close_help(session: Session, *, actor: Principal, household_id: str, body: ClosureCreate
               ) -> Closure:
    """Let go only when it is safe: a current assessment that the family can go on alone,
    or arranged aftercare; when the last assessment is not safe, or the family stopped
    cooperating, only after an escalation (Toezichtkader 'In zorg': afsluiting)."""
    households.team_facts(session, actor, household_id)
    if is_closed(session, household_id):
        raise Conflict("The household's help is closed already.", code="help_closed")
    closed_on = _today_or_past(body.on)
    if closed_on < (help_started(session, household_id) or date.min):
        raise Invalid("The help closes after it began.", code="too_early")
    safety = audit_context(session).policy.safety
    judged = assessments(session, household_id)
    last = judged[-1] if judged else None
    handed_back = session.scalar(select(func.max(Handback.handed_back_on))
                                 .where(Handback.household_id == household_id))
    standing = escalated([on for _, on in escalations(session, [household_id])],
                         help_started(session, household_id), handed_back)
    unsafe = last is not None and last[1] in safety.unsafe_outcomes
    if (unsafe or body.reason == ClosureReason.GEZIN_STOPT) and standing is None:
        raise Invalid("Closing while the family is not safe, or because it stopped "
                      "cooperating, needs an escalation first (Veilig Thuis, the "
                      "Jeugdbeschermingstafel, the Raad or the doorzettingsmacht).",
                      code="closure_unsafe", last_outcome=last[1] if last else None)
    if body.reason == ClosureReason.ZELFSTANDIG and (
            last is None or last[1] not in safety.safe_outcomes
            or closed_on - last[0] > CURRENT):
        raise Invalid("Closing because the family can go on alone needs a current safety "
                      "assessment that says so; otherwise arrange aftercare.",
                      code="closure_unsafe", last_outcome=last[1] if last else None)
    if body.reason == ClosureReason.NAZORG or body.aftercare_organisation_id is not None:
        if body.aftercare_organisation_id is None or session.get(
                Organisation, body.aftercare_organisation_id) is None:
            raise Invalid("Name the organisation that gives the aftercare.", code="aftercare")
    closure_id = new_id()
    closure = Closure(
        id=closure_id, household_id=household_id, reason=body.reason, closed_on=closed_on,
        aftercare_organisation_id=body.aftercare_organisation_id,
        note=writable_key(session, household_id).seal(f"closure:{closure_id}", body.note)
        if body.note else None, recorded_by=actor.actor_id,
        organisation_id=actor.organisation_id)
    return _recorded(session, actor, closure, "closure")


def register_other_plan(session: Session, *, actor: Principal, household_id: str,
                        body: OtherPlanCreate) -> OtherPlan:
    """Another organisation's own plan or coordinator, registered against the one plan."""
    households.team_facts(session, actor, household_id)
    if session.get(Organisation, body.organisation_id) is None:
        raise Invalid("No such organisation.", code="organisation")
    plan_id = new_id()
    details = {"reference": body.reference, "contact": body.contact}
    other = OtherPlan(
        id=plan_id, household_id=household_id, organisation_id=body.organisation_id,
        kind=body.kind, linked=body.linked, since=_today_or_past(body.since),
        details=writable_key(session, household_id).seal(
            f"other-plan:{plan_id}", json.dumps(details, ensure_ascii=False)),
        recorded_by=actor.actor_id)
    return _recorded(session, actor, other, "other_plan")


def update_other_plan(session: Session, *, actor: Principal, other_plan_id: str,
                      body: OtherPlanUpdate) -> OtherPlan:
    other = session.get(OtherPlan, other_plan_id)
    if other is None:
        raise NotFound("No such plan.")
    households.team_facts(session, actor, other.household_id)
    if body.linked is not None:
        other.linked = body.linked
    if body.ended_on is not None:
        if body.ended_on < other.since:
            raise Invalid("A plan ends after it began.", code="ended_on")
        other.ended_on = body.ended_on
    return _recorded(session, actor, other, "other_plan")


def give_feedback(session: Session, *, actor: Principal, household_id: str,
                  body: FeedbackCreate) -> SignalFeedback:
    """Tell a partner what was done with its signal: an outcome, no details."""
    households.team_facts(session, actor, household_id)
    retracted = select(ObservationAmendment.observation_id).where(
        ObservationAmendment.kind == AmendmentKind.RETRACTION)
    signal = session.scalar(select(Observation).where(
        Observation.id == body.observation_id, Observation.household_id == household_id,
        Observation.concern != Concern.NONE, Observation.id.not_in(retracted)))
    if signal is None or signal.submitted_by_organisation_id == actor.organisation_id:
        raise Invalid("Feedback answers another organisation's signal about this household.",
                      code="not_a_signal")
    if session.scalar(select(SignalFeedback.id)
                      .where(SignalFeedback.observation_id == signal.id)):
        raise Conflict("This signal had its feedback already.", code="feedback_given")
    feedback = SignalFeedback(observation_id=signal.id, household_id=household_id,
                              outcome=body.outcome, given_on=_today_or_past(body.on),
                              recorded_by=actor.actor_id)
    return _recorded(session, actor, feedback, "signal_feedback")
