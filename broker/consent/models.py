"""Consents, their grantors and their withdrawal. Nothing here is updated in place."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from broker.clock import now
from broker.db import Base, UTCDateTime, new_id


class EvidenceMethod(StrEnum):
    WRITTEN = "written"
    VERBAL = "verbal"
    MEETING = "meeting"
    PORTAL = "portal"


class Consent(Base):
    __tablename__ = "consents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("household_members.id"), index=True)
    categories: Mapped[list[str]] = mapped_column(JSON)
    recipients: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    purposes: Mapped[list[str]] = mapped_column(JSON)
    evidence_method: Mapped[str] = mapped_column(String(16))
    evidence_reference: Mapped[str | None] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_by_organisation_id: Mapped[str] = mapped_column(String(36))
    meeting_id: Mapped[str | None] = mapped_column(String(36))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class ConsentGrantor(Base):
    __tablename__ = "consent_grantors"

    consent_id: Mapped[str] = mapped_column(ForeignKey("consents.id"), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("household_members.id"),
                                           primary_key=True)


class ConsentGuardian(Base):
    """A GI with custody (voogdij) granted the consent, by one of its professionals."""

    __tablename__ = "consent_guardians"

    consent_id: Mapped[str] = mapped_column(ForeignKey("consents.id"), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"),
                                                 primary_key=True)
    professional_id: Mapped[str] = mapped_column(ForeignKey("professionals.id"))


class ConsentWithdrawal(Base):
    """A withdrawal by one of the grantors ends the consent at once."""

    __tablename__ = "consent_withdrawals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    consent_id: Mapped[str] = mapped_column(ForeignKey("consents.id"), unique=True)
    # Who withdrew: a member, or a GI with custody (`organisation_id`).
    member_id: Mapped[str | None] = mapped_column(ForeignKey("household_members.id"))
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    reason: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed (broker.vault)
    recorded_by: Mapped[str] = mapped_column(String(64))
    withdrawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
