"""Issue 9 acceptance 5 in a real browser: the regisseur runs a meeting day, from who is
there and consent on the spot to a saved plan."""


import pytest
from playwright.sync_api import Page, expect

from broker.meetings.models import Invitee, Meeting, MeetingSlot, MeetingStatus
from tests.conftest import LiveServer
from tests.consent.test_pages import arrange
from tests.dates import days_from_today, local_moment
from tests.factories import PASSWORD, make_org

pytestmark = pytest.mark.browser


def test_regisseur_runs_a_meeting_day_to_a_saved_plan(page: Page,
                                                       live_server: LiveServer) -> None:
    with live_server.session() as session, session.begin():
        regisseur, ids = arrange(session, live_server.app.state.policy)
        school = make_org(session, live_server.app.state.policy, party="school",
                          name="De Linde")
        meeting = Meeting(household_id=ids["household"], reference="NB-TEST01", title=b"",
                          location="Wijkcentrum", duration_minutes=90,
                          organiser_id=regisseur.professional_id,
                          organisation_id=regisseur.organisation_id,
                          status=MeetingStatus.SCHEDULED, sequence=0)
        session.add(meeting)
        session.flush()
        slot = MeetingSlot(meeting_id=meeting.id, start=local_moment(0, 9, 30))
        session.add(slot)
        session.flush()
        meeting.slot_id = slot.id
        session.add_all([Invitee(meeting_id=meeting.id, organisation_id=school.id, required=True),
                         Invitee(meeting_id=meeting.id, member_id=ids["m"], required=True),
                         Invitee(meeting_id=meeting.id, member_id=ids["c1"], required=False)])
        meeting_id, school_id = meeting.id, school.id
    page.goto(live_server.url + f"/login?next=/bijeenkomsten/{meeting_id}/dag")
    page.get_by_label("E-mailadres").fill("reg@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    consent = page.locator("form[action$='/toestemming']")
    for member in (ids["m"], ids["c1"]):
        consent.locator(f"input[name=present][value='{member}']").check()
        consent.locator(f"input[name=grantor_ids][value='{member}']").check()
    consent.get_by_label("Over wie?").select_option(ids["c1"])
    consent.locator("input[name=categories][value=onderwijs]").check()
    consent.locator(f"input[name=recipients][value='{school_id}']").check()
    consent.get_by_role("button", name="Toestemming vastleggen").click()
    expect(page.locator(".error-message")).to_have_count(0)

    outcome = page.locator("form[action$='/uitkomst']")
    outcome.get_by_label("Wat heeft het kind nodig?").fill("Rust en structuur.")
    outcome.get_by_label("Wat kunnen de ouders?").fill("Moeder zet zich in.")
    outcome.get_by_label("Gezin en omgeving").fill("Oma woont dichtbij.")
    outcome.get_by_label("Gewenst perspectief").fill("Noor gaat graag naar school.")
    outcome.locator("input[name=goal1]").fill("Noor is elke dag op school.")
    outcome.locator("select[name=goal1_domain]").select_option("onderwijs")
    outcome.locator("input[name=action1]").fill("Aanwezigheid doorgeven.")
    outcome.locator("select[name=action1_owner]").select_option(school_id)
    outcome.locator("input[name=action1_due]").fill(days_from_today(45))
    outcome.get_by_label("Volgende evaluatie").fill(days_from_today(62))
    outcome.get_by_role("button", name="Plan vastleggen").click()
    expect(page.get_by_role("heading", name="Plan (versie 1)")).to_be_visible()
    expect(page.locator("article.goal")).to_contain_text("Noor is elke dag op school.")
    expect(page.locator("table")).to_contain_text("Aanwezigheid doorgeven.")
