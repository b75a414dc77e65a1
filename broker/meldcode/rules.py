"""The meldcode's rules, pure: when an override is in force, and what the afwegingskader
requires (Besluit verplichte meldcode, afwegingskader 2019)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from broker.meldcode.models import OverrideEventKind, StepDecision

QUESTIONS = ("vermoeden", "acuut_of_structureel_onveilig", "hulp_mogelijk",
             "hulp_geaccepteerd", "hulp_leidt_tot_veiligheid")


class OverrideStatus(StrEnum):
    PENDING = "pending"  # awaiting a second professional (four eyes)
    ACTIVE = "active"
    REVOKED = "revoked"
    EXPIRED = "expired"
    LAPSED = "lapsed"  # urgent, and not reviewed in time


@dataclass(frozen=True)
class OverrideTimes:
    urgent: bool
    created_at: datetime
    valid_until: datetime
    review_due: datetime | None
    events: Mapping[str, datetime]  # OverrideEventKind -> when


def in_force(times: OverrideTimes) -> tuple[datetime, datetime] | None:
    """From when until when the override permits: an approved one from its approval, an urgent
    one at once but only until its review deadline unless reviewed, ended by a revocation."""
    approved = times.events.get(OverrideEventKind.APPROVE)
    if not times.urgent and approved is None:
        return None
    start = times.created_at if times.urgent else approved
    assert start is not None
    end = times.valid_until
    if times.urgent and approved is None and times.review_due is not None:
        end = min(end, times.review_due)
    revoked = times.events.get(OverrideEventKind.REVOKE)
    if revoked is not None:
        end = min(end, revoked)
    return start, end


def status(times: OverrideTimes, at: datetime) -> OverrideStatus:
    if OverrideEventKind.REVOKE in times.events:
        return OverrideStatus.REVOKED
    if at >= times.valid_until:
        return OverrideStatus.EXPIRED
    approved = OverrideEventKind.APPROVE in times.events
    if times.urgent and not approved and times.review_due is not None \
            and at >= times.review_due:
        return OverrideStatus.LAPSED
    return OverrideStatus.ACTIVE if approved or times.urgent else OverrideStatus.PENDING


def reporting_required(answers: Mapping[str, bool | None]) -> str | None:
    """Why the afwegingskader requires a report to Veilig Thuis, or None: acute or structural
    unsafety, or help that is not possible, not accepted or not leading to safety."""
    if not answers.get("vermoeden"):
        return None
    if answers.get("acuut_of_structureel_onveilig"):
        return ("Er is sprake van acute of structurele onveiligheid: melden bij Veilig Thuis "
                "is nodig.")
    for question, why in (("hulp_mogelijk", "u kunt zelf geen passende hulp bieden"),
                          ("hulp_geaccepteerd", "de betrokkenen aanvaarden de hulp niet"),
                          ("hulp_leidt_tot_veiligheid", "de hulp leidt niet tot veiligheid")):
        if answers.get(question) is False:
            return f"Volgens het afwegingskader moet u melden: {why}."
    return None


def decision_allowed(answers: Mapping[str, bool | None], decision: StepDecision) -> str | None:
    """A Dutch explanation when step 5's decision contradicts step 4's answers."""
    why = reporting_required(answers)
    if why and decision not in (StepDecision.MELDEN, StepDecision.MELDEN_EN_HULP):
        return why + " Kies 'melden' of 'melden en hulp organiseren'."
    return None
