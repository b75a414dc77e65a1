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


class _Problem(Problem):
    model_config = ConfigDict(extra="allow")  # e.g. `missing`, `reasons`, `retry_after`


_AS_PROBLEM = {"model": _Problem, "content": {"application/problem+json": {}}}
# What every route may answer besides success, documented so clients (and the fuzzer) know
# errors come as application/problem+json.
PROBLEM_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"description": description, **_AS_PROBLEM} for status, description in (
        (400, "Malformed request"), (401, "No valid token"), (403, "Not allowed"),
        (404, "Not found, or not yours to know about"), (409, "Conflicts with the state"),
        (413, "Body too large"), (422, "Cannot succeed as sent"),
        (429, "Too many requests"), (500, "Internal error (with a trace id)"),
        (502, "A service the broker depends on failed"))}
