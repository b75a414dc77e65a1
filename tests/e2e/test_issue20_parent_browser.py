"""Issue 20 acceptance 1, the parent: the mother opens her personal link on a phone (390 x 844),
reads her page (the summary first, no sideways scrolling, the school's many looks at the
household folded into one line) and withdraws a consent; the page shows it withdrawn."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from broker.consent.schemas import ConsentCreate
from broker.consent.service import grant_consent
from broker.family.service import create_link
from broker.households.service import view_household
from broker.identity.service import professional_principal, require_organisation
from tests.conftest import LiveServer
from tests.consent.test_pages import arrange
from tests.factories import make_org, make_professional

pytestmark = pytest.mark.browser


def arrange_family(server: LiveServer) -> str:
    """Sanne and Noor (13); consents for the school; the school opens the household page
    twelve times. Returns Sanne's personal link."""
    with server.session() as session, session.begin():
        regisseur, ids = arrange(session, server.app.state.policy)
        school = make_org(session, server.app.state.policy, party="school", name="De Linde")
        teacher = professional_principal(session, require_organisation(session, school.id),
                                         make_professional(session, school,
                                                           roles=["partner"]))
        for subject, grantors in (("m", ["m"]), ("c1", ["c1", "m"])):
            grant_consent(session, actor=regisseur, body=ConsentCreate.model_validate({
                "subject_id": ids[subject], "categories": ["basisgegevens", "onderwijs"],
                "recipients": [{"organisation_id": school.id}], "purposes": ["hulpverlening"],
                "grantor_ids": [ids[g] for g in grantors], "evidence": {"method": "written"}}))
        for _ in range(12):
            view_household(session, actor=teacher, household_id=ids["household"])
        return create_link(session, actor=regisseur, household_id=ids["household"],
                           member_id=ids["m"], send=False).url


def no_sideways_scroll(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_mother_reads_her_page_on_a_phone_and_withdraws_a_consent(
        page: Page, live_server_factory: Callable[..., LiveServer]) -> None:
    server = live_server_factory()
    url = arrange_family(server)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    page.get_by_role("button", name="Open mijn pagina").click()

    expect(page.get_by_role("heading", name="Hallo Sanne")).to_be_visible()
    summary = page.locator("article.summary")
    expect(summary).to_be_in_viewport()  # the summary first, without scrolling
    expect(summary).to_contain_text("Sinds")
    expect(summary).to_contain_text("1 organisatie iets over u of uw kinderen gezien")
    no_sideways_scroll(page, 390)
    header = page.locator("body > header")
    expect(header.get_by_role("button", name="Uitloggen")).to_be_visible()
    expect(header.get_by_role("link", name="Inloggen")).to_have_count(0)

    school = page.locator("article.organisation", has_text="De Linde")
    expect(school.locator("li.fold")).to_have_count(1)
    expect(school.locator("li.fold")).to_contain_text("De Linde heeft uw dossier 12 keer geopend.")
    school.get_by_text("Wat, waarom en wanneer?").click()
    expect(school.locator("li.fold details")).to_contain_text("naam en geboortedatum")

    mine = page.locator("ul.consents > li", has_text="informatie over u zien")
    expect(mine).to_contain_text("Geldt nu")
    consent_id = mine.get_attribute("data-consent")
    mine.get_by_text("Toestemming intrekken").click()
    expect(mine).to_contain_text("Weet u het zeker?")
    mine.get_by_role("button", name="Ja, trek deze toestemming in").click()

    expect(page).to_have_url(f"{server.url}/mijn?ingetrokken={consent_id}#toestemming")
    withdrawn = page.locator("ul.consents > li", has_text="informatie over u zien")
    expect(withdrawn).to_have_attribute("data-status", "withdrawn")
    expect(withdrawn).to_contain_text("Ingetrokken")
    expect(withdrawn.get_by_role("status")).to_contain_text(
        "U heeft deze toestemming ingetrokken.")
    expect(withdrawn.get_by_role("button", name="Ja, trek deze toestemming in")).to_have_count(0)
    no_sideways_scroll(page, 390)
    page.set_viewport_size({"width": 320, "height": 700})
    no_sideways_scroll(page, 320)


def test_a_used_link_on_the_phone_says_whom_to_ask(
        page: Page, live_server_factory: Callable[..., LiveServer]) -> None:
    server = live_server_factory()
    url = arrange_family(server)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    page.get_by_role("button", name="Open mijn pagina").click()
    expect(page.get_by_role("heading", name="Hallo Sanne")).to_be_visible()
    page.goto(url)
    expect(page.get_by_role("heading", name="Deze link is al gebruikt")).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        "Vraag uw regisseur van Wijkteam Noord om een nieuwe link.")
    expect(page.locator("main")).not_to_contain_text("Foutcode")
    no_sideways_scroll(page, 390)
