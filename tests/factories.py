"""Typed helpers that build rows for tests."""

import json
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from joserfc.jwk import ECKey
from sqlalchemy.orm import Session

from broker.clock import timestamp
from broker.identity import service
from broker.identity.models import Client, Organisation, Professional, Team
from broker.policy import Policy

PASSWORD = "correct horse battery staple"


def make_org(session: Session, policy: Policy, *, party: str = "wijkteam",
             name: str | None = None) -> Organisation:
    return service.create_organisation(session, name=name or f"{party} {secrets.token_hex(3)}",
                                       party=party, policy=policy)


def make_professional(session: Session, org: Organisation, *, roles: list[str] | None = None,
                      email: str | None = None, name: str = "Anna de Vries",
                      password: str | None = PASSWORD, teams: Sequence[Team] = ()
                      ) -> Professional:
    return service.create_professional(
        session, organisation_id=org.id, email=email or f"{secrets.token_hex(4)}@example.org",
        name=name, roles=roles or ["regisseur"], password=password,
        team_ids=[team.id for team in teams])


def make_team(session: Session, org: Organisation, name: str = "Team Noord") -> Team:
    return service.create_team(session, organisation_id=org.id, name=name)


@dataclass
class SecretClient:
    row: Client
    secret: str


def make_secret_client(session: Session, org: Organisation,
                       professional: Professional | None = None) -> SecretClient:
    client, secret = service.create_client(
        session, organisation_id=org.id, name="partner system",
        professional_id=professional.id if professional else None)
    assert secret is not None
    return SecretClient(client, secret)


@dataclass
class KeyClient:
    row: Client
    key: ECKey


def make_key_client(session: Session, org: Organisation) -> KeyClient:
    key = ECKey.generate_key("P-256")
    key.ensure_kid()
    jwks: dict[str, Any] = json.loads(json.dumps({"keys": [key.as_dict(private=False)]}))
    client, _ = service.create_client(session, organisation_id=org.id, name="keyed system",
                                      jwks=jwks)
    return KeyClient(client, key)


class BearerHeaders(Mapping[str, str]):
    """The Authorization header of a partner system with client credentials. Like a real
    client it asks for a new token when its token has expired (on the broker's clock, a
    little early), so a test may freeze the clock days ahead and keep calling as the same
    partner."""

    def __init__(self, client: TestClient, credentials: SecretClient) -> None:
        self._client, self._credentials = client, credentials
        self._token, self._valid = "", range(0)
        self._current()

    def _current(self) -> str:
        at = timestamp()
        if at not in self._valid:
            response = self._client.post(
                "/oauth/token", data={"grant_type": "client_credentials"},
                auth=(self._credentials.row.client_id, self._credentials.secret))
            assert response.status_code == 200, response.text
            self._token = str(response.json()["access_token"])
            self._valid = range(at, at + int(response.json()["expires_in"]) - 30)
        return self._token

    def __getitem__(self, key: str) -> str:
        if key != "Authorization":
            raise KeyError(key)
        return f"Bearer {self._current()}"

    def __iter__(self) -> Iterator[str]:
        return iter(["Authorization"])

    def __len__(self) -> int:
        return 1
