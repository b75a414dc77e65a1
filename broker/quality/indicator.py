"""An indicator: a status and why, as a code with its values."""

from dataclasses import dataclass, field
from enum import StrEnum

from broker.quality.reasons import REASONS


class Status(StrEnum):
    OK = "ok"
    MISSING = "missing"
    OVERDUE = "overdue"
    ATTENTION = "attention"


@dataclass(frozen=True)
class Indicator:
    """A status and why, as a code with its values (`reasons.REASONS` says it in Dutch)."""

    id: str
    status: Status
    code: str
    values: dict[str, str | int] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return REASONS[self.code] % self.values
