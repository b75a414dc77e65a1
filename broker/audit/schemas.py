"""Audit payloads (contract 4.1)."""

from typing import Any

from pydantic import BaseModel


class EventPageRead(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None


class CheckpointRead(BaseModel):
    tree_size: int
    root_hash: str
    timestamp: str
    key_id: str
    signature: str
    note: str
    verifier_key: str


class InclusionProofRead(BaseModel):
    leaf_index: int
    tree_size: int
    leaf_hash: str
    audit_path: list[str]


class ConsistencyProofRead(BaseModel):
    first: int
    second: int
    proof: list[str]


class ProblemRead(BaseModel):
    seq: int | None
    kind: str
    detail: str


class VerificationRead(BaseModel):
    ok: bool
    tree_size: int
    root_hash: str
    events: int
    first_bad_seq: int | None
    problems: list[ProblemRead]


class ReportLineRead(BaseModel):
    seq: int
    recorded_at: str
    action: str
    organisation_id: str | None
    organisation_name: str
    categories: list[str]
    purpose: str | None
    basis: str | None
    processing_activity: str | None
    lawful_basis: str | None


class SubjectReportRead(BaseModel):
    subject_id: str
    lines: list[ReportLineRead]
