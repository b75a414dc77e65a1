"""What the current plans of some households ask for now: actions past their date, and
evaluations coming up (for the regisseur's start page)."""

from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from broker.plans.models import ActionStatus, Plan, PlanAction


def _latest(household_ids: list[str]) -> tuple[object, object]:
    latest = (select(Plan.household_id, func.max(Plan.version).label("version"))
              .where(Plan.household_id.in_(household_ids)).group_by(Plan.household_id)
              .subquery())
    return latest, and_(Plan.household_id == latest.c.household_id,
                        Plan.version == latest.c.version)


def overdue_actions(session: Session, household_ids: list[str], today: date
                    ) -> dict[str, int]:
    """Open actions of each household's current plan whose date has passed."""
    latest, current = _latest(household_ids)
    return {h: n for h, n in session.execute(
        select(Plan.household_id, func.count(PlanAction.id))
        .join(latest, current)  # type: ignore[arg-type]
        .join(PlanAction, PlanAction.plan_id == Plan.id)
        .where(PlanAction.status == ActionStatus.OPEN, PlanAction.due < today)
        .group_by(Plan.household_id))}


def evaluations(session: Session, household_ids: list[str], until: date) -> dict[str, date]:
    """The next evaluation of each household's current plan, where it falls before `until`
    (or has passed)."""
    latest, current = _latest(household_ids)
    return {h: on for h, on in session.execute(
        select(Plan.household_id, Plan.next_evaluation)
        .join(latest, current)  # type: ignore[arg-type]
        .where(Plan.next_evaluation <= until))}
