"""Issue 22 acceptance 4: the FHIR endpoints. The search Bundle and each Consent validate with
FHIR.js (the npm `fhir` package, an independent validator run in node); a client that follows
references as HAPI does resolves every one (contained resources, identifiers, full URLs); only
JSON is served, errors are OperationOutcomes, and an uninvolved caller finds nothing."""

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker.policy import Policy
from tests.consent.helpers import Caller, caller, consent_body, jansen

INTEROP = Path(__file__).parents[1] / "interop"
FHIR_JSON = "application/fhir+json"


def fhir_js(resource: dict[str, Any]) -> dict[str, Any]:
    """FHIR.js's verdict on a resource: {valid, messages}."""
    done = subprocess.run(["node", str(INTEROP / "fhir_validate.mjs")],
                          input=json.dumps(resource).encode(), capture_output=True,
                          check=True, timeout=120)
    return dict(json.loads(done.stdout))


def references(value: object) -> list[dict[str, Any]]:
    """Every Reference (an object with `reference` or `identifier` beside `display`) in a
    resource, however deep."""
    found: list[dict[str, Any]] = []
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str) or (
                "identifier" in value and "display" in value):
            found.append(value)
        for inner in value.values():
            found += references(inner)
    elif isinstance(value, list):
        for inner in value:
            found += references(inner)
    return found


@pytest.fixture
def regisseur(client: TestClient, session: Session, policy: Policy) -> Caller:
    return caller(client, session, policy, party="wijkteam", roles=["regisseur"])


@pytest.fixture
def consents(client: TestClient, session: Session, policy: Policy, regisseur: Caller
             ) -> dict[str, str]:
    """Daan (11): his parents consent to his school and to every GP; and one for his mother."""
    family = jansen(client, regisseur)
    school = caller(client, session, policy, party="school", roles=["partner"], name="De Linde")
    for body in (consent_body(family["c2"], [family["m"], family["p"]],
                              recipients=[{"organisation_id": school.org.id},
                                          {"party": "huisarts"}]),
                 consent_body(family["m"], [family["m"]])):
        created = client.post("/api/v1/consents", headers=regisseur.headers, json=body)
        assert created.status_code == 201, created.text
    return family


class TestAcceptance4:
    def test_the_search_bundle_validates_with_fhir_js_and_every_reference_resolves(
            self, client: TestClient, regisseur: Caller, consents: dict[str, str]) -> None:
        response = client.get("/fhir/Consent", params={"patient": f"Patient/{consents['c2']}"},
                              headers=regisseur.headers)
        assert response.status_code == 200
        assert response.headers["content-type"] == FHIR_JSON
        bundle = response.json()
        assert (bundle["resourceType"], bundle["type"], bundle["total"]) == (
            "Bundle", "searchset", 1)
        [link] = bundle["link"]  # the parameters used, nothing else
        assert link["url"].endswith(f"/fhir/Consent?patient=Patient%2F{consents['c2']}")
        verdict = fhir_js(bundle)
        assert verdict["valid"], verdict["messages"]
        # Warnings only for the broker's own code systems (categories, purposes), which
        # Consent binds by example only.
        assert [m for m in verdict["messages"] if m["severity"] not in ("info", "information")
                and "(urn:broker:" not in m["message"]] == []

        [entry] = bundle["entry"]
        consent = entry["resource"]
        # The full URL is where a client reads the resource again, the same one.
        again = client.get(entry["fullUrl"].removeprefix("http://localhost"),
                           headers=regisseur.headers)
        assert again.status_code == 200 and again.json()["id"] == consent["id"]
        contained = {c["id"]: c for c in consent["contained"]}
        found = references(consent)
        assert len(found) >= 5  # patient, two grantors, organisations, recipients
        for reference in found:
            if "reference" in reference:  # a contained resource, by its local id
                assert reference["reference"].startswith("#"), reference
                assert reference["reference"][1:] in contained, reference
            else:  # a recipient named by party type: a logical reference by identifier
                assert reference["identifier"]["system"] == "urn:broker:party"
        assert contained["patient"]["identifier"][0]["value"] == consents["c2"]
        assert {c["resourceType"] for c in contained.values()} == {
            "Patient", "RelatedPerson", "Organization"}
        assert "De Linde" in {c.get("name") for c in contained.values()}
        assert consent["text"]["status"] == "generated"
        assert "Toestemming (geldig)" in consent["text"]["div"]
        for secret in ("Jansen", "Daan", "Sanne", "Piet", "111222333"):
            assert secret not in response.text

    def test_a_read_validates_and_answers_as_fhir_json(
            self, client: TestClient, regisseur: Caller, consents: dict[str, str]) -> None:
        bundle = client.get("/fhir/Consent", params={"patient": consents["m"]},
                            headers=regisseur.headers).json()
        consent_id = bundle["entry"][0]["resource"]["id"]
        read = client.get(f"/fhir/Consent/{consent_id}", headers=regisseur.headers)
        assert read.headers["content-type"] == FHIR_JSON
        verdict = fhir_js(read.json())
        assert verdict["valid"], verdict["messages"]


class TestFormatsAndErrors:
    @pytest.mark.parametrize(("accept", "format_"), [
        ("application/fhir+xml", None), ("application/xml", None),
        ("application/fhir+json", "xml"), ("*/*", "application/fhir+xml"),
        ("application/fhir+json;q=0, application/fhir+xml", None)])
    def test_a_format_not_served_is_406_with_an_operation_outcome(
            self, client: TestClient, regisseur: Caller, consents: dict[str, str],
            accept: str, format_: str | None) -> None:
        params = {"patient": consents["m"], **({"_format": format_} if format_ else {})}
        response = client.get("/fhir/Consent", params=params,
                              headers={**regisseur.headers, "Accept": accept})
        assert response.status_code == 406
        assert response.headers["content-type"] == FHIR_JSON
        outcome = response.json()
        assert outcome["resourceType"] == "OperationOutcome"
        assert outcome["issue"][0]["code"] == "not-supported"
        assert fhir_js(outcome)["valid"]

    @pytest.mark.parametrize("accept", ["application/fhir+json", "application/json",
                                        "application/fhir+json; fhirVersion=4.0", "*/*"])
    def test_json_in_any_spelling_is_served(self, client: TestClient, regisseur: Caller,
                                            consents: dict[str, str], accept: str) -> None:
        response = client.get("/fhir/Consent", params={"patient": consents["m"]},
                              headers={**regisseur.headers, "Accept": accept})
        assert response.status_code == 200

    def test_an_uninvolved_caller_finds_nothing_and_reads_nothing(
            self, client: TestClient, session: Session, policy: Policy, regisseur: Caller,
            consents: dict[str, str]) -> None:
        stranger = caller(client, session, policy, party="jggz", roles=["partner"])
        nobody = client.get("/fhir/Consent", params={"patient": consents["m"]},
                            headers=stranger.headers).json()
        unknown = client.get("/fhir/Consent", params={"patient": "no-such-person"},
                             headers=stranger.headers).json()
        assert nobody["total"] == unknown["total"] == 0
        assert "entry" not in nobody and "entry" not in unknown
        consent_id = client.get("/fhir/Consent", params={"patient": consents["m"]},
                                headers=regisseur.headers).json()["entry"][0]["resource"]["id"]
        refused = client.get(f"/fhir/Consent/{consent_id}", headers=stranger.headers)
        made_up = client.get("/fhir/Consent/00000000-0000-0000-0000-000000000000",
                             headers=stranger.headers)
        assert refused.status_code == made_up.status_code == 404
        assert refused.json()["issue"][0]["code"] == "not-found"
        # the same words whether the consent exists or not
        assert refused.json()["issue"][0]["details"] == made_up.json()["issue"][0]["details"]
        assert client.get(f"/fhir/Consent/{consent_id}").json()["issue"][0]["code"] == "login"


class TestCapabilityStatement:
    def test_metadata_says_what_is_served_and_validates(self, client: TestClient) -> None:
        response = client.get("/fhir/metadata")
        assert response.status_code == 200
        assert response.headers["content-type"] == FHIR_JSON
        statement = response.json()
        assert (statement["resourceType"], statement["fhirVersion"]) == (
            "CapabilityStatement", "4.0.1")
        [rest] = statement["rest"]
        [consent] = rest["resource"]
        assert consent["type"] == "Consent"
        assert {i["code"] for i in consent["interaction"]} == {"read", "search-type"}
        assert [p["name"] for p in consent["searchParam"]] == ["patient"]
        verdict = fhir_js(statement)
        assert verdict["valid"], verdict["messages"]
