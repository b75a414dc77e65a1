"""Meldcode cases (five steps per child) and overrides of professional secrecy, append-only:
steps, approvals, revocations and expiries are rows of their own. Free text is sealed under
the household's data key (broker.vault)."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from broker.clock import now
from broker.db import Base, UTCDateTime, new_id


class StepDecision(StrEnum):
    MELDEN = "melden"
    HULP_ORGANISEREN = "hulp_organiseren"
    MELDEN_EN_HULP = "melden_en_hulp"
    AFSLUITEN = "afsluiten"


class OverrideEventKind(StrEnum):
    APPROVE = "approve"  # four-eyes approval, or the review of an urgent override
    REVOKE = "revoke"
    EXPIRE = "expire"  # recorded once the validity (or an urgent review deadline) passed


class MeldcodeCase(Base):
    __tablename__ = "meldcode_cases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    child_id: Mapped[str] = mapped_column(ForeignKey("household_members.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    opened_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class MeldcodeStep(Base):
    __tablename__ = "meldcode_steps"
    __table_args__ = (UniqueConstraint("case_id", "step"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("meldcode_cases.id"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)  # sealed
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # step 4: afwegingskader
    decision: Mapped[str | None] = mapped_column(String(20))  # step 5
    observation_ids: Mapped[list[str] | None] = mapped_column(JSON)  # step 1: the signals
    # step 5, when reporting: the Veilig Thuis organisation the report is addressed to
    reported_to: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    acuut: Mapped[bool | None] = mapped_column(Boolean)  # step 1: reported at once
    # step 3: why talking with the family was skipped (it would endanger someone); sealed
    skip_reason: Mapped[bytes | None] = mapped_column(LargeBinary)
    follow_up_on: Mapped[date | None] = mapped_column(Date)  # step 5: help is followed up
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Override(Base):
    """Named subjects x categories x recipient organisations, for a limited time."""

    __tablename__ = "overrides"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("meldcode_cases.id"), index=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    subject_ids: Mapped[list[str]] = mapped_column(JSON)
    categories: Mapped[list[str]] = mapped_column(JSON)
    recipient_ids: Mapped[list[str]] = mapped_column(JSON)  # organisation ids
    justification: Mapped[bytes] = mapped_column(LargeBinary)  # sealed
    requested_by: Mapped[str] = mapped_column(String(64))  # professional id
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    urgent: Mapped[bool] = mapped_column(Boolean)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime)
    review_due: Mapped[datetime | None] = mapped_column(UTCDateTime)  # urgent only
    inform_parents_on: Mapped[date | None] = mapped_column(Date)
    not_informed_reason: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed
    not_informed_until: Mapped[date | None] = mapped_column(Date)  # reviewed by then
    # Why each member other than the case's child is named (sealed JSON), and the legal
    # ground of each recipient the policy does not allow by default.
    subject_reasons: Mapped[bytes | None] = mapped_column(LargeBinary)
    recipient_grounds: Mapped[dict[str, str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class OverrideEvent(Base):
    __tablename__ = "override_events"
    __table_args__ = (UniqueConstraint("override_id", "kind"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    override_id: Mapped[str] = mapped_column(ForeignKey("overrides.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    by: Mapped[str | None] = mapped_column(String(64))  # None: the broker (expiry)
    reason: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed (revocation)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class Handback(Base):
    """Veilig Thuis (or an organisation after it) handed the family back to another
    organisation (afschaling): the receiver owes a new safety assessment."""

    __tablename__ = "meldcode_handbacks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("meldcode_cases.id"), unique=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    from_organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    to_organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    handed_back_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class NoticeRenewal(Base):
    """An aandachtsfunctionaris kept a restriction on telling the family (an override's or a
    report's) for longer, with a reason: the family page shows the disclosure once the last
    review day has passed."""

    __tablename__ = "notice_renewals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    override_id: Mapped[str | None] = mapped_column(ForeignKey("overrides.id"), index=True)
    mandate_id: Mapped[str | None] = mapped_column(ForeignKey("mandates.id"), index=True)
    reason: Mapped[bytes] = mapped_column(LargeBinary)  # sealed
    review_on: Mapped[date] = mapped_column(Date)
    renewed_by: Mapped[str] = mapped_column(String(64))
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
