"""Issue 7: the meldcode's five steps, and overrides that are scoped, time-limited,
four-eyes and recorded."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.audit.models import AuditPending
from broker.clock import frozen_at, now
from broker.meldcode.service import record_expiries
from broker.policy import Policy
from tests.dates import days_from_today
from tests.meldcode.helpers import (
    ANSWERS,
    WORKING,
    colleague,
    may_see,
    open_case,
    override_body,
    setting,
    step,
)


class TestAcceptance1Order:
    def test_steps_out_of_order_get_422_step_order(self, client: TestClient, session: Session,
                                                   policy: Policy) -> None:
        s = setting(client, session, policy)
        case_id = open_case(client, s)
        path = f"/api/v1/meldcode/cases/{case_id}/steps"
        skipped = client.post(path, headers=s.teacher.headers, json=step(2))
        assert skipped.status_code == 422 and skipped.json()["code"] == "step_order"
        assert skipped.json()["expected"] == 1
        assert client.post(path, headers=s.teacher.headers, json=step(1)).status_code == 201
        again = client.post(path, headers=s.teacher.headers, json=step(1))
        assert again.status_code == 422 and again.json()["expected"] == 2
        case = client.get(f"/api/v1/meldcode/cases/{case_id}", headers=s.teacher.headers)
        assert case.json()["step"] == 2 and case.json()["steps"][0]["content"] == \
            "Stap 1 vastgelegd."

    def test_override_before_step_4_is_refused_unless_urgent(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        case_id = open_case(client, s, steps=3)
        path = f"/api/v1/meldcode/cases/{case_id}/overrides"
        early = client.post(path, headers=s.teacher.headers, json=override_body(s))
        assert early.status_code == 422 and early.json()["code"] == "step_order"
        urgent = client.post(path, headers=s.teacher.headers,
                             json=override_body(s, urgent=True))
        assert urgent.status_code == 201 and urgent.json()["status"] == "active"
        assert urgent.json()["review_due"] is not None

    def test_other_organisations_do_not_see_the_case(self, client: TestClient,
                                                     session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        case_id = open_case(client, s)
        assert client.get(f"/api/v1/meldcode/cases/{case_id}",
                          headers=s.gp.headers).status_code == 404


class TestAcceptance2FourEyesAndScope:
    def test_own_approval_is_refused_another_officer_approves_scope_holds(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        case_id = open_case(client, s, steps=4)
        requested = client.post(f"/api/v1/meldcode/cases/{case_id}/overrides",
                                headers=s.teacher.headers, json=override_body(s))
        assert requested.status_code == 201 and requested.json()["status"] == "pending"
        override_id = requested.json()["id"]
        noor, daan = s.family["c1"], s.family["c2"]
        assert may_see(client, s, noor, "gezondheid")["effect"] == "deny"  # pending

        own = client.post(f"/api/v1/overrides/{override_id}/approve", headers=s.teacher.headers)
        assert own.status_code == 403 and own.json()["code"] == "four_eyes"
        approved = client.post(f"/api/v1/overrides/{override_id}/approve",
                               headers=s.officer.headers)
        assert approved.status_code == 200 and approved.json()["status"] == "active"

        permitted = may_see(client, s, noor, "gezondheid")
        assert permitted["effect"] == "permit" and permitted["basis"] == "override"
        assert permitted["override_ids"] == [override_id]
        assert may_see(client, s, noor, "financien")["effect"] == "deny"  # other category
        assert may_see(client, s, daan, "gezondheid")["effect"] == "deny"  # sibling
        assert may_see(client, s, noor, "gezondheid",
                          recipient=s.regisseur.org.id)["effect"] == "deny"  # other recipient

    def test_a_partner_without_the_role_cannot_approve(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        case_id = open_case(client, s, steps=4)
        override_id = client.post(f"/api/v1/meldcode/cases/{case_id}/overrides",
                                  headers=s.teacher.headers,
                                  json=override_body(s)).json()["id"]
        response = client.post(f"/api/v1/overrides/{override_id}/approve",
                               headers=s.gp.headers)
        assert response.status_code == 404  # another organisation's override

    def test_too_long_is_refused(self, client: TestClient, session: Session,
                                 policy: Policy) -> None:
        s = setting(client, session, policy)
        case_id = open_case(client, s, steps=4)
        response = client.post(f"/api/v1/meldcode/cases/{case_id}/overrides",
                               headers=s.teacher.headers, json=override_body(s, days=29))
        assert response.status_code == 422 and response.json()["code"] == "override_too_long"


class TestAcceptance3ExpiryAndRevocation:
    def _approved(self, client: TestClient, s: object, case_id: str, days: int = 14) -> str:
        override_id = client.post(f"/api/v1/meldcode/cases/{case_id}/overrides",
                                  headers=s.teacher.headers,  # type: ignore[attr-defined]
                                  json=override_body(s, days=days)).json()["id"]  # type: ignore
        client.post(f"/api/v1/overrides/{override_id}/approve",
                    headers=s.officer.headers)  # type: ignore[attr-defined]
        return str(override_id)

    def test_expiry_ends_access_on_the_next_read_and_is_recorded(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        override_id = self._approved(client, s, open_case(client, s, steps=4), days=3)
        noor = s.family["c1"]
        assert may_see(client, s, noor, "gezondheid")["effect"] == "permit"
        with frozen_at(now() + timedelta(days=3, minutes=1)):
            assert may_see(client, s, noor, "gezondheid")["effect"] == "deny"
            assert record_expiries(session) == 1
            assert record_expiries(session) == 0  # once
        expired = session.scalars(select(AuditPending.payload).where(
            AuditPending.action == "override.expire")).all()
        assert len(expired) == 1 and override_id in expired[0]

    def test_revocation_ends_access_at_once_and_is_recorded(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        override_id = self._approved(client, s, open_case(client, s, steps=4))
        revoked = client.post(f"/api/v1/overrides/{override_id}/revoke",
                              headers=s.officer.headers,
                              json={"reason": "Ouders zijn ingelicht en stemmen nu in."})
        assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
        assert may_see(client, s, s.family["c1"], "gezondheid")["effect"] == "deny"
        assert session.scalars(select(AuditPending.id).where(
            AuditPending.action == "override.revoke")).all()
        again = client.post(f"/api/v1/overrides/{override_id}/revoke",
                            headers=s.officer.headers, json={"reason": "nogmaals"})
        assert again.status_code == 409


class TestAcceptance4UrgentReview:
    def test_an_unreviewed_urgent_override_lapses_and_shows_as_overdue(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        case_id = open_case(client, s, steps=1)
        urgent = client.post(f"/api/v1/meldcode/cases/{case_id}/overrides",
                             headers=s.teacher.headers, json=override_body(s, urgent=True))
        override_id = urgent.json()["id"]
        noor = s.family["c1"]
        assert may_see(client, s, noor, "gezondheid")["basis"] == "override"
        queue = client.get("/api/v1/audit/overrides", headers=s.officer.headers).json()
        assert [o["id"] for o in queue["awaiting_review"]] == [override_id]
        hours = policy.meldcode.override.urgent_review_hours
        with frozen_at(now() + timedelta(hours=hours, minutes=1)):
            assert may_see(client, s, noor, "gezondheid")["effect"] == "deny"
            queue = client.get("/api/v1/audit/overrides", headers=s.officer.headers).json()
        assert [o["id"] for o in queue["overdue"]] == [override_id]
        assert queue["overdue"][0]["status"] == "lapsed" and queue["awaiting_review"] == []
        # Reading the queue writes nothing: the lapse is recorded by the job, once
        assert not session.scalars(select(AuditPending.payload).where(
            AuditPending.action == "override.expire")).all()

    def test_a_reviewed_urgent_override_stays_in_force(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        case_id = open_case(client, s, steps=1)
        override_id = client.post(f"/api/v1/meldcode/cases/{case_id}/overrides",
                                  headers=s.teacher.headers,
                                  json=override_body(s, urgent=True)).json()["id"]
        assert client.post(f"/api/v1/overrides/{override_id}/approve",
                           headers=s.officer.headers).status_code == 200
        hours = policy.meldcode.override.urgent_review_hours
        with frozen_at(now() + timedelta(hours=hours + 1)):
            assert may_see(client, s, s.family["c1"], "gezondheid")["effect"] == "permit"


class TestAcceptance5Afwegingskader:
    def test_acute_unsafety_with_afsluiten_is_refused(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        case_id = open_case(client, s, steps=3)
        path = f"/api/v1/meldcode/cases/{case_id}/steps"
        acute = {**ANSWERS, "acuut_of_structureel_onveilig": True}
        assert client.post(path, headers=s.teacher.headers,
                           json=step(4, answers=acute)).status_code == 201
        closing = client.post(path, headers=s.teacher.headers,
                              json=step(5, decision="afsluiten"))
        assert closing.status_code == 422 and closing.json()["code"] == "meldplicht"
        assert "acute of structurele onveiligheid" in closing.json()["detail"]
        reported = client.post(path, headers=s.teacher.headers, json=step(5, decision="melden"))
        assert reported.status_code == 201 and reported.json()["completed"] is True

    def test_without_a_suspicion_the_case_may_close(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        case_id = open_case(client, s, steps=3)
        path = f"/api/v1/meldcode/cases/{case_id}/steps"
        client.post(path, headers=s.teacher.headers, json=step(4, answers={"vermoeden": False}))
        closing = client.post(path, headers=s.teacher.headers,
                              json=step(5, decision="afsluiten"))
        assert closing.status_code == 201


class TestIssue18TheFrameworkAsItIsWritten:
    """Issue 18, acceptance 4 (the two closing cases): an unanswered question is no 'no', and
    a standing suspicion is not closed."""

    def test_a_suspicion_with_the_other_questions_unanswered_is_incomplete(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        path = f"/api/v1/meldcode/cases/{open_case(client, s, steps=3)}/steps"
        bare = client.post(path, headers=s.teacher.headers,
                           json=step(4, answers={"vermoeden": True}))
        assert bare.status_code == 422 and bare.json()["code"] == "answers_incomplete"
        assert bare.json()["question"] == "acuut_of_structureel_onveilig"
        halfway = {"vermoeden": True, "acuut_of_structureel_onveilig": False,
                   "hulp_mogelijk": True}
        second = client.post(path, headers=s.teacher.headers, json=step(4, answers=halfway))
        assert second.status_code == 422 and second.json()["question"] == "hulp_geaccepteerd"
        # Even when an answer requires a report, every question is answered: help may
        # still be organised beside the report.
        acute = {"vermoeden": True, "acuut_of_structureel_onveilig": True}
        third = client.post(path, headers=s.teacher.headers, json=step(4, answers=acute))
        assert third.status_code == 422 and third.json()["question"] == "hulp_mogelijk"
        acute |= {"hulp_mogelijk": True, "hulp_geaccepteerd": True,
                  "hulp_leidt_tot_veiligheid": False}
        assert client.post(path, headers=s.teacher.headers,
                           json=step(4, answers=acute)).status_code == 201

    def test_help_possible_accepted_and_effective_is_organised_not_closed(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        path = f"/api/v1/meldcode/cases/{open_case(client, s, steps=3)}/steps"
        assert client.post(path, headers=s.teacher.headers,
                           json=step(4, answers=WORKING)).status_code == 201
        closing = client.post(path, headers=s.teacher.headers,
                              json=step(5, decision="afsluiten"))
        assert closing.status_code == 422
        assert closing.json()["code"] == "meldcode_not_closable"
        unfollowed = client.post(path, headers=s.teacher.headers,
                                 json=step(5, decision="hulp_organiseren"))
        assert unfollowed.status_code == 422
        assert unfollowed.json()["code"] == "follow_up_required"
        organised = client.post(path, headers=s.teacher.headers, json=step(
            5, decision="hulp_organiseren", follow_up_on=days_from_today(30)))
        assert organised.status_code == 201, organised.text
        assert organised.json()["steps"][4]["follow_up_on"] == days_from_today(30)


class TestReportToVeiligThuis:
    def test_the_report_holds_the_signals_and_steps_under_legal_duty(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        noor = s.family["c1"]
        grantors = [noor, s.family["m"], s.family["p"]]
        client.post("/api/v1/consents", headers=s.regisseur.headers, json={
            "subject_id": noor, "categories": ["veiligheid", "financien"],
            "recipients": [{"party": "wijkteam"}], "purposes": ["hulpverlening"],
            "grantor_ids": grantors, "evidence": {"method": "written"}})
        # The school knows Noor: her name and birth date are in its records too.
        client.post("/api/v1/consents", headers=s.regisseur.headers, json={
            "subject_id": noor, "categories": ["basisgegevens"],
            "recipients": [{"organisation_id": s.teacher.org.id}],
            "purposes": ["hulpverlening"], "grantor_ids": grantors,
            "evidence": {"method": "written"}})
        signals = [client.post("/api/v1/observations", headers=s.teacher.headers, json={
            "subject_id": noor, "category": category, "concern": "high",
            "observed_on": days_from_today(-3), "body": text}).json()["id"]
            for category, text in (("veiligheid", "Blauwe plekken op de armen."),
                                   ("financien", "Geen geld voor schoolreisje."))]
        case_id = open_case(client, s)
        path = f"/api/v1/meldcode/cases/{case_id}/steps"
        client.post(path, headers=s.teacher.headers, json=step(1, observation_ids=signals))
        for number in (2, 3, 4):
            client.post(path, headers=s.teacher.headers, json=step(number))
        early = client.get(f"/api/v1/meldcode/cases/{case_id}/report",
                           headers=s.teacher.headers)
        assert early.status_code == 409 and early.json()["code"] == "no_report"
        client.post(path, headers=s.teacher.headers, json=step(5, decision="melden"))
        report = client.get(f"/api/v1/meldcode/cases/{case_id}/report",
                            headers=s.teacher.headers)
        assert report.status_code == 200, report.text
        body = report.json()
        assert body["child"]["given_name"] == "Noor" and body["basis"] == "legal_duty"
        # The only Veilig Thuis the broker knows, as none was named at step 5.
        assert body["addressed_to"]["organisation_id"] == s.veilig_thuis.org.id
        assert [x["body"] for x in body["signals"]] == ["Blauwe plekken op de armen."]
        assert body["withheld_signals"] == 1  # finances are not the meldcode's to share
        assert [x["step"] for x in body["steps"]] == [1, 2, 3, 4, 5]
        assert body["contact"]["organisation_name"] == "De Linde"
        to_veilig_thuis = session.scalars(select(AuditPending.basis).where(
            AuditPending.action == "disclosure",
            AuditPending.payload.contains('"purpose":"meldcode"'))).all()
        assert len(to_veilig_thuis) == 3 and set(to_veilig_thuis) == {"legal_duty"}


class TestIssue18AcuteSkippedAndFollowedUp:
    def test_in_acute_danger_the_report_comes_first_and_the_steps_follow(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        case_id = open_case(client, s)
        path = f"/api/v1/meldcode/cases/{case_id}/steps"
        first = client.post(path, headers=s.teacher.headers, json=step(1, acuut=True))
        assert first.status_code == 201 and first.json()["step"] == 5
        term = policy.meldcode.terms.acute_steps_days
        assert first.json()["steps_due_by"] == days_from_today(term)
        helping = client.post(path, headers=s.teacher.headers,
                              json=step(5, decision="hulp_organiseren",
                                        follow_up_on=days_from_today(7)))
        assert helping.status_code == 422 and helping.json()["code"] == "acute_report"
        reported = client.post(path, headers=s.teacher.headers, json=step(5, decision="melden"))
        assert reported.status_code == 201, reported.text
        assert reported.json()["step"] == 2 and not reported.json()["completed"]
        for number in (2, 3, 4):
            assert client.post(path, headers=s.teacher.headers,
                               json=step(number)).status_code == 201
        done = client.get(f"/api/v1/meldcode/cases/{case_id}", headers=s.teacher.headers)
        assert done.json()["completed"] and done.json()["steps_due_by"] is None
        assert [x["step"] for x in done.json()["steps"]] == [1, 2, 3, 4, 5]

    def test_an_acute_report_without_the_steps_after_the_term_is_flagged(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        lead = colleague(client, session, s.regisseur.org, ["teamleider"])
        path = f"/api/v1/meldcode/cases/{open_case(client, s)}/steps"
        client.post(path, headers=s.teacher.headers, json=step(1, acuut=True))
        client.post(path, headers=s.teacher.headers, json=step(5, decision="melden"))
        term = policy.meldcode.terms.acute_steps_days
        with frozen_at(now() + timedelta(days=term + 1)):
            summary = client.get("/api/v1/quality/summary", headers=lead.headers).json()
        flags = {r["household_id"]: r["flags"] for r in summary["at_risk"]}
        assert "meldcode_stalled" in flags[s.family["household"]]

    def test_step_3_is_skipped_only_with_a_safety_reason(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        path = f"/api/v1/meldcode/cases/{open_case(client, s, steps=2)}/steps"
        bare = client.post(path, headers=s.teacher.headers,
                           json=step(3, talked_with_family=False))
        assert bare.status_code == 422 and bare.json()["code"] == "skip_reason_required"
        skipped = client.post(path, headers=s.teacher.headers, json=step(
            3, talked_with_family=False, skip_reason="Vader dreigt; een gesprek is onveilig."))
        assert skipped.status_code == 201, skipped.text
        third = skipped.json()["steps"][2]
        assert third["talked_with_family"] is False
        assert third["skip_reason"] == "Vader dreigt; een gesprek is onveilig."

    def test_organised_help_is_followed_up_within_the_policy_term(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        path = f"/api/v1/meldcode/cases/{open_case(client, s, steps=3)}/steps"
        client.post(path, headers=s.teacher.headers, json=step(4, answers=WORKING))
        longest = policy.meldcode.terms.follow_up_max_days
        late = client.post(path, headers=s.teacher.headers, json=step(
            5, decision="hulp_organiseren", follow_up_on=days_from_today(longest + 1)))
        assert late.status_code == 422 and late.json()["code"] == "follow_up_date"
        assert client.post(path, headers=s.teacher.headers, json=step(
            5, decision="hulp_organiseren",
            follow_up_on=days_from_today(10))).status_code == 201
        readiness = client.get(f"/api/v1/quality/households/{s.family['household']}",
                               headers=s.regisseur.headers)
        indicator = {i["id"]: i for i in readiness.json()["indicators"]}["meldcode_followed"]
        assert indicator["status"] == "ok"
        with frozen_at(now() + timedelta(days=11)):
            readiness = client.get(f"/api/v1/quality/households/{s.family['household']}",
                                   headers=s.regisseur.headers)
        indicator = {i["id"]: i for i in readiness.json()["indicators"]}["meldcode_followed"]
        assert indicator["status"] == "attention" and "gevolgd" in indicator["reason"]
