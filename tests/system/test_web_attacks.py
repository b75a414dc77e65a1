"""Issue 10 item 7, the web side (token forgeries are in tests/identity/test_tokens.py, CSRF
on every form in the access matrix): rate limits on the login and token endpoints, session
fixation, open redirects after login, security headers, and no password or client secret in
any log line."""

import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker.app import create_app
from broker.identity.deps import SESSION_COOKIE
from broker.identity.limits import LimitKind
from broker.identity.pages import safe_next
from broker.policy import Policy
from tests.conftest import make_settings
from tests.databases import fresh_database
from tests.factories import PASSWORD, make_org, make_professional, make_secret_client
from tests.identity.flows import login, login_form


@pytest.fixture
def strict_limits(app: FastAPI) -> Iterator[None]:
    """The session's app with the limits a real deployment might set, for one test."""
    saved = app.state.limits
    app.state.limits = {LimitKind.LOGIN: 3, LimitKind.TOKEN: 5}
    yield
    app.state.limits = saved


class TestRateLimits:
    def test_token_requests_beyond_the_limit_get_429_with_retry_after(
            self, client: TestClient, strict_limits: None) -> None:
        answers = [client.post("/oauth/token", data={"grant_type": "client_credentials"},
                               auth=("cl_nobody", "wrong")) for _ in range(6)]
        assert [a.status_code for a in answers] == [401] * 5 + [429]
        assert answers[-1].headers["content-type"].startswith("application/problem+json")
        assert answers[-1].json()["code"] == "rate_limited"
        assert int(answers[-1].headers["retry-after"]) >= 1

    def test_login_attempts_beyond_the_limit_get_429(
            self, client: TestClient, session: Session, policy: Policy,
            strict_limits: None) -> None:
        make_professional(session, make_org(session, policy), email="doel@example.org")
        statuses = [login(client, "doel@example.org", f"guess {n}").status_code
                    for n in range(4)]
        assert statuses == [401, 401, 401, 429]

    def test_a_login_post_that_fails_still_counts(
            self, client: TestClient, strict_limits: None) -> None:
        """The count is committed before the login's own work, so a post refused for its
        missing CSRF token uses up the budget as a wrong password does."""
        action, _ = login_form(client)
        statuses = [client.post(action, data={"email": "x@example.org", "password": "x"}
                                ).status_code for _ in range(4)]
        assert statuses == [403, 403, 403, 429]


class TestSessions:
    def test_a_session_id_planted_before_login_is_not_adopted(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        make_professional(session, make_org(session, policy), email="vast@example.org")
        client.cookies.set(SESSION_COOKIE, "chosen-by-the-attacker", domain="localhost.local")
        login(client, "vast@example.org", PASSWORD)
        given = {c.value for c in client.cookies.jar if c.name == SESSION_COOKIE}
        assert given - {"chosen-by-the-attacker"}, "login gives a session id of its own"
        client.cookies.clear()
        client.cookies.set(SESSION_COOKIE, "chosen-by-the-attacker")
        answer = client.get("/huishoudens", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")

    @pytest.mark.parametrize("evil", [
        "https://evil.example/", "//evil.example/", "/\\evil.example", "/\t/evil.example",
        "/\n/evil.example", "///evil.example", "javascript:alert(1)", "evil.example",
        " /evil"])
    def test_login_never_redirects_to_another_site(self, evil: str) -> None:
        assert safe_next(evil) == "/"

    def test_a_local_path_with_its_query_is_kept(self) -> None:
        assert safe_next("/huishoudens?pagina=2") == "/huishoudens?pagina=2"


class TestHeaders:
    def test_every_answer_carries_the_security_headers(self, client: TestClient) -> None:
        for path in ("/", "/api/v1/me", "/healthz", "/static/app.css", "/nothing"):
            headers = client.get(path).headers
            policy = headers["content-security-policy"]
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split(
                "script-src")[1].split(";")[0], path
            assert "frame-ancestors 'none'" in policy, path
            assert headers["x-content-type-options"] == "nosniff", path
            assert "strict-transport-security" not in headers, "HSTS only behind TLS"

    def test_hsts_behind_tls(self, tmp_path: Path, policy: Policy) -> None:
        settings = make_settings(tmp_path, base_url="https://broker.gemeente.example",
                                 database_url=fresh_database(tmp_path, "tls"))
        with TestClient(create_app(settings, policy=policy)) as https:
            assert https.get("/healthz").headers["strict-transport-security"].startswith(
                "max-age=31536000")


class TestLogs:
    def test_no_password_or_client_secret_is_ever_logged(
            self, client: TestClient, session: Session, policy: Policy,
            captured_logs: io.StringIO, tmp_path: Path) -> None:
        org = make_org(session, policy)
        make_professional(session, org, email="log@example.org")
        system = make_secret_client(session, org)
        login(client, "log@example.org", "Wachtwoord-Fout-123")
        login(client, "log@example.org", PASSWORD)
        client.post("/oauth/token", data={"grant_type": "client_credentials"},
                    auth=(system.row.client_id, system.secret))
        client.post("/oauth/token", data={"grant_type": "client_credentials",
                                          "client_id": system.row.client_id,
                                          "client_secret": "Geheim-Fout-456"})
        action, csrf = login_form(client)
        client.post(action, data={"email": "log@example.org", "password": "Wachtwoord-Fout-789",
                                  "csrf_token": csrf, "unexpected": "field"})
        logged = captured_logs.getvalue()
        assert logged, "the app logged nothing: the capture is not working"
        for secret in ("Wachtwoord-Fout", PASSWORD, system.secret, "Geheim-Fout"):
            assert secret not in logged

    def test_the_cli_logs_no_password_it_was_given(self, tmp_path: Path, policy: Policy) -> None:
        env = {"BROKER_DATABASE_URL": fresh_database(tmp_path, "cli"),
               "BROKER_KEY_DIR": str(tmp_path / "keys"), "BROKER_LOG_LEVEL": "DEBUG",
               "PATH": "/usr/bin:/bin"}

        def broker(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
            return subprocess.run([sys.executable, "-m", "broker", *args], input=stdin,
                                  capture_output=True, text=True, env=env, timeout=60)

        made = broker("admin", "create-org", "--name", "Wijkteam", "--party", "wijkteam",
                      "--json")
        org_id = made.stdout.split('"id": "')[1].split('"')[0]
        user = broker("admin", "create-user", "--org", org_id, "--email", "a@example.org",
                      "--role", "regisseur", "--password-stdin", stdin="Heel-Geheim-Wachtwoord\n")
        system = broker("admin", "create-client", "--org", org_id, "--json")
        assert user.returncode == 0 and system.returncode == 0, user.stderr + system.stderr
        secret = system.stdout.split('"client_secret": "')[1].split('"')[0]
        for output in (made, user, system):
            assert "Heel-Geheim-Wachtwoord" not in output.stdout + output.stderr
        assert secret not in system.stderr, "the secret is shown once, on stdout, not logged"
