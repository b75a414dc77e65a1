"""Issue 20, accessibility: a parent answers the meeting poll with the keyboard alone (Tab to
each slot, Space picks an answer, arrows change it, Enter sends). The consent form's keyboard
walk is in test_issue20_regisseur_browser.py."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer, Mailbox
from tests.consent.test_pages import arrange
from tests.dates import form_moment
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def focused(page: Page, selector: str) -> bool:
    return bool(page.evaluate("s => document.activeElement?.matches(s) ?? false", selector))


def tab_to(page: Page, selector: str, presses: int = 40) -> None:
    for _ in range(presses):
        page.keyboard.press("Tab")
        if focused(page, selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_a_parent_answers_the_poll_with_the_keyboard_alone(
        page: Page, live_server_factory: Callable[..., LiveServer],
        smtp_server: Mailbox) -> None:
    server = live_server_factory(mailbox=smtp_server)
    with server.session() as session, session.begin():
        _, ids = arrange(session, server.app.state.policy)
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
    link = page.locator("article.attention code").first.inner_text()

    page.goto(link)
    groups = page.locator("main fieldset")
    expect(groups).to_have_count(2)
    tab_to(page, "main fieldset:nth-of-type(1) input[type=radio]")
    page.keyboard.press("Space")  # the first answer of the first slot
    page.keyboard.press("ArrowDown")  # changed to the next answer
    tab_to(page, "main fieldset:nth-of-type(2) input[type=radio]")
    page.keyboard.press("Space")
    first = groups.nth(0).locator("input:checked").get_attribute("value")
    second = groups.nth(1).locator("input:checked").get_attribute("value")
    values = groups.nth(0).locator("input[type=radio]").evaluate_all(
        "rs => rs.map(r => r.value)")
    assert (first, second) == (values[1], values[0])
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Bedankt")).to_be_visible()
