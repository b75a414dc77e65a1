"""Issue 21 in the browser: a regisseur records the help request with the family (the
uniform safety questions answered), a conversation with the child in the child's own words,
and then tries to close because the family stops: refused in Dutch (`closure_unsafe`), with
what was typed still there."""

import re

import pytest
from playwright.sync_api import Page, expect

from broker.policy import Policy
from tests.conftest import LiveServer
from tests.e2e.test_issue20_regisseur_browser import (
    arrange,
    create_the_de_vries_family,
    log_in,
)

pytestmark = pytest.mark.browser


def test_intake_a_childs_own_words_and_a_refused_closure(
        page: Page, live_server: LiveServer, policy: Policy) -> None:
    arrange(live_server)
    log_in(page, live_server)
    create_the_de_vries_family(page)
    page.get_by_role("link", name="Hulpverlening (van hulpvraag tot afsluiting)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Hulpverlening: Gezin De Vries / Bakker")

    intake = page.locator("form[action$='/hulp/hulpvraag']")
    intake.get_by_label("De hulpvraag, in de woorden van het gezin").fill(
        "Rust in huis en Noor weer elke dag naar school.")
    who = intake.get_by_role("group", name="Wie deden mee?")
    who.get_by_label("Jan de Vries").check()
    who.get_by_label("Noor de Vries").check()
    for question in policy.safety.questions:
        answer = "ja" if question.id == "zorgen_veiligheid" else "nee"
        intake.get_by_role("group", name=question.text).get_by_label(answer, exact=True).check()
    intake.get_by_role("button", name="Hulpvraag vastleggen").click()
    expect(page).to_have_url(re.compile(r"/hulp#hulpvraag$"))
    recorded = page.locator("article.help-request")
    expect(recorded).to_contain_text("Rust in huis en Noor weer elke dag naar school.")
    expect(recorded).to_contain_text("J. de Vries, N. de Vries")
    expect(recorded).to_contain_text("volledige veiligheidstaxatie nodig")

    page.locator("section[aria-labelledby=kindgesprekken] details summary").click()
    talk = page.locator("form[action$='/hulp/kindgesprek']")
    talk.locator("select[name=child_id]").select_option(label="Noor de Vries")
    talk.locator("select[name=place]").select_option(label="op school")
    talk.get_by_label("Zorgen").fill("Papa en mama maken ruzie.")
    talk.get_by_label("Wat gaat goed").fill("Voetbal op woensdag.")
    talk.get_by_label("Wensen").fill("Dat het thuis rustig is.")
    talk.get_by_role("button", name="Kindgesprek vastleggen").click()
    expect(page).to_have_url(re.compile(r"/hulp#kindgesprekken$"))
    spoken = page.locator("article.child-contact")
    expect(spoken).to_contain_text("N. de Vries")
    expect(spoken).to_contain_text("Papa en mama maken ruzie.")
    expect(page.locator("ul.children-seen")).to_contain_text("gezien en gesproken op")

    page.locator("section[aria-labelledby=afsluiten] details summary").click()
    closing = page.locator("form[action$='/hulp/afsluiten']")
    closing.get_by_label("het gezin stopt").check()
    closing.get_by_label("Toelichting", exact=False).fill("Moeder wil geen hulp meer.")
    closing.get_by_role("button", name="Hulp afsluiten").click()
    summary = page.get_by_role("alert")  # at the top of the page, where the eye starts
    expect(summary).to_contain_text("Afsluiten kan nu niet: de laatste taxatie is niet veilig "
                                    "of het gezin stopt, en er is niet opgeschaald.")
    expect(summary.get_by_role("link", name="Een opschaling vastleggen")).to_have_attribute(
        "href", "#opschaling")
    refusal = page.locator("section[aria-labelledby=afsluiten] .error-message")
    expect(refusal).to_contain_text("Leg eerst een opschaling vast")
    closing = page.locator("form[action$='/hulp/afsluiten']")
    expect(closing.get_by_label("het gezin stopt")).to_be_checked()
    expect(closing.get_by_label("Toelichting", exact=False)).to_have_value(
        "Moeder wil geen hulp meer.")
