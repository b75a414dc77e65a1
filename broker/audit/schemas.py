"""Audit payloads (contract 4.1). Checkpoints, proofs and report lines are the services'
own dataclasses (`proofs.Checkpoint`, `proofs.InclusionProof`, `queries.ReportLine`)."""

from typing import Any

from pydantic import BaseModel

from broker.audit.queries import ReportLine
from broker.audit.verify import Problem


class EventPageRead(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None


class ConsistencyProofRead(BaseModel):
    first: int
    second: int
    proof: list[str]


class VerificationRead(BaseModel):
    ok: bool
    tree_size: int
    root_hash: str
    events: int
    first_bad_seq: int | None
    problems: list[Problem]


class SubjectReportRead(BaseModel):
    subject_id: str
    lines: list[ReportLine]


class ProcessingActivityRead(BaseModel):
    """An entry of the register of processing activities (AVG art. 30 lid 1)."""

    id: str
    uri: str
    name: str
    purposes: list[str]
    lawful_basis: str
    special_basis: str | None
    categories: list[str]
    recipients: list[str]
    retention: str
