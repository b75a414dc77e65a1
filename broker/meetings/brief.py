"""Part 2 of the meetings: the brief each attendee gets (assembled through the one door) and
consent given in the meeting by the family members present."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from broker.consent import service as consents
from broker.consent.models import Consent
from broker.consent.schemas import ConsentCreate, Evidence
from broker.errors import Conflict, Invalid
from broker.households import service as households
from broker.identity.principal import Principal
from broker.meetings.models import MeetingStatus
from broker.meetings.schemas import MeetingConsentCreate
from broker.meetings.service import MeetingView, meeting_view, require_organiser
from broker.observations import service as observations


@dataclass(frozen=True)
class Brief:
    meeting: MeetingView
    household: households.HouseholdView
    shown: list[observations.Shown]
    withheld: list[observations.Withheld]
    consents: list[consents.ConsentView]


def brief(session: Session, *, actor: Principal, meeting_id: str) -> Brief:
    """What this attendee may know before the meeting: the family as they may see it, the
    observations and contributions they may see (each an audited disclosure) with stubs for
    the rest, and the consents that name them."""
    view = meeting_view(session, actor=actor, meeting_id=meeting_id)
    household_id = view.meeting.household_id
    household = households.view_household(session, actor=actor, household_id=household_id)
    shown, withheld = observations.household_observations(session, actor=actor,
                                                          household_id=household_id)
    mine = consents.household_consents(session, actor=actor, household_id=household_id,
                                       naming_caller=True)
    return Brief(view, household, shown, withheld, mine)


def consent_in_meeting(session: Session, *, actor: Principal, meeting_id: str,
                       body: MeetingConsentCreate) -> Consent:
    """Family members present give consent on the spot: evidence `meeting`, the meeting's
    id on the consent, in force at once (a refreshed brief shows more)."""
    meeting = require_organiser(session, actor, meeting_id)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict("Consent is given in a scheduled meeting.", code="not_scheduled")
    invited = {i.member_id for i in meeting_view(session, actor=actor, meeting_id=meeting.id,
                                                 title=False).invitees if i.member_id}
    present = set(body.present_member_ids)
    if not present <= invited:
        raise Invalid("Only invited family members can be present.", code="not_invited")
    if not set(body.grantor_ids) <= present:
        raise Invalid("Everyone who gives consent in the meeting must be present.",
                      code="grantor_absent")
    fields = body.model_dump(exclude={"present_member_ids", "evidence"})
    return consents.grant_consent(
        session, actor=actor, meeting_id=meeting.id, body=ConsentCreate.model_validate(
            {**fields, "evidence": Evidence(method="meeting", reference=meeting.reference)}))
