"""`decide()` against other ways of answering the same question, on a synthetic municipality
(10k subjects, 30k consents): plain dicts and loops (the floor), AWS Cedar (cedarpy) and
Casbin. Cedar and Casbin get the consents that count at the request time precomputed as
their natural entity data and policy lines (they would not model birthdays); all four must
agree on every sampled request before anything is timed."""

import json
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.runner import Result, rate
from broker.config import PROJECT_ROOT
from broker.disclosure.capacity import Person, missing_grantors, required_grantors
from broker.disclosure.engine import ConsentFact, DecisionRequest, SubjectFacts, decide
from broker.policy import load_policy

SUBJECTS, CONSENTS = 10_000, 30_000
CATEGORIES = ["onderwijs", "gezondheid", "opvoeding", "huisvesting", "financien",
              "psychische_gezondheid"]
PARTIES = ["school", "huisarts", "jggz", "woningcorporatie", "schuldhulpverlening"]
PURPOSES = ["hulpverlening", "netwerkbijeenkomst"]
ORGS = [f"org-{i}" for i in range(200)]
AT = datetime(2026, 11, 23, 12, tzinfo=UTC)
DAY = AT.date()


def municipality(rng: random.Random) -> dict[str, SubjectFacts]:
    people = {}
    for n in range(SUBJECTS // 4):  # households of two parents and two children
        parents = [f"s{n}-p{i}" for i in range(2)]
        for p in parents:
            people[p] = Person(p, date(rng.randint(1975, 1992), rng.randint(1, 12), 10),
                               frozenset())
        for i in range(2):
            child = f"s{n}-c{i}"
            people[child] = Person(child, DAY - timedelta(days=rng.randint(365, 17 * 365)),
                                   frozenset(rng.sample(parents, rng.randint(1, 2))))
    consents: dict[str, list[ConsentFact]] = {p: [] for p in people}
    ids = list(people)
    capacity = POLICY.consent.capacity
    for k in range(CONSENTS):
        subject = people[rng.choice(ids)]
        required = required_grantors(subject, DAY, capacity)
        grantors = {r.member_id for r in required if r.member_id} if rng.random() < 0.8 \
            else {subject.id}
        start = AT - timedelta(days=rng.randint(0, 300))
        consents[subject.id].append(ConsentFact(
            id=f"k{k}", categories=frozenset(rng.sample(CATEGORIES, rng.randint(1, 3))),
            organisations=frozenset(rng.sample(ORGS, rng.randint(0, 2))),
            parties=frozenset(rng.sample(PARTIES, rng.randint(0, 2))),
            purposes=frozenset(rng.sample(PURPOSES, rng.randint(1, 2))),
            grantors=frozenset(grantors), valid_from=start,
            valid_until=start + timedelta(days=rng.randint(30, 700)),
            withdrawn_at=AT - timedelta(days=1) if rng.random() < 0.1 else None))
    return {p: SubjectFacts(person, "h", None, tuple(consents[p]))
            for p, person in people.items()}


POLICY = load_policy(PROJECT_ROOT / "policies")


def requests(facts: dict[str, SubjectFacts], rng: random.Random, n: int
             ) -> list[DecisionRequest]:
    ids = list(facts)
    party_of = {org: PARTIES[i % len(PARTIES)] for i, org in enumerate(ORGS)}
    out = []
    for _ in range(n):
        subject = rng.choice(ids)
        org = rng.choice(ORGS)
        out.append(DecisionRequest(subject, rng.choice(CATEGORIES), org, party_of[org],
                                   rng.choice(PURPOSES), AT, DAY))
    return out


def counting(facts: dict[str, SubjectFacts]) -> dict[str, list[ConsentFact]]:
    """The consents that count at AT, per subject: what Cedar and Casbin are given."""
    capacity = POLICY.consent.capacity
    return {s: [c for c in f.consents if c.in_force(AT) and not missing_grantors(
        required_grantors(f.person, DAY, capacity), c.grantors)] for s, f in facts.items()}


def plain(facts: dict[str, dict[str, Any]], r: DecisionRequest) -> bool:
    """The same rules with dicts and loops: the floor for Python."""
    subject = facts[r.subject_id]
    born = subject["born"]
    age = DAY.year - born.year - ((DAY.month, DAY.day) < (born.month, born.day))
    required = {subject["id"]} if age >= 16 else (
        subject["custodians"] | ({subject["id"]} if age >= 12 else set()))
    for c in subject["consents"]:
        if (r.category in c["categories"] and r.purpose in c["purposes"]
                and (r.recipient_organisation_id in c["orgs"] or r.recipient_party in c["parties"])
                and c["from"] <= r.at < c["until"]
                and (c["withdrawn"] is None or r.at < c["withdrawn"])
                and required <= c["grantors"] and required):
            return True
    return False


def as_dicts(facts: dict[str, SubjectFacts]) -> dict[str, dict[str, Any]]:
    return {s: {"id": s, "born": f.person.birth_date, "custodians": set(f.person.custodians),
                "consents": [{"categories": c.categories, "purposes": c.purposes,
                              "orgs": c.organisations, "parties": c.parties,
                              "from": c.valid_from, "until": c.valid_until,
                              "withdrawn": c.withdrawn_at, "grantors": c.grantors}
                             for c in f.consents]} for s, f in facts.items()}


CEDAR_POLICY = """
permit(principal, action == Action::"view", resource)
when {
  resource.grants.contains({category: context.category, recipient: principal.key,
                            purpose: context.purpose}) ||
  resource.grants.contains({category: context.category, recipient: principal.party,
                            purpose: context.purpose})
};
"""


def cedar(valid: dict[str, list[ConsentFact]]) -> Any:
    import cedarpy

    entities = [{"uid": {"type": "Org", "id": org}, "parents": [],
                 "attrs": {"key": org, "party": PARTIES[i % len(PARTIES)]}}
                for i, org in enumerate(ORGS)]
    for subject, consents in valid.items():
        grants = [{"category": cat, "recipient": rec, "purpose": pur}
                  for c in consents for cat in c.categories
                  for rec in [*c.organisations, *c.parties] for pur in c.purposes]
        entities.append({"uid": {"type": "Person", "id": subject}, "parents": [],
                         "attrs": {"grants": grants}})
    store = cedarpy.Entities.from_json_str(json.dumps(entities))
    policies = cedarpy.PolicySet.from_str(CEDAR_POLICY)

    def ask(r: DecisionRequest) -> bool:
        result = cedarpy.is_authorized(
            {"principal": f'Org::"{r.recipient_organisation_id}"', "action": 'Action::"view"',
             "resource": f'Person::"{r.subject_id}"',
             "context": {"category": r.category, "purpose": r.purpose}}, policies, store)
        return bool(result.allowed)

    return ask


CASBIN_MODEL = """
[request_definition]
r = sub, cat, org, party, pur
[policy_definition]
p = sub, cat, rec, pur
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = r.sub == p.sub && r.cat == p.cat && (r.org == p.rec || r.party == p.rec) && r.pur == p.pur
"""


def casbin_enforcer(valid: dict[str, list[ConsentFact]]) -> Any:
    import casbin

    m = casbin.model.Model()
    m.load_model_from_text(CASBIN_MODEL)
    enforcer = casbin.Enforcer(m)
    rules = {(s, cat, rec, pur) for s, consents in valid.items() for c in consents
             for cat in c.categories for rec in [*c.organisations, *c.parties]
             for pur in c.purposes}
    enforcer.add_policies([list(rule) for rule in rules])

    def ask(r: DecisionRequest) -> bool:
        return bool(enforcer.enforce(r.subject_id, r.category, r.recipient_organisation_id,
                                     r.recipient_party, r.purpose))

    return ask


def run(seconds: float) -> list[Result]:
    rng = random.Random(12)
    facts = municipality(rng)
    sample = requests(facts, rng, 5000)
    valid = counting(facts)
    dicts = as_dicts(facts)
    ask_cedar, ask_casbin = cedar(valid), casbin_enforcer(valid)
    permits = 0
    for r in sample[:300]:
        ours = decide(r, facts[r.subject_id], POLICY).permitted
        assert ours == plain(dicts, r) == ask_cedar(r) == ask_casbin(r), r
        permits += ours
    assert 0 < permits < 300, "the sample must hold permits and denials"
    cycle = iter(sample * 1000)

    def ours() -> object:
        r = next(cycle)
        return decide(r, facts[r.subject_id], POLICY)

    ours_rate = rate(ours, seconds)
    results = [Result("decisions", f"decide() ({SUBJECTS:,} subjects, {CONSENTS:,} consents)",
                      ours_rate, "plain dicts and loops", rate(lambda: plain(dicts, next(cycle)),
                                                                seconds), ">= 0.20")]
    results.append(Result("decisions", "decide()", ours_rate, "Cedar (cedarpy)",
                          rate(lambda: ask_cedar(next(cycle)), seconds), ">= 3"))
    results.append(Result("decisions", "decide()", ours_rate, "Casbin",
                          rate(lambda: ask_casbin(next(cycle)), min(seconds, 2), warmup=2),
                          ">= 10"))
    return results
