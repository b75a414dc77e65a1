"""Meldcode and override routes (contract v1)."""

from fastapi import APIRouter

from broker.db import DbSession
from broker.identity.deps import ApiPrincipal
from broker.meldcode import report as reports
from broker.meldcode import service
from broker.meldcode.models import Handback
from broker.meldcode.schemas import (
    AlsoKnown,
    CaseCreate,
    CaseRead,
    HandbackCreate,
    HandbackRead,
    HandbackTo,
    OverrideCreate,
    OverrideRead,
    OverrideRecipient,
    OverrideRevoke,
    ReportChild,
    ReportContact,
    ReportRead,
    ReportSignal,
    ReportStep,
    RestrictionRead,
    RestrictionRenew,
    ReviewQueue,
    StepCreate,
    StepRead,
)

router = APIRouter(tags=["meldcode"])


@router.post("/meldcode/cases", status_code=201, summary="Open a meldcode case for a child")
def open_case(body: CaseCreate, session: DbSession, actor: ApiPrincipal) -> CaseRead:
    case = service.open_case(session, actor=actor, body=body)
    return case_read(service.case_view(session, actor=actor, case_id=case.id))


@router.get("/meldcode/cases/{case_id}", summary="The case with its steps and overrides")
def get_case(case_id: str, session: DbSession, actor: ApiPrincipal) -> CaseRead:
    return case_read(service.case_view(session, actor=actor, case_id=case_id))


@router.post("/meldcode/cases/{case_id}/steps", status_code=201,
             summary="Record the next step (1-5, strictly in order; 422 step_order)")
def record_step(case_id: str, body: StepCreate, session: DbSession, actor: ApiPrincipal
                ) -> CaseRead:
    service.record_step(session, actor=actor, case_id=case_id, body=body)
    return case_read(service.case_view(session, actor=actor, case_id=case_id))


@router.post("/meldcode/cases/{case_id}/handback", status_code=201,
             summary="Veilig Thuis handed the reported case back to the local network "
             "(afschaling; 409 no_report before a report)")
def handback(case_id: str, body: HandbackCreate, session: DbSession, actor: ApiPrincipal
             ) -> CaseRead:
    service.record_handback(session, actor=actor, case_id=case_id, body=body)
    return case_read(service.case_view(session, actor=actor, case_id=case_id))


@router.post("/households/{household_id}/handbacks", status_code=201,
             summary="Veilig Thuis (or an organisation after it) handed the family back to "
             "another organisation (afschaling); a new safety assessment is owed")
def hand_back(household_id: str, body: HandbackTo, session: DbSession, actor: ApiPrincipal
              ) -> HandbackRead:
    return handback_read(service.hand_back(session, actor=actor, household_id=household_id,
                                           body=body))


def handback_read(h: Handback) -> HandbackRead:
    return HandbackRead(id=h.id, household_id=h.household_id, case_id=h.case_id,
                        from_organisation_id=h.from_organisation_id,
                        to_organisation_id=h.to_organisation_id,
                        handed_back_on=h.handed_back_on, recorded_at=h.recorded_at)


@router.post("/overrides/{override_id}/restriction",
             summary="Keep the family uninformed of an override until a new review day "
             "(aandachtsfunctionaris, with a reason)")
def renew_override_restriction(override_id: str, body: RestrictionRenew, session: DbSession,
                               actor: ApiPrincipal) -> RestrictionRead:
    return RestrictionRead(review_on=service.renew_restriction(
        session, actor=actor, body=body, override_id=override_id))


@router.post("/mandates/{mandate_id}/restriction",
             summary="Keep the family uninformed of a report to Veilig Thuis until a new "
             "review day (aandachtsfunctionaris, with a reason)")
def renew_report_restriction(mandate_id: str, body: RestrictionRenew, session: DbSession,
                             actor: ApiPrincipal) -> RestrictionRead:
    return RestrictionRead(review_on=service.renew_restriction(
        session, actor=actor, body=body, mandate_id=mandate_id))


@router.get("/meldcode/cases/{case_id}/report", summary="The report to Veilig Thuis after a "
            "step 5 decision to report (each part a disclosure, basis legal_duty)")
def report(case_id: str, session: DbSession, actor: ApiPrincipal) -> ReportRead:
    return report_read(reports.report_to_veilig_thuis(session, actor=actor, case_id=case_id))


@router.post("/meldcode/cases/{case_id}/overrides", status_code=201,
             summary="Request an override of professional secrecy (step 4 or later, or urgent)")
def request_override(case_id: str, body: OverrideCreate, session: DbSession,
                     actor: ApiPrincipal) -> OverrideRead:
    return override_read(service.request_override(session, actor=actor, case_id=case_id,
                                                  body=body))


@router.post("/overrides/{override_id}/approve",
             summary="Approve (four eyes) or review an urgent override")
def approve(override_id: str, session: DbSession, actor: ApiPrincipal) -> OverrideRead:
    return override_read(service.approve_override(session, actor=actor,
                                                  override_id=override_id))


@router.post("/overrides/{override_id}/revoke", summary="End an override at once")
def revoke(override_id: str, body: OverrideRevoke, session: DbSession, actor: ApiPrincipal
           ) -> OverrideRead:
    return override_read(service.revoke_override(session, actor=actor, override_id=override_id,
                                                 reason=body.reason))


@router.get("/audit/overrides", summary="Overrides to review: pending, urgent awaiting review, "
            "overdue, expiring soon")
def review_queue(session: DbSession, actor: ApiPrincipal) -> ReviewQueue:
    queue = service.review_queue(session, actor=actor)
    return ReviewQueue(pending=[override_read(v) for v in queue.pending],
                       awaiting_review=[override_read(v) for v in queue.awaiting_review],
                       overdue=[override_read(v) for v in queue.overdue],
                       expiring_soon=[override_read(v) for v in queue.expiring_soon])


def override_read(view: service.OverrideView) -> OverrideRead:
    o = view.override
    return OverrideRead(
        id=o.id, case_id=o.case_id, status=view.status.value, subject_ids=o.subject_ids,
        categories=o.categories,
        recipients=[OverrideRecipient(organisation_id=r) for r in o.recipient_ids],
        urgent=o.urgent, valid_until=o.valid_until, review_due=o.review_due,
        inform_parents_on=o.inform_parents_on, not_informed_until=o.not_informed_until,
        requested_by=o.requested_by,
        approved_by=view.approved_by, disclosures=view.disclosures)


def case_read(view: service.CaseView) -> CaseRead:
    steps = [StepRead(step=s.step, content=text, answers=s.answers, decision=s.decision,
                      observation_ids=s.observation_ids or [], recorded_by=s.recorded_by,
                      recorded_at=s.recorded_at, acuut=bool(s.acuut),
                      talked_with_family=s.skip_reason is None if s.step == 3 else None,
                      skip_reason=view.skip_reason if s.step == 3 else None,
                      follow_up_on=s.follow_up_on) for s, text in view.steps]
    return CaseRead(id=view.case.id, child_id=view.case.child_id,
                    household_id=view.case.household_id, step=view.next_step,
                    completed=len(steps) == 5, steps=steps,
                    overrides=[override_read(v) for v in view.overrides],
                    handed_back_on=view.handback.handed_back_on if view.handback else None,
                    steps_due_by=view.steps_due_by)


def report_read(report: reports.Report) -> ReportRead:
    child = report.child
    return ReportRead(
        case_id=report.case.id,
        addressed_to=ReportContact(organisation_id=report.addressed_to.id,
                                   organisation_name=report.addressed_to.name),
        also_known=[AlsoKnown(category=category, party=party)
                    for category, party in report.also_known],
        child=ReportChild(given_name=child[0], family_name=child[1], birth_date=child[2])
        if child else None,
        signals=[ReportSignal(observed_on=o.observed_on, category=o.category,
                              concern=o.concern, body=text) for o, text in report.signals],
        withheld_signals=report.withheld_signals,
        steps=[ReportStep(step=s.step, content=text, recorded_at=s.recorded_at)
               for s, text in report.steps],
        decision=report.decision,
        contact=ReportContact(organisation_id=report.contact.id,
                              organisation_name=report.contact.name))
