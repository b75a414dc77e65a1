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
from tests.consent.helpers import Caller, caller, consent_body, member_of
from tests.dates import days_from_today
from tests.factories import make_org, make_team
from tests.identity.flows import csrf_of
from tests.meldcode.helpers import (
    Setting,
    colleague,
    may_see,
    open_case,
    override_body,
    setting,
    step,
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


def mandate(client: TestClient, who: Caller, subject: str, kind: str,
            organisation: Caller | None = None, **extra: Any) -> Any:
    """`who` registers `organisation`'s (by default its own) mandate on `subject`."""
    return client.post("/api/v1/mandates", headers=who.headers, json={
        "subject_id": subject, "kind": kind, "organisation_id": (organisation or who).org.id,
        "valid_from": days_from_today(0), **extra})


def decision(client: TestClient, s: Setting, subject: str, category: str, recipient: Caller,
             purpose: str, holder: Caller | None = None) -> dict[str, Any]:
    """What the regisseur's own record (or `holder`'s) would release to `recipient`."""
    response = client.post("/api/v1/decisions", headers=s.regisseur.headers, json={
        "subject_id": subject, "category": category, "purpose": purpose,
        "recipient": {"organisation_id": recipient.org.id},
        "holder_organisation_id": (holder or s.regisseur).org.id})
    assert response.status_code == 200, response.text
    return dict(response.json())


class TestAcceptance3Mandates:
    def test_veilig_thuis_only_within_a_report_mandate_for_the_policys_categories(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        noor, mother, vt, school = s.family["c1"], s.family["m"], s.veilig_thuis, s.teacher
        assert decision(client, s, noor, "veiligheid", vt, "meldcode",
                        holder=school)["effect"] == "deny"
        open_case(client, s, steps=5)  # the school reports to Veilig Thuis
        [made] = client.get("/api/v1/mandates", headers=vt.headers).json()
        assert made["kind"] == "vt_report" and made["status"] == "active"
        assert "5.2.6" in made["source"] and "7.3.8" not in made["source"]
        permitted = decision(client, s, noor, "veiligheid", vt, "meldcode", holder=school)
        assert permitted["effect"] == "permit" and permitted["basis"] == "legal_duty"
        assert permitted["mandate_ids"] == [made["id"]]
        assert decision(client, s, noor, "basisgegevens", vt, "meldcode")["effect"] == "permit"
        # Not a category outside the report's, not the mother's mental health, not what the
        # regisseur's organisation or the GP keep under their own secrecy.
        assert decision(client, s, noor, "psychische_gezondheid", vt, "meldcode",
                        holder=school)["effect"] == "deny"
        assert decision(client, s, mother, "psychische_gezondheid", vt, "meldcode",
                        holder=school)["effect"] == "deny"
        assert decision(client, s, noor, "veiligheid", vt, "meldcode")["effect"] == "deny"
        assert decision(client, s, noor, "veiligheid", vt, "meldcode",
                        holder=s.gp)["effect"] == "deny"
        logged = session.scalars(select(AuditPending.payload).where(
            AuditPending.action == "decision",
            AuditPending.payload.contains(made["id"]))).all()
        assert logged  # the audit event names the mandate

    def test_a_gi_within_its_ots_and_not_the_day_after(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        gi = caller(client, session, policy, party="gi", roles=["partner"], name="GI Noord")
        noor = s.family["c1"]
        # The regisseur received the court's decision and registers the GI's ground.
        without = mandate(client, s.regisseur, noor, "ots", gi,
                          valid_until=days_from_today(365))
        assert without.status_code == 422 and without.json()["code"] == "reference_required"
        made = mandate(client, s.regisseur, noor, "ots", gi, valid_until=days_from_today(365),
                       reference="C/09/612345")
        assert made.status_code == 201, made.text
        assert made.json()["reference"] == "C/09/612345"
        assert decision(client, s, noor, "opvoeding", gi, "jeugdbescherming")["basis"] == \
            "legal_duty"
        assert decision(client, s, s.family["c2"], "opvoeding", gi,
                        "jeugdbescherming")["effect"] == "deny"  # another child
        assert decision(client, s, noor, "opvoeding", gi, "jeugdbescherming",
                        holder=s.gp)["effect"] == "deny"  # the GP weighs its own secrecy
        with frozen_at(now() + timedelta(days=364)):
            assert decision(client, s, noor, "opvoeding", gi,
                            "jeugdbescherming")["effect"] == "permit"
        with frozen_at(now() + timedelta(days=366)):
            assert decision(client, s, noor, "opvoeding", gi,
                            "jeugdbescherming")["effect"] == "deny"

    def test_nobody_grants_itself_a_strangers_file(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        noor = s.family["c1"]
        gi = caller(client, session, policy, party="gi", roles=["partner"], name="GI Zuid")
        gi_system = caller(client, session, policy, party="gi")
        # An organisation not involved with the family cannot register its own ground on a
        # child it names: the person does not exist for it, as for a made-up id.
        for who in (gi, gi_system):
            stranger = mandate(client, who, noor, "ots", reference="C/1")
            made_up = mandate(client, who, "00000000-0000-0000-0000-000000000000", "ots",
                              reference="C/1")
            assert stranger.status_code == made_up.status_code == 404
            assert stranger.json()["detail"] == made_up.json()["detail"]
        for_another = mandate(client, s.teacher, noor, "ots", gi, reference="C/1")
        assert for_another.status_code == 403
        assert for_another.json()["code"] == "not_own_mandate"
        wrong_kind = mandate(client, s.regisseur, noor, "ots", s.veilig_thuis, reference="C/1")
        assert wrong_kind.status_code == 422 and wrong_kind.json()["code"] == "mandate_kind"
        too_long = mandate(client, s.regisseur, noor, "ots", gi, reference="C/1",
                           valid_until=days_from_today(800))
        assert too_long.status_code == 422 and too_long.json()["code"] == "mandate_too_long"
        over = mandate(client, s.regisseur, noor, "ots", gi, reference="C/1",
                       valid_from=days_from_today(-400), valid_until=days_from_today(-40))
        assert over.status_code == 422 and over.json()["code"] == "mandate_period"
        parent = mandate(client, s.regisseur, s.family["m"], "ots", gi, reference="C/1")
        assert parent.status_code == 422 and parent.json()["code"] == "not_a_child"

    def test_a_mandate_ends_and_the_team_sees_who_holds_one(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        noor = s.family["c1"]
        gi = caller(client, session, policy, party="gi", roles=["partner"], name="GI West")
        mandate_id = mandate(client, s.regisseur, noor, "voogdij", gi,
                             reference="C/09/1").json()["id"]
        assert client.post(f"/api/v1/mandates/{mandate_id}/end", headers=s.veilig_thuis.headers,
                           json={"on": days_from_today(0)}).status_code == 404
        listed = client.get("/api/v1/mandates", headers=s.regisseur.headers,
                            params={"subject_id": noor})
        assert [(m["kind"], m["reference"]) for m in listed.json()] == [("voogdij", "C/09/1")]
        assert client.get("/api/v1/mandates", headers=s.teacher.headers,
                          params={"subject_id": noor}).json() == []
        ended = client.post(f"/api/v1/mandates/{mandate_id}/end", headers=gi.headers,
                            json={"on": days_from_today(0)})
        assert ended.status_code == 200 and ended.json()["status"] == "ended"
        assert decision(client, s, noor, "opvoeding", gi, "jeugdbescherming")["effect"] == \
            "deny"
        again = client.post(f"/api/v1/mandates/{mandate_id}/end", headers=s.regisseur.headers,
                            json={"on": days_from_today(0)})
        assert again.status_code == 409 and again.json()["code"] == "mandate_ended"


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


class TestFreshEyes:
    """What a review found, each now refused or fixed."""

    def test_a_request_to_the_regisseurs_organisation_is_for_the_households_team(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        open_case(client, s, steps=5)  # Veilig Thuis holds a report mandate on Noor
        asked = client.post("/api/v1/information-requests", headers=s.veilig_thuis.headers,
                            json={"subject_id": s.family["c1"], "categories": ["opvoeding"],
                                  "holder_organisation_id": s.regisseur.org.id,
                                  "purpose": "meldcode", "reason": "Hoe gaat het thuis?"})
        assert asked.status_code == 201, asked.text
        # Read under the request's own purpose: Veilig Thuis sees whom it asked about.
        assert asked.json()["subject_name"] == "N. Jansen"
        other_team = member_of(client, session, s.regisseur.org, ["regisseur"],
                               [make_team(session, s.regisseur.org, "Team Oost")])
        assert client.get("/api/v1/information-requests", headers=other_team.headers
                          ).json() == []
        path = f"/api/v1/information-requests/{asked.json()['id']}/answer"
        assert client.post(path, headers=other_team.headers, json={
            "answer": "refused", "reason": "x"}).status_code == 404
        inbox = client.get("/api/v1/information-requests", headers=s.regisseur.headers).json()
        assert [r["reason"] for r in inbox] == ["Hoe gaat het thuis?"]
        assert client.post(path, headers=s.regisseur.headers, json={
            "answer": "consent_requested"}).status_code == 200

    def test_an_answer_by_override_names_one_in_force_that_covers_the_request(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        consent(client, s, s.family["c1"], ["basisgegevens"], s.teacher.org.id)
        asked = client.post("/api/v1/information-requests", headers=s.regisseur.headers, json={
            "subject_id": s.family["c1"], "categories": ["gezondheid"],
            "holder_organisation_id": s.teacher.org.id, "purpose": "hulpverlening",
            "reason": "Wat ziet de school?"}).json()
        path = f"/api/v1/information-requests/{asked['id']}/answer"
        case_id = open_case(client, s, steps=4)
        to_regisseur = override_body(s) | {
            "recipients": [{"organisation_id": s.regisseur.org.id}]}
        pending = client.post(f"/api/v1/meldcode/cases/{case_id}/overrides",
                              headers=s.teacher.headers, json=to_regisseur).json()["id"]
        other = client.post(f"/api/v1/meldcode/cases/{case_id}/overrides",
                            headers=s.teacher.headers,
                            json=to_regisseur | {"categories": ["onderwijs"]}).json()["id"]
        client.post(f"/api/v1/overrides/{other}/approve", headers=s.officer.headers)
        for wrong in (pending, other):  # not yet in force; another category
            refused = client.post(path, headers=s.teacher.headers,
                                  json={"answer": "override", "override_id": wrong})
            assert refused.status_code == 422 and refused.json()["code"] == "override_mismatch"
        client.post(f"/api/v1/overrides/{pending}/approve", headers=s.officer.headers)
        answered = client.post(path, headers=s.teacher.headers,
                               json={"answer": "override", "override_id": pending})
        assert answered.status_code == 200 and answered.json()["override_id"] == pending

    def test_handbacks_come_from_veilig_thuis_or_onwards_and_when_they_happen(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        path = f"/api/v1/households/{s.family['household']}/handbacks"
        body = {"from_organisation_id": s.gp.org.id, "to_organisation_id": s.teacher.org.id,
                "on": days_from_today(0)}
        stranger = client.post(path, headers=s.teacher.headers, json=body)
        assert stranger.status_code == 422 and stranger.json()["code"] == "handback_from"
        long_ago = client.post(path, headers=s.teacher.headers, json=body | {
            "from_organisation_id": s.veilig_thuis.org.id, "on": "1990-01-01"})
        assert long_ago.status_code == 422 and long_ago.json()["code"] == "handback_date"

    def test_an_acute_report_is_handed_back(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        case_id = open_case(client, s)
        path = f"/api/v1/meldcode/cases/{case_id}/steps"
        client.post(path, headers=s.teacher.headers, json=step(1, acuut=True))
        client.post(path, headers=s.teacher.headers, json=step(5, decision="melden"))
        back = client.post(f"/api/v1/meldcode/cases/{case_id}/handback",
                           headers=s.teacher.headers, json={"on": days_from_today(0)})
        assert back.status_code == 201, back.text

    def test_a_lapsed_restriction_is_not_renewed(
            self, client: TestClient, session: Session, policy: Policy) -> None:
        s = setting(client, session, policy)
        body = override_body(s) | {"inform_parents": {
            "not_informed_reason": "Gevaar.", "review_on": days_from_today(5)}}
        case_id = open_case(client, s, steps=4)
        override_id = client.post(f"/api/v1/meldcode/cases/{case_id}/overrides",
                                  headers=s.teacher.headers, json=body).json()["id"]
        with frozen_at(now() + timedelta(days=6)):
            late = client.post(f"/api/v1/overrides/{override_id}/restriction",
                               headers=s.officer.headers, json={
                                   "reason": "Toch nog niet.",
                                   "review_on": days_from_today(30)})
        assert late.status_code == 409 and late.json()["code"] == "restriction_lapsed"
