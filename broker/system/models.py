"""The job lease: one row per kind of lease; whoever holds it until `until` runs the
deployment's background jobs, however many processes serve."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from broker.db import Base, UTCDateTime


class JobLease(Base):
    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))  # host:pid:random of a process
    until: Mapped[datetime] = mapped_column(UTCDateTime)
