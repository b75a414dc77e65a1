"""The privacy officer's pages (Dutch), the export formats and the retention run."""

import io
import json
import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker.audit.export import export_events
from broker.audit.sequencer import sequence_pending
from broker.policy import Policy
from broker.retention import run_retention
from tests.audit.helpers import actor, disclose
from tests.dates import days_from_today, today
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
        assert "systeem van een organisatie" in page.text  # who: a partner system here
        searches = client.get("/verantwoording", params={"action": "audit.search"})
        assert "<td>Fatima de FG</td>" in searches.text  # a staff member by name
        assert f'<option value="{school.id}">OBS De Linde</option>' in page.text
        seq = page.text.split('href="/verantwoording/gebeurtenissen/')[1].split('"')[0]
        detail = client.get(f"/verantwoording/gebeurtenissen/{seq}")
        assert "Regie en afstemming van jeugdhulp" in detail.text  # the art. 30 activity
        assert "verstrekt (gelukt)" in detail.text and "toegestaan: toestemming" in detail.text
        assert "Onderwijs" in detail.text
        for leftover in ("(success)", "permit", ">client<", "onderwijs,"):
            assert leftover not in detail.text

    def test_the_proof_link_works_in_the_logged_in_browser(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        """Issue 20: the event page's proof link answered 401 (it pointed at the API)."""
        disclose(session, subject_id="noor", to=actor())
        officer_logged_in(client, session, policy)
        seq = client.get("/verantwoording").text.split(
            'href="/verantwoording/gebeurtenissen/')[1].split('"')[0]
        detail = client.get(f"/verantwoording/gebeurtenissen/{seq}")
        links = [href for href in re.findall(r'href="([^"]+)"', detail.text)
                 if "bewijs" in href]
        assert links == [f"/verantwoording/gebeurtenissen/{seq}/bewijs"]
        proof = client.get(links[0])
        assert proof.status_code == 200 and proof.headers["content-type"] == "application/json"
        assert proof.json()["leaf_index"] == int(seq) - 1 and proof.json()["tree_size"] >= int(seq)
        assert client.get("/verantwoording", params={"action": "audit.proof"}).text.count(
            "<td>bewijs opgevraagd</td>") == 1  # the proof was itself recorded

    def test_htmx_search_returns_only_the_results(self, client: TestClient, session: Session,
                                                  policy: Policy) -> None:
        officer_logged_in(client, session, policy)
        part = client.get("/verantwoording", headers={"HX-Request": "true"})
        assert "<table" in part.text or "Geen gebeurtenissen" in part.text
        assert "<html" not in part.text

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
                     "/verantwoording/personen", "/verantwoording/personen/x/pdf",
                     "/verantwoording/gebeurtenissen/1/bewijs",
                     "/verantwoording/tijdlijn", "/verantwoording/gebeurtenissen/1"]:
            assert client.get(path, headers={"accept": "text/html"}).status_code == 403


class TestLogSearchDates:
    """Issue 20: the search failed with 422 unless both dates were filled."""

    def test_either_both_or_no_date(self, client: TestClient, session: Session,
                                    policy: Policy) -> None:
        disclose(session, subject_id="noor", to=actor())
        officer_logged_in(client, session, policy)
        for dates in ({}, {"since": "", "until": ""}, {"since": days_from_today(-1)},
                      {"until": days_from_today(0)}, {"since": days_from_today(-7),
                                                      "until": days_from_today(0)}):
            page = client.get("/verantwoording", params={"action": "disclosure", **dates})
            assert page.status_code == 200, dates
            assert "verstrekt" in page.text, dates

    def test_a_day_outside_the_range_finds_nothing(self, client: TestClient, session: Session,
                                                   policy: Policy) -> None:
        disclose(session, subject_id="noor", to=actor())
        officer_logged_in(client, session, policy)
        page = client.get("/verantwoording", params={"action": "disclosure",
                                                     "until": days_from_today(-2)})
        assert page.status_code == 200 and "Geen gebeurtenissen gevonden" in page.text

    def test_a_typed_dutch_date_is_understood(self, client: TestClient, session: Session,
                                              policy: Policy) -> None:
        officer_logged_in(client, session, policy)
        typed = (today() - timedelta(days=3)).strftime("%d-%m-%Y")
        assert client.get("/verantwoording", params={"since": typed}).status_code == 200

    def test_bad_input_says_what_is_wrong_in_dutch_and_keeps_it(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        officer_logged_in(client, session, policy)
        page = client.get("/verantwoording", params={"since": "gisteren", "action": "read"})
        assert page.status_code == 422
        assert "„Vanaf” is geen datum" in page.text
        assert 'value="gisteren"' in page.text and 'value="read" selected' in page.text
        swapped = client.get("/verantwoording", params={"since": days_from_today(0),
                                                        "until": days_from_today(-5)})
        assert swapped.status_code == 422 and "ligt vóór „Vanaf”" in swapped.text
        assert f'value="{days_from_today(-5)}"' in swapped.text
        part = client.get("/verantwoording", params={"until": "31-02-2026"},
                          headers={"HX-Request": "true"})
        assert part.status_code == 200 and "„Tot en met” is geen datum" in part.text


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
        attributes = {pair["key"]: pair["value"]["stringValue"] for pair in span["attributes"]
                      if "stringValue" in pair["value"]}
        assert attributes["dpl.core.processing_activity_id"] == \
            "http://localhost/api/v1/processing-activities/regie-jeugd"
        assert attributes["dpl.core.data_subject_id"] == event["subject"]
        assert span["end_time"] == event["recorded_at"]


class TestRetention:
    def test_run_keeps_the_log_and_clears_old_sessions(self, session: Session,
                                                       policy: Policy) -> None:
        lines = {line.kind: line for line in run_retention(session, policy=policy)}
        assert lines["audit"].removed == 0 and "never pruned" in lines["audit"].note
        assert lines["sessions"].period_years == 1
        assert set(lines) >= {"observations", "consents", "audit", "sessions"}
