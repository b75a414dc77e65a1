"""Acceptance 5 in a real browser: Debian's Chromium, driven by Playwright."""

import pytest
from playwright.sync_api import Page, expect

from broker.identity import service
from tests.conftest import LiveServer
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def anna(live_server: LiveServer) -> LiveServer:
    with live_server.session() as session, session.begin():
        org = service.create_organisation(session, name="Wijkteam Oost", party="wijkteam",
                                          policy=live_server.app.state.policy)
        service.create_professional(session, organisation_id=org.id, email="anna@example.org",
                                    name="Anna de Vries", roles=["regisseur", "admin"],
                                    password=PASSWORD)
    return live_server


def log_in(page: Page, server: LiveServer, password: str) -> None:
    page.goto(server.url + "/")
    page.get_by_role("link", name="Inloggen").first.click()
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()
    page.get_by_label("E-mailadres").fill("anna@example.org")
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()


def test_login_shows_the_dutch_home_page_with_name_and_roles(page: Page, anna: LiveServer
                                                             ) -> None:
    log_in(page, anna, PASSWORD)
    expect(page.get_by_role("heading", name="Welkom, Anna de Vries")).to_be_visible()
    roles = page.locator(".roles")
    expect(roles).to_contain_text("Regisseur")
    expect(roles).to_contain_text("Beheerder")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("link", name="Beheer")).to_be_visible()
    assert page.url == anna.url + "/"


def test_wrong_password_shows_a_dutch_error(page: Page, anna: LiveServer) -> None:
    log_in(page, anna, "not the password")
    expect(page.get_by_role("alert")).to_have_text(
        "Het e-mailadres of het wachtwoord klopt niet.")
    expect(page.get_by_label("E-mailadres")).to_have_attribute("aria-invalid", "true")


def test_post_without_csrf_token_is_refused(page: Page, anna: LiveServer) -> None:
    log_in(page, anna, PASSWORD)
    expect(page.get_by_role("heading", name="Welkom, Anna de Vries")).to_be_visible()
    response = page.request.post(anna.url + "/logout", form={"csrf_token": "guessed"})
    assert response.status == 403
    page.reload()
    expect(page.get_by_role("heading", name="Welkom, Anna de Vries")).to_be_visible()
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("navigation").get_by_role("link", name="Inloggen")).to_be_visible()


def test_skip_link_is_the_first_tab_stop_and_visible(page: Page, anna: LiveServer) -> None:
    page.goto(anna.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    expect(skip).to_be_focused()
    assert skip.bounding_box() is not None and skip.bounding_box()["width"] > 10  # type: ignore[index]


def test_page_loads_without_console_errors_or_csp_violations(page: Page,
                                                            anna: LiveServer) -> None:
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.goto(anna.url + "/")
    log_in(page, anna, PASSWORD)
    expect(page.get_by_role("heading", name="Welkom, Anna de Vries")).to_be_visible()
    assert page.evaluate("typeof htmx") == "object"
    assert problems == []
