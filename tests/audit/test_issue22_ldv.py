"""Issue 22 acceptance 5 (first half): the Logboek Dataverwerkingen export of the demo follows
the standard (Logius, "Component: Logboek") field by field; each test is one of its rules."""

import io
import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker.audit.export import export_events
from broker.audit.sequencer import sequence_pending
from broker.policy import Policy
from tests.consent.helpers import caller, jansen
from tests.databases import fresh_database

TRACE, SPAN = re.compile(r"^[0-9a-f]{32}$"), re.compile(r"^[0-9a-f]{16}$")
STATUSES = {"STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"}


def attributes(span: dict[str, Any]) -> dict[str, Any]:
    """The OTLP key-value list as a dict (each value's one field)."""
    found = {}
    for pair in span["attributes"]:
        assert set(pair) == {"key", "value"} and len(pair["value"]) == 1, pair
        [value] = pair["value"].values()
        found[pair["key"]] = value
    return found


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def spans(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """`broker demo`, then `broker audit export --format ldv`, as an operator runs them."""
    tmp = tmp_path_factory.mktemp("ldv")
    env = {**os.environ, "BROKER_DATABASE_URL": fresh_database(tmp, "ldv"),
           "BROKER_KEY_DIR": str(tmp / "keys"), "BROKER_MAIL_DIR": str(tmp / "mail"),
           "BROKER_BASE_URL": "https://broker.gemeente.example"}
    subprocess.run([sys.executable, "-m", "broker", "demo", "--json"], env=env, check=True,
                   capture_output=True, timeout=600)
    out = tmp / "ldv.jsonl"
    subprocess.run([sys.executable, "-m", "broker", "audit", "export", "--format", "ldv",
                    "--output", str(out)], env=env, check=True, capture_output=True,
                   timeout=600)
    found = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(found) > 100
    return found


class TestEachRuleOfTheStandard:
    def test_every_record_has_a_trace_id_of_16_bytes_and_its_own_span_id_of_8(
            self, spans: list[dict[str, Any]]) -> None:
        assert all(TRACE.match(s["trace_id"]) for s in spans)
        assert all(SPAN.match(s["span_id"]) for s in spans)
        assert all(SPAN.match(s["parent_span_id"]) for s in spans if "parent_span_id" in s)
        assert len({s["span_id"] for s in spans}) == len(spans)  # one span per record

    def test_background_work_has_ids_too_one_trace_per_command(
            self, spans: list[dict[str, Any]]) -> None:
        background = [s for s in spans if "parent_span_id" in s]
        assert len(background) == len(spans)  # every record names the operation it was in
        # the demo command is one operation; the export recorded in its own afterwards
        assert len({s["trace_id"] for s in spans}) <= 2

    def test_status_is_unset_ok_or_error_and_a_refusal_is_not_an_error(
            self, spans: list[dict[str, Any]]) -> None:
        assert {s["status_code"] for s in spans} <= STATUSES
        outcomes = Counter((attributes(s)["dpl.broker.outcome"], s["status_code"])
                           for s in spans)
        assert outcomes[("denied", "STATUS_CODE_UNSET")] > 0
        assert outcomes[("success", "STATUS_CODE_OK")] > 0
        assert not [o for o in outcomes if o[0] != "failure" and o[1] == "STATUS_CODE_ERROR"]

    def test_name_and_real_start_and_end_times(self, spans: list[dict[str, Any]]) -> None:
        assert all(isinstance(s["name"], str) and s["name"] for s in spans)
        for span in spans:
            assert moment(span["start_time"]) <= moment(span["end_time"])
        assert any(moment(s["start_time"]) < moment(s["end_time"]) for s in spans)

    def test_attributes_are_key_value_pairs_in_the_dpl_namespace(
            self, spans: list[dict[str, Any]]) -> None:
        for span in spans:
            assert isinstance(span["attributes"], list)
            assert all(key.startswith("dpl.") for key in attributes(span))

    def test_the_processing_activity_is_a_uri_of_the_register_that_resolves(
            self, spans: list[dict[str, Any]], client: TestClient) -> None:
        uris = {attributes(s)["dpl.core.processing_activity_id"] for s in spans}
        for uri in uris:
            parts = urlsplit(uri)
            assert (parts.scheme, parts.netloc) == ("https", "broker.gemeente.example")
            entry = client.get(parts.path)
            assert entry.status_code == 200
            assert entry.json()["uri"] == "http://localhost" + parts.path

    def test_one_data_subject_per_record_with_its_type(
            self, spans: list[dict[str, Any]]) -> None:
        about = [attributes(s) for s in spans if "dpl.core.data_subject_id" in attributes(s)]
        assert len(about) > 50
        # what is recorded about a family is recorded about each of its members
        for span in spans:
            if span["name"] in ("care.record", "household.create"):
                assert "dpl.core.data_subject_id" in attributes(span), span["name"]
        for found in about:
            assert isinstance(found["dpl.core.data_subject_id"], str)
            assert found["dpl.core.data_subject_id_type"].startswith("urn:")

    def test_resource_is_an_object_with_a_list_of_attributes(
            self, spans: list[dict[str, Any]]) -> None:
        for span in spans:
            assert set(span["resource"]) == {"attributes"}
            assert attributes(span["resource"])["service.name"] == "broker"


class TestForeignOperation:
    def test_a_callers_span_is_the_foreign_operation_with_the_caller_as_entity(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
        family = jansen(client, regisseur)
        theirs = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
        read = client.get(f"/api/v1/households/{family['household']}", headers={
            **regisseur.headers, "traceparent": f"00-{theirs[0]}-{theirs[1]}-01"})
        assert read.status_code == 200
        sequence_pending(session)
        out = io.StringIO()
        export_events(session, out, fmt="ldv")
        spans = [json.loads(line) for line in out.getvalue().splitlines()]
        called = [s for s in spans if "foreign_operation" in s]
        assert called and all(s["trace_id"] == theirs[0] for s in called)
        for span in called:
            assert span["foreign_operation"] == {
                "trace_id": theirs[0], "span_id": theirs[1],
                "entity": f"urn:broker:organisation:{regisseur.org.id}"}
            assert span["parent_span_id"] != theirs[1]  # the broker's own request span
        subjects = [attributes(s).get("dpl.core.data_subject_id") for s in called]
        assert len(subjects) == len(set(subjects))  # a household read: one span per person
