"""Many callers at once: more requests in flight than the server has worker threads (40).

A sync route holds its transaction across several thread hops; if every worker thread waited
for that transaction, the hop that ends it could never run and the server would hang (it did:
two requests in eight seconds under 100 connections). Requests now wait their turn in the
event loop, so every one of them is answered."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from broker.policy import Policy
from tests.conftest import LiveServer
from tests.dates import years_ago
from tests.factories import make_org, make_professional, make_secret_client

IN_FLIGHT = 100


def test_more_requests_in_flight_than_worker_threads_are_all_answered(
        live_server_factory: Callable[..., LiveServer], policy: Policy) -> None:
    server = live_server_factory()
    with server.session() as session, session.begin():
        org = make_org(session, policy)
        credentials = make_secret_client(session, org, make_professional(session, org))
        client_id, secret = credentials.row.client_id, credentials.secret
    with httpx.Client(base_url=server.url, timeout=60) as http:
        token = http.post("/oauth/token", data={"grant_type": "client_credentials"},
                          auth=(client_id, secret)).json()["access_token"]
        household = http.post("/api/v1/households", headers={"Authorization": f"Bearer {token}"},
                              json={"label": "Gezin", "members": [
                                  {"ref": "c", "given_name": "Kim", "family_name": "Bos",
                                   "birth_date": years_ago(9, 100), "role": "child"}]}).json()
    child = household["members"][0]["id"]
    headers = {"Authorization": f"Bearer {token}"}

    def call(n: int) -> int:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            if n % 8:  # a sync route with the request's session (DbSession)
                return http.get(f"/api/v1/households/{household['id']}",
                                headers=headers).status_code
            return http.post("/api/v1/decisions", headers=headers, json={  # one transaction hop
                "subject_id": child, "category": "onderwijs", "recipient": {"party": "school"},
                "purpose": "hulpverlening"}).status_code

    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        statuses = list(pool.map(call, range(IN_FLIGHT * 2)))

    assert statuses == [200] * (IN_FLIGHT * 2)
