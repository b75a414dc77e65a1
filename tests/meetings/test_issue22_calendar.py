"""Issue 22, calendars: what ical.js (Thunderbird's parser, run in node), vobject and icalendar
make of the broker's invitations, and mails that calendar clients show as a meeting."""

import email
import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email import policy as mail_policy
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import vobject
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy.orm import Session

from broker.clock import LEGAL_ZONE
from broker.meetings import invitations
from broker.meetings.invitations import Attendee, Invitation
from broker.policy import Policy
from tests.conftest import Mailbox
from tests.consent.helpers import Caller, caller
from tests.dates import local_moment, today
from tests.meetings.test_api import CHILD
from tests.readable import calendars_in

INTEROP = Path(__file__).parents[1] / "interop"


def ical_js_starts(ics: bytes) -> list[datetime]:
    """DTSTART of every event in UTC as ical.js computes it from the file's VTIMEZONE."""
    done = subprocess.run(["node", str(INTEROP / "ical_times.mjs")], input=ics,
                          capture_output=True, check=True, timeout=60)
    return [datetime.fromisoformat(line.replace("Z", "+00:00"))
            for line in done.stdout.decode().split()]


def vobject_start(ics: bytes) -> datetime:
    return vobject.readOne(ics.decode()).vevent.dtstart.value.astimezone(UTC)


def icalendar_start(ics: bytes) -> datetime:
    return Calendar.from_ical(ics).walk("VEVENT")[0]["dtstart"].dt.astimezone(UTC)


def at_two(day: date) -> Invitation:
    person = Attendee("jgz@example.org", "J. de Vries", True, None)
    return Invitation(uid="m@broker", reference="NB-7", sequence=0,
                      start=datetime(day.year, day.month, day.day, 14, tzinfo=LEGAL_ZONE),
                      minutes=60, location="'t Hofke, zaal Één", link="http://localhost/x",
                      organiser=person, attendees=[person])


class TestAcceptance1TimesInEveryParser:
    @pytest.mark.parametrize(("month", "years_ahead", "utc_hour"), [
        (7, 1, 12), (1, 1, 13), (7, None, 12), (1, None, 13)],
        ids=["july", "january", "july-2040", "january-2040"])
    def test_a_meeting_at_two_in_amsterdam_is_the_same_moment_in_ical_js_vobject_and_icalendar(
            self, month: int, years_ahead: int | None, utc_hour: int) -> None:
        year = today().year + years_ahead if years_ahead else 2040
        ics = invitations.calendar(at_two(date(year, month, 15)))
        expected = datetime(year, month, 15, utc_hour, tzinfo=UTC)
        assert ical_js_starts(ics) == [expected]
        assert vobject_start(ics) == expected
        assert icalendar_start(ics) == expected

    def test_the_time_zone_is_yearly_rules_from_the_local_onset_not_a_list_of_dates(self) -> None:
        [zone] = Calendar.from_ical(invitations.calendar(at_two(today()))).walk("VTIMEZONE")
        now_in_force = {c.name: c for c in zone.subcomponents if "UNTIL" not in c.get(
            "RRULE", {"UNTIL": None})}
        assert set(now_in_force) == {"DAYLIGHT", "STANDARD"}
        assert not any("RDATE" in c for c in zone.subcomponents)
        summer, winter = now_in_force["DAYLIGHT"], now_in_force["STANDARD"]
        # RFC 5545: DTSTART is the local time before the change, in TZOFFSETFROM
        assert (summer["DTSTART"].dt.hour, summer["TZOFFSETFROM"].td) == (2, timedelta(hours=1))
        assert (winter["DTSTART"].dt.hour, winter["TZOFFSETFROM"].td) == (3, timedelta(hours=2))
        assert summer["RRULE"]["BYDAY"] == winter["RRULE"]["BYDAY"] == ["-1SU"]
        assert (summer["RRULE"]["BYMONTH"], winter["RRULE"]["BYMONTH"]) == ([3], [10])


def scheduled(client: TestClient, session: Session, policy: Policy, *, location: str,
              invitees: Callable[[Caller, Caller], list[dict[str, object]]]
              ) -> tuple[Caller, Caller, str]:
    """A regisseur and a teacher, a meeting planned ten days ahead at 14:00; its API path."""
    regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    teacher = caller(client, session, policy, party="school", roles=["partner"])
    household = client.post("/api/v1/households", headers=regisseur.headers, json={
        "label": "Gezin", "members": [CHILD]}).json()
    meeting = client.post("/api/v1/meetings", headers=regisseur.headers, json={
        "household_id": household["id"], "title": "Bijeenkomst", "duration_minutes": 60,
        "location": location, "slots": [{"start": local_moment(10, 14).isoformat()}],
        "invitees": invitees(regisseur, teacher)}).json()
    path = f"/api/v1/meetings/{meeting['id']}"
    client.post(path + "/schedule", headers=regisseur.headers,
                json={"slot_id": meeting["slots"][0]["id"]})
    return regisseur, teacher, path


class TestAttendeesMergedPerPerson:
    def test_a_person_invited_in_person_and_through_their_organisation_appears_once_as_required(
            self, client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
        regisseur, teacher, path = scheduled(
            client, session, policy, location="'t Hofke", invitees=lambda regisseur, teacher: [
                {"professional_id": regisseur.professional.id},
                {"professional_id": teacher.professional.id, "required": True},
                {"organisation_id": teacher.org.id, "required": False}])
        assert client.post(path + "/rsvp", headers=teacher.headers,
                           json={"response": "accepted"}).status_code == 200

        ics = client.get(path + "/ics", headers=regisseur.headers).content
        event = vobject.readOne(ics.decode()).vevent
        theirs = [a for a in event.contents["attendee"]
                  if a.value.lower() == f"mailto:{teacher.professional.email}".lower()]
        assert len(theirs) == 1
        assert theirs[0].params["ROLE"] == ["REQ-PARTICIPANT"]
        assert theirs[0].params["PARTSTAT"] == ["ACCEPTED"]


class TestMailsCalendarClientsShowAsMeetings:
    def test_every_invitation_is_dated_utf8_and_alternative_text_html_and_calendar(
            self, client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
        regisseur, _, path = scheduled(
            client, session, policy, location="'t Hofke, zaal Één",
            invitees=lambda regisseur, teacher: [
                {"professional_id": regisseur.professional.id},
                {"professional_id": teacher.professional.id}])

        assert len(mail.messages) == 2
        ids = set()
        for raw in mail.messages:
            message = email.message_from_bytes(raw, policy=mail_policy.default)
            sent = parsedate_to_datetime(str(message["Date"]))
            assert sent.tzinfo is not None and abs(sent - datetime.now(UTC)) < timedelta(days=1)
            ids.add(str(message["Message-ID"]))
            assert message.get_content_type() == "multipart/alternative"
            parts = {p.get_content_type(): p for p in message.iter_parts()}
            assert list(parts) == ["text/plain", "text/html", "text/calendar"]
            assert all(p.get_content_charset() == "utf-8" for p in parts.values())
            assert parts["text/calendar"].get_param("method") == "REQUEST"
            assert "Netwerkbijeenkomst" in parts["text/html"].get_content()
            [ics] = calendars_in(raw)
            assert vobject.readOne(ics.decode("utf-8")).vevent.location.value \
                == "'t Hofke, zaal Één"
        assert len(ids) == 2

        served = client.get(path + "/ics", headers=regisseur.headers)
        assert served.headers["content-type"] == \
            "text/calendar; charset=utf-8; method=REQUEST"
        client.post(path + "/cancel", headers=regisseur.headers)
        cancelled = client.get(path + "/ics", headers=regisseur.headers)
        assert cancelled.headers["content-type"].endswith("method=CANCEL")
