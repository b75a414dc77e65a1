"""Synthetic families for the HTTP benchmarks."""

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from broker.clock import local_day, now
from broker.consent.schemas import ConsentCreate
from broker.consent.service import grant_consent
from broker.households.schemas import HouseholdCreate
from broker.households.service import create_household, members_of
from broker.identity.principal import Principal


def nine_years_ago() -> date:
    """A birth date that keeps a child under 12, whose mother alone consents, on any day."""
    return local_day(now()) - timedelta(days=9 * 365)


def mother_and_child(session: Session, *, actor: Principal, label: str,
                     recipient: dict[str, Any]) -> tuple[str, str]:
    """A mother and her child, and her consent to share the child's schooling with
    `recipient`; the household's and the child's ids."""
    household = create_household(session, actor=actor, body=HouseholdCreate(
        label=label, members=[
            {"ref": "m", "given_name": "A", "family_name": "B", "birth_date": "1985-01-01",
             "role": "parent"},
            {"ref": "c", "given_name": "C", "family_name": "B", "birth_date": nine_years_ago(),
             "role": "child"}],
        custody=[{"custodian": "m", "child": "c"}]))
    members = {m.ref: m.id for m in members_of(session, household.id)}
    grant_consent(session, actor=actor, body=ConsentCreate(
        subject_id=members["c"], categories=["onderwijs"], recipients=[recipient],
        purposes=["hulpverlening"], grantor_ids=[members["m"]],
        evidence={"method": "written"}))
    return household.id, members["c"]
