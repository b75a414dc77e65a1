"""Network meetings, part 1: candidate slots, the availability poll, the best slot, and
invitations by e-mail with an iCalendar file; RSVPs and cancellation."""

import base64
import hashlib
import hmac
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.audit.recording import Action, Record, record
from broker.clock import local_day, now
from broker.db import new_id
from broker.disclosure.door import Names, disclose, unseal
from broker.disclosure.engine import BASIC_DATA
from broker.disclosure.facts import load_household
from broker.errors import BrokerError, Conflict, Forbidden, Invalid, NotFound
from broker.households import service as households
from broker.households.models import Member
from broker.identity.models import Organisation, Professional
from broker.identity.principal import Principal, PrincipalKind
from broker.identity.service import professional_principal
from broker.mail import service as mail
from broker.meetings import invitations
from broker.meetings.models import (
    Answer,
    Availability,
    CalendarFeed,
    Invitee,
    Meeting,
    MeetingSlot,
    MeetingStatus,
)
from broker.meetings.rules import InviteeFacts, SlotFacts, SlotScore, best_slot, ranked
from broker.meetings.schemas import AvailabilityIn, MeetingCreate, RsvpIn, ScheduleIn
from broker.plans.models import Plan
from broker.vault.service import existing_data_key, writable_key

LINK_DAYS = 14
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class LinkExpired(BrokerError):
    status, code, title = 410, "link_expired", "This personal link can no longer be used"


class SlotInPast(Invalid):
    code, title = "slot_in_past", "A proposed moment lies in the past"


class MeetingClosed(Conflict):
    """A held meeting is history: its poll, moment and invitations stay as they were."""

    code, title = "meeting_closed", "This meeting was held; it can no longer be changed"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _reference() -> str:
    return "NB-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


@dataclass(frozen=True)
class PollWarning:
    """`cannot_at_chosen` (a required invitee answered no for the chosen slot) or
    `declined` (a required invitee said they will not come)."""

    code: str
    invitee_id: str


@dataclass(frozen=True)
class MeetingView:
    meeting: Meeting
    title: str | None  # for the organiser only: it names the family
    slots: list[MeetingSlot]
    invitees: list[Invitee]
    answers: dict[tuple[str, str], Answer]
    ranking: list[SlotScore]
    warnings: list[PollWarning]
    links: dict[str, str] = field(default_factory=dict)  # invitee id -> personal link
    organiser_id: str | None = None  # the professional who organises it now

    @property
    def chosen(self) -> MeetingSlot | None:
        return next((s for s in self.slots if s.id == self.meeting.slot_id), None)

    @property
    def closed(self) -> bool:
        """Held or cancelled: read-only."""
        return self.meeting.status in (MeetingStatus.HELD, MeetingStatus.CANCELLED)

    def open_slots(self) -> list[MeetingSlot]:
        """The slots still ahead: the only ones that can be chosen."""
        return [s for s in self.slots if s.start > now()]


def create_meeting(session: Session, *, actor: Principal, body: MeetingCreate) -> MeetingView:
    """The household's regisseur proposes slots and invites professionals, organisations and
    family members; each family member gets a personal link (single use, expiring)."""
    facts = households.directed_facts(session, actor, body.household_id)
    _check_invitees(session, body, set(facts.members))
    if any(s.start <= now() for s in body.slots):
        raise SlotInPast("Propose moments that are still ahead.")
    sealed_title = writable_key(session, facts.household_id).seal("meeting-title", body.title)
    meeting = Meeting(household_id=facts.household_id, reference=_reference(),
                      title=sealed_title, location=body.location,
                      duration_minutes=body.duration_minutes,
                      organiser_id=actor.professional_id, organisation_id=actor.organisation_id,
                      status=MeetingStatus.POLLING, sequence=0)
    session.add(meeting)
    session.flush()
    for start in sorted({s.start for s in body.slots}):
        session.add(MeetingSlot(meeting_id=meeting.id, start=start))
    links = {}
    for wanted in body.invitees:
        invitee = Invitee(id=new_id(), meeting_id=meeting.id,
                          professional_id=wanted.professional_id,
                          organisation_id=wanted.organisation_id, member_id=wanted.member_id,
                          required=wanted.required)
        if wanted.member_id:
            invitee.link_expires_at = (now() + timedelta(days=LINK_DAYS)).replace(
                microsecond=0)
            token = _link_token(session, invitee)
            invitee.link_hash = _hash(token)
            links[invitee.id] = token
        session.add(invitee)
    session.flush()
    record(session, Record(Action.MEETING_CREATE, actor, object_type="meeting",
                           object_id=meeting.id))
    view = meeting_view(session, actor=actor, meeting_id=meeting.id)
    return MeetingView(**{**view.__dict__, "links": links})


def _link_token(session: Session, invitee: Invitee) -> str:
    """A family member's personal link, derived from the invitee and its expiry under the
    broker's secret: the poll reminder sends the same link the regisseur passed on, and
    only its hash is stored."""
    assert invitee.link_expires_at is not None
    secret = audit_context(session).keys.session_secret.encode()
    message = f"meeting-link|{invitee.id}|{int(invitee.link_expires_at.timestamp())}"
    digest = hmac.new(secret, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _open_link(session: Session, invitee: Invitee) -> str | None:
    """The invitee's personal link while it is unused and unexpired, else None."""
    if invitee.link_hash is None or invitee.link_used_at is not None \
            or invitee.link_expires_at is None or now() >= invitee.link_expires_at:
        return None
    token = _link_token(session, invitee)
    return token if hmac.compare_digest(_hash(token), invitee.link_hash) else None


def personal_links(session: Session, *, actor: Principal, meeting_id: str) -> dict[str, str]:
    """For the organiser: the family members' personal links still open, to pass on."""
    meeting = require_organiser(session, actor, meeting_id)
    found = {i.id: _open_link(session, i) for i in _invitees(session, meeting.id)
             if i.member_id}
    return {invitee_id: token for invitee_id, token in found.items() if token}


def _check_invitees(session: Session, body: MeetingCreate, members: set[str]) -> None:
    professionals = {i.professional_id for i in body.invitees if i.professional_id}
    organisations = {i.organisation_id for i in body.invitees if i.organisation_id}
    found = set(session.scalars(select(Professional.id).where(
        Professional.id.in_(professionals), Professional.active.is_(True))))
    if found != professionals:
        raise Invalid("An invited professional does not exist or is not active.",
                      code="unknown_invitee")
    if len(session.scalars(select(Organisation.id).where(
            Organisation.id.in_(organisations))).all()) != len(organisations):
        raise Invalid("An invited organisation does not exist.", code="unknown_invitee")
    if not {i.member_id for i in body.invitees if i.member_id} <= members:
        raise Invalid("Invite members of this family only.", code="unknown_invitee")


def _meeting(session: Session, meeting_id: str) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("No such meeting.")
    return meeting


def _invitees(session: Session, meeting_id: str) -> list[Invitee]:
    return list(session.scalars(select(Invitee).where(Invitee.meeting_id == meeting_id)
                                .order_by(Invitee.required.desc(), Invitee.id)))


def _own_invitee(invitees: list[Invitee], actor: Principal) -> Invitee | None:
    """The caller's own row: as the invited professional, else for their organisation."""
    mine = [i for i in invitees if actor.professional_id and
            i.professional_id == actor.professional_id]
    mine += [i for i in invitees if i.organisation_id == actor.organisation_id]
    return mine[0] if mine else None


def _organiser(session: Session, meeting: Meeting) -> str:
    """The household's current regisseur organises its meetings: after a hand-over the new
    regisseur takes them over, and the former one keeps nothing of them."""
    return households.current_regisseur(session, meeting.household_id).professional_id


def organises(session: Session, actor: Principal, meeting: Meeting) -> bool:
    return actor.professional_id is not None and \
        actor.professional_id == _organiser(session, meeting)


def reads_the_file(session: Session, actor: Principal, meeting: Meeting) -> bool:
    """May the caller open the household's file now? The brief, the minutes and the family's
    page need it; an invitee whose involvement ended with the meeting no longer does."""
    facts = load_household(session, household_id=meeting.household_id)
    return facts is not None and facts.involves(actor, now())


def meeting_view(session: Session, *, actor: Principal, meeting_id: str,
                 title: bool = True) -> MeetingView:
    """For the organiser and the invitees; 404 for everyone else. Without `title`, the
    organiser's view too goes without the title (and the title's disclosure is not made)."""
    meeting = _meeting(session, meeting_id)
    invitees = _invitees(session, meeting.id)
    organiser = organises(session, actor, meeting)
    if not organiser and _own_invitee(invitees, actor) is None:
        raise NotFound("No such meeting.")
    slots = list(session.scalars(select(MeetingSlot).where(MeetingSlot.meeting_id == meeting.id)
                                 .order_by(MeetingSlot.start)))
    answers = {(a.invitee_id, a.slot_id): Answer(a.answer) for a in session.scalars(
        select(Availability).where(Availability.invitee_id.in_([i.id for i in invitees])))}
    organiser_id = _organiser(session, meeting)
    ranking = ranked([SlotFacts(s.id, s.start) for s in slots],
                     _facts(invitees, organiser_id), answers)
    return MeetingView(meeting, _title(session, actor, meeting) if organiser and title else None,
                       slots, invitees, answers, ranking,
                       _warnings(meeting, invitees, answers), organiser_id=organiser_id)


def _title(session: Session, actor: Principal, meeting: Meeting) -> str | None:
    """The meeting's title names the family: the organiser reads it through the door, as the
    organising organisation's own record (category basisgegevens), recorded."""
    facts = load_household(session, household_id=meeting.household_id)
    assert facts is not None, "a meeting belongs to a household"
    decision = disclose(session, actor=actor, facts=facts.about_the_children(),
                        category=BASIC_DATA, purpose="hulpverlening",
                        submitted_by_organisation_id=meeting.organisation_id,
                        object_type="meeting", object_id=meeting.id)
    return unseal(decision, existing_data_key(session, meeting.household_id), "meeting-title",
                  meeting.title) if decision.permitted else None


def _facts(invitees: list[Invitee], organiser_id: str | None) -> list[InviteeFacts]:
    """The organiser, invited in person, proposed the slots: available unless they answer."""
    return [InviteeFacts(i.id, i.required, i.member_id is not None,
                         organiser=organiser_id is not None
                         and i.professional_id == organiser_id) for i in invitees]


def _warnings(meeting: Meeting, invitees: list[Invitee],
              answers: dict[tuple[str, str], Answer]) -> list[PollWarning]:
    warnings = []
    for invitee in invitees:
        if not invitee.required:
            continue
        if meeting.slot_id and answers.get((invitee.id, meeting.slot_id)) is Answer.NO:
            warnings.append(PollWarning("cannot_at_chosen", invitee.id))
        if invitee.rsvp == "declined":
            warnings.append(PollWarning("declined", invitee.id))
    return warnings


def record_availability(session: Session, *, actor: Principal, meeting_id: str,
                        body: AvailabilityIn) -> MeetingView:
    """An invitee marks slots; the regisseur may answer for a family member. Nobody changes
    another invitee's answers."""
    meeting = _meeting(session, meeting_id)
    invitees = _invitees(session, meeting.id)
    organiser = organises(session, actor, meeting)
    if body.on_behalf_of_member_id is not None:
        if not organiser:
            raise Forbidden("Only the regisseur answers for a family member.",
                            code="not_your_answers")
        invitee = next((i for i in invitees if i.member_id == body.on_behalf_of_member_id),
                       None)
        if invitee is None:
            raise Invalid("This family member is not invited.", code="unknown_invitee")
    else:
        own = _own_invitee(invitees, actor)
        if own is None:
            raise NotFound("No such meeting.") if not organiser else \
                Forbidden("The regisseur answers only for family members.",
                          code="not_your_answers")
        invitee = own
    _answer(session, meeting, invitee, body, by=actor.actor_id)
    record(session, Record(Action.MEETING_ANSWER, actor, object_type="meeting",
                           object_id=meeting.id))
    return meeting_view(session, actor=actor, meeting_id=meeting.id)


def _linked_invitee(session: Session, token: str) -> Invitee:
    """The invitee behind a personal link, while it is unused and unexpired."""
    invitee = session.scalar(select(Invitee).where(Invitee.link_hash == _hash(token)))
    if invitee is None:
        raise NotFound("No such invitation.")
    if invitee.link_used_at is not None or invitee.link_expires_at is None \
            or now() >= invitee.link_expires_at:
        raise LinkExpired("This link was used or has expired; ask the regisseur for a new "
                          "one.")
    return invitee


def answer_by_link(session: Session, *, token: str, body: AvailabilityIn) -> Meeting:
    """A family member answers through their personal link: no account, once, before it
    expires."""
    invitee = _linked_invitee(session, token)
    if body.on_behalf_of_member_id is not None:
        raise Forbidden("A personal link answers for its own invitee.",
                        code="not_your_answers")
    meeting = _meeting(session, invitee.meeting_id)
    _answer(session, meeting, invitee, body, by="link")
    invitee.link_used_at = now()
    session.flush()
    record(session, Record(Action.MEETING_ANSWER, None, role="gezinslid",
                           object_type="meeting", object_id=meeting.id))
    return meeting


def link_invitation(session: Session, *, token: str) -> tuple[Meeting, list[MeetingSlot]]:
    """What the personal link's page shows: the reference and the slots (no names)."""
    invitee = _linked_invitee(session, token)
    meeting = _meeting(session, invitee.meeting_id)
    return meeting, list(session.scalars(select(MeetingSlot).where(
        MeetingSlot.meeting_id == meeting.id).order_by(MeetingSlot.start)))


def _require_open(meeting: Meeting) -> None:
    """Held and cancelled meetings are read-only."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict("This meeting was cancelled.", code="meeting_cancelled")
    if meeting.status == MeetingStatus.HELD:
        raise MeetingClosed()


def _answer(session: Session, meeting: Meeting, invitee: Invitee, body: AvailabilityIn, *,
            by: str) -> None:
    _require_open(meeting)
    slots = set(session.scalars(select(MeetingSlot.id).where(
        MeetingSlot.meeting_id == meeting.id)))
    if not {a.slot_id for a in body.answers} <= slots:
        raise Invalid("Answer for this meeting's slots only.", code="unknown_slot")
    existing = {a.slot_id: a for a in session.scalars(select(Availability).where(
        Availability.invitee_id == invitee.id))}
    for given in body.answers:
        row = existing.get(given.slot_id)
        if row is None:
            session.add(Availability(invitee_id=invitee.id, slot_id=given.slot_id,
                                     answer=given.answer.value, answered_by=by))
        else:
            row.answer, row.answered_by, row.answered_at = given.answer.value, by, now()
    session.flush()


def require_organiser(session: Session, actor: Principal, meeting_id: str) -> Meeting:
    meeting = _meeting(session, meeting_id)
    if not organises(session, actor, meeting):
        invitees = _invitees(session, meeting.id)
        if _own_invitee(invitees, actor) is None:
            raise NotFound("No such meeting.")
        raise Forbidden("Only the regisseur who organises the meeting does this.",
                        code="not_organiser")
    return meeting


def schedule_meeting(session: Session, *, actor: Principal, meeting_id: str,
                     body: ScheduleIn) -> MeetingView:
    """Fix a slot (the best one when none is given) and send the invitations; a later change
    of slot or location is sent again with the next SEQUENCE."""
    meeting = require_organiser(session, actor, meeting_id)
    _require_open(meeting)
    view = meeting_view(session, actor=actor, meeting_id=meeting.id, title=False)
    ahead = view.open_slots()
    if body.slot_id is None:
        best = best_slot([SlotFacts(s.id, s.start) for s in ahead],
                         _facts(view.invitees, view.organiser_id), view.answers)
        if best is None:
            raise Conflict("No slot suits every required invitee; choose one yourself.",
                           code="no_common_slot")
        slot_id = best.slot.id
    elif body.slot_id in {s.id for s in ahead}:
        slot_id = body.slot_id
    elif body.slot_id in {s.id for s in view.slots}:
        raise SlotInPast("This moment has passed; choose one still ahead.")
    else:
        raise Invalid("Choose one of this meeting's slots.", code="unknown_slot")
    location = body.location or meeting.location
    if meeting.status == MeetingStatus.SCHEDULED:
        if (slot_id, location) == (meeting.slot_id, meeting.location):
            return meeting_view(session, actor=actor, meeting_id=meeting.id)
        meeting.sequence += 1
    meeting.slot_id, meeting.location = slot_id, location
    meeting.status = MeetingStatus.SCHEDULED
    session.flush()
    _send(session, meeting)
    record(session, Record(Action.MEETING_SCHEDULE, actor, object_type="meeting",
                           object_id=meeting.id))
    return meeting_view(session, actor=actor, meeting_id=meeting.id)


def cancel_meeting(session: Session, *, actor: Principal, meeting_id: str) -> MeetingView:
    meeting = require_organiser(session, actor, meeting_id)
    _require_open(meeting)
    was_scheduled = meeting.status == MeetingStatus.SCHEDULED
    meeting.status = MeetingStatus.CANCELLED
    if was_scheduled:
        meeting.sequence += 1
        session.flush()
        _send(session, meeting, cancelled=True)
    session.flush()
    record(session, Record(Action.MEETING_CANCEL, actor, object_type="meeting",
                           object_id=meeting.id))
    return meeting_view(session, actor=actor, meeting_id=meeting.id)


def rsvp(session: Session, *, actor: Principal, meeting_id: str, body: RsvpIn) -> MeetingView:
    meeting = _meeting(session, meeting_id)
    _set_rsvp(session, meeting, actor, body.response.value)
    return meeting_view(session, actor=actor, meeting_id=meeting.id)


def _set_rsvp(session: Session, meeting: Meeting, actor: Principal, answer: str, *,
              via: str | None = None) -> None:
    invitee = _own_invitee(_invitees(session, meeting.id), actor)
    if invitee is None:
        raise NotFound("No such meeting.")
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict("Answer once the meeting is scheduled.", code="not_scheduled")
    invitee.rsvp = answer
    session.flush()
    record(session, Record(Action.MEETING_ANSWER, actor, object_type="meeting",
                           object_id=meeting.id, role=via))


CALENDAR_ANSWERS = {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentative"}


def answer_from_calendar(session: Session, raw: bytes) -> str:
    """A professional's answer from their own calendar: an iTIP REPLY that came to the
    broker's mailbox. It counts only when it was sent to the reply address in that
    professional's copy of the invitation (a From line proves nothing); the outcome, for the
    log: applied, not_a_reply, not_theirs, unknown or closed."""
    reply = invitations.read_reply(raw)
    if reply is None or reply.partstat not in CALENDAR_ANSWERS:
        return "not_a_reply"
    meeting = session.get(Meeting, reply.uid.removesuffix("@broker"))
    if meeting is None or _reply_address(session, meeting, reply.attendee) not in reply.sent_to:
        return "not_theirs"
    professional = session.scalars(select(Professional).where(
        func.lower(Professional.email) == reply.attendee,
        Professional.active.is_(True))).first()
    organisation = session.get(Organisation, professional.organisation_id) \
        if professional else None
    if professional is None or organisation is None:
        return "unknown"
    actor = professional_principal(session, organisation, professional)
    try:
        _set_rsvp(session, meeting, actor, CALENDAR_ANSWERS[reply.partstat], via="calendar")
    except (NotFound, Conflict):
        return "closed"
    return "applied"


def _reply_address(session: Session, meeting: Meeting, email: str) -> str:
    context = audit_context(session)
    return invitations.reply_address(context.settings.smtp_sender, context.keys.reply_key,
                                     f"{meeting.id}@broker", email)


def meeting_calendar(session: Session, *, actor: Principal, meeting_id: str
                     ) -> tuple[bytes, str]:
    """The invitation as iCalendar and its media type, which names the iTIP method."""
    view = meeting_view(session, actor=actor, meeting_id=meeting_id, title=False)
    if view.meeting.slot_id is None:
        raise Conflict("This meeting has no fixed time yet.", code="not_scheduled")
    invitation = _invitation(session, view.meeting,
                             view.meeting.status == MeetingStatus.CANCELLED)
    me = session.get(Professional, actor.professional_id) if actor.professional_id else None
    mine = next((a for a in invitation.attendees  # their copy: answers come back as theirs
                 if me is not None and a.email.lower() == me.email.lower()), None)
    return (invitations.calendar(invitation, to=mine),
            f"text/calendar; charset=utf-8; method={invitations.method(invitation)}")


def _invitation(session: Session, meeting: Meeting, cancelled: bool) -> invitations.Invitation:
    settings = audit_context(session).settings
    slot = session.get(MeetingSlot, meeting.slot_id)
    organiser = session.get(Professional, _organiser(session, meeting))
    assert slot is not None and organiser is not None
    attendees = _attendees(session, meeting)
    return invitations.Invitation(
        uid=f"{meeting.id}@broker", reference=meeting.reference, sequence=meeting.sequence,
        start=slot.start, minutes=meeting.duration_minutes, location=meeting.location,
        link=f"{settings.base_url}/bijeenkomsten/{meeting.id}",
        organiser=invitations.Attendee(settings.smtp_sender, organiser.name, True, "accepted"),
        attendees=attendees, cancelled=cancelled,
        replies={a.email: _reply_address(session, meeting, a.email)
                 for a in attendees if not a.family})


def _attendees(session: Session, meeting: Meeting, *, exclude: set[str] | None = None
               ) -> list[invitations.Attendee]:
    """Everyone with an e-mail address: invited professionals, the active professionals of
    invited organisations, family members who gave one (marked `family`, no names for them:
    a calendar file names them only in their own copy). A person invited both in person and
    through their organisation appears once, required if either invitation is, with the
    answer they gave themselves."""
    attendees: dict[str, invitations.Attendee] = {}
    by_org: dict[str, list[Professional]] = defaultdict(list)
    invitees = [i for i in _invitees(session, meeting.id) if i.id not in (exclude or set())]
    orgs = [i.organisation_id for i in invitees if i.organisation_id]
    for person in session.scalars(select(Professional).where(
            Professional.organisation_id.in_(orgs), Professional.active.is_(True))):
        by_org[person.organisation_id].append(person)
    # organisations first, so a personal invitation's answer is the one that stays
    for invitee in sorted(invitees, key=lambda i: i.organisation_id is None):
        if invitee.professional_id:
            found = session.get(Professional, invitee.professional_id)
            people = [found] if found else []
        elif invitee.organisation_id:
            people = by_org[invitee.organisation_id]
        else:
            member = session.get(Member, invitee.member_id)
            if member is not None and member.email:
                attendees[member.email] = invitations.Attendee(
                    member.email, None, invitee.required, invitee.rsvp, family=True)
            continue
        for person in people:
            earlier = attendees.get(person.email)
            attendees[person.email] = invitations.Attendee(
                person.email, person.name,
                invitee.required or (earlier is not None and earlier.required),
                invitee.rsvp if invitee.rsvp or earlier is None else earlier.rsvp)
    return list(attendees.values())


def _send(session: Session, meeting: Meeting, *, cancelled: bool = False) -> None:
    """The invitations (or cancellations) into the outbox: sent once this transaction
    commits, never for a meeting that was not saved."""
    mail.enqueue(session, invitations.messages(audit_context(session).settings,
                                               _invitation(session, meeting, cancelled)),
                 kind="invitation")
    record(session, Record(Action.MEETING_INVITE, None, object_type="meeting",
                           object_id=meeting.id, role="cancel" if cancelled else "request"))


def meetings_of(session: Session, *, actor: Principal) -> list[Meeting]:
    """Meetings the caller organises or is invited to (in person or as organisation)."""
    invited = select(Invitee.meeting_id).where(
        (Invitee.organisation_id == actor.organisation_id)
        | (Invitee.professional_id == actor.professional_id))
    directed = households.directed_by(professional_id=actor.professional_id or "")
    return list(session.scalars(select(Meeting).where(
        Meeting.household_id.in_(directed) | Meeting.id.in_(invited))
        .order_by(Meeting.created_at.desc())))


def chosen_moments(session: Session, meetings: list[Meeting]) -> dict[str, datetime]:
    """The chosen slot's start per meeting that has one."""
    slots = {m.slot_id: m.id for m in meetings if m.slot_id}
    return {slots[s.id]: s.start for s in session.scalars(
        select(MeetingSlot).where(MeetingSlot.id.in_(slots)))}


def own_invitee_id(view: MeetingView, actor: Principal) -> str | None:
    own = _own_invitee(view.invitees, actor)
    return own.id if own else None


@dataclass(frozen=True)
class InviteeName:
    """How pages name an invitee: `name` where this reader may see it, else None and the
    family member's `role` (parent, child, other) for a page to word."""

    name: str | None
    role: str | None = None


def invitee_names(session: Session, actor: Principal, view: MeetingView
                  ) -> dict[str, InviteeName]:
    """Professionals and organisations by name; family members by short name where the door
    lets this reader see their basic data (recorded), otherwise by their role only."""
    invited = any(i.member_id for i in view.invitees)
    facts = load_household(session, household_id=view.meeting.household_id) if invited else None
    family = Names(session, actor=actor, household=facts, purpose="hulpverlening").get() \
        if facts else {}
    names = {}
    for invitee in view.invitees:
        if invitee.professional_id:
            person = session.get(Professional, invitee.professional_id)
            names[invitee.id] = InviteeName(person.name if person else None)
        elif invitee.organisation_id:
            org = session.get(Organisation, invitee.organisation_id)
            names[invitee.id] = InviteeName(org.name if org else None)
        else:
            member = facts.members.get(invitee.member_id or "") if facts else None
            names[invitee.id] = InviteeName(family.get(invitee.member_id or ""),
                                            member.role if member else "other")
    return names


def new_calendar_feed(session: Session, *, actor: Principal) -> str:
    """A new personal feed token for the caller (the old one stops working); shown once."""
    if actor.professional_id is None:
        raise Forbidden("A calendar feed belongs to a professional.", code="not_a_professional")
    token = secrets.token_urlsafe(32)
    feed = session.get(CalendarFeed, actor.professional_id)
    if feed is None:
        session.add(CalendarFeed(professional_id=actor.professional_id, token_hash=_hash(token)))
    else:
        feed.token_hash, feed.created_at = _hash(token), now()
    session.flush()
    return token


def revoke_calendar_feed(session: Session, *, actor: Principal) -> None:
    feed = session.get(CalendarFeed, actor.professional_id) if actor.professional_id else None
    if feed is None:
        raise NotFound("No calendar feed.")
    session.delete(feed)
    session.flush()


def calendar_feed(session: Session, *, token: str) -> bytes:
    """The feed behind `/calendar/{token}.ics`: the scheduled (and cancelled) meetings the
    professional organises or is invited to."""
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token)))
    person = session.get(Professional, feed.professional_id) if feed else None
    if feed is None or person is None or not person.active:
        raise NotFound("No such calendar.")
    actor = Principal(kind=PrincipalKind.PROFESSIONAL, organisation_id=person.organisation_id,
                      party="", roles=frozenset(person.roles), professional_id=person.id)
    meetings = [m for m in meetings_of(session, actor=actor) if m.slot_id is not None]
    return invitations.feed([_invitation(session, m, m.status == MeetingStatus.CANCELLED)
                             for m in meetings])


def send_reminders(session: Session) -> tuple[int, int]:
    """Remind invitees who have not answered a poll (once, a day after it opened), and
    everyone the day before a scheduled meeting (once), through the outbox; a meeting is
    marked reminded in the same transaction, and rows another runner holds are skipped, so
    no reminder goes twice. Returns both counts."""
    settings = audit_context(session).settings
    at = now()
    polls = days = 0
    for meeting in session.scalars(select(Meeting).where(
            Meeting.status == MeetingStatus.POLLING, Meeting.poll_reminded_at.is_(None),
            Meeting.created_at <= at - timedelta(days=1)).with_for_update(skip_locked=True)):
        answered = set(session.scalars(select(Availability.invitee_id).join(
            Invitee, Invitee.id == Availability.invitee_id)
            .where(Invitee.meeting_id == meeting.id)))
        family = {i.id for i in _invitees(session, meeting.id) if i.member_id}
        silent = [a.email for a in _attendees(session, meeting, exclude=answered | family)]
        polls += _remind(session, silent, meeting, kind="poll",
                         link=f"{settings.base_url}/bijeenkomsten/{meeting.id}")
        polls += _remind_family(session, meeting, exclude=answered)
        meeting.poll_reminded_at = at
    for meeting in session.scalars(select(Meeting).join(
            MeetingSlot, MeetingSlot.id == Meeting.slot_id).where(
            Meeting.status == MeetingStatus.SCHEDULED, Meeting.day_before_reminded_at.is_(None),
            MeetingSlot.start > at, MeetingSlot.start <= at + timedelta(days=1))
            .with_for_update(of=Meeting, skip_locked=True)):
        everyone = _attendees(session, meeting)
        days += _remind(session, [a.email for a in everyone if not a.family], meeting,
                        kind="day_before",
                        link=f"{settings.base_url}/bijeenkomsten/{meeting.id}")
        days += _remind(session, [a.email for a in everyone if a.family], meeting,
                        kind="day_before_family", link=None)
        meeting.day_before_reminded_at = at
    session.flush()
    return polls, days


def _remind(session: Session, to: list[str], meeting: Meeting, *, kind: str,
            link: str | None) -> int:
    return mail.enqueue(session, invitations.reminders(
        audit_context(session).settings, to, reference=meeting.reference, kind=kind,
        link=link), kind="reminder")


def _remind_family(session: Session, meeting: Meeting, *, exclude: set[str]) -> int:
    """A family member who has not answered gets their own personal link (the one the
    regisseur passed on), never the professionals' login page; without an open link, a
    note to contact the regisseur."""
    settings = audit_context(session).settings
    sent = 0
    for invitee in _invitees(session, meeting.id):
        member = session.get(Member, invitee.member_id) if invitee.member_id else None
        if member is None or not member.email or invitee.id in exclude:
            continue
        token = _open_link(session, invitee)
        sent += _remind(session, [member.email], meeting,
                        kind="poll_family" if token else "poll_family_no_link",
                        link=f"{settings.base_url}/uitnodiging/{token}" if token else None)
    return sent


@dataclass(frozen=True)
class Draft:
    """The evaluation meeting the last plan asks for, as a prefilled create form."""

    on: date
    organisation_ids: set[str]
    member_ids: set[str]
    required: set[str]  # "org:<id>" / "member:<id>"


def evaluation_draft(session: Session, *, actor: Principal, household_id: str) -> Draft | None:
    plan = session.scalar(select(Plan).where(Plan.household_id == household_id)
                          .order_by(Plan.version.desc()).limit(1))
    if plan is None or plan.next_evaluation < local_day(now()):
        return None
    invitees = _invitees(session, plan.meeting_id)
    return Draft(plan.next_evaluation,
                 {i.organisation_id for i in invitees if i.organisation_id},
                 {i.member_id for i in invitees if i.member_id},
                 {f"org:{i.organisation_id}" if i.organisation_id else f"member:{i.member_id}"
                  for i in invitees if i.required and (i.organisation_id or i.member_id)})
