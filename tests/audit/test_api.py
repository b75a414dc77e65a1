"""The privacy officer's API: proofs checked by an independent verifier (acceptance 2), access
(acceptance 4), the person's report (acceptance 5), search and pagination."""

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker.policy import Policy
from tests.audit import rfc6962
from tests.audit.helpers import actor, bearer, disclose
from tests.factories import make_org


@pytest.fixture
def officer(client: TestClient, session: Session, policy: Policy) -> dict[str, str]:
    return bearer(client, session, policy, roles=["privacy_officer"])


def checkpoint(client: TestClient, headers: dict[str, str]) -> tuple[int, bytes]:
    body = client.get("/api/v1/audit/checkpoint", headers=headers).json()
    size, root = rfc6962.open_checkpoint(body["note"], body["verifier_key"])
    assert (size, root.hex()) == (body["tree_size"], body["root_hash"])
    return size, root


class TestProofs:
    def test_inclusion_proof_verifies_against_the_signed_checkpoint(
            self, client: TestClient, session: Session, officer: dict[str, str]) -> None:
        for i in range(13):
            disclose(session, subject_id=f"m{i}", to=actor())
        size, root = checkpoint(client, officer)
        for seq in (1, size // 2, size):
            proof = client.get(f"/api/v1/audit/proof/{seq}", params={"tree_size": size},
                               headers=officer).json()
            event = client.get(f"/api/v1/audit/events/{seq}", headers=officer).json()
            assert proof["leaf_index"] == seq - 1 and proof["tree_size"] == size
            assert rfc6962.verify_inclusion(seq - 1, size, bytes.fromhex(proof["leaf_hash"]),
                                            [bytes.fromhex(p) for p in proof["audit_path"]],
                                            root)
            assert event["seq"] == seq

    def test_leaf_hash_is_the_hash_of_the_shown_event(
            self, client: TestClient, session: Session, officer: dict[str, str],
            app: FastAPI) -> None:
        import json

        disclose(session, subject_id="m", to=actor())
        size, _ = checkpoint(client, officer)
        event = client.get(f"/api/v1/audit/events/{size}", headers=officer).json()
        seq = event.pop("seq")
        leaf = json.dumps({"event": event, "seq": seq}, sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False)
        proof = client.get(f"/api/v1/audit/proof/{seq}", headers=officer).json()
        assert rfc6962.h(b"\x00" + leaf.encode()).hex() == proof["leaf_hash"]

    def test_consistency_proof_between_two_checkpoints_verifies(
            self, client: TestClient, session: Session, officer: dict[str, str]) -> None:
        for i in range(5):
            disclose(session, subject_id=f"a{i}", to=actor())
        first, first_root = checkpoint(client, officer)
        for i in range(9):
            disclose(session, subject_id=f"b{i}", to=actor())
        second, second_root = checkpoint(client, officer)
        body = client.get("/api/v1/audit/consistency", params={"first": first,
                                                                "second": second},
                          headers=officer).json()
        assert (body["first"], body["second"]) == (first, second)
        assert rfc6962.verify_consistency(first, second, first_root, second_root,
                                          [bytes.fromhex(p) for p in body["proof"]])

    def test_proof_outside_the_tree_is_refused(self, client: TestClient,
                                               officer: dict[str, str]) -> None:
        size, _ = checkpoint(client, officer)
        assert client.get(f"/api/v1/audit/proof/{size + 100}",
                          headers=officer).json()["code"] == "not_found"
        response = client.get("/api/v1/audit/proof/1", params={"tree_size": size + 100},
                              headers=officer)
        assert response.status_code == 422 and response.json()["code"] == "bad_tree_size"

    def test_verify_endpoint_reports_ok(self, client: TestClient, session: Session,
                                        officer: dict[str, str]) -> None:
        disclose(session, subject_id="m", to=actor())
        body = client.get("/api/v1/audit/verify", headers=officer).json()
        assert body["ok"] is True and body["problems"] == []
        assert body["tree_size"] == body["events"] >= 1


AUDIT_ROUTES = ["/api/v1/audit/events", "/api/v1/audit/events/1",
                "/api/v1/audit/subjects/x/report", "/api/v1/audit/checkpoint",
                "/api/v1/audit/proof/1", "/api/v1/audit/consistency?first=1&second=1",
                "/api/v1/audit/verify"]


class TestAccess:
    def test_the_list_covers_every_audit_route(self, app: FastAPI) -> None:
        # The override review queue is also the aandachtsfunctionaris's (tests/meldcode).
        paths = {re.sub(r"\{[^}]+\}", "x", path) for path in app.openapi()["paths"]
                 if path.startswith("/api/v1/audit") and path != "/api/v1/audit/overrides"}
        listed = {re.sub(r"/\d+", "/x", p.split("?")[0]) for p in AUDIT_ROUTES}
        assert paths == listed

    @pytest.mark.parametrize("roles", [["regisseur"], ["partner"], ["admin"],
                                       ["aandachtsfunctionaris"], ["teamleider"]])
    def test_other_roles_get_403_on_every_audit_route(self, client: TestClient,
                                                      session: Session, policy: Policy,
                                                      roles: list[str]) -> None:
        headers = bearer(client, session, policy, roles=roles)
        for path in AUDIT_ROUTES:
            response = client.get(path, headers=headers)
            assert response.status_code == 403, path
            assert response.json()["code"] == "wrong_role"

    def test_no_token_gets_401(self, client: TestClient) -> None:
        assert all(client.get(path).status_code == 401 for path in AUDIT_ROUTES)

    def test_the_officers_own_searches_are_in_the_log(self, client: TestClient,
                                                      officer: dict[str, str]) -> None:
        client.get("/api/v1/audit/events", params={"subject_id": "member-x"},
                   headers=officer)
        client.get("/api/v1/audit/subjects/member-y/report", headers=officer)
        items = client.get("/api/v1/audit/events", params={"action": "audit.search"},
                           headers=officer).json()["items"]
        reports = client.get("/api/v1/audit/events", params={"action": "audit.report"},
                             headers=officer).json()["items"]
        assert items and items[0]["actor_role"] == "privacy_officer"
        assert reports and reports[0]["subject"] is not None


class TestSearch:
    def test_filters_and_cursor_pagination(self, client: TestClient, session: Session,
                                           officer: dict[str, str], policy: Policy) -> None:
        school = make_org(session, policy, party="school")
        for _ in range(7):
            disclose(session, subject_id="noor", to=actor(school.id))
        disclose(session, subject_id="daan", to=actor(school.id))
        params = {"subject_id": "noor", "limit": 3}
        seen: list[int] = []
        cursor = None
        while True:
            page = client.get("/api/v1/audit/events",
                              params={**params, **({"cursor": cursor} if cursor else {})},
                              headers=officer).json()
            seen += [item["seq"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == 7 and seen == sorted(seen, reverse=True)
        by_org = client.get("/api/v1/audit/events", params={"organisation_id": school.id,
                                                             "action": "disclosure"},
                            headers=officer).json()["items"]
        assert len(by_org) == 8

    def test_time_filter(self, client: TestClient, session: Session,
                                                   officer: dict[str, str]) -> None:
        disclose(session, subject_id="tijd", to=actor())
        later = client.get("/api/v1/audit/events",
                           params={"subject_id": "tijd", "action": "disclosure",
                                   "since": "2100-01-01T00:00:00+01:00"},
                           headers=officer).json()["items"]
        earlier = client.get("/api/v1/audit/events",
                             params={"subject_id": "tijd", "action": "disclosure",
                                     "since": "2000-01-01T00:00:00+01:00"},
                             headers=officer).json()["items"]
        assert later == [] and len(earlier) == 1


class TestSubjectReport:
    def test_report_lists_disclosures_about_this_person_only(
            self, client: TestClient, session: Session, officer: dict[str, str],
            policy: Policy) -> None:
        school = make_org(session, policy, party="school", name="OBS De Linde")
        gp = make_org(session, policy, party="huisarts", name="Huisartsenpraktijk Oost")
        disclose(session, subject_id="noor", to=actor(school.id), categories=("onderwijs",))
        disclose(session, subject_id="noor", to=actor(gp.id, "huisarts"),
                 categories=("gezondheid",), basis="override")
        disclose(session, subject_id="daan", to=actor(gp.id, "huisarts"),
                 categories=("psychische_gezondheid",))
        body = client.get("/api/v1/audit/subjects/noor/report", headers=officer).json()
        assert [(line["organisation_name"], line["categories"], line["basis"])
                for line in body["lines"]] == [
            ("OBS De Linde", ["onderwijs"], "consent"),
            ("Huisartsenpraktijk Oost", ["gezondheid"], "override")]
        assert all(line["purpose"] == "hulpverlening" for line in body["lines"])
        assert "psychische_gezondheid" not in str(body)
