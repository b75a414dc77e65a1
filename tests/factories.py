"""Typed helpers that build rows for tests."""

import json
import secrets
from dataclasses import dataclass
from typing import Any

from joserfc.jwk import ECKey
from sqlalchemy.orm import Session

from broker.identity import service
from broker.identity.models import Client, Organisation, Professional
from broker.policy import Policy

PASSWORD = "correct horse battery staple"


def make_org(session: Session, policy: Policy, *, party: str = "wijkteam",
             name: str | None = None) -> Organisation:
    return service.create_organisation(session, name=name or f"{party} {secrets.token_hex(3)}",
                                       party=party, policy=policy)


def make_professional(session: Session, org: Organisation, *, roles: list[str] | None = None,
                      email: str | None = None, name: str = "Anna de Vries",
                      password: str | None = PASSWORD) -> Professional:
    return service.create_professional(
        session, organisation_id=org.id, email=email or f"{secrets.token_hex(4)}@example.org",
        name=name, roles=roles or ["regisseur"], password=password)


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
