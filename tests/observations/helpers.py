"""A family with a school, a GP and a regisseur around it, for the observation tests."""

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker.policy import Policy
from tests.consent.helpers import Caller, caller, consent_body, jansen
from tests.dates import days_from_today

TEXT = "Verzuim sinds oktober, 9 dagen."


@dataclass
class Network:
    regisseur: Caller
    school: Caller
    gp: Caller
    family: dict[str, str]
    onderwijs_consent: str


def network(client: TestClient, session: Session, policy: Policy) -> Network:
    """The Jansens (Noor 13, joint custody); Noor and both parents consent that education
    data go to the wijkteam (the regisseur's party) and to this school (which makes it
    involved), and health data to the GP."""
    regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    school = caller(client, session, policy, party="school", roles=["partner"], name="De Linde")
    gp = caller(client, session, policy, party="huisarts", roles=["partner"],
                name="Huisartsenpraktijk Oost")
    family = jansen(client, regisseur)
    grantors = [family["c1"], family["m"], family["p"]]
    onderwijs = client.post("/api/v1/consents", headers=regisseur.headers, json=consent_body(
        family["c1"], grantors, recipients=[{"party": "wijkteam"},
                                            {"organisation_id": school.org.id}]))
    assert onderwijs.status_code == 201, onderwijs.text
    health = client.post("/api/v1/consents", headers=regisseur.headers, json=consent_body(
        family["c1"], grantors, categories=["gezondheid"],
        recipients=[{"organisation_id": gp.org.id}]))
    assert health.status_code == 201, health.text
    return Network(regisseur, school, gp, family, onderwijs.json()["id"])


def observation(subject: str, *, category: str = "onderwijs", concern: str = "medium",
                body: str = TEXT, observed_on: str | None = None) -> dict[str, Any]:
    return {"subject_id": subject, "category": category, "concern": concern,
            "observed_on": observed_on or days_from_today(-3), "body": body,
            "meeting_id": None}
