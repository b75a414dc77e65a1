"""Issue 20 acceptance 1, the regisseur: from the page after login, only clicking, a new
household (two parents, a child of 13), consent for the school signed as the law asks, and a
meeting with the school and the GP. A refused consent keeps its input and names who is
missing; a BSN that fails the elfproef is named in Dutch; the hints beside the special
categories leave the checkboxes free at 320 px; the consent form works by keyboard alone."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer, Mailbox
from tests.dates import form_moment, years_ago
from tests.factories import PASSWORD, make_org, make_professional

pytestmark = pytest.mark.browser

EMAIL = "regisseur@wijkteam.example"
VALID_BSN = "111222333"  # passes the elfproef


def arrange(server: LiveServer) -> None:
    """A wijkteam with its regisseur, a school and a GP practice."""
    policy = server.app.state.policy
    with server.session() as session, session.begin():
        team = make_org(session, policy, party="wijkteam", name="Wijkteam Oost")
        make_professional(session, team, roles=["regisseur"], email=EMAIL, name="Ria Regisseur")
        make_org(session, policy, party="school", name="OBS De Linde")
        make_org(session, policy, party="huisarts", name="Huisartsenpraktijk Het Anker")


def log_in(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/login")
    page.get_by_label("E-mailadres").fill(EMAIL)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def fill_member(page: Page, key: str, given: str, family: str, born: str, *,
                bsn: str = "", email: str = "") -> None:
    row = page.locator(f"fieldset[data-row='{key}']")
    row.get_by_label("Voornaam").fill(given)
    row.get_by_label("Achternaam").fill(family)
    row.get_by_label("Geboortedatum").fill(born)
    if bsn:
        row.get_by_label("BSN").fill(bsn)
    if email:
        row.get_by_label("E-mailadres").fill(email)


def new_household(page: Page) -> None:
    """From wherever the login lands: the menu, then the list's link."""
    page.get_by_role("navigation").get_by_role("link", name="Huishoudens", exact=True).click()
    page.get_by_role("link", name="Nieuw huishouden").click()
    expect(page.get_by_role("heading", name="Nieuw huishouden")).to_be_visible()


def create_the_de_vries_family(page: Page) -> None:
    new_household(page)
    fill_member(page, "adult-0", "Jan", "de Vries", "1984-05-12", bsn=VALID_BSN,
                email="jan@example.org")
    fill_member(page, "adult-1", "Sanne", "Bakker", "1986-09-30", email="sanne@example.org")
    fill_member(page, "child-0", "Noor", "de Vries", years_ago(13, 40))
    child = page.locator("fieldset[data-row='child-0']")
    child.get_by_label("Volwassene 1").check()
    child.get_by_label("Volwassene 2").check()
    page.get_by_role("button", name="Huishouden aanmaken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gezin De Vries / Bakker")


def test_regisseur_creates_a_household_records_consent_and_plans_a_meeting(
        page: Page, live_server_factory: Callable[..., LiveServer],
        smtp_server: Mailbox) -> None:
    server = live_server_factory(mailbox=smtp_server)
    arrange(server)
    log_in(page, server)
    create_the_de_vries_family(page)
    members = page.locator("section[aria-labelledby=leden]")
    for name in ("Jan de Vries", "Sanne Bakker", "Noor de Vries"):
        expect(members).to_contain_text(name)
    expect(page).to_have_url(re.compile(r"/huishoudens/[0-9a-f-]{36}$"))
    page.reload()  # the creation answered with a redirect: reloading creates nothing
    page.get_by_role("navigation").get_by_role("link", name="Huishoudens", exact=True).click()
    expect(page.locator("ul.households li")).to_have_count(1)
    expect(page.locator("ul.households")).to_contain_text("3 gezinsleden, 1 kind")

    page.get_by_role("link", name="Gezin De Vries / Bakker").click()
    page.get_by_role("link", name="Toestemming vastleggen").click()
    page.get_by_label("Over wie gaat het?").select_option(label="Noor de Vries")
    signers = page.locator("#wie")
    for name in ("Noor de Vries", "Jan de Vries", "Sanne Bakker"):
        expect(signers).to_contain_text(name)
    grantors = page.get_by_role("group", name="Wie geven toestemming?")
    for name in ("Noor de Vries", "Jan de Vries", "Sanne Bakker"):
        grantors.get_by_label(name).check()
    page.get_by_role("group", name="Welke gegevens?").get_by_label("Onderwijs").check()
    page.get_by_role("group", name="Of bepaalde organisaties").get_by_label(
        "OBS De Linde").check()
    page.get_by_role("group", name="Waarvoor?").get_by_label(
        "Afstemmen van hulp aan het gezin", exact=False).check()
    page.get_by_role("button", name="Toestemming vastleggen").click()
    expect(page.get_by_role("heading", name="Bewijs van toestemming")).to_be_visible()
    receipt = page.locator("article.receipt")
    expect(receipt).to_contain_text("Noor de Vries")
    expect(receipt).to_contain_text("OBS De Linde")
    expect(receipt).to_contain_text("schriftelijk")

    page.get_by_role("navigation").get_by_role("link", name="Huishoudens", exact=True).click()
    page.get_by_role("link", name="Gezin De Vries / Bakker").click()
    expect(page.locator("table.matrix")).to_contain_text("OBS De Linde")
    page.get_by_role("link", name="Netwerkbijeenkomst organiseren").click()
    page.get_by_label("Plaats").fill("Wijkcentrum De Kamp")
    page.get_by_label("Moment 1").fill(form_moment(14, 9, 30))
    page.get_by_label("Moment 2").fill(form_moment(15, 14))
    organisations = page.get_by_role("group", name="Organisaties")
    for name in ("OBS De Linde", "Huisartsenpraktijk Het Anker"):
        organisations.get_by_label(name, exact=True).check()
    page.get_by_role("button", name="Uitnodigen om beschikbaarheid op te geven").click()
    poll = page.locator("table.poll")
    expect(poll).to_contain_text("OBS De Linde")
    expect(poll).to_contain_text("Huisartsenpraktijk Het Anker")


def test_a_refused_consent_keeps_its_input_and_names_who_is_missing(
        page: Page, live_server: LiveServer) -> None:
    arrange(live_server)
    log_in(page, live_server)
    create_the_de_vries_family(page)
    page.get_by_role("link", name="Toestemming vastleggen").click()
    page.get_by_label("Over wie gaat het?").select_option(label="Noor de Vries")
    page.get_by_role("group", name="Wie geven toestemming?").get_by_label("Sanne Bakker").check()
    page.get_by_role("group", name="Welke gegevens?").get_by_label("Onderwijs").check()
    page.get_by_role("group", name="Met wie mogen ze gedeeld worden?").get_by_label(
        "School (elke)").check()
    page.get_by_role("group", name="Waarvoor?").get_by_label(
        "Afstemmen van hulp aan het gezin", exact=False).check()
    page.get_by_label("Kenmerk (bijv. formulier)").fill("FORM-2026-17")
    page.get_by_role("button", name="Toestemming vastleggen").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nog nodig: handtekening van J. de Vries (gezaghebbende) "
                                  "en van Noor (13 jaar).")
    expect(alert).not_to_contain_text("Kijk wie moet tekenen")
    expect(page.get_by_label("Over wie gaat het?").locator("option:checked")).to_have_text(
        "Noor de Vries")
    expect(page.get_by_role("group", name="Wie geven toestemming?").get_by_label(
        "Sanne Bakker")).to_be_checked()
    expect(page.get_by_role("group", name="Welke gegevens?").get_by_label(
        "Onderwijs")).to_be_checked()
    expect(page.get_by_role("group", name="Met wie mogen ze gedeeld worden?").get_by_label(
        "School (elke)")).to_be_checked()
    expect(page.get_by_role("group", name="Waarvoor?").get_by_label(
        "Afstemmen van hulp aan het gezin", exact=False)).to_be_checked()
    expect(page.get_by_label("Kenmerk (bijv. formulier)")).to_have_value("FORM-2026-17")

    # Adding the two who were missing is enough: the form needed no other change.
    grantors = page.get_by_role("group", name="Wie geven toestemming?")
    grantors.get_by_label("Jan de Vries").check()
    grantors.get_by_label("Noor de Vries").check()
    page.get_by_role("button", name="Toestemming vastleggen").click()
    expect(page.get_by_role("heading", name="Bewijs van toestemming")).to_be_visible()


def test_the_special_category_hints_do_not_cover_the_checkboxes(
        page: Page, live_server: LiveServer) -> None:
    arrange(live_server)
    page.set_viewport_size({"width": 320, "height": 800})
    log_in(page, live_server)
    create_the_de_vries_family(page)
    page.get_by_role("link", name="Toestemming vastleggen").click()
    for label in page.locator("label.choice").all():
        hint = label.locator("small.special")
        if not hint.count():
            continue
        box, text = label.locator("input").bounding_box(), hint.bounding_box()
        assert box and text
        assert text["y"] >= box["y"] + box["height"] - 1 or text["x"] >= box["x"] + box["width"]


def test_a_bsn_that_fails_the_elfproef_is_named_and_the_form_keeps_its_input(
        page: Page, live_server: LiveServer) -> None:
    arrange(live_server)
    log_in(page, live_server)
    new_household(page)
    fill_member(page, "adult-0", "Jan", "de Vries", "1984-05-12", bsn="123456789",
                email="jan@example.org")
    fill_member(page, "child-0", "Noor", "de Vries", years_ago(13, 40))
    page.locator("fieldset[data-row='child-0']").get_by_label("Volwassene 1").check()
    page.get_by_role("button", name="Huishouden aanmaken").click()

    expect(page.get_by_role("alert")).to_contain_text("Volwassene 1, BSN")
    bsn = page.locator("fieldset[data-row='adult-0']").get_by_label("BSN")
    expect(bsn).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#adult-0-bsn-error")).to_have_text(
        "Dit BSN bestaat niet: het klopt niet volgens de elfproef. Kijk of u alle cijfers "
        "goed hebt overgenomen.")
    expect(bsn).to_have_value("123456789")
    adult = page.locator("fieldset[data-row='adult-0']")
    expect(adult.get_by_label("Voornaam")).to_have_value("Jan")
    expect(adult.get_by_label("E-mailadres")).to_have_value("jan@example.org")
    expect(page.locator("fieldset[data-row='child-0']").get_by_label(
        "Volwassene 1: Jan de Vries")).to_be_checked()

    bsn.fill(VALID_BSN)
    page.get_by_role("button", name="Huishouden aanmaken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gezin De Vries")


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the element `selector` has the focus (never clicking)."""
    for _ in range(150):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_consent_form_works_with_the_keyboard_alone(
        page: Page, live_server: LiveServer) -> None:
    arrange(live_server)
    log_in(page, live_server)
    create_the_de_vries_family(page)
    page.get_by_role("link", name="Toestemming vastleggen").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Toestemming vastleggen")).to_be_visible()
    subject = page.get_by_label("Over wie gaat het?")
    noor = subject.locator("option", has_text="Noor de Vries").get_attribute("value")
    tab_to(page, "#subject_id")
    for _ in range(5):
        if subject.input_value() == noor:
            break
        page.keyboard.press("ArrowDown")
    assert subject.input_value() == noor
    expect(page.locator("#wie")).to_contain_text("Noor de Vries")
    members = page.locator("input[name=grantor_ids]")
    for n in range(members.count()):
        value = members.nth(n).get_attribute("value")
        tab_to(page, f"input[name=grantor_ids][value='{value}']")
        page.keyboard.press("Space")
    for selector in ("input[name=categories][value=onderwijs]",
                     "input[name=parties][value=school]",
                     "input[name=purposes][value=hulpverlening]"):
        tab_to(page, selector)
        page.keyboard.press("Space")
        expect(page.locator(selector)).to_be_checked()
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Bewijs van toestemming")).to_be_visible()
    expect(page.locator("article.receipt")).to_contain_text("School")
