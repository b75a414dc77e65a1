"""A VTIMEZONE (RFC 5545 §3.6.5) made from the IANA zone: one STANDARD or DAYLIGHT component
per rule period, each a yearly RRULE from the local time the change happens at, the last one
without an end, so a meeting in any year, 2040 too, comes out right.

icalendar's own VTIMEZONE lists every change as RDATE values, which ical.js, vobject and Outlook
read only the first of: summer meetings then came out an hour late."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

FIRST_YEAR, LAST_YEAR = 1970, 2037  # zoneinfo lists changes up to 2037, then one rule
DAY, WEEK, MINUTE = timedelta(days=1), timedelta(days=7), timedelta(minutes=1)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Rule:
    """When a change happens in a year, as a yearly RRULE can say it."""

    daylight: bool
    name: str
    offset_from: timedelta
    offset_to: timedelta
    month: int
    byday: str  # "-1SU": the last Sunday; "1SU": the first
    time: tuple[int, int]  # local wall-clock time before the change


@dataclass(frozen=True)
class Change:
    rule: Rule
    onset: datetime  # local, naive, in offset_from (RFC 5545: DTSTART of the component)
    at: datetime  # the same moment in UTC


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    return moment.astimezone(zone).utcoffset() or timedelta(0)


def _changes(zone: ZoneInfo) -> list[Change]:
    """Every change of offset from 1970 up to 2037: week by week, then to the minute."""
    found = []
    day = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
    end = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)
    while day < end:
        if _offset(zone, day) != _offset(zone, day + WEEK):
            low, high = day, day + WEEK  # the offset changes in (low, high]
            while high - low > MINUTE:
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                low, high = (low, middle) if _offset(zone, low) != _offset(zone, middle) \
                    else (middle, high)
            found.append(_change(zone, high))
        day += WEEK
    return found


def _change(zone: ZoneInfo, at: datetime) -> Change:
    before, after = _offset(zone, at - MINUTE), _offset(zone, at)
    local = at.astimezone(zone)
    onset = (at + before).replace(tzinfo=None)
    last_of_month = (onset.replace(day=28) + timedelta(days=4)).replace(day=1) - DAY
    nth = -1 if onset.day + 7 > last_of_month.day else (onset.day - 1) // 7 + 1
    return Change(Rule(daylight=bool(local.dst()), name=local.tzname() or "",
                       offset_from=before, offset_to=after, month=onset.month,
                       byday=f"{nth}{WEEKDAYS[onset.weekday()]}",
                       time=(onset.hour, onset.minute)), onset, at)


@cache
def vtimezone(key: str) -> Timezone:
    """The VTIMEZONE of an IANA zone (computed once per process)."""
    zone = ZoneInfo(key)
    timezone = Timezone()
    timezone.add("tzid", key)
    changes = _changes(zone)
    for daylight in (True, False):  # consecutive years under one rule form one period
        period: list[Change] = []
        for change in (c for c in changes if c.rule.daylight == daylight):
            if period and (change.rule != period[-1].rule
                           or change.onset.year != period[-1].onset.year + 1):
                timezone.add_component(_component(period, open_ended=False))
                period = []
            period.append(change)
        if period:
            timezone.add_component(
                _component(period, open_ended=period[-1].onset.year == LAST_YEAR))
    if not changes:  # a zone without changes: one STANDARD with its fixed offset
        offset = _offset(zone, datetime(LAST_YEAR, 1, 1, tzinfo=UTC))
        fixed = TimezoneStandard()
        fixed.add("dtstart", datetime(FIRST_YEAR, 1, 1))
        fixed.add("tzoffsetfrom", offset)
        fixed.add("tzoffsetto", offset)
        timezone.add_component(fixed)
    return timezone


def _component(period: list[Change], *, open_ended: bool
               ) -> TimezoneStandard | TimezoneDaylight:
    rule, first = period[0].rule, period[0]
    component = TimezoneDaylight() if rule.daylight else TimezoneStandard()
    component.add("dtstart", first.onset)
    component.add("tzoffsetfrom", rule.offset_from)
    component.add("tzoffsetto", rule.offset_to)
    if rule.name:
        component.add("tzname", rule.name)
    if len(period) > 1 or open_ended:
        recurrence: dict[str, object] = {"freq": "yearly", "bymonth": rule.month,
                                         "byday": rule.byday}
        if not open_ended:
            recurrence["until"] = period[-1].at
        component.add("rrule", recurrence)
    return component
