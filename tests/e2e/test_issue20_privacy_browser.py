"""Issue 20 acceptance 1, the privacy officer: from the menu, without typing a URL after
logging in, she finds the mother of a household by name and birth date (giving a reason),
opens her art. 15 report, sees by name the staff member who looked at her data, and the
report's PDF link answers with a PDF."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from broker.households.service import view_household
from tests.conftest import LiveServer
from tests.consent.test_pages import arrange
from tests.factories import PASSWORD, make_org, make_professional

pytestmark = pytest.mark.browser


def test_privacy_officer_finds_the_mother_and_prints_her_report(
        page: Page, live_server_factory: Callable[..., LiveServer]) -> None:
    server = live_server_factory()
    policy = server.app.state.policy
    with server.session() as session, session.begin():
        regisseur, ids = arrange(session, policy)  # Sanne Jansen (02-04-1988), Gezin J.
        # Anna de Vries, the family's regisseur at Wijkteam Noord, opens the household.
        view_household(session, actor=regisseur, household_id=ids["household"])
        municipality = make_org(session, policy, party="gemeente", name="Gemeente Voorbeeld")
        make_professional(session, municipality, roles=["privacy_officer"],
                          email="fg@example.org", name="Fatima de FG")

    page.goto(server.url + "/login")
    page.get_by_label("E-mailadres").fill("fg@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Verantwoording").click()
    expect(page.get_by_role("heading", name="Logboek van verwerkingen")).to_be_visible()
    page.get_by_role("link", name="Inzage per persoon").click()
    page.get_by_label("Naam", exact=True).fill("Sanne Jansen")
    page.get_by_label("Geboortedatum").fill("1988-04-02")
    page.get_by_label("Reden").select_option(label="inzageverzoek (AVG artikel 15)")
    page.get_by_label("Kenmerk van het verzoek").fill("AVG-2026-014")
    page.get_by_role("button", name="Zoeken").click()

    found = page.locator("table.persons")
    expect(found).to_contain_text("Sanne Jansen")
    expect(found).to_contain_text("02-04-1988")
    expect(found).to_contain_text("Gezin J.")
    page.get_by_role("link", name="Inzageoverzicht van Sanne Jansen").click()

    expect(page.get_by_role("heading", name="Inzageoverzicht (AVG artikel 15)")).to_be_visible()
    expect(page.locator("dl.report-person")).to_contain_text("Sanne Jansen")
    staff = page.locator("table.staff")
    expect(staff).to_contain_text("Anna de Vries")
    expect(staff).to_contain_text("Wijkteam Noord")
    expect(page.locator("table.report-lines")).to_contain_text("Basisgegevens")

    pdf_link = page.get_by_role("button", name="Overzicht als PDF")
    href = pdf_link.get_attribute("href")
    assert href is not None and href.startswith("/verantwoording/personen/")
    pdf = page.request.get(server.url + href)  # the link, with the browser's session
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")


def test_an_unknown_name_and_the_proof_link_in_the_browser(
        page: Page, live_server_factory: Callable[..., LiveServer]) -> None:
    server = live_server_factory()
    policy = server.app.state.policy
    with server.session() as session, session.begin():
        arrange(session, policy)
        municipality = make_org(session, policy, party="gemeente", name="Gemeente Voorbeeld")
        make_professional(session, municipality, roles=["privacy_officer"],
                          email="fg@example.org", name="Fatima de FG")

    page.goto(server.url + "/login")
    page.get_by_label("E-mailadres").fill("fg@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Verantwoording").click()
    page.get_by_role("link", name="Inzage per persoon").click()
    page.get_by_label("Naam", exact=True).fill("Piet Pietersen")
    page.get_by_label("Geboortedatum").fill("1988-04-02")
    page.get_by_label("Kenmerk van het verzoek").fill("AVG-2026-015")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.locator(".unknown-person")).to_have_text(
        "Onbekende persoon: niemand gevonden met deze naam en geboortedatum")

    page.get_by_role("link", name="Logboek").click()
    page.locator("table.events a").first.click()
    expect(page.get_by_role("heading", name="Gebeurtenis")).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith("/bewijs")) as answer:
        page.get_by_role("link", name="Bewijs van opname in het logboek (JSON)").click()
    assert answer.value.status == 200
    assert answer.value.headers["content-type"] == "application/json"
    assert "leaf_index" in answer.value.json()
