"""Issue 20: the privacy officer finds a person by name and birth date, for a recorded
reason, and prints the art. 15 report naming the person and the staff who looked."""

import io
import json

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.audit.models import AuditEvent
from broker.audit.sequencer import sequence_pending
from broker.households.service import view_household
from broker.policy import Policy
from tests.audit.test_pages_and_cli import officer_logged_in
from tests.consent.test_pages import arrange
from tests.identity.flows import csrf_of

SEARCH = {"name": "Sanne Jansen", "birth_date": "1988-04-02", "reason": "access_request",
          "reference": "AVG-2026-014"}


def search(client: TestClient, **fields: str) -> tuple[int, str]:
    """Post the search form as the page offers it; the answer the browser ends on."""
    form = client.get("/verantwoording/personen")
    response = client.post("/verantwoording/personen", data={
        "csrf_token": csrf_of(form.text), **fields}, follow_redirects=False)
    if response.status_code != 303:
        return response.status_code, response.text
    assert response.headers["location"] == "/verantwoording/personen"  # never the name
    return 303, client.get("/verantwoording/personen").text


def logged(session: Session) -> list[dict[str, object]]:
    sequence_pending(session)
    return [json.loads(leaf)["event"] for leaf in session.scalars(
        select(AuditEvent.leaf).order_by(AuditEvent.seq))]


class TestPersonSearch:
    def test_name_and_birth_date_find_the_mother_with_her_household(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        arrange(session, policy)
        officer_logged_in(client, session, policy)
        status, page = search(client, **SEARCH)
        assert status == 303
        assert "Sanne Jansen" in page and "02-04-1988" in page and "Gezin J." in page
        assert "Noor Jansen" not in page  # another birth date
        assert "Inzageoverzicht van Sanne Jansen" in page
        row = page.split("<td>Sanne Jansen</td>")[1].split("</tr>")[0]
        assert "<td>ouder</td>" in row

    def test_a_name_matches_without_case_accents_or_order(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        arrange(session, policy)
        officer_logged_in(client, session, policy)
        _, page = search(client, **SEARCH | {"name": "jánsen SANNE", "birth_date": ""})
        assert "Sanne Jansen" in page and "Noor Jansen" not in page
        _, family = search(client, **SEARCH | {"name": "Jansen", "birth_date": ""})
        assert "Sanne Jansen" in family and "Noor Jansen" in family
        _, part = search(client, **SEARCH | {"name": "San", "birth_date": ""})
        assert "Sanne Jansen" not in part  # whole words only: a fragment finds too many

    def test_the_search_is_recorded_with_its_reason_not_the_name(
            self, client: TestClient, session: Session, policy: Policy,
            captured_logs: io.StringIO) -> None:
        _, ids = arrange(session, policy)
        officer_logged_in(client, session, policy)
        search(client, **SEARCH)
        events = logged(session)
        searches = [e for e in events if e["action"] == "audit.person_search"]
        assert [(e["reason"], e["reference"]) for e in searches] == [
            ("access_request", "AVG-2026-014")]
        mother = audit_context(session).pseudonym(ids["m"])
        reads = [e for e in events if e["action"] == "read" and e["subject"] == mother]
        assert [(e["reason"], e["categories"]) for e in reads] == [
            ("access_request", ["basisgegevens"])]
        assert "Sanne" not in json.dumps(events) and "Sanne" not in captured_logs.getvalue()
        assert "Jansen" not in captured_logs.getvalue()
        page = client.get("/verantwoording", params={"action": "audit.person_search"})
        seq = page.text.split('href="/verantwoording/gebeurtenissen/')[1].split('"')[0]
        detail = client.get(f"/verantwoording/gebeurtenissen/{seq}").text
        assert "inzageverzoek (AVG artikel 15) (kenmerk AVG-2026-014)" in detail

    def test_an_unknown_name_says_unknown_person(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        arrange(session, policy)
        officer_logged_in(client, session, policy)
        status, page = search(client, **SEARCH | {"name": "Piet Pietersen"})
        assert status == 303
        assert "Onbekende persoon: niemand gevonden met deze naam en geboortedatum" in page
        assert "Er zijn geen gegevens" not in page and "Sanne" not in page
        _, by_date = search(client, **SEARCH | {"name": "", "birth_date": "1990-01-01"})
        assert "Onbekende persoon: niemand gevonden met deze geboortedatum" in by_date

    def test_a_refused_search_keeps_the_input_and_says_what_is_missing(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        arrange(session, policy)
        officer_logged_in(client, session, policy)
        status, page = search(client, **SEARCH | {"reason": ""})
        assert status == 422 and "Kies waarom u deze persoon zoekt." in page
        assert 'value="Sanne Jansen"' in page and 'value="1988-04-02"' in page
        assert 'value="AVG-2026-014"' in page
        status, page = search(client, **SEARCH | {"reference": "Sanne Jansen"})
        assert status == 422 and "minstens één cijfer en zonder spaties" in page
        status, page = search(client, **SEARCH | {"name": " ", "birth_date": ""})
        assert status == 422 and "Vul een naam, een geboortedatum of allebei in." in page
        status, page = search(client, **SEARCH | {"birth_date": "2-4-88x"})
        assert status == 422 and "De geboortedatum is geen datum." in page
        assert not [e for e in logged(session) if e["action"] == "audit.person_search"]


class TestAccessReport:
    def test_it_names_the_person_and_the_staff_who_looked(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        regisseur, ids = arrange(session, policy)
        view_household(session, actor=regisseur, household_id=ids["household"])
        officer_logged_in(client, session, policy)
        page = client.get(f"/verantwoording/personen/{ids['m']}")
        assert page.status_code == 200
        assert "Sanne Jansen" in page.text and "02-04-1988" in page.text
        staff = page.text.split('<table class="staff">')[1].split("</table>")[0]
        assert "Anna de Vries" in staff and "Wijkteam Noord" in staff
        lines = page.text.split('<table class="report-lines">')[1]
        assert "Basisgegevens" in lines and "Afstemmen van hulp aan het gezin" in lines
        assert "Noor Jansen" not in page.text  # her child's report is another one

    def test_the_pdf_is_a_pdf_of_the_same_report(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        regisseur, ids = arrange(session, policy)
        view_household(session, actor=regisseur, household_id=ids["household"])
        officer_logged_in(client, session, policy)
        page = client.get(f"/verantwoording/personen/{ids['m']}")
        assert f'href="/verantwoording/personen/{ids["m"]}/pdf"' in page.text
        pdf = client.get(f"/verantwoording/personen/{ids['m']}/pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "Sanne Jansen" in text and "Anna de Vries" in text

    def test_an_id_of_nobody_is_not_found(self, client: TestClient, session: Session,
                                          policy: Policy) -> None:
        officer_logged_in(client, session, policy)
        page = client.get("/verantwoording/personen/niemand", headers={"accept": "text/html"})
        assert page.status_code == 404
