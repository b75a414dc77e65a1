"""Requests for information (informatieverzoeken): a regisseur or Veilig Thuis asks the
organisation that holds information about a person to share it. Only the holder weighs its
secrecy: it answers by asking the family's consent, by an override of its own, or by
refusing with a reason."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from broker.clock import now
from broker.db import Base, UTCDateTime, new_id


class RequestStatus(StrEnum):
    OPEN = "open"
    CONSENT_REQUESTED = "consent_requested"
    OVERRIDE = "override"
    REFUSED = "refused"


class InformationRequest(Base):
    __tablename__ = "information_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("household_members.id"), index=True)
    categories: Mapped[list[str]] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(String(64))
    holder_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"),
                                                        index=True)
    requester_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"),
                                                           index=True)
    requested_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[bytes] = mapped_column(LargeBinary)  # sealed
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.OPEN.value)
    answer_reason: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed
    override_id: Mapped[str | None] = mapped_column(ForeignKey("overrides.id"))
    answered_by: Mapped[str | None] = mapped_column(String(64))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
