"""Consents to ask again, per household (for the regisseur's start page)."""

from sqlalchemy.orm import Session

from broker.consent.service import reconsent_due


def reconsent_counts(session: Session, household_ids: list[str]) -> dict[str, int]:
    """How many active consents of each household must be asked again (a child turned 12
    or 16, custody changed): only households with any."""
    counts = {h: len(reconsent_due(session, h)) for h in household_ids}
    return {h: n for h, n in counts.items() if n}
