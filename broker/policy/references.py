"""Checks across policy files: every reference names something that exists, ids are unique."""

from collections.abc import Iterable

from broker.policy.loader import PolicyProblem, duplicates
from broker.policy.schema import (
    ConsentFile,
    MeldcodeFile,
    PartiesFile,
    PolicyModel,
    ProcessingFile,
    SafetyFile,
)

ID_SECTIONS = {"parties.yaml": "parties", "categories.yaml": "categories",
               "purposes.yaml": "purposes", "retention.yaml": "periods",
               "processing.yaml": "activities"}


def _unique(file: str, section: str, ids: list[str]) -> list[PolicyProblem]:
    dupes = duplicates(ids)
    return [
        PolicyProblem(file, f"{section}[{i}].id", f"duplicate id {item!r}")
        for i, item in enumerate(ids)
        if item in dupes and ids.index(item) != i
    ]


def _known(
    file: str, key: str, values: Iterable[str], known: set[str] | None, what: str
) -> list[PolicyProblem]:
    if known is None:  # the file defining them is broken; that problem is reported already
        return []
    return [
        PolicyProblem(file, f"{key}[{i}]", f"unknown {what} {value!r}")
        for i, value in enumerate(values)
        if value not in known
    ]


def check_references(parsed: dict[str, PolicyModel]) -> list[PolicyProblem]:
    problems: list[PolicyProblem] = []
    parties = parsed.get("parties.yaml")
    known: dict[str, set[str] | None] = {}
    for file, section in ID_SECTIONS.items():
        model = parsed.get(file)
        if model is None:
            known[file] = None  # the file is broken; that problem is reported already
            continue
        ids = [item.id for item in getattr(model, section)]
        problems += _unique(file, section, ids)
        known[file] = set(ids)
    party_ids, category_ids = known["parties.yaml"], known["categories.yaml"]
    purpose_ids, retention_ids = known["purposes.yaml"], known["retention.yaml"]

    if isinstance(parties, PartiesFile):
        for i, party in enumerate(parties.parties):
            for kind, rule in party.mandates.items():
                key = f"parties[{i}].mandates.{kind.value}"
                problems += _known("parties.yaml", f"{key}.purposes", rule.purposes,
                                   purpose_ids, "purpose")
                problems += _known("parties.yaml", f"{key}.categories", rule.categories,
                                   category_ids, "category")
        kinds = [kind for party in parties.parties for kind in party.mandates]
        problems += [PolicyProblem("parties.yaml", "parties", f"mandate kind {str(kind)!r} "
                                   "belongs to more than one party")
                     for kind in sorted(duplicates(kinds))]

    meldcode = parsed.get("meldcode.yaml")
    if isinstance(meldcode, MeldcodeFile):
        for field in ("recipients", "urgent_recipients"):
            problems += _known("meldcode.yaml", f"override.{field}",
                               getattr(meldcode.override, field), party_ids, "party")

    consent = parsed.get("consent.yaml")
    if isinstance(consent, ConsentFile):
        problems += _check_consent(consent, category_ids)
        problems += _known("consent.yaml", "capacity.incapacity_assessors",
                           consent.capacity.incapacity_assessors, party_ids, "party")

    safety = parsed.get("safety.yaml")
    if isinstance(safety, SafetyFile):
        problems += _unique("safety.yaml", "questions", [q.id for q in safety.questions])
        for field in ("safe_outcomes", "unsafe_outcomes"):
            problems += _known("safety.yaml", field, getattr(safety, field),
                               set(safety.outcomes), "outcome")
        for i, group in enumerate(safety.relevant_parties):
            problems += _known("safety.yaml", f"relevant_parties[{i}]", group, party_ids,
                               "party")

    processing = parsed.get("processing.yaml")
    if isinstance(processing, ProcessingFile):
        for i, act in enumerate(processing.activities):
            key = f"activities[{i}]"
            problems += _known("processing.yaml", f"{key}.purposes", act.purposes,
                               purpose_ids, "purpose")
            problems += _known("processing.yaml", f"{key}.categories", act.categories,
                               category_ids, "category")
            problems += _known("processing.yaml", f"{key}.recipients", act.recipients,
                               party_ids, "party")
            if retention_ids is not None and act.retention not in retention_ids:
                problems.append(PolicyProblem("processing.yaml", f"{key}.retention",
                                              f"unknown retention period {act.retention!r}"))
        if purpose_ids is not None:
            covered = {p for a in processing.activities for p in a.purposes}
            for purpose in sorted(purpose_ids - covered):
                problems.append(PolicyProblem(
                    "processing.yaml", "activities",
                    f"purpose {purpose!r} has no processing activity (AVG art. 30)"))
    return problems


def _check_consent(consent: ConsentFile, category_ids: set[str] | None) -> list[PolicyProblem]:
    file = "consent.yaml"
    problems: list[PolicyProblem] = []
    cap = consent.capacity
    if not cap.youth_with_custodians_from <= cap.youth_alone_from <= cap.adult_from:
        problems.append(PolicyProblem(file, "capacity",
                                      "ages must rise: youth_with_custodians_from <= "
                                      "youth_alone_from <= adult_from"))
    methods = set(consent.evidence_methods)
    problems += _known(file, "special_category_evidence", consent.special_category_evidence,
                       methods, "evidence method")
    seen: set[str] = set()
    for i, rule in enumerate(consent.rules):
        if category_ids is not None and rule.category not in category_ids:
            problems.append(PolicyProblem(file, f"rules[{i}].category",
                                          f"unknown category {rule.category!r}"))
        if rule.category in seen:
            problems.append(PolicyProblem(file, f"rules[{i}].category",
                                          f"second rule for category {rule.category!r}"))
        seen.add(rule.category)
        if rule.evidence_methods is not None:
            problems += _known(file, f"rules[{i}].evidence_methods", rule.evidence_methods,
                               methods, "evidence method")
    problems += _known(file, "family_present.categories", consent.family_present.categories,
                       category_ids, "category")
    for kind, representative in cap.representatives.items():
        problems += _known(file, f"capacity.representatives.{kind}.categories",
                           representative.categories or [], category_ids, "category")
    return problems
