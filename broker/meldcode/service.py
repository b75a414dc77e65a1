"""The meldcode: five steps per child in order, and the override path when a child's safety
outweighs missing consent — scoped, time-limited, four-eyes, recorded."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.audit.models import AuditEvent, AuditPending
from broker.audit.recording import Action, Record, record, record_all
from broker.clock import local_day, now
from broker.db import new_id
from broker.disclosure.capacity import age_on
from broker.disclosure.door import Item, disclose, disclose_each, unseal
from broker.disclosure.facts import (
    HouseholdFacts,
    load_household,
    lock_household_for_change,
    reaches_own,
)
from broker.disclosure.overrides import OverrideStatus, OverrideTimes, status
from broker.errors import Conflict, Forbidden, Invalid, NotFound
from broker.households import service as households
from broker.identity.models import Organisation, Role
from broker.identity.principal import Principal
from broker.meldcode.models import (
    Handback,
    MeldcodeCase,
    MeldcodeStep,
    Override,
    OverrideEvent,
    OverrideEventKind,
    StepDecision,
)
from broker.meldcode.rules import decision_allowed, open_question
from broker.meldcode.schemas import CaseCreate, HandbackCreate, OverrideCreate, StepCreate
from broker.observations.models import Observation
from broker.vault.service import Destroyed, data_key, existing_data_key

EXPIRING_SOON = timedelta(days=3)
REPORTING = {StepDecision.MELDEN.value, StepDecision.MELDEN_EN_HULP.value}
VEILIG_THUIS = "veilig_thuis"  # the party type reports go to
SEEING = "hulpverlening"  # the purpose under which a professional reads the family's data


class StepOrder(Invalid):
    code, title = "step_order", "Meldcode steps are taken in order"


def _professional(actor: Principal) -> str:
    if actor.professional_id is None:
        raise Forbidden("The meldcode is followed by a professional, not a system.",
                        code="not_a_professional")
    return actor.professional_id


def _seal(session: Session, household_id: str, context: str, text: str) -> bytes:
    try:
        return data_key(session, household_id).seal(context, text)
    except Destroyed:
        raise Invalid("This family's data was erased.", code="household_erased") from None


def open_case(session: Session, *, actor: Principal, body: CaseCreate) -> MeldcodeCase:
    """A professional of an organisation involved with the household who worries about a
    child (under 18) opens a case; it belongs to their organisation (its meldcode, its
    aandachtsfunctionaris). For anyone else the person does not exist (404)."""
    professional = _professional(actor)
    facts = households.visible_facts(session, actor, member_id=body.child_id)
    adult_from = audit_context(session).policy.consent.capacity.adult_from
    if age_on(facts.members[body.child_id].birth_date, local_day(now())) >= adult_from:
        raise Invalid("A meldcode case is about a child (under 18).", code="not_a_child")
    case = MeldcodeCase(household_id=facts.household_id, child_id=body.child_id,
                        organisation_id=actor.organisation_id, opened_by=professional)
    session.add(case)
    session.flush()
    record(session, Record(Action.MELDCODE_STEP, actor, subject_id=body.child_id,
                           purpose="meldcode", object_type="meldcode_case", object_id=case.id))
    return case


def require_case(session: Session, actor: Principal, case_id: str) -> MeldcodeCase:
    return case_and_facts(session, actor, case_id)[0]


def case_and_facts(session: Session, actor: Principal, case_id: str
                   ) -> tuple[MeldcodeCase, HouseholdFacts]:
    """A case, with its household's facts, for the professionals of the organisation that
    keeps it (in the regisseur's organisation: the household's team); 404 for everyone else
    (a 403 would reveal that a child is a meldcode case)."""
    case = session.get(MeldcodeCase, case_id)
    facts = None if case is None else load_household(session, household_id=case.household_id)
    if case is None or facts is None or actor.professional_id is None \
            or case.organisation_id != actor.organisation_id or not facts.reaches_own(actor):
        raise NotFound("No such case.")
    return case, facts


def _steps(session: Session, case_id: str) -> list[MeldcodeStep]:
    return list(session.scalars(select(MeldcodeStep).where(MeldcodeStep.case_id == case_id)
                                .order_by(MeldcodeStep.step)))


def record_step(session: Session, *, actor: Principal, case_id: str, body: StepCreate
                ) -> MeldcodeStep:
    """Steps 1 to 5 strictly in order; step 5's decision must follow the afwegingskader."""
    professional = _professional(actor)
    case, facts = case_and_facts(session, actor, case_id)
    steps = _steps(session, case.id)
    if body.step != len(steps) + 1:
        expected = len(steps) + 1
        raise StepOrder(f"The next step of this case is step {expected}." if expected <= 5
                        else "All five steps of this case have been taken.",
                        expected=expected if expected <= 5 else None)
    if body.step == 1 and body.observation_ids:
        _check_linked(session, actor, case, facts, body.observation_ids)
    if body.answers is not None:
        question = open_question(body.answers.model_dump())
        if question:
            raise Invalid(f"Stap 4: beantwoord eerst de vraag '{question}'; een open vraag "
                          "telt niet als 'nee'.", code="answers_incomplete", question=question)
    reported_to = None
    if body.decision is not None:
        answers = steps[3].answers or {}
        refused = decision_allowed(answers, body.decision)
        if refused:
            raise Invalid(refused[1], code=refused[0])
        if body.decision.value in REPORTING:
            reported_to = veilig_thuis(session, body.veilig_thuis_id)
        elif body.veilig_thuis_id is not None:
            raise Invalid("Only a decision to report names Veilig Thuis.",
                          code="not_reporting")
    step = MeldcodeStep(
        case_id=case.id, step=body.step,
        content=_seal(session, case.household_id, f"meldcode-step:{case.id}:{body.step}",
                      body.content),
        answers=body.answers.model_dump() if body.answers else None,
        decision=body.decision.value if body.decision else None,
        observation_ids=body.observation_ids or None, reported_to=reported_to,
        recorded_by=professional)
    session.add(step)
    session.flush()
    record(session, Record(Action.MELDCODE_STEP, actor, subject_id=case.child_id,
                           purpose="meldcode", object_type="meldcode_case", object_id=case.id))
    return step


def _check_linked(session: Session, actor: Principal, case: MeldcodeCase,
                  facts: HouseholdFacts, observation_ids: list[str]) -> None:
    """Step 1 links only observations about this family that the caller may see, each read
    through the door; anything else is as unknown as an id that does not exist."""
    observations = list(session.scalars(select(Observation).where(
        Observation.id.in_(observation_ids), Observation.household_id == case.household_id)))
    decisions = disclose_each(session, actor=actor, purpose=SEEING, items=[
        Item(facts.subjects[o.subject_id], o.category, o.submitted_by_organisation_id,
             "observation", o.id) for o in observations])
    if len(observations) != len(set(observation_ids)) \
            or not all(d.permitted for d in decisions):
        raise Invalid("Link observations about this family that you may see.",
                      code="unknown_observation")


def veilig_thuis(session: Session, wanted: str | None) -> str:
    """The Veilig Thuis organisation a report goes to: the one named, or the only one."""
    if wanted is not None:
        organisation = session.get(Organisation, wanted)
        if organisation is None or organisation.party != VEILIG_THUIS:
            raise Invalid("Report to a Veilig Thuis organisation.", code="not_veilig_thuis")
        return organisation.id
    found = session.scalars(select(Organisation.id)
                            .where(Organisation.party == VEILIG_THUIS).limit(2)).all()
    if len(found) != 1:
        raise Invalid("Name the Veilig Thuis organisation to report to (veilig_thuis_id).",
                      code="veilig_thuis_required")
    return found[0]


@dataclass(frozen=True)
class OverrideView:
    override: Override
    status: OverrideStatus
    events: dict[str, OverrideEvent]
    disclosures: int | None = None

    @property
    def approved_by(self) -> str | None:
        approval = self.events.get(OverrideEventKind.APPROVE)
        return approval.by if approval else None


@dataclass(frozen=True)
class CaseView:
    case: MeldcodeCase
    facts: HouseholdFacts  # the household's, as loaded for this request
    steps: list[tuple[MeldcodeStep, str | None]]
    overrides: list[OverrideView]
    handback: Handback | None


def case_view(session: Session, *, actor: Principal, case_id: str) -> CaseView:
    """The case with its step texts: the keeping organisation's own record about the child
    (category veiligheid), read through the door and recorded."""
    case, facts = case_and_facts(session, actor, case_id)
    decision = disclose(session, actor=actor, facts=facts.subjects[case.child_id],
                        category="veiligheid", purpose=SEEING,
                        submitted_by_organisation_id=case.organisation_id,
                        object_type="meldcode_case", object_id=case.id)
    key = existing_data_key(session, case.household_id)
    steps = [(s, unseal(decision, key, f"meldcode-step:{case.id}:{s.step}", s.content))
             for s in _steps(session, case.id)]
    overrides = _views(session, Override.case_id == case.id)
    handback = session.scalar(select(Handback).where(Handback.case_id == case.id))
    return CaseView(case, facts, steps, overrides, handback)


def record_handback(session: Session, *, actor: Principal, case_id: str, body: HandbackCreate
                    ) -> Handback:
    """Veilig Thuis hands a reported case back to the local network (afschaling). The
    family's safety must then be assessed again: the quality dashboard flags the household
    until a safety assessment dated after the handback is recorded."""
    professional = _professional(actor)
    case = require_case(session, actor, case_id)
    steps = _steps(session, case.id)
    if len(steps) < 5 or steps[4].decision not in REPORTING:
        raise Conflict("Only a case reported to Veilig Thuis is handed back.",
                       code="no_report")
    if body.on > local_day(now()) or body.on < local_day(steps[4].recorded_at):
        raise Invalid("The handback falls between the report and today.",
                      code="handback_date")
    if session.scalar(select(Handback.id).where(Handback.case_id == case.id)):
        raise Conflict("This case was handed back already.", code="handed_back")
    handback = Handback(case_id=case.id, household_id=case.household_id, handed_back_on=body.on,
                        recorded_by=professional)
    session.add(handback)
    session.flush()
    record(session, Record(Action.MELDCODE_HANDBACK, actor, subject_id=case.child_id,
                           purpose="meldcode", object_type="meldcode_case", object_id=case.id))
    return handback


def _view(session: Session, override_id: str) -> OverrideView:
    return _views(session, Override.id == override_id)[0]


def _views(session: Session, *criteria: ColumnElement[bool], count: bool = False
           ) -> list[OverrideView]:
    """Overrides matching `criteria`, each with its events and status now."""
    overrides = list(session.scalars(select(Override).where(*criteria)
                                     .order_by(Override.created_at)))
    events: dict[str, dict[str, OverrideEvent]] = defaultdict(dict)
    if overrides:
        for event in session.scalars(select(OverrideEvent).where(
                OverrideEvent.override_id.in_([o.id for o in overrides]))):
            events[event.override_id][event.kind] = event
    at = now()
    return [OverrideView(o, status(_times(o, events[o.id]), at), events[o.id],
                         _disclosures(session, o.id) if count else None) for o in overrides]


def _times(override: Override, events: dict[str, OverrideEvent]) -> OverrideTimes:
    return OverrideTimes(override.urgent, override.created_at, override.valid_until,
                         override.review_due, {kind: e.at for kind, e in events.items()})


def request_override(session: Session, *, actor: Principal, case_id: str,
                     body: OverrideCreate) -> OverrideView:
    """Ask to share specific data with specific organisations despite missing consent. Needs
    step 4 (the weighing) unless the child is in acute danger (`urgent`): then it is in force
    at once, but lapses unless an aandachtsfunctionaris reviews it before the deadline."""
    professional = _professional(actor)
    case, facts = case_and_facts(session, actor, case_id)
    policy = audit_context(session).policy
    limits = policy.meldcode.override
    if not body.urgent and len(_steps(session, case.id)) < 4:
        raise Invalid("An override needs the weighing of step 4 first (or, in acute danger, "
                      "an urgent request).", code="step_order")
    at = now()
    if body.valid_until <= at:
        raise Invalid("The override must end in the future.", code="override_in_past")
    if body.valid_until > at + timedelta(days=limits.max_days):
        raise Invalid(f"An override lasts at most {limits.max_days} days.",
                      code="override_too_long", max_days=limits.max_days)
    if not set(body.subject_ids) <= set(facts.members):
        raise Invalid("Name members of this case's family only.", code="unknown_subject")
    unknown = [c for c in body.categories if c not in policy.categories]
    if unknown:
        raise Invalid("Unknown category.", code="unknown_category", categories=unknown)
    recipients = sorted({r.organisation_id for r in body.recipients})
    if len(session.scalars(select(Organisation.id).where(Organisation.id.in_(recipients)))
           .all()) != len(recipients):
        raise Invalid("A recipient organisation does not exist.", code="unknown_recipient")
    planned = body.inform_parents.planned_on
    if planned is not None and not \
            local_day(at) <= planned <= local_day(at) + timedelta(
                days=limits.inform_parents_within_days):
        raise Invalid(f"Inform the parents within {limits.inform_parents_within_days} days.",
                      code="inform_parents_date")
    override_id = new_id()  # the sealed texts are bound to it
    reason = body.inform_parents.not_informed_reason
    override = Override(
        id=override_id, case_id=case.id, household_id=case.household_id,
        subject_ids=sorted(body.subject_ids), categories=sorted(body.categories),
        recipient_ids=recipients,
        justification=_seal(session, case.household_id, f"override:{override_id}",
                            body.justification),
        requested_by=professional, organisation_id=case.organisation_id,
        urgent=body.urgent, valid_until=body.valid_until,
        review_due=at + timedelta(hours=limits.urgent_review_hours) if body.urgent else None,
        inform_parents_on=planned,
        not_informed_reason=_seal(session, case.household_id,
                                  f"override-not-informed:{override_id}", reason)
        if reason else None)
    session.add(override)
    session.flush()
    _record_each_subject(session, Action.OVERRIDE_REQUEST, actor, override)
    return _view(session, override.id)


def override_view(session: Session, *, actor: Principal, override_id: str) -> OverrideView:
    """An override, for the professionals of the organisation whose case it belongs to (in
    the regisseur's organisation: the household's team) and the organisation's
    aandachtsfunctionarissen, who weigh every override of their organisation (four eyes)."""
    override = session.get(Override, override_id)
    if override is None or actor.professional_id is None \
            or override.organisation_id != actor.organisation_id \
            or not (actor.has_role(Role.AANDACHTSFUNCTIONARIS)
                    or reaches_own(session, actor, override.household_id)):
        raise NotFound("No such override.")
    return _view(session, override_id)


def _require_override(session: Session, actor: Principal, override_id: str) -> OverrideView:
    view = override_view(session, actor=actor, override_id=override_id)
    if not actor.has_role(Role.AANDACHTSFUNCTIONARIS):
        raise Forbidden("This needs the role aandachtsfunctionaris.", code="wrong_role")
    return view


def approve_override(session: Session, *, actor: Principal, override_id: str) -> OverrideView:
    """Four eyes: an aandachtsfunctionaris other than the requester approves a pending
    override, or reviews an urgent one."""
    view = _require_override(session, actor, override_id)
    if actor.professional_id == view.override.requested_by:
        raise Forbidden("Four eyes: someone else must approve this override.",
                        code="four_eyes")
    if view.status is not OverrideStatus.PENDING and not (
            view.status is OverrideStatus.ACTIVE and view.approved_by is None):
        raise Conflict(f"This override is {view.status.value}; it cannot be approved.",
                       code="override_not_pending", status_now=view.status.value)
    session.add(OverrideEvent(override_id=override_id, kind=OverrideEventKind.APPROVE,
                              by=actor.professional_id))
    session.flush()
    _record_each_subject(session, Action.OVERRIDE_APPROVE, actor, view.override)
    return _view(session, override_id)


def revoke_override(session: Session, *, actor: Principal, override_id: str, reason: str
                    ) -> OverrideView:
    """Ends the override at once; the next read no longer finds a basis in it."""
    found = session.get(Override, override_id)
    if found is not None:  # before its status is read: two revocations do not both pass
        lock_household_for_change(session, found.household_id)
    view = _require_override(session, actor, override_id)
    if view.status in (OverrideStatus.REVOKED, OverrideStatus.EXPIRED, OverrideStatus.LAPSED):
        raise Conflict(f"This override is {view.status.value} already.",
                       code="override_ended", status_now=view.status.value)
    session.add(OverrideEvent(
        override_id=override_id, kind=OverrideEventKind.REVOKE, by=actor.professional_id,
        reason=_seal(session, view.override.household_id, f"override-revoke:{override_id}",
                     reason)))
    session.flush()
    _record_each_subject(session, Action.OVERRIDE_REVOKE, actor, view.override)
    return _view(session, override_id)


def _record_each_subject(session: Session, action: Action, actor: Principal | None,
                         override: Override, role: str | None = None) -> None:
    """An override event is recorded once for each person it concerns (their access report
    shows it)."""
    record_all(session, [Record(action, actor, subject_id=subject_id, role=role,
                                categories=override.categories, purpose="meldcode",
                                override_ids=[override.id], object_type="override",
                                object_id=override.id) for subject_id in override.subject_ids])


def record_expiries(session: Session) -> int:
    """Record, once, each override whose validity or urgent-review deadline has passed (the
    engine stops using it at that moment whether or not this has run)."""
    ended = [v for v in _views(session, ~Override.id.in_(
        select(OverrideEvent.override_id).where(OverrideEvent.kind.in_(
            [OverrideEventKind.EXPIRE, OverrideEventKind.REVOKE]))))
             if v.status in (OverrideStatus.EXPIRED, OverrideStatus.LAPSED)]
    for view in ended:
        session.add(OverrideEvent(override_id=view.override.id, kind=OverrideEventKind.EXPIRE))
        _record_each_subject(session, Action.OVERRIDE_EXPIRE, None, view.override,
                             role=view.status.value)
    session.flush()
    return len(ended)


@dataclass(frozen=True)
class Queue:
    pending: list[OverrideView]
    awaiting_review: list[OverrideView]
    overdue: list[OverrideView]
    expiring_soon: list[OverrideView]


def review_queue(session: Session, *, actor: Principal) -> Queue:
    """What an aandachtsfunctionaris (their organisation's overrides) or the privacy officer
    (all) must look at, with the number of disclosures made under each."""
    if not actor.has_role(Role.AANDACHTSFUNCTIONARIS, Role.PRIVACY_OFFICER):
        raise Forbidden("This needs the role aandachtsfunctionaris or privacy_officer.",
                        code="wrong_role")
    record_expiries(session)
    mine = () if actor.has_role(Role.PRIVACY_OFFICER) else (
        Override.organisation_id == actor.organisation_id,)
    views = _views(session, *mine, count=True)
    at = now()
    queue = Queue(
        pending=[v for v in views if v.status is OverrideStatus.PENDING],
        awaiting_review=[v for v in views if v.status is OverrideStatus.ACTIVE
                         and v.override.urgent and v.approved_by is None],
        overdue=[v for v in views if v.status is OverrideStatus.LAPSED],
        expiring_soon=[v for v in views if v.status is OverrideStatus.ACTIVE
                       and v.override.valid_until - at <= EXPIRING_SOON])
    record(session, Record(Action.AUDIT_SEARCH, actor, object_type="override_queue"))
    return queue


def _disclosures(session: Session, override_id: str) -> int:
    """Disclosures made under an override, from the audit log (queued and sequenced). A scan
    of the event text: fine for a queue of a few overrides; an index would serve a big log."""
    needle = f'"{override_id}"'
    queued = session.scalar(select(func.count()).select_from(AuditPending).where(
        AuditPending.action == Action.DISCLOSURE.value, AuditPending.payload.contains(needle)))
    logged = session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == Action.DISCLOSURE.value, AuditEvent.leaf.contains(needle)))
    return (queued or 0) + (logged or 0)
