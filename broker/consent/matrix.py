"""The consent matrix of a household page: per person, categories x recipients."""

from dataclasses import dataclass
from datetime import datetime

from broker.consent.service import ConsentView, Status
from broker.policy import Policy

RANK = {Status.ACTIVE: 3, Status.PENDING: 2, Status.EXPIRED: 1, Status.WITHDRAWN: 0}


@dataclass(frozen=True)
class Cell:
    status: Status
    until: datetime
    consent_id: str


@dataclass(frozen=True)
class Matrix:
    subject_id: str
    categories: list[str]
    recipients: list[str]
    cells: dict[tuple[str, str], Cell]


def recipient_label(recipient: dict[str, str], policy: Policy, names: dict[str, str]) -> str:
    if recipient.get("party"):
        party = policy.parties.get(recipient["party"])
        return f"{party.label if party else recipient['party']} (alle)"
    return names.get(recipient["organisation_id"], "onbekende organisatie")


def matrices(views: list[ConsentView], policy: Policy, names: dict[str, str]) -> list[Matrix]:
    by_subject: dict[str, list[ConsentView]] = {}
    for view in views:
        by_subject.setdefault(view.consent.subject_id, []).append(view)
    result = []
    for subject_id, subject_views in by_subject.items():
        cells: dict[tuple[str, str], Cell] = {}
        for view in subject_views:
            for category in view.consent.categories:
                for recipient in view.consent.recipients:
                    key = (category, recipient_label(recipient, policy, names))
                    cell = Cell(view.status, view.consent.valid_until, view.consent.id)
                    if key not in cells or RANK[cell.status] > RANK[cells[key].status]:
                        cells[key] = cell
        result.append(Matrix(subject_id, sorted({c for c, _ in cells}),
                             sorted({r for _, r in cells}), cells))
    return result
