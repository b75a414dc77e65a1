"""The care path's forms as the service's bodies. Each reads the posted fields and returns the
body the API takes; a field that cannot be one raises ValueError (a pydantic
ValidationError is one), which the page shows as a message on that form."""

from datetime import date

from starlette.datastructures import FormData

from broker.care.schemas import (
    ChildContactCreate,
    ClosureCreate,
    EscalationCreate,
    EscalationOutcome,
    EvaluationCreate,
    FamilyGroupPlanCreate,
    FeedbackCreate,
    HelpRequestCreate,
    OtherPlanCreate,
    OtherPlanUpdate,
    SafetyAssessmentCreate,
)
from broker.web.forms import parse_day

MAX_GOALS = 20


def _one(form: FormData, key: str) -> str:
    value = form.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def _text(form: FormData, key: str) -> str | None:
    return _one(form, key) or None


def _all(form: FormData, key: str) -> list[str]:
    return [v for v in form.getlist(key) if isinstance(v, str) and v]


def _day(form: FormData, key: str) -> date | None:
    return parse_day(_one(form, key))


def _number(form: FormData, key: str) -> int | None:
    value = _one(form, key)
    return int(value) if value else None


def help_request(form: FormData) -> HelpRequestCreate:
    """Safety answers from `safety:<question>` (ja/nee); ZRM from `zrm:<member>:<area>`."""
    answers = {key.removeprefix("safety:"): value == "ja" for key, value in form.items()
               if key.startswith("safety:") and value in ("ja", "nee")}
    zrm: dict[str, dict[str, int]] = {}
    for key, value in form.items():
        if key.startswith("zrm:") and isinstance(value, str) and value:
            _, member, area = key.split(":", 2)
            zrm.setdefault(member, {})[area] = int(value)
    return HelpRequestCreate.model_validate({
        "question": _one(form, "question"), "formulated_with": _all(form, "formulated_with"),
        "life_domains": _all(form, "life_domains"), "safety_questions": answers,
        "zrm_by_member": zrm, "on": _day(form, "on")})


def safety_assessment(form: FormData) -> SafetyAssessmentCreate:
    return SafetyAssessmentCreate.model_validate({
        "subject_ids": _all(form, "subject_ids") or None,
        "instrument": _one(form, "instrument"), "outcome": _one(form, "outcome"),
        "safety_scale": _number(form, "safety_scale"), "rationale": _one(form, "rationale"),
        "on": _day(form, "on")})


def child_contact(form: FormData) -> ChildContactCreate:
    view = {key: _text(form, key) for key in ("worries", "good_things", "wishes")}
    return ChildContactCreate.model_validate({
        "child_id": _one(form, "child_id"), "on": _day(form, "on"),
        "seen": bool(form.get("seen")), "spoken": bool(form.get("spoken")),
        "place": _one(form, "place") or "thuis",
        "view": view if any(view.values()) else None})


def family_group_plan(form: FormData) -> FamilyGroupPlanCreate:
    return FamilyGroupPlanCreate.model_validate({
        "status": _one(form, "status"), "on": _day(form, "on"),
        "decided_by": _all(form, "decided_by"), "note": _text(form, "note"),
        "reference": _text(form, "reference")})


def evaluation(form: FormData) -> EvaluationCreate:
    """A goal counts when both its scores are filled in (`goal<n>_start`, `goal<n>_now`)."""
    goals = [{"priority": n, "start": _number(form, f"goal{n}_start"),
              "now": _number(form, f"goal{n}_now")} for n in range(1, MAX_GOALS + 1)
             if _one(form, f"goal{n}_start") or _one(form, f"goal{n}_now")]
    return EvaluationCreate.model_validate({
        "on": _day(form, "on"), "participants": _all(form, "participants"), "goals": goals,
        "safety_scale": _number(form, "safety_scale"),
        "safety_outcome": _one(form, "safety_outcome"),
        "needs_changed": bool(form.get("needs_changed")),
        "next_evaluation": _day(form, "next_evaluation")})


def escalation(form: FormData) -> EscalationCreate:
    return EscalationCreate.model_validate({
        "to": _one(form, "to"), "why": _one(form, "why"), "on": _day(form, "on"),
        "reason": _one(form, "reason")})


def escalation_outcome(form: FormData) -> EscalationOutcome:
    return EscalationOutcome.model_validate({"outcome": _one(form, "outcome"),
                                             "on": _day(form, "on")})


def other_plan(form: FormData) -> OtherPlanCreate:
    return OtherPlanCreate.model_validate({
        "organisation_id": _one(form, "organisation_id"), "kind": _one(form, "kind"),
        "reference": _one(form, "reference"), "contact": _text(form, "contact"),
        "linked": bool(form.get("linked")), "since": _day(form, "since")})


def other_plan_update(form: FormData) -> OtherPlanUpdate:
    """'link' ties the plan to the household's plan; 'end' ends it on `ended_on`."""
    if _one(form, "change") == "link":
        return OtherPlanUpdate(linked=True)
    ended = _day(form, "ended_on")
    if ended is None:
        raise ValueError("ended_on")
    return OtherPlanUpdate(ended_on=ended)


def feedback(form: FormData) -> FeedbackCreate:
    return FeedbackCreate.model_validate({
        "observation_id": _one(form, "observation_id"), "outcome": _one(form, "outcome"),
        "on": _day(form, "on")})


def closure(form: FormData) -> ClosureCreate:
    return ClosureCreate.model_validate({
        "reason": _one(form, "reason"), "on": _day(form, "on"),
        "aftercare_organisation_id": _text(form, "aftercare_organisation_id"),
        "note": _text(form, "note")})
