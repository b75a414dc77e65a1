"""Issue 11 item 1: inspection-readiness per household and the team lead's dashboard. A
household with signals of violence, handed back by Veilig Thuis and no safety assessment is
flagged; a fully documented one is not; each indicator has its own test."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.audit.models import AuditPending
from broker.clock import frozen_at, local_day, now
from broker.identity.models import Professional
from broker.policy import Policy
from broker.quality.service import INDICATORS
from tests.conftest import Mailbox
from tests.consent.helpers import Caller, caller
from tests.factories import make_org
from tests.meetings.test_outcome import outcome
from tests.meldcode.helpers import Setting, colleague, open_case, setting


@dataclass
class World:
    s: Setting
    lead: Caller  # the regisseurs' team lead

    @property
    def household(self) -> str:
        return self.s.family["household"]


@pytest.fixture
def world(client: TestClient, session: Session, policy: Policy, smtp_server: Mailbox) -> World:
    smtp_server.serve(session)
    s = setting(client, session, policy)
    return World(s, colleague(client, session, s.regisseur.org, ["teamleider"]))


def readiness(client: TestClient, w: World, who: Caller | None = None) -> dict[str, Any]:
    response = client.get(f"/api/v1/quality/households/{w.household}",
                          headers=(who or w.s.regisseur).headers)
    assert response.status_code == 200, response.text
    body = dict(response.json())
    assert [i["id"] for i in body["indicators"]][:7] == [
        "safety_assessment", "integral_analysis", "plan_goals", "regisseur_named",
        "evaluation_due", "partners_asked", "meldcode_followed"]
    assert [i["id"] for i in body["indicators"]] == list(INDICATORS)
    return body


def status(client: TestClient, w: World, indicator: str) -> str:
    found = {i["id"]: i["status"] for i in readiness(client, w)["indicators"]}
    return found[indicator]


def signal(client: TestClient, w: World, *, concern: str = "high",
           on: date | None = None) -> str:
    response = client.post("/api/v1/observations", headers=w.s.regisseur.headers, json={
        "subject_id": w.s.family["c1"], "category": "veiligheid", "concern": concern,
        "observed_on": (on or local_day(now())).isoformat(), "body": "Blauwe plekken."})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def held_meeting(client: TestClient, w: World, *, assessment: bool = True,
                 **changes: Any) -> dict[str, Any]:
    """A meeting with the school, scheduled and its outcome recorded: the plan."""
    s = w.s
    meeting = client.post("/api/v1/meetings", headers=s.regisseur.headers, json={
        "household_id": w.household, "title": "Bijeenkomst", "duration_minutes": 60,
        "location": "Wijkcentrum", "slots": [{"start": (now() + timedelta(days=7)).isoformat()}],
        "invitees": [{"organisation_id": s.teacher.org.id}]}).json()
    path = f"/api/v1/meetings/{meeting['id']}"
    scheduled = client.post(path + "/schedule", headers=s.regisseur.headers,
                            json={"slot_id": meeting["slots"][0]["id"]})
    assert scheduled.status_code == 200, scheduled.text
    body = outcome(s.regisseur.professional.id, s.teacher.org.id, assessment=assessment)
    for action in body["plan"]["actions"]:
        action["due"] = (local_day(now()) + timedelta(days=30)).isoformat()
    body["next_evaluation"] = (local_day(now()) + timedelta(days=90)).isoformat()
    body.update(changes)
    saved = client.post(path + "/outcome", headers=s.regisseur.headers, json=body)
    assert saved.status_code == 201, saved.text
    return dict(saved.json())


def reported_and_handed_back(client: TestClient, w: World) -> str:
    case = open_case(client, w.s, steps=5)
    back = client.post(f"/api/v1/meldcode/cases/{case}/handback", headers=w.s.teacher.headers,
                       json={"on": local_day(now()).isoformat()})
    assert back.status_code == 201 and back.json()["handed_back_on"], back.text
    return case


def summary(client: TestClient, w: World) -> dict[str, Any]:
    response = client.get("/api/v1/quality/summary", headers=w.lead.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def at_risk(client: TestClient, w: World) -> dict[str, list[str]]:
    return {r["household_id"]: r["flags"] for r in summary(client, w)["at_risk"]}


def test_acceptance_signals_handed_back_and_no_assessment_is_flagged(
        client: TestClient, world: World, policy: Policy) -> None:
    signal(client, world)
    reported_and_handed_back(client, world)
    term = policy.meldcode.terms.handback_assessment_days
    found = {i["id"]: i for i in readiness(client, world)["indicators"]}
    assert found["safety_assessment"]["status"] == "attention"  # within the term
    assert world.household not in at_risk(client, world)
    with frozen_at(now() + timedelta(days=term + 1)):
        flags = at_risk(client, world)[world.household]
        found = {i["id"]: i for i in readiness(client, world)["indicators"]}
    assert "deescalated_without_assessment" in flags
    assert found["safety_assessment"]["status"] == "missing"
    assert "Afgeschaald op" in found["safety_assessment"]["reason"]


def test_issue_18_acceptance_5_veilig_thuis_hands_back_to_the_regisseur_unassessed_is_flagged(
        client: TestClient, world: World, session: Session, policy: Policy) -> None:
    """Veilig Thuis records the handback itself (its report mandate makes it involved),
    naming the regisseur's organisation; the chain goes on to the CJG. No safety assessment
    within the policy's term: the household is flagged."""
    signal(client, world)
    open_case(client, world.s, steps=5)  # reported: Veilig Thuis holds a report mandate
    s = world.s
    back = client.post(f"/api/v1/households/{world.household}/handbacks",
                       headers=s.veilig_thuis.headers, json={
                           "from_organisation_id": s.veilig_thuis.org.id,
                           "to_organisation_id": s.regisseur.org.id,
                           "on": local_day(now()).isoformat()})
    assert back.status_code == 201, back.text
    assert back.json()["to_organisation_id"] == s.regisseur.org.id
    cjg = make_org(session, policy, party="jeugdgezondheidszorg", name="CJG")
    onwards = client.post(f"/api/v1/households/{world.household}/handbacks",
                          headers=s.regisseur.headers, json={
                              "from_organisation_id": s.regisseur.org.id,
                              "to_organisation_id": cjg.id,
                              "on": local_day(now()).isoformat()})
    assert onwards.status_code == 201, onwards.text
    uninvolved = client.post(f"/api/v1/households/{world.household}/handbacks",
                             headers=s.gp.headers, json={
                                 "from_organisation_id": s.gp.org.id,
                                 "to_organisation_id": cjg.id,
                                 "on": local_day(now()).isoformat()})
    assert uninvolved.status_code == 404
    term = policy.meldcode.terms.handback_assessment_days
    with frozen_at(now() + timedelta(days=term + 1)):
        assert "deescalated_without_assessment" in at_risk(client, world)[world.household]


def test_acceptance_a_fully_documented_household_is_not_flagged(
        client: TestClient, world: World) -> None:
    signal(client, world)
    reported_and_handed_back(client, world)
    held_meeting(client, world)  # with a safety assessment after the handback
    body = readiness(client, world)
    statuses = {i["id"]: i["status"] for i in body["indicators"]}
    assert {i: statuses[i] for i in ["safety_assessment", "integral_analysis", "plan_goals",
                                     "regisseur_named", "evaluation_due",
                                     "meldcode_followed"]} == dict.fromkeys(
        ["safety_assessment", "integral_analysis", "plan_goals", "regisseur_named",
         "evaluation_due", "meldcode_followed"], "ok")
    # the path of help from intake on is judged by tests/quality/test_toezichtkader.py
    assert body["flags"] == []
    assert world.household not in at_risk(client, world)


def test_safety_assessment_missing_with_signals_then_ok_then_attention_then_overdue(
        client: TestClient, world: World) -> None:
    assert status(client, world, "safety_assessment") == "ok"  # no worries, none needed
    signal(client, world, on=local_day(now()) - timedelta(days=1))
    assert status(client, world, "safety_assessment") == "missing"
    assert at_risk(client, world)[world.household][0] == "violence_without_assessment"
    held_meeting(client, world)
    assert status(client, world, "safety_assessment") == "ok"
    with frozen_at(now() + timedelta(days=2)):
        signal(client, world)
        assert status(client, world, "safety_assessment") == "attention"
    with frozen_at(now() + timedelta(days=200)):
        assert status(client, world, "safety_assessment") == "attention"  # the newer signal


def test_safety_assessment_overdue_after_half_a_year(client: TestClient, world: World) -> None:
    signal(client, world, on=local_day(now()) - timedelta(days=3))
    held_meeting(client, world)
    with frozen_at(now() + timedelta(days=190)):
        assert status(client, world, "safety_assessment") == "overdue"


def test_a_retracted_signal_no_longer_counts(client: TestClient, world: World) -> None:
    observation = signal(client, world)
    retracted = client.post(f"/api/v1/observations/{observation}/amendments",
                            headers=world.s.regisseur.headers, json={"kind": "retraction"})
    assert retracted.status_code == 201, retracted.text
    assert status(client, world, "safety_assessment") == "ok"
    assert status(client, world, "meldcode_followed") == "ok"


def test_integral_analysis_missing_until_an_outcome(client: TestClient, world: World) -> None:
    assert status(client, world, "integral_analysis") == "missing"
    held_meeting(client, world, assessment=False)
    assert status(client, world, "integral_analysis") == "ok"


def test_plan_goals_missing_then_ok_then_stalling_asks_for_escalation(
        client: TestClient, world: World) -> None:
    assert status(client, world, "plan_goals") == "missing"
    held_meeting(client, world, assessment=False)
    assert status(client, world, "plan_goals") == "ok"
    with frozen_at(now() + timedelta(days=45)):
        found = {i["id"]: i for i in readiness(client, world)["indicators"]}
        assert found["plan_goals"]["status"] == "attention"
        assert "2 van 2 acties zijn over hun datum" in found["plan_goals"]["reason"]


def test_plan_goals_done_actions_do_not_stall(client: TestClient, world: World) -> None:
    plan = held_meeting(client, world, assessment=False)
    for action in plan["actions"]:
        done = client.post(f"/api/v1/plans/actions/{action['id']}",
                           headers=world.s.teacher.headers, json={"status": "done"})
        assert done.status_code == 200, done.text
    with frozen_at(now() + timedelta(days=45)):
        assert status(client, world, "plan_goals") == "ok"


def test_regisseur_named_missing_when_the_regisseur_left(
        client: TestClient, session: Session, world: World) -> None:
    assert status(client, world, "regisseur_named") == "ok"
    regisseur = session.get(Professional, world.s.regisseur.professional.id)
    assert regisseur is not None
    regisseur.active = False
    session.flush()
    found = readiness(client, world, world.lead)
    assert {i["id"]: i["status"] for i in found["indicators"]}["regisseur_named"] == "missing"


def test_evaluation_due_missing_ok_then_overdue(client: TestClient, world: World) -> None:
    assert status(client, world, "evaluation_due") == "missing"
    held_meeting(client, world, assessment=False)
    assert status(client, world, "evaluation_due") == "ok"
    with frozen_at(now() + timedelta(days=91)):
        assert status(client, world, "evaluation_due") == "overdue"


def test_partners_asked_by_an_invitation_or_a_held_meeting(
        client: TestClient, world: World) -> None:
    assert status(client, world, "partners_asked") == "missing"
    meeting = client.post("/api/v1/meetings", headers=world.s.regisseur.headers, json={
        "household_id": world.household, "title": "B", "duration_minutes": 60,
        "location": "Wijkcentrum", "slots": [{"start": (now() + timedelta(days=7)).isoformat()}],
        "invitees": [{"organisation_id": world.s.gp.org.id}]})
    assert meeting.status_code == 201, meeting.text
    asked = next(i for i in readiness(client, world)["indicators"]
                 if i["id"] == "partners_asked")
    assert asked["status"] == "attention"  # the GP, not the school nor youth health care
    assert asked["reason"] == ("Gevraagd: huisarts. Niet gevraagd: school of kinderopvang, "
                               "jeugdgezondheidszorg (consultatiebureau, ggd).")
    cancelled = client.post(f"/api/v1/meetings/{meeting.json()['id']}/cancel",
                            headers=world.s.regisseur.headers)
    assert cancelled.status_code == 200, cancelled.text
    assert status(client, world, "partners_asked") == "missing"
    held_meeting(client, world, assessment=False)
    assert status(client, world, "partners_asked") != "missing"


def test_meldcode_followed_missing_without_a_case_ok_in_progress_overdue_when_stalled(
        client: TestClient, world: World) -> None:
    assert status(client, world, "meldcode_followed") == "ok"
    signal(client, world)
    assert status(client, world, "meldcode_followed") == "missing"
    assert "signals_without_meldcode" in at_risk(client, world)[world.household]
    open_case(client, world.s, steps=2)
    assert status(client, world, "meldcode_followed") == "ok"
    with frozen_at(now() + timedelta(days=30)):
        assert status(client, world, "meldcode_followed") == "overdue"
        assert "meldcode_stalled" in at_risk(client, world)[world.household]


def test_a_handback_needs_a_report_and_comes_once(client: TestClient, world: World) -> None:
    case = open_case(client, world.s, steps=4)
    path = f"/api/v1/meldcode/cases/{case}/handback"
    today = {"on": local_day(now()).isoformat()}
    early = client.post(path, headers=world.s.teacher.headers, json=today)
    assert early.status_code == 409 and early.json()["code"] == "no_report"
    client.post(f"/api/v1/meldcode/cases/{case}/steps", headers=world.s.teacher.headers,
                json={"step": 5, "content": "Gemeld.", "decision": "melden"})
    future = {"on": (local_day(now()) + timedelta(days=1)).isoformat()}
    wrong = client.post(path, headers=world.s.teacher.headers, json=future)
    assert wrong.status_code == 422 and wrong.json()["code"] == "handback_date"
    other = client.post(path, headers=world.s.gp.headers, json=today)
    assert other.status_code == 404  # not the case's organisation
    assert client.post(path, headers=world.s.teacher.headers, json=today).status_code == 201
    again = client.post(path, headers=world.s.teacher.headers, json=today)
    assert again.status_code == 409 and again.json()["code"] == "handed_back"


def test_only_its_regisseur_and_team_leads_see_a_households_readiness(
        client: TestClient, session: Session, policy: Policy, world: World) -> None:
    """Issue 17, defects 4 and 7: everyone else gets the answer of a made-up household, and a
    team lead of another organisation neither reads this one nor counts it."""
    path = f"/api/v1/quality/households/{world.household}"
    other = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    other_lead = caller(client, session, policy, party="wijkteam", roles=["teamleider"])
    made_up = client.get("/api/v1/quality/households/nope", headers=world.lead.headers)
    assert made_up.status_code == 404
    for who in (world.s.teacher, world.s.gp, other, other_lead):
        refused = client.get(path, headers=who.headers)
        assert refused.status_code == 404
        assert {k: v for k, v in refused.json().items() if k != "trace_id"} == {
            k: v for k, v in made_up.json().items() if k != "trace_id"}
    assert client.get(path, headers=world.lead.headers).status_code == 200
    assert client.get("/api/v1/quality/summary",
                      headers=other_lead.headers).json()["households"] == 0
    summary_refused = client.get("/api/v1/quality/summary", headers=world.s.regisseur.headers)
    assert summary_refused.status_code == 403


def test_the_summary_counts_and_holds_no_personal_data(client: TestClient, session: Session,
                                                       world: World) -> None:
    signal(client, world)
    body = summary(client, world)
    assert body["households"] >= 1
    assert set(body["indicators"]) == set(INDICATORS)
    for counts in body["indicators"].values():
        assert set(counts) == {"ok", "missing", "overdue", "attention"}
        assert sum(counts.values()) == body["households"]
    text = str(body) + str(readiness(client, world))
    for personal in ("Noor", "Sanne", "Piet", "Jansen", "Blauwe", "111222333", "Gezin J."):
        assert personal not in text
    actions = session.scalars(select(AuditPending.action)).all()
    assert "quality.read" in actions


def test_the_dashboard_page_lists_the_household_at_risk(
        client: TestClient, session: Session, world: World) -> None:
    from tests.factories import PASSWORD
    from tests.identity.flows import login

    signal(client, world)
    assert world.lead.professional is not None
    login(client, world.lead.professional.email, PASSWORD)
    page = client.get("/kwaliteit")
    assert page.status_code == 200
    assert f'data-household="{world.household}"' in page.text
    assert "signalen van onveiligheid zonder veiligheidstaxatie" in page.text
    detail = client.get(f"/kwaliteit/huishoudens/{world.household}")
    assert detail.status_code == 200 and 'data-status="missing"' in detail.text
