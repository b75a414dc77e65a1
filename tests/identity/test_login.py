"""Browser login through the OIDC code flow with PKCE, as HTTP (the browser test is in e2e)."""

import base64
import hashlib
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.clock import frozen_at
from broker.db import Database
from broker.errors import TooManyAttempts
from broker.identity import service
from broker.identity.models import Professional, WebSession
from broker.policy import Policy
from tests.databases import fresh_database
from tests.factories import PASSWORD, make_org, make_professional
from tests.identity.flows import csrf_of, login, login_form


def authorize_params(**changes: str) -> dict[str, str]:
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    params = {"response_type": "code", "client_id": "broker-web",
              "redirect_uri": "http://localhost/auth/callback", "scope": "openid email",
              "state": "s1", "code_challenge": challenge.rstrip(b"=").decode(),
              "code_challenge_method": "S256"}
    params.update(changes)
    return {k: v for k, v in params.items() if v != ""}


class TestCodeFlow:
    def test_login_lands_on_the_home_page_with_name_and_roles(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        org = make_org(session, policy, name="Wijkteam Noord")
        anna = make_professional(session, org, roles=["regisseur", "admin"],
                                 email="anna@example.org")
        response = login(client, "Anna@Example.org", PASSWORD)
        assert response.status_code == 200
        assert str(response.url) == "http://localhost/"
        assert "Welkom, Anna de Vries" in response.text
        assert "Regisseur" in response.text and "Beheerder" in response.text
        assert "Wijkteam Noord" in response.text
        web_session = session.scalar(select(WebSession).where(
            WebSession.professional_id == anna.id))
        assert web_session is not None and web_session.ended_at is None

    @pytest.mark.parametrize("moment", [datetime(2021, 3, 1, 9, tzinfo=UTC),
                                        datetime(2031, 9, 1, 9, tzinfo=UTC)],
                             ids=["past", "future"])
    def test_login_works_on_a_frozen_clock(self, client: TestClient, session: Session,
                                           policy: Policy, moment: datetime) -> None:
        """The ID token is issued and checked on the same clock as everything else."""
        make_professional(session, make_org(session, policy), email="anna@example.org")
        with frozen_at(moment):
            response = login(client, "anna@example.org", PASSWORD)
        assert response.status_code == 200, response.text
        assert str(response.url) == "http://localhost/"
        assert "Welkom, Anna de Vries" in response.text

    def test_session_cookie_is_httponly_and_samesite(self, client: TestClient,
                                                      session: Session, policy: Policy) -> None:
        make_professional(session, make_org(session, policy), email="b@example.org")
        response = login(client, "b@example.org", PASSWORD)
        set_cookie = response.history[-1].headers["set-cookie"].lower()
        assert "broker_session=" in set_cookie
        assert "httponly" in set_cookie and "samesite=lax" in set_cookie

    def test_wrong_password_shows_a_dutch_error(self, client: TestClient, session: Session,
                                                policy: Policy) -> None:
        make_professional(session, make_org(session, policy), email="c@example.org")
        response = login(client, "c@example.org", "wrong password!!")
        assert response.status_code == 401
        assert "Het e-mailadres of het wachtwoord klopt niet." in response.text
        assert "broker_session" not in client.cookies

    def test_unknown_email_gets_the_same_answer(self, client: TestClient) -> None:
        response = login(client, "nobody@example.org", "whatever password")
        assert response.status_code == 401
        assert "Het e-mailadres of het wachtwoord klopt niet." in response.text

    def test_after_repeated_failures_the_account_locks(self, client: TestClient,
                                                       session: Session, policy: Policy) -> None:
        make_professional(session, make_org(session, policy), email="d@example.org")
        for _ in range(5):
            assert login(client, "d@example.org", "wrong password!!").status_code == 401
        locked = login(client, "d@example.org", PASSWORD)
        assert locked.status_code == 429
        assert "tijdelijk geblokkeerd" in locked.text

    def test_next_path_is_followed_after_login(self, client: TestClient, session: Session,
                                               policy: Policy) -> None:
        make_professional(session, make_org(session, policy), email="e@example.org",
                          roles=["admin"])
        response = login(client, "e@example.org", PASSWORD, next_path="/beheer")
        assert str(response.url) == "http://localhost/beheer"

    def test_next_to_another_site_is_not_followed(self, client: TestClient, session: Session,
                                                  policy: Policy) -> None:
        make_professional(session, make_org(session, policy), email="f@example.org")
        for evil in ["https://evil.example/", "//evil.example/", "/\\evil.example"]:
            client.cookies.clear()
            response = login(client, "f@example.org", PASSWORD, next_path=evil)
            assert str(response.url) == "http://localhost/"

    def test_logout_ends_the_session(self, client: TestClient, session: Session,
                                     policy: Policy) -> None:
        make_professional(session, make_org(session, policy), email="g@example.org",
                          roles=["admin"])
        home = login(client, "g@example.org", PASSWORD)
        raw = client.cookies.get("broker_session")
        response = client.post("/logout", data={"csrf_token": csrf_of(home.text)})
        assert response.status_code == 200 and "Inloggen" in response.text
        client.cookies.set("broker_session", raw or "")
        assert client.get("/beheer", follow_redirects=False).status_code == 303


class TestCsrf:
    def test_login_post_without_csrf_token_is_refused(self, client: TestClient,
                                                      session: Session, policy: Policy) -> None:
        make_professional(session, make_org(session, policy), email="h@example.org")
        action, _ = login_form(client)
        response = client.post(action, data={"email": "h@example.org", "password": PASSWORD})
        assert response.status_code == 403
        assert response.json()["code"] == "csrf"

    def test_logout_without_csrf_token_is_refused(self, client: TestClient, session: Session,
                                                  policy: Policy) -> None:
        make_professional(session, make_org(session, policy), email="i@example.org")
        login(client, "i@example.org", PASSWORD)
        response = client.post("/logout", data={"csrf_token": "forged"},
                               headers={"accept": "text/html"})
        assert response.status_code == 403
        assert "Er ging iets mis" in response.text

    def test_csrf_token_changes_at_login(self, client: TestClient, session: Session,
                                         policy: Policy) -> None:
        make_professional(session, make_org(session, policy), email="j@example.org")
        _, before = login_form(client)
        client.cookies.clear()
        home = login(client, "j@example.org", PASSWORD)
        assert csrf_of(home.text) != before


class TestAuthorizeEndpoint:
    def test_pkce_is_required(self, client: TestClient) -> None:
        response = client.get("/oauth/authorize", follow_redirects=False,
                              params=authorize_params(code_challenge="",
                                                      code_challenge_method=""))
        assert response.status_code == 302
        query = parse_qs(urlsplit(response.headers["location"]).query)
        assert query["error"] == ["invalid_request"]

    def test_plain_pkce_is_refused(self, client: TestClient) -> None:
        response = client.get("/oauth/authorize", follow_redirects=False,
                              params=authorize_params(code_challenge_method="plain"))
        assert "error=invalid_request" in response.headers["location"]

    def test_unregistered_redirect_uri_is_never_followed(self, client: TestClient) -> None:
        response = client.get("/oauth/authorize", follow_redirects=False,
                              headers={"accept": "text/html"},
                              params=authorize_params(redirect_uri="https://evil.example/cb"))
        assert response.status_code == 400
        assert "evil.example" not in response.headers.get("location", "")

    def test_valid_request_shows_the_dutch_login_page(self, client: TestClient) -> None:
        response = client.get("/oauth/authorize", params=authorize_params())
        assert response.status_code == 200
        assert '<html lang="nl">' in response.text
        assert "E-mailadres" in response.text and "Wachtwoord" in response.text

    def test_code_is_single_use_and_needs_the_verifier(self, client: TestClient,
                                                       session: Session, policy: Policy) -> None:
        make_professional(session, make_org(session, policy), email="k@example.org")
        params = authorize_params()
        page = client.get("/oauth/authorize", params=params)
        response = client.post("/oauth/authorize", params=params, follow_redirects=False,
                               data={"email": "k@example.org", "password": PASSWORD,
                                     "csrf_token": csrf_of(page.text)})
        code = parse_qs(urlsplit(response.headers["location"]).query)["code"][0]
        exchange = {"grant_type": "authorization_code", "code": code, "client_id": "broker-web",
                    "redirect_uri": params["redirect_uri"]}
        wrong = client.post("/oauth/token", data={**exchange, "code_verifier": "w" * 50})
        assert wrong.status_code == 400
        right = client.post("/oauth/token", data={**exchange, "code_verifier": "v" * 50})
        assert right.status_code == 200
        assert right.json()["id_token"].count(".") == 2
        again = client.post("/oauth/token", data={**exchange, "code_verifier": "v" * 50})
        assert again.status_code == 400 and again.json()["code"] == "invalid_grant"


class TestLockoutAcrossProcesses:
    def test_concurrent_wrong_passwords_all_count(self, tmp_path: Path, policy: Policy) -> None:
        """Eight guesses at once, each in a transaction of its own on a committed database,
        as several broker processes would make them: five fail, the account locks, and the
        other three find it locked (not: each reads no failures and one is counted)."""
        database = Database.from_url(fresh_database(tmp_path, "lockout"))
        with database.sessionmaker.begin() as session:
            make_professional(session, make_org(session, policy), email="doel@example.org")
        start = threading.Barrier(8)
        outcomes: list[str] = []

        def guess(n: int) -> None:
            start.wait()
            with database.sessionmaker.begin() as session:
                try:
                    service.authenticate_password(
                        session, email="doel@example.org", password=f"guess {n}",
                        max_failures=5, lockout=timedelta(minutes=15))
                except (service.LoginFailed, TooManyAttempts) as refused:
                    outcomes.append(refused.code)

        threads = [threading.Thread(target=guess, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with database.sessionmaker() as session:
            professional = session.scalars(select(Professional)).one()
        database.engine.dispose()
        assert sorted(outcomes) == ["login_failed"] * 5 + ["too_many_attempts"] * 3
        assert professional.failed_logins == 5 and professional.locked_until is not None
