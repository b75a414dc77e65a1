"""Inspection-readiness payloads (contract v1: /quality)."""

from pydantic import BaseModel, Field

from broker.quality.service import INDICATORS, Flag, Status


class IndicatorRead(BaseModel):
    id: str = Field(description=f"one of {', '.join(INDICATORS)}")
    status: Status
    reason: str = Field(description="why, in plain Dutch; dates and counts, never a name")


class ReadinessRead(BaseModel):
    household_id: str
    indicators: list[IndicatorRead]
    flags: list[Flag] = Field(description="why the household is at risk; empty if it is not")


class AtRisk(BaseModel):
    household_id: str
    flags: list[Flag]


class SummaryRead(BaseModel):
    """The municipality's figures: no family's personal data."""

    households: int
    indicators: dict[str, dict[Status, int]] = Field(
        description="per indicator, the number of households in each status")
    at_risk: list[AtRisk]
