"""Issue 9 acceptance 1-2: each attendee's brief holds exactly what their consents allow;
consent given in the meeting shows up in a refreshed brief."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker.policy import Policy
from tests.conftest import Mailbox
from tests.consent.helpers import Caller, caller, consent_body, jansen
from tests.dates import days_from_today, local_moment

CATEGORIES = ["onderwijs", "gezondheid", "psychische_gezondheid", "opvoeding"]


def meeting_with_three(client: TestClient, session: Session, policy: Policy
                       ) -> tuple[Caller, dict[str, Caller], dict[str, str], dict[str, Any]]:
    """The Jansens; a school, a GP and a JGGZ each named in one consent for Noor; the
    regisseur shared one observation per category; all invited."""
    regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    partners = {party: caller(client, session, policy, party=party, roles=["partner"])
                for party in ("school", "huisarts", "jggz")}
    family = jansen(client, regisseur)
    noor, grantors = family["c1"], [family["c1"], family["m"], family["p"]]
    for party, category in (("school", "onderwijs"), ("huisarts", "gezondheid"),
                            ("jggz", "psychische_gezondheid")):
        granted = client.post("/api/v1/consents", headers=regisseur.headers, json=consent_body(
            noor, grantors, categories=[category],
            recipients=[{"organisation_id": partners[party].org.id}]))
        assert granted.status_code == 201, granted.text
    for category in CATEGORIES:
        shared = client.post("/api/v1/observations", headers=regisseur.headers, json={
            "subject_id": noor, "category": category, "concern": "low",
            "observed_on": days_from_today(-3), "body": f"Over {category}."})
        assert shared.status_code == 201, shared.text
    meeting = client.post("/api/v1/meetings", headers=regisseur.headers, json={
        "household_id": family["household"], "title": "Bijeenkomst", "duration_minutes": 90,
        "location": "Wijkcentrum", "slots": [{"start": local_moment(14, 9, 30).isoformat()}],
        "invitees": [{"organisation_id": p.org.id} for p in partners.values()]
        + [{"member_id": family[ref]} for ref in ("m", "p", "c1")]}).json()
    return regisseur, partners, family, meeting


def brief(client: TestClient, who: Caller, meeting: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"/api/v1/meetings/{meeting['id']}/brief", headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.parametrize(("party", "sees"), [
    ("school", "onderwijs"), ("huisarts", "gezondheid"), ("jggz", "psychische_gezondheid")])
def test_acceptance_1_each_attendee_sees_exactly_what_their_consents_allow(
        client: TestClient, session: Session, policy: Policy, party: str, sees: str) -> None:
    _, partners, _, meeting = meeting_with_three(client, session, policy)
    found = brief(client, partners[party], meeting)
    assert [i["category"] for i in found["observations"]["items"]] == [sees]
    assert [i["body"] for i in found["observations"]["items"]] == [f"Over {sees}."]
    assert len(found["observations"]["withheld"]) == len(CATEGORIES) - 1
    assert [c["categories"] for c in found["consents"]] == [[sees]]
    others = [c for c in CATEGORIES if c != sees]
    assert not any(f"Over {c}." in str(found) for c in others)


def test_acceptance_2_consent_in_the_meeting_widens_the_refreshed_brief(
        client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
    regisseur, partners, family, meeting = meeting_with_three(client, session, policy)
    gp = partners["huisarts"]
    assert "Over opvoeding." not in str(brief(client, gp, meeting))
    client.post(f"/api/v1/meetings/{meeting['id']}/schedule", headers=regisseur.headers,
                json={"slot_id": meeting["slots"][0]["id"]})
    body = {**consent_body(family["c1"], [family["c1"], family["m"], family["p"]],
                           categories=["opvoeding"],
                           recipients=[{"organisation_id": gp.org.id}]),
            "present_member_ids": [family["c1"], family["m"], family["p"]]}
    absent = client.post(f"/api/v1/meetings/{meeting['id']}/consents",
                         headers=regisseur.headers,
                         json={**body, "present_member_ids": [family["m"], family["c1"]]})
    assert absent.status_code == 422 and absent.json()["code"] == "grantor_absent"
    given = client.post(f"/api/v1/meetings/{meeting['id']}/consents", headers=regisseur.headers,
                        json=body)
    assert given.status_code == 201, given.text
    assert given.json()["evidence"]["method"] == "meeting"
    assert given.json()["meeting_id"] == meeting["id"]
    refreshed = brief(client, gp, meeting)
    assert sorted(i["category"] for i in refreshed["observations"]["items"]) == [
        "gezondheid", "opvoeding"]
    not_organiser = client.post(f"/api/v1/meetings/{meeting['id']}/consents",
                                headers=gp.headers, json=body)
    assert not_organiser.status_code == 403
