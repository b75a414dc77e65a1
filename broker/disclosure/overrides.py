"""When an override of professional secrecy is in force, and its status: pure rules the
decision engine and the meldcode share."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from broker.meldcode.models import OverrideEventKind


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
