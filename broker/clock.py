"""The one source of 'now' (timezone-aware UTC), so tests can fix the clock."""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
