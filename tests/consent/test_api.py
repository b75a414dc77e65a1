"""Households, consents and decisions through the API (acceptance 2, 3, 4 and 5)."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.consent import Consent as FhirConsent
from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.clock import frozen_at, now
from broker.consent.models import ConsentWithdrawal
from broker.consent.service import reconsent_due
from broker.policy import Policy
from broker.vault.opening import open_or_none
from broker.vault.service import data_key
from tests.audit.helpers import bearer
from tests.consent.helpers import Caller, caller, consent_body, jansen
from tests.dates import days_from_today, years_ago


@pytest.fixture
def regisseur(client: TestClient, session: Session, policy: Policy) -> Caller:
    return caller(client, session, policy, party="wijkteam", roles=["regisseur"])


@pytest.fixture
def family(client: TestClient, regisseur: Caller) -> dict[str, str]:
    return jansen(client, regisseur)


def decide(client: TestClient, headers: dict[str, str], subject: str, *,
           org: str | None = None, party: str | None = None, category: str = "onderwijs"
           ) -> dict[str, object]:
    recipient = {"organisation_id": org} if org else {"party": party or "school"}
    response = client.post("/api/v1/decisions", headers=headers, json={
        "subject_id": subject, "category": category, "recipient": recipient,
        "purpose": "hulpverlening"})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


class TestHouseholds:
    def test_regisseur_sees_the_household_in_full(self, client: TestClient, regisseur: Caller,
                                                  family: dict[str, str]) -> None:
        body = client.get(f"/api/v1/households/{family['household']}",
                          headers=regisseur.headers).json()
        assert {m["given_name"] for m in body["members"]} == {"Sanne", "Piet", "Noor", "Daan"}
        assert body["regisseur"]["organisation_id"] == regisseur.org.id
        assert len(body["custody"]) == 4

    def test_unrelated_organisation_gets_404(self, client: TestClient, session: Session,
                                             policy: Policy, family: dict[str, str]) -> None:
        stranger = caller(client, session, policy, party="school")
        response = client.get(f"/api/v1/households/{family['household']}",
                              headers=stranger.headers)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
        missing = client.get("/api/v1/households/does-not-exist", headers=stranger.headers)
        assert missing.json() == {**response.json(), "trace_id": missing.json()["trace_id"]}

    @pytest.mark.parametrize(("change", "code"), [
        ({"bsn": "123456789"}, "invalid_bsn"),
        ({"birth_date": days_from_today(1)}, "birth_date_in_future"),
    ])
    def test_bad_members_are_refused(self, client: TestClient, regisseur: Caller,
                                     change: dict[str, str], code: str) -> None:
        member = {"ref": "m", "given_name": "A", "family_name": "B",
                  "birth_date": "1990-01-01", "role": "parent", **change}
        response = client.post("/api/v1/households", headers=regisseur.headers,
                               json={"label": "x", "members": [member]})
        assert response.status_code == 422 and response.json()["code"] == code

    def test_every_bad_member_is_listed_with_its_field(self, client: TestClient,
                                                       regisseur: Caller) -> None:
        members = [{"ref": ref, "given_name": "A", "family_name": "B", "role": "parent",
                    "birth_date": "1990-01-01", "bsn": "123456789"} for ref in ("a", "b")]
        members.append({"ref": "c", "given_name": "C", "family_name": "B", "role": "child",
                        "birth_date": years_ago(20)})
        response = client.post("/api/v1/households", headers=regisseur.headers, json={
            "label": "x", "members": members, "custody": [{"custodian": "a", "child": "c"}]})
        assert response.status_code == 422 and response.json()["code"] == "invalid_bsn"
        assert response.json()["problems"] == [
            {"ref": "a", "field": "bsn", "code": "invalid_bsn"},
            {"ref": "b", "field": "bsn", "code": "invalid_bsn"},
            {"ref": "c", "field": "custody", "code": "adult_child"}]

    def test_a_child_cannot_hold_custody(self, client: TestClient, regisseur: Caller) -> None:
        members = [{"ref": "a", "given_name": "A", "family_name": "B", "role": "child",
                    "birth_date": years_ago(15)},
                   {"ref": "b", "given_name": "C", "family_name": "B", "role": "child",
                    "birth_date": years_ago(2)}]
        response = client.post("/api/v1/households", headers=regisseur.headers, json={
            "label": "x", "members": members, "custody": [{"custodian": "a", "child": "b"}]})
        assert response.json()["code"] == "invalid_custody"

    def test_only_a_regisseur_creates(self, client: TestClient, session: Session,
                                      policy: Policy) -> None:
        partner = caller(client, session, policy, party="school")
        response = client.post("/api/v1/households", headers=partner.headers,
                               json={"label": "x", "members": []})
        assert response.status_code == 403

    def test_hand_over_to_another_regisseur(self, client: TestClient, session: Session,
                                            policy: Policy, regisseur: Caller,
                                            family: dict[str, str]) -> None:
        other = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
        assert other.professional is not None
        response = client.put(f"/api/v1/households/{family['household']}/regisseur",
                              headers=regisseur.headers,
                              json={"professional_id": other.professional.id})
        assert response.status_code == 200
        assert response.json()["organisation_id"] == other.org.id
        assert client.get(f"/api/v1/households/{family['household']}",
                          headers=other.headers).status_code == 200
        assert client.get(f"/api/v1/households/{family['household']}",
                          headers=regisseur.headers).status_code == 404


class TestCapacity:
    def test_13_year_old_granted_by_parents_alone_is_refused_naming_the_child(
            self, client: TestClient, regisseur: Caller, family: dict[str, str]) -> None:
        response = client.post("/api/v1/consents", headers=regisseur.headers,
                               json=consent_body(family["c1"], [family["m"], family["p"]]))
        assert response.status_code == 422
        body = response.json()
        assert body["code"] == "capacity"
        assert body["missing"] == [{"member_id": family["c1"], "role": "subject"}]
        assert body["not_entitled"] == []

    def test_with_child_and_both_custodians_it_is_active_and_one_withdrawal_ends_it(
            self, client: TestClient, regisseur: Caller, family: dict[str, str]) -> None:
        response = client.post("/api/v1/consents", headers=regisseur.headers, json=consent_body(
            family["c1"], [family["c1"], family["m"], family["p"]]))
        assert response.status_code == 201 and response.json()["status"] == "active"
        consent_id = response.json()["id"]
        assert decide(client, regisseur.headers, family["c1"])["effect"] == "permit"
        withdrawn = client.post(f"/api/v1/consents/{consent_id}/withdraw",
                                headers=regisseur.headers, json={"grantor_id": family["p"]})
        assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
        assert [h["status"] for h in withdrawn.json()["history"]] == ["active", "withdrawn"]
        after = decide(client, regisseur.headers, family["c1"])
        assert after["effect"] == "deny"
        again = client.post(f"/api/v1/consents/{consent_id}/withdraw",
                            headers=regisseur.headers, json={"grantor_id": family["m"]})
        assert again.status_code == 409

    def test_a_withdrawal_reason_is_kept_sealed_not_in_plain_text(
            self, client: TestClient, session: Session, regisseur: Caller,
            family: dict[str, str]) -> None:
        consent_id = client.post("/api/v1/consents", headers=regisseur.headers, json=consent_body(
            family["c1"], [family["c1"], family["m"], family["p"]])).json()["id"]
        reason = "Moeder wil niet dat de school meer hoort over de scheiding."
        client.post(f"/api/v1/consents/{consent_id}/withdraw", headers=regisseur.headers,
                    json={"grantor_id": family["m"], "reason": reason})
        stored = session.scalars(select(ConsentWithdrawal.reason)).one()
        assert stored is not None and reason.encode() not in stored
        key = data_key(session, family["household"])
        assert open_or_none(key, f"consent-withdrawal:{consent_id}", stored) == reason

    def test_someone_not_entitled_is_named(self, client: TestClient, regisseur: Caller,
                                           family: dict[str, str]) -> None:
        response = client.post("/api/v1/consents", headers=regisseur.headers,
                               json=consent_body(family["m"], [family["m"], family["p"]]))
        assert response.json()["not_entitled"] == [family["p"]]

    def test_special_category_needs_explicit_evidence(self, client: TestClient,
                                                      regisseur: Caller,
                                                      family: dict[str, str]) -> None:
        body = consent_body(family["m"], [family["m"]], categories=["gezondheid"],
                            method="verbal")
        response = client.post("/api/v1/consents", headers=regisseur.headers, json=body)
        assert response.status_code == 422 and response.json()["code"] == "evidence"

    def test_too_long_a_period_is_refused(self, client: TestClient, regisseur: Caller,
                                          family: dict[str, str]) -> None:
        body = consent_body(family["m"], [family["m"]], categories=["gezondheid"])
        body["valid_until"] = (now() + timedelta(days=400)).isoformat()
        response = client.post("/api/v1/consents", headers=regisseur.headers, json=body)
        assert response.json()["code"] == "period_too_long"


class TestBirthdays:
    def test_consent_for_an_11_year_old_stops_counting_at_12_and_is_due_again(
            self, client: TestClient, session: Session, regisseur: Caller) -> None:
        today = now()
        birthday_12 = (today + timedelta(days=20)).date()
        family = jansen(client, regisseur,
                        daan_born=birthday_12.replace(year=birthday_12.year - 12).isoformat())
        created = client.post("/api/v1/consents", headers=regisseur.headers, json=consent_body(
            family["c2"], [family["m"], family["p"]]))
        assert created.status_code == 201, created.text
        assert decide(client, regisseur.headers, family["c2"])["effect"] == "permit"
        assert reconsent_due(session, family["household"]) == []
        with frozen_at(datetime.combine(birthday_12, datetime.min.time(), tzinfo=UTC)
                       + timedelta(hours=12)):
            after = decide(client, regisseur.headers, family["c2"])
            due = reconsent_due(session, family["household"])
        assert after["effect"] == "deny"
        assert after["missing"] == [{"member_id": family["c2"], "role": "subject"}]
        assert "Jansen" in " ".join(after["reasons"])  # the regisseur is involved: names shown
        assert [d.consent.id for d in due] == [created.json()["id"]]


class TestDecisionsAndAudit:
    def test_every_permit_and_deny_is_in_the_log_with_basis_and_policy_version(
            self, client: TestClient, session: Session, policy: Policy, regisseur: Caller,
            family: dict[str, str]) -> None:
        client.post("/api/v1/consents", headers=regisseur.headers,
                    json=consent_body(family["m"], [family["m"]]))
        permit = decide(client, regisseur.headers, family["m"])
        deny = decide(client, regisseur.headers, family["m"], category="justitie")
        assert permit["effect"] == "permit" and permit["basis"] == "consent"
        assert deny["effect"] == "deny" and deny["policy_version"] == policy.version
        officer = bearer(client, session, policy, roles=["privacy_officer"])
        events = client.get("/api/v1/audit/events", headers=officer,
                            params={"subject_id": family["m"], "action": "decision"}).json()
        logged = [(e["effect"], e["basis"], e["policy_version"], e["categories"])
                  for e in events["items"]]
        assert ("permit", "consent", policy.version, ["onderwijs"]) in logged
        assert ("deny", None, policy.version, ["justitie"]) in logged

    def test_an_uninvolved_caller_learns_nothing_not_even_that_the_person_exists(
            self, client: TestClient, session: Session, policy: Policy,
            family: dict[str, str]) -> None:
        stranger = caller(client, session, policy, party="school")
        body = {"category": "onderwijs", "purpose": "hulpverlening",
                "recipient": {"organisation_id": stranger.org.id}}
        real = client.post("/api/v1/decisions", headers=stranger.headers,
                           json={**body, "subject_id": family["c1"]})
        made_up = client.post("/api/v1/decisions", headers=stranger.headers,
                              json={**body, "subject_id": "nobody"})
        assert real.status_code == made_up.status_code == 404
        assert "Jansen" not in real.text and "gezaghebbende" not in real.text
        assert real.json()["detail"] == made_up.json()["detail"]

    def test_household_read_is_audited_per_member(
            self, client: TestClient, session: Session, policy: Policy, regisseur: Caller,
            family: dict[str, str]) -> None:
        client.get(f"/api/v1/households/{family['household']}", headers=regisseur.headers)
        officer = bearer(client, session, policy, roles=["privacy_officer"])
        events = client.get("/api/v1/audit/events", headers=officer,
                            params={"subject_id": family["c1"], "action": "disclosure"}).json()
        assert events["items"][0]["basis"] == "own_submission"
        assert events["items"][0]["categories"] == ["basisgegevens"]

    def test_a_gi_without_a_mandate_is_an_ordinary_recipient(
            self, client: TestClient, session: Session, policy: Policy, regisseur: Caller,
            family: dict[str, str]) -> None:
        """Issue 18: no unconditional legal duty; a GI's ground is a measure for a child
        (tests/meldcode/test_holders.py)."""
        body = client.post("/api/v1/decisions", headers=regisseur.headers, json={
            "subject_id": family["c1"], "category": "opvoeding",
            "recipient": {"party": "gi"}, "purpose": "jeugdbescherming"}).json()
        assert body["effect"] == "deny" and body["basis"] is None


class TestFhir:
    def test_export_validates_as_a_fhir_consent(self, client: TestClient, regisseur: Caller,
                                                family: dict[str, str]) -> None:
        created = client.post("/api/v1/consents", headers=regisseur.headers,
                              json=consent_body(family["m"], [family["m"]],
                                                recipients=[{"party": "school"}]))
        resource = client.get(f"/api/v1/consents/{created.json()['id']}/fhir",
                              headers=regisseur.headers).json()
        consent = FhirConsent.model_validate(resource)
        assert consent.status == "active"
        assert consent.patient.reference == "#patient"  # contained, with the member's id
        assert resource["contained"][0]["identifier"][0]["value"] == family["m"]
        assert resource["resourceType"] == "Consent"

    def test_list_with_history(self, client: TestClient, regisseur: Caller,
                               family: dict[str, str]) -> None:
        client.post("/api/v1/consents", headers=regisseur.headers,
                    json=consent_body(family["m"], [family["m"]]))
        items = client.get("/api/v1/consents", params={"subject_id": family["m"]},
                           headers=regisseur.headers).json()["items"]
        assert len(items) == 1 and items[0]["history"][0]["status"] == "active"

    def test_consent_reads_are_recorded(self, client: TestClient, session: Session,
                                        policy: Policy, regisseur: Caller,
                                        family: dict[str, str]) -> None:
        created = client.post("/api/v1/consents", headers=regisseur.headers,
                              json=consent_body(family["m"], [family["m"]])).json()
        client.get(f"/api/v1/consents/{created['id']}/fhir", headers=regisseur.headers)
        officer = bearer(client, session, policy, roles=["privacy_officer"])
        reads = client.get("/api/v1/audit/events", headers=officer,
                           params={"subject_id": family["m"], "action": "read"}).json()
        assert any(created["id"] in e["consent_ids"] for e in reads["items"])

