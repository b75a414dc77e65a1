"""Issue 22 acceptance 3: openid-client (node), a client nobody here wrote, finds the broker by
RFC 8414 and by OpenID Connect discovery, gets tokens with client_secret_basic and with
private_key_jwt (ES256 and Ed25519 keys), and reads a refused scope as `invalid_scope`. Also the
messages for an assertion without `kid` and one that lives too long, and the UserInfo endpoint."""

import json
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import ECKey, OKPKey, RSAKey
from sqlalchemy.orm import Session

from broker.clock import timestamp
from broker.identity import service
from broker.policy import Policy
from tests.conftest import LiveServer
from tests.factories import make_org, make_professional, make_secret_client

INTEROP = Path(__file__).parents[1] / "interop"


def openid_client(ask: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(["node", str(INTEROP / "oauth_client.mjs")],
                          input=json.dumps(ask).encode(), capture_output=True, check=True,
                          timeout=60)
    return dict(json.loads(done.stdout))


def key_client(session: Session, policy: Policy, key: ECKey | OKPKey | RSAKey) -> str:
    key.ensure_kid()
    client, _ = service.create_client(
        session, organisation_id=make_org(session, policy, party="jggz").id,
        name="partner system", jwks={"keys": [key.as_dict(private=False)]})
    return client.client_id


@pytest.fixture
def server(live_server_factory: Callable[..., LiveServer]) -> LiveServer:
    return live_server_factory("oidc")


class TestAcceptance3OpenidClient:
    @pytest.mark.parametrize("discovery", ["oauth2", "oidc"])
    def test_discovery_and_a_token_with_client_secret_basic(
            self, server: LiveServer, policy: Policy, discovery: str) -> None:
        with server.session() as session, session.begin():
            credentials = make_secret_client(session, make_org(session, policy))
        got = openid_client({"issuer": server.url, "discovery": discovery,
                             "client_id": credentials.row.client_id,
                             "secret": credentials.secret})
        assert got.get("token_type", got).lower() == "bearer", got
        assert got["issuer"] == server.url and got["expires_in"] > 0
        me = httpx.get(server.url + "/api/v1/me",
                       headers={"Authorization": f"Bearer {got['access_token']}"})
        assert me.status_code == 200

    @pytest.mark.parametrize("key", [ECKey.generate_key("P-256"),
                                     OKPKey.generate_key("Ed25519")], ids=["ES256", "EdDSA"])
    def test_a_token_with_private_key_jwt(self, server: LiveServer, policy: Policy,
                                          key: ECKey | OKPKey) -> None:
        with server.session() as session, session.begin():
            client_id = key_client(session, policy, key)
        got = openid_client({"issuer": server.url, "discovery": "oauth2",
                             "client_id": client_id, "jwk": key.as_dict(private=True)})
        assert got.get("token_type", got).lower() == "bearer", got

    def test_a_refused_scope_is_reported_as_invalid_scope(
            self, server: LiveServer, policy: Policy) -> None:
        with server.session() as session, session.begin():
            credentials = make_secret_client(session, make_org(session, policy))
        got = openid_client({"issuer": server.url, "discovery": "oidc",
                             "client_id": credentials.row.client_id,
                             "secret": credentials.secret, "scope": "households:admin"})
        assert (got["failed"], got["error"]) == ("ResponseBodyError", "invalid_scope"), got


class TestDiscoveryAdvertisesWhatIsAccepted:
    def test_both_documents_name_the_same_endpoints_and_algorithms(
            self, client: TestClient) -> None:
        oidc = client.get("/.well-known/openid-configuration").json()
        oauth = client.get("/.well-known/oauth-authorization-server").json()
        assert oidc == oauth
        assert oidc["userinfo_endpoint"] == oidc["issuer"] + "/oauth/userinfo"
        assert set(oidc["token_endpoint_auth_signing_alg_values_supported"]) >= {
            "ES256", "PS256", "EdDSA"}


def assertion(client_id: str, key: ECKey | OKPKey | RSAKey, alg: str, *, lifetime: int = 60,
              kid: bool = True) -> str:
    header = {"alg": alg, **({"kid": key.kid} if kid else {})}
    claims = {"iss": client_id, "sub": client_id, "aud": "http://localhost/oauth/token",
              "jti": str(uuid.uuid4()), "iat": timestamp(), "exp": timestamp() + lifetime}
    return jwt.encode(header, claims, key, algorithms=[alg])


def token_with(client: TestClient, client_id: str, signed: str) -> httpx.Response:
    return client.post("/oauth/token", data={
        "grant_type": "client_credentials", "client_id": client_id,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": signed})


class TestAssertionsAndTheirMessages:
    @pytest.mark.parametrize(("alg", "make"), [
        ("PS256", lambda: RSAKey.generate_key(2048)),
        ("EdDSA", lambda: OKPKey.generate_key("Ed25519")),
        ("Ed25519", lambda: OKPKey.generate_key("Ed25519"))])
    def test_every_advertised_algorithm_is_accepted(
            self, client: TestClient, session: Session, policy: Policy, alg: str,
            make: Callable[[], Any]) -> None:
        key = make()
        client_id = key_client(session, policy, key)
        response = token_with(client, client_id, assertion(client_id, key, alg))
        assert response.status_code == 200, response.text

    def test_without_kid_the_only_key_is_used_and_with_two_keys_the_message_says_so(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        key, other = ECKey.generate_key("P-256"), ECKey.generate_key("P-256")
        client_id = key_client(session, policy, key)
        assert token_with(client, client_id,
                          assertion(client_id, key, "ES256", kid=False)).status_code == 200
        other.ensure_kid()
        two, _ = service.create_client(
            session, organisation_id=make_org(session, policy).id, name="two keys",
            jwks={"keys": [key.as_dict(private=False), other.as_dict(private=False)]})
        refused = token_with(client, two.client_id,
                             assertion(two.client_id, key, "ES256", kid=False))
        assert refused.status_code == 401
        assert "no 'kid'" in refused.json()["error_description"]

    def test_an_assertion_valid_for_twenty_minutes_is_refused_for_its_lifetime(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        key = ECKey.generate_key("P-256")
        client_id = key_client(session, policy, key)
        refused = token_with(client, client_id,
                             assertion(client_id, key, "ES256", lifetime=20 * 60))
        assert refused.status_code == 401
        assert "at most 10" in refused.json()["error_description"]
        assert refused.headers["content-type"] == "application/json"


    def test_an_assertion_in_its_leeway_is_not_accepted_twice(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        key = ECKey.generate_key("P-256")
        client_id = key_client(session, policy, key)
        expired_a_little = assertion(client_id, key, "ES256", lifetime=-5)  # leeway is 30 s
        assert token_with(client, client_id, expired_a_little).status_code == 200
        again = token_with(client, client_id, expired_a_little)
        assert again.status_code == 401 and "used before" in again.json()["error_description"]

    @pytest.mark.parametrize("exp", [10**20, 1e300])
    def test_an_absurd_expiry_is_refused_not_a_server_error(
            self, client: TestClient, session: Session, policy: Policy, exp: float) -> None:
        key = ECKey.generate_key("P-256")
        client_id = key_client(session, policy, key)
        claims = {"iss": client_id, "sub": client_id, "aud": "http://localhost/oauth/token",
                  "jti": str(uuid.uuid4()), "iat": timestamp(), "exp": exp}
        signed = jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)
        refused = token_with(client, client_id, signed)
        assert (refused.status_code, refused.headers["content-type"]) == (
            401, "application/json")
        assert "at most 10" in refused.json()["error_description"]


class TestUserinfo:
    def test_the_token_of_a_professional_names_them_and_a_system_token_is_nobody(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        org = make_org(session, policy)
        person = make_professional(session, org, name="Anna de Vries")
        bound, system = make_secret_client(session, org, person), make_secret_client(session, org)

        def token(credentials: Any) -> str:
            return str(client.post("/oauth/token", data={"grant_type": "client_credentials"},
                                   auth=(credentials.row.client_id, credentials.secret)
                                   ).json()["access_token"])

        info = client.get("/oauth/userinfo",
                          headers={"Authorization": f"Bearer {token(bound)}"})
        assert info.status_code == 200
        assert info.json() == {"sub": person.id, "name": "Anna de Vries",
                               "email": person.email, "email_verified": True}
        nobody = client.get("/oauth/userinfo",
                            headers={"Authorization": f"Bearer {token(system)}"})
        assert (nobody.status_code, nobody.json()["code"]) == (403, "not_a_person")
        assert client.get("/oauth/userinfo").status_code == 401


def test_openapi_names_the_security_schemes_and_each_routes_requirement(
        client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["oauth2"]["flows"]["clientCredentials"]["tokenUrl"] == "/oauth/token"
    assert (schemes["bearer"]["type"], schemes["bearer"]["scheme"]) == ("http", "bearer")
    assert document["paths"]["/api/v1/me"]["get"]["security"] == [{"oauth2": []},
                                                                  {"bearer": []}]
    assert "security" not in document["paths"]["/healthz"]["get"]
