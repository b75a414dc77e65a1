"""Issue 7 acceptance 6 in a real browser: a teacher walks a meldcode case from step 1 to an
override request; another aandachtsfunctionaris approves it."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from broker.clock import local_day, now
from tests.conftest import LiveServer
from tests.factories import PASSWORD
from tests.meldcode.test_pages import school_case

pytestmark = pytest.mark.browser


def log_in(page: Page, server: LiveServer, email: str, next_path: str) -> None:
    page.goto(server.url + f"/login?next={next_path}")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_a_case_from_step_1_to_an_approved_override(page: Page,
                                                    live_server: LiveServer) -> None:
    with live_server.session() as session, session.begin():
        _, ids, vt_id = school_case(session, live_server.app.state.policy)
    log_in(page, live_server, "juf@example.org", f"/huishoudens/{ids['household']}")
    page.get_by_role("link", name="Meldcode-zaak openen").click()
    page.get_by_role("button", name="Zaak openen").click()
    for number in (1, 2, 3):
        expect(page.get_by_role("heading", name=f"Stap {number}:")).to_be_visible()
        page.get_by_label("Wat heeft u gedaan").fill(f"Stap {number} gedaan.")
        page.get_by_role("button", name="Stap vastleggen").click()
    expect(page.get_by_role("heading", name="Stap 4:")).to_be_visible()
    page.locator("input[name=vermoeden][value=ja]").check()
    page.locator("input[name=acuut_of_structureel_onveilig][value=nee]").check()
    page.locator("input[name=hulp_mogelijk][value=ja]").check()
    page.locator("input[name=hulp_geaccepteerd][value=nee]").check()
    page.locator("input[name=hulp_leidt_tot_veiligheid][value=nee]").check()
    page.get_by_label("Wat heeft u gedaan").fill("Gewogen met de aandachtsfunctionaris.")
    page.get_by_role("button", name="Stap vastleggen").click()
    expect(page.get_by_role("heading", name="Stap 5:")).to_be_visible()

    page.locator("input[name=categories][value=gezondheid]").check()
    page.get_by_label("Aan welke organisatie?").select_option(vt_id)
    page.get_by_label("Waarom is dit nodig").fill("Blauwe plekken; Veilig Thuis moet kijken.")
    page.get_by_label("Geldig tot").fill((local_day(now()) + timedelta(days=10)).isoformat())
    page.get_by_label("Ouders informeren op").fill(
        (local_day(now()) + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Doorbreking aanvragen").click()
    expect(page.locator(".override-status")).to_contain_text("wacht op goedkeuring")
    override_url = page.url

    page.get_by_role("button", name="Uitloggen").click()
    log_in(page, live_server, "af@example.org", "/meldcode/overzicht")
    page.locator(f"a[href='{override_url.removeprefix(live_server.url)}']").click()
    page.get_by_role("button", name="Goedkeuren").click()
    expect(page.locator(".override-status")).to_contain_text("geldt")
