"""Acceptance 4: client credentials (both methods) give a token an authenticated route accepts;
expired, wrong-audience, wrong-signature, alg-none and replayed-assertion tokens get 401."""

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey
from sqlalchemy.orm import Session

from broker.clock import frozen_at, now, timestamp
from broker.policy import Policy
from tests.factories import (
    KeyClient,
    SecretClient,
    make_key_client,
    make_org,
    make_professional,
    make_secret_client,
)

TOKEN_URL = "http://localhost/oauth/token"


def secret_token(client: TestClient, cl: SecretClient) -> str:
    response = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                           auth=(cl.row.client_id, cl.secret))
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def assertion(cl: KeyClient, *, aud: str = TOKEN_URL, exp_in: int = 60,
              jti: str | None = None) -> str:
    issued = timestamp()
    claims = {"iss": cl.row.client_id, "sub": cl.row.client_id, "aud": aud,
              "iat": issued, "exp": issued + exp_in, "jti": jti or uuid.uuid4().hex}
    return jwt.encode({"alg": "ES256", "kid": cl.key.kid}, claims, cl.key)


def key_token_response(client: TestClient, client_assertion: str) -> Any:
    return client.post("/oauth/token", data={
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": client_assertion})


def me(client: TestClient, token: str) -> Any:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def forge(app: FastAPI, *, header: dict[str, Any] | None = None, key: Any = None,
          **changes: Any) -> str:
    """A token like the broker's, with some claims changed, signed by the broker's key."""
    settings = app.state.settings
    issued = timestamp()
    claims = {"iss": settings.issuer, "aud": settings.token_audience, "sub": "cl_x",
              "client_id": "cl_x", "iat": issued, "exp": issued + 300, "jti": uuid.uuid4().hex,
              "kind": "client", "org": "o", "party": "school", "roles": ["partner"]}
    claims.update(changes)
    signing_key = key or app.state.keys.signing_key
    # An attacker names the broker's key id, whatever key they really signed with.
    hdr = {"alg": "ES256", "typ": "at+jwt", "kid": app.state.keys.signing_key.kid,
           **(header or {})}
    return jwt.encode(hdr, claims, signing_key, algorithms=[hdr["alg"]])


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


class TestClientSecretBasic:
    def test_token_is_accepted_by_an_authenticated_route(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        org = make_org(session, policy, party="school")
        cl = make_secret_client(session, org)
        response = me(client, secret_token(client, cl))
        assert response.status_code == 200
        assert response.json() == {"kind": "client", "organisation_id": org.id,
                                   "party": "school", "roles": ["partner"],
                                   "professional_id": None, "client_id": cl.row.client_id}

    def test_token_is_a_short_lived_rfc9068_jwt(self, client: TestClient, session: Session,
                                                policy: Policy, app: FastAPI) -> None:
        cl = make_secret_client(session, make_org(session, policy))
        response = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                               auth=(cl.row.client_id, cl.secret))
        body = response.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 300
        decoded = jwt.decode(body["access_token"], app.state.keys.verification_keys)
        assert decoded.header["typ"] == "at+jwt" and decoded.header["alg"] == "ES256"
        assert decoded.claims["iss"] == "http://localhost"
        assert decoded.claims["aud"] == "broker-api"

    def test_client_bound_to_a_professional_carries_their_roles(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        org = make_org(session, policy, party="huisarts")
        professional = make_professional(session, org, roles=["partner",
                                                               "aandachtsfunctionaris"])
        cl = make_secret_client(session, org, professional)
        body = me(client, secret_token(client, cl)).json()
        assert body["kind"] == "professional"
        assert body["professional_id"] == professional.id
        assert body["roles"] == ["aandachtsfunctionaris", "partner"]

    def test_wrong_secret_is_refused_in_rfc_6749_json(self, client: TestClient,
                                                      session: Session, policy: Policy) -> None:
        cl = make_secret_client(session, make_org(session, policy))
        response = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                               auth=(cl.row.client_id, "not-the-secret"))
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/json"  # RFC 6749 5.2
        assert response.headers["cache-control"] == "no-store"
        assert response.json()["error"] == "invalid_client"
        assert response.json()["code"] == "invalid_client"  # as every other error of the API


class TestPrivateKeyJwt:
    def test_token_is_accepted_by_an_authenticated_route(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        org = make_org(session, policy, party="jggz")
        cl = make_key_client(session, org)
        response = key_token_response(client, assertion(cl))
        assert response.status_code == 200, response.text
        body = me(client, response.json()["access_token"]).json()
        assert body["client_id"] == cl.row.client_id and body["party"] == "jggz"

    def test_replayed_assertion_is_refused(self, client: TestClient, session: Session,
                                           policy: Policy) -> None:
        cl = make_key_client(session, make_org(session, policy))
        signed = assertion(cl)
        assert key_token_response(client, signed).status_code == 200
        replay = key_token_response(client, signed)
        assert replay.status_code == 401 and replay.json()["code"] == "invalid_client"

    def test_expired_assertion_is_refused(self, client: TestClient, session: Session,
                                          policy: Policy) -> None:
        cl = make_key_client(session, make_org(session, policy))
        assert key_token_response(client, assertion(cl, exp_in=-120)).status_code == 401

    def test_assertion_for_another_audience_is_refused(self, client: TestClient,
                                                       session: Session, policy: Policy) -> None:
        cl = make_key_client(session, make_org(session, policy))
        response = key_token_response(client, assertion(cl, aud="https://elsewhere/token"))
        assert response.status_code == 401

    def test_long_lived_assertion_is_refused(self, client: TestClient, session: Session,
                                             policy: Policy) -> None:
        cl = make_key_client(session, make_org(session, policy))
        assert key_token_response(client, assertion(cl, exp_in=3600)).status_code == 401

    def test_assertion_signed_by_another_key_is_refused(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        cl = make_key_client(session, make_org(session, policy))
        cl.key = ECKey.generate_key("P-256", parameters={"kid": cl.key.kid})
        assert key_token_response(client, assertion(cl)).status_code == 401

    def test_secret_client_cannot_use_an_assertion(self, client: TestClient, session: Session,
                                                   policy: Policy) -> None:
        org = make_org(session, policy)
        keyed = make_key_client(session, org)
        keyed.row.auth_method = "client_secret_basic"
        session.flush()
        assert key_token_response(client, assertion(keyed)).status_code == 401


class TestRejectedAccessTokens:
    def test_forged_token_with_valid_signature_is_accepted(self, client: TestClient,
                                                           app: FastAPI) -> None:
        """The control for the cases below: only the one changed property makes them fail."""
        assert me(client, forge(app)).status_code == 200

    @pytest.mark.parametrize("changes", [
        pytest.param({"exp": timestamp() - 120}, id="expired"),
        pytest.param({"aud": "another-api"}, id="wrong-audience"),
        pytest.param({"iss": "https://other-issuer"}, id="wrong-issuer"),
    ])
    def test_bad_claims_get_401(self, client: TestClient, app: FastAPI,
                                changes: dict[str, Any]) -> None:
        response = me(client, forge(app, **changes))
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["code"] == "unauthorized"

    def test_wrong_signature_gets_401(self, client: TestClient, app: FastAPI) -> None:
        token = forge(app, key=ECKey.generate_key("P-256"))
        assert me(client, token).status_code == 401

    def test_tampered_payload_gets_401(self, client: TestClient, app: FastAPI) -> None:
        header, _, signature = forge(app).split(".")
        evil = b64({"iss": "http://localhost", "aud": "broker-api", "sub": "x", "kind": "client",
                    "exp": timestamp() + 300, "org": "o", "party": "gi",
                    "roles": ["admin"], "client_id": "x"})
        assert me(client, f"{header}.{evil}.{signature}").status_code == 401

    def test_alg_none_gets_401(self, client: TestClient, app: FastAPI) -> None:
        _, payload, _ = forge(app).split(".")
        unsigned = f"{b64({'alg': 'none', 'typ': 'at+jwt'})}.{payload}."
        assert me(client, unsigned).status_code == 401

    def test_hs256_signed_with_the_public_key_gets_401(self, client: TestClient,
                                                       app: FastAPI) -> None:
        """The classic key-confusion attack, built by hand: joserfc refuses to make it."""
        public_pem = app.state.keys.signing_key.as_pem(private=False)
        _, payload, _ = forge(app).split(".")
        signing_input = f"{b64({'alg': 'HS256', 'typ': 'at+jwt'})}.{payload}"
        mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        token = f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
        assert me(client, token).status_code == 401

    def test_other_key_type_gets_401(self, client: TestClient, app: FastAPI) -> None:
        rsa = RSAKey.generate_key(2048)
        assert me(client, forge(app, key=rsa, header={"alg": "RS256"})).status_code == 401

    def test_id_token_type_is_not_an_access_token(self, client: TestClient,
                                                  app: FastAPI) -> None:
        assert me(client, forge(app, header={"typ": "JWT"})).status_code == 401

    @pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic abc", "Bearer a.b.c"])
    def test_missing_or_garbled_authorization_gets_401(self, client: TestClient,
                                                       header: str) -> None:
        response = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"


class TestRoles:
    def test_wrong_role_gets_403_problem(self, client: TestClient, session: Session,
                                         policy: Policy) -> None:
        cl = make_secret_client(session, make_org(session, policy))
        response = client.post("/api/v1/organisations", json={"name": "X", "party": "school"},
                               headers={"Authorization": f"Bearer {secret_token(client, cl)}"})
        assert response.status_code == 403
        assert response.json()["code"] == "wrong_role"

    def test_admin_creates_an_organisation(self, client: TestClient, session: Session,
                                           policy: Policy) -> None:
        org = make_org(session, policy, party="gemeente")
        admin = make_professional(session, org, roles=["admin"])
        token = secret_token(client, make_secret_client(session, org, admin))
        response = client.post("/api/v1/organisations",
                               json={"name": "Basisschool De Linde", "party": "school"},
                               headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 201
        assert response.json()["party"] == "school"
        fetched = client.get(f"/api/v1/organisations/{response.json()['id']}",
                             headers={"Authorization": f"Bearer {token}"})
        assert fetched.json()["name"] == "Basisschool De Linde"


class TestDiscovery:
    def test_openid_configuration_and_jwks(self, client: TestClient, app: FastAPI) -> None:
        config = client.get("/.well-known/openid-configuration").json()
        assert config["issuer"] == "http://localhost"
        assert config["token_endpoint"] == "http://localhost/oauth/token"
        assert config["code_challenge_methods_supported"] == ["S256"]
        assert {"client_secret_basic", "private_key_jwt"} <= set(
            config["token_endpoint_auth_methods_supported"])
        jwks = client.get("/oauth/jwks").json()
        assert [k["kid"] for k in jwks["keys"]] == [app.state.keys.signing_key.kid]
        assert all("d" not in k for k in jwks["keys"])


class TestVerifiedTokens:
    """Verified tokens are remembered (an ES256 check per call is the costliest part of a
    decision request), but never past their `exp`."""

    def test_a_remembered_token_stops_working_when_it_expires(
            self, client: TestClient, app: FastAPI) -> None:
        token = forge(app, exp=timestamp() + 60)
        assert me(client, token).status_code == 200
        with frozen_at(now() + timedelta(seconds=120)):  # past exp and the 30 s leeway
            assert me(client, token).status_code == 401

    def test_a_token_that_failed_once_is_checked_again_not_remembered(
            self, client: TestClient, app: FastAPI) -> None:
        header, payload, _ = forge(app).split(".")
        _, _, good_signature = forge(app).split(".")
        assert me(client, f"{header}.{payload}.{'A' * 86}").status_code == 401
        assert me(client, f"{header}.{payload}.{'A' * 86}").status_code == 401
        assert me(client, f"{header}.{payload}.{good_signature}").status_code == 401


FAR_PAST = datetime(2021, 3, 1, 9, tzinfo=UTC)
FAR_FUTURE = datetime(2031, 9, 1, 9, tzinfo=UTC)


class TestOneClock:
    """Tokens are issued and checked on `broker.clock`, so a frozen clock moves them too."""

    @pytest.mark.parametrize("moment", [FAR_PAST, FAR_FUTURE], ids=["past", "future"])
    def test_an_access_token_lives_on_the_frozen_clock(
            self, client: TestClient, session: Session, policy: Policy, app: FastAPI,
            moment: datetime) -> None:
        cl = make_secret_client(session, make_org(session, policy))
        with frozen_at(moment):
            token = secret_token(client, cl)
            claims = jwt.decode(token, app.state.keys.verification_keys).claims
            assert (claims["iat"], claims["exp"]) == (timestamp(), timestamp() + 300)
            assert me(client, token).status_code == 200
        with frozen_at(moment + timedelta(seconds=300 + 31)):  # past exp and the leeway
            assert me(client, token).status_code == 401

    @pytest.mark.parametrize("moment", [FAR_PAST, FAR_FUTURE], ids=["past", "future"])
    def test_an_assertion_is_checked_on_the_frozen_clock(
            self, client: TestClient, session: Session, policy: Policy,
            moment: datetime) -> None:
        cl = make_key_client(session, make_org(session, policy))
        with frozen_at(moment):
            signed = assertion(cl)
        with frozen_at(moment + timedelta(seconds=30)):
            assert key_token_response(client, signed).status_code == 200
        with frozen_at(moment + timedelta(seconds=60 + 31)):
            assert key_token_response(client, assertion(cl, exp_in=-31)).status_code == 401
