"""Mandates: the legal grounds of Veilig Thuis, a gecertificeerde instelling and the Raad
voor de Kinderbescherming, one organisation on one child for a stated period. Outside a
mandate in force these organisations are ordinary recipients that need consent."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from broker.clock import now
from broker.db import Base, UTCDateTime, new_id


class Mandate(Base):
    __tablename__ = "mandates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("household_members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # policy: parties.yaml `mandates`
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    reference: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed: court decision
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)  # the first day it no longer holds
    ended_on: Mapped[date | None] = mapped_column(Date)
    # A report made through the broker: the meldcode case whose step 5 reported.
    case_id: Mapped[str | None] = mapped_column(ForeignKey("meldcode_cases.id"))
    # Telling the family would endanger the child: not shown on the family page until then.
    not_informed_reason: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed
    not_informed_until: Mapped[date | None] = mapped_column(Date)
    registered_by: Mapped[str] = mapped_column(String(64))  # professional or client id
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
