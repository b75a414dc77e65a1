"""Issue 20, meetings: finding a time people mean (acceptance 4), the planning page that
repeats nothing on reload, read-only held meetings, no slots in the past, the parent's own
link in reminders, the calendar file and the minutes in a logged-in browser, and members
by name (or role) instead of raw refs."""

import email
import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from broker.clock import frozen_at, now
from broker.identity.service import professional_principal, require_organisation
from broker.meetings import service
from broker.meetings.models import Meeting
from broker.meetings.schemas import ScheduleIn
from broker.policy import Policy
from tests.conftest import Mailbox
from tests.consent.helpers import Caller, caller
from tests.dates import form_moment, local_moment, years_ago
from tests.factories import PASSWORD
from tests.identity.flows import csrf_of, login
from tests.meetings.test_outcome import hold, outcome
from tests.readable import mail_text

MOTHER = {"ref": "moeder", "given_name": "Sanne", "family_name": "Jansen",
          "birth_date": "1988-04-02", "role": "parent", "email": "sanne@example.org"}
CHILD = {"ref": "kind", "given_name": "Noor", "family_name": "Jansen",
         "birth_date": years_ago(13, 40), "role": "child"}
# Acceptance 4: per required invitee, the answers for slots 1, 2 and 3.
ANSWERS = {"school": ("no", "yes", "yes"), "gp": ("yes", "if_need_be", "yes"),
           "mother": ("yes", "yes", "no")}


def arrange(client: TestClient, session: Session, policy: Policy
            ) -> tuple[Caller, Caller, Caller, dict[str, Any]]:
    """A meeting with three slots; the regisseur (organiser), the school, the GP and the
    mother are required; the child is optional."""
    regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    school = caller(client, session, policy, party="school", roles=["partner"],
                    name="Basisschool De Linde")
    gp = caller(client, session, policy, party="huisarts", roles=["partner"],
                name="Huisartsenpraktijk Oost")
    household = client.post("/api/v1/households", headers=regisseur.headers, json={
        "label": "Gezin J.", "members": [MOTHER, CHILD],
        "custody": [{"custodian": "moeder", "child": "kind"}]}).json()
    members = {m["ref"]: m["id"] for m in household["members"]}
    meeting = client.post("/api/v1/meetings", headers=regisseur.headers, json={
        "household_id": household["id"], "title": "Netwerkbijeenkomst gezin Jansen",
        "duration_minutes": 90, "location": "Wijkcentrum De Kamp",
        "slots": [{"start": local_moment(14 + n, 9, 30).isoformat()} for n in range(3)],
        "invitees": [{"professional_id": regisseur.professional.id, "required": True},
                     {"organisation_id": school.org.id, "required": True},
                     {"organisation_id": gp.org.id, "required": True},
                     {"member_id": members["moeder"], "required": True},
                     {"member_id": members["kind"], "required": False}]})
    assert meeting.status_code == 201, meeting.text
    return regisseur, school, gp, meeting.json()


def answer(client: TestClient, who: Caller, meeting: dict[str, Any],
           answers: tuple[str, ...]) -> None:
    response = client.post(f"/api/v1/meetings/{meeting['id']}/availability", headers=who.headers,
                           json={"answers": [{"slot_id": s["id"], "answer": a}
                                             for s, a in zip(meeting["slots"], answers,
                                                             strict=True)]})
    assert response.status_code == 200, response.text


def mother_link(meeting: dict[str, Any]) -> str:
    return next(i["personal_link"] for i in meeting["invitees"]
                if i["personal_link"] and i["required"])


def answer_as_in_acceptance_4(client: TestClient, school: Caller, gp: Caller,
                              meeting: dict[str, Any]) -> None:
    answer(client, school, meeting, ANSWERS["school"])
    answer(client, gp, meeting, ANSWERS["gp"])
    given = client.post(f"/api/v1/invitations/{mother_link(meeting)}/availability", json={
        "answers": [{"slot_id": s["id"], "answer": a}
                    for s, a in zip(meeting["slots"], ANSWERS["mother"], strict=True)]})
    assert given.status_code == 204


def principal_of(session: Session, who: Caller) -> Any:
    assert who.professional is not None
    return professional_principal(session, require_organisation(session, who.org.id),
                                  who.professional)


def logged_in(client: TestClient, who: Caller) -> str:
    """Logs `who` in through the login page; returns a CSRF token for forms."""
    assert who.professional is not None
    client.cookies.clear()
    return csrf_of(login(client, who.professional.email, PASSWORD).text)


class TestIssue20Acceptance4BestSlot:
    def test_service_chooses_the_second_slot_without_the_organiser_answering(
            self, client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
        regisseur, school, gp, meeting = arrange(client, session, policy)
        answer_as_in_acceptance_4(client, school, gp, meeting)
        view = service.schedule_meeting(session, actor=principal_of(session, regisseur),
                                        meeting_id=meeting["id"], body=ScheduleIn())
        assert view.meeting.slot_id == meeting["slots"][1]["id"]
        assert view.meeting.status == "scheduled" and mail.messages

    def test_page_het_beste_moment_plans_the_second_slot_and_a_reload_sends_nothing(
            self, client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
        regisseur, school, gp, meeting = arrange(client, session, policy)
        answer_as_in_acceptance_4(client, school, gp, meeting)
        csrf = logged_in(client, regisseur)
        path = f"/bijeenkomsten/{meeting['id']}"
        before = client.get(path)
        assert "Het beste moment" in before.text
        assert "Plannen en uitnodigingen versturen" in before.text
        planned = client.post(path + "/plannen", data={"csrf_token": csrf, "slot_id": ""},
                              follow_redirects=False)
        assert planned.status_code == 303 and planned.headers["location"] == path
        sent = len(mail.messages)
        assert sent >= 3
        page = client.get(path)
        second = local_moment(15, 9, 30).strftime("%d-%m-%Y %H:%M")
        moment = re.search(r'class="chosen-moment"><strong>([^<]+)</strong>', page.text)
        assert moment is not None and moment.group(1) == second
        assert "Plannen en uitnodigingen versturen" not in page.text
        assert "Het beste moment" not in page.text
        assert client.get(path).status_code == 200  # reloading the page
        assert len(mail.messages) == sent


class TestNoCommonSlot:
    def test_the_page_names_who_cannot_make_each_slot_in_dutch(
            self, client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
        regisseur, school, gp, meeting = arrange(client, session, policy)
        answer(client, school, meeting, ("no", "no", "yes"))
        answer(client, gp, meeting, ("yes", "yes", "no"))
        csrf = logged_in(client, regisseur)
        path = f"/bijeenkomsten/{meeting['id']}"
        refused = client.post(path + "/plannen", data={"csrf_token": csrf, "slot_id": ""})
        assert refused.status_code == 409
        assert "Er is geen moment waarop alle verplichte genodigden kunnen" in refused.text
        assert "No slot suits" not in refused.text
        rows = re.findall(r"<li><strong>([^<]+)</strong>: ([^<]+)</li>", refused.text)
        assert len(rows) == 3
        # The mother has not answered: she is missing everywhere, but by name.
        assert all("S. Jansen" in who for _, who in rows)
        assert "Basisschool De Linde" in rows[0][1] and "Huisartsenpraktijk Oost" in rows[2][1]
        assert "Huisartsenpraktijk Oost" not in rows[0][1]
        assert mail.messages == []
        # The regisseur chooses by hand.
        chosen = client.post(path + "/plannen", data={
            "csrf_token": csrf, "slot_id": meeting["slots"][0]["id"]}, follow_redirects=False)
        assert chosen.status_code == 303


class TestCreatingRepeatsNothing:
    def form(self, csrf: str, household_id: str, *slots: str) -> dict[str, Any]:
        return {"csrf_token": csrf, "household_id": household_id, "title": "Evaluatie",
                "location": "Wijkcentrum De Kamp", "duration_minutes": "60",
                "slots": list(slots)}

    def test_create_redirects_and_shows_the_family_links_once(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        regisseur, _, _, meeting = arrange(client, session, policy)
        csrf = logged_in(client, regisseur)
        household = meeting["household_id"]
        mother = next(i["member_id"] for i in meeting["invitees"]
                      if i["member_id"] and i["required"])
        count = session.scalar(select(func.count(Meeting.id)))
        created = client.post("/bijeenkomsten", data=self.form(
            csrf, household, form_moment(20, 10)) | {"members": [mother]},
            follow_redirects=False)
        assert created.status_code == 303
        assert session.scalar(select(func.count(Meeting.id))) == count + 1
        first = client.get(created.headers["location"])
        links = re.findall(r"uitnodiging/([\w-]+)</code>", first.text)
        assert len(links) == 1 and "S. Jansen" in first.text
        assert client.get(f"/uitnodiging/{links[0]}").status_code == 200
        again = client.get(created.headers["location"])
        assert "uitnodiging/" not in again.text
        assert session.scalar(select(func.count(Meeting.id))) == count + 1

    def test_a_slot_in_the_past_is_refused_in_dutch_and_the_form_keeps_its_input(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        regisseur, _, _, meeting = arrange(client, session, policy)
        csrf = logged_in(client, regisseur)
        count = session.scalar(select(func.count(Meeting.id)))
        past = form_moment(-3, 10)
        refused = client.post("/bijeenkomsten", data=self.form(
            csrf, meeting["household_id"], form_moment(20, 10), past))
        assert refused.status_code == 422
        assert "Dit moment ligt in het verleden" in refused.text
        assert 'value="Wijkcentrum De Kamp"' in refused.text and f'value="{past}"' in refused.text
        assert session.scalar(select(func.count(Meeting.id))) == count
        api = client.post("/api/v1/meetings", headers=regisseur.headers, json={
            "household_id": meeting["household_id"], "title": "Oud", "duration_minutes": 60,
            "location": "Hier", "slots": [{"start": local_moment(-400, 10).isoformat()}],
            "invitees": [{"professional_id": regisseur.professional.id}]})
        assert api.status_code == 422 and api.json()["code"] == "slot_in_past"


class TestHeldMeetingsAreReadOnly:
    def test_a_held_meeting_cannot_be_replanned_answered_or_cancelled(
            self, client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
        regisseur, school, _, meeting = arrange(client, session, policy)
        path = f"/api/v1/meetings/{meeting['id']}"
        first, later = meeting["slots"][0]["id"], meeting["slots"][2]["id"]
        client.post(path + "/schedule", headers=regisseur.headers, json={"slot_id": first})
        held = client.post(path + "/outcome", headers=regisseur.headers,
                           json=outcome(regisseur.professional.id, school.org.id,
                                        assessment=True))
        assert held.status_code == 201, held.text
        sent = len(mail.messages)
        for refused in (
                client.post(path + "/schedule", headers=regisseur.headers,
                            json={"slot_id": later}),
                client.post(path + "/cancel", headers=regisseur.headers),
                client.post(path + "/availability", headers=school.headers,
                            json={"answers": [{"slot_id": later, "answer": "yes"}]})):
            assert refused.status_code == 409 and refused.json()["code"] == "meeting_closed"
        assert len(mail.messages) == sent
        csrf = logged_in(client, regisseur)
        page = client.get(f"/bijeenkomsten/{meeting['id']}")
        assert "Gehouden op" in page.text and 'action="/bijeenkomsten/' not in page.text
        posted = client.post(f"/bijeenkomsten/{meeting['id']}/plannen",
                             data={"csrf_token": csrf, "slot_id": later})
        assert posted.status_code == 409 and "al gehouden" in posted.text
        assert len(mail.messages) == sent

    def test_an_invitee_no_longer_involved_gets_no_links_that_would_answer_404(
            self, client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
        """Fresh eyes on issue 20: the school, invited without a consent, is involved only
        until the meeting is held; its meeting page then offers no brief, minutes or family."""
        regisseur, school, _, meeting = arrange(client, session, policy)
        path = f"/api/v1/meetings/{meeting['id']}"
        client.post(path + "/schedule", headers=regisseur.headers,
                    json={"slot_id": meeting["slots"][0]["id"]})
        logged_in(client, school)
        before = client.get(f"/bijeenkomsten/{meeting['id']}").text
        assert "/voorbereiding" in before and "/gezinnen/" in before
        held = client.post(path + "/outcome", headers=regisseur.headers,
                           json=outcome(regisseur.professional.id, school.org.id,
                                        assessment=True))
        assert held.status_code == 201, held.text
        after = client.get(f"/bijeenkomsten/{meeting['id']}").text
        for link in ("/voorbereiding", "/verslag", "/gezinnen/"):
            assert link not in after
            found = re.search(rf'href="([^"]*{link}[^"]*)"', before)
            if found:
                assert client.get(found.group(1)).status_code == 404

    def test_a_passed_slot_cannot_be_chosen(
            self, client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
        regisseur, _, _, meeting = arrange(client, session, policy)
        with frozen_at(local_moment(14, 10)):  # half an hour after the first slot began
            refused = client.post(f"/api/v1/meetings/{meeting['id']}/schedule",
                                  headers=regisseur.headers,
                                  json={"slot_id": meeting["slots"][0]["id"]})
        assert refused.status_code == 422 and refused.json()["code"] == "slot_in_past"
        assert mail.messages == []


class TestTheFamilysLinks:
    def test_once_planned_the_personal_link_states_the_moment(
            self, client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
        regisseur, _, _, meeting = arrange(client, session, policy)
        client.post(f"/api/v1/meetings/{meeting['id']}/schedule", headers=regisseur.headers,
                    json={"slot_id": meeting["slots"][1]["id"]})
        page = client.get(f"/uitnodiging/{mother_link(meeting)}")
        assert page.status_code == 200
        assert "Wanneer kunt u?" not in page.text and "<form" not in page.text.split("<main")[1]
        assert local_moment(15, 9, 30).strftime("%d-%m-%Y %H:%M") in page.text
        to_mother = [m for m in mail.messages
                     if email.message_from_bytes(m)["To"] == "sanne@example.org"]
        assert to_mother and all("Wanneer kunt u" not in mail_text(m) for m in to_mother)

    def test_the_poll_reminder_sends_the_mother_her_own_link(
            self, client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
        regisseur, school, gp, meeting = arrange(client, session, policy)
        answer(client, school, meeting, ("yes", "yes", "yes"))
        with frozen_at(now() + timedelta(days=1, minutes=1)):
            polls, _ = service.send_reminders(session)
        by_address = {email.message_from_bytes(m)["To"]: mail_text(m) for m in mail.messages}
        assert polls == len(mail.messages)
        hers = by_address["sanne@example.org"]
        assert f"/uitnodiging/{mother_link(meeting)}" in hers
        assert "/bijeenkomsten/" not in hers
        assert gp.professional is not None
        assert f"/bijeenkomsten/{meeting['id']}" in by_address[gp.professional.email]
        # The link in the reminder works.
        assert client.get(f"/uitnodiging/{mother_link(meeting)}").status_code == 200

    def test_an_unknown_link_says_what_to_do_and_offers_no_professional_login(
            self, client: TestClient) -> None:
        page = client.get("/uitnodiging/no-such-link-at-all")
        assert page.status_code == 404
        assert "Vraag uw regisseur om een nieuwe link" in page.text
        assert "Foutcode" not in page.text and 'href="/login"' not in page.text

    def test_a_used_link_says_in_dutch_what_to_do(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        _, _, _, meeting = arrange(client, session, policy)
        link = f"/uitnodiging/{mother_link(meeting)}"
        csrf = csrf_of(client.get(link).text)
        answered = client.post(link, data={"csrf_token": csrf,
                                           f"slot:{meeting['slots'][0]['id']}": "yes"},
                               follow_redirects=False)
        assert answered.status_code == 303
        assert "Bedankt" in client.get(answered.headers["location"]).text
        again = client.get(link)
        assert again.status_code == 410 and "Vraag uw regisseur om een nieuwe link" in again.text


class TestPagesForPartners:
    def test_the_school_sees_roles_not_refs_gets_the_calendar_and_a_link_to_the_family(
            self, client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
        regisseur, school, _, meeting = arrange(client, session, policy)
        client.post(f"/api/v1/meetings/{meeting['id']}/schedule", headers=regisseur.headers,
                    json={"slot_id": meeting["slots"][0]["id"]})
        logged_in(client, school)
        page = client.get(f"/bijeenkomsten/{meeting['id']}")
        assert page.status_code == 200
        assert "ouder (naam afgeschermd)" in page.text and "kind (naam afgeschermd)" in page.text
        assert not re.search(r"\b(moeder|kind)\b(?! \(naam)", page.text.split("<main")[1])
        assert f'href="/gezinnen/{meeting["household_id"]}"' in page.text
        ics = client.get(f"/bijeenkomsten/{meeting['id']}/agenda.ics")
        assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
        assert b"BEGIN:VEVENT" in ics.content
        stranger = caller(client, session, policy, party="woningcorporatie", roles=["partner"])
        logged_in(client, stranger)
        assert client.get(f"/bijeenkomsten/{meeting['id']}/agenda.ics").status_code == 404

    def test_the_regisseur_is_linked_to_the_household_page(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        regisseur, _, _, meeting = arrange(client, session, policy)
        logged_in(client, regisseur)
        page = client.get(f"/bijeenkomsten/{meeting['id']}")
        assert f'href="/huishoudens/{meeting["household_id"]}"' in page.text
        assert "S. Jansen" in page.text and "N. Jansen" in page.text


class TestMinutesPage:
    def test_the_minutes_have_the_sites_frame_a_way_back_and_a_pdf(
            self, client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
        regisseur, school, _, meeting = arrange(client, session, policy)
        hold(client, regisseur, school.org.id, meeting)
        logged_in(client, regisseur)
        page = client.get(f"/bijeenkomsten/{meeting['id']}/verslag")
        assert page.status_code == 200
        assert "Uitloggen" in page.text and 'href="/static/app.css"' in page.text
        assert f'href="/bijeenkomsten/{meeting["id"]}"' in page.text
        assert f'href="/bijeenkomsten/{meeting["id"]}/verslag.pdf"' in page.text
        assert "structureel onveilig" in page.text and "onveilig_structureel" not in page.text
        pdf = client.get(f"/bijeenkomsten/{meeting['id']}/verslag.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        meeting_page = client.get(f"/bijeenkomsten/{meeting['id']}")
        assert "Gehouden op" in meeting_page.text and "/verslag" in meeting_page.text


class TestMeetingDayKeepsItsInput:
    def test_a_refused_outcome_shows_the_form_again_with_what_was_entered(
            self, client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
        regisseur, school, _, meeting = arrange(client, session, policy)
        client.post(f"/api/v1/meetings/{meeting['id']}/schedule", headers=regisseur.headers,
                    json={"slot_id": meeting["slots"][0]["id"]})
        csrf = logged_in(client, regisseur)
        refused = client.post(f"/bijeenkomsten/{meeting['id']}/uitkomst", data={
            "csrf_token": csrf, "child_needs": "Rust en structuur.", "worries": "Verzuim",
            "goal1": "Elke dag naar school", "goal1_domain": "onderwijs",
            "action1": "Bellen", "action1_owner": school.org.id, "action1_goal": "1",
            "assessment_outcome": "onveilig_acuut"})
        assert refused.status_code == 422
        assert "Vul de analyse, het perspectief" in refused.text
        assert ">Rust en structuur.</textarea>" in refused.text
        assert 'value="Elke dag naar school"' in refused.text
        assert '<option value="onderwijs" selected>' in refused.text
        assert f'<option value="{school.org.id}" selected>' in refused.text
        assert '<option value="onveilig_acuut" selected>' in refused.text
