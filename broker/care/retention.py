"""Retention of the path of help (policies/retention.yaml, kind `plans`): it goes with the
household's plans, once every member's file has passed its term."""

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from broker.audit.recording import Record, purges
from broker.care.models import (
    ChildContact,
    Closure,
    Escalation,
    Evaluation,
    FamilyGroupPlanEvent,
    HelpRequest,
    OtherPlan,
    SafetyAssessment,
    SignalFeedback,
)
from broker.plans.models import Plan

TABLES = (Evaluation, SignalFeedback, HelpRequest, SafetyAssessment, ChildContact,
          Escalation, Closure, OtherPlan, FamilyGroupPlanEvent)


def purge_care(session: Session, households: set[str]) -> tuple[list[Record], int, str]:
    """Every record of these households' path of help (before their plans, which may name
    the family group plan)."""
    session.execute(update(Plan).where(Plan.household_id.in_(households))
                    .values(family_group_plan_id=None))
    removed, emptied = 0, set()
    for table in TABLES:
        gone = session.execute(delete(table).where(table.household_id.in_(households))
                               .returning(table.household_id)).scalars().all()
        removed += len(gone)
        emptied |= set(gone)
    return purges("plans", emptied, household=True), removed, \
        "the path of help removed (help requests to closure)"
