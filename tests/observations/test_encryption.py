"""Issue 6 acceptance 4: bodies are sealed under the household's data key; `broker keys
rotate` rewraps data keys without touching the bodies; `broker keys destroy` makes them
unreadable while `broker audit verify` still passes. Against a live broker and the real CLI."""

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from broker.observations.models import Observation
from broker.policy import Policy
from broker.vault.models import HouseholdKey, MemberKey
from tests.conftest import LiveServer
from tests.consent.helpers import Caller, consent_body, jansen
from tests.factories import make_org, make_professional, make_secret_client
from tests.observations.helpers import TEXT, observation


def cli(server: LiveServer, *args: str) -> subprocess.CompletedProcess[str]:
    settings = server.app.state.settings
    env = {**os.environ, "BROKER_DATABASE_URL": settings.database_url,
           "BROKER_KEY_DIR": str(settings.key_dir), "BROKER_BASE_URL": settings.base_url}
    return subprocess.run([sys.executable, "-m", "broker", *args], capture_output=True,
                          text=True, timeout=120, env=env)


@pytest.fixture
def shared(live_server_factory: Callable[..., LiveServer], policy: Policy
           ) -> tuple[LiveServer, httpx.Client, Caller, str, str]:
    """A live broker where a school shared one observation about Noor Jansen."""
    server = live_server_factory()
    with server.session() as session, session.begin():
        wijkteam, school = make_org(session, policy), make_org(session, policy, party="school")
        regisseur_client = make_secret_client(session, wijkteam, make_professional(session,
                                                                                   wijkteam))
        school_client = make_secret_client(session, school, make_professional(
            session, school, roles=["partner"]))
    http = httpx.Client(base_url=server.url, timeout=30)

    def token(credentials: Any) -> dict[str, str]:
        response = http.post("/oauth/token", data={"grant_type": "client_credentials"},
                             auth=(credentials.row.client_id, credentials.secret))
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    regisseur = Caller(wijkteam, token(regisseur_client))
    family = jansen(http, regisseur)  # type: ignore[arg-type]
    consent = http.post("/api/v1/consents", headers=regisseur.headers, json=consent_body(
        family["c1"], [family["c1"], family["m"], family["p"]],
        recipients=[{"party": "wijkteam"}]))
    assert consent.status_code == 201, consent.text
    submitted = http.post("/api/v1/observations", headers=token(school_client),
                          json=observation(family["c1"]))
    assert submitted.status_code == 201, submitted.text
    return server, http, regisseur, family["household"], submitted.json()["id"]


def items(http: httpx.Client, regisseur: Caller, household: str) -> list[dict[str, Any]]:
    response = http.get(f"/api/v1/households/{household}/observations",
                        headers=regisseur.headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_body_is_sealed_rotation_keeps_it_readable_destruction_shreds_it(
        shared: tuple[LiveServer, httpx.Client, Caller, str, str]) -> None:
    server, http, regisseur, household, observation_id = shared
    with server.session() as session:
        stored = session.get(Observation, observation_id)
        assert stored is not None and TEXT.encode() not in stored.body
        # Sealed under its subject's own key (Noor's), not the household's.
        assert session.get(HouseholdKey, household) is None
        first_kek = session.get(MemberKey, stored.subject_id).kek_id  # type: ignore[union-attr]
    assert items(http, regisseur, household)[0]["body"] == TEXT

    rotated = cli(server, "keys", "rotate", "--json")
    assert rotated.returncode == 0, rotated.stderr
    report = json.loads(rotated.stdout)
    assert report["rewrapped"] == 1 and report["retired"] == [first_kek]
    with server.session() as session:
        key = session.get(MemberKey, stored.subject_id)
        assert key is not None and key.kek_id == report["kek_id"]
        assert session.get(Observation, observation_id).body == stored.body  # type: ignore
    assert not (server.app.state.settings.key_dir / "kek" / f"{first_kek}.key").exists()
    assert items(http, regisseur, household)[0]["body"] == TEXT

    destroyed = cli(server, "keys", "destroy", "--household", household, "--json")
    assert destroyed.returncode == 0, destroyed.stderr
    [item] = items(http, regisseur, household)
    assert item["destroyed"] is True and item["body"] is None
    again = cli(server, "keys", "destroy", "--household", household)
    assert again.returncode != 0 and "already" in again.stderr

    assert cli(server, "audit", "checkpoint").returncode == 0
    verified = cli(server, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_a_body_moved_to_another_row_does_not_open(
        shared: tuple[LiveServer, httpx.Client, Caller, str, str], policy: Policy) -> None:
    """The sealed body is bound to its observation id: copying ciphertext does not leak it."""
    server, http, regisseur, household, observation_id = shared
    with server.session() as session, session.begin():
        original = session.get(Observation, observation_id)
        assert original is not None
        session.add(Observation(
            household_id=household, subject_id=original.subject_id, category="onderwijs",
            concern="low", observed_on=original.observed_on, body=original.body,
            submitted_by=original.submitted_by,
            submitted_by_organisation_id=original.submitted_by_organisation_id,
            submitted_by_party="school"))
    bodies = sorted((i["body"] or "") for i in items(http, regisseur, household))
    assert bodies == ["", TEXT]
    with server.session() as session:
        assert len(session.scalars(select(Observation)).all()) == 2
