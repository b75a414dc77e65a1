"""The criteria of the path of help (Toezichtkader Stelseltoezicht Jeugd, themes 'Toeleiding
en toegang' and 'In zorg'), each judged from the facts `path.gather` found."""

from datetime import date, timedelta

from broker.care.models import ClosureReason, FamilyGroupPlanStatus
from broker.care.service import escalated
from broker.care.service import life_domains as domains_of
from broker.care.words import OUTCOMES
from broker.policy import Policy
from broker.quality.indicator import Indicator, Status
from broker.quality.path import PathFacts, age, last_judgement, relevant_groups, started

ACUTE = "onveilig_acuut"  # acute danger: voluntary help alone never suffices


def said(outcome: str) -> str:
    """An assessment's outcome as a reason says it ('structureel onveilig')."""
    return OUTCOMES.get(outcome, outcome)


def _day(day: date | None) -> str:
    return f"{day:%d-%m-%Y}" if day else ""


def help_request(f: PathFacts, policy: Policy) -> Indicator:
    """Toeleiding en toegang: the help request is formulated in dialogue with the family
    (the parents and the children took part)."""
    name = "help_request"
    if f.intake is None:
        return Indicator(name, Status.MISSING, "help_request_missing")
    took_part = set(f.intake.formulated_with)
    voiced = [c for c, birth in f.children.items()
              if age(birth, f.intake.started_on) >= policy.safety.child_voice_from_age]
    if not took_part & set(f.parents or f.adults):
        return Indicator(name, Status.ATTENTION, "help_request_without_parents")
    left_out = [c for c in voiced if c not in took_part]
    if left_out:
        return Indicator(name, Status.ATTENTION, "help_request_without_children",
                         {"count": len(left_out), "total": len(voiced)})
    return Indicator(name, Status.OK, "help_request_with_family",
                     {"day": _day(f.intake.started_on)})


def life_domains(f: PathFacts, policy: Policy) -> Indicator:
    """Toeleiding en toegang: the questions behind the question, on every leefgebied."""
    name = "life_domains"
    if f.intake is None:
        return Indicator(name, Status.MISSING, "domains_missing")
    every = domains_of(policy)
    missed = [c for c in every if c not in f.intake.life_domains]
    if missed:
        return Indicator(name, Status.ATTENTION, "domains_partly",
                         {"count": len(missed), "total": len(every),
                          "domains": ", ".join(policy.categories[c].label.lower()
                                               for c in missed)})
    return Indicator(name, Status.OK, "domains_all", {"total": len(every)})


def safety_questions(f: PathFacts, policy: Policy, today: date, flags: list[str]
                     ) -> Indicator:
    """Toeleiding en toegang: safety risks estimated at the start of every help request, by
    uniform questions; a full assessment with a named instrument where an answer demands it."""
    name = "safety_questions"
    if f.intake is None:
        return Indicator(name, Status.MISSING, "safety_questions_missing")
    asked = f.intake.started_on
    if not f.intake.full_assessment:
        return Indicator(name, Status.OK, "safety_questions_safe", {"day": _day(asked)})
    days = policy.safety.terms.assessment_after_intake_days
    if any(day >= asked - timedelta(days=days) for day in f.full_assessments):
        return Indicator(name, Status.OK, "full_assessment_done", {"day": _day(asked)})
    due = asked + timedelta(days=days)
    if today <= due:
        return Indicator(name, Status.ATTENTION, "full_assessment_due", {"due": _day(due)})
    flags.append("violence_without_assessment")
    return Indicator(name, Status.MISSING, "full_assessment_missing",
                     {"day": _day(asked), "days": days})


def self_reliance(f: PathFacts) -> Indicator:
    """Toeleiding en toegang: the self-reliance of each adult is estimated (ZRM)."""
    name = "self_reliance"
    scored = [a for a in f.adults if a in f.intake_zrm | f.plan_zrm]
    if not scored:
        return Indicator(name, Status.MISSING, "zrm_missing")
    if len(scored) < len(f.adults):
        return Indicator(name, Status.ATTENTION, "zrm_partly",
                         {"count": len(f.adults) - len(scored), "total": len(f.adults)})
    return Indicator(name, Status.OK, "zrm_done", {"total": len(scored)})


def partners_asked(f: PathFacts, policy: Policy, held: int) -> Indicator:
    """Toeleiding en toegang: the help is connected with the other parties concerned: the
    GP, school or childcare and youth health care, and whoever raised a signal."""
    name = "partners_asked"
    label = {p.id: p.label.lower() for p in policy.parties.values()}
    asked = [g for g in relevant_groups(policy, f) if set(g) & f.asked_parties]
    missing = [" of ".join(label[p] for p in g) for g in relevant_groups(policy, f)
               if g not in asked]
    missing += [f"{label.get(party, party)} (signaal)"
                for organisation, party in f.signal_parties.items()
                if organisation not in f.asked_organisations]
    named = ", ".join(sorted({label.get(p, p) for p in f.asked_parties})) or "-"
    if not f.asked_parties:
        return Indicator(name, Status.MISSING, "partners_none_asked",
                         {"missing": ", ".join(missing) or "-"})
    if missing:
        return Indicator(name, Status.ATTENTION, "partners_partly_asked",
                         {"asked": named, "missing": ", ".join(missing)})
    return Indicator(name, Status.OK, "partners_all_asked", {"asked": named, "held": held})


def family_group_plan(f: PathFacts) -> Indicator:
    """Toeleiding en toegang: the family had the chance to make a family group plan; the
    professional works from it, or with a plan made with parents and children."""
    name, event = "family_group_plan", f.family_group_plan
    if event is None:
        return Indicator(name, Status.MISSING, "fgp_not_offered")
    day: dict[str, str | int] = {"day": _day(event.decided_on)}
    if event.status == FamilyGroupPlanStatus.RECEIVED:
        return Indicator(name, Status.OK, "fgp_plan_based", day) if f.plan_on_fgp else \
            Indicator(name, Status.ATTENTION, "fgp_not_linked", day)
    if event.status == FamilyGroupPlanStatus.DECLINED:
        return Indicator(name, Status.OK, "fgp_declined_plan_with_family", day) \
            if f.family_in_meeting & set(f.parents or f.adults) else \
            Indicator(name, Status.ATTENTION, "fgp_declined_no_family_plan", day)
    return Indicator(name, Status.ATTENTION, f"fgp_{event.status}", day)


def one_plan(f: PathFacts) -> Indicator:
    """In zorg: one family, one plan, one regisseur."""
    name = "one_plan_one_regisseur"
    if f.regisseur_plans:
        return Indicator(name, Status.ATTENTION, "second_regisseur",
                         {"count": f.regisseur_plans})
    if f.unlinked_plans:
        return Indicator(name, Status.ATTENTION, "plans_not_linked",
                         {"count": f.unlinked_plans})
    return Indicator(name, Status.OK, "one_plan")


def evaluation_safety(f: PathFacts, policy: Policy) -> Indicator:
    """In zorg: the evaluation compares the safety at the start with now."""
    name, e = "evaluation_safety", f.evaluation
    if e is None:
        return Indicator(name, Status.MISSING, "evaluation_safety_missing")
    if e.start_outcome is None:
        return Indicator(name, Status.ATTENTION, "evaluation_no_start", {"day": _day(e.held_on)})
    values: dict[str, str | int] = {"start": said(e.start_outcome),
                                    "now": said(e.safety_outcome),
                                    "day": _day(e.held_on)}
    if e.safety_outcome in policy.safety.unsafe_outcomes or (
            e.start_scale is not None and e.safety_scale < e.start_scale):
        return Indicator(name, Status.ATTENTION, "safety_not_better", values)
    return Indicator(name, Status.OK, "safety_compared", values)


def escalation(f: PathFacts, policy: Policy, today: date, late_since: date | None,
               flags: list[str]) -> Indicator:
    """In zorg: escalated when voluntary help does not come about, is not enough or does
    not work: the children are in acute danger, an evaluation finds them still unsafe and no
    safer than at the start, or the plan's actions stall."""
    name, last = "escalation", last_judgement(f)
    since = escalated(f.escalated, f.intake.started_on if f.intake else None, f.handed_back)
    e, unsafe = f.evaluation, policy.safety.unsafe_outcomes
    failing = e is not None and e.safety_outcome in unsafe and (
        e.start_scale is None or e.safety_scale <= e.start_scale)
    if since is None and last is not None and (
            last[1] == ACUTE or (failing and e is not None and last[0] == e.held_on)):
        flags.append("unsafe_without_escalation")
        return Indicator(name, Status.MISSING, "escalation_needed_unsafe",
                         {"day": _day(last[0]), "outcome": said(last[1])})
    stalled = policy.safety.terms.stagnation_escalate_days
    if late_since is not None and today - late_since > timedelta(days=stalled) and (
            since is None or since < late_since):
        return Indicator(name, Status.ATTENTION, "escalation_consider",
                         {"day": _day(late_since), "days": stalled})
    if since is not None:
        return Indicator(name, Status.OK, "escalated", {"day": _day(since)})
    return Indicator(name, Status.OK, "escalation_not_needed")


def plan_adjusted(f: PathFacts, policy: Policy, today: date) -> Indicator:
    """In zorg: when the family's needs change, the goals are adjusted with them."""
    name, e = "plan_adjusted", f.evaluation
    if e is None or not e.needs_changed:
        return Indicator(name, Status.OK, "plan_fits")
    if f.plan_after_evaluation:
        return Indicator(name, Status.OK, "plan_adjusted", {"day": _day(e.held_on)})
    due = e.held_on + timedelta(days=policy.safety.terms.adjust_plan_days)
    if today <= due:
        return Indicator(name, Status.ATTENTION, "plan_adjust_due", {"due": _day(due)})
    return Indicator(name, Status.OVERDUE, "plan_adjust_overdue", {"day": _day(e.held_on)})


def closure(f: PathFacts) -> Indicator:
    """In zorg: help ends when the family can go on alone or aftercare is arranged (checked
    when it is closed: 422 `closure_unsafe`)."""
    name, c = "closure", f.closure
    if c is None:
        return Indicator(name, Status.OK, "help_ongoing")
    return Indicator(name, Status.OK, {ClosureReason.ZELFSTANDIG: "closed_independent",
                                       ClosureReason.NAZORG: "closed_aftercare"}.get(
        ClosureReason(c.reason), "closed_escalated"), {"day": _day(c.closed_on)})


def child_seen(f: PathFacts, policy: Policy, today: date, flags: list[str]) -> Indicator:
    """Each child seen within the term after the start of the help, and spoken from the age
    the policy names (seed 002: 'met alle gezinsleden is gesproken')."""
    name = "child_seen"
    if not f.children:
        return Indicator(name, Status.OK, "no_children_to_speak")
    days = policy.safety.terms.child_seen_days
    since = started(f) - timedelta(days=days)
    voice = policy.safety.child_voice_from_age
    unseen = [c for c, birth in f.children.items()
              if (f.spoken if age(birth, today) >= voice else f.seen).get(c, date.min) < since]
    start = started(f)
    if not unseen:
        return Indicator(name, Status.OK, "children_seen", {"count": len(f.children)})
    due = start + timedelta(days=days)
    if today <= due:
        return Indicator(name, Status.ATTENTION, "children_to_see",
                         {"count": len(unseen), "due": _day(due)})
    flags.append("child_not_seen")
    return Indicator(name, Status.MISSING, "children_not_seen",
                     {"count": len(unseen), "total": len(f.children), "days": days})


def feedback(f: PathFacts, policy: Policy, today: date) -> Indicator:
    """A partner that raised a signal hears what was done with it, within the term."""
    name, days = "feedback_to_signaller", policy.safety.terms.feedback_days
    if not f.signal_parties:
        return Indicator(name, Status.OK, "no_partner_signals")
    late = [d for d in f.feedback_due if today > d + timedelta(days=days)]
    if late:
        return Indicator(name, Status.OVERDUE, "feedback_overdue",
                         {"count": len(late), "days": days})
    if f.feedback_due:
        return Indicator(name, Status.ATTENTION, "feedback_pending",
                         {"count": len(f.feedback_due),
                          "due": _day(min(f.feedback_due) + timedelta(days=days))})
    return Indicator(name, Status.OK, "feedback_given")
