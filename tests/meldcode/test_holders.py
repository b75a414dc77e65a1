"""Issue 18: professional secrecy belongs to the holder. An override releases only the
requesting organisation's own information, to the recipients the policy allows, approved by
its own aandachtsfunctionaris; Veilig Thuis, a GI and the Raad have a legal ground only
within a mandate in force for that child; a regisseur asks a holder, who answers; a reason
not to tell the family is temporary."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.audit.models import AuditEvent, AuditPending
from broker.clock import frozen_at, now
from broker.policy import Policy
from tests.consent.helpers import Caller, caller, consent_body
from tests.dates import days_from_today
from tests.factories import make_org
from tests.identity.flows import csrf_of
from tests.meldcode.helpers import (
    Setting,
    colleague,
    may_see,
    open_case,
    override_body,
    setting,
)


def consent(client: TestClient, s: Setting, subject: str, categories: list[str],
            recipient: str) -> None:
    """Noor and both parents (or an adult alone) consent to sharing with `recipient`."""
    grantors = [s.family["c1"], s.family["m"], s.family["p"]] if subject == s.family["c1"] \
        else [subject]
    made = client.post("/api/v1/consents", headers=s.regisseur.headers, json=consent_body(
        subject, grantors, categories=categories, recipients=[{"organisation_id": recipient}]))
    assert made.status_code == 201, made.text


def observe(client: TestClient, who: Caller, subject: str, category: str, text: str) -> str:
    response = client.post("/api/v1/observations", headers=who.headers, json={
        "subject_id": subject, "category": category, "concern": "high",
        "observed_on": days_from_today(-2), "body": text})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def seen(client: TestClient, who: Caller, s: Setting) -> tuple[set[str], set[str]]:
    """(bodies shown, ids withheld) of the household's observations for `who`."""
    response = client.get(f"/api/v1/households/{s.family['household']}/observations",
                          headers=who.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    return {i["body"] for i in body["items"]}, {w["id"] for w in body["withheld"]}


def approved_override(client: TestClient, s: Setting, **extra: Any) -> str:
    case_id = open_case(client, s, steps=4)
    requested = client.post(f"/api/v1/meldcode/cases/{case_id}/overrides",
                            headers=s.teacher.headers, json={**override_body(s), **extra})
    assert requested.status_code == 201, requested.text
    override_id = str(requested.json()["id"])
    approved = client.post(f"/api/v1/overrides/{override_id}/approve",
                           headers=s.officer.headers)
    assert approved.status_code == 200, approved.text
    return override_id


class TestAcceptance1AnOverrideReleasesTheHoldersOwnOnly:
    def test_veilig_thuis_reads_the_schools_observation_and_nobody_the_gps(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        noor = s.family["c1"]
        consent(client, s, noor, ["gezondheid"], s.regisseur.org.id)  # both may share
        school_item = observe(client, s.teacher, noor, "gezondheid", "Blauwe plekken.")
        gp_item = observe(client, s.gp, noor, "gezondheid", "Gebroken pols vorig jaar.")
        approved_override(client, s)

        shown, withheld = seen(client, s.veilig_thuis, s)
        assert shown == {"Blauwe plekken."} and gp_item in withheld
        shown, withheld = seen(client, s.teacher, s)
        assert "Gebroken pols vorig jaar." not in shown and gp_item in withheld
        assert school_item not in withheld
        # The decision names the holder: the school's own under the override, not the GP's.
        assert may_see(client, s, noor, "gezondheid")["basis"] == "override"
        assert may_see(client, s, noor, "gezondheid", holder=s.gp.org.id)["effect"] == "deny"


class TestAcceptance2OverridesByTheHolder:
    def test_an_aandachtsfunctionaris_of_another_organisation_gets_403(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        case_id = open_case(client, s, steps=4)
        override_id = client.post(f"/api/v1/meldcode/cases/{case_id}/overrides",
                                  headers=s.teacher.headers, json=override_body(s)).json()["id"]
        # Veilig Thuis knows the override (it is its recipient) but is not the holder.
        vt_officer = colleague(client, session, s.veilig_thuis.org, ["aandachtsfunctionaris"])
        other = client.post(f"/api/v1/overrides/{override_id}/approve",
                            headers=vt_officer.headers)
        assert other.status_code == 403
        assert other.json()["code"] == "four_eyes_same_organisation"
        # An organisation that may not know the override exists learns nothing.
        gp_officer = colleague(client, session, s.gp.org, ["aandachtsfunctionaris"])
        assert client.post(f"/api/v1/overrides/{override_id}/approve",
                           headers=gp_officer.headers).status_code == 404
        assert client.post(f"/api/v1/overrides/{override_id}/approve",
                           headers=s.officer.headers).status_code == 200

    def test_an_urgent_override_to_a_housing_corporation_is_refused(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        housing = make_org(session, policy, party="woningcorporatie", name="Woonstede")
        case_id = open_case(client, s, steps=1)
        path = f"/api/v1/meldcode/cases/{case_id}/overrides"
        urgent = client.post(path, headers=s.teacher.headers, json={
            **override_body(s, urgent=True),
            "recipients": [{"organisation_id": housing.id, "legal_ground": "art. 6 AVG"}]})
        assert urgent.status_code == 422 and urgent.json()["code"] == "override_recipient"
        police = make_org(session, policy, party="politie", name="Politie Eenheid")
        to_police = client.post(path, headers=s.teacher.headers, json={
            **override_body(s, urgent=True), "recipients": [{"organisation_id": police.id}]})
        assert to_police.status_code == 201, to_police.text

    def test_other_recipients_need_a_named_legal_ground_members_a_reason(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        path = f"/api/v1/meldcode/cases/{open_case(client, s, steps=4)}/overrides"
        to_gp = override_body(s) | {"recipients": [{"organisation_id": s.gp.org.id}]}
        refused = client.post(path, headers=s.teacher.headers, json=to_gp)
        assert refused.status_code == 422 and refused.json()["code"] == "override_recipient"
        to_gp["recipients"][0]["legal_ground"] = "WGBO art. 7:457 lid 2 (conflict van plichten)"
        assert client.post(path, headers=s.teacher.headers, json=to_gp).status_code == 201
        # The regisseur's organisation is a recipient by default.
        to_regisseur = override_body(s) | {
            "recipients": [{"organisation_id": s.regisseur.org.id}]}
        assert client.post(path, headers=s.teacher.headers,
                           json=to_regisseur).status_code == 201
        mother = s.family["m"]
        unexplained = override_body(s) | {"subject_ids": [s.family["c1"], mother]}
        refused = client.post(path, headers=s.teacher.headers, json=unexplained)
        assert refused.status_code == 422 and refused.json()["code"] == "subject_reason"
        assert refused.json()["subject_ids"] == [mother]
        explained = unexplained | {"subject_reasons": {
            mother: "De moeder is de enige die het kind beschermt."}}
        assert client.post(path, headers=s.teacher.headers, json=explained).status_code == 201


def mandate(client: TestClient, who: Caller, subject: str, kind: str, **extra: Any
            ) -> Any:
    return client.post("/api/v1/mandates", headers=who.headers, json={
        "subject_id": subject, "kind": kind, "organisation_id": who.org.id,
        "valid_from": days_from_today(0), **extra})


def decision(client: TestClient, s: Setting, subject: str, category: str, recipient: Caller,
             purpose: str) -> dict[str, Any]:
    """What the regisseur's own record would release to `recipient`."""
    response = client.post("/api/v1/decisions", headers=s.regisseur.headers, json={
        "subject_id": subject, "category": category, "purpose": purpose,
        "recipient": {"organisation_id": recipient.org.id},
        "holder_organisation_id": s.regisseur.org.id})
    assert response.status_code == 200, response.text
    return dict(response.json())


class TestAcceptance3Mandates:
    def test_veilig_thuis_only_within_a_report_mandate_for_the_policys_categories(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        noor, mother, vt = s.family["c1"], s.family["m"], s.veilig_thuis
        assert decision(client, s, noor, "veiligheid", vt, "meldcode")["effect"] == "deny"
        made = mandate(client, vt, noor, "vt_report")
        assert made.status_code == 201, made.text
        assert made.json()["status"] == "active"
        assert "5.2.6" in made.json()["source"] and "7.3.8" not in made.json()["source"]
        permitted = decision(client, s, noor, "veiligheid", vt, "meldcode")
        assert permitted["effect"] == "permit" and permitted["basis"] == "legal_duty"
        assert permitted["mandate_ids"] == [made.json()["id"]]
        # Not the mother's mental health, not a category outside the report's, not the
        # information of a holder that has not weighed its own secrecy.
        assert decision(client, s, mother, "psychische_gezondheid", vt,
                        "meldcode")["effect"] == "deny"
        assert decision(client, s, noor, "psychische_gezondheid", vt,
                        "meldcode")["effect"] == "deny"
        assert may_see(client, s, noor, "veiligheid", holder=s.gp.org.id)["effect"] == "deny"
        logged = session.scalars(select(AuditPending.payload).where(
            AuditPending.action == "decision",
            AuditPending.payload.contains(made.json()["id"]))).all()
        assert logged  # the audit event names the mandate

    def test_a_gi_within_its_ots_and_not_the_day_after(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        gi = caller(client, session, policy, party="gi", roles=["partner"], name="GI Noord")
        noor = s.family["c1"]
        without = mandate(client, gi, noor, "ots", valid_until=days_from_today(365))
        assert without.status_code == 422 and without.json()["code"] == "reference_required"
        made = mandate(client, gi, noor, "ots", valid_until=days_from_today(365),
                       reference="C/09/612345")
        assert made.status_code == 201, made.text
        assert decision(client, s, noor, "opvoeding", gi, "jeugdbescherming")["basis"] == \
            "legal_duty"
        assert decision(client, s, s.family["c2"], "opvoeding", gi,
                        "jeugdbescherming")["effect"] == "deny"  # another child
        with frozen_at(now() + timedelta(days=364)):
            assert decision(client, s, noor, "opvoeding", gi,
                            "jeugdbescherming")["effect"] == "permit"
        with frozen_at(now() + timedelta(days=366)):
            assert decision(client, s, noor, "opvoeding", gi,
                            "jeugdbescherming")["effect"] == "deny"

    def test_mandates_are_registered_by_their_own_organisation_and_can_end(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        noor = s.family["c1"]
        gi = caller(client, session, policy, party="gi", roles=["partner"], name="GI Zuid")
        wrong_kind = mandate(client, s.veilig_thuis, noor, "ots", reference="C/1")
        assert wrong_kind.status_code == 422 and wrong_kind.json()["code"] == "mandate_kind"
        for_another = client.post("/api/v1/mandates", headers=s.regisseur.headers, json={
            "subject_id": noor, "kind": "ots", "organisation_id": gi.org.id,
            "reference": "C/1", "valid_from": days_from_today(0)})
        assert for_another.status_code == 403
        assert for_another.json()["code"] == "not_own_mandate"
        made = mandate(client, gi, noor, "voogdij", reference="C/09/1")
        nobody = mandate(client, gi, "00000000-0000-0000-0000-000000000000", "voogdij",
                         reference="C/09/1")
        assert nobody.status_code == 404
        mandate_id = made.json()["id"]
        ended = client.post(f"/api/v1/mandates/{mandate_id}/end", headers=gi.headers,
                            json={"on": days_from_today(0)})
        assert ended.status_code == 200 and ended.json()["status"] == "ended"
        assert decision(client, s, noor, "opvoeding", gi, "jeugdbescherming")["effect"] == \
            "deny"
        assert client.post(f"/api/v1/mandates/{mandate_id}/end", headers=s.veilig_thuis.headers,
                           json={"on": days_from_today(0)}).status_code == 404
        listed = client.get("/api/v1/mandates", headers=s.regisseur.headers,
                            params={"subject_id": noor})
        assert [m["kind"] for m in listed.json()] == ["voogdij"]  # the team sees who holds one

    def test_a_report_through_the_broker_gives_veilig_thuis_its_mandate(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        open_case(client, s, steps=5)  # step 5: melden en hulp organiseren
        listed = client.get("/api/v1/mandates", headers=s.veilig_thuis.headers).json()
        assert [(m["kind"], m["subject_id"]) for m in listed] == [("vt_report", s.family["c1"])]
        # The reporter's own information goes; the GP's does not.
        assert may_see(client, s, s.family["c1"], "veiligheid")["effect"] == "deny"  # purpose
        noor = s.family["c1"]
        response = client.post("/api/v1/decisions", headers=s.regisseur.headers, json={
            "subject_id": noor, "category": "veiligheid", "purpose": "meldcode",
            "recipient": {"organisation_id": s.veilig_thuis.org.id},
            "holder_organisation_id": s.teacher.org.id})
        assert response.json()["basis"] == "legal_duty"
        response = client.post("/api/v1/decisions", headers=s.regisseur.headers, json={
            "subject_id": noor, "category": "veiligheid", "purpose": "meldcode",
            "recipient": {"organisation_id": s.veilig_thuis.org.id},
            "holder_organisation_id": s.gp.org.id})
        assert response.json()["effect"] == "deny"


def ask(client: TestClient, s: Setting, **extra: Any) -> Any:
    return client.post("/api/v1/information-requests", headers=s.regisseur.headers, json={
        "subject_id": s.family["c1"], "categories": ["gezondheid"],
        "holder_organisation_id": s.gp.org.id, "purpose": "hulpverlening",
        "reason": "Wat weet de huisarts over de blauwe plekken?", **extra})


class TestAcceptance4RequestsForInformation:
    def test_answered_by_consent_the_regisseur_reads_the_gps_item(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        noor = s.family["c1"]
        unnamed = ask(client, s)
        assert unnamed.status_code == 422
        assert unnamed.json()["code"] == "holder_not_permitted"  # Noor may not be named yet
        consent(client, s, noor, ["basisgegevens"], s.gp.org.id)
        asked = ask(client, s)
        assert asked.status_code == 201 and asked.json()["status"] == "open", asked.text
        request_id = asked.json()["id"]
        inbox = client.get("/api/v1/information-requests", headers=s.gp.headers).json()
        assert [(r["id"], r["subject_name"]) for r in inbox] == [(request_id, "N. Jansen")]
        assert inbox[0]["reason"] == "Wat weet de huisarts over de blauwe plekken?"
        answered = client.post(f"/api/v1/information-requests/{request_id}/answer",
                               headers=s.gp.headers, json={"answer": "consent_requested"})
        assert answered.status_code == 200 and answered.json()["status"] == "consent_requested"
        # The family consents to the GP's health information going to the regisseur.
        consent(client, s, noor, ["gezondheid"], s.regisseur.org.id)
        observe(client, s.gp, noor, "gezondheid", "Gebroken pols vorig jaar.")
        shown, _ = seen(client, s.regisseur, s)
        assert "Gebroken pols vorig jaar." in shown
        mine = client.get("/api/v1/information-requests", headers=s.regisseur.headers).json()
        assert mine[0]["status"] == "consent_requested"

    def test_refused_the_regisseur_sees_the_refusal_and_its_reason(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        consent(client, s, s.family["c1"], ["basisgegevens"], s.gp.org.id)
        request_id = ask(client, s).json()["id"]
        bare = client.post(f"/api/v1/information-requests/{request_id}/answer",
                           headers=s.gp.headers, json={"answer": "refused"})
        assert bare.status_code == 422 and bare.json()["code"] == "reason_required"
        refused = client.post(f"/api/v1/information-requests/{request_id}/answer",
                              headers=s.gp.headers, json={
                                  "answer": "refused",
                                  "reason": "Niet relevant voor de vraag."})
        assert refused.status_code == 200
        again = client.post(f"/api/v1/information-requests/{request_id}/answer",
                            headers=s.gp.headers, json={"answer": "consent_requested"})
        assert again.status_code == 409
        mine = client.get("/api/v1/information-requests", headers=s.regisseur.headers).json()
        assert [(r["status"], r["answer_reason"]) for r in mine] == [
            ("refused", "Niet relevant voor de vraag.")]
        answers = session.scalars(select(AuditPending.id).where(
            AuditPending.action == "information.answer")).all()
        assert len(answers) == 1

    def test_only_the_regisseur_or_a_mandate_asks_and_only_the_holder_answers(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        consent(client, s, s.family["c1"], ["basisgegevens"], s.gp.org.id)
        by_school = client.post("/api/v1/information-requests", headers=s.teacher.headers,
                                json={"subject_id": s.family["c1"],
                                      "categories": ["gezondheid"],
                                      "holder_organisation_id": s.gp.org.id,
                                      "purpose": "hulpverlening", "reason": "Vraag."})
        assert by_school.status_code == 403 and by_school.json()["code"] == "not_a_requester"
        stranger = caller(client, session, policy, party="jggz", roles=["partner"])
        by_stranger = client.post("/api/v1/information-requests", headers=stranger.headers,
                                  json={"subject_id": s.family["c1"],
                                        "categories": ["gezondheid"],
                                        "holder_organisation_id": s.gp.org.id,
                                        "purpose": "hulpverlening", "reason": "Vraag."})
        assert by_stranger.status_code == 404
        request_id = ask(client, s).json()["id"]
        assert client.post(f"/api/v1/information-requests/{request_id}/answer",
                           headers=s.teacher.headers,
                           json={"answer": "refused", "reason": "x"}).status_code == 404
        assert client.get("/api/v1/information-requests",
                          headers=stranger.headers).json() == []


def shared_with(client: TestClient, session: Session, s: Setting, ref: str = "m") -> set[str]:
    """The organisations the mother's family page says something was shared with (her
    personal link used in this client)."""
    made = client.post(f"/api/v1/households/{s.family['household']}/members/"
                       f"{s.family[ref]}/link", headers=s.regisseur.headers, json={"send": False})
    assert made.status_code == 201, made.text
    token = str(made.json()["url"]).split("/mijn/link/")[1]
    page = client.get(f"/mijn/link/{token}")
    used = client.post(f"/mijn/link/{token}", data={"csrf_token": csrf_of(page.text)},
                       follow_redirects=False)
    assert used.status_code == 303
    response = client.get("/api/v1/me/disclosures")
    assert response.status_code == 200, response.text
    return {d["organisation_id"] for d in response.json()["disclosures"]}


class TestAcceptance6TemporaryRestrictions:
    def test_a_restriction_past_its_review_date_shows_a_renewed_one_does_not(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        consent(client, s, s.family["c1"], ["gezondheid"], s.regisseur.org.id)
        observe(client, s.teacher, s.family["c1"], "gezondheid", "Blauwe plekken.")
        body = override_body(s) | {"inform_parents": {
            "not_informed_reason": "Vader is gewelddadig; vertellen brengt Noor in gevaar.",
            "review_on": days_from_today(10)}}
        case_id = open_case(client, s, steps=4)
        override = client.post(f"/api/v1/meldcode/cases/{case_id}/overrides",
                               headers=s.teacher.headers, json=body)
        assert override.status_code == 201 and \
            override.json()["not_informed_until"] == days_from_today(10)
        override_id = override.json()["id"]
        client.post(f"/api/v1/overrides/{override_id}/approve", headers=s.officer.headers)
        seen(client, s.veilig_thuis, s)  # Veilig Thuis reads under the override
        vt = s.veilig_thuis.org.id
        assert vt not in shared_with(client, session, s)
        with frozen_at(now() + timedelta(days=11)):
            assert vt in shared_with(client, session, s)  # the review day passed
        renewed = client.post(f"/api/v1/overrides/{override_id}/restriction",
                              headers=s.officer.headers, json={
                                  "reason": "Het onderzoek loopt nog.",
                                  "review_on": days_from_today(30)})
        assert renewed.status_code == 200, renewed.text
        with frozen_at(now() + timedelta(days=11)):
            assert vt not in shared_with(client, session, s)
        with frozen_at(now() + timedelta(days=31)):
            assert vt in shared_with(client, session, s)
        logged = [*session.scalars(select(AuditPending.payload).where(
            AuditPending.action == "restriction.renew")),
            *session.scalars(select(AuditEvent.leaf).where(
                AuditEvent.action == "restriction.renew"))]  # the family's reads sequenced it
        assert len(logged) == 1 and override_id in logged[0]

    def test_a_report_to_veilig_thuis_can_wait_with_telling_the_family(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        case_id = open_case(client, s, steps=4)
        reported = client.post(f"/api/v1/meldcode/cases/{case_id}/steps",
                               headers=s.teacher.headers, json={
                                   "step": 5, "content": "Gemeld.", "decision": "melden",
                                   "not_informed": {"reason": "Vertellen brengt Noor in "
                                                    "gevaar.",
                                                    "review_on": days_from_today(7)}})
        assert reported.status_code == 201, reported.text
        report = client.get(f"/api/v1/meldcode/cases/{case_id}/report",
                            headers=s.teacher.headers)
        assert report.status_code == 200
        vt = s.veilig_thuis.org.id
        assert vt not in shared_with(client, session, s, "c1")
        with frozen_at(now() + timedelta(days=8)):
            assert vt in shared_with(client, session, s, "c1")
        mandate_id = client.get("/api/v1/mandates", headers=s.veilig_thuis.headers
                                ).json()[0]["id"]
        renewed = client.post(f"/api/v1/mandates/{mandate_id}/restriction",
                              headers=s.officer.headers, json={
                                  "reason": "Nog niet veilig.",
                                  "review_on": days_from_today(20)})
        assert renewed.status_code == 200, renewed.text
        with frozen_at(now() + timedelta(days=8)):
            assert vt not in shared_with(client, session, s, "c1")
