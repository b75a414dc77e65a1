"""Meeting routes (contract v1), part 1: create, poll, schedule, RSVP, cancel, iCalendar."""

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from broker.consent import service as consent_service
from broker.consent.schemas import ConsentRead, consent_read
from broker.db import DbSession
from broker.households.deps import Regisseur
from broker.households.schemas import household_read
from broker.identity.deps import ApiPrincipal
from broker.meetings import brief, service
from broker.meetings.schemas import (
    AvailabilityIn,
    BriefRead,
    InviteeRead,
    MeetingConsentCreate,
    MeetingCreate,
    MeetingRead,
    RsvpIn,
    ScheduleIn,
    SlotRead,
    SlotScoreRead,
)
from broker.observations.schemas import ObservationList, item_read, stub_read

router = APIRouter(tags=["meetings"])


@router.post("/meetings", status_code=201, summary="Create a meeting with candidate slots and "
             "invitees (family members get a personal link, shown once)")
def create(body: MeetingCreate, session: DbSession, actor: Regisseur) -> MeetingRead:
    return meeting_read(service.create_meeting(session, actor=actor, body=body))


@router.get("/meetings/{meeting_id}", summary="The meeting, its poll and the slot ranking")
def get(meeting_id: str, session: DbSession, actor: ApiPrincipal) -> MeetingRead:
    return meeting_read(service.meeting_view(session, actor=actor, meeting_id=meeting_id))


@router.post("/meetings/{meeting_id}/availability", summary="Mark slots yes / if need be / no")
def availability(meeting_id: str, body: AvailabilityIn, session: DbSession,
                 actor: ApiPrincipal) -> MeetingRead:
    return meeting_read(service.record_availability(session, actor=actor,
                                                    meeting_id=meeting_id, body=body))


@router.post("/invitations/{token}/availability", status_code=204,
             summary="A family member answers through their personal link (no account)")
def availability_by_link(token: str, body: AvailabilityIn, session: DbSession) -> Response:
    service.answer_by_link(session, token=token, body=body)
    return Response(status_code=204)


@router.post("/meetings/{meeting_id}/schedule", summary="Fix a slot (the best when none is "
             "given) and send the invitations")
def schedule(meeting_id: str, body: ScheduleIn, session: DbSession, actor: ApiPrincipal
             ) -> MeetingRead:
    return meeting_read(service.schedule_meeting(session, actor=actor, meeting_id=meeting_id,
                                                 body=body))


@router.post("/meetings/{meeting_id}/rsvp", summary="Accepted / declined / tentative")
def rsvp(meeting_id: str, body: RsvpIn, session: DbSession, actor: ApiPrincipal
         ) -> MeetingRead:
    return meeting_read(service.rsvp(session, actor=actor, meeting_id=meeting_id, body=body))


@router.post("/meetings/{meeting_id}/cancel", summary="Cancel; sends METHOD:CANCEL")
def cancel(meeting_id: str, session: DbSession, actor: ApiPrincipal) -> MeetingRead:
    return meeting_read(service.cancel_meeting(session, actor=actor, meeting_id=meeting_id))


@router.get("/meetings/{meeting_id}/ics", summary="The invitation as iCalendar",
            response_class=Response)
def ics(meeting_id: str, session: DbSession, actor: ApiPrincipal) -> Response:
    body, media_type = service.meeting_calendar(session, actor=actor, meeting_id=meeting_id)
    return Response(body, media_type=media_type)


@router.get("/meetings/{meeting_id}/brief", summary="What this attendee may know, assembled "
            "through the one door")
def get_brief(meeting_id: str, session: DbSession, actor: ApiPrincipal) -> BriefRead:
    found = brief.brief(session, actor=actor, meeting_id=meeting_id)
    return BriefRead(
        meeting_id=found.meeting.meeting.id, reference=found.meeting.meeting.reference,
        household=household_read(found.household),
        observations=ObservationList(items=[item_read(s) for s in found.shown],
                                     withheld=[stub_read(w) for w in found.withheld]),
        consents=[consent_read(v) for v in found.consents])


@router.post("/meetings/{meeting_id}/consents", status_code=201,
             summary="Consent given in the meeting by family members present")
def meeting_consent(meeting_id: str, body: MeetingConsentCreate, session: DbSession,
                    actor: ApiPrincipal) -> ConsentRead:
    consent = brief.consent_in_meeting(session, actor=actor, meeting_id=meeting_id, body=body)
    return consent_read(consent_service.consent_view(session, actor=actor,
                                                     consent_id=consent.id))


def meeting_read(view: service.MeetingView) -> MeetingRead:
    meeting = view.meeting
    length = timedelta(minutes=meeting.duration_minutes)
    return MeetingRead(
        id=meeting.id, household_id=meeting.household_id, reference=meeting.reference,
        title=view.title, location=meeting.location, duration_minutes=meeting.duration_minutes,
        status=meeting.status, sequence=meeting.sequence, slot_id=meeting.slot_id,
        slots=[SlotRead(id=s.id, start=s.start, end=s.start + length) for s in view.slots],
        invitees=[InviteeRead(
            id=i.id, professional_id=i.professional_id, organisation_id=i.organisation_id,
            member_id=i.member_id, required=i.required, rsvp=i.rsvp,
            answers={slot: answer.value for (who, slot), answer in view.answers.items()
                     if who == i.id},
            personal_link=view.links.get(i.id)) for i in view.invitees],
        ranking=[SlotScoreRead(slot_id=r.slot.id, all_required=r.all_required,
                               compromise=r.compromise, yes=r.yes, if_need_be=r.if_need_be,
                               unavailable_required=list(r.unavailable_required))
                 for r in view.ranking],
        warnings=[WARNINGS[w.code].format(who=_who(view, w.invitee_id))
                  for w in view.warnings])


WARNINGS = {"cannot_at_chosen": "Een verplichte genodigde ({who}) kan niet op het gekozen "
                                "moment.",
            "declined": "Een verplichte genodigde ({who}) heeft afgezegd."}


def _who(view: service.MeetingView, invitee_id: str) -> str:
    invitee = next(i for i in view.invitees if i.id == invitee_id)
    return "gezinslid" if invitee.member_id else (
        "organisatie" if invitee.organisation_id else "professional")


@router.post("/calendar/feed", status_code=201, summary="A new personal calendar feed link "
             "(the previous one stops working)")
def new_feed(session: DbSession, actor: ApiPrincipal, request: Request) -> dict[str, str]:
    token = service.new_calendar_feed(session, actor=actor)
    return {"url": f"{request.app.state.settings.base_url}/calendar/{token}.ics"}


@router.delete("/calendar/feed", status_code=204, summary="Revoke the personal calendar feed")
def revoke_feed(session: DbSession, actor: ApiPrincipal) -> Response:
    service.revoke_calendar_feed(session, actor=actor)
    return Response(status_code=204)


feed_router = APIRouter(include_in_schema=False)


@feed_router.get("/calendar/{token}.ics")
def feed(token: str, session: DbSession) -> Response:
    return Response(service.calendar_feed(session, token=token),
                    media_type="text/calendar; charset=utf-8")
