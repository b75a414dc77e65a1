"""What the privacy officer reads: search, one event, a person's report, a timeline.

Every read is itself recorded. Events are shown from their leaf (the hashed content), so what
the privacy officer sees is exactly what the tree vouches for.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.audit.models import AuditEvent
from broker.audit.recording import Action, Record, record
from broker.audit.sequencer import catch_up
from broker.errors import NotFound
from broker.identity.models import Client, Organisation, Professional
from broker.identity.principal import Principal

ROLE = "privacy_officer"
MAX_PAGE = 200
DISCLOSING = (Action.DISCLOSURE.value, Action.READ.value, Action.EXPORT.value)


def iso(moment: datetime) -> str:
    """The log's own time format, for comparing with `recorded_at` as text."""
    if moment.tzinfo is None:
        raise ValueError("times need an offset")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class EventFilter:
    subject_id: str | None = None
    actor_id: str | None = None
    organisation_id: str | None = None
    action: str | None = None
    basis: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class EventPage:
    items: list[dict[str, Any]]
    next_cursor: str | None


def event_view(seq: int, leaf: str) -> dict[str, Any]:
    content: dict[str, Any] = json.loads(leaf)["event"]
    return {"seq": seq, **content}


def search_events(session: Session, *, actor: Principal, where: EventFilter,
                  cursor: str | None = None, limit: int = 50) -> EventPage:
    """Newest first; `cursor` is the last sequence number of the previous page."""
    catch_up(session)
    query = select(AuditEvent.seq, AuditEvent.leaf).order_by(AuditEvent.seq.desc())
    if where.subject_id:
        query = query.where(AuditEvent.subject ==
                            audit_context(session).pseudonym(where.subject_id))
    if where.actor_id:
        query = query.where(AuditEvent.actor_id == where.actor_id)
    if where.organisation_id:
        query = query.where(or_(AuditEvent.actor_organisation_id == where.organisation_id,
                                AuditEvent.recipient_organisation_id == where.organisation_id))
    if where.action:
        query = query.where(AuditEvent.action == where.action)
    if where.basis:
        query = query.where(AuditEvent.basis == where.basis)
    if where.since:
        query = query.where(AuditEvent.recorded_at >= iso(where.since))
    if where.until:
        query = query.where(AuditEvent.recorded_at < iso(where.until))
    if cursor:
        query = query.where(AuditEvent.seq < int(cursor))
    limit = max(1, min(limit, MAX_PAGE))
    rows = session.execute(query.limit(limit + 1)).all()
    items = [event_view(seq, leaf) for seq, leaf in rows[:limit]]
    record(session, Record(Action.AUDIT_SEARCH, actor, role=ROLE, subject_id=where.subject_id))
    return EventPage(items, str(items[-1]["seq"]) if len(rows) > limit else None)


def get_event(session: Session, *, actor: Principal, seq: int) -> dict[str, Any]:
    catch_up(session)
    leaf = session.scalar(select(AuditEvent.leaf).where(AuditEvent.seq == seq))
    if leaf is None:
        raise NotFound(f"No audit event {seq}.")
    record(session, Record(Action.AUDIT_READ, actor, role=ROLE, object_type="audit_event",
                           object_id=str(seq)))
    return event_view(seq, leaf)


@dataclass(frozen=True)
class ReportLine:
    seq: int
    recorded_at: str
    action: str
    subject_id: str  # the person the line is about
    organisation_id: str | None
    organisation_name: str
    categories: list[str]
    purpose: str | None
    basis: str | None
    processing_activity: str | None
    lawful_basis: str | None
    override_ids: list[str]
    mandate_ids: list[str] = field(default_factory=list)
    object_type: str | None = None
    object_id: str | None = None
    # Who did it: a professional's or client's id (a family member's pseudonym), and where.
    actor_kind: str | None = None
    actor_id: str | None = None
    actor_organisation_id: str | None = None
    trace_id: str | None = None  # the request it happened in


def subject_report(session: Session, *, actor: Principal, subject_id: str) -> list[ReportLine]:
    """AVG art. 15: what about this person went to which organisation, when, why, on what
    basis, and who consulted it (CJEU C-579/21: dates and purposes of consultation). Each
    line carries the acting professional's id: the privacy officer's report names them (the
    judgment does not oblige handing employees' names to the citizen; the officer decides
    what goes out). Nothing about others."""
    lines = disclosure_lines(session, [subject_id])
    record(session, Record(Action.AUDIT_REPORT, actor, role=ROLE, subject_id=subject_id))
    return lines


def disclosure_lines(session: Session, subject_ids: list[str]) -> list[ReportLine]:
    """The disclosures and consultations about these people, oldest first (not recorded:
    the caller records its own read)."""
    catch_up(session)
    context = audit_context(session)
    people = {context.pseudonym(s): s for s in subject_ids}
    rows = session.execute(select(AuditEvent.seq, AuditEvent.leaf)
                           .where(AuditEvent.subject.in_(people),
                                  AuditEvent.action.in_(DISCLOSING))
                           .order_by(AuditEvent.seq)).all()
    events = [event_view(seq, leaf) for seq, leaf in rows]
    names = organisation_names(session, {e["recipient_organisation_id"]
                                         or e["actor_organisation_id"] for e in events})
    activities = context.policy.activities
    lines = []
    for e in events:
        org = e["recipient_organisation_id"] or e["actor_organisation_id"]
        activity = activities.get(e["processing_activity"] or "")
        lines.append(ReportLine(
            seq=e["seq"], recorded_at=e["recorded_at"], action=e["action"],
            subject_id=people[e["subject"]], organisation_id=org,
            organisation_name=names.get(org or "", "onbekend"),
            categories=e["categories"], purpose=e["purpose"], basis=e["basis"],
            processing_activity=e["processing_activity"],
            lawful_basis=activity.lawful_basis if activity else None,
            override_ids=e.get("override_ids") or [],
            mandate_ids=e.get("mandate_ids") or [], object_type=e.get("object_type"),
            object_id=e.get("object_id"), actor_kind=e.get("actor_kind"),
            actor_id=e.get("actor_id"), actor_organisation_id=e.get("actor_organisation_id"),
            trace_id=e.get("trace_id")))
    return lines


def organisation_names(session: Session, ids: set[str | None]) -> dict[str, str]:
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    rows = session.execute(select(Organisation.id, Organisation.name)
                           .where(Organisation.id.in_(wanted)))
    return {org_id: name for org_id, name in rows}


def all_organisations(session: Session) -> list[tuple[str, str]]:
    """(id, name) of every organisation, by name: the log search's choice."""
    return [(org_id, name) for org_id, name in session.execute(
        select(Organisation.id, Organisation.name).order_by(Organisation.name))]


def actor_names(session: Session, ids: set[str | None]) -> dict[str, str]:
    """Professionals' and partner systems' names by the id the log records for them."""
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    people = session.execute(select(Professional.id, Professional.name)
                             .where(Professional.id.in_(wanted)))
    systems = session.execute(select(Client.client_id, Client.name)
                              .where(Client.client_id.in_(wanted)))
    return {actor_id: name for actor_id, name in [*people, *systems]}


@dataclass(frozen=True)
class Timeline:
    days: list[date]
    series: dict[str, list[int]]  # organisation name -> disclosures per day


def disclosure_timeline(session: Session, *, since: date, until: date) -> Timeline:
    """Disclosures per receiving organisation per day (counts only, no personal data)."""
    catch_up(session)
    rows = session.execute(select(AuditEvent.recorded_at, AuditEvent.actor_organisation_id,
                                  AuditEvent.recipient_organisation_id)
                           .where(AuditEvent.action == Action.DISCLOSURE.value,
                                  AuditEvent.recorded_at >= since.isoformat(),
                                  AuditEvent.recorded_at < until.isoformat() + "~")).all()
    counts: Counter[tuple[str, str]] = Counter()
    for stamp, actor_org, recipient_org in rows:
        counts[(recipient_org or actor_org or "", stamp[:10])] += 1
    names = organisation_names(session, {org for org, _ in counts})
    days = [date.fromordinal(d) for d in range(since.toordinal(), until.toordinal() + 1)]
    series = {names.get(org, "onbekend"): [counts[(org, d.isoformat())] for d in days]
              for org in sorted({org for org, _ in counts})}
    return Timeline(days, series)
