"""`broker audit export`: the log as JSON lines, or in the shape of the Logboek
Dataverwerkingen (one span per event, with processing activity and data subject)."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

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


def ldv_span(event: dict[str, Any]) -> dict[str, Any]:
    """One LDV record: an OpenTelemetry-like span with the `dpl.core.*` attributes."""
    attributes: dict[str, Any] = {
        "dpl.core.processing_activity_id": event["processing_activity"],
        "dpl.core.data_subject_id": event["subject"],
        "dpl.core.data_subject_id_type": "pseudonym" if event["subject"] else None,
        "broker.action": event["action"],
        "broker.seq": event["seq"],
        "broker.basis": event["basis"],
        "broker.categories": event["categories"],
        "broker.policy_version": event["policy_version"],
    }
    if event["parent_span_id"]:  # the partner's trace came in with the request
        attributes["dpl.core.foreign_operation.trace_id"] = event["trace_id"]
        attributes["dpl.core.foreign_operation.span_id"] = event["parent_span_id"]
    return {
        "trace_id": event["trace_id"],
        "span_id": event["span_id"],
        "parent_span_id": event["parent_span_id"],
        "name": event["action"],
        "start_time": event["recorded_at"],
        "end_time": event["recorded_at"],
        "status_code": "STATUS_CODE_OK" if event["outcome"] == "success"
        else "STATUS_CODE_ERROR",
        "resource": {"service.name": "broker"},
        "attributes": {k: v for k, v in attributes.items() if v is not None},
    }


def export_events(session: Session, out: TextIO, *, fmt: str, since: datetime | None = None,
                  until: datetime | None = None) -> int:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    count = 0
    for event in _events(session, since, until):
        out.write(canonical(ldv_span(event) if fmt == "ldv" else event) + "\n")
        count += 1
    return count


