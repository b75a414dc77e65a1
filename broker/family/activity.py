"""What was shared, as a family reads it: per organisation and month, newest first, with the
routine views folded into one line each (the household's own pages opened again and again),
so the disclosures that matter stand out. A rule on the lines the member may see; no SQL."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from broker.audit.queries import ReportLine
from broker.clock import local_day

# Opening the household's page or a meeting shows names and birth dates, and with them the
# consents and who has custody: routine work.
ROUTINE_OBJECTS = frozenset({"household", "meeting", "consent", "custody"})


class Routine(StrEnum):
    FILE = "file"  # the household's page or a meeting page opened (names, consents, custody)
    PLAN = "plan"  # the plan read
    AGAIN = "again"  # something the organisation had seen before, seen again


@dataclass(frozen=True)
class Fold:
    """Routine views of one kind by one organisation (or its household's regisseur) in one
    month, shown as one line with a count."""

    kind: Routine
    by_regisseur: bool
    times: int
    subject_ids: list[str]  # in the order of the page's people
    lines: list[ReportLine]  # newest first
    days: list[date]  # the days it happened, newest first
    categories: list[str]  # what was seen
    objects: list[str]  # and what, of the lines without a category (a read of consents)


@dataclass(frozen=True)
class Month:
    first_day: date
    folds: list[Fold]
    items: list[ReportLine]  # each disclosure apart, newest first


@dataclass(frozen=True)
class OrganisationActivity:
    organisation_id: str | None
    organisation_name: str
    months: list[Month]  # newest first
    routine: int  # how many lines of it are routine
    total: int


@dataclass(frozen=True)
class Activity:
    since: date | None  # the first day of the month of the oldest line
    organisations: list[OrganisationActivity]  # the most recently active first
    total: int
    routine: int  # how many times a routine view happened (the folds' counts together)


def moment(line: ReportLine) -> datetime:
    return datetime.fromisoformat(line.recorded_at.replace("Z", "+00:00"))


def _kind(line: ReportLine, seen: set[tuple[object, ...]]) -> Routine | None:
    """Routine or not; `seen` holds what each organisation had already seen (oldest first)."""
    key = (line.organisation_id, line.subject_id, line.object_type, line.object_id,
           tuple(line.categories))
    first = key not in seen
    seen.add(key)
    if line.object_type in ROUTINE_OBJECTS:
        return Routine.FILE
    if line.object_type == "plan":
        return Routine.PLAN
    if not first and line.object_id is not None:
        return Routine.AGAIN
    return None


def _times(kind: Routine, lines: list[ReportLine]) -> int:
    """How often: the requests it took (one page shows a person in several places), counted
    for the person and area seen most often; each line apart where no request is known. A
    thing seen again counts each time."""
    if kind is Routine.AGAIN:
        return len(lines)
    visits: dict[tuple[str, tuple[str, ...]], set[str]] = defaultdict(set)
    for line in lines:
        visits[(line.subject_id, tuple(line.categories))].add(line.trace_id or str(line.seq))
    return max(len(v) for v in visits.values())


def group(lines: list[ReportLine], *, people: list[str], regisseur_id: str | None,
          regisseur_organisation_id: str | None) -> Activity:
    """Group the lines (oldest first, as the log keeps them) per organisation and month."""
    seen: set[tuple[object, ...]] = set()
    kinds = [(line, _kind(line, seen)) for line in lines]
    by_org: dict[str | None, list[tuple[ReportLine, Routine | None]]] = defaultdict(list)
    for line, kind in kinds:
        by_org[line.organisation_id].append((line, kind))
    order = {person: n for n, person in enumerate(people)}
    organisations = []
    for org_id, found in by_org.items():
        months: dict[date, list[tuple[ReportLine, Routine | None]]] = defaultdict(list)
        for line, kind in found:
            months[local_day(moment(line)).replace(day=1)].append((line, kind))
        organisations.append(OrganisationActivity(
            org_id, found[0][0].organisation_name,
            [_month(day, months[day], order, regisseur_id, regisseur_organisation_id)
             for day in sorted(months, reverse=True)],
            sum(1 for _, kind in found if kind is not None), len(found)))
    organisations.sort(key=lambda o: max(moment(line) for m in o.months
                                         for line in [*m.items, *(f.lines[0] for f in m.folds)]),
                       reverse=True)
    first = min((moment(line) for line in lines), default=None)
    return Activity(local_day(first).replace(day=1) if first else None, organisations,
                    len(lines), sum(f.times for o in organisations for m in o.months
                                    for f in m.folds))


def _month(day: date, found: list[tuple[ReportLine, Routine | None]], order: dict[str, int],
           regisseur_id: str | None, regisseur_organisation_id: str | None) -> Month:
    folded: dict[tuple[Routine, bool], list[ReportLine]] = defaultdict(list)
    items = []
    for line, kind in reversed(found):  # newest first
        if kind is None:
            items.append(line)
        else:
            regisseur = regisseur_id is not None and line.actor_id == regisseur_id \
                and line.organisation_id == regisseur_organisation_id
            folded[(kind, regisseur)].append(line)
    folds = [Fold(kind, regisseur, _times(kind, these),
                  sorted({line.subject_id for line in these}, key=lambda s: order.get(s, 99)),
                  these, list(dict.fromkeys(local_day(moment(line)) for line in these)),
                  list(dict.fromkeys(c for line in these for c in line.categories)),
                  list(dict.fromkeys(line.object_type or "" for line in these
                                     if not line.categories)))
             for (kind, regisseur), these in sorted(folded.items(),
                                                    key=lambda f: (not f[0][1], f[0][0]))]
    return Month(day, folds, items)
