"""Review of issue 23: the rate limit is keyed on the exact client address string. One IPv6
subscriber gets a /64 (often a /56 or /48), i.e. 2**64 addresses, so the limit on password
guessing (login) and client-secret guessing (token) does not hold for any IPv6 client."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker.identity.limits import LimitKind
from tests.conftest import BASE_URL, serve_in


@pytest.fixture
def strict(app: FastAPI, session: Session) -> Iterator[FastAPI]:
    serve_in(app, session)
    before = app.state.limits
    app.state.limits = {LimitKind.LOGIN: 3, LimitKind.TOKEN: 3}
    yield app
    app.state.limits = before
    app.dependency_overrides.clear()


def token_request(app: FastAPI, host: str) -> int:
    client = TestClient(app, base_url=BASE_URL, raise_server_exceptions=False,
                        client=(host, 50000))
    return client.post("/oauth/token", data={"grant_type": "client_credentials"},
                       auth=("nobody", "wrong")).status_code


def test_one_address_is_limited(strict: FastAPI) -> None:
    assert [token_request(strict, "192.0.2.7") for _ in range(5)][-1] == 429


def test_addresses_of_one_ipv6_64_share_a_budget(strict: FastAPI) -> None:
    statuses = [token_request(strict, f"2001:db8:1:2::{n:x}") for n in range(1, 7)]
    assert statuses[-1] == 429, statuses
