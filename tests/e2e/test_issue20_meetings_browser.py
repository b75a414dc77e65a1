"""Issue 20 in a real browser: a school's professional logs in, finds the meeting through
the Bijeenkomsten menu (no typed address after the login) and answers the poll; the
regisseur then plans with "Het beste moment", and reloading the page sends nothing twice."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from broker.meetings import service
from broker.meetings.schemas import MeetingCreate
from tests.conftest import LiveServer, Mailbox
from tests.consent.test_pages import arrange
from tests.dates import local_moment
from tests.factories import PASSWORD, make_org, make_professional

pytestmark = pytest.mark.browser


def log_in(page: Page, server: LiveServer, email: str) -> None:
    page.goto(server.url + "/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_partner_answers_from_the_menu_and_the_best_moment_is_planned_once(
        page: Page, live_server_factory: Callable[..., LiveServer],
        smtp_server: Mailbox) -> None:
    server = live_server_factory(mailbox=smtp_server)
    first, second = local_moment(14, 9, 30), local_moment(15, 14)
    with server.session() as session, session.begin():
        regisseur, ids = arrange(session, server.app.state.policy)
        school = make_org(session, server.app.state.policy, party="school", name="De Linde")
        make_professional(session, school, roles=["partner"], email="juf@example.org",
                          name="Juf Karin")
        view = service.create_meeting(session, actor=regisseur, body=MeetingCreate.model_validate({
            "household_id": ids["household"], "title": "Netwerkbijeenkomst",
            "duration_minutes": 90, "location": "Wijkcentrum De Kamp",
            "slots": [{"start": first.isoformat()}, {"start": second.isoformat()}],
            "invitees": [{"professional_id": regisseur.professional_id, "required": True},
                         {"organisation_id": school.id, "required": True}]}))
        reference = view.meeting.reference

    log_in(page, server, "juf@example.org")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Bijeenkomsten").click()
    page.get_by_role("link", name=reference).click()
    mine = page.locator("tr.mine select")
    mine.nth(0).select_option("no")
    mine.nth(1).select_option("yes")
    page.get_by_role("button", name="Mijn beschikbaarheid opslaan").click()
    expect(page.locator("tr.mine select").nth(1)).to_have_value("yes")
    expect(page.get_by_role("link", name="Naar het gezin")).to_have_attribute(
        "href", f"/gezinnen/{ids['household']}")
    assert smtp_server.messages == []
    page.get_by_role("button", name="Uitloggen").click()

    log_in(page, server, "reg@example.org")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Bijeenkomsten").click()
    page.get_by_role("link", name=reference).click()
    expect(page.locator("select[name=slot_id]")).to_have_value("")  # Het beste moment
    page.get_by_role("button", name="Plannen en uitnodigingen versturen").click()
    expect(page.locator(".chosen-moment strong")).to_have_text(f"{second:%d-%m-%Y %H:%M}")
    expect(page.get_by_role("button", name="Plannen en uitnodigingen versturen")).to_have_count(0)
    sent = len(smtp_server.messages)
    assert sent == 2  # the regisseur and the school's professional
    page.reload()
    expect(page.locator(".chosen-moment strong")).to_have_text(f"{second:%d-%m-%Y %H:%M}")
    page.reload()
    expect(page.locator(".meeting-status")).to_have_text("gepland")
    assert len(smtp_server.messages) == sent
