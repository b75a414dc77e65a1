"""Issue 17: the side doors found by the probes, each closed. The family is the Jansens (Noor
13, Daan 11, joint custody); the school is involved through a consent naming it, the GP and
JGGZ shared what they know with the regisseur, housing knows nothing of the family."""

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.audit.models import AuditPending
from broker.clock import now
from broker.policy import Policy
from tests.consent.helpers import Caller, caller, consent_body, jansen
from tests.meldcode.helpers import colleague
from tests.observations.helpers import observation

GP_TEXT = "Kanarie-huisarts: letsel op de rug."
JGGZ_TEXT = "Kanarie-jggz: moeder in behandeling."
SCHOOL_TEXT = "Kanarie-school: komt hongerig op school."
NAMES = ("Sanne", "Piet", "Noor", "Daan", "Jansen")


@dataclass
class World:
    regisseur: Caller
    teacher: Caller  # the school: involved through a consent naming it
    officer: Caller  # the school's aandachtsfunctionaris
    gp: Caller
    jggz: Caller
    housing: Caller  # knows nothing of the family
    veilig_thuis: Caller
    family: dict[str, str]
    gp_item: str
    jggz_item: str
    school_item: str


def _post(client: TestClient, who: Caller, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"/api/v1{path}", headers=who.headers, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.fixture
def world(client: TestClient, session: Session, policy: Policy) -> World:
    regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    teacher = caller(client, session, policy, party="school", name="De Linde",
                     roles=["partner", "aandachtsfunctionaris"])
    officer = colleague(client, session, teacher.org, ["aandachtsfunctionaris"])
    gp = caller(client, session, policy, party="huisarts", roles=["partner"])
    jggz = caller(client, session, policy, party="jggz", roles=["partner"])
    housing = caller(client, session, policy, party="woningcorporatie",
                     roles=["partner", "aandachtsfunctionaris"])
    veilig_thuis = caller(client, session, policy, party="veilig_thuis", roles=["partner"])
    family = jansen(client, regisseur)
    noor = [family["c1"], family["m"], family["p"]]
    team = {"organisation_id": regisseur.org.id}
    for body in (consent_body(family["c1"], noor, categories=["onderwijs", "veiligheid"],
                              recipients=[team, {"organisation_id": teacher.org.id}]),
                 consent_body(family["c1"], noor, categories=["gezondheid"], recipients=[team]),
                 consent_body(family["m"], [family["m"]], categories=["psychische_gezondheid"],
                              recipients=[team])):
        _post(client, regisseur, "/consents", body)
    gp_item = _post(client, gp, "/observations", observation(
        family["c1"], category="gezondheid", concern="high", body=GP_TEXT))["id"]
    jggz_item = _post(client, jggz, "/observations", observation(
        family["m"], category="psychische_gezondheid", body=JGGZ_TEXT))["id"]
    school_item = _post(client, teacher, "/observations", observation(
        family["c1"], category="veiligheid", concern="high", body=SCHOOL_TEXT))["id"]
    return World(regisseur, teacher, officer, gp, jggz, housing, veilig_thuis, family,
                 gp_item, jggz_item, school_item)


def _days(n: int) -> str:
    return (now() + timedelta(days=n)).isoformat()


def _without_trace(response: Any) -> tuple[int, dict[str, Any]]:
    body = {k: v for k, v in response.json().items() if k != "trace_id"}
    return response.status_code, body


def _steps_to_report(client: TestClient, w: World, case_id: str, linked: list[str]) -> None:
    path = f"/api/v1/meldcode/cases/{case_id}/steps"
    answers = {"vermoeden": True, "acuut_of_structureel_onveilig": True,
               "hulp_mogelijk": False, "hulp_geaccepteerd": False,
               "hulp_leidt_tot_veiligheid": False}
    for body in ({"step": 1, "content": "Signalen.", "observation_ids": linked},
                 {"step": 2, "content": "Collega."}, {"step": 3, "content": "Gesprek."},
                 {"step": 4, "content": "Gewogen.", "answers": answers},
                 {"step": 5, "content": "Melden.", "decision": "melden",
                  "veilig_thuis_id": w.veilig_thuis.org.id}):
        _post(client, w.teacher, path.removeprefix("/api/v1"), body)


class TestTheMeldcodeReportCarriesOnlyTheReportersOwnInformation:
    """Defect 1 (critical): the report handed the school the GP's and JGGZ's texts."""

    def test_others_withheld_items_cannot_be_linked(self, client: TestClient,
                                                    world: World) -> None:
        w = world
        case_id = _post(client, w.teacher, "/meldcode/cases", {"child_id": w.family["c1"]})["id"]
        for foreign in (w.gp_item, w.jggz_item):
            linked = client.post(f"/api/v1/meldcode/cases/{case_id}/steps",
                                 headers=w.teacher.headers,
                                 json={"step": 1, "content": "Signalen.",
                                       "observation_ids": [w.school_item, foreign]})
            assert linked.status_code == 422, linked.text
            assert linked.json()["code"] == "unknown_observation"

    def test_the_report_holds_the_schools_own_signal_and_names_veilig_thuis(
            self, client: TestClient, session: Session, world: World) -> None:
        w = world
        case_id = _post(client, w.teacher, "/meldcode/cases", {"child_id": w.family["c1"]})["id"]
        _steps_to_report(client, w, case_id, [w.school_item])
        response = client.get(f"/api/v1/meldcode/cases/{case_id}/report",
                              headers=w.teacher.headers)
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["addressed_to"]["organisation_id"] == w.veilig_thuis.org.id
        assert [s["body"] for s in report["signals"]] == [SCHOOL_TEXT]
        # The school may not see Noor's name and birth date (no consent for basisgegevens).
        assert report["child"] is None
        for secret in (GP_TEXT, JGGZ_TEXT, *NAMES):
            assert secret not in response.text
        events = [json.loads(p) for p in session.scalars(select(AuditPending.payload))]
        to_vt = [e for e in events if e.get("object_id") == case_id or
                 e.get("object_id") == w.school_item]
        sent = [e for e in to_vt if e["action"] == "disclosure"
                and e.get("recipient_organisation_id") == w.veilig_thuis.org.id]
        assert sent and all(e["purpose"] == "meldcode" for e in sent)
        assert {e["object_type"] for e in sent} == {"meldcode_case", "observation"}

    def test_a_report_is_addressed_to_a_veilig_thuis_organisation(
            self, client: TestClient, world: World) -> None:
        w = world
        case_id = _post(client, w.teacher, "/meldcode/cases", {"child_id": w.family["c1"]})["id"]
        path = f"/api/v1/meldcode/cases/{case_id}/steps"
        for number in (1, 2, 3):
            _post(client, w.teacher, path.removeprefix("/api/v1"),
                  {"step": number, "content": "Stap."})
        _post(client, w.teacher, path.removeprefix("/api/v1"), {
            "step": 4, "content": "Gewogen.", "answers": {
                "vermoeden": True, "acuut_of_structureel_onveilig": True,
                "hulp_mogelijk": False, "hulp_geaccepteerd": False,
                "hulp_leidt_tot_veiligheid": False}})
        to_gp = client.post(path, headers=w.teacher.headers, json={
            "step": 5, "content": "Melden.", "decision": "melden",
            "veilig_thuis_id": w.gp.org.id})
        assert to_gp.status_code == 422 and to_gp.json()["code"] == "not_veilig_thuis"


class TestNobodyGrantsThemselvesAFamilyFile:
    """Defect 2 (high): housing opened a case naming the mother and self-granted an urgent
    override for everything; an override only ever releases the requester's own holdings."""

    def test_an_uninvolved_organisation_cannot_open_a_case(self, client: TestClient,
                                                            world: World) -> None:
        w = world
        real = client.post("/api/v1/meldcode/cases", headers=w.housing.headers,
                           json={"child_id": w.family["c1"]})
        made_up = client.post("/api/v1/meldcode/cases", headers=w.housing.headers,
                              json={"child_id": "no-such-member"})
        assert real.status_code == 404
        assert _without_trace(real) == _without_trace(made_up)
        assert w.family["household"] not in real.text

    def test_a_case_is_about_a_child(self, client: TestClient, world: World) -> None:
        w = world
        mother = client.post("/api/v1/meldcode/cases", headers=w.teacher.headers,
                             json={"child_id": w.family["m"]})
        assert mother.status_code == 422 and mother.json()["code"] == "not_a_child"

    def test_an_urgent_override_to_oneself_releases_nothing_of_others(
            self, client: TestClient, world: World) -> None:
        """Issue 18: an urgent override goes to Veilig Thuis or the police only, and even
        then releases nothing but the holder's own."""
        w = world
        case_id = _post(client, w.teacher, "/meldcode/cases", {"child_id": w.family["c1"]})["id"]
        members = [w.family[r] for r in ("m", "p", "c1", "c2")]
        body = {
            "subject_ids": members,
            "subject_reasons": {m: "Alles." for m in members if m != w.family["c1"]},
            "categories": ["basisgegevens", "gezondheid", "psychische_gezondheid",
                           "veiligheid"],
            "recipients": [{"organisation_id": w.teacher.org.id, "legal_ground": "Eigen."}],
            "justification": "Alles.", "urgent": True,
            "valid_until": _days(1), "inform_parents": {"not_informed_reason": "Gevaar."}}
        to_itself = client.post(f"/api/v1/meldcode/cases/{case_id}/overrides",
                                headers=w.teacher.headers, json=body)
        assert to_itself.status_code == 422
        assert to_itself.json()["code"] == "override_recipient"
        override = _post(client, w.teacher, f"/meldcode/cases/{case_id}/overrides", body | {
            "recipients": [{"organisation_id": w.veilig_thuis.org.id}]})
        assert override["status"] == "active"
        household = client.get(f"/api/v1/households/{w.family['household']}",
                               headers=w.veilig_thuis.headers)
        observations = client.get(f"/api/v1/households/{w.family['household']}/observations",
                                  headers=w.veilig_thuis.headers)
        assert household.status_code == observations.status_code == 200
        for secret in (GP_TEXT, JGGZ_TEXT, *NAMES):
            assert secret not in household.text + observations.text
        assert SCHOOL_TEXT in observations.text  # the school's own, under the override


class TestSharingDoesNotMakeAnOrganisationInvolved:
    """Defect 3: an organisation made itself involved by submitting an observation."""

    def test_a_submitter_sees_its_decision_not_the_household(self, client: TestClient,
                                                             world: World) -> None:
        w = world
        household = w.family["household"]
        for path in (f"/households/{household}", f"/households/{household}/observations",
                     f"/consents?subject_id={w.family['c1']}"):
            gp = client.get(f"/api/v1{path}", headers=w.gp.headers)
            made_up = client.get(f"/api/v1{path.replace(household, 'nope')}".replace(
                w.family["c1"], "nope"), headers=w.gp.headers)
            assert gp.status_code == 404, (path, gp.text)
            assert _without_trace(gp) == _without_trace(made_up)
        again = client.post("/api/v1/observations", headers=w.gp.headers, json=observation(
            w.family["c1"], category="gezondheid", body="Nog een keer."))
        assert again.status_code == 201
        answer = again.json()
        assert answer["household_id"] is None and answer["consent_ids"] == []
        assert answer["basis"] == ""

    def test_the_submitter_can_still_correct_its_own_observation(
            self, client: TestClient, world: World) -> None:
        w = world
        path = f"/api/v1/observations/{w.gp_item}/amendments"
        mine = client.post(path, headers=w.gp.headers,
                           json={"kind": "correction", "body": "Letsel op de arm."})
        assert mine.status_code == 201, mine.text
        other = client.post(path, headers=w.housing.headers, json={"kind": "retraction"})
        assert other.status_code == 404


class TestNoExistenceOracles:
    """Defect 7: answers to a caller with no relation to the family gave away the custodians'
    member ids, the child's age bracket and existing consents."""

    def test_decisions_answer_an_uninvolved_caller_as_for_nobody(
            self, client: TestClient, world: World) -> None:
        w = world

        def ask(subject: str) -> Any:
            return client.post("/api/v1/decisions", headers=w.housing.headers, json={
                "subject_id": subject, "category": "gezondheid", "purpose": "hulpverlening",
                "recipient": {"organisation_id": w.housing.org.id}})

        real, made_up = ask(w.family["c1"]), ask("no-such-member")
        assert real.status_code == 404
        assert _without_trace(real) == _without_trace(made_up)

    def test_a_refused_submission_says_no_more_than_refused(self, client: TestClient,
                                                            world: World) -> None:
        w = world
        body = observation(w.family["c2"], category="financien")
        refused = client.post("/api/v1/observations", headers=w.housing.headers, json=body)
        assert refused.status_code == 403 and refused.json()["code"] == "no_consent"
        problem = refused.json()
        assert problem["missing"] == [] and problem["reasons"] == []
        for member in ("m", "p", "c1"):  # the custodians, and the sister
            assert w.family[member] not in refused.text
        preview = client.post("/api/v1/observations/preview", headers=w.housing.headers,
                              json=body)
        assert preview.status_code == 200
        assert preview.json() == {"accepted": False, "missing": [], "reasons": [],
                                  "meldcode": False, "recipients": []}
        # The school, which is involved, learns who still has to consent.
        involved = client.post("/api/v1/observations/preview", headers=w.teacher.headers,
                               json=body)
        assert {m["member_id"] for m in involved.json()["missing"]} == {
            w.family["m"], w.family["p"]}


class TestEveryReadIsDecidedAndRecorded:
    """Defect 6: reads that went without a decision or an audit record."""

    @staticmethod
    def _events(session: Session, **where: str) -> list[dict[str, Any]]:
        events = [json.loads(p) for p in session.scalars(select(AuditPending.payload))]
        return [e for e in events if all(e.get(k) == v for k, v in where.items())]

    def test_meldcode_step_texts_are_read_through_the_door(
            self, client: TestClient, session: Session, world: World) -> None:
        case_id = _post(client, world.teacher, "/meldcode/cases",
                        {"child_id": world.family["c1"]})["id"]
        _post(client, world.teacher, f"/meldcode/cases/{case_id}/steps",
              {"step": 1, "content": "Kanarie-stap."})
        before = len(self._events(session, object_id=case_id, action="disclosure"))
        shown = client.get(f"/api/v1/meldcode/cases/{case_id}", headers=world.teacher.headers)
        assert "Kanarie-stap." in shown.text
        reads = self._events(session, object_id=case_id, action="disclosure")
        assert len(reads) == before + 1 and reads[-1]["basis"] == "own_submission"

    def test_the_households_consents_are_recorded_when_read(
            self, client: TestClient, session: Session, world: World) -> None:
        from broker.consent import service as consents
        from broker.identity.service import professional_principal

        assert world.regisseur.professional is not None
        regisseur = professional_principal(session, world.regisseur.org,
                                           world.regisseur.professional)
        before = len(self._events(session, object_type="consent", action="read"))
        consents.household_consents(session, actor=regisseur,
                                    household_id=world.family["household"])
        reads = self._events(session, object_type="consent", action="read")
        # one read per person whose consents were read (Noor, her mother)
        assert len(reads) == before + 2

    def test_withheld_members_show_no_custody_and_the_label_needs_a_shown_member(
            self, client: TestClient, world: World) -> None:
        as_school = client.get(f"/api/v1/households/{world.family['household']}",
                               headers=world.teacher.headers).json()
        assert all(m.get("withheld") for m in as_school["members"])
        assert as_school["custody"] == [] and as_school["label"] == "Huishouden"
        as_regisseur = client.get(f"/api/v1/households/{world.family['household']}",
                                  headers=world.regisseur.headers).json()
        assert len(as_regisseur["custody"]) == 4 and as_regisseur["label"] == "Gezin J."
