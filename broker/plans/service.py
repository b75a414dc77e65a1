"""The outcome of a network meeting becomes the household's plan (one plan, versioned); the
minutes are generated from it, filtered for each reader through the one door."""

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from broker.audit.context import audit_context
from broker.audit.recording import Action, Record, record
from broker.care.models import FamilyGroupPlanEvent, FamilyGroupPlanStatus
from broker.db import new_id
from broker.disclosure.door import Item, Names, disclose_each, unseal
from broker.disclosure.engine import Decision, Effect
from broker.disclosure.facts import HouseholdFacts, load_household, reaches_own
from broker.errors import Conflict, Forbidden, Invalid, NotFound
from broker.households import service as households
from broker.households.models import Member
from broker.identity.models import Organisation, Professional, Role
from broker.identity.principal import Principal
from broker.meetings.models import Meeting, MeetingStatus
from broker.meetings.service import meeting_view, require_organiser
from broker.meldcode.models import MeldcodeCase, MeldcodeStep
from broker.observations.models import MELDCODE_CONCERNS, Observation
from broker.plans.models import ActionStatus, Plan, PlanAction
from broker.plans.schemas import ActionUpdate, ChildPicture, OutcomeCreate
from broker.vault.service import DataKey, existing_data_key, key_for, rewrite, writable_key

SAFETY = "veiligheid"  # the category under which the analysis and safety picture are shared
SAFETY_PARTS = ("analysis", "signs_of_safety", "safety_assessment")


def record_outcome(session: Session, *, actor: Principal, meeting_id: str,
                   body: OutcomeCreate) -> Plan:
    """One analysis, a safety assessment where there are serious worries, one plan and a
    named regisseur: a new version of the household's plan."""
    meeting = require_organiser(session, actor, meeting_id)
    if meeting.slot_id is None or meeting.status == MeetingStatus.CANCELLED:
        raise Conflict("An outcome follows a meeting with a fixed time.", code="not_scheduled")
    if session.scalar(select(Plan.id).where(Plan.meeting_id == meeting.id)):
        raise Conflict("This meeting's outcome was recorded already.", code="outcome_recorded")
    _check(session, meeting, body)
    worries = _worries(session, meeting.household_id)
    if worries and body.safety_assessment is None:  # one about every child covers all
        assessed = {s for a in body.safety_assessments for s in a.subject_ids or ()}
        minors = set(session.scalars(select(Member.id).where(
            Member.household_id == meeting.household_id, Member.role == "child")))
        unassessed = worries if not body.safety_assessments else set() \
            if any(not a.subject_ids for a in body.safety_assessments) \
            else (worries & minors) - assessed
        if unassessed:
            raise Invalid("Er zijn ernstige zorgen (een signaal met grote of acute zorg, of "
                          "een open meldcode-zaak): leg een veiligheidstaxatie vast over "
                          "wie het gaat.", code="safety_assessment_required",
                          subject_ids=sorted(unassessed))
    current = households.current_regisseur(session, meeting.household_id)
    if body.regisseur_id != current.professional_id:
        households.hand_over(session, actor=actor, household_id=meeting.household_id,
                             professional_id=body.regisseur_id)
    key = writable_key(session, meeting.household_id)
    version = (session.scalar(select(func.max(Plan.version))
                              .where(Plan.household_id == meeting.household_id)) or 0) + 1
    content = body.model_dump(mode="json", include={"analysis", "signs_of_safety",
                                                    "safety_assessment"})
    children, subjects = _subjects(session, meeting.household_id, body)
    plan_id = new_id()  # the sealed content is bound to it
    content |= {"safety_assessments": [
                    _sealed_assessment(session, meeting.household_id, plan_id, n,
                                       a.model_dump(mode="json")
                                       | {"subject_ids": a.subject_ids or children})
                    for n, a in enumerate(body.safety_assessments)],
                "children": [_sealed_child(session, meeting.household_id, plan_id, c)
                             for c in body.children],
                "perspective": body.plan.perspective,
                "goals": [_sealed_goal(session, meeting.household_id, plan_id, g.model_dump()
                                       | {"subject_ids": subjects[g.priority]})
                          for g in body.plan.goals]}
    plan = Plan(id=plan_id, household_id=meeting.household_id, version=version,
                meeting_id=meeting.id,
                content=key.seal(f"plan:{plan_id}", json.dumps(content, ensure_ascii=False)),
                zrm=dict(body.zrm), goal_domains=[g.domain for g in body.plan.goals],
                goal_subjects=[subjects[g.priority] for g in body.plan.goals],
                safety_scale=body.signs_of_safety.safety_scale,
                safety_outcome=next((a.outcome for a in (body.safety_assessment,
                                                         *body.safety_assessments) if a), None),
                member_zrm={m: dict(scores) for m, scores in body.zrm_by_member.items()},
                regisseur_id=body.regisseur_id,
                next_evaluation=body.next_evaluation, created_by=actor.actor_id,
                family_group_plan_id=body.family_group_plan_id,
                organisation_id=actor.organisation_id)
    session.add(plan)
    domains = {g.priority: g.domain for g in body.plan.goals}
    for action in body.plan.actions:
        action_id, about = new_id(), action.subject_ids or subjects[action.goal]
        session.add(PlanAction(
            id=action_id, plan_id=plan_id, goal=action.goal, domain=domains[action.goal],
            description=key_for(session, meeting.household_id, about).seal(
                f"plan-action:{action_id}", action.description),
            owner_organisation_id=action.owner_organisation_id, due=action.due,
            subject_ids=about, status=ActionStatus.OPEN))
    meeting.status = MeetingStatus.HELD
    session.flush()
    record(session, Record(Action.MEETING_OUTCOME, actor, object_type="plan",
                           object_id=plan.id))
    return plan


def _check(session: Session, meeting: Meeting, body: OutcomeCreate) -> None:
    policy = audit_context(session).policy
    bad_zrm = [k for scores in (body.zrm, *body.zrm_by_member.values())
               for k, v in scores.items()
               if k not in policy.categories or not policy.categories[k].zrm or not 1 <= v <= 5]
    if bad_zrm:
        raise Invalid("ZRM scores are 1 to 5 per leefgebied.", code="zrm", fields=bad_zrm)
    goals = {g.priority for g in body.plan.goals}
    if len(goals) != len(body.plan.goals) or any(
            g.domain not in policy.categories for g in body.plan.goals):
        raise Invalid("Goals need distinct priorities and a known leefgebied.", code="goals")
    if any(a.goal not in goals for a in body.plan.actions):
        raise Invalid("Every action belongs to a goal of the plan.", code="actions")
    owners = {a.owner_organisation_id for a in body.plan.actions}
    if len(session.scalars(select(Organisation.id).where(Organisation.id.in_(owners)))
           .all()) != len(owners):
        raise Invalid("An action's owner organisation does not exist.", code="actions")
    if body.family_group_plan_id is not None and session.scalar(
            select(FamilyGroupPlanEvent.id).where(
                FamilyGroupPlanEvent.id == body.family_group_plan_id,
                FamilyGroupPlanEvent.household_id == meeting.household_id,
                FamilyGroupPlanEvent.status == FamilyGroupPlanStatus.RECEIVED)) is None:
        raise Invalid("Name the family group plan this household received.",
                      code="family_group_plan")
    regisseur = session.get(Professional, body.regisseur_id)
    if regisseur is None or not regisseur.active or Role.REGISSEUR not in regisseur.roles:
        raise Invalid("Name an active professional with the role regisseur.",
                      code="not_a_regisseur")


def _sealed_goal(session: Session, household_id: str, plan_id: str, goal: dict[str, Any]
                 ) -> dict[str, Any]:
    """A goal about one person keeps its text under that person's key (it goes when their
    file is destroyed); a goal about several stays in the plan's content."""
    if len(goal["subject_ids"]) != 1:
        return goal
    text = goal.pop("description")
    sealed = writable_key(session, household_id, goal["subject_ids"][0]).seal(
        _goal_context(plan_id, goal["priority"]), text)
    return goal | {"sealed": base64.b64encode(sealed).decode()}


def _sealed_assessment(session: Session, household_id: str, plan_id: str, number: int,
                       assessment: dict[str, Any]) -> dict[str, Any]:
    """An assessment of one child is sealed under that child's key (it goes with their
    file); one of several children stays in the plan's content."""
    if len(assessment["subject_ids"]) != 1:
        return assessment | {"number": number}
    sealed = writable_key(session, household_id, assessment["subject_ids"][0]).seal(
        f"plan-assessment:{plan_id}:{number}", json.dumps(assessment, ensure_ascii=False))
    return {"number": number, "subject_ids": assessment["subject_ids"],
            "sealed": base64.b64encode(sealed).decode()}


def _assessment(session: Session, decision: Decision, plan: Plan, entry: dict[str, Any]
                ) -> dict[str, Any] | None:
    if "sealed" not in entry:
        return entry
    key = existing_data_key(session, plan.household_id, entry["subject_ids"][0])
    text = unseal(decision, key, f"plan-assessment:{plan.id}:{entry['number']}",
                  base64.b64decode(entry["sealed"]))
    return None if text is None else dict(json.loads(text))


def _sealed_child(session: Session, household_id: str, plan_id: str, picture: ChildPicture
                  ) -> dict[str, Any]:
    """A child's own scale and view, sealed under the child's key."""
    text = json.dumps(picture.model_dump(mode="json", exclude={"child_id"}),
                      ensure_ascii=False)
    sealed = writable_key(session, household_id, picture.child_id).seal(
        _child_context(plan_id, picture.child_id), text)
    return {"child_id": picture.child_id, "sealed": base64.b64encode(sealed).decode()}


def _child_context(plan_id: str, child_id: str) -> str:
    return f"plan-child:{plan_id}:{child_id}"


def child_picture(session: Session, decision: Decision, plan: Plan, entry: dict[str, Any]
                  ) -> dict[str, Any] | None:
    """A child's own scale and view under its decision; None once the child's key is gone."""
    key = existing_data_key(session, plan.household_id, entry["child_id"])
    text = unseal(decision, key, _child_context(plan.id, entry["child_id"]),
                  base64.b64decode(entry["sealed"]))
    return None if text is None else {"child_id": entry["child_id"], **json.loads(text)}


def _goal_context(plan_id: str, priority: int) -> str:
    return f"plan-goal:{plan_id}:{priority}"


def _subjects(session: Session, household_id: str, body: OutcomeCreate
              ) -> tuple[list[str], dict[int, list[str]]]:
    """The household's children, and whom each goal (by priority) is about: the members it
    names, or the children. Every member named belongs to the household (422 `subjects`):
    an assessment or a child's view names children, ZRM scores adults (422 `zrm`)."""
    facts = load_household(session, household_id=household_id)
    assert facts is not None, "a meeting belongs to a household"
    named = {s for g in body.plan.goals for s in g.subject_ids or ()} \
        | {s for a in body.plan.actions for s in a.subject_ids or ()}
    if not named <= facts.members.keys():
        raise Invalid("A goal or action is about members of this household.",
                      code="subjects")
    children = {m.id for m in facts.members.values() if m.role == "child"}
    pictured = [c.child_id for c in body.children]
    if not {s for a in body.safety_assessments for s in a.subject_ids or ()} | set(pictured) \
            <= children or len(set(pictured)) != len(pictured):
        raise Invalid("A safety assessment or a child's own view is about a child of this "
                      "household (one view per child).", code="subjects")
    if not body.zrm_by_member.keys() <= facts.members.keys() - children:
        raise Invalid("ZRM scores are per adult of this household.", code="zrm")
    return facts.children(), {g.priority: list(dict.fromkeys(
        g.subject_ids or facts.children())) for g in body.plan.goals}


def _worries(session: Session, household_id: str) -> set[str]:
    """Whom there are serious worries about: the subject of a high or acute observation, the
    child of a meldcode case without its five steps."""
    serious = set(session.scalars(select(Observation.subject_id).where(
        Observation.household_id == household_id,
        Observation.concern.in_([c.value for c in MELDCODE_CONCERNS]))))
    steps = (select(func.count(MeldcodeStep.id)).where(MeldcodeStep.case_id == MeldcodeCase.id)
             .scalar_subquery())
    return serious | set(session.scalars(select(MeldcodeCase.child_id).where(
        MeldcodeCase.household_id == household_id, steps < 5)))


@dataclass(frozen=True)
class PlanView:
    plan: Plan
    content: dict[str, Any] | None  # None: the household's data key was destroyed
    goals: list[dict[str, Any]]  # each with its subject_ids
    withheld_goals: int
    actions: list[tuple[PlanAction, str | None]]
    safety_shown: bool  # analysis, signs of safety and assessment (category veiligheid)
    zrm: dict[str, int]
    names: Mapping[str, str]  # 'S. Jansen' of the members whose basic data the reader sees
    # Per person, each on its own terms: assessments per child (or children), each child's
    # own scale and view, ZRM per adult.
    assessments: list[dict[str, Any]] = field(default_factory=list)
    children: list[dict[str, Any]] = field(default_factory=list)
    member_zrm: dict[str, dict[str, int]] = field(default_factory=dict)

    def about(self, subject_ids: list[str]) -> str:
        """Whom a goal is about, as this reader may name them ('' when none)."""
        return ", ".join(self.names[s] for s in subject_ids if s in self.names)


def _view(session: Session, actor: Principal, facts: HouseholdFacts, plan: Plan) -> PlanView:
    """The plan through the door for this reader, per person: each goal under its leefgebied
    for each member it is about (shown only when every one of them permits), each action
    likewise, the safety picture for each child, each ZRM score for each adult. The content
    opens only under a decision that permits some part of it; the perspective, which speaks
    of the whole plan, only when no goal is withheld."""
    children, adults = facts.children(), facts.adults()
    goals_known = plan.goal_domains is not None
    verdict = _Verdicts(session, actor, facts, plan)
    verdict.ask([(SAFETY, children), *plan_goal_groups(plan, facts),
                 *[(area, adults) for area in plan.zrm]])
    gate = verdict.any_permitted()
    key, actions = existing_data_key(session, plan.household_id), plan_actions(session, plan)
    content = opened(gate, key, plan) if gate else {}
    groups = plan_goal_groups(plan, facts, content)
    goals = [{**g, "subject_ids": subjects} for g, (_, subjects) in zip(
        content["goals"], groups, strict=True)] if content and content.get("goals") else []
    if not goals_known:  # a plan recorded before goal_domains: decide now its goals are known
        verdict.ask([(g["domain"], g["subject_ids"]) for g in goals])
    shown = [g | {"description": goal_text(session, verdict(g["domain"], g["subject_ids"]),
                                           plan, g)}
             for g in goals if verdict(g["domain"], g["subject_ids"]).permitted]
    for goal in shown:
        goal.pop("sealed", None)
    safety = verdict(SAFETY, children)
    if content is not None:  # only the parts the door permitted leave this function
        content = {part: value for part, value in content.items()
                   if part not in SAFETY_PARTS or safety.permitted}
        content["goals"] = shown
        if not shown or len(shown) < len(goals):
            content.pop("perspective", None)
    by_priority = {g["priority"]: g for g in shown}
    verdict.ask([(a.domain, action_subjects(a, by_priority)) for a in actions
                 if a.goal in by_priority])
    listed = []
    for action in actions:
        permitted = verdict(action.domain, action_subjects(action, by_priority)) \
            if action.goal in by_priority else _NOT_DECIDED
        if permitted.permitted:
            listed.append((action, action_text(session, permitted, plan, action)))
        elif action.owner_organisation_id == actor.organisation_id:
            # The owner of an action sees that it has one (to report its progress), not its
            # text: that is its subjects', and the door withheld it.
            listed.append((action, None))
    assessments, pictures, member_zrm = _per_person(session, verdict, plan, content)
    names = Names(session, actor=actor, household=facts, purpose="hulpverlening").get() \
        if shown or assessments or pictures or member_zrm else {}
    return PlanView(plan, content, shown, len(groups) - len(shown), listed, safety.permitted,
                    {area: score for area, score in plan.zrm.items()
                     if verdict(area, adults).permitted}, names, assessments, pictures,
                    member_zrm)


def _per_person(session: Session, verdict: "_Verdicts", plan: Plan,
                content: dict[str, Any] | None
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, dict[str, int]]]:
    """The assessments (on their children's terms), each child's own scale and view (on
    that child's), and each adult's ZRM scores (each leefgebied on that adult's)."""
    found = content or {}
    assessments = found.pop("safety_assessments", [])
    entries = found.pop("children", [])
    scores = plan.member_zrm or {}
    verdict.ask([(SAFETY, a["subject_ids"]) for a in assessments]
                + [(SAFETY, [e["child_id"]]) for e in entries]
                + [(area, [member]) for member, areas in scores.items() for area in areas])
    shown = [opened for a in assessments
             if (decision := verdict(SAFETY, a["subject_ids"])).permitted
             and (opened := _assessment(session, decision, plan, a)) is not None]
    pictures = [picture for e in entries
                if (decision := verdict(SAFETY, [e["child_id"]])).permitted
                and (picture := child_picture(session, decision, plan, e)) is not None]
    member_zrm = {member: kept for member, areas in scores.items() if (kept := {
        area: score for area, score in areas.items() if verdict(area, [member]).permitted})}
    return shown, pictures, member_zrm


class _Verdicts:
    """Decisions on a plan's parts, each (leefgebied, member) decided and recorded once; a
    part about several members is permitted only when each of them permits."""

    def __init__(self, session: Session, actor: Principal, facts: HouseholdFacts,
                 plan: Plan) -> None:
        self._session, self._actor, self._facts, self._plan = session, actor, facts, plan
        self._decided: dict[tuple[str, str], Decision] = {}

    def ask(self, groups: list[tuple[str, list[str]]]) -> None:
        pairs = [pair for pair in dict.fromkeys((area, subject) for area, subjects in groups
                                                for subject in subjects)
                 if pair not in self._decided and pair[1] in self._facts.subjects]
        decisions = disclose_each(
            self._session, actor=self._actor, purpose="hulpverlening",
            items=[Item(self._facts.subjects[subject], area, self._plan.organisation_id,
                        "plan", self._plan.id) for area, subject in pairs])
        self._decided.update(zip(pairs, decisions, strict=True))

    def __call__(self, area: str, subjects: list[str]) -> Decision:
        decisions = [self._decided.get((area, s), _NOT_DECIDED) for s in subjects]
        return next((d for d in decisions if not d.permitted), decisions[0]) \
            if decisions else _NOT_DECIDED

    def any_permitted(self) -> Decision | None:
        return next((d for d in self._decided.values() if d.permitted), None)


_NOT_DECIDED = Decision(Effect.DENY, None, "")


def plan_goal_groups(plan: Plan, facts: HouseholdFacts, content: dict[str, Any] | None = None
                     ) -> list[tuple[str, list[str]]]:
    """Each goal's leefgebied and the members it is about, in the goals' order. A plan from
    before goals named their subjects is about the household's children."""
    domains = plan.goal_domains if plan.goal_domains is not None \
        else [g["domain"] for g in (content or {}).get("goals", [])]
    subjects = plan.goal_subjects or [facts.children()] * len(domains)
    return list(zip(domains, subjects, strict=True))


def action_subjects(action: PlanAction, goals: dict[int, dict[str, Any]]) -> list[str]:
    """Whom an action is about: its own subjects, or its goal's."""
    return action.subject_ids or goals.get(action.goal, {}).get("subject_ids", [])


def opened(decision: Decision, key: DataKey | None, plan: Plan) -> dict[str, Any] | None:
    """The plan's content, opened under a permitting decision (None once the key was
    destroyed). A goal about one person carries its text sealed apart (`goal_text`)."""
    text = unseal(decision, key, f"plan:{plan.id}", plan.content)
    return json.loads(text) if text else None


def goal_text(session: Session, decision: Decision, plan: Plan, goal: dict[str, Any]
              ) -> str | None:
    """A goal's text under its own decision: from the plan's content, or (a goal about one
    person) from under that person's key; None once that key was destroyed."""
    if "sealed" not in goal:
        return goal.get("description")  # None: erased with every member it was about
    key = existing_data_key(session, plan.household_id, goal["subject_ids"][0])
    return unseal(decision, key, _goal_context(plan.id, goal["priority"]),
                  base64.b64decode(goal["sealed"]))


def plan_actions(session: Session, plan: Plan) -> list[PlanAction]:
    """The plan's actions; their texts stay sealed until `action_text` opens one."""
    return list(session.scalars(select(PlanAction).where(PlanAction.plan_id == plan.id)
                                .order_by(PlanAction.goal, PlanAction.due)))


def action_text(session: Session, decision: Decision, plan: Plan, action: PlanAction
                ) -> str | None:
    """An action's text under its decision: under its one subject's key, or the
    household's (an action about several, or from before version 0014)."""
    about = action.subject_ids or []
    key = existing_data_key(session, plan.household_id, about[0] if len(about) == 1 else None)
    return unseal(decision, key, f"plan-action:{action.id}", action.description)


def latest_plan(session: Session, household_id: str) -> Plan | None:
    return session.scalar(select(Plan).where(Plan.household_id == household_id)
                          .order_by(Plan.version.desc()).limit(1))


def current_plan(session: Session, *, actor: Principal, household_id: str) -> PlanView:
    facts = households.visible_facts(session, actor, household_id=household_id)
    plan = latest_plan(session, household_id)
    if plan is None:
        raise NotFound("This household has no plan yet.")
    return _view(session, actor, facts, plan)


def meeting_minutes(session: Session, *, actor: Principal, meeting_id: str) -> PlanView:
    """The minutes of a held meeting, filtered for this reader: its organiser or invitees."""
    view = meeting_view(session, actor=actor, meeting_id=meeting_id)
    plan = session.scalar(select(Plan).where(Plan.meeting_id == view.meeting.id))
    if plan is None:
        raise NotFound("This meeting has no outcome yet.")
    facts = households.visible_facts(session, actor, household_id=plan.household_id)
    return _view(session, actor, facts, plan)


def update_action(session: Session, *, actor: Principal, action_id: str, body: ActionUpdate
                  ) -> PlanAction:
    """The organisation that owns an action marks its progress."""
    action = session.get(PlanAction, action_id)
    plan = session.get(Plan, action.plan_id) if action else None
    if action is None or plan is None \
            or not reaches_own(session, actor, plan.household_id):  # another team: 404
        raise NotFound("No such action.")
    if action.owner_organisation_id != actor.organisation_id:
        households.visible_facts(session, actor, household_id=plan.household_id)  # else 404
        raise Forbidden("Only the organisation that owns an action updates it.",
                        code="not_owner")
    action.status = body.status.value
    session.flush()
    record(session, Record(Action.PLAN_ACTION_UPDATE, actor, object_type="plan_action",
                           object_id=action.id, purpose="hulpverlening"))
    return action


@dataclass(frozen=True)
class TrendPoint:
    version: int
    on: Any  # the date of the meeting's outcome
    safety_scale: int | None  # None: not scored, or not the reader's to see
    zrm: dict[str, int]


def trends(session: Session, *, actor: Principal, household_id: str) -> list[TrendPoint]:
    """Safety scale and ZRM scores across the plan's versions, each through the door."""
    facts = households.visible_facts(session, actor, household_id=household_id)
    points = []
    for plan in session.scalars(select(Plan).where(Plan.household_id == household_id)
                                .order_by(Plan.version)):
        view = _view(session, actor, facts, plan)
        points.append(TrendPoint(plan.version, plan.created_at.date(),
                                 plan.safety_scale if view.safety_shown else None, view.zrm))
    return points


def forget(session: Session, household_id: str, destroyed: set[str]) -> None:
    """After a destruction: the parts of the household's plans about nobody but people whose
    files are destroyed go too (a goal or assessment about several of them, an action, their
    ZRM scores); what is about one of them alone went with their key."""
    key = existing_data_key(session, household_id)

    def gone(subjects: list[str] | None) -> bool:
        return bool(subjects) and set(subjects or []) <= destroyed

    def without(text: str) -> str:
        content = json.loads(text)
        for goal in content.get("goals", []):
            if "sealed" not in goal and gone(goal.get("subject_ids")):
                goal.pop("description", None)
        content["safety_assessments"] = [
            a for a in content.get("safety_assessments", [])
            if "sealed" in a or not gone(a.get("subject_ids"))]
        return json.dumps(content, ensure_ascii=False)

    for plan in session.scalars(select(Plan).where(Plan.household_id == household_id)):
        plan.content = rewrite(key, f"plan:{plan.id}", plan.content, without)
        if plan.member_zrm:
            plan.member_zrm = {m: s for m, s in plan.member_zrm.items() if m not in destroyed}
        for action in plan_actions(session, plan):
            if gone(action.subject_ids) and len(action.subject_ids or []) > 1:
                action.description = b""
    session.flush()
