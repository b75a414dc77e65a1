"""The regisseur's household page, the consent form and the receipt (Dutch)."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker.consent.schemas import ConsentCreate
from broker.consent.service import grant_consent
from broker.households.schemas import HouseholdCreate
from broker.households.service import create_household, members_of
from broker.identity.principal import Principal
from broker.identity.service import professional_principal, require_organisation
from broker.policy import Policy
from tests.dates import years_ago
from tests.factories import PASSWORD, make_org, make_professional
from tests.identity.flows import csrf_of, login


def arrange(session: Session, policy: Policy) -> tuple[Principal, dict[str, str]]:
    org = make_org(session, policy, party="wijkteam", name="Wijkteam Noord")
    person = make_professional(session, org, roles=["regisseur"], email="reg@example.org")
    actor = professional_principal(session, require_organisation(session, org.id), person)
    household = create_household(session, actor=actor, body=HouseholdCreate.model_validate({
        "label": "Gezin J.", "members": [
            {"ref": "m", "given_name": "Sanne", "family_name": "Jansen",
             "birth_date": "1988-04-02", "role": "parent"},
            {"ref": "c1", "given_name": "Noor", "family_name": "Jansen",
             "birth_date": years_ago(13, 30), "role": "child"}],
        "custody": [{"custodian": "m", "child": "c1"}]}))
    ids = {m.ref: m.id for m in members_of(session, household.id)}
    ids["household"] = household.id
    return actor, ids


class TestHouseholdPage:
    def test_members_matrix_and_receipt_link(self, client: TestClient, session: Session,
                                             policy: Policy) -> None:
        actor, ids = arrange(session, policy)
        consent = grant_consent(session, actor=actor, body=ConsentCreate.model_validate({
            "subject_id": ids["m"], "categories": ["financien"],
            "recipients": [{"party": "schuldhulpverlening"}], "purposes": ["hulpverlening"],
            "grantor_ids": [ids["m"]], "evidence": {"method": "written"}}))
        login(client, "reg@example.org", PASSWORD)
        assert "Gezin Jansen" in client.get("/huishoudens").text
        page = client.get(f"/huishoudens/{ids['household']}")
        assert "Sanne Jansen" in page.text and "Noor Jansen" in page.text
        assert "Financiën" in page.text and "Schuldhulpverlening (alle)" in page.text
        assert f"/toestemmingen/{consent.id}/bewijs" in page.text
        receipt = client.get(f"/toestemmingen/{consent.id}/bewijs")
        assert "Bewijs van toestemming" in receipt.text
        assert "U mag uw toestemming altijd intrekken" in receipt.text
        assert "ISO/IEC TS 27560" in receipt.text


class TestConsentForm:
    def test_the_form_shows_who_must_sign(self, client: TestClient, session: Session,
                                          policy: Policy) -> None:
        _, ids = arrange(session, policy)
        login(client, "reg@example.org", PASSWORD)
        fragment = client.get(f"/huishoudens/{ids['household']}/toestemming/wie",
                              params={"subject_id": ids["c1"]})
        assert "Wie moet tekenen" in fragment.text
        assert "Noor Jansen" in fragment.text and "Sanne Jansen" in fragment.text

    def test_a_wrong_grant_shows_a_dutch_message_and_saves_nothing(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        _, ids = arrange(session, policy)
        home = login(client, "reg@example.org", PASSWORD)
        form = {"csrf_token": csrf_of(home.text), "subject_id": ids["c1"],
                "grantor_ids": [ids["m"]], "categories": ["onderwijs"], "parties": ["school"],
                "purposes": ["hulpverlening"], "method": "written"}
        response = client.post(f"/huishoudens/{ids['household']}/toestemming", data=form)
        assert response.status_code == 422
        assert "Niet de juiste personen" in response.text
        assert "Nog nodig: handtekening van Noor (13 jaar)." in response.text
        for kept in (f'value="{ids["c1"]}" selected', 'value="onderwijs" checked',
                     'value="school" checked', 'value="hulpverlening" checked',
                     f'value="{ids["m"]}" checked', 'value="written" selected'):
            assert kept in response.text, kept
        form["grantor_ids"] = [ids["m"], ids["c1"]]
        saved = client.post(f"/huishoudens/{ids['household']}/toestemming", data=form,
                            follow_redirects=False)
        assert saved.status_code == 303
        assert "Bewijs van toestemming" in client.get(saved.headers["location"]).text

    def test_a_custodian_missing_is_named_with_the_role(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        _, ids = arrange(session, policy)
        home = login(client, "reg@example.org", PASSWORD)
        response = client.post(f"/huishoudens/{ids['household']}/toestemming", data={
            "csrf_token": csrf_of(home.text), "subject_id": ids["c1"],
            "grantor_ids": [ids["c1"]], "categories": ["onderwijs"], "parties": ["school"],
            "purposes": ["hulpverlening"], "method": "written", "reference": "F-17"})
        assert response.status_code == 422
        assert "Nog nodig: handtekening van S. Jansen (gezaghebbende)." in response.text
        assert 'name="reference" maxlength="200" value="F-17"' in response.text

    def test_an_empty_form_names_each_missing_field(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        _, ids = arrange(session, policy)
        home = login(client, "reg@example.org", PASSWORD)
        response = client.post(f"/huishoudens/{ids['household']}/toestemming", data={
            "csrf_token": csrf_of(home.text), "subject_id": ids["c1"], "method": "written"})
        assert response.status_code == 422
        for field in ("grantor_ids", "categories", "recipients", "purposes"):
            assert f'<small id="{field}-error" class="field-error">' in response.text, field
        assert f'value="{ids["c1"]}" selected' in response.text
