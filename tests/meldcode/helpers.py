"""A child at risk, a school that follows its meldcode, and a GP that should be told."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.clock import now
from broker.identity.models import Organisation, Team
from broker.policy import Policy
from tests.consent.helpers import Caller, caller, consent_body, jansen, member_of

ANSWERS = {"vermoeden": True, "acuut_of_structureel_onveilig": False, "hulp_mogelijk": True,
           "hulp_geaccepteerd": False, "hulp_leidt_tot_veiligheid": False}
# A suspicion, and help that is possible, accepted and leads to safety: organise and follow it.
WORKING = {"vermoeden": True, "acuut_of_structureel_onveilig": False, "hulp_mogelijk": True,
           "hulp_geaccepteerd": True, "hulp_leidt_tot_veiligheid": True}


@dataclass
class Setting:
    regisseur: Caller
    teacher: Caller  # opens the case and asks for the override; also aandachtsfunctionaris
    officer: Caller  # the school's other aandachtsfunctionaris
    gp: Caller
    family: dict[str, str]
    veilig_thuis: Caller  # the region's one Veilig Thuis: reports go there


def colleague(client: TestClient, session: Session, org: Organisation, roles: list[str]
              ) -> Caller:
    """A professional in the same team of the organisation (a colleague standing in)."""
    team = session.scalars(select(Team).where(Team.organisation_id == org.id)).first()
    return member_of(client, session, org, roles, [team] if team else [])


def setting(client: TestClient, session: Session, policy: Policy) -> Setting:
    regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    teacher = caller(client, session, policy, party="school", name="De Linde",
                     roles=["partner", "aandachtsfunctionaris"])
    officer = colleague(client, session, teacher.org, ["aandachtsfunctionaris"])
    gp = caller(client, session, policy, party="huisarts", roles=["partner"],
                name="Praktijk Oost")
    family = jansen(client, regisseur)
    # The school is involved with the family: Noor and her parents named it in a consent.
    involved = client.post("/api/v1/consents", headers=regisseur.headers, json=consent_body(
        family["c1"], [family["c1"], family["m"], family["p"]],
        recipients=[{"organisation_id": teacher.org.id}]))
    assert involved.status_code == 201, involved.text
    veilig_thuis = caller(client, session, policy, party="veilig_thuis", roles=["partner"])
    return Setting(regisseur, teacher, officer, gp, family, veilig_thuis)


def open_case(client: TestClient, s: Setting, *, steps: int = 0) -> str:
    response = client.post("/api/v1/meldcode/cases", headers=s.teacher.headers,
                           json={"child_id": s.family["c1"]})
    assert response.status_code == 201, response.text
    case_id = str(response.json()["id"])
    for number in range(1, steps + 1):
        posted = client.post(f"/api/v1/meldcode/cases/{case_id}/steps",
                             headers=s.teacher.headers, json=step(number))
        assert posted.status_code == 201, posted.text
    return case_id


def step(number: int, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"step": number, "content": f"Stap {number} vastgelegd."}
    if number == 4:
        body["answers"] = ANSWERS
    if number == 5:
        body["decision"] = "melden_en_hulp"
    return {**body, **extra}


def override_body(s: Setting, *, days: int = 14, urgent: bool = False,
                  categories: list[str] | None = None) -> dict[str, Any]:
    """The school tells Veilig Thuis what it knows about Noor's health."""
    until: datetime = now() + timedelta(days=days)
    return {"subject_ids": [s.family["c1"]], "categories": categories or ["gezondheid"],
            "recipients": [{"organisation_id": s.veilig_thuis.org.id}],
            "justification": "Blauwe plekken; Veilig Thuis moet dit weten.",
            "valid_until": until.isoformat(), "urgent": urgent,
            "inform_parents": {"planned_on": (now() + timedelta(days=2)).date().isoformat()}}


def may_see(client: TestClient, s: Setting, subject: str, category: str,
            recipient: str | None = None, holder: str | None = None) -> dict[str, Any]:
    """Would Veilig Thuis (or `recipient`) see what the school (or `holder`) holds of this
    category? Asked by the regisseur, who is involved with the family whether or not Veilig
    Thuis is yet."""
    response = client.post("/api/v1/decisions", headers=s.regisseur.headers, json={
        "subject_id": subject, "category": category, "purpose": "veiligheid",
        "recipient": {"organisation_id": recipient or s.veilig_thuis.org.id},
        "holder_organisation_id": holder or s.teacher.org.id})
    assert response.status_code == 200, response.text
    return dict(response.json())
