"""Acceptance 5 (issue 5) in a real browser: the form shows who must sign as the regisseur
chooses a child, and saving shows the receipt."""

import pytest
from playwright.sync_api import Page, expect

from broker.households.service import members_of
from tests.conftest import LiveServer
from tests.consent.test_pages import arrange
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_regisseur_records_consent_and_sees_the_receipt(page: Page,
                                                       live_server: LiveServer) -> None:
    with live_server.session() as session, session.begin():
        _, ids = arrange(session, live_server.app.state.policy)
        names = {m.id: m.given_name for m in members_of(session, ids["household"])}
    page.goto(live_server.url + "/login?next=/huishoudens")
    page.get_by_label("E-mailadres").fill("reg@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("link", name="Gezin Jansen").click()
    page.get_by_role("link", name="Toestemming vastleggen").click()
    page.get_by_label("Over wie gaat het?").select_option(ids["c1"])
    expect(page.locator("#wie")).to_contain_text("Wie moet tekenen")
    expect(page.locator("#wie")).to_contain_text("Noor Jansen")
    expect(page.locator("#wie")).to_contain_text("Sanne Jansen")
    for member_id in (ids["c1"], ids["m"]):
        page.locator(f"input[name=grantor_ids][value='{member_id}']").check()
    page.locator("input[name=categories][value=onderwijs]").check()
    page.locator("input[name=parties][value=school]").check()
    page.locator("input[name=purposes][value=hulpverlening]").check()
    page.get_by_role("button", name="Toestemming vastleggen").click()
    expect(page.get_by_role("heading", name="Bewijs van toestemming")).to_be_visible()
    expect(page.locator("article.receipt")).to_contain_text(names[ids["c1"]])
    expect(page.locator("article.receipt")).to_contain_text("Onderwijs")
