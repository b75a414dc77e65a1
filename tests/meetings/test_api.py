"""Issue 8 acceptance 2-4: invitations over real SMTP with iCalendar, the personal link, and
answers that are one's own."""

import email
from datetime import date, datetime, timedelta
from email.message import Message
from typing import Any

import vobject
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy.orm import Session

from broker.clock import frozen_at, now
from broker.policy import Policy
from tests.conftest import Mailbox
from tests.consent.helpers import Caller, caller
from tests.dates import days_from_today, local_moment, today, years_ago
from tests.meldcode.helpers import colleague
from tests.readable import calendars_in, mail_text, recipients, searchable

MOTHER = {"ref": "m", "given_name": "Sanne", "family_name": "Jansen", "bsn": "111222333",
          "birth_date": "1988-04-02", "role": "parent", "email": "sanne@example.org"}
CHILD = {"ref": "c", "given_name": "Noor", "family_name": "Jansen",
         "birth_date": years_ago(13, 40), "role": "child"}


def arrange(client: TestClient, session: Session, policy: Policy
            ) -> tuple[Caller, Caller, Caller, dict[str, Any]]:
    regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    school = caller(client, session, policy, party="school", roles=["partner"])
    gp = caller(client, session, policy, party="huisarts", roles=["partner"])
    household = client.post("/api/v1/households", headers=regisseur.headers, json={
        "label": "Gezin J.", "members": [MOTHER, CHILD],
        "custody": [{"custodian": "m", "child": "c"}]}).json()
    members = {m["ref"]: m["id"] for m in household["members"]}
    starts = [local_moment(14 + n, 9, 30) for n in range(4)]
    meeting = client.post("/api/v1/meetings", headers=regisseur.headers, json={
        "household_id": household["id"], "title": "Netwerkbijeenkomst gezin Jansen",
        "duration_minutes": 90, "location": "Wijkcentrum De Kamp",
        "slots": [{"start": s.isoformat()} for s in starts],
        "invitees": [{"professional_id": regisseur.professional.id, "required": True},
                     {"organisation_id": school.org.id, "required": True},
                     {"organisation_id": gp.org.id, "required": False},
                     {"member_id": members["m"], "required": True},
                     {"member_id": members["c"], "required": False}]})
    assert meeting.status_code == 201, meeting.text
    return regisseur, school, gp, meeting.json()


def answer_all(client: TestClient, who: Caller, meeting: dict[str, Any], answer: str) -> None:
    response = client.post(f"/api/v1/meetings/{meeting['id']}/availability", headers=who.headers,
                           json={"answers": [{"slot_id": s["id"], "answer": answer}
                                             for s in meeting["slots"]]})
    assert response.status_code == 200, response.text


def calendars(messages: list[bytes]) -> list[tuple[Message, Calendar]]:
    found = []
    for raw in messages:
        message = email.message_from_bytes(raw)
        [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        found.append((message, Calendar.from_ical(part.get_payload(decode=True))))
    return found


class TestAcceptance2Invitations:
    def test_schedule_reschedule_cancel_send_request_request_cancel(
            self, client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
        regisseur, school, _, meeting = arrange(client, session, policy)
        path = f"/api/v1/meetings/{meeting['id']}"
        answer_all(client, school, meeting, "yes")
        mother = next(i for i in meeting["invitees"] if i["personal_link"]
                      and i["required"])
        client.post(f"/api/v1/invitations/{mother['personal_link']}/availability", json={
            "answers": [{"slot_id": s["id"], "answer": "yes"} for s in meeting["slots"]]})
        answer_all(client, regisseur, meeting, "yes")
        first = client.post(path + "/schedule", headers=regisseur.headers, json={})
        assert first.status_code == 200, first.text
        assert first.json()["slot_id"] == meeting["slots"][0]["id"]  # all yes: earliest
        sent_once = len(mail.messages)
        assert sent_once >= 3  # the regisseur, the school's professional, the mother
        later = client.post(path + "/schedule", headers=regisseur.headers,
                            json={"slot_id": meeting["slots"][2]["id"]})
        assert later.json()["sequence"] == 1
        cancelled = client.post(path + "/cancel", headers=regisseur.headers)
        assert cancelled.json()["status"] == "cancelled"

        sent = calendars(mail.messages)
        assert len(sent) == 3 * sent_once
        methods = [(str(c["method"]), int(c.walk("VEVENT")[0]["sequence"])) for _, c in sent]
        assert methods == [("REQUEST", 0)] * sent_once + [("REQUEST", 1)] * sent_once \
            + [("CANCEL", 2)] * sent_once
        assert len({str(c.walk("VEVENT")[0]["uid"]) for _, c in sent}) == 1
        event = sent[0][1].walk("VEVENT")[0]
        assert event.walk("VALARM") and sent[0][1].walk("VTIMEZONE")
        assert str(event["dtstart"].params["TZID"]) == "Europe/Amsterdam"
        assert str(event["summary"]).startswith("Netwerkbijeenkomst NB-")
        everything = "\n".join(mail_text(m) for m in mail.messages)
        for secret in ("Sanne", "Noor", "Jansen", "111222333", "1988-04-02", "02-04-1988",
                       CHILD["birth_date"]):
            assert secret not in everything

    def test_a_slot_across_the_dst_change_keeps_its_local_time(
            self, client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
        regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
        household = client.post("/api/v1/households", headers=regisseur.headers, json={
            "label": "Gezin", "members": [CHILD]}).json()
        # 09:30 in Amsterdam on the Monday after summer time (UTC+2) begins, next year.
        last_of_march = date(today().year + 1, 3, 31)
        monday = last_of_march - timedelta(days=(last_of_march.weekday() + 1) % 7 - 1)
        start = f"{monday}T09:30:00+02:00"
        meeting = client.post("/api/v1/meetings", headers=regisseur.headers, json={
            "household_id": household["id"], "title": "Bijeenkomst", "duration_minutes": 60,
            "location": "Wijkcentrum", "slots": [{"start": start}],
            "invitees": [{"professional_id": regisseur.professional.id}]}).json()
        client.post(f"/api/v1/meetings/{meeting['id']}/schedule", headers=regisseur.headers,
                    json={"slot_id": meeting["slots"][0]["id"]})
        [(_, cal)] = calendars(mail.messages)
        begins = cal.walk("VEVENT")[0]["dtstart"].dt
        assert (begins.hour, begins.minute, begins.utcoffset()) == (9, 30, timedelta(hours=2))


class TestAcceptance3PersonalLink:
    def test_a_family_member_answers_once_without_an_account(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        regisseur, _, _, meeting = arrange(client, session, policy)
        mother = next(i for i in meeting["invitees"] if i["personal_link"] and i["required"])
        link = f"/api/v1/invitations/{mother['personal_link']}/availability"
        body = {"answers": [{"slot_id": meeting["slots"][1]["id"], "answer": "if_need_be"}]}
        assert client.post(link, json=body).status_code == 204
        seen = client.get(f"/api/v1/meetings/{meeting['id']}", headers=regisseur.headers)
        row = next(i for i in seen.json()["invitees"] if i["id"] == mother["id"])
        assert row["answers"] == {meeting["slots"][1]["id"]: "if_need_be"}
        again = client.post(link, json=body)
        assert again.status_code == 410 and again.json()["code"] == "link_expired"

    def test_an_expired_link_is_refused(self, client: TestClient, session: Session,
                                        policy: Policy) -> None:
        _, _, _, meeting = arrange(client, session, policy)
        child = next(i for i in meeting["invitees"] if i["personal_link"] and not i["required"])
        with frozen_at(now() + timedelta(days=15)):
            late = client.post(f"/api/v1/invitations/{child['personal_link']}/availability",
                               json={"answers": [{"slot_id": meeting["slots"][0]["id"],
                                                  "answer": "yes"}]})
        assert late.status_code == 410
        assert client.post("/api/v1/invitations/not-a-token/availability", json={
            "answers": [{"slot_id": "x", "answer": "yes"}]}).status_code == 404


class TestAcceptance4OwnAnswers:
    def test_an_invitee_cannot_change_another_invitees_answers(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        regisseur, school, gp, meeting = arrange(client, session, policy)
        mother = next(i for i in meeting["invitees"] if i["member_id"] and i["required"])
        forged = client.post(f"/api/v1/meetings/{meeting['id']}/availability",
                             headers=school.headers, json={
                                 "answers": [{"slot_id": meeting["slots"][0]["id"],
                                              "answer": "no"}],
                                 "on_behalf_of_member_id": mother["member_id"]})
        assert forged.status_code == 403 and forged.json()["code"] == "not_your_answers"
        answer_all(client, gp, meeting, "no")
        answer_all(client, school, meeting, "yes")
        seen = client.get(f"/api/v1/meetings/{meeting['id']}", headers=regisseur.headers).json()
        gp_row = next(i for i in seen["invitees"] if i["organisation_id"] == gp.org.id)
        assert set(gp_row["answers"].values()) == {"no"}  # the school's answers left it alone
        on_behalf = client.post(f"/api/v1/meetings/{meeting['id']}/availability",
                                headers=regisseur.headers, json={
                                    "answers": [{"slot_id": meeting["slots"][0]["id"],
                                                 "answer": "yes"}],
                                    "on_behalf_of_member_id": mother["member_id"]})
        assert on_behalf.status_code == 200

    def test_someone_not_invited_gets_404_and_a_colleague_answers_for_the_organisation(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        _, school, _, meeting = arrange(client, session, policy)
        stranger = caller(client, session, policy, party="woningcorporatie", roles=["partner"])
        assert client.get(f"/api/v1/meetings/{meeting['id']}",
                          headers=stranger.headers).status_code == 404
        teacher = colleague(client, session, school.org, ["partner"])
        answer_all(client, teacher, meeting, "if_need_be")

    def test_after_a_hand_over_the_new_regisseur_organises_and_the_former_one_does_not(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        """Issue 17, defect 6: the former organiser kept the meeting (title, scheduling)
        and the new regisseur got 404 on it."""
        regisseur, _, _, meeting = arrange(client, session, policy)
        successor = colleague(client, session, regisseur.org, ["regisseur"])
        handed = client.put(f"/api/v1/households/{meeting['household_id']}/regisseur",
                            headers=regisseur.headers,
                            json={"professional_id": successor.professional.id})
        assert handed.status_code == 200, handed.text
        path = f"/api/v1/meetings/{meeting['id']}"
        now_organised = client.get(path, headers=successor.headers)
        assert now_organised.status_code == 200
        assert now_organised.json()["title"] == "Netwerkbijeenkomst gezin Jansen"
        # The former regisseur was invited in person: still an invitee, no longer organiser.
        former = client.get(path, headers=regisseur.headers)
        assert former.status_code == 200 and former.json()["title"] is None
        slot = meeting["slots"][0]["id"]
        refused = client.post(f"{path}/schedule", headers=regisseur.headers,
                              json={"slot_id": slot})
        assert refused.status_code == 403 and refused.json()["code"] == "not_organiser"

    def test_a_required_no_warns_the_regisseur(
            self, client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
        regisseur, school, _, meeting = arrange(client, session, policy)
        answer_all(client, school, meeting, "no")
        scheduled = client.post(f"/api/v1/meetings/{meeting['id']}/schedule",
                                headers=regisseur.headers,
                                json={"slot_id": meeting["slots"][0]["id"]})
        assert scheduled.status_code == 200
        assert any("kan niet" in w for w in scheduled.json()["warnings"])
        none_fits = client.post(f"/api/v1/meetings/{meeting['id']}/schedule",
                                headers=regisseur.headers, json={})
        assert none_fits.status_code == 409 and none_fits.json()["code"] == "no_common_slot"


class TestContributions:
    def test_an_invitee_contributes_through_the_door_others_may_not(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        regisseur, school, gp, meeting = arrange(client, session, policy)
        child = next(i["member_id"] for i in meeting["invitees"]
                     if i["member_id"] and not i["required"])
        body = {"subject_id": child, "category": "onderwijs", "concern": "low",
                "observed_on": days_from_today(-3), "body": "Leest graag voor in de klas.",
                "meeting_id": meeting["id"], "contribution": "going_well"}
        refused = client.post("/api/v1/observations", headers=school.headers, json=body)
        assert refused.status_code == 403 and refused.json()["code"] == "no_consent"
        stranger = caller(client, session, policy, party="woningcorporatie", roles=["partner"])
        outside = client.post("/api/v1/observations", headers=stranger.headers, json=body)
        assert outside.status_code == 403 and outside.json()["code"] == "not_invited"
        own = client.post("/api/v1/observations", headers=regisseur.headers, json=body)
        assert own.status_code == 201 and own.json()["contribution"] == "going_well"
        loose = client.post("/api/v1/observations", headers=regisseur.headers,
                            json={**body, "meeting_id": None})
        assert loose.status_code == 422

    def test_an_invited_organisation_is_involved_until_the_meeting_is_cancelled(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        regisseur, _, gp, meeting = arrange(client, session, policy)
        stranger = caller(client, session, policy, party="woningcorporatie", roles=["partner"])
        path = f"/api/v1/households/{meeting['household_id']}"
        assert client.get(path, headers=stranger.headers).status_code == 404
        seen = client.get(path, headers=gp.headers)
        assert seen.status_code == 200
        # involved is not the same as seeing names: no consent for basisgegevens
        assert all(m.get("given_name") is None and m["withheld"]
                   for m in seen.json()["members"])
        client.post(f"/api/v1/meetings/{meeting['id']}/cancel", headers=regisseur.headers)
        assert client.get(path, headers=gp.headers).status_code == 404


class TestCalendarFeed:
    def test_a_personal_feed_lists_meetings_and_can_be_revoked(
            self, client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
        regisseur, school, _, meeting = arrange(client, session, policy)
        client.post(f"/api/v1/meetings/{meeting['id']}/schedule", headers=regisseur.headers,
                    json={"slot_id": meeting["slots"][0]["id"]})
        teacher = colleague(client, session, school.org, ["partner"])
        url = client.post("/api/v1/calendar/feed", headers=teacher.headers).json()["url"]
        path = url.split("://", 1)[1].split("/", 1)[1]
        feed = client.get("/" + path)
        assert feed.status_code == 200
        [event] = Calendar.from_ical(feed.content).walk("VEVENT")
        assert str(event["uid"]) == f"{meeting['id']}@broker"
        assert client.delete("/api/v1/calendar/feed", headers=teacher.headers).status_code == 204
        assert client.get("/" + path).status_code == 404


FAMILY = ("sanne@example.org", "Sanne", "Jansen", "Noor", "111222333")


def attendees_per_parser(ics: bytes) -> tuple[set[str], set[str]]:
    """The ATTENDEE addresses as icalendar and as vobject (another parser) read them."""
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    found = event.get("attendee", [])
    by_icalendar = {str(a).lower() for a in (found if isinstance(found, list) else [found])}
    parsed = vobject.readOne(ics.decode())
    by_vobject = {a.value.lower() for a in parsed.vevent.contents.get("attendee", [])}
    return by_icalendar, by_vobject


def version(ics: bytes) -> tuple[str, str, int]:
    """Method, UID and SEQUENCE as vobject reads them."""
    event = vobject.readOne(ics.decode())
    return (event.method.value, event.vevent.uid.value, int(event.vevent.sequence.value))


def organiser(ics: bytes) -> tuple[str, str]:
    """ORGANIZER's address and name."""
    found = vobject.readOne(ics.decode()).vevent.organizer
    return found.value.lower(), found.params["CN"][0]


class TestDefect5CalendarFilesNameProfessionalsOnly:
    def test_no_family_address_in_a_professionals_calendar_and_the_parents_names_her_alone(
            self, client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
        regisseur, school, gp, meeting = arrange(client, session, policy)
        assert regisseur.professional and school.professional and gp.professional
        professionals = {f"mailto:{p.email.lower()}" for p in (
            regisseur.professional, school.professional, gp.professional)}
        path = f"/api/v1/meetings/{meeting['id']}"
        for slot in (0, 2):  # invited, then moved: SEQUENCE 0 and 1
            client.post(path + "/schedule", headers=regisseur.headers,
                        json={"slot_id": meeting["slots"][slot]["id"]})
        ics = client.get(path + "/ics", headers=school.headers)
        url = client.post("/api/v1/calendar/feed", headers=school.headers).json()["url"]
        feed = client.get("/" + url.split("://", 1)[1].split("/", 1)[1])
        assert (ics.status_code, feed.status_code) == (200, 200)
        assert client.post(path + "/cancel", headers=regisseur.headers).status_code == 200

        to_mother = [m for m in mail.messages if recipients(m) == {"sanne@example.org"}]
        to_others = [m for m in mail.messages if m not in to_mother]
        assert len(to_mother) == 3 and len(to_others) == 3 * 3
        for text in [mail_text(m) for m in to_others] + [searchable(ics.text),
                                                         searchable(feed.text)]:
            assert [secret for secret in FAMILY if secret in text] == []
        for cal in [c for m in to_others for c in calendars_in(m)] + [ics.content,
                                                                      feed.content]:
            assert attendees_per_parser(cal) == (professionals, professionals)
        theirs = [version(c) for m in to_others for c in calendars_in(m)]
        hers = [version(c) for m in to_mother for c in calendars_in(m)]
        assert hers == sorted(set(theirs), key=lambda v: v[2])  # same UID and SEQUENCEs
        assert [(method, sequence) for method, _, sequence in hers] == [
            ("REQUEST", 0), ("REQUEST", 1), ("CANCEL", 2)]
        # The regisseur organises at the broker's address: a professional's copy has their own
        # reply address (issue 22), the mother's the plain one (she answers the regisseur).
        name = regisseur.professional.name
        assert {organiser(c) for m in to_mother for c in calendars_in(m)} == {
            ("mailto:broker@localhost", name)}
        theirs_from = {organiser(c) for m in to_others for c in calendars_in(m)}
        assert len(theirs_from) == 3 and all(
            address.startswith("mailto:broker+") and who == name for address, who in theirs_from)
        for raw in to_mother:
            [cal] = calendars_in(raw)
            assert attendees_per_parser(cal) == ({"mailto:sanne@example.org"},) * 2
            assert [s for s in FAMILY[1:] if s in mail_text(raw)] == []
            # No link to the professionals' page (she cannot log in there), no reply asked.
            event = vobject.readOne(cal.decode()).vevent
            assert "/bijeenkomsten/" not in mail_text(raw) and not hasattr(event, "url")
            assert event.attendee.params["RSVP"] == ["FALSE"]


class TestReminders:
    def test_silent_invitees_are_reminded_once_and_everyone_the_day_before(
            self, client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
        from broker.meetings.service import send_reminders

        regisseur, school, _, meeting = arrange(client, session, policy)
        answer_all(client, school, meeting, "yes")
        with frozen_at(now() + timedelta(days=1, minutes=1)):
            polls, _ = send_reminders(session)
            assert send_reminders(session) == (0, 0)
        reminded = [email.message_from_bytes(m)["To"] for m in mail.messages]
        assert polls == len(reminded) and "sanne@example.org" in reminded
        assert regisseur.professional.email in reminded
        start = datetime.fromisoformat(meeting["slots"][0]["start"])
        client.post(f"/api/v1/meetings/{meeting['id']}/schedule", headers=regisseur.headers,
                    json={"slot_id": meeting["slots"][0]["id"]})
        before = len(mail.messages)
        with frozen_at(start - timedelta(hours=20)):
            _, days = send_reminders(session)
        assert days == len(mail.messages) - before and days >= 3
        assert all("Sanne" not in mail_text(m) for m in mail.messages)
