"""`broker audit export`: the log as JSON lines, or as records of the Logboek
Dataverwerkingen (Logius; built on OpenTelemetry): one span per event, so per data subject,
with the processing activity as a URI into the broker's register."""

import hashlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker import __version__
from broker.audit.models import AuditEvent
from broker.audit.queries import event_view, iso
from broker.audit.recording import canonical

FORMATS = ("jsonl", "ldv")


def _events(session: Session, since: datetime | None, until: datetime | None
            ) -> Iterator[dict[str, Any]]:
    query = select(AuditEvent.seq, AuditEvent.leaf).order_by(AuditEvent.seq)
    if since:
        query = query.where(AuditEvent.recorded_at >= iso(since))
    if until:
        query = query.where(AuditEvent.recorded_at < iso(until))
    for seq, leaf in session.execute(query.execution_options(yield_per=5000)):
        yield event_view(seq, leaf)


STATUS = {"success": "STATUS_CODE_OK", "failure": "STATUS_CODE_ERROR"}
SUBJECT_ID_TYPE = "urn:broker:pseudonym:hmac-sha256"  # a keyed hash per person, no BSN


def activity_uri(base_url: str, activity: str) -> str:
    """The processing activity in the broker's register, a URI that resolves."""
    return f"{base_url}/api/v1/processing-activities/{activity}"


def _derived(kind: str, event: dict[str, Any], size: int) -> str:
    """An id made from the event itself, stable across exports: for a span of its own, and
    for the trace of an event recorded before background work had one."""
    seed = f"{kind}:{event['seq']}:{event['recorded_at']}".encode()
    return hashlib.sha256(seed).hexdigest()[:size * 2]


def _value(value: object) -> dict[str, Any]:
    """An OpenTelemetry AnyValue (OTLP/JSON)."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, list):
        return {"arrayValue": {"values": [_value(v) for v in value]}}
    return {"stringValue": str(value)}


def _key_values(attributes: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"key": key, "value": _value(value)} for key, value in attributes.items()
            if value is not None and value != []]


def ldv_span(event: dict[str, Any], *, base_url: str, version: str) -> dict[str, Any]:
    """One record of the Logboek Dataverwerkingen: one Actie about at most one Betrokkene.

    Each event is a span of its own (the request's span is its parent); a caller's span that
    came in with `traceparent` is the `foreign_operation`, with the calling organisation as
    `entity`. A refusal is handled correctly, so it is `STATUS_CODE_UNSET` (the standard keeps
    Error for internal failures). Attributes are OTLP key-value pairs in the `dpl.` namespace."""
    trace_id = event["trace_id"] or _derived("trace", event, 16)
    span: dict[str, Any] = {
        "trace_id": trace_id,
        "span_id": _derived("span", event, 8),
        "name": event["action"],
        "status_code": STATUS.get(event["outcome"], "STATUS_CODE_UNSET"),
        "start_time": event.get("started_at") or event["recorded_at"],
        "end_time": event["recorded_at"],
        "resource": {"attributes": _key_values({"service.name": "broker",
                                                "service.version": version})},
    }
    if event["span_id"]:  # the request (or job run, or command) this Actie was part of
        span["parent_span_id"] = event["span_id"]
    if event["parent_span_id"]:
        span["foreign_operation"] = {
            "trace_id": trace_id, "span_id": event["parent_span_id"],
            "entity": f"urn:broker:organisation:{event['actor_organisation_id']}"
            if event["actor_organisation_id"] else "urn:broker:organisation:unknown"}
    span["attributes"] = _key_values({
        "dpl.core.processing_activity_id": activity_uri(base_url,
                                                        event["processing_activity"]),
        "dpl.core.data_subject_id": event["subject"],
        "dpl.core.data_subject_id_type": SUBJECT_ID_TYPE if event["subject"] else None,
        "dpl.broker.action": event["action"],
        "dpl.broker.outcome": event["outcome"],
        "dpl.broker.seq": event["seq"],
        "dpl.broker.basis": event["basis"],
        "dpl.broker.purpose": event["purpose"],
        "dpl.broker.categories": event["categories"],
        "dpl.broker.policy_version": event["policy_version"],
    })
    return span


def export_events(session: Session, out: TextIO, *, fmt: str, since: datetime | None = None,
                  until: datetime | None = None, base_url: str = "http://localhost") -> int:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    count = 0
    for event in _events(session, since, until):
        out.write(canonical(ldv_span(event, base_url=base_url, version=__version__)
                            if fmt == "ldv" else event) + "\n")
        count += 1
    return count


