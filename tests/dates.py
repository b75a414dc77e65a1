"""Dates relative to the broker's clock, so that no test depends on the day it runs.

Each is read when called: under `broker.clock.frozen_at` it counts from the frozen moment.
Days are calendar days in Amsterdam, as the broker counts ages and due dates."""

from calendar import isleap
from datetime import date, datetime, time, timedelta

from broker.clock import LEGAL_ZONE, local_day, now


def today() -> date:
    return local_day(now())


def days_from_today(days: int) -> str:
    """The ISO date `days` after today (before it when negative)."""
    return (today() + timedelta(days=days)).isoformat()


def years_ago(years: int, days: int = 0) -> str:
    """The ISO birth date of someone who turned `years` `days` days ago (negative `days`: who
    turns `years` that many days from now). Born on 29 February: the 28th in other years."""
    day = today()
    year = day.year - years
    if (day.month, day.day) == (2, 29) and not isleap(year):
        day = day - timedelta(days=1)
    return (day.replace(year=year) - timedelta(days=days)).isoformat()


def local_moment(days: int, hour: int, minute: int = 0) -> datetime:
    """`hour:minute` in Amsterdam, `days` days after today."""
    return datetime.combine(today() + timedelta(days=days), time(hour, minute),
                            tzinfo=LEGAL_ZONE)


def form_moment(days: int, hour: int, minute: int = 0) -> str:
    """As a browser's datetime-local field takes it: `2027-02-01T09:30`."""
    return local_moment(days, hour, minute).strftime("%Y-%m-%dT%H:%M")

