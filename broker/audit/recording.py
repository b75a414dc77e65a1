"""`record(session, Record(...))`: the second half of the one door.

The event is written into the caller's transaction, so it stands or falls with the act it
records. It holds ids, pseudonyms and policy terms only: no names, no BSNs, no free text.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from broker.audit.context import AuditContext, audit_context
from broker.audit.models import SEARCH_COLUMNS, AuditPending
from broker.clock import now
from broker.identity.principal import Principal
from broker.observability import parent_span_var, span_id_var, started_at_var, trace_id_var

ACCOUNTABILITY_ACTIVITY = "verantwoording"


class Action(StrEnum):
    """The closed list of what the log records."""

    DISCLOSURE = "disclosure"
    REFUSAL = "refusal"
    READ = "read"
    DECISION = "decision"
    CONSENT_GRANT = "consent.grant"
    CONSENT_WITHDRAW = "consent.withdraw"
    OVERRIDE_REQUEST = "override.request"
    OVERRIDE_APPROVE = "override.approve"
    OVERRIDE_REVOKE = "override.revoke"
    OVERRIDE_EXPIRE = "override.expire"
    MELDCODE_STEP = "meldcode.step"
    MELDCODE_HANDBACK = "meldcode.handback"
    OBSERVATION_AMEND = "observation.amend"
    PLAN_ACTION_UPDATE = "plan.action_update"
    HOUSEHOLD_CREATE = "household.create"
    REGISSEUR_CHANGE = "regisseur.change"
    MEETING_CREATE = "meeting.create"
    MEETING_INVITE = "meeting.invite"
    MEETING_ANSWER = "meeting.answer"
    MEETING_SCHEDULE = "meeting.schedule"
    MEETING_CANCEL = "meeting.cancel"
    MEETING_OUTCOME = "meeting.outcome"
    LOGIN = "login"
    LOGIN_FAILED = "login.failed"
    LOGOUT = "logout"
    EXPORT = "export"
    AUDIT_SEARCH = "audit.search"
    AUDIT_READ = "audit.read"
    AUDIT_REPORT = "audit.report"
    AUDIT_PROOF = "audit.proof"
    AUDIT_VERIFY = "audit.verify"
    PERSON_SEARCH = "audit.person_search"
    RETENTION_RUN = "retention.run"
    KEY_ROTATE = "key.rotate"
    KEY_DESTROY = "key.destroy"
    QUALITY_READ = "quality.read"
    CARE_RECORD = "care.record"
    FAMILY_LINK = "family.link"
    FAMILY_VIEW = "family.view"
    DESTRUCTION_REQUEST = "destruction.request"
    DESTRUCTION_DECISION = "destruction.decision"
    MANDATE_REGISTER = "mandate.register"
    MANDATE_END = "mandate.end"
    INFORMATION_REQUEST = "information.request"
    INFORMATION_ANSWER = "information.answer"
    RESTRICTION_RENEW = "restriction.renew"
    WITHHOLD = "family.withhold"
    WITHHOLD_END = "family.withhold_end"
    CUSTODY_CHANGE = "custody.change"
    INCAPACITY = "capacity.incapable"
    INCAPACITY_END = "capacity.incapable_end"
    REPRESENTATIVE = "representative.record"
    REPRESENTATIVE_END = "representative.end"
    RETENTION_PURGE = "retention.purge"


class Outcome(StrEnum):
    SUCCESS = "success"
    DENIED = "denied"
    FAILURE = "failure"


@dataclass(frozen=True)
class Record:
    """What happened. `actor` None means the broker itself (a scheduled job, the CLI)."""

    action: Action
    actor: Principal | None
    role: str | None = None
    subject_id: str | None = None
    categories: Sequence[str] = ()
    purpose: str | None = None
    processing_activity: str | None = None
    effect: str | None = None
    basis: str | None = None
    consent_ids: Sequence[str] = ()
    override_ids: Sequence[str] = ()
    mandate_ids: Sequence[str] = ()  # the legal grounds a legal-duty disclosure rests on
    recipient_organisation_id: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    outcome: Outcome = Outcome.SUCCESS
    # Why the privacy officer looked a person up: a code of a closed list and a case number
    # (letters, digits and . / _ -, at least one digit): never a name or free text.
    reason: str | None = None
    reference: str | None = None


def purges(kind: str, owners: set[str], *, household: bool = False) -> list[Record]:
    """A retention purge of one record kind: one record per person whose records of this
    kind went (the subject), or per household (its id) for what the family shares."""
    return [Record(Action.RETENTION_PURGE, None, object_type=kind, object_id=owner)
            if household else Record(Action.RETENTION_PURGE, None, subject_id=owner,
                                     object_type=kind)
            for owner in sorted(owners)]


def timestamp() -> str:
    return _stamp(now())


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(data: object) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record(session: Session, event: Record) -> None:
    """Append `event` to the log, inside the caller's transaction."""
    record_all(session, [event])


def record_all(session: Session, events: Sequence[Record]) -> None:
    """Append `events` to the log in one statement (a list read records one per item)."""
    context = audit_context(session)
    rows = [_row(context, event) for event in events]
    if rows:
        session.connection().execute(_INSERT, rows)


def _row(context: AuditContext, event: Record) -> dict[str, object]:
    policy = context.policy
    unknown = [c for c in event.categories if c not in policy.categories]
    if unknown or (event.purpose and event.purpose not in policy.purposes):
        raise ValueError(f"audit event names unknown categories {unknown} or purpose")
    actor = event.actor
    recorded, started = now(), started_at_var.get()
    fields = {
        "recorded_at": _stamp(recorded),
        # when the request (job run, command) began; not under a clock set back (the demo)
        **({"started_at": _stamp(started)} if started and started <= recorded else {}),
        "trace_id": trace_id_var.get() or None,
        "span_id": span_id_var.get() or None,
        "parent_span_id": parent_span_var.get(),
        "actor_kind": actor.kind.value if actor else "system",
        "actor_id": (context.pseudonym(actor.member_id) if actor.member_id
                     else actor.actor_id) if actor else None,
        "actor_organisation_id": (actor.organisation_id or None) if actor else None,
        "actor_role": event.role or (",".join(sorted(actor.roles)) if actor else None),
        "action": Action(event.action).value,
        "subject": context.pseudonym(event.subject_id) if event.subject_id else None,
        "categories": sorted(event.categories),
        "purpose": event.purpose,
        "processing_activity": event.processing_activity or _activity(context, event.purpose),
        "effect": event.effect,
        "basis": event.basis,
        "consent_ids": sorted(event.consent_ids),
        "override_ids": sorted(event.override_ids),
        **({"mandate_ids": sorted(event.mandate_ids)} if event.mandate_ids else {}),
        "recipient_organisation_id": event.recipient_organisation_id,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "policy_version": policy.version,
        "outcome": Outcome(event.outcome).value,
        **({"reason": event.reason} if event.reason else {}),
        **({"reference": event.reference} if event.reference else {}),
    }
    return {"payload": canonical(fields), **{name: fields[name] for name in SEARCH_COLUMNS}}


# Core, built once: record() sits on every hot path.
_INSERT = insert(cast(Table, AuditPending.__table__))


def _activity(context: AuditContext, purpose: str | None) -> str:
    """The art. 30 activity a purpose belongs to; accountability logging otherwise."""
    if purpose:
        for activity in context.policy.activities.values():
            if purpose in activity.purposes:
                return activity.id
    return ACCOUNTABILITY_ACTIVITY
