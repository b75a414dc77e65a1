"""Issue 6 in a real browser: the partner's form shows, live, who would see the observation;
sharing it puts it on the household's timeline."""

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer
from tests.dates import days_from_today
from tests.factories import PASSWORD
from tests.observations.test_pages import school_with_consent

pytestmark = pytest.mark.browser


def test_partner_sees_the_live_preview_and_shares(page: Page, live_server: LiveServer) -> None:
    with live_server.session() as session, session.begin():
        _, ids = school_with_consent(session, live_server.app.state.policy)
    page.goto(live_server.url + f"/login?next=/huishoudens/{ids['household']}/signalen/nieuw")
    page.get_by_label("E-mailadres").fill("juf@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_label("Over wie gaat het?").select_option(ids["c1"])
    page.get_by_label("Leefgebied").select_option("financien")
    expect(page.locator("#voorbeeld")).to_contain_text("Dit mag niet gedeeld worden")
    page.get_by_label("Leefgebied").select_option("onderwijs")
    expect(page.locator("#voorbeeld")).to_contain_text("Dit mag gedeeld worden")
    expect(page.locator("#voorbeeld table")).to_contain_text("Wijkteam Noord")
    page.get_by_label("Gezien op").fill(days_from_today(-3))
    page.get_by_label("Wat heeft u gezien?").fill("Noor is vaak moe in de klas.")
    page.get_by_role("button", name="Signaal delen").click()
    expect(page.get_by_role("heading", name="Signalen")).to_be_visible()
    expect(page.locator("article.observation")).to_contain_text("Noor is vaak moe in de klas.")
