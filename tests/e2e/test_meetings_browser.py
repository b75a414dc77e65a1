"""Issue 8 acceptance 5 in a real browser: the regisseur creates a meeting, sees the poll
grid fill (a parent answers through the personal link), and schedules it; the invitations
reach a real SMTP server."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer, Mailbox
from tests.consent.test_pages import arrange
from tests.dates import form_moment, local_moment
from tests.factories import PASSWORD, make_org

pytestmark = pytest.mark.browser


def test_regisseur_creates_polls_and_schedules(
        page: Page, live_server_factory: Callable[..., LiveServer],
        smtp_server: Mailbox) -> None:
    server = live_server_factory(mailbox=smtp_server)
    with server.session() as session, session.begin():
        _, ids = arrange(session, server.app.state.policy)
        make_org(session, server.app.state.policy, party="school", name="De Linde")
    page.goto(server.url + f"/login?next=/huishoudens/{ids['household']}")
    page.get_by_label("E-mailadres").fill("reg@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("link", name="Netwerkbijeenkomst organiseren").click()
    page.get_by_label("Plaats").fill("Wijkcentrum De Kamp")
    page.get_by_label("Moment 1").fill(form_moment(14, 9, 30))
    page.get_by_label("Moment 2").fill(form_moment(15, 14))
    page.locator(f"input[name=members][value='{ids['m']}']").check()
    page.get_by_role("button", name="Uitnodigen om beschikbaarheid op te geven").click()
    expect(page.locator("table.poll")).to_contain_text("S. Jansen")
    link = page.locator("article.attention code").first.inner_text()

    page.goto(link)
    radios = page.locator("input[type=radio][value=no]")
    radios.nth(0).check()
    page.locator("input[type=radio][value=yes]").nth(1).check()
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_role("heading", name="Bedankt")).to_be_visible()

    page.goto(server.url + "/bijeenkomsten")
    page.locator("main a[href^='/bijeenkomsten/']").first.click()
    expect(page.locator("table.poll")).to_contain_text("nee")
    expect(page.locator("table.poll")).to_contain_text("ja")
    for n in range(2):
        page.locator("tr.mine select").nth(n).select_option("yes")
    page.get_by_role("button", name="Mijn beschikbaarheid opslaan").click()
    page.get_by_role("button", name="Plannen en uitnodigingen versturen").click()
    expect(page.locator(".meeting-status")).to_have_text("gepland")
    expect(page.locator("th.chosen")).to_contain_text(f"{local_moment(15, 14):%d-%m-%Y}")
    assert smtp_server.messages  # the invitation went out
