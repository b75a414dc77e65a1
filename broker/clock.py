"""The one source of 'now' (timezone-aware UTC), so tests can fix the clock."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def now() -> datetime:
    return datetime.now(UTC)


LEGAL_ZONE = ZoneInfo("Europe/Amsterdam")  # ages under Dutch law run on Dutch calendar days


def local_day(moment: datetime) -> date:
    return moment.astimezone(LEGAL_ZONE).date()
