"""Acceptance 1: for random households, consents, withdrawals and clock moves, `decide()`
agrees with a reference model written here from DOMAIN.md's rules (>= 2,000 examples)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from broker.disclosure.capacity import Person
from broker.disclosure.engine import ConsentFact, DecisionRequest, SubjectFacts, decide
from broker.policy import Policy

BASE = date(2026, 11, 23)
CATEGORIES = ["onderwijs", "gezondheid", "opvoeding", "psychische_gezondheid"]
PURPOSES = ["hulpverlening", "netwerkbijeenkomst"]
PARTIES = ["school", "huisarts", "jggz"]  # none of these has a legal duty in the policy
ORGS = ["org-a", "org-b", "org-c"]


@dataclass
class World:
    people: dict[str, date]            # member id -> birth date
    custodians: dict[str, set[str]]    # child id -> custodian ids
    consents: list[dict[str, object]]


def reference_required(world: World, subject: str, day: date) -> set[tuple[str | None, str]]:
    """DOMAIN.md: an adult decides alone; under 12 the parents with custody; 12 to 15 the
    youth and the custodial parents; from 16 the youth alone. Joint custody means both."""
    born = world.people[subject]
    age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    custodial = {(c, "custodian") for c in world.custodians.get(subject, set())} or \
        {(None, "custodian")}
    if age >= 16:
        return {(subject, "subject")}
    if age >= 12:
        return {(subject, "subject")} | custodial
    return custodial


def reference(world: World, subject: str, category: str, org: str, party: str, purpose: str,
              at: datetime) -> tuple[str, set[str], set[str]]:
    required = reference_required(world, subject, at.date())
    covering = [c for c in world.consents
                if c["subject"] == subject and category in c["categories"]
                and purpose in c["purposes"]
                and (org in c["orgs"] or party in c["parties"])
                and c["from"] <= at < c["until"]
                and (c["withdrawn"] is None or at < c["withdrawn"])]
    good = {str(c["id"]) for c in covering
            if all(m is not None and m in c["grantors"] for m, _ in required)}
    if good:
        return "permit", good, set()
    roles = {role for _, role in required}
    return "deny", set(), roles


def birth(days_before_12th_or_16th: int, which: int) -> date:
    anniversary = BASE.replace(year=BASE.year - which)
    return anniversary + timedelta(days=days_before_12th_or_16th)


@st.composite
def worlds(draw: st.DrawFn) -> World:
    people: dict[str, date] = {}
    parents = [f"p{i}" for i in range(draw(st.integers(1, 3)))]
    for parent in parents:
        people[parent] = date(draw(st.integers(1975, 1995)), draw(st.integers(1, 12)), 15)
    children = [f"c{i}" for i in range(draw(st.integers(1, 3)))]
    custodians: dict[str, set[str]] = {}
    for child in children:
        people[child] = draw(st.one_of(
            st.builds(birth, st.integers(-40, 40), st.sampled_from([12, 16])),
            st.builds(lambda y: date(y, 6, 1), st.integers(2006, 2024))))
        custodians[child] = set(draw(st.lists(st.sampled_from(parents), max_size=2,
                                              unique=True)))
    members = list(people)
    consents = []
    for n in range(draw(st.integers(0, 6))):
        start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=draw(st.integers(0, 500)))
        withdrawn = draw(st.one_of(st.none(), st.integers(0, 400)))
        consents.append({
            "id": f"k{n}", "subject": draw(st.sampled_from(members)),
            "categories": set(draw(st.lists(st.sampled_from(CATEGORIES), min_size=1,
                                            unique=True))),
            "purposes": set(draw(st.lists(st.sampled_from(PURPOSES), min_size=1, unique=True))),
            "orgs": set(draw(st.lists(st.sampled_from(ORGS), unique=True))),
            "parties": set(draw(st.lists(st.sampled_from(PARTIES), unique=True))),
            "grantors": set(draw(st.lists(st.sampled_from(members), unique=True))),
            "from": start, "until": start + timedelta(days=draw(st.integers(1, 700))),
            "withdrawn": start + timedelta(days=withdrawn) if withdrawn is not None else None,
        })
    return World(people, custodians, consents)


def facts_for(world: World, subject: str) -> SubjectFacts:
    consents = tuple(ConsentFact(
        id=str(c["id"]), categories=frozenset(c["categories"]),  # type: ignore[arg-type]
        organisations=frozenset(c["orgs"]), parties=frozenset(c["parties"]),  # type: ignore[arg-type]
        purposes=frozenset(c["purposes"]), grantors=frozenset(c["grantors"]),  # type: ignore[arg-type]
        valid_from=c["from"], valid_until=c["until"],  # type: ignore[arg-type]
        withdrawn_at=c["withdrawn"])  # type: ignore[arg-type]
        for c in world.consents if c["subject"] == subject)
    person = Person(subject, world.people[subject],
                    frozenset(world.custodians.get(subject, set())))
    return SubjectFacts(person, "h", None, consents)


@settings(max_examples=2000, deadline=None)
@given(world=worlds(), data=st.data())
def test_decide_agrees_with_the_reference_model(world: World, data: st.DataObject,
                                                policy: Policy) -> None:
    subject = data.draw(st.sampled_from(list(world.people)))
    category = data.draw(st.sampled_from(CATEGORIES))
    purpose = data.draw(st.sampled_from(PURPOSES))
    org = data.draw(st.sampled_from(ORGS))
    party = data.draw(st.sampled_from(PARTIES))
    at = datetime(2026, 1, 1, 12, tzinfo=UTC) + timedelta(days=data.draw(st.integers(0, 1200)))
    request = DecisionRequest(subject_id=subject, category=category,
                              recipient_organisation_id=org, recipient_party=party,
                              purpose=purpose, at=at, day=at.date())
    decision = decide(request, facts_for(world, subject), policy)
    effect, consent_ids, missing_roles = reference(world, subject, category, org, party,
                                                   purpose, at)
    assert decision.effect.value == effect
    assert set(decision.consent_ids) == consent_ids
    if effect == "deny":
        assert decision.basis is None
        assert {m.role.value for m in decision.missing} <= missing_roles
        assert decision.missing, "a denial names who still has to consent"
    else:
        assert decision.basis is not None and decision.basis.value == "consent"
