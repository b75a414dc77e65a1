"""A household's readable reference, 'HH-2026-014': the year it was registered and its number
within that year. It names nobody, so it may be shown where the family's names may not (the
team lead's dashboard, a partner's start page)."""

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.households.models import Household


def household_references(session: Session, household_ids: list[str]) -> dict[str, str]:
    """The reference of each household: numbered in the order households were registered
    in their year (so it stays the same as others are added)."""
    if not household_ids:
        return {}
    wanted = set(household_ids)
    years = {moment.year for moment in session.scalars(
        select(Household.created_at).where(Household.id.in_(wanted)))}
    references, counters = {}, dict.fromkeys(years, 0)
    since = datetime(min(years), 1, 1, tzinfo=UTC)
    for household_id, created in session.execute(
            select(Household.id, Household.created_at).where(Household.created_at >= since)
            .order_by(Household.created_at, Household.id)):
        if created.year not in counters:
            continue
        counters[created.year] += 1
        if household_id in wanted:
            references[household_id] = f"HH-{created.year}-{counters[created.year]:03d}"
    return references
