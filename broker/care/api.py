"""The path of a household's help (contract: 'The path from intake to closure'); each
record answers 201 with its id. For the household's team: 403 `not_the_team` for another
involved organisation, 404 for everyone else."""

from typing import Any

from fastapi import APIRouter

from broker.care import path, service
from broker.care.schemas import (
    CarePathRead,
    ChildContactCreate,
    ClosureCreate,
    Created,
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
from broker.db import DbSession
from broker.identity.deps import ApiPrincipal

router = APIRouter(tags=["care path"])
HOUSEHOLD = "/households/{household_id}"


@router.post(f"{HOUSEHOLD}/help-requests", status_code=201,
             summary="The help request, formulated with the family, with the safety questions")
def help_request(household_id: str, body: HelpRequestCreate, session: DbSession,
                 actor: ApiPrincipal) -> Created:
    return Created(id=service.record_help_request(session, actor=actor,
                                                  household_id=household_id, body=body).id)


@router.post(f"{HOUSEHOLD}/safety-assessments", status_code=201,
             summary="A safety assessment with a named instrument, at any time")
def safety_assessment(household_id: str, body: SafetyAssessmentCreate, session: DbSession,
                      actor: ApiPrincipal) -> Created:
    return Created(id=service.record_safety_assessment(
        session, actor=actor, household_id=household_id, body=body).id)


@router.post(f"{HOUSEHOLD}/child-contacts", status_code=201,
             summary="A child seen and spoken (kindgesprek), with the child's own view")
def child_contact(household_id: str, body: ChildContactCreate, session: DbSession,
                  actor: ApiPrincipal) -> Created:
    return Created(id=service.record_child_contact(session, actor=actor,
                                                   household_id=household_id, body=body).id)


@router.post(f"{HOUSEHOLD}/family-group-plan", status_code=201,
             summary="The family group plan offered, accepted, declined or received")
def family_group_plan(household_id: str, body: FamilyGroupPlanCreate, session: DbSession,
                      actor: ApiPrincipal) -> Created:
    return Created(id=service.record_family_group_plan(
        session, actor=actor, household_id=household_id, body=body).id)


@router.post(f"{HOUSEHOLD}/evaluations", status_code=201,
             summary="The plan evaluated with the family: goals and safety, start against now")
def evaluation(household_id: str, body: EvaluationCreate, session: DbSession,
               actor: ApiPrincipal) -> Created:
    return Created(id=service.record_evaluation(session, actor=actor,
                                                household_id=household_id, body=body).id)


@router.post(f"{HOUSEHOLD}/escalations", status_code=201,
             summary="Escalation when voluntary help fails (opschaling)")
def escalation(household_id: str, body: EscalationCreate, session: DbSession,
               actor: ApiPrincipal) -> Created:
    return Created(id=service.record_escalation(session, actor=actor,
                                                household_id=household_id, body=body).id)


@router.post("/escalations/{escalation_id}/outcome", summary="The escalation's outcome")
def escalation_outcome(escalation_id: str, body: EscalationOutcome, session: DbSession,
                       actor: ApiPrincipal) -> Created:
    return Created(id=service.record_escalation_outcome(
        session, actor=actor, escalation_id=escalation_id, body=body).id)


@router.post(f"{HOUSEHOLD}/close", status_code=201,
             summary="End the household's help: 422 `closure_unsafe` unless safe to let go")
def close(household_id: str, body: ClosureCreate, session: DbSession, actor: ApiPrincipal
          ) -> Created:
    return Created(id=service.close_help(session, actor=actor, household_id=household_id,
                                         body=body).id)


@router.post(f"{HOUSEHOLD}/other-plans", status_code=201,
             summary="Another organisation's own plan or care coordinator for the family")
def other_plan(household_id: str, body: OtherPlanCreate, session: DbSession,
               actor: ApiPrincipal) -> Created:
    return Created(id=service.register_other_plan(session, actor=actor,
                                                  household_id=household_id, body=body).id)


@router.patch("/other-plans/{other_plan_id}", summary="Link another plan to the one plan, "
              "or end it")
def update_other_plan(other_plan_id: str, body: OtherPlanUpdate, session: DbSession,
                      actor: ApiPrincipal) -> Created:
    return Created(id=service.update_other_plan(session, actor=actor,
                                                other_plan_id=other_plan_id, body=body).id)


@router.post(f"{HOUSEHOLD}/signal-feedback", status_code=201,
             summary="Tell a partner what was done with its signal (no details)")
def signal_feedback(household_id: str, body: FeedbackCreate, session: DbSession,
                    actor: ApiPrincipal) -> Created:
    return Created(id=service.give_feedback(session, actor=actor, household_id=household_id,
                                            body=body).id)


@router.get(f"{HOUSEHOLD}/care-path", summary="The path of the household's help, from "
            "intake to closure, as the team may see it")
def care_path(household_id: str, session: DbSession, actor: ApiPrincipal) -> CarePathRead:
    return path_read(path.care_path(session, actor=actor, household_id=household_id))


def _entries(entries: list[path.Entry], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"id": e.row.id, **{f: getattr(e.row, f) for f in fields}, **e.texts}
            for e in entries]


def path_read(care: path.CarePath) -> CarePathRead:
    return CarePathRead.model_validate({
        "household_id": care.household_id, "started_on": care.started, "closed": care.closed,
        "children": [{"child_id": c, "last_spoken_on": day} for c, day in care.children],
        "help_requests": _entries(care.help_requests, (
            "started_on", "formulated_with", "life_domains", "safety_answers",
            "full_assessment", "member_zrm")),
        "safety_assessments": _entries(care.assessments, (
            "assessed_on", "subject_ids", "instrument", "outcome", "scale")),
        "child_contacts": _entries(care.child_contacts, (
            "child_id", "contact_on", "seen", "spoken", "place", "by_professional_id")),
        "family_group_plan": _entries(care.family_group_plan, (
            "status", "decided_on", "decided_by")),
        "evaluations": _entries(care.evaluations, (
            "held_on", "plan_id", "participants", "goals", "start_scale", "start_outcome",
            "safety_scale", "safety_outcome", "needs_changed", "next_evaluation")),
        "escalations": _entries(care.escalations, ("to", "why", "escalated_on",
                                                    "outcome_on")),
        "closures": _entries(care.closures, ("reason", "closed_on",
                                             "aftercare_organisation_id")),
        "other_plans": _entries(care.other_plans, ("organisation_id", "kind", "linked",
                                                   "since", "ended_on")),
        "signals": [{"observation_id": s.observation_id, "observed_on": s.observed_on,
                     "concern": s.concern, "feedback_due": s.due,
                     "feedback": s.feedback.outcome if s.feedback else None,
                     "feedback_on": s.feedback.given_on if s.feedback else None}
                    for s in care.signals],
    })
