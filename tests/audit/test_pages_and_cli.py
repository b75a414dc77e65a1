"""The privacy officer's pages (Dutch), the export formats and the retention run."""

import io
import json

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker.audit.export import export_events
from broker.audit.sequencer import sequence_pending
from broker.policy import Policy
from broker.retention import run_retention
from tests.audit.helpers import actor, disclose
from tests.factories import PASSWORD, make_org, make_professional
from tests.identity.flows import login


def officer_logged_in(client: TestClient, session: Session, policy: Policy) -> None:
    org = make_org(session, policy, party="gemeente", name="Gemeente Voorbeeld")
    make_professional(session, org, roles=["privacy_officer"], email="fg@example.org",
                      name="Fatima de FG")
    login(client, "fg@example.org", PASSWORD)


class TestPages:
    def test_event_list_detail_and_filters(self, client: TestClient, session: Session,
                                           policy: Policy) -> None:
        school = make_org(session, policy, party="school", name="OBS De Linde")
        disclose(session, subject_id="noor", to=actor(school.id))
        officer_logged_in(client, session, policy)
        page = client.get("/verantwoording", params={"action": "disclosure"})
        assert page.status_code == 200
        assert "Logboek van verwerkingen" in page.text and "OBS De Linde" in page.text
        assert "verstrekt" in page.text and "toestemming" in page.text
        seq = page.text.split('href="/verantwoording/gebeurtenissen/')[1].split('"')[0]
        detail = client.get(f"/verantwoording/gebeurtenissen/{seq}")
        assert "Regie en afstemming van jeugdhulp" in detail.text  # the art. 30 activity

    def test_htmx_search_returns_only_the_results(self, client: TestClient, session: Session,
                                                  policy: Policy) -> None:
        officer_logged_in(client, session, policy)
        part = client.get("/verantwoording", headers={"HX-Request": "true"})
        assert "<table" in part.text or "Geen gebeurtenissen" in part.text
        assert "<html" not in part.text

    def test_person_report_page_is_dutch_and_about_one_person(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        gp = make_org(session, policy, party="huisarts", name="Huisartsenpraktijk Oost")
        disclose(session, subject_id="noor", to=actor(gp.id, "huisarts"),
                 categories=("gezondheid",))
        disclose(session, subject_id="daan", to=actor("org-x"), categories=("justitie",))
        officer_logged_in(client, session, policy)
        page = client.get("/verantwoording/personen/noor")
        assert "welke gegevens over u zijn gedeeld" in page.text
        assert "Huisartsenpraktijk Oost" in page.text and "Lichamelijke gezondheid" in page.text
        assert "Justitie" not in page.text

    def test_timeline_draws_an_svg_per_organisation(self, client: TestClient,
                                                    session: Session, policy: Policy) -> None:
        school = make_org(session, policy, party="school", name="OBS De Linde")
        for _ in range(3):
            disclose(session, subject_id="noor", to=actor(school.id))
        officer_logged_in(client, session, policy)
        page = client.get("/verantwoording/tijdlijn")
        assert "<svg" in page.text and "<polyline" in page.text
        assert "OBS De Linde (3)" in page.text

    def test_other_roles_cannot_open_the_pages(self, client: TestClient, session: Session,
                                               policy: Policy) -> None:
        make_professional(session, make_org(session, policy), roles=["regisseur", "admin"],
                          email="r@example.org")
        home = login(client, "r@example.org", PASSWORD)
        assert 'href="/verantwoording"' not in home.text
        for path in ["/verantwoording", "/verantwoording/personen/x",
                     "/verantwoording/tijdlijn", "/verantwoording/gebeurtenissen/1"]:
            assert client.get(path, headers={"accept": "text/html"}).status_code == 403


class TestExport:
    def test_jsonl_and_ldv(self, session: Session) -> None:
        disclose(session, subject_id="noor", to=actor())
        sequence_pending(session)
        plain, ldv = io.StringIO(), io.StringIO()
        assert export_events(session, plain, fmt="jsonl") >= 1
        export_events(session, ldv, fmt="ldv")
        event = json.loads(plain.getvalue().splitlines()[-1])
        span = json.loads(ldv.getvalue().splitlines()[-1])
        assert event["action"] == "disclosure" and "noor" not in plain.getvalue()
        assert span["name"] == "disclosure" and span["status_code"] == "STATUS_CODE_OK"
        attributes = span["attributes"]
        assert attributes["dpl.core.processing_activity_id"] == "regie-jeugd"
        assert attributes["dpl.core.data_subject_id"] == event["subject"]
        assert span["start_time"] == event["recorded_at"]


class TestRetention:
    def test_run_keeps_the_log_and_clears_old_sessions(self, session: Session,
                                                       policy: Policy) -> None:
        lines = {line.kind: line for line in run_retention(session, policy=policy)}
        assert lines["audit"].removed == 0 and "never pruned" in lines["audit"].note
        assert lines["sessions"].period_years == 1
        assert set(lines) >= {"observations", "consents", "audit", "sessions"}
