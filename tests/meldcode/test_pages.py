"""Issue 7 pages: the case as a guided form, the override request and the four-eyes
approval, the review queue."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker.clock import local_day, now
from broker.identity.models import Organisation
from broker.identity.principal import Principal
from broker.policy import Policy
from tests.factories import PASSWORD, make_org, make_professional
from tests.identity.flows import csrf_of, login
from tests.observations.test_pages import school_with_consent


def school_case(session: Session, policy: Policy) -> tuple[Principal, dict[str, str], str]:
    """De Linde's teacher (juf@) and aandachtsfunctionaris (af@); Veilig Thuis to be
    told."""
    teacher, ids = school_with_consent(session, policy)
    school = session.get(Organisation, teacher.organisation_id)
    assert school is not None
    make_professional(session, school, roles=["aandachtsfunctionaris"],
                      email="af@example.org")
    veilig_thuis = make_org(session, policy, party="veilig_thuis", name="Veilig Thuis")
    return teacher, ids, veilig_thuis.id


class TestCasePages:
    def test_steps_override_and_approval_through_the_pages(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        _, ids, vt_id = school_case(session, policy)
        login(client, "juf@example.org", PASSWORD)
        new = client.get(f"/meldcode/nieuw?household={ids['household']}")
        # The school may not see the family's names (no consent for basisgegevens).
        assert new.status_code == 200 and ids["c1"] in new.text and "Noor" not in new.text
        opened = client.post("/meldcode/zaken", data={"csrf_token": csrf_of(new.text),
                                                      "child_id": ids["c1"]},
                             follow_redirects=False)
        assert opened.status_code == 303
        case_path = opened.headers["location"]
        page = client.get(case_path)
        assert "Stap 1: Signalen in kaart brengen" in page.text
        csrf = csrf_of(page.text)
        for number in (1, 2, 3):
            done = client.post(case_path + "/stap", data={
                "csrf_token": csrf, "step": str(number), "content": f"Stap {number} gedaan."},
                follow_redirects=False)
            assert done.status_code == 303, done.text
        four = client.post(case_path + "/stap", data={
            "csrf_token": csrf, "step": "4", "content": "Gewogen.", "vermoeden": "ja",
            "acuut_of_structureel_onveilig": "nee", "hulp_mogelijk": "ja",
            "hulp_geaccepteerd": "nee", "hulp_leidt_tot_veiligheid": "nee"},
            follow_redirects=False)
        assert four.status_code == 303
        page = client.get(case_path)
        assert "Aanvaarden de betrokkenen de hulp" in page.text and "Stap 5" in page.text
        requested = client.post(case_path + "/doorbreking", data={
            "csrf_token": csrf, "subject_ids": ids["c1"], "categories": "gezondheid",
            "recipients": vt_id, "justification": "Blauwe plekken.",
            "valid_until": (local_day(now()) + timedelta(days=10)).isoformat(),
            "planned_on": (local_day(now()) + timedelta(days=2)).isoformat()},
            follow_redirects=False)
        assert requested.status_code == 303, requested.text
        override_path = requested.headers["location"]
        mine = client.get(override_path)
        assert "wacht op goedkeuring" in mine.text and "Goedkeuren" not in mine.text

        client.post("/logout", data={"csrf_token": csrf})
        login(client, "af@example.org", PASSWORD)
        queue = client.get("/meldcode/overzicht")
        assert override_path in queue.text
        approved = client.post(override_path + "/goedkeuren",
                               data={"csrf_token": csrf_of(queue.text)},
                               follow_redirects=True)
        assert "geldt" in approved.text

    def test_a_step_5_that_contradicts_the_weighing_is_explained(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        _, ids, _ = school_case(session, policy)
        login(client, "juf@example.org", PASSWORD)
        new = client.get(f"/meldcode/nieuw?household={ids['household']}")
        case_path = client.post("/meldcode/zaken", data={
            "csrf_token": csrf_of(new.text), "child_id": ids["c1"]},
            follow_redirects=False).headers["location"]
        csrf = csrf_of(client.get(case_path).text)
        for number in (1, 2, 3):
            client.post(case_path + "/stap", data={"csrf_token": csrf, "step": str(number),
                                                   "content": "gedaan"})
        client.post(case_path + "/stap", data={
            "csrf_token": csrf, "step": "4", "content": "Gewogen.", "vermoeden": "ja",
            "acuut_of_structureel_onveilig": "ja", "hulp_mogelijk": "ja",
            "hulp_geaccepteerd": "ja", "hulp_leidt_tot_veiligheid": "nee"})
        closing = client.post(case_path + "/stap", data={
            "csrf_token": csrf, "step": "5", "content": "Klaar.", "decision": "afsluiten"})
        assert closing.status_code == 422 and "melden bij Veilig Thuis is nodig" in closing.text
