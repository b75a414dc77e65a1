"""The one source of 'now' (timezone-aware UTC), so tests can fix the clock."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

_frozen: datetime | None = None
LEGAL_ZONE = ZoneInfo("Europe/Amsterdam")  # ages under Dutch law run on Dutch calendar days


def now() -> datetime:
    return _frozen or datetime.now(UTC)


def timestamp() -> int:
    """`now()` in whole seconds since the epoch, as JWTs count time (a NumericDate)."""
    return int(now().timestamp())


def local_day(moment: datetime) -> date:
    return moment.astimezone(LEGAL_ZONE).date()


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Tests only: every `now()` answers `moment` until the block ends."""
    global _frozen
    previous, _frozen = _frozen, moment
    try:
        yield
    finally:
        _frozen = previous
