"""Acceptance 2 and 6: health, readiness, and problem+json for every kind of error."""

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker import migrate
from broker.app import create_app
from broker.db import Database
from broker.policy import Policy
from tests.conftest import make_settings
from tests.factories import make_org, make_professional, make_secret_client
from tests.identity.flows import login
from tests.identity.test_tokens import secret_token


def admin_token(client: TestClient, session: Session, policy: Policy) -> str:
    org = make_org(session, policy, party="gemeente")
    admin = make_professional(session, org, roles=["admin"])
    return secret_token(client, make_secret_client(session, org, admin))


def assert_problem(response: object, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status and body["code"] == code
    assert {"type", "title", "status", "detail", "code"} <= set(body)
    return body


class TestHealth:
    def test_healthz(self, client: TestClient) -> None:
        assert client.get("/healthz").json() == {"status": "ok"}

    def test_readyz_shows_policy_version_and_head(self, client: TestClient,
                                                  policy: Policy) -> None:
        body = client.get("/readyz").json()
        assert body == {"status": "ready", "database": "ok", "migrations": "head",
                        "policy_version": policy.version}

    def test_readyz_is_503_on_an_unmigrated_database(self, tmp_path: Path,
                                                     policy: Policy) -> None:
        url = f"sqlite:///{tmp_path / 'empty.db'}"
        app = create_app(make_settings(tmp_path, database_url=url), policy=policy,
                         database=Database.from_url(url))
        response = TestClient(app).get("/readyz")
        assert response.status_code == 503
        assert response.json()["migrations"] == f"at None, head is {migrate.head_revision()}"


class TestProblems:
    def test_unknown_route_is_404_problem(self, client: TestClient) -> None:
        assert_problem(client.get("/api/v1/nothing-here"), 404, "not_found")

    def test_wrong_method_is_405_problem(self, client: TestClient) -> None:
        assert_problem(client.delete("/healthz"), 405, "method_not_allowed")

    def test_malformed_json_is_400_problem(self, client: TestClient, session: Session,
                                           policy: Policy) -> None:
        response = client.post("/api/v1/organisations", content=b'{"name": "x", party',
                               headers={"Authorization": f"Bearer "
                                        f"{admin_token(client, session, policy)}",
                                        "Content-Type": "application/json"})
        assert_problem(response, 400, "malformed_json")

    def test_extra_field_is_422_naming_it(self, client: TestClient, session: Session,
                                          policy: Policy) -> None:
        response = client.post("/api/v1/organisations",
                               json={"name": "x", "party": "school", "colour": "red"},
                               headers={"Authorization": f"Bearer "
                                        f"{admin_token(client, session, policy)}"})
        body = assert_problem(response, 422, "unknown_field")
        assert body["errors"] == [{"field": "body.colour", "message": "Extra inputs are not "
                                   "permitted", "type": "extra_forbidden"}]

    def test_missing_field_is_422_validation(self, client: TestClient, session: Session,
                                             policy: Policy) -> None:
        response = client.post("/api/v1/organisations", json={"name": "x"},
                               headers={"Authorization": f"Bearer "
                                        f"{admin_token(client, session, policy)}"})
        body = assert_problem(response, 422, "validation")
        assert [e["field"] for e in body["errors"]] == ["body.party"]  # type: ignore[attr-defined]

    def test_validation_errors_do_not_echo_input(self, client: TestClient, session: Session,
                                                 policy: Policy) -> None:
        response = client.post("/api/v1/organisations",
                               json={"name": "x" * 500, "party": "school"},
                               headers={"Authorization": f"Bearer "
                                        f"{admin_token(client, session, policy)}"})
        assert_problem(response, 422, "validation")
        assert "x" * 500 not in response.text

    def test_unknown_party_is_422(self, client: TestClient, session: Session,
                                  policy: Policy) -> None:
        response = client.post("/api/v1/organisations", json={"name": "x", "party": "circus"},
                               headers={"Authorization": f"Bearer "
                                        f"{admin_token(client, session, policy)}"})
        assert_problem(response, 422, "invalid")

    def test_browser_gets_a_dutch_error_page(self, client: TestClient) -> None:
        response = client.get("/nergens", headers={"accept": "text/html"})
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Deze pagina bestaat niet" in response.text


@pytest.fixture
def failing_app(tmp_path: Path, policy: Policy, database_url: str) -> Iterator[FastAPI]:
    app = create_app(make_settings(tmp_path, database_url=database_url), policy=policy,
                     database=Database.from_url(database_url))

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret detail: BSN 111222333")

    yield app
    app.state.db.engine.dispose()


class TestUnexpectedErrors:
    def test_500_has_trace_id_and_no_internals(self, failing_app: FastAPI) -> None:
        response = TestClient(failing_app).get("/api/v1/boom")
        body = assert_problem(response, 500, "internal")
        assert body["trace_id"] == response.headers["x-trace-id"]
        assert "111222333" not in response.text and "RuntimeError" not in response.text

    def test_500_log_holds_no_message(self, failing_app: FastAPI,
                                      captured_logs: io.StringIO) -> None:
        TestClient(failing_app).get("/api/v1/boom")
        logged = captured_logs.getvalue()
        assert "unhandled_exception" in logged and "RuntimeError" in logged
        assert "111222333" not in logged


class TestTracing:
    def test_incoming_traceparent_is_propagated(self, client: TestClient) -> None:
        trace = "4bf92f3577b34da6a3ce929d0e0e4736"
        response = client.get("/healthz",
                              headers={"traceparent": f"00-{trace}-00f067aa0ba902b7-01"})
        assert response.headers["x-trace-id"] == trace
        assert re.fullmatch(rf"00-{trace}-[0-9a-f]{{16}}-01", response.headers["traceparent"])

    def test_invalid_traceparent_starts_a_new_trace(self, client: TestClient) -> None:
        response = client.get("/healthz", headers={"traceparent": "00-zzz-1-01"})
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-trace-id"])

    def test_problem_carries_the_trace_id(self, client: TestClient) -> None:
        response = client.get("/api/v1/nothing")
        assert response.json()["trace_id"] == response.headers["x-trace-id"]


class TestLogs:
    def test_logs_hold_no_email_password_or_name(self, client: TestClient, session: Session,
                                                 policy: Policy,
                                                 captured_logs: io.StringIO) -> None:
        make_professional(session, make_org(session, policy), email="geheim@example.org",
                          name="Pieter Geheim")
        login(client, "geheim@example.org", "a wrong password")
        login(client, "geheim@example.org", "correct horse battery staple")
        logged = captured_logs.getvalue()
        assert "route=/oauth/authorize" in logged or '"/oauth/authorize"' in logged
        for secret in ["geheim@example.org", "Pieter Geheim", "wrong password", "horse"]:
            assert secret not in logged


def test_a_nul_character_is_the_callers_error_not_a_crash(client: TestClient,
                                                          session: Session,
                                                          policy: Policy) -> None:
    """Found by the fuzz test: PostgreSQL refuses NUL in text; that must be a 4xx."""
    from tests.audit.helpers import bearer

    headers = bearer(client, session, policy, roles=["regisseur"])
    response = client.get("/api/v1/consents", params={"subject_id": "a\x00b"}, headers=headers)
    assert response.status_code in (404, 422)  # SQLite holds NUL; PostgreSQL refuses it
    assert response.headers["content-type"] == "application/problem+json"
    if session.connection().dialect.name == "postgresql":
        assert response.json()["code"] == "invalid_value"
