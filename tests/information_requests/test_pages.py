"""Issue 18 in the browser: the regisseur asks the GP from the household page, the GP reads
the request and refuses with a reason, the regisseur sees the refusal."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker.consent.schemas import ConsentCreate
from broker.consent.service import grant_consent
from broker.policy import Policy
from tests.consent.test_pages import arrange
from tests.factories import PASSWORD, make_org, make_professional
from tests.identity.flows import csrf_of, login


def test_asked_on_the_household_page_refused_by_the_gp_seen_by_the_regisseur(
        client: TestClient, session: Session, policy: Policy) -> None:
    regisseur, ids = arrange(session, policy)
    gp = make_org(session, policy, party="huisarts", name="Praktijk Oost")
    make_professional(session, gp, roles=["partner"], email="dokter@example.org")
    # Sanne and Noor let the wijkteam name Noor to the GP.
    grant_consent(session, actor=regisseur, body=ConsentCreate.model_validate({
        "subject_id": ids["c1"], "categories": ["basisgegevens"],
        "recipients": [{"organisation_id": gp.id}], "purposes": ["hulpverlening"],
        "grantor_ids": [ids["c1"], ids["m"]], "evidence": {"method": "written"}}))
    login(client, "reg@example.org", PASSWORD)
    household = client.get(f"/huishoudens/{ids['household']}")
    assert f"/informatieverzoeken/nieuw?household={ids['household']}" in household.text
    form = client.get(f"/informatieverzoeken/nieuw?household={ids['household']}")
    assert "Praktijk Oost" in form.text
    fields = {"csrf_token": csrf_of(form.text), "household_id": ids["household"],
              "subject_id": ids["c1"], "holder_organisation_id": gp.id,
              "reason": "Weet de huisarts van de blauwe plekken?"}
    incomplete = client.post("/informatieverzoeken", data=fields)
    assert incomplete.status_code == 422 and "welke gegevens" in incomplete.text
    asked = client.post("/informatieverzoeken", data={**fields, "categories": "gezondheid"},
                        follow_redirects=False)
    assert asked.status_code == 303, asked.text
    client.post("/logout", data={"csrf_token": csrf_of(form.text)})

    login(client, "dokter@example.org", PASSWORD)
    inbox = client.get("/informatieverzoeken")
    assert "N. Jansen" in inbox.text and "Weet de huisarts van de blauwe plekken?" in inbox.text
    request_id = inbox.text.split("/informatieverzoeken/")[1].split("/antwoord")[0]
    refused = client.post(f"/informatieverzoeken/{request_id}/antwoord", data={
        "csrf_token": csrf_of(inbox.text), "answer": "refused",
        "reason": "Niets bekend."}, follow_redirects=False)
    assert refused.status_code == 303
    client.post("/logout", data={"csrf_token": csrf_of(inbox.text)})

    login(client, "reg@example.org", PASSWORD)
    mine = client.get("/informatieverzoeken")
    assert "geweigerd" in mine.text and "Niets bekend." in mine.text
