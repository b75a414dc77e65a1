"""Load and validate `policies/*.yaml`; the policy version is a hash of their canonical form."""

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from broker.policy.schema import (
    FILES,
    CategoriesFile,
    Category,
    ConsentFile,
    MandateRule,
    MeldcodeFile,
    PartiesFile,
    Party,
    PolicyModel,
    ProcessingActivity,
    ProcessingFile,
    Purpose,
    PurposesFile,
    RetentionFile,
    SafetyFile,
)


@dataclass(frozen=True)
class PolicyProblem:
    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}"


class PolicyError(Exception):
    def __init__(self, problems: Sequence[PolicyProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Policy:
    """The loaded, validated policy. Look-ups by id; `version` is stamped on every decision."""

    directory: Path
    version: str
    parties: dict[str, Party]
    categories: dict[str, Category]
    purposes: dict[str, Purpose]
    consent: ConsentFile
    meldcode: MeldcodeFile
    retention: RetentionFile
    processing: ProcessingFile
    safety: SafetyFile
    activities: dict[str, ProcessingActivity] = field(default_factory=dict)
    # each mandate kind with the party whose organisations hold it, and its rule
    mandates: dict[str, tuple[str, MandateRule]] = field(default_factory=dict)

    def is_special(self, category_id: str) -> bool:
        return self.categories[category_id].special is not None


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice in one mapping."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _key(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def _read(directory: Path, problems: list[PolicyProblem]) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for name in FILES:
        path = directory / name
        if not path.is_file():
            problems.append(PolicyProblem(name, "(file)", "missing policy file"))
            continue
        try:
            raw[name] = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
        except yaml.YAMLError as exc:
            problems.append(PolicyProblem(name, "(file)", f"invalid YAML: {exc}"))
    return raw


def _parse(raw: dict[str, Any], problems: list[PolicyProblem]) -> dict[str, PolicyModel]:
    parsed: dict[str, PolicyModel] = {}
    for name, data in raw.items():
        try:
            parsed[name] = FILES[name].model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                problems.append(PolicyProblem(name, _key(err["loc"]), err["msg"]))
    return parsed


def policy_version(raw: dict[str, Any]) -> str:
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def check_policy(directory: Path) -> list[PolicyProblem]:
    try:
        load_policy(directory)
    except PolicyError as exc:
        return exc.problems
    return []


def load_policy(directory: Path) -> Policy:
    """Load every file, then check references across files; report all problems at once."""
    problems: list[PolicyProblem] = []
    raw = _read(directory, problems)
    parsed = _parse(raw, problems)
    from broker.policy.references import check_references

    problems.extend(check_references(parsed))
    if problems or len(parsed) != len(FILES):
        raise PolicyError(problems)
    parties = parsed["parties.yaml"]
    categories = parsed["categories.yaml"]
    purposes = parsed["purposes.yaml"]
    processing = parsed["processing.yaml"]
    assert isinstance(parties, PartiesFile) and isinstance(categories, CategoriesFile)
    assert isinstance(purposes, PurposesFile) and isinstance(processing, ProcessingFile)
    consent, meldcode = parsed["consent.yaml"], parsed["meldcode.yaml"]
    retention = parsed["retention.yaml"]
    assert isinstance(consent, ConsentFile) and isinstance(meldcode, MeldcodeFile)
    assert isinstance(retention, RetentionFile)
    safety = parsed["safety.yaml"]
    assert isinstance(safety, SafetyFile)
    return Policy(
        directory=directory,
        version=policy_version(raw),
        parties={p.id: p for p in parties.parties},
        categories={c.id: c for c in categories.categories},
        purposes={p.id: p for p in purposes.purposes},
        consent=consent,
        meldcode=meldcode,
        retention=retention,
        processing=processing,
        safety=safety,
        activities={a.id: a for a in processing.activities},
        mandates={kind.value: (party.id, rule) for party in parties.parties
                  for kind, rule in party.mandates.items()},
    )


def duplicates(ids: Iterable[str]) -> set[str]:
    return {item for item, count in Counter(ids).items() if count > 1}
