"""Leases in the database: a process holds one until its time runs out, and must renew it
before then; another process takes it over only once it has run out. Times are the
database's own clock, so processes on machines whose clocks differ agree. The same on SQLite
and PostgreSQL."""

from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from broker.db import database_now
from broker.system.models import JobLease


def take(session: Session, name: str, holder: str, seconds: float) -> bool:
    """Take or renew the lease `name` for `seconds`; False while another holds it."""
    at = database_now(session)
    taken = session.execute(update(JobLease).where(
        JobLease.name == name, or_(JobLease.holder == holder, JobLease.until < at))
        .values(holder=holder, until=at + timedelta(seconds=seconds)))
    if getattr(taken, "rowcount", 0):
        return True
    if session.get(JobLease, name) is not None:
        return False
    try:  # the first ever; two processes may race for it
        with session.begin_nested():
            session.add(JobLease(name=name, holder=holder,
                                 until=at + timedelta(seconds=seconds)))
    except IntegrityError:
        return False
    return True


def give_up(session: Session, name: str, holder: str) -> None:
    """Let the lease go at once (on shutdown), if it is ours."""
    session.execute(update(JobLease).where(JobLease.name == name, JobLease.holder == holder)
                    .values(until=database_now(session) - timedelta(seconds=1)))
