"""The meldcode: five steps per child in order, and the override path when a child's safety
outweighs missing consent — scoped, time-limited, four-eyes, recorded."""

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

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
from broker.mandates import service as mandates
from broker.mandates.models import Mandate
from broker.meldcode.models import (
    Handback,
    MeldcodeCase,
    MeldcodeStep,
    NoticeRenewal,
    Override,
    OverrideEvent,
    OverrideEventKind,
    StepDecision,
)
from broker.meldcode.rules import decision_allowed, open_question
from broker.meldcode.schemas import (
    CaseCreate,
    HandbackCreate,
    HandbackTo,
    OverrideCreate,
    RestrictionRenew,
    StepCreate,
)
from broker.observations.models import Observation
from broker.policy import Policy
from broker.vault.service import existing_data_key, writable_key

EXPIRING_SOON = timedelta(days=3)
HANDBACK_RECORDED_WITHIN = timedelta(days=30)  # a handback is recorded when it happens
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
    return writable_key(session, household_id).seal(context, text)


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


def _expected(steps: list[MeldcodeStep]) -> set[int]:
    """The steps that may be recorded next: the first not yet taken; after an acute step 1
    also step 5 (report at once, the steps between recorded afterwards)."""
    taken = {s.step for s in steps}
    expected = {min(set(range(1, 6)) - taken, default=6)}
    if steps and steps[0].acuut and 5 not in taken:
        expected.add(5)
    return expected - {6}


def _next(steps: list[MeldcodeStep]) -> int:
    """The step a form offers next: after an acute step 1 the report (5), else the first
    not taken (5 once all are)."""
    expected = _expected(steps)
    return 5 if 5 in expected and steps and steps[0].acuut else min(expected, default=5)


def record_step(session: Session, *, actor: Principal, case_id: str, body: StepCreate
                ) -> MeldcodeStep:
    """Steps 1 to 5 in order (after an acute step 1, step 5 may come first); step 4 needs
    every question while the suspicion stands, step 5's decision must follow it."""
    professional = _professional(actor)
    case, facts = case_and_facts(session, actor, case_id)
    steps = _steps(session, case.id)
    expected = _expected(steps)
    if body.step not in expected:
        first = min(expected, default=None)
        raise StepOrder(f"The next step of this case is step {first}." if first
                        else "All five steps of this case have been taken.", expected=first)
    if body.step == 1 and body.observation_ids:
        _check_linked(session, actor, case, facts, body.observation_ids)
    if body.step == 3 and not body.talked_with_family and body.skip_reason is None:
        raise Invalid("Skip the talk with the family only for safety: give skip_reason.",
                      code="skip_reason_required")
    if body.answers is not None:
        question = open_question(body.answers.model_dump())
        if question:
            raise Invalid(f"Stap 4: beantwoord eerst de vraag '{question}'; een open vraag "
                          "telt niet als 'nee'.", code="answers_incomplete", question=question)
    reported_to, not_informed = None, None
    if body.decision is not None:
        reported_to, not_informed = _decided(session, case, steps, body)
    step = MeldcodeStep(
        case_id=case.id, step=body.step,
        content=_seal(session, case.household_id, f"meldcode-step:{case.id}:{body.step}",
                      body.content),
        answers=body.answers.model_dump() if body.answers else None,
        decision=body.decision.value if body.decision else None,
        observation_ids=body.observation_ids or None, reported_to=reported_to,
        acuut=body.acuut if body.step == 1 else None,
        skip_reason=_seal(session, case.household_id, f"meldcode-skip:{case.id}",
                          body.skip_reason) if body.skip_reason else None,
        follow_up_on=body.follow_up_on, recorded_by=professional)
    session.add(step)
    session.flush()
    if reported_to is not None:
        mandates.report(session, actor=actor, household_id=case.household_id,
                        child_id=case.child_id, case_id=case.id, veilig_thuis_id=reported_to,
                        not_informed=not_informed)
    record(session, Record(Action.MELDCODE_STEP, actor, subject_id=case.child_id,
                           purpose="meldcode", object_type="meldcode_case", object_id=case.id))
    return step


def _decided(session: Session, case: MeldcodeCase, steps: list[MeldcodeStep],
             body: StepCreate) -> tuple[str | None, tuple[bytes, date] | None]:
    """Check step 5's decision against step 4 (or, reporting at once in acute danger, that
    it reports); returns the Veilig Thuis organisation reported to and, sealed, why the
    family is not told yet and until when."""
    assert body.decision is not None
    policy = audit_context(session).policy
    today = local_day(now())
    reporting = body.decision.value in REPORTING
    if len(steps) < 4:  # acute: step 5 before the weighing
        if not reporting:
            raise Invalid("In acute danger step 5 reports to Veilig Thuis at once.",
                          code="acute_report")
    else:
        refused = decision_allowed(steps[3].answers or {}, body.decision)
        if refused:
            raise Invalid(refused[1], code=refused[0])
    if body.decision is StepDecision.HULP_ORGANISEREN and body.follow_up_on is None:
        raise Invalid("Organised help is followed up: give follow_up_on.",
                      code="follow_up_required")
    longest = policy.meldcode.terms.follow_up_max_days
    if body.follow_up_on is not None and not \
            today < body.follow_up_on <= today + timedelta(days=longest):
        raise Invalid(f"Follow the help up within {longest} days.", code="follow_up_date",
                      max_days=longest)
    if not reporting:
        if body.veilig_thuis_id is not None or body.not_informed is not None:
            raise Invalid("Only a decision to report names Veilig Thuis or a restriction.",
                          code="not_reporting")
        return None, None
    reported_to = veilig_thuis(session, body.veilig_thuis_id)
    if body.not_informed is None:
        return reported_to, None
    review_on = review_date(session, body.not_informed.review_on)
    return reported_to, (_seal(session, case.household_id, f"report-not-informed:{case.id}",
                               body.not_informed.reason), review_on)


def review_date(session: Session, wanted: date | None) -> date:
    """When a reason not to tell the family is reviewed: the day asked, at most the policy's
    maximum ahead (and that by default); 422 `review_date` otherwise."""
    longest = audit_context(session).policy.meldcode.override.not_informed_max_days
    today = local_day(now())
    if wanted is None:
        return today + timedelta(days=longest)
    if not today < wanted <= today + timedelta(days=longest):
        raise Invalid(f"Review the reason not to tell the family within {longest} days.",
                      code="review_date", max_days=longest)
    return wanted


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
    skip_reason: str | None = None  # step 3 skipped: why talking would endanger someone
    steps_due_by: date | None = None  # acute report first: steps 2-4 recorded by then
    next_step: int = 1  # the next step to record (5 once all are recorded)


def case_view(session: Session, *, actor: Principal, case_id: str) -> CaseView:
    """The case with its step texts: the keeping organisation's own record about the child
    (category veiligheid), read through the door and recorded."""
    case, facts = case_and_facts(session, actor, case_id)
    decision = disclose(session, actor=actor, facts=facts.subjects[case.child_id],
                        category="veiligheid", purpose=SEEING,
                        submitted_by_organisation_id=case.organisation_id,
                        object_type="meldcode_case", object_id=case.id)
    key = existing_data_key(session, case.household_id)
    taken = _steps(session, case.id)
    steps = [(s, unseal(decision, key, f"meldcode-step:{case.id}:{s.step}", s.content))
             for s in taken]
    skipped = next((s.skip_reason for s in taken if s.skip_reason), None)
    overrides = _views(session, Override.case_id == case.id)
    handback = session.scalar(select(Handback).where(Handback.case_id == case.id))
    due = None
    if taken and taken[0].acuut and {2, 3, 4} - {s.step for s in taken}:
        due = local_day(taken[0].recorded_at) + timedelta(
            days=audit_context(session).policy.meldcode.terms.acute_steps_days)
    return CaseView(case, facts, steps, overrides, handback,
                    unseal(decision, key, f"meldcode-skip:{case.id}", skipped)
                    if skipped else None, due, _next(taken))


def record_handback(session: Session, *, actor: Principal, case_id: str, body: HandbackCreate
                    ) -> Handback:
    """The reporting organisation records that Veilig Thuis handed its reported case back to
    it (afschaling)."""
    _professional(actor)
    case = require_case(session, actor, case_id)
    report = next((s for s in _steps(session, case.id) if s.step == 5), None)
    if report is None or report.decision not in REPORTING:
        raise Conflict("Only a case reported to Veilig Thuis is handed back.",
                       code="no_report")
    if body.on < local_day(report.recorded_at):
        raise Invalid("The handback falls between the report and today.",
                      code="handback_date")
    return hand_back(session, actor=actor, household_id=case.household_id, body=HandbackTo(
        from_organisation_id=report.reported_to or veilig_thuis(session, None),
        to_organisation_id=case.organisation_id, on=body.on, case_id=case.id))


def hand_back(session: Session, *, actor: Principal, household_id: str, body: HandbackTo
              ) -> Handback:
    """Veilig Thuis, or an organisation after it, handed the family back to another (the
    regisseur's organisation, a youth team, the CJG): recorded by Veilig Thuis or by any
    organisation directing or involved with the household, naming to whom. The family's
    safety must then be assessed again: the quality dashboard flags the household when no
    safety assessment follows within the policy's term."""
    professional = _professional(actor)
    facts = load_household(session, household_id=household_id)
    case = session.get(MeldcodeCase, body.case_id) if body.case_id else None
    own_case = case is not None and facts is not None and \
        case.household_id == facts.household_id and \
        case.organisation_id == actor.organisation_id and facts.reaches_own(actor)
    if facts is None or not (facts.involves(actor, now()) or own_case):
        raise NotFound("No such household.")
    if body.case_id is not None and not own_case:
        raise NotFound("No such case.")
    parties = _parties(session, [body.from_organisation_id, body.to_organisation_id])
    if {body.from_organisation_id, body.to_organisation_id} - set(parties) \
            or body.from_organisation_id == body.to_organisation_id:
        raise Invalid("Name two existing organisations: from whom and to whom.",
                      code="unknown_organisation")
    # From Veilig Thuis, or onwards from an organisation that directs or is involved.
    if parties[body.from_organisation_id] != VEILIG_THUIS \
            and body.from_organisation_id != facts.regisseur_organisation_id \
            and body.from_organisation_id not in facts.partners(now()):
        raise Invalid("A family is handed back by Veilig Thuis, or on by an organisation "
                      "that directs or is involved with it.", code="handback_from")
    today = local_day(now())
    if not today - HANDBACK_RECORDED_WITHIN <= body.on <= today:
        raise Invalid("Record a handback when it happens (within "
                      f"{HANDBACK_RECORDED_WITHIN.days} days), not before.",
                      code="handback_date")
    subject = facts.about_the_children().person.id
    if case is not None:
        if session.scalar(select(Handback.id).where(Handback.case_id == case.id)):
            raise Conflict("This case was handed back already.", code="handed_back")
        subject = case.child_id
    handback = Handback(case_id=body.case_id, household_id=facts.household_id,
                        from_organisation_id=body.from_organisation_id,
                        to_organisation_id=body.to_organisation_id, handed_back_on=body.on,
                        recorded_by=professional)
    session.add(handback)
    session.flush()
    record(session, Record(Action.MELDCODE_HANDBACK, actor, subject_id=subject,
                           purpose="meldcode", recipient_organisation_id=body.to_organisation_id,
                           object_type="handback", object_id=handback.id))
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
    unexplained = sorted(set(body.subject_ids) - {case.child_id} - set(body.subject_reasons))
    if unexplained or not set(body.subject_reasons) <= set(body.subject_ids):
        raise Invalid("Say for each member other than the child why their data is needed "
                      "for the child's safety (subject_reasons).", code="subject_reason",
                      subject_ids=unexplained)
    unknown = [c for c in body.categories if c not in policy.categories]
    if unknown:
        raise Invalid("Unknown category.", code="unknown_category", categories=unknown)
    recipients = _recipients(session, body, facts, policy)
    planned = body.inform_parents.planned_on
    if planned is not None and not \
            local_day(at) <= planned <= local_day(at) + timedelta(
                days=limits.inform_parents_within_days):
        raise Invalid(f"Inform the parents within {limits.inform_parents_within_days} days.",
                      code="inform_parents_date")
    reason = body.inform_parents.not_informed_reason
    review_on = review_date(session, body.inform_parents.review_on) if reason else None
    override_id = new_id()  # the sealed texts are bound to it
    override = Override(
        id=override_id, case_id=case.id, household_id=case.household_id,
        subject_ids=sorted(body.subject_ids), categories=sorted(body.categories),
        recipient_ids=sorted(recipients),
        recipient_grounds={org: ground for org, ground in recipients.items() if ground}
        or None,
        subject_reasons=_seal(session, case.household_id, f"override-subjects:{override_id}",
                              json.dumps(body.subject_reasons, ensure_ascii=False))
        if body.subject_reasons else None,
        justification=_seal(session, case.household_id, f"override:{override_id}",
                            body.justification),
        requested_by=professional, organisation_id=case.organisation_id,
        urgent=body.urgent, valid_until=body.valid_until,
        review_due=at + timedelta(hours=limits.urgent_review_hours) if body.urgent else None,
        inform_parents_on=planned,
        not_informed_reason=_seal(session, case.household_id,
                                  f"override-not-informed:{override_id}", reason)
        if reason else None, not_informed_until=review_on)
    session.add(override)
    session.flush()
    _record_each_subject(session, Action.OVERRIDE_REQUEST, actor, override)
    return _view(session, override.id)


def _parties(session: Session, organisation_ids: list[str]) -> dict[str, str]:
    """The party type of each of these organisations that exists."""
    return {org: party for org, party in session.execute(
        select(Organisation.id, Organisation.party)
        .where(Organisation.id.in_(organisation_ids)))}


def _recipients(session: Session, body: OverrideCreate, facts: HouseholdFacts,
                policy: Policy) -> dict[str, str | None]:
    """Whom the holder may tell (policies/meldcode.yaml): Veilig Thuis and the household's
    regisseur organisation; anyone else with a named legal ground; in acute danger (urgent)
    only Veilig Thuis or the police. Each recipient with its ground; 422 otherwise."""
    limits = policy.meldcode.override
    grounds = {r.organisation_id: r.legal_ground for r in body.recipients}
    parties = _parties(session, list(grounds))
    if len(parties) != len(grounds):
        raise Invalid("A recipient organisation does not exist.", code="unknown_recipient")
    for org, party in sorted(parties.items()):
        if body.urgent and party not in limits.urgent_recipients:
            raise Invalid("In acute danger an override goes to "
                          f"{' or '.join(limits.urgent_recipients)} only.",
                          code="override_recipient", organisation_id=org,
                          allowed=limits.urgent_recipients)
        by_default = party in limits.recipients or (
            body.urgent and party in limits.urgent_recipients) or (
            limits.regisseur and org == facts.regisseur_organisation_id)
        if not by_default and grounds[org] is None:
            raise Invalid("This recipient needs a named legal ground (legal_ground): the "
                          "meldcode lets you tell Veilig Thuis and the family's regisseur.",
                          code="override_recipient", organisation_id=org,
                          allowed=limits.recipients)
    return grounds


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
    """Four eyes: an aandachtsfunctionaris of the requester's organisation, other than the
    requester, approves a pending override, or reviews an urgent one. Another organisation
    that knows of the override (a recipient) is told it cannot (403
    `four_eyes_same_organisation`); for the rest it does not exist."""
    found = session.get(Override, override_id)
    if found is not None and actor.organisation_id != found.organisation_id \
            and actor.organisation_id in found.recipient_ids:
        raise Forbidden("Four eyes are two of the holder's own: an aandachtsfunctionaris of "
                        "the organisation that asked approves.",
                        code="four_eyes_same_organisation")
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


# --- Telling the family: restrictions are temporary and reviewed ------------------------------

def renew_restriction(session: Session, *, actor: Principal, body: RestrictionRenew,
                      override_id: str | None = None, mandate_id: str | None = None
                      ) -> date:
    """An aandachtsfunctionaris keeps the family uninformed of an override (of their
    organisation) or of a report to Veilig Thuis (made by their organisation, or received by
    it) until a new review day, with a reason; recorded. Returns the review day."""
    if override_id is not None:
        view = _require_override(session, actor, override_id)
        household_id, subjects = view.override.household_id, view.override.subject_ids
        restricted = view.override.not_informed_reason is not None
    else:
        mandate = session.get(Mandate, mandate_id)
        case = session.get(MeldcodeCase, mandate.case_id) if mandate and mandate.case_id \
            else None
        if mandate is None or case is None or actor.professional_id is None \
                or actor.organisation_id not in (case.organisation_id,
                                                 mandate.organisation_id):
            raise NotFound("No such report.")
        if not actor.has_role(Role.AANDACHTSFUNCTIONARIS):
            raise Forbidden("This needs the role aandachtsfunctionaris.", code="wrong_role")
        household_id, subjects = mandate.household_id, [mandate.subject_id]
        restricted = mandate.not_informed_reason is not None
    if not restricted:
        raise Conflict("The family was not kept uninformed of this.", code="no_restriction")
    key = override_id or mandate_id
    assert key is not None
    if tell_from(session, override_ids={override_id} if override_id else set(),
                 mandate_ids={mandate_id} if mandate_id else set())[key] <= local_day(now()):
        raise Conflict("The review day passed: the family has been told; a lapsed "
                       "restriction is not renewed.", code="restriction_lapsed")
    review_on = review_date(session, body.review_on)
    renewal_id = new_id()
    assert actor.professional_id is not None  # an aandachtsfunctionaris is a professional
    session.add(NoticeRenewal(
        id=renewal_id, household_id=household_id, override_id=override_id,
        mandate_id=mandate_id, review_on=review_on, renewed_by=actor.professional_id,
        reason=_seal(session, household_id, f"notice-renewal:{renewal_id}", body.reason)))
    session.flush()
    record_all(session, [Record(Action.RESTRICTION_RENEW, actor, subject_id=subject,
                                purpose="meldcode", object_type="override" if override_id
                                else "mandate", object_id=override_id or mandate_id)
                         for subject in subjects])
    return review_on


def untold(session: Session, *, override_ids: set[str], mandate_ids: set[str]) -> set[str]:
    """Of these overrides and reports (mandates), those the family is not to be told of
    today."""
    today = local_day(now())
    return {key for key, day in tell_from(session, override_ids=override_ids,
                                          mandate_ids=mandate_ids).items() if day > today}


def tell_from(session: Session, *, override_ids: set[str], mandate_ids: set[str]
              ) -> dict[str, date]:
    """The day from which the family is told of each of these overrides and reports: an
    override's planned day to inform the parents; for a restriction (a sealed reason not to
    tell) its last review day, the first or a renewal's. Reports without one: absent."""
    longest = timedelta(days=audit_context(session).policy.meldcode.override
                        .not_informed_max_days)
    renewed: dict[str, date] = {}
    for key, day in session.execute(
            select(func.coalesce(NoticeRenewal.override_id, NoticeRenewal.mandate_id),
                   func.max(NoticeRenewal.review_on))
            .where(NoticeRenewal.override_id.in_(override_ids)
                   | NoticeRenewal.mandate_id.in_(mandate_ids))
            .group_by(NoticeRenewal.override_id, NoticeRenewal.mandate_id)):
        renewed[key] = day
    days = {}
    for o in session.execute(select(Override.id, Override.inform_parents_on,
                                    Override.not_informed_until, Override.created_at)
                             .where(Override.id.in_(override_ids))):
        days[o.id] = o.inform_parents_on or max(
            o.not_informed_until or local_day(o.created_at) + longest,
            renewed.get(o.id, date.min))
    for m in session.execute(select(Mandate.id, Mandate.not_informed_until)
                             .where(Mandate.id.in_(mandate_ids),
                                    Mandate.not_informed_until.is_not(None))):
        days[m.id] = max(m.not_informed_until, renewed.get(m.id, date.min))
    return days


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
