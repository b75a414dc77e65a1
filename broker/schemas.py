"""Shared Pydantic bases."""

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Request bodies: unknown fields are rejected (contract v1)."""

    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """RFC 9457 problem details, as every error answers."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str
    trace_id: str | None = None
