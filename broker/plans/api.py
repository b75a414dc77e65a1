"""Outcome, plan and minutes routes (contract v1)."""

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from broker.db import DbSession
from broker.identity.deps import ApiPrincipal
from broker.plans import service
from broker.plans.minutes import minutes_html, minutes_pdf
from broker.plans.schemas import (
    ActionRead,
    ActionUpdate,
    GoalRead,
    OutcomeCreate,
    PlanRead,
)

router = APIRouter(tags=["plans"])


@router.post("/meetings/{meeting_id}/outcome", status_code=201,
             summary="Analysis, safety assessment, plan, regisseur, next evaluation")
def outcome(meeting_id: str, body: OutcomeCreate, session: DbSession, actor: ApiPrincipal
            ) -> PlanRead:
    plan = service.record_outcome(session, actor=actor, meeting_id=meeting_id, body=body)
    return plan_read(service.current_plan(session, actor=actor, household_id=plan.household_id))


@router.get("/households/{household_id}/plan", summary="The current plan as the caller may "
            "see it")
def current_plan(household_id: str, session: DbSession, actor: ApiPrincipal) -> PlanRead:
    return plan_read(service.current_plan(session, actor=actor, household_id=household_id))


@router.post("/plans/actions/{action_id}", summary="The owning organisation updates an action")
def update_action(action_id: str, body: ActionUpdate, session: DbSession, actor: ApiPrincipal
                  ) -> dict[str, str]:
    action = service.update_action(session, actor=actor, action_id=action_id, body=body)
    return {"id": action.id, "status": action.status}


@router.get("/meetings/{meeting_id}/minutes", response_class=Response,
            summary="The minutes, filtered for the caller: HTML, or PDF with format=pdf")
def minutes(meeting_id: str, request: Request, session: DbSession, actor: ApiPrincipal,
            format: str = Query("html", pattern="^(html|pdf)$")) -> Response:
    view = service.meeting_minutes(session, actor=actor, meeting_id=meeting_id)
    if format == "pdf" or "application/pdf" in request.headers.get("accept", ""):
        return Response(minutes_pdf(session, view, request.app.state.policy),
                        media_type="application/pdf")
    return HTMLResponse(minutes_html(session, view, request.app.state.policy))


def plan_read(view: service.PlanView) -> PlanRead:
    plan = view.plan
    goals = {g["priority"]: g for g in view.goals}
    return PlanRead(
        id=plan.id, household_id=plan.household_id, version=plan.version,
        meeting_id=plan.meeting_id,
        perspective=(view.content or {}).get("perspective"),
        goals=[GoalRead(priority=g["priority"], domain=g["domain"],
                        description=g["description"], subject_ids=g["subject_ids"])
               for g in view.goals],
        actions=[ActionRead(id=a.id, goal=a.goal, domain=a.domain, description=text,
                            owner_organisation_id=a.owner_organisation_id, due=a.due,
                            status=a.status,
                            subject_ids=service.action_subjects(a, goals) if text else [])
                 for a, text in view.actions],
        withheld_goals=view.withheld_goals, safety_assessments=view.assessments,
        children=view.children, zrm_by_member=view.member_zrm, regisseur_id=plan.regisseur_id,
        next_evaluation=plan.next_evaluation)
