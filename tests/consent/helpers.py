"""A family for the consent tests, created through the API."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker.identity.models import Organisation, Professional, Team
from broker.policy import Policy
from tests.dates import years_ago
from tests.factories import (
    BearerHeaders,
    make_org,
    make_professional,
    make_secret_client,
    make_team,
)


@dataclass
class Caller:
    org: Organisation
    headers: Mapping[str, str]
    professional: Professional | None = None


def caller(client: TestClient, session: Session, policy: Policy, *, party: str,
           roles: list[str] | None = None, name: str | None = None) -> Caller:
    """An organisation with one team, and (with `roles`) a professional in it and a client
    acting for them; without roles a partner system of the organisation."""
    org = make_org(session, policy, party=party, name=name)
    team = make_team(session, org)
    if roles:
        return member_of(client, session, org, roles, [team])
    return Caller(org, BearerHeaders(client, make_secret_client(session, org)))


def member_of(client: TestClient, session: Session, org: Organisation, roles: list[str],
              teams: Sequence[Team]) -> Caller:
    """A professional of `org` in these teams, and a client acting for them."""
    person = make_professional(session, org, roles=roles, teams=teams)
    return Caller(org, BearerHeaders(client, make_secret_client(session, org, person)), person)


def jansen(client: TestClient, regisseur: Caller, *, noor_born: str | None = None,
           daan_born: str | None = None) -> dict[str, str]:
    """Sanne and Piet (joint custody), Noor (13) and Daan (11): member ids by ref."""
    body = {"label": "Gezin J.", "members": [
        {"ref": "m", "given_name": "Sanne", "family_name": "Jansen",
         "birth_date": "1988-04-02", "role": "parent", "bsn": "111222333"},
        {"ref": "p", "given_name": "Piet", "family_name": "Jansen",
         "birth_date": "1986-01-20", "role": "parent"},
        {"ref": "c1", "given_name": "Noor", "family_name": "Jansen",
         "birth_date": noor_born or years_ago(13, 30), "role": "child"},
        {"ref": "c2", "given_name": "Daan", "family_name": "Jansen",
         "birth_date": daan_born or years_ago(11, 30), "role": "child"}],
        "custody": [{"custodian": "m", "child": "c1"}, {"custodian": "p", "child": "c1"},
                    {"custodian": "m", "child": "c2"}, {"custodian": "p", "child": "c2"}]}
    response = client.post("/api/v1/households", json=body, headers=regisseur.headers)
    assert response.status_code == 201, response.text
    ids = {m["ref"]: m["id"] for m in response.json()["members"]}
    ids["household"] = response.json()["id"]
    return ids


def consent_body(subject: str, grantors: list[str], *, categories: list[str] | None = None,
                 recipients: list[dict[str, str]] | None = None,
                 method: str = "written") -> dict[str, object]:
    return {"subject_id": subject, "categories": categories or ["onderwijs"],
            "recipients": recipients or [{"party": "school"}],
            "purposes": ["hulpverlening"], "grantor_ids": grantors,
            "evidence": {"method": method, "reference": "formulier 2026-114"}}
