"""Issue 22 acceptance 2: an answer given in the invitee's own calendar (an iTIP REPLY made by
vobject, another library than the broker's) reaches the broker's mailbox on a real IMAP
server (dovecot) and shows in the meeting; a reply that is not the invitee's changes nothing."""

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from email.message import EmailMessage

import httpx
import pytest
import vobject
from dateutil import tz

from broker.policy import Policy
from tests.conftest import LiveServer, Mailbox, free_port
from tests.dates import local_moment
from tests.factories import make_org, make_professional, make_secret_client, make_team
from tests.imap import ImapServer, imap_server
from tests.meetings.test_api import CHILD
from tests.readable import calendars_in, recipients


@pytest.fixture
def mailbox() -> Iterator[ImapServer]:
    with imap_server(free_port()) as server:
        yield server


class Broker:
    """A live broker that sends to the SMTP server and reads the IMAP mailbox."""

    def __init__(self, server: LiveServer, policy: Policy) -> None:
        self.http = httpx.Client(base_url=server.url + "/api/v1", timeout=30)
        with server.session() as session, session.begin():
            wijkteam = make_org(session, policy, party="wijkteam")
            school = make_org(session, policy, party="school")
            regisseur = make_professional(session, wijkteam, roles=["regisseur"],
                                          teams=[make_team(session, wijkteam)])
            self.teacher = make_professional(session, school, roles=["partner"],
                                             email="juf.ans@school.example")
            self.colleague = make_professional(session, school, roles=["partner"],
                                               email="meester.bas@school.example")
            credentials = make_secret_client(session, wijkteam, regisseur)
            self.regisseur_id, self.school_id = regisseur.id, school.id
            self.teacher_id, self.colleague_id = self.teacher.id, self.colleague.id
        token = self.http.post(server.url + "/oauth/token",
                               data={"grant_type": "client_credentials"},
                               auth=(credentials.row.client_id, credentials.secret))
        self.http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"

    def scheduled_meeting(self) -> dict[str, object]:
        household = self.http.post("/households", json={"label": "Gezin",
                                                        "members": [CHILD]}).json()
        meeting = self.http.post("/meetings", json={
            "household_id": household["id"], "title": "Bijeenkomst", "duration_minutes": 60,
            "location": "'t Hofke", "slots": [{"start": local_moment(10, 14).isoformat()}],
            "invitees": [{"professional_id": self.regisseur_id},
                         {"professional_id": self.teacher_id},
                         {"organisation_id": self.school_id, "required": False}]}).json()
        scheduled = self.http.post(f"/meetings/{meeting['id']}/schedule",
                                   json={"slot_id": meeting["slots"][0]["id"]})
        assert scheduled.status_code == 200, scheduled.text
        return dict(scheduled.json())

    def rsvp_of(self, meeting_id: object, professional_id: str) -> object:
        meeting = self.http.get(f"/meetings/{meeting_id}").json()
        return next(i["rsvp"] for i in meeting["invitees"]
                    if i["professional_id"] == professional_id)


@pytest.fixture
def broker(live_server_factory: Callable[..., LiveServer], smtp_server: Mailbox,
           mailbox: ImapServer, policy: Policy) -> Broker:
    server = live_server_factory(
        "replies", mailbox=smtp_server,
        smtp_sender="netwerk@gemeente.example", audit_background=True,
        imap_host=mailbox.host, imap_port=mailbox.port, imap_tls=False,
        imap_user=mailbox.user, imap_password=mailbox.password, imap_poll_seconds=0.5)
    return Broker(server, policy)


def invitation_to(smtp_server: Mailbox, address: str) -> vobject.base.Component:
    [raw] = [m for m in smtp_server.messages if address in recipients(m)]
    [ics] = calendars_in(raw)
    return vobject.readOne(ics.decode())


def reply(invitation: vobject.base.Component, *, attendee: str, partstat: str,
          to: str) -> bytes:
    """What a calendar program sends when its user clicks Accept: METHOD:REPLY with only
    that attendee, to the ORGANIZER (RFC 5546 §3.2.3, RFC 6047)."""
    cal = vobject.iCalendar()
    cal.add("prodid").value = "-//Another calendar//EN"
    cal.add("method").value = "REPLY"
    event = cal.add("vevent")
    event.add("uid").value = invitation.vevent.uid.value
    event.add("sequence").value = invitation.vevent.sequence.value
    event.add("dtstamp").value = datetime.now(tz.UTC)
    event.add("dtstart").value = invitation.vevent.dtstart.value
    event.add("organizer").value = invitation.vevent.organizer.value
    answer = event.add("attendee")
    answer.value = f"mailto:{attendee}"
    answer.params["PARTSTAT"] = [partstat]
    message = EmailMessage()
    message["From"], message["To"] = attendee, to
    message["Subject"] = "Geaccepteerd: Netwerkbijeenkomst"
    message.set_content("Ik kom.")
    message.add_alternative(cal.serialize(), subtype="calendar", params={"method": "REPLY"})
    return message.as_bytes()


def wait_for(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not check():
        assert time.monotonic() < deadline, "the mailbox was not read"
        time.sleep(0.1)


def test_an_accept_from_the_invitees_calendar_shows_in_the_meeting(
        broker: Broker, smtp_server: Mailbox, mailbox: ImapServer) -> None:
    meeting = broker.scheduled_meeting()
    invitation = invitation_to(smtp_server, broker.teacher.email)
    organiser = invitation.vevent.organizer.value.removeprefix("mailto:")
    assert organiser.startswith("netwerk+") and organiser.endswith("@gemeente.example")
    assert broker.rsvp_of(meeting["id"], broker.teacher_id) is None
    # the copy the regisseur downloads has the regisseur's own reply address, not the teacher's
    downloaded = vobject.readOne(broker.http.get(f"/meetings/{meeting['id']}/ics").text)
    theirs = downloaded.vevent.organizer.value.removeprefix("mailto:")
    assert theirs.startswith("netwerk+") and theirs != organiser

    mailbox.deliver(reply(invitation, attendee=broker.teacher.email, partstat="ACCEPTED",
                          to=organiser))
    wait_for(lambda: broker.rsvp_of(meeting["id"], broker.teacher_id) == "accepted")
    wait_for(lambda: mailbox.unread() == 0)


def test_a_reply_sent_from_someone_elses_copy_or_to_the_plain_address_changes_nothing(
        broker: Broker, smtp_server: Mailbox, mailbox: ImapServer) -> None:
    meeting = broker.scheduled_meeting()
    teachers = invitation_to(smtp_server, broker.teacher.email)
    colleagues = invitation_to(smtp_server, broker.colleague.email)
    theirs = colleagues.vevent.organizer.value.removeprefix("mailto:")
    # a forged From: the teacher's answer sent to the colleague's reply address
    mailbox.deliver(reply(teachers, attendee=broker.teacher.email, partstat="DECLINED",
                          to=theirs))
    mailbox.deliver(reply(teachers, attendee=broker.teacher.email, partstat="DECLINED",
                          to="netwerk@gemeente.example"))
    wait_for(lambda: mailbox.unread() == 0)
    assert broker.rsvp_of(meeting["id"], broker.teacher_id) is None


def test_a_malformed_mail_is_set_aside_and_does_not_hold_up_the_answers_after_it(
        broker: Broker, smtp_server: Mailbox, mailbox: ImapServer) -> None:
    meeting = broker.scheduled_meeting()
    invitation = invitation_to(smtp_server, broker.teacher.email)
    organiser = invitation.vevent.organizer.value.removeprefix("mailto:")
    for broken in (b'From: x@evil.example\r\nTo: "\r\nSubject: hi\r\n\r\nhello\r\n',
                   b"To: :;:;@@@\r\nContent-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\n"):
        mailbox.deliver(broken)
    mailbox.deliver(reply(invitation, attendee=broker.teacher.email, partstat="TENTATIVE",
                          to=organiser))
    wait_for(lambda: broker.rsvp_of(meeting["id"], broker.teacher_id) == "tentative")
    wait_for(lambda: mailbox.unread() == 0)
