"""Retention of plans (policies/retention.yaml, kind `plans`)."""

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from broker.audit.recording import Record, purges
from broker.plans.models import Plan, PlanAction


def purge_plans(session: Session, households: set[str]) -> tuple[list[Record], int, str]:
    """Every version of the plans of these households (each member's file past the term),
    with their actions."""
    rows = session.execute(select(Plan.id, Plan.household_id)
                           .where(Plan.household_id.in_(households))).all()
    ids = [row.id for row in rows]
    if ids:
        session.execute(delete(PlanAction).where(PlanAction.plan_id.in_(ids)))
        session.execute(delete(Plan).where(Plan.id.in_(ids)))
    return purges("plans", {row.household_id for row in rows}, household=True), len(ids), \
        "plans and their actions removed"
