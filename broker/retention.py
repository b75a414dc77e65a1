"""`broker retention run`: apply `policies/retention.yaml` to what the broker holds.

Youth-care records are kept for their term from the last change to the person's file
(Jeugdwet art. 7.3.8: 20 years), then purged, each purge recorded (per person, or per
household for what the family shares). A person's file last changed when the latest record
about them, or about their household as a whole, was made. The household's shared records
(plans, meetings, custody) go once every member's file has passed its term. The audit log is
append-only and kept at least as long as the records it accounts for; it is never pruned
here. `--dry-run` lists what would go and changes nothing.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from broker.audit.models import AuditEvent
from broker.audit.queries import iso
from broker.audit.recording import Action, Record, record, record_all
from broker.care.retention import TABLES as CARE_TABLES
from broker.care.retention import purge_care
from broker.clock import now
from broker.consent.models import Consent, ConsentWithdrawal
from broker.consent.retention import purge_consents
from broker.households.models import (
    CourtDecision,
    Household,
    Incapacity,
    Member,
    RegisseurAssignment,
    Representation,
)
from broker.households.retention import purge_households
from broker.identity.models import AuthorizationCode, UsedAssertion, WebSession
from broker.information_requests.models import InformationRequest
from broker.mandates.models import Mandate
from broker.meetings.models import Meeting
from broker.meetings.retention import purge_meetings
from broker.meldcode.models import MeldcodeCase, MeldcodeStep, Override
from broker.meldcode.retention import purge_meldcode
from broker.observations.models import Observation, ObservationAmendment
from broker.observations.retention import purge_observations
from broker.plans.models import Plan
from broker.plans.retention import purge_plans
from broker.policy import Policy
from broker.policy.schema import RecordKind


@dataclass(frozen=True)
class RetentionLine:
    kind: str
    period_years: int
    cutoff: str
    removed: int
    kept_past_period: int
    note: str


@dataclass(frozen=True)
class Files:
    """When each person's file last changed; a household's shared records go with its
    last member."""

    last_change: dict[str, datetime]  # member id -> moment
    members: dict[str, set[str]]  # household id -> member ids

    def expired(self, cutoff: datetime) -> set[str]:
        """The members whose file last changed before `cutoff`."""
        return {m for m, at in self.last_change.items() if at < cutoff}

    def expired_households(self, cutoff: datetime) -> set[str]:
        gone = self.expired(cutoff)
        return {h for h, members in self.members.items() if members <= gone}


def _latest(pairs: Iterable[Any]) -> dict[str, datetime]:
    found: dict[str, datetime] = {}
    for owner, at in pairs:
        if owner is not None and at is not None and (owner not in found or at > found[owner]):
            found[owner] = at
    return found


def files(session: Session) -> Files:
    """The last change of every person's file, in a few grouped queries."""
    def latest(owner: Any, at: Any, *joins: Any) -> dict[str, datetime]:
        query = select(owner, func.max(at))
        for target, on in joins:
            query = query.join(target, on)
        return _latest(session.execute(query.group_by(owner)).all())

    shared = [latest(Household.id, Household.created_at),
              latest(Plan.household_id, Plan.created_at),
              latest(Meeting.household_id, Meeting.created_at),
              latest(CourtDecision.household_id, CourtDecision.recorded_at),
              latest(RegisseurAssignment.household_id, RegisseurAssignment.assigned_at),
              *[latest(table.household_id, table.created_at) for table in CARE_TABLES]]
    personal = [
        latest(Observation.subject_id, Observation.created_at),
        latest(Observation.subject_id, ObservationAmendment.created_at,
               (ObservationAmendment, ObservationAmendment.observation_id == Observation.id)),
        latest(Consent.subject_id, Consent.created_at),
        latest(Consent.subject_id, ConsentWithdrawal.withdrawn_at,
               (ConsentWithdrawal, ConsentWithdrawal.consent_id == Consent.id)),
        latest(MeldcodeCase.child_id, MeldcodeCase.created_at),
        latest(MeldcodeCase.child_id, MeldcodeStep.recorded_at,
               (MeldcodeStep, MeldcodeStep.case_id == MeldcodeCase.id)),
        latest(Mandate.subject_id, Mandate.created_at),
        latest(InformationRequest.subject_id, InformationRequest.created_at),
        latest(Incapacity.subject_id, Incapacity.created_at),
        latest(Representation.subject_id, Representation.created_at),
        _latest((subject, at) for subjects, at in session.execute(
            select(Override.subject_ids, Override.created_at)) for subject in subjects)]
    households: dict[str, set[str]] = defaultdict(set)
    last: dict[str, datetime] = {}
    for member, household in session.execute(select(Member.id, Member.household_id)):
        households[household].add(member)
        moments = [found[k] for found, k in ((s, household) for s in shared) if k in found]
        moments += [found[member] for found in personal if member in found]
        last[member] = max(moments)
    return Files(last, dict(households))


Purged = tuple[list[Record], int, str]  # the purges to record, rows removed, a note
Purge = Callable[[Session, Files, datetime], tuple[list[Record], int, int, str]]


def _sessions(session: Session, _: Files, cutoff: datetime) -> tuple[list[Record], int, int,
                                                                     str]:
    moment = now()
    removed = session.scalar(select(func.count()).select_from(WebSession)
                             .where(WebSession.created_at < cutoff)) or 0
    session.execute(delete(WebSession).where(WebSession.created_at < cutoff))
    session.execute(delete(AuthorizationCode).where(AuthorizationCode.expires_at < moment))
    session.execute(delete(UsedAssertion).where(UsedAssertion.expires_at < moment))
    return [], removed, 0, "login sessions removed; expired codes and assertions cleared"


def _audit(session: Session, _: Files, cutoff: datetime) -> tuple[list[Record], int, int, str]:
    past = session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.recorded_at < iso(cutoff))) or 0
    return [], 0, past, "append-only: never pruned; export events past the period to the " \
        "archive"


def _together(*purged: Purged) -> Purged:
    """Purges of one kind: one record per owner."""
    records = {(r.object_type, r.object_id, r.subject_id): r
               for found, _, _ in purged for r in found}
    return (list(records.values()), sum(n for _, n, _ in purged),
            "; ".join(note for _, _, note in purged))


def _of(purge: Callable[[Session, Files, datetime], Purged]) -> Purge:
    def run(session: Session, found: Files, cutoff: datetime
            ) -> tuple[list[Record], int, int, str]:
        records, removed, note = purge(session, found, cutoff)
        return records, removed, 0, note
    return run


PURGES: dict[RecordKind, Purge] = {
    RecordKind.SESSIONS: _sessions,
    RecordKind.AUDIT: _audit,
    RecordKind.OBSERVATIONS: _of(lambda s, f, c: purge_observations(s, f.expired(c))),
    RecordKind.CONSENTS: _of(lambda s, f, c: purge_consents(s, f.expired(c))),
    RecordKind.MELDCODE: _of(lambda s, f, c: purge_meldcode(s, f.expired(c))),
    RecordKind.PLANS: _of(lambda s, f, c: _together(
        purge_care(s, f.expired_households(c)), purge_plans(s, f.expired_households(c)))),
    RecordKind.MEETINGS: _of(lambda s, f, c: purge_meetings(s, f.expired_households(c))),
    RecordKind.HOUSEHOLDS: _of(lambda s, f, c: purge_households(
        s, f.expired(c), f.expired_households(c))),
}


def run_retention(session: Session, *, policy: Policy, dry_run: bool = False
                  ) -> list[RetentionLine]:
    """Purge what has passed its term, kind by kind in the policy's order (the household's
    own record last), recording each purge; with `dry_run`, report and change nothing."""
    lines = []
    nested = session.begin_nested()
    found = files(session)
    order = sorted(((period, kind) for period in policy.retention.periods
                    for kind in period.applies_to),
                   key=lambda pair: pair[1] == RecordKind.HOUSEHOLDS)
    for period, kind in order:
        cutoff = now() - timedelta(days=365 * period.years + period.years // 4)
        purge = PURGES.get(kind)
        if purge is None:
            lines.append(RetentionLine(kind.value, period.years, iso(cutoff), 0, 0,
                                       "nothing of this kind is stored yet"))
            continue
        purged, removed, kept, note = purge(session, found, cutoff)
        record_all(session, purged)
        lines.append(RetentionLine(kind.value, period.years, iso(cutoff), removed, kept,
                                   note))
    if dry_run:
        nested.rollback()
        return lines
    nested.commit()
    record(session, Record(Action.RETENTION_RUN, None))
    return lines
