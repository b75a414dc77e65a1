"""Acceptance 2: `broker serve` on an empty database migrates it and answers health checks.
Issue 23: its rate limits hold across processes on one database, and X-Forwarded-For is
believed only from the proxies named in BROKER_TRUSTED_PROXIES."""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import free_port
from tests.databases import fresh_database

Serve = Callable[[dict[str, str]], str]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    """Start `broker serve` processes with these environment variables; each answers at the
    URL returned once it is healthy. All are stopped after the test."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(env: dict[str, str]) -> str:
        port = free_port()
        log = tmp_path / f"serve-{port}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "broker", "serve", "--port", str(port)],
                env={**os.environ, "BROKER_LOG_LEVEL": "WARNING", **env},
                stdout=output, stderr=subprocess.STDOUT)
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/healthz", timeout=2)
                return url
            except httpx.TransportError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "broker serve did not start"
                time.sleep(0.2)

    yield start
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=20)


def test_serve_migrates_an_empty_sqlite_and_is_ready(tmp_path: Path, serve: Serve) -> None:
    url = serve({"BROKER_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
                 "BROKER_KEY_DIR": str(tmp_path / "keys")})
    assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
    ready = httpx.get(f"{url}/readyz", timeout=5).json()
    assert ready["status"] == "ready" and ready["migrations"] == "head"
    assert ready["policy_version"].startswith("sha256:")
    assert (tmp_path / "keys").stat().st_mode & 0o777 == 0o700


def limited(tmp_path: Path, database_url: str, **env: str) -> dict[str, str]:
    """Three token requests a minute per client address; proxies as given (none by
    default). The processes of one test share the database and the keys."""
    return {"BROKER_DATABASE_URL": database_url, "BROKER_KEY_DIR": str(tmp_path / "keys"),
            "BROKER_TOKEN_REQUESTS_PER_MINUTE": "3", "BROKER_TRUSTED_PROXIES": "", **env}


def ask_token(url: str, forwarded_for: str | None = None) -> httpx.Response:
    """A client-credentials request with a wrong secret: 401, or 429 once limited."""
    headers = {"x-forwarded-for": forwarded_for} if forwarded_for else {}
    return httpx.post(f"{url}/oauth/token", data={"grant_type": "client_credentials"},
                      auth=("cl_nobody", "wrong"), headers=headers, timeout=10)


class TestRateLimitsAcrossProcesses:
    def test_two_processes_on_one_database_share_the_limit(self, tmp_path: Path,
                                                           serve: Serve) -> None:
        env = limited(tmp_path, fresh_database(tmp_path, "shared"))
        first, second = serve(env), serve(env)
        answers = [ask_token(url) for url in (first, first, second, second)]
        assert [a.status_code for a in answers] == [401, 401, 401, 429]
        assert answers[-1].json()["code"] == "rate_limited"
        assert int(answers[-1].headers["retry-after"]) >= 1
        assert ask_token(first).status_code == 429


class TestForwardedFor:
    def test_without_trusted_proxies_a_rotating_header_changes_nothing(
            self, tmp_path: Path, serve: Serve) -> None:
        url = serve(limited(tmp_path, fresh_database(tmp_path, "rotating")))
        statuses = [ask_token(url, f"203.0.113.{n}").status_code for n in range(1, 5)]
        assert statuses == [401, 401, 401, 429]

    def test_behind_a_trusted_proxy_the_forwarded_address_is_limited(
            self, tmp_path: Path, serve: Serve) -> None:
        database_url = fresh_database(tmp_path, "proxied")
        url = serve(limited(tmp_path, database_url, BROKER_TRUSTED_PROXIES="127.0.0.1"))
        statuses = [ask_token(url, "203.0.113.7").status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        assert ask_token(url, "203.0.113.8").status_code == 401  # a budget of its own
        assert ask_token(url).status_code == 401  # and so has the proxy itself
        engine = create_engine(database_url)
        with engine.connect() as connection:
            stored = connection.execute(text(
                "SELECT kind, address_hash, count FROM rate_windows")).all()
        engine.dispose()
        assert sorted(count for _, _, count in stored) == [1, 1, 3]
        assert not any("203.0.113" in address for _, address, _ in stored)
