"""Liveness and readiness."""

from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from broker import migrate
from broker.db import Database
from broker.policy import Policy


def readiness(database: Database, policy: Policy) -> tuple[bool, dict[str, Any]]:
    """Ready when the database answers, its schema is at head and the policy is loaded."""
    report: dict[str, Any] = {"policy_version": policy.version}
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        report["database"] = "ok"
        current, head = migrate.current_revision(database.engine), migrate.head_revision()
        report["migrations"] = "head" if current == head else f"at {current}, head is {head}"
    except SQLAlchemyError as exc:
        report["database"] = f"unreachable ({type(exc).__name__})"
        report["migrations"] = "unknown"
    ready = report["database"] == "ok" and report["migrations"] == "head"
    report["status"] = "ready" if ready else "not_ready"
    return ready, report
