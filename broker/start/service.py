"""Each role's work list for the start page. Every domain answers for its own part (its
`worklist.py` or service); this module only puts them in order. Items carry codes, counts,
dates, references and links: pages word them, and nothing personal is shown that the
linked page (and its door) would not show."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from broker.audit import worklist as audit_work
from broker.care import worklist as care_work
from broker.clock import local_day, now
from broker.consent import worklist as consent_work
from broker.family import worklist as family_work
from broker.households import worklist as household_work
from broker.households.references import household_references
from broker.identity import service as identity
from broker.identity.models import Role
from broker.identity.principal import Principal
from broker.information_requests import worklist as request_work
from broker.meetings import worklist as meeting_work
from broker.meldcode import service as meldcode
from broker.meldcode import worklist as meldcode_work
from broker.plans import worklist as plan_work
from broker.quality import service as quality

EVALUATION_AHEAD = timedelta(days=14)  # an evaluation this close is a meeting to plan now
UNUSUAL_DAYS = 7


@dataclass(frozen=True)
class Item:
    kind: str  # what the page says, e.g. 'reconsent', 'poll_to_answer'
    href: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    key: str  # the heading, e.g. 'my_households'
    items: list[Item]
    more: str | None = None  # the page with everything of this kind


def work_list(session: Session, *, actor: Principal) -> list[Section]:
    """The sections of every role the caller holds, in the order of the roles."""
    builders = ((Role.REGISSEUR, _regisseur), (Role.PARTNER, _partner),
                (Role.AANDACHTSFUNCTIONARIS, _aandachtsfunctionaris),
                (Role.PRIVACY_OFFICER, _privacy_officer), (Role.TEAMLEIDER, _team_lead),
                (Role.ADMIN, _admin))
    return [section for role, build in builders if actor.has_role(role)
            for section in build(session, actor)]


def _regisseur(session: Session, actor: Principal) -> list[Section]:
    today = local_day(now())
    mine = household_work.directed(session, actor)
    ids = [h.household_id for h in mine]
    labels = {h.household_id: h.label for h in mine}
    reconsent = consent_work.reconsent_counts(session, ids)
    overdue = plan_work.overdue_actions(session, ids, today)
    evaluations = plan_work.evaluations(session, ids, today + EVALUATION_AHEAD)
    planned = meeting_work.planned(session, ids)
    polls = meeting_work.to_plan(session, actor)
    feedback = care_work.feedback_owed(session, ids, actor.organisation_id)
    return [
        Section("my_households", [Item("household", f"/huishoudens/{h}", {
            "label": labels[h], "reconsent": reconsent.get(h, 0),
            "overdue": overdue.get(h, 0)}) for h in ids], "/huishoudens"),
        Section("reconsent_due", [Item("reconsent", f"/huishoudens/{h}/toestemming", {
            "label": labels[h], "count": n}) for h, n in reconsent.items()]),
        Section("meetings_to_plan",
                [Item("poll_to_close", f"/bijeenkomsten/{w.meeting_id}", {
                    "label": labels.get(w.household_id, ""), "reference": w.reference,
                    "first_slot": w.first_slot}) for w in polls]
                + [Item("evaluation_due", f"/bijeenkomsten/nieuw?household={h}", {
                    "label": labels[h], "on": on, "late": on < today})
                   for h, on in sorted(evaluations.items(), key=lambda e: e[1])
                   if h not in planned], "/bijeenkomsten"),
        Section("actions_overdue", [Item("actions_overdue", f"/huishoudens/{h}/plan", {
            "label": labels[h], "count": n}) for h, n in overdue.items()]),
        Section("feedback_due", [Item("feedback_due",
                                      f"/huishoudens/{f.household_id}/hulp#terugkoppeling", {
            "label": labels[f.household_id], "count": f.count, "due": f.due,
            "late": f.due < today}) for f in feedback]),
    ]


def _partner(session: Session, actor: Principal) -> list[Section]:
    families = household_work.involved(session, actor)
    polls = meeting_work.to_answer(session, actor)
    requests = request_work.to_answer(session, actor)
    references = household_references(
        session, [w.household_id for w in polls] + [r.household_id for r in requests])
    return [
        Section("our_families", [Item("family", f"/gezinnen/{f.household_id}", {
            "reference": f.reference}) for f in families]),
        Section("polls_to_answer", [Item("poll_to_answer", f"/bijeenkomsten/{w.meeting_id}", {
            "reference": w.reference, "household": references.get(w.household_id, ""),
            "first_slot": w.first_slot}) for w in polls], "/bijeenkomsten"),
        Section("requests_to_answer", [Item("request_to_answer", "/informatieverzoeken", {
            "household": references.get(r.household_id, ""), "asked_at": r.asked_at})
            for r in requests], "/informatieverzoeken"),
    ]


def _aandachtsfunctionaris(session: Session, actor: Principal) -> list[Section]:
    queue = meldcode.review_queue(session, actor=actor)
    kinds = (("override_pending", queue.pending), ("override_review", queue.awaiting_review),
             ("override_lapsed", queue.overdue), ("override_expiring", queue.expiring_soon))
    views = [(kind, v) for kind, views in kinds for v in views]
    references = household_references(session, [v.override.household_id for _, v in views])
    return [Section("overrides_to_handle", [Item(kind, f"/doorbrekingen/{v.override.id}", {
        "household": references[v.override.household_id], "urgent": v.override.urgent,
        "created_at": v.override.created_at, "valid_until": v.override.valid_until,
        "review_due": v.override.review_due}) for kind, v in views], "/meldcode/overzicht")]


def _privacy_officer(session: Session, actor: Principal) -> list[Section]:
    today = local_day(now())
    requests = family_work.open_destruction_requests(session)
    overrides = meldcode_work.in_force(session)
    references = household_references(session, [v.override.household_id for v in overrides])
    since = now() - timedelta(days=UNUSUAL_DAYS)
    unusual = audit_work.unusual_since(session, since)
    start = (today - timedelta(days=UNUSUAL_DAYS)).isoformat()
    return [
        Section("destruction_due", [Item("destruction", "/verantwoording/vernietiging", {
            "due_on": r.due_on, "late": r.due_on < today}) for r in requests],
            "/verantwoording/vernietiging"),
        Section("overrides_in_force", [Item("override_in_force",  # what was shared under it
                                            "/verantwoording?action=disclosure&basis=override", {
            "household": references[v.override.household_id],
            "valid_until": v.override.valid_until, "urgent": v.override.urgent})
            for v in overrides], "/meldcode/overzicht"),
        Section("unusual_disclosures", [
            Item(kind, f"/verantwoording?{query}&since={start}", {"count": unusual[key],
                                                                  "days": UNUSUAL_DAYS})
            # Refusals are the door's routine (a name withheld on every page view): not news.
            for kind, key, query in (("override_disclosures", "override",
                                      "action=disclosure&basis=override"),)
            if unusual[key]], "/verantwoording"),
    ]


def _team_lead(session: Session, actor: Principal) -> list[Section]:
    summary = quality.summary(session, actor=actor)
    return [Section("households_at_risk", [Item(
        "at_risk", f"/kwaliteit/huishoudens/{r.household_id}", {
        "reference": summary.references[r.household_id],
        "regisseur": summary.regisseurs.get(r.household_id, ""), "flags": r.flags})
        for r in summary.at_risk], "/kwaliteit")]


def _admin(session: Session, actor: Principal) -> list[Section]:
    counts = identity.directory_counts(session)
    return [Section("directory", [
        Item("organisations", "/beheer/organisaties/nieuw", {"count": counts["organisations"]}),
        Item("teams", "/beheer/teams/nieuw", {"count": counts["teams"]}),
        Item("professionals", "/beheer/medewerkers/nieuw", {"count": counts["professionals"]}),
        Item("clients", "/beheer/koppelingen/nieuw", {"count": counts["clients"]}),
    ], "/beheer")]
