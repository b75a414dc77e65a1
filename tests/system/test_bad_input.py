"""Issue 10 item 8, the fast variant: bad input gets a clear 4xx problem+json and stores
nothing; injection strings are stored as the text they are."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from broker.observations.models import Observation
from broker.policy import Policy
from tests.observations.helpers import network, observation


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Observation)) or 0


@pytest.mark.parametrize(("raw", "status"), [
    pytest.param(b'{"subject_id": "\xff\xfe"}', 400, id="invalid UTF-8"),
    pytest.param(b"[" * 50_000 + b"]" * 50_000, 400, id="deep JSON"),
    pytest.param(b'{"subject_id": "x", "body": "' + b"a" * 3_000_000 + b'"}', (413, 422),
                 id="oversized body"),
])
def test_malformed_bodies_get_4xx_and_store_nothing(
        client: TestClient, session: Session, policy: Policy, raw: bytes,
        status: int | tuple[int, ...]) -> None:
    net = network(client, session, policy)
    before = count(session)
    response = client.post("/api/v1/observations", content=raw, headers={
        **net.school.headers, "Content-Type": "application/json"})
    assert response.status_code in (status if isinstance(status, tuple) else (status,))
    assert response.headers["content-type"] == "application/problem+json"
    assert "aaaaaaaaaa" not in response.text  # input is never echoed
    assert count(session) == before


@pytest.mark.parametrize(("change", "code"), [
    pytest.param({"concern": "extreme"}, "validation", id="unknown enum"),
    pytest.param({"observed_on": "99999-01-01"}, "validation", id="date out of range"),
    pytest.param({"observed_on": "2026-02-30"}, "validation", id="impossible date"),
    pytest.param({"category": "'; DROP TABLE observations; --"}, "validation",
                 id="injection in a term"),
])
def test_invalid_values_get_422_and_store_nothing(
        client: TestClient, session: Session, policy: Policy, change: dict[str, str],
        code: str) -> None:
    net = network(client, session, policy)
    before = count(session)
    response = client.post("/api/v1/observations", headers=net.school.headers,
                           json={**observation(net.family["c1"]), **change})
    assert response.status_code == 422 and response.json()["code"] == code
    assert count(session) == before


@pytest.mark.parametrize("text", ["'; DROP TABLE observations; --", "{{ 7*7 }}{% raw %}",
                                  "<script>alert(1)</script>", "${7*7} #{7*7}"])
def test_injection_strings_are_kept_as_plain_text(
        client: TestClient, session: Session, policy: Policy, text: str) -> None:
    net = network(client, session, policy)
    shared = client.post("/api/v1/observations", headers=net.school.headers,
                         json=observation(net.family["c1"], body=text))
    assert shared.status_code == 201, shared.text
    [item] = client.get(f"/api/v1/households/{net.family['household']}/observations",
                        headers=net.regisseur.headers).json()["items"]
    assert item["body"] == text  # stored and returned as the text it is
    assert count(session) == 1  # the table is still there
