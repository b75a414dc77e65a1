"""Issue 19 acceptance 1-2: a plan per person. Each goal names whom it is about; the family
page shows a member the goals about them and about the children whose file they see, never
another adult's; the regisseur keeps a named item from a named parent; a youth of 12-15
keeps their own items from their parents; a partner sees a child's goal only on that child's
own terms."""

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.audit.models import AuditPending
from broker.policy import Policy
from tests.conftest import Mailbox
from tests.consent.helpers import Caller, caller, consent_body
from tests.dates import days_from_today, years_ago
from tests.family.test_transparency import open_page
from tests.identity.flows import csrf_of
from tests.meetings.test_brief import local_moment

GOALS = {"p": "Vader stopt met huiselijk geweld.", "m": "Moeder krijgt rust in de schulden.",
         "c13": "Daan gaat elke dag naar school.", "c10": "Mila slaapt weer goed.",
         "c17": "Sem (17) krijgt hulp van de JGGZ."}


@dataclass
class Planned:
    regisseur: Caller
    school: Caller
    ids: dict[str, str]
    plan: dict[str, Any]

    @property
    def household(self) -> str:
        return self.ids["household"]

    def goal(self, ref: str) -> str:
        """The item id of the goal about `ref`."""
        priority = list(GOALS).index(ref) + 1
        return f"{self.plan['id']}:{priority}"


def make_plan(client: TestClient, session: Session, policy: Policy) -> Planned:
    """A father without custody, a mother with custody of a 13- and a 10-year-old, and a
    17-year-old; a plan with one goal (and one action) about each of them."""
    regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    school = caller(client, session, policy, party="school", name="OBS De Linde",
                    roles=["partner"])
    made = client.post("/api/v1/households", headers=regisseur.headers, json={
        "label": "Gezin B.", "members": [
            {"ref": "m", "given_name": "Eva", "family_name": "Bos", "birth_date": "1984-01-02",
             "role": "parent"},
            {"ref": "p", "given_name": "Rob", "family_name": "Bos", "birth_date": "1982-05-06",
             "role": "parent"},
            {"ref": "c17", "given_name": "Sem", "family_name": "Bos",
             "birth_date": years_ago(17, 40), "role": "child"},
            {"ref": "c13", "given_name": "Daan", "family_name": "Bos",
             "birth_date": years_ago(13, 40), "role": "child"},
            {"ref": "c10", "given_name": "Mila", "family_name": "Bos",
             "birth_date": years_ago(10, 40), "role": "child"}],
        "custody": [{"custodian": "m", "child": c} for c in ("c17", "c13", "c10")]})
    assert made.status_code == 201, made.text
    ids = {m["ref"]: m["id"] for m in made.json()["members"]} | {"household": made.json()["id"]}
    meeting = client.post("/api/v1/meetings", headers=regisseur.headers, json={
        "household_id": ids["household"], "title": "Bijeenkomst", "duration_minutes": 60,
        "location": "Wijkcentrum", "slots": [{"start": local_moment(7, 10, 0).isoformat()}],
        "invitees": [{"member_id": ids["m"]}]}).json()
    path = f"/api/v1/meetings/{meeting['id']}"
    scheduled = client.post(path + "/schedule", headers=regisseur.headers,
                            json={"slot_id": meeting["slots"][0]["id"]})
    assert scheduled.status_code == 200, scheduled.text
    goals = [{"priority": n, "domain": "opvoeding", "description": text,
              "subject_ids": [ids[ref]]} for n, (ref, text) in enumerate(GOALS.items(), 1)]
    saved = client.post(path + "/outcome", headers=regisseur.headers, json={
        "analysis": {"child_needs": "-", "parenting_capacity": "-", "family_environment": "-"},
        "signs_of_safety": {"worries": [], "strengths": [], "next_steps": []},
        "safety_assessment": {"instrument": "LIRIK", "outcome": "veilig", "rationale": "-"},
        "plan": {"perspective": "Het gezin woont veilig samen.", "goals": goals,
                 "actions": [{"goal": n, "description": f"Actie voor {ref}.",
                              "owner_organisation_id": regisseur.org.id,
                              "due": days_from_today(30)}
                             for n, ref in enumerate(GOALS, 1)]},
        "regisseur_id": regisseur.professional.id, "next_evaluation": days_from_today(60)})
    assert saved.status_code == 201, saved.text
    return Planned(regisseur, school, ids, saved.json())


@pytest.fixture
def planned(client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> Planned:
    return make_plan(client, session, policy)


def goals_on_page(client: TestClient) -> set[str]:
    page = client.get("/mijn")
    assert page.status_code == 200, page.text
    return {text for text in GOALS.values() if text in page.text}


def withhold(client: TestClient, f: Planned, ref: str, item: str) -> Any:
    return client.post(f"/api/v1/households/{f.household}/withholdings",
                       headers=f.regisseur.headers, json={
                           "member_id": f.ids[ref], "object_type": "plan_goal",
                           "object_id": item, "reason": "Zou de zorg voor het kind schaden.",
                           "review_on": days_from_today(90)})


@pytest.mark.parametrize(("ref", "sees"), [
    ("p", {"p"}),  # the father without custody: his own goal only
    ("m", {"m", "c13", "c10"}),  # the mother: hers and her children's under 16
    ("c13", {"c13"}),
    ("c17", {"c17"}),
])
def test_acceptance_1_each_member_sees_only_the_goals_about_them_and_their_children(
        client: TestClient, planned: Planned, ref: str, sees: set[str]) -> None:
    open_page(client, planned, ref)  # type: ignore[arg-type]
    assert goals_on_page(client) == {GOALS[r] for r in sees}
    page = client.get("/mijn").text
    assert ("Het gezin woont veilig samen." in page) is False  # the perspective: all goals
    for other in set(GOALS) - sees:
        assert f"Actie voor {other}." not in page


def test_acceptance_1_a_withheld_item_stays_hidden_from_the_named_parent_only(
        client: TestClient, planned: Planned) -> None:
    made = withhold(client, planned, "m", planned.goal("c10"))
    assert made.status_code == 201, made.text
    assert made.json()["in_force"] and made.json()["kind"] == "care"
    open_page(client, planned, "m")
    assert goals_on_page(client) == {GOALS["m"], GOALS["c13"]}
    # The 13-year-old asks to keep his goal from his mother: only she loses it.
    client.cookies.clear()
    open_page(client, planned, "c13")
    page = client.get("/mijn").text
    assert "Niet laten zien aan mijn ouders" in page
    kept = client.post("/api/v1/me/private", json={"object_type": "plan_goal",
                                                   "object_id": planned.goal("c13")})
    assert kept.status_code == 201 and [w["member_id"] for w in kept.json()] == [planned.ids["m"]]
    assert goals_on_page(client) == {GOALS["c13"]}  # he still sees it himself
    client.cookies.clear()
    open_page(client, planned, "m")
    assert goals_on_page(client) == {GOALS["m"]}
    # The privacy officer sees both; the team ends its own, and the goal is back.
    ended = client.post(f"/api/v1/withholdings/{made.json()['id']}/end",
                        headers=planned.regisseur.headers)
    assert ended.status_code == 200 and not ended.json()["in_force"]
    assert goals_on_page(client) == {GOALS["m"], GOALS["c10"]}


def test_a_youth_can_show_a_kept_item_again_and_nobody_else_keeps_his_items(
        client: TestClient, planned: Planned) -> None:
    open_page(client, planned, "c13")
    item = {"object_type": "plan_goal", "object_id": planned.goal("c13")}
    assert client.post("/api/v1/me/private", json=item).status_code == 201
    page = client.get("/mijn")
    form = {"csrf_token": csrf_of(page.text), "share": "1", **item}
    assert client.post("/mijn/prive", data=form, follow_redirects=False).status_code == 303
    client.cookies.clear()
    open_page(client, planned, "m")
    assert GOALS["c13"] in goals_on_page(client)
    # A goal about someone else is not his to keep; the mother is no youth.
    refused = client.post("/api/v1/me/private", json={"object_type": "plan_goal",
                                                      "object_id": planned.goal("c10")})
    assert refused.status_code == 403 and refused.json()["code"] == "not_a_youth"
    client.cookies.clear()
    open_page(client, planned, "c13")
    other = client.post("/api/v1/me/private", json={"object_type": "plan_goal",
                                                    "object_id": planned.goal("c10")})
    assert other.status_code == 404


def test_withholding_needs_the_team_an_adult_an_item_of_the_household_and_a_review_day(
        client: TestClient, session: Session, planned: Planned) -> None:
    assert withhold(client, planned, "c13", planned.goal("c10")).json()["code"] \
        == "withhold_member"
    assert withhold(client, planned, "m", "no-such-plan:1").json()["code"] == "withhold_item"
    late = client.post(f"/api/v1/households/{planned.household}/withholdings",
                       headers=planned.regisseur.headers, json={
                           "member_id": planned.ids["m"], "object_type": "plan_goal",
                           "object_id": planned.goal("c10"), "reason": "x",
                           "review_on": days_from_today(400)})
    assert late.status_code == 422 and late.json()["code"] == "review_on"
    stranger = withhold(client, Planned(planned.school, planned.school, planned.ids,
                                        planned.plan), "m", planned.goal("c10"))
    assert stranger.status_code == 404  # the school is not involved: no such household
    assert session.scalar(select(AuditPending.id).where(
        AuditPending.action == "family.withhold")) is None  # nothing was made


def test_acceptance_2_the_school_sees_the_10_year_olds_goal_only_on_her_own_consent(
        client: TestClient, planned: Planned) -> None:
    school, ids = planned.school, planned.ids

    def school_sees() -> set[str]:
        plan = client.get(f"/api/v1/households/{planned.household}/plan",
                          headers=school.headers)
        assert plan.status_code == 200, plan.text
        return {g["description"] for g in plan.json()["goals"]}

    # The 17-year-old's consent alone: his goal, not his sister's.
    granted = client.post("/api/v1/consents", headers=planned.regisseur.headers,
                          json=consent_body(ids["c17"], [ids["c17"]], categories=["opvoeding"],
                                            recipients=[{"organisation_id": school.org.id}]))
    assert granted.status_code == 201, granted.text
    assert school_sees() == {GOALS["c17"]}
    denied = client.post("/api/v1/decisions", headers=school.headers, json={
        "subject_id": ids["c10"], "category": "opvoeding", "purpose": "hulpverlening",
        "recipient": {"organisation_id": school.org.id},
        "holder_organisation_id": planned.regisseur.org.id})
    assert denied.json()["effect"] == "deny"
    # Her own consent (her custodian signs for her): now her goal too, and its action.
    granted = client.post("/api/v1/consents", headers=planned.regisseur.headers,
                          json=consent_body(ids["c10"], [ids["m"]], categories=["opvoeding"],
                                            recipients=[{"organisation_id": school.org.id}]))
    assert granted.status_code == 201, granted.text
    assert school_sees() == {GOALS["c17"], GOALS["c10"]}
    plan = client.get(f"/api/v1/households/{planned.household}/plan", headers=school.headers)
    assert {a["description"] for a in plan.json()["actions"]} == {"Actie voor c17.",
                                                                  "Actie voor c10."}
    assert plan.json()["perspective"] is None and plan.json()["withheld_goals"] == 3
    assert [g["subject_ids"] for g in plan.json()["goals"]] == [[ids["c10"]], [ids["c17"]]]


def test_a_goal_about_someone_outside_the_household_is_refused(
        client: TestClient, session: Session, policy: Policy, mail: Mailbox) -> None:
    from tests.meetings.test_outcome import outcome

    planned = make_plan(client, session, policy)
    meeting = client.post("/api/v1/meetings", headers=planned.regisseur.headers, json={
        "household_id": planned.household, "title": "Evaluatie", "duration_minutes": 60,
        "location": "Wijkcentrum", "slots": [{"start": local_moment(9, 10, 0).isoformat()}],
        "invitees": [{"member_id": planned.ids["m"]}]}).json()
    path = f"/api/v1/meetings/{meeting['id']}"
    client.post(path + "/schedule", headers=planned.regisseur.headers,
                json={"slot_id": meeting["slots"][0]["id"]})
    refused = client.post(path + "/outcome", headers=planned.regisseur.headers, json=outcome(
        planned.regisseur.professional.id, planned.school.org.id, assessment=True,
        about=["not-a-member"]))
    assert refused.status_code == 422 and refused.json()["code"] == "subjects"


def test_acceptance_3_destruction_of_the_17_year_olds_file_leaves_his_mothers_intact(
        client: TestClient, session: Session, policy: Policy, planned: Planned) -> None:
    from broker.audit.context import audit_context
    from broker.audit.sequencer import sequence_pending
    from broker.audit.verify import verify_log
    from broker.households.models import Member
    from broker.observations.models import Observation
    from broker.vault.service import data_key

    fg = caller(client, session, policy, party="gemeente", roles=["privacy_officer"])
    ids, regisseur = planned.ids, planned.regisseur
    for ref in ("c17", "m"):
        shared = client.post("/api/v1/observations", headers=regisseur.headers, json={
            "subject_id": ids[ref], "category": "opvoeding", "concern": "low",
            "observed_on": days_from_today(-2), "body": f"Waarneming over {ref}."})
        assert shared.status_code == 201, shared.text
    # Nobody but her custodians may ask for the 10-year-old.
    for asker in ("c10", "c13", "p"):
        refused = client.post(f"/api/v1/households/{planned.household}/destruction-requests",
                              headers=regisseur.headers,
                              json={"member_id": ids[asker], "subject_id": ids["c10"]})
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "not_entitled_to_ask"
        assert "gezaghebbende" in refused.json()["detail"]
    by_mother = client.post(f"/api/v1/households/{planned.household}/destruction-requests",
                            headers=regisseur.headers,
                            json={"member_id": ids["m"], "subject_id": ids["c10"]})
    assert by_mother.status_code == 201 and by_mother.json()["subject_id"] == ids["c10"]

    # One sealed by an older version under the household's key: it goes too (added
    # after the refusals above, whose rollbacks would take it with them).
    old = session.get(Observation, shared.json()["id"])
    assert old is not None
    legacy = Observation(household_id=planned.household, subject_id=ids["c17"],
                         category="opvoeding", concern="low", observed_on=old.observed_on,
                         body=b"", person_key=False, submitted_by=old.submitted_by,
                         submitted_by_organisation_id=old.submitted_by_organisation_id,
                         submitted_by_party="wijkteam")
    session.add(legacy)
    session.flush()
    legacy.body = data_key(session, planned.household).seal(f"observation:{legacy.id}",
                                                            "Oude waarneming over c17.")
    session.flush()

    open_page(client, planned, "c17")  # type: ignore[arg-type]
    asked = client.post("/api/v1/me/destruction-request")
    assert asked.status_code == 201 and asked.json()["subject_id"] == ids["c17"]
    decided = client.post(f"/api/v1/destruction-requests/{asked.json()['id']}/decision",
                          headers=fg.headers, json={"destroy": True})
    assert decided.status_code == 200 and decided.json()["status"] == "destroyed"

    names = dict(session.execute(select(Member.ref, Member.given_name).where(
        Member.household_id == planned.household)).all())
    assert names == {"m": "Eva", "p": "Rob", "c17": "—", "c13": "Daan", "c10": "Mila"}
    observations = client.get(f"/api/v1/households/{planned.household}/observations",
                              headers=regisseur.headers).json()["items"]
    bodies = {o["subject_id"]: o["body"] for o in observations if o["subject_id"] != ids["c17"]}
    assert bodies == {ids["m"]: "Waarneming over m."}
    assert [o["body"] for o in observations if o["subject_id"] == ids["c17"]] == [None, None]
    plan = client.get(f"/api/v1/households/{planned.household}/plan",
                      headers=regisseur.headers).json()
    goals = {g["subject_ids"][0]: g["description"] for g in plan["goals"]}
    assert goals[ids["c17"]] is None and goals[ids["m"]] == GOALS["m"]
    actions = {a["id"]: a["description"] for a in plan["actions"]}
    assert "Actie voor m." in actions.values() and len(actions) == len(GOALS)
    assert list(actions.values()).count(None) == 1  # the 17-year-old's, unreadable
    assert "Actie voor c17." not in str(plan)
    # The mother's page still shows her goal; the audit log verifies, deep.
    client.cookies.clear()
    open_page(client, planned, "m")  # type: ignore[arg-type]
    assert GOALS["m"] in goals_on_page(client)
    sequence_pending(session)
    result = verify_log(session.connection(),
                        verifier_key=audit_context(session).signer.verifier_key, deep=True)
    assert result.ok, result.problems


def second_outcome(client: TestClient, f: Planned, extra: dict[str, Any]) -> Any:
    meeting = client.post("/api/v1/meetings", headers=f.regisseur.headers, json={
        "household_id": f.household, "title": "Evaluatie", "duration_minutes": 60,
        "location": "Wijkcentrum", "slots": [{"start": local_moment(9, 10, 0).isoformat()}],
        "invitees": [{"member_id": f.ids["m"]}]}).json()
    path = f"/api/v1/meetings/{meeting['id']}"
    client.post(path + "/schedule", headers=f.regisseur.headers,
                json={"slot_id": meeting["slots"][0]["id"]})
    return client.post(path + "/outcome", headers=f.regisseur.headers, json={
        "analysis": {"child_needs": "-", "parenting_capacity": "-", "family_environment": "-"},
        "signs_of_safety": {"worries": [], "strengths": [], "next_steps": []},
        "plan": {"perspective": "-", "goals": [{"priority": 1, "domain": "opvoeding",
                                                "description": "Rust in huis."}]},
        "regisseur_id": f.regisseur.professional.id,  # type: ignore[union-attr]
        "next_evaluation": days_from_today(60)} | extra)


def test_one_assessment_and_the_childs_own_view_per_child_and_zrm_per_adult(
        client: TestClient, planned: Planned) -> None:
    ids, school = planned.ids, planned.school
    extra = {
        "safety_assessments": [
            {"instrument": "LIRIK", "outcome": "veilig", "rationale": "Mila is veilig.",
             "subject_ids": [ids["c10"]]},
            {"instrument": "LIRIK", "outcome": "onveilig_structureel",
             "rationale": "Daan is bang voor vader.", "subject_ids": [ids["c13"]]}],
        "children": [
            {"child_id": ids["c10"], "safety_scale": 8,
             "view": {"worries": "Ruzie", "good_things": "Oma", "wishes": "Een hond"}},
            {"child_id": ids["c13"], "safety_scale": 3, "view": {"wishes": "Dat papa weggaat"}}],
        "zrm_by_member": {ids["m"]: {"financien": 2}, ids["p"]: {"huisvesting": 4}}}
    for wrong, code in (({"children": [{"child_id": ids["m"], "safety_scale": 1}]}, "subjects"),
                        ({"zrm_by_member": {ids["c10"]: {"financien": 2}}}, "zrm"),
                        ({"zrm_by_member": {ids["m"]: {"financien": 9}}}, "zrm")):
        refused = second_outcome(client, planned, extra | wrong)
        assert refused.status_code == 422 and refused.json()["code"] == code, refused.text
    saved = second_outcome(client, planned, extra)
    assert saved.status_code == 201, saved.text
    assert {c["child_id"] for c in saved.json()["children"]} == {ids["c10"], ids["c13"]}
    granted = client.post("/api/v1/consents", headers=planned.regisseur.headers,
                          json=consent_body(ids["c10"], [ids["m"]], categories=["veiligheid"],
                                            recipients=[{"organisation_id": school.org.id}]))
    assert granted.status_code == 201, granted.text
    plan = client.get(f"/api/v1/households/{planned.household}/plan", headers=school.headers)
    assert plan.status_code == 200, plan.text
    body = plan.json()
    assert [a["rationale"] for a in body["safety_assessments"]] == ["Mila is veilig."]
    assert body["children"] == [{"child_id": ids["c10"], "safety_scale": 8, "view": {
        "worries": "Ruzie", "good_things": "Oma", "wishes": "Een hond"}}]
    assert body["zrm_by_member"] == {}  # the adults' own terms: no consent for the school
    assert "Daan is bang" not in plan.text and "papa" not in plan.text
    own = client.get(f"/api/v1/households/{planned.household}/plan",
                     headers=planned.regisseur.headers).json()  # the author's own record
    assert len(own["safety_assessments"]) == 2 and len(own["children"]) == 2
    assert own["zrm_by_member"] == {ids["m"]: {"financien": 2}, ids["p"]: {"huisvesting": 4}}


class TestFreshEyes:
    """Defects a review as an attacker and a lawyer found, each fixed."""

    def test_a_joint_goal_is_not_shown_past_anyones_terms(
            self, client: TestClient, planned: Planned) -> None:
        ids = planned.ids
        saved = second_outcome(client, planned, {"plan": {"perspective": "-", "goals": [
            {"priority": 1, "domain": "opvoeding", "description": "Vader en Mila samen.",
             "subject_ids": [ids["p"], ids["c10"]]},
            {"priority": 2, "domain": "opvoeding", "description": "Moeder en Sem samen.",
             "subject_ids": [ids["m"], ids["c17"]]},
            {"priority": 3, "domain": "opvoeding", "description": "Ouders samen.",
             "subject_ids": [ids["m"], ids["p"]]}]}})
        assert saved.status_code == 201, saved.text
        open_page(client, planned, "p")  # type: ignore[arg-type]
        page = client.get("/mijn").text
        assert "Ouders samen." in page and "Vader en Mila samen." not in page
        client.cookies.clear()
        open_page(client, planned, "m")  # type: ignore[arg-type]
        page = client.get("/mijn").text
        assert "Ouders samen." in page and "Moeder en Sem samen." not in page

    def test_the_team_cannot_undo_a_youths_wish(self, client: TestClient,
                                                planned: Planned) -> None:
        open_page(client, planned, "c13")  # type: ignore[arg-type]
        kept = client.post("/api/v1/me/private", json={"object_type": "plan_goal",
                                                       "object_id": planned.goal("c13")})
        [withholding] = kept.json()
        for path, body in (("end", None), ("renew", {"review_on": days_from_today(10)})):
            refused = client.post(f"/api/v1/withholdings/{withholding['id']}/{path}",
                                  headers=planned.regisseur.headers, json=body)
            assert refused.status_code == 403, refused.text
            assert refused.json()["code"] == "youth_withholding"

    @pytest.mark.parametrize("priority", ["05", "²", "٣", "0", "21", "1 "])
    def test_a_goal_is_named_exactly(self, client: TestClient, planned: Planned,
                                     priority: str) -> None:
        made = withhold(client, planned, "m", f"{planned.plan['id']}:{priority}")
        assert made.status_code == 422 and made.json()["code"] == "withhold_item"

    def test_destruction_takes_what_is_about_nobody_else(
            self, client: TestClient, session: Session, policy: Policy,
            planned: Planned) -> None:
        ids = planned.ids
        fg = caller(client, session, policy, party="gemeente", roles=["privacy_officer"])
        saved = second_outcome(client, planned, {
            "safety_assessments": [{"instrument": "LIRIK", "outcome": "veilig",
                                    "rationale": "Over Sem alleen.",
                                    "subject_ids": [ids["c17"]]}],
            "zrm_by_member": {ids["p"]: {"financien": 2}, ids["m"]: {"financien": 3}},
            "plan": {"perspective": "-", "goals": [
                {"priority": 1, "domain": "opvoeding", "description": "Vader en Sem samen.",
                 "subject_ids": [ids["p"], ids["c17"]]},
                {"priority": 2, "domain": "opvoeding", "description": "Moeder en Sem samen.",
                 "subject_ids": [ids["m"], ids["c17"]]}],
                "actions": [{"goal": 1, "description": "Samen naar de sportclub.",
                             "owner_organisation_id": planned.regisseur.org.id,
                             "due": days_from_today(20)}]}})
        assert saved.status_code == 201, saved.text
        for ref in ("c17", "p"):
            asked = client.post(f"/api/v1/households/{planned.household}/destruction-requests",
                                headers=planned.regisseur.headers,
                                json={"member_id": ids[ref]})
            assert asked.status_code == 201, asked.text
            decided = client.post(
                f"/api/v1/destruction-requests/{asked.json()['id']}/decision",
                headers=fg.headers, json={"destroy": True})
            assert decided.status_code == 200, decided.text
        plan = client.get(f"/api/v1/households/{planned.household}/plan",
                          headers=planned.regisseur.headers)
        text = plan.text
        assert "Over Sem alleen." not in text and "Vader en Sem samen." not in text
        assert "Samen naar de sportclub." not in text
        assert "Moeder en Sem samen." in text  # the mother's too: hers stays
        assert plan.json()["zrm_by_member"] == {ids["m"]: {"financien": 3}}

    def test_a_household_erased_before_per_person_keys_takes_nothing_new(
            self, client: TestClient, session: Session, planned: Planned) -> None:
        from broker.vault.service import destroy_data_key

        destroy_data_key(session, actor=None, household_id=planned.household)  # as 0013 did
        refused = client.post("/api/v1/observations", headers=planned.regisseur.headers, json={
            "subject_id": planned.ids["m"], "category": "opvoeding", "concern": "low",
            "observed_on": days_from_today(-1), "body": "Nieuw."})
        assert refused.status_code == 422 and refused.json()["code"] == "household_erased"

    def test_a_serious_worry_needs_an_assessment_of_that_child(
            self, client: TestClient, planned: Planned) -> None:
        ids = planned.ids
        worried = client.post("/api/v1/observations", headers=planned.regisseur.headers,
                              json={"subject_id": ids["c13"], "category": "veiligheid",
                                    "concern": "high", "observed_on": days_from_today(-1),
                                    "body": "Blauwe plekken."})
        assert worried.status_code == 201, worried.text
        about = {"instrument": "LIRIK", "outcome": "veilig", "rationale": "-"}
        other = second_outcome(client, planned, {"safety_assessments": [
            about | {"subject_ids": [ids["c10"]]}]})
        assert other.status_code == 422, other.text
        assert other.json()["code"] == "safety_assessment_required"
        assert other.json()["subject_ids"] == [ids["c13"]]
        assert second_outcome(client, planned, {"safety_assessments": [
            about | {"subject_ids": [ids["c13"]]}]}).status_code == 201
