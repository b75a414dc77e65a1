"""Inspection-readiness: per household, the points the youth-care inspectorate checks
(Toezichtkader Samenwerkend Toezicht Jeugd), each with a status and a reason. The figures
come from plain columns only — dates, counts, concern levels and statuses — so no sealed text
is opened and no reason names a person. One pass of grouped queries serves one household or
the whole municipality alike."""

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.audit.recording import Action, Record, record
from broker.care.models import SafetyAssessment
from broker.clock import local_day, now
from broker.errors import Forbidden, NotFound
from broker.households import service as households
from broker.households.models import Household, RegisseurAssignment
from broker.households.references import household_references
from broker.identity.models import Professional, Role
from broker.identity.principal import Principal
from broker.meetings.models import Invitee, Meeting, MeetingStatus
from broker.meldcode.models import Handback, MeldcodeCase, MeldcodeStep
from broker.observations.models import (
    MELDCODE_CONCERNS,
    AmendmentKind,
    Observation,
    ObservationAmendment,
)
from broker.plans.models import ActionStatus, Plan, PlanAction
from broker.policy import Policy
from broker.policy.schema import Terms
from broker.quality import criteria, path
from broker.quality.indicator import Indicator, Status

ASSESSMENT_MAX_AGE = timedelta(days=183)  # a safety assessment is redone at least twice a year
MELDCODE_STALLED = timedelta(days=28)  # a meldcode case without a step for four weeks
# The criteria of the Toezichtkader, per theme, then the safety of the children.
THEMES = {
    "toegang": ("help_request", "life_domains", "safety_questions", "self_reliance",
                "partners_asked", "family_group_plan"),
    "in_zorg": ("one_plan_one_regisseur", "regisseur_named", "integral_analysis",
                "plan_goals", "evaluation_due", "evaluation_safety", "escalation",
                "plan_adjusted", "closure"),
    "veiligheid": ("safety_assessment", "child_seen", "meldcode_followed",
                   "feedback_to_signaller"),
}
# The contract's first seven in their order, then those the path of help added.
FIRST = ("safety_assessment", "integral_analysis", "plan_goals", "regisseur_named",
         "evaluation_due", "partners_asked", "meldcode_followed")
INDICATORS = FIRST + tuple(i for ids in THEMES.values() for i in ids if i not in FIRST)


class Flag(StrEnum):
    """Why a household is on the team lead's list of households at risk."""

    VIOLENCE_WITHOUT_ASSESSMENT = "violence_without_assessment"
    DEESCALATED_WITHOUT_ASSESSMENT = "deescalated_without_assessment"
    SIGNALS_WITHOUT_MELDCODE = "signals_without_meldcode"
    MELDCODE_STALLED = "meldcode_stalled"
    CHILD_NOT_SEEN = "child_not_seen"
    UNSAFE_WITHOUT_ESCALATION = "unsafe_without_escalation"


@dataclass(frozen=True)
class Readiness:
    household_id: str
    indicators: list[Indicator]
    flags: list[Flag]
    reference: str | None = None  # 'HH-2026-014' (household_readiness only)


@dataclass
class _Facts:
    """What the queries found about one household."""

    last_signal: date | None = None
    plan_version: int | None = None
    plan_on: date | None = None
    next_evaluation: date | None = None
    actions: int = 0
    actions_late: int = 0
    oldest_late: date | None = None  # the earliest due day of an open action past it
    last_assessment: date | None = None
    regisseur_ok: bool = False
    meetings_held: int = 0
    meetings_asking: int = 0
    cases: list[tuple[int, datetime]] = field(default_factory=list)  # steps, last step
    last_handback: date | None = None
    acute_since: list[date] = field(default_factory=list)  # acute reports, steps missing
    follow_up: date | None = None  # the latest day organised help was to be followed up


def household_readiness(session: Session, *, actor: Principal, household_id: str
                        ) -> Readiness:
    """For the household's regisseur and the leads of the household's team; for everyone
    else the household does not exist (404). The read is recorded."""
    if session.get(Household, household_id) is None:
        raise NotFound("No such household.")
    regisseur = households.current_regisseur(session, household_id)
    if regisseur.professional_id != actor.professional_id and not (
            actor.has_role(Role.TEAMLEIDER) and regisseur.team_id in actor.team_ids):
        raise NotFound("No such household.")
    record(session, Record(Action.QUALITY_READ, actor, object_type="household",
                           object_id=household_id))
    return replace(_readiness(session, Household.id == household_id)[0],
                   reference=household_references(session, [household_id])[household_id])


@dataclass(frozen=True)
class Summary:
    households: int
    counts: dict[str, dict[Status, int]]
    at_risk: list[Readiness]
    regisseurs: dict[str, str]  # household id -> the regisseur's name (a professional)
    # household id -> 'HH-2026-014': the team lead may not see the family's names (they are
    # not involved in its care), so households are named by their registration number
    references: dict[str, str] = field(default_factory=dict)


def summary(session: Session, *, actor: Principal) -> Summary:
    """The figures of the households of the team lead's own teams: counts per indicator and
    status, and the households at risk by id — no family's personal data."""
    if not actor.has_role(Role.TEAMLEIDER):
        raise Forbidden("The quality summary is for team leads.", code="wrong_role")
    record(session, Record(Action.QUALITY_READ, actor, object_type="municipality"))
    every = _readiness(session, Household.id.in_(
        households.directed_by(team_ids=actor.team_ids)))
    counts = {i: dict.fromkeys(Status, 0) for i in INDICATORS}
    for readiness in every:
        for indicator in readiness.indicators:
            counts[indicator.id][indicator.status] += 1
    at_risk = [r for r in every if r.flags]
    ids = [r.household_id for r in at_risk]
    return Summary(len(every), counts, at_risk, _regisseur_names(session, ids),
                   household_references(session, ids))


def _readiness(session: Session, which: ColumnElement[bool]) -> list[Readiness]:
    today = local_day(now())
    facts = _gather(session, which, today)
    trail = path.gather(session, select(Household.id).where(which), today)
    policy = audit_context(session).policy
    return [_judge(household_id, f, trail[household_id], today, policy)
            for household_id, f in facts.items()]


def _gather(session: Session, which: ColumnElement[bool], today: date) -> dict[str, _Facts]:
    ids = select(Household.id).where(which)
    facts: dict[str, _Facts] = {h: _Facts() for h in session.scalars(
        ids.order_by(Household.created_at, Household.id))}

    retracted = select(ObservationAmendment.observation_id).where(
        ObservationAmendment.kind == AmendmentKind.RETRACTION)
    run = session.execute
    for h, last in run(select(Observation.household_id, func.max(Observation.observed_on))
                       .where(Observation.household_id.in_(ids),
                              Observation.concern.in_([c.value for c in MELDCODE_CONCERNS]),
                              Observation.id.not_in(retracted))
                       .group_by(Observation.household_id)):
        facts[h].last_signal = last

    latest = (select(Plan.household_id, func.max(Plan.version).label("version"))
              .where(Plan.household_id.in_(ids)).group_by(Plan.household_id).subquery())
    current = and_(Plan.household_id == latest.c.household_id,
                   Plan.version == latest.c.version)
    for plan in session.scalars(select(Plan).join(latest, current)):
        f = facts[plan.household_id]
        f.plan_version, f.plan_on = plan.version, local_day(plan.created_at)
        f.next_evaluation = plan.next_evaluation
    late = and_(PlanAction.status == ActionStatus.OPEN, PlanAction.due < today)
    for h, total, overdue, oldest in run(
            select(Plan.household_id, func.count(PlanAction.id),
                   func.count(PlanAction.id).filter(late),
                   func.min(PlanAction.due).filter(late))
            .join(latest, current).join(PlanAction, PlanAction.plan_id == Plan.id)
            .group_by(Plan.household_id)):
        facts[h].actions, facts[h].actions_late = total, overdue
        facts[h].oldest_late = oldest
    for h, last in run(select(Plan.household_id, func.max(Plan.created_at))
                       .where(Plan.household_id.in_(ids), Plan.safety_outcome.is_not(None))
                       .group_by(Plan.household_id)):
        facts[h].last_assessment = local_day(last)
    for h, day in run(select(SafetyAssessment.household_id,  # recorded at any time
                             func.max(SafetyAssessment.assessed_on))
                      .where(SafetyAssessment.household_id.in_(ids))
                      .group_by(SafetyAssessment.household_id)):
        facts[h].last_assessment = max(filter(None, (facts[h].last_assessment, day)))

    newest = (select(RegisseurAssignment.household_id,
                     func.max(RegisseurAssignment.assigned_at).label("at"))
              .where(RegisseurAssignment.household_id.in_(ids))
              .group_by(RegisseurAssignment.household_id).subquery())
    for h, active, roles in run(
            select(RegisseurAssignment.household_id, Professional.active, Professional.roles)
            .join(newest, and_(RegisseurAssignment.household_id == newest.c.household_id,
                               RegisseurAssignment.assigned_at == newest.c.at))
            .join(Professional, Professional.id == RegisseurAssignment.professional_id)):
        facts[h].regisseur_ok = facts[h].regisseur_ok or bool(active and Role.REGISSEUR in roles)

    partners = select(Invitee.meeting_id).where(Invitee.member_id.is_(None))
    for h, held, asking in run(
            select(Meeting.household_id,
                   func.count(Meeting.id).filter(Meeting.status == MeetingStatus.HELD),
                   func.count(Meeting.id).filter(
                       Meeting.status.in_([MeetingStatus.POLLING, MeetingStatus.SCHEDULED]),
                       Meeting.id.in_(partners)))
            .where(Meeting.household_id.in_(ids)).group_by(Meeting.household_id)):
        facts[h].meetings_held, facts[h].meetings_asking = held, asking

    for h, steps, last in run(
            select(MeldcodeCase.household_id, func.count(MeldcodeStep.id),
                   func.coalesce(func.max(MeldcodeStep.recorded_at), MeldcodeCase.created_at))
            .outerjoin(MeldcodeStep, MeldcodeStep.case_id == MeldcodeCase.id)
            .where(MeldcodeCase.household_id.in_(ids))
            .group_by(MeldcodeCase.id, MeldcodeCase.household_id, MeldcodeCase.created_at)):
        facts[h].cases.append((steps, last))
    for h, last in run(select(Handback.household_id, func.max(Handback.handed_back_on))
                       .where(Handback.household_id.in_(ids)).group_by(Handback.household_id)):
        facts[h].last_handback = last
    taken = (select(MeldcodeStep.case_id, func.count(MeldcodeStep.id).label("steps"))
             .group_by(MeldcodeStep.case_id).subquery())
    for h, since in run(select(MeldcodeCase.household_id, MeldcodeStep.recorded_at)
                        .join(MeldcodeStep, MeldcodeStep.case_id == MeldcodeCase.id)
                        .join(taken, taken.c.case_id == MeldcodeCase.id)
                        .where(MeldcodeCase.household_id.in_(ids), MeldcodeStep.step == 1,
                               MeldcodeStep.acuut.is_(True), taken.c.steps < 5)):
        facts[h].acute_since.append(local_day(since))
    for h, follow_up in run(select(MeldcodeCase.household_id, func.max(MeldcodeStep.follow_up_on))
                            .join(MeldcodeStep, MeldcodeStep.case_id == MeldcodeCase.id)
                            .where(MeldcodeCase.household_id.in_(ids))
                            .group_by(MeldcodeCase.household_id)):
        facts[h].follow_up = follow_up
    return facts


def _day(day: date | datetime | None) -> str:
    return f"{day:%d-%m-%Y}" if day else ""


def _judge(household_id: str, f: _Facts, p: path.PathFacts, today: date, policy: Policy
           ) -> Readiness:
    """The rules, one indicator at a time; a flag where the child may be unsafe unseen."""
    worries = f.last_signal is not None or bool(f.cases)
    terms = policy.meldcode.terms
    flags: list[Flag] = []
    marked: list[str] = []
    indicators = [
        criteria.help_request(p, policy),
        criteria.life_domains(p, policy),
        criteria.safety_questions(p, policy, today, marked),
        criteria.self_reliance(p),
        criteria.partners_asked(p, policy, f.meetings_held),
        criteria.family_group_plan(p),
        criteria.one_plan(p),
        criteria.evaluation_safety(p, policy),
        criteria.escalation(p, policy, today, f.oldest_late, marked),
        criteria.plan_adjusted(p, policy, today),
        criteria.closure(p),
        criteria.child_seen(p, policy, today, marked),
        criteria.feedback(p, policy, today),
        _safety(f, today, worries, flags, terms),
        Indicator("integral_analysis", Status.OK,
                  "analysis_done",
                  {"version": f.plan_version, "day": _day(f.plan_on)}) if f.plan_version else
        Indicator("integral_analysis", Status.MISSING,
                  "analysis_missing"),
        _plan(f),
        Indicator("regisseur_named", Status.OK, "regisseur_active")
        if f.regisseur_ok else
        Indicator("regisseur_named", Status.MISSING,
                  "regisseur_inactive"),
        _evaluation(f, p, today),
        _meldcode(f, today, flags, terms),
    ]
    if p.closure is None:  # a closed file is read by the inspectors, not called about
        flags += [Flag(m) for m in dict.fromkeys(marked) if Flag(m) not in flags]
    by_id = {i.id: i for i in indicators}
    return Readiness(household_id, [by_id[i] for i in INDICATORS], flags)


def _safety(f: _Facts, today: date, worries: bool, flags: list[Flag], terms: Terms
            ) -> Indicator:
    name = "safety_assessment"
    if f.last_handback and (f.last_assessment is None or f.last_assessment < f.last_handback):
        due = f.last_handback + timedelta(days=terms.handback_assessment_days)
        if today <= due:
            return Indicator(name, Status.ATTENTION,
                             "handback_assessment_due",
                             {"day": _day(f.last_handback), "due": _day(due)})
        flags.append(Flag.DEESCALATED_WITHOUT_ASSESSMENT)
        return Indicator(name, Status.MISSING,
                         "handback_assessment_missing",
                         {"day": _day(f.last_handback), "days": terms.handback_assessment_days})
    if f.last_assessment is None:
        if worries:
            flags.append(Flag.VIOLENCE_WITHOUT_ASSESSMENT)
            return Indicator(name, Status.MISSING, "assessment_missing")
        return Indicator(name, Status.OK, "assessment_not_needed")
    if f.last_signal and f.last_signal > f.last_assessment:
        return Indicator(name, Status.ATTENTION,
                         "signal_after_assessment",
                         {"day": _day(f.last_signal), "assessed": _day(f.last_assessment)})
    if worries and today - f.last_assessment > ASSESSMENT_MAX_AGE:
        return Indicator(name, Status.OVERDUE,
                         "assessment_old",
                         {"assessed": _day(f.last_assessment)})
    return Indicator(name, Status.OK,
                     "assessment_done",
                     {"assessed": _day(f.last_assessment)})


def _plan(f: _Facts) -> Indicator:
    name = "plan_goals"
    if f.plan_version is None:
        return Indicator(name, Status.MISSING, "plan_missing")
    if f.actions == 0:
        return Indicator(name, Status.ATTENTION, "plan_without_actions")
    if f.actions_late:
        return Indicator(name, Status.ATTENTION,
                         "plan_actions_late",
                         {"late": f.actions_late, "actions": f.actions})
    return Indicator(name, Status.OK, "plan_on_schedule", {"actions": f.actions})


def _evaluation(f: _Facts, p: path.PathFacts, today: date) -> Indicator:
    """In zorg: the goals are evaluated systematically, with the family."""
    name, last = "evaluation_due", p.evaluation
    if p.closure is not None:
        return Indicator(name, Status.OK, "help_closed", {"day": _day(p.closure.closed_on)})
    upcoming = last.next_evaluation if last is not None and (
        f.plan_on is None or last.held_on >= f.plan_on) else f.next_evaluation
    if upcoming is None:
        return Indicator(name, Status.MISSING, "evaluation_missing")
    if upcoming < today:
        return Indicator(name, Status.OVERDUE, "evaluation_overdue", {"day": _day(upcoming)})
    if last is not None and not set(last.participants):
        return Indicator(name, Status.ATTENTION, "evaluation_without_family",
                         {"day": _day(last.held_on)})
    return Indicator(name, Status.OK, "evaluation_planned", {"day": _day(upcoming)})


def _meldcode(f: _Facts, today: date, flags: list[Flag], terms: Terms) -> Indicator:
    name = "meldcode_followed"
    late = [since for since in f.acute_since
            if today > since + timedelta(days=terms.acute_steps_days)]
    if late:
        flags.append(Flag.MELDCODE_STALLED)
        return Indicator(name, Status.OVERDUE,
                         "acute_steps_late",
                         {"day": _day(min(late)), "days": terms.acute_steps_days})
    if f.follow_up and f.follow_up < today and (
            f.last_assessment is None or f.last_assessment < f.follow_up):
        return Indicator(name, Status.ATTENTION,
                         "follow_up_due",
                         {"day": _day(f.follow_up)})
    if not f.cases:
        if f.last_signal is None:
            return Indicator(name, Status.OK, "no_signals")
        flags.append(Flag.SIGNALS_WITHOUT_MELDCODE)
        return Indicator(name, Status.MISSING,
                         "meldcode_not_started",
                         {"day": _day(f.last_signal)})
    open_cases = [(steps, last) for steps, last in f.cases if steps < 5]
    stalled = [last for _, last in open_cases if today - local_day(last) > MELDCODE_STALLED]
    if stalled:
        flags.append(Flag.MELDCODE_STALLED)
        return Indicator(name, Status.OVERDUE,
                         "meldcode_stalled",
                         {"day": _day(local_day(min(stalled)))})
    if open_cases:
        return Indicator(name, Status.OK, "meldcode_followed",
                         {"step": max(s for s, _ in open_cases) + 1})
    return Indicator(name, Status.OK, "meldcode_done")


def _regisseur_names(session: Session, household_ids: list[str]) -> dict[str, str]:
    """Each household's current regisseur by name (the last assignment wins)."""
    return {h: name for h, name in session.execute(
        select(RegisseurAssignment.household_id, Professional.name)
        .join(Professional, Professional.id == RegisseurAssignment.professional_id)
        .where(RegisseurAssignment.household_id.in_(household_ids))
        .order_by(RegisseurAssignment.assigned_at))}
