"""Observations (signalen) partners share about a household member; append-only. Bodies are
sealed under the household's data key (broker.vault)."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, LargeBinary, String, false
from sqlalchemy.orm import Mapped, mapped_column

from broker.clock import now
from broker.db import Base, UTCDateTime, new_id


class Concern(StrEnum):
    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    ACUTE = "acute"


MELDCODE_CONCERNS = frozenset({Concern.HIGH, Concern.ACUTE})


class Contribution(StrEnum):
    """Input for a network meeting, sorted as Signs of Safety does."""

    WORRY = "worry"  # wat zijn de zorgen
    GOING_WELL = "going_well"  # wat gaat goed
    NEXT_STEP = "next_step"  # wat moet er gebeuren


class AmendmentKind(StrEnum):
    CORRECTION = "correction"
    RETRACTION = "retraction"


class Observation(Base):
    __tablename__ = "observations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("household_members.id"), index=True)
    category: Mapped[str] = mapped_column(String(64))
    concern: Mapped[str] = mapped_column(String(8))
    observed_on: Mapped[date] = mapped_column(Date)
    body: Mapped[bytes] = mapped_column(LargeBinary)  # sealed: nonce ‖ AES-256-GCM
    # Sealed (with its amendments) under the subject's own data key; False: under the
    # household's (before version 0014, until `broker keys rotate` moves it).
    person_key: Mapped[bool] = mapped_column(Boolean, default=True, server_default=false())
    submitted_by: Mapped[str] = mapped_column(String(64))  # the actor id (professional/client)
    submitted_by_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"),
                                                              index=True)
    submitted_by_party: Mapped[str] = mapped_column(String(64))
    meeting_id: Mapped[str | None] = mapped_column(String(36), index=True)
    contribution: Mapped[str | None] = mapped_column(String(12))  # with a meeting only
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class ObservationAmendment(Base):
    """A correction (new text) or a retraction by the submitter; the original stays."""

    __tablename__ = "observation_amendments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    observation_id: Mapped[str] = mapped_column(ForeignKey("observations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed; None for a retraction
    amended_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
