"""Issue 20 acceptance, the partner's part, in a real browser: the school logs in and, by
the menu alone (no URL typed after the login), opens 'Gezinnen', finds the family it is
involved with, opens it and sees the members by the names it may see and the meeting it is
invited to; from the meeting it finds its way back to the family."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer
from tests.factories import PASSWORD
from tests.partners.helpers import involved_school

pytestmark = pytest.mark.browser


def test_the_school_finds_its_family_from_the_menu(page: Page, live_server: LiveServer
                                                   ) -> None:
    with live_server.session() as session, session.begin():
        world = involved_school(session, live_server.app.state.policy)
    page.goto(live_server.url + "/login")
    page.get_by_label("E-mailadres").fill("juf@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    page.get_by_role("navigation").get_by_role("link", name="Gezinnen").click()
    expect(page.get_by_role("heading", name="Gezinnen", exact=True)).to_be_visible()
    family = page.get_by_role("link", name="Gezin Jansen")
    expect(family).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Gezin K.")
    family.click()

    expect(page.get_by_role("heading", name="Gezin Jansen", level=1)).to_be_visible()
    members = page.locator("section", has=page.get_by_role("heading", name="Gezinsleden"))
    expect(members).to_contain_text("Noor Jansen")
    expect(members).to_contain_text("Ouder 1")  # no consent for the mother's name
    expect(members).not_to_contain_text("c1")
    meeting = page.get_by_role("link", name=re.compile(world.meeting_reference))
    expect(meeting).to_be_visible()
    expect(page.locator("article.withheld")).to_contain_text("Vraag de regisseur")

    meeting.click()
    expect(page.locator("main")).to_contain_text(world.meeting_reference)
    page.get_by_role("link", name="Naar het gezin").click()
    expect(page.get_by_role("heading", name="Gezin Jansen", level=1)).to_be_visible()
