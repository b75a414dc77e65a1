"""Issue 19 acceptance 4-5: who decides for whom, as it changes. Custody changes by court
decision (BW 1:251, 1:253n) and keeps its history; consents granted under the old custody go
to the re-consent list; a GI as guardian (voogdij, BW 1:302) grants for the child; a youth of 12
or older judged unable to weigh their interests is decided for by the custodians (WGBO 7:465
lid 2); an adult's curator or mentor grants in the matters the policy lists (WGBO 7:465 lid 3,
BW 1:378 and 1:450)."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.households.models import CourtDecision
from broker.policy import Policy
from tests.consent.helpers import Caller, caller, consent_body, jansen
from tests.dates import days_from_today, today, years_ago

COURT = {"reference": "C/09/612345", "date": days_from_today(-1)}


def grant(client: TestClient, who: Caller, subject: str, grantors: list[str],
          recipient: Caller, categories: list[str] | None = None) -> Any:
    return client.post("/api/v1/consents", headers=who.headers, json=consent_body(
        subject, grantors, categories=categories or ["onderwijs"],
        recipients=[{"organisation_id": recipient.org.id}]))


def decide(client: TestClient, who: Caller, subject: str, category: str = "onderwijs",
           recipient: Caller | None = None) -> dict[str, Any]:
    """What the door answers `who` about sharing with `recipient` (default: `who` itself)."""
    response = client.post("/api/v1/decisions", headers=who.headers, json={
        "subject_id": subject, "category": category, "purpose": "hulpverlening",
        "recipient": {"organisation_id": (recipient or who).org.id}})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_acceptance_4_custody_moves_to_the_mother_by_court_decision(
        client: TestClient, session: Session, policy: Policy) -> None:
    regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    school = caller(client, session, policy, party="school", roles=["partner"])
    family = jansen(client, regisseur)
    daan = family["c2"]  # 11: both parents sign for him
    before = grant(client, regisseur, daan, [family["m"], family["p"]], school)
    assert before.status_code == 201, before.text
    changed = client.put(f"/api/v1/households/{family['household']}/custody",
                         headers=regisseur.headers, json={
                             "custody": [{"custodian": family["m"], "child": c}
                                         for c in (family["c1"], daan)],
                             "court_decision": COURT})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert {(c["custodian_id"], c["child_id"]) for c in body["current"]} == {
        (family["m"], family["c1"]), (family["m"], daan)}
    ended = [h for h in body["history"] if h["custodian_id"] == family["p"]]
    assert len(ended) == 2 and {h["ended_on"] for h in ended} == {COURT["date"]}
    assert before.json()["id"] in body["reconsent"]  # granted under the old custody
    # The father no longer decides: his grant is refused with `capacity`.
    refused = grant(client, regisseur, daan, [family["p"]], school)
    assert refused.status_code == 422 and refused.json()["code"] == "capacity"
    assert refused.json()["not_entitled"] == [family["p"]]
    assert grant(client, regisseur, daan, [family["m"]], school).status_code == 201
    # The court's reference is sealed, not stored as text.
    stored = session.scalars(select(CourtDecision.reference)).one()
    assert b"612345" not in stored


def test_custody_is_changed_only_by_the_team_and_keeps_every_minor_cared_for(
        client: TestClient, session: Session, policy: Policy) -> None:
    regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    school = caller(client, session, policy, party="school", roles=["partner"])
    family = jansen(client, regisseur)
    path = f"/api/v1/households/{family['household']}/custody"
    grant(client, regisseur, family["c1"], [family["c1"], family["m"], family["p"]], school)
    partner = client.put(path, headers=school.headers, json={
        "custody": [{"custodian": family["m"], "child": family["c1"]}],
        "court_decision": COURT})
    assert partner.status_code == 403 and partner.json()["code"] == "not_the_team"
    bare = client.put(path, headers=regisseur.headers, json={
        "custody": [{"custodian": family["m"], "child": family["c1"]}],
        "court_decision": COURT})
    assert bare.status_code == 422 and bare.json()["code"] == "custody_incomplete"
    later = client.put(path, headers=regisseur.headers, json={
        "custody": [], "court_decision": {"reference": "x", "date": days_from_today(3)}})
    assert later.status_code == 422 and later.json()["code"] == "court_decision_date"
    child = client.put(path, headers=regisseur.headers, json={
        "custody": [{"custodian": family["c1"], "child": family["c2"]},
                    {"custodian": family["m"], "child": family["c1"]}],
        "court_decision": COURT})
    assert child.status_code == 422 and child.json()["code"] == "invalid_custody"
    not_gi = client.put(path, headers=regisseur.headers, json={
        "custody": [{"custodian_organisation_id": school.org.id, "child": family["c1"]},
                    {"custodian": family["m"], "child": family["c2"]}],
        "court_decision": COURT})
    assert not_gi.status_code == 422 and not_gi.json()["code"] == "custodian_organisation"
    history = client.get(path, headers=regisseur.headers).json()
    assert all(h["ended_on"] is None for h in history["history"])  # nothing half-changed


def test_acceptance_5_a_gi_as_guardian_grants_consent_for_the_child(
        client: TestClient, session: Session, policy: Policy) -> None:
    regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    school = caller(client, session, policy, party="school", roles=["partner"])
    gi = caller(client, session, policy, party="gi", name="GI Jeugdbescherming",
                roles=["partner"])
    family = jansen(client, regisseur)
    daan = family["c2"]
    voogdij = client.put(f"/api/v1/households/{family['household']}/custody",
                         headers=regisseur.headers, json={
                             "custody": [{"custodian": family["m"], "child": family["c1"]},
                                         {"custodian_organisation_id": gi.org.id,
                                          "child": daan}],
                             "court_decision": COURT})
    assert voogdij.status_code == 200, voogdij.text
    # The parents no longer decide for Daan; nor does the regisseur for the GI.
    assert grant(client, regisseur, daan, [family["m"]], school).json()["code"] == "capacity"
    proxy = grant(client, regisseur, daan, [gi.org.id], school)
    assert proxy.status_code == 403 and proxy.json()["code"] == "not_the_guardian"
    granted = grant(client, gi, daan, [gi.org.id], school)  # the GI, involved as guardian
    assert granted.status_code == 201, granted.text
    assert granted.json()["grantor_ids"] == [gi.org.id]
    decision = decide(client, school, daan)
    assert decision["effect"] == "permit" and decision["basis"] == "consent"
    withdrawn = client.post(f"/api/v1/consents/{granted.json()['id']}/withdraw",
                            headers=gi.headers, json={"grantor_id": gi.org.id})
    assert withdrawn.status_code == 200, withdrawn.text
    assert decide(client, regisseur, daan, recipient=school)["effect"] == "deny"


def test_acceptance_5_wgbo_7_465_lid_2_the_custodians_decide_for_a_youth_judged_incapable(
        client: TestClient, session: Session, policy: Policy) -> None:
    regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    school = caller(client, session, policy, party="school", roles=["partner"])
    family = jansen(client, regisseur)
    noor = family["c1"]  # 13: she signs with both parents
    parents = [family["m"], family["p"]]
    assert grant(client, regisseur, noor, parents, school).json()["code"] == "capacity"
    path = f"/api/v1/households/{family['household']}/incapacities"
    judged = client.post(path, headers=regisseur.headers, json={
        "subject_id": noor, "categories": ["onderwijs", "gezondheid"],
        "reason": "Acute psychose; kan de gevolgen niet overzien.",
        "valid_until": days_from_today(60)})
    assert judged.status_code == 201, judged.text
    granted = grant(client, regisseur, noor, parents, school)
    assert granted.status_code == 201, granted.text
    # Ter zake: in another matter she still signs herself.
    other = grant(client, regisseur, noor, parents, school, ["opvoeding"])
    assert other.status_code == 422 and other.json()["code"] == "capacity"
    decision = decide(client, school, noor)
    assert decision["effect"] == "permit"
    assert any("WGBO art. 7:465 lid 2" in r and "gezaghebbenden beslissen" in r
               for r in decision["reasons"]), decision["reasons"]
    # Noor is still informed: the consent about her is on her own page's list.
    ended = client.post(f"{path}/{judged.json()['id']}/end", headers=regisseur.headers)
    assert ended.status_code == 200 and ended.json()["ended_on"] == today().isoformat()
    assert decide(client, school, noor)["effect"] == "deny"  # her own say is back
    due = client.get(f"/api/v1/households/{family['household']}/custody",
                     headers=regisseur.headers).json()["reconsent"]
    assert granted.json()["id"] in due


def test_incapacity_is_for_a_minor_of_12_or_older_for_a_limited_time(
        client: TestClient, session: Session, policy: Policy) -> None:
    regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    stranger = caller(client, session, policy, party="huisarts", roles=["partner"])
    family = jansen(client, regisseur)
    path = f"/api/v1/households/{family['household']}/incapacities"

    def judge(who: Caller, subject: str, days: int, categories: list[str] | None = None
              ) -> Any:
        return client.post(path, headers=who.headers, json={
            "subject_id": subject, "categories": categories or ["gezondheid"], "reason": "x",
            "valid_until": days_from_today(days)})

    assert judge(regisseur, family["c2"], 30).json()["code"] == "not_a_youth"  # 11
    assert judge(regisseur, family["c1"], 400).json()["code"] == "valid_until"
    assert judge(regisseur, family["c1"], 30, ["geen"]).json()["code"] == "categories"
    assert judge(stranger, family["c1"], 30).status_code == 404  # not involved
    # A GP involved only through Sanne's own consent has no ground about Noor.
    assert grant(client, regisseur, family["m"], [family["m"]], stranger,
                 ["financien"]).status_code == 201
    refused = judge(stranger, family["c1"], 30)
    assert refused.status_code == 403 and refused.json()["code"] == "not_an_assessor"
    school = caller(client, session, policy, party="school", roles=["partner"])
    grant(client, regisseur, family["c1"], [family["c1"], family["m"], family["p"]], school)
    assert judge(school, family["c1"], 30).json()["code"] == "not_an_assessor"  # no carer


def test_wgbo_7_465_lid_3_a_mentor_grants_in_care_matters_and_the_adult_in_others(
        client: TestClient, session: Session, policy: Policy) -> None:
    regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    jggz = caller(client, session, policy, party="jggz", roles=["partner"])
    made = client.post("/api/v1/households", headers=regisseur.headers, json={
        "label": "Gezin D.", "members": [
            {"ref": "a", "given_name": "Ans", "family_name": "Dijk", "birth_date": "1970-02-03",
             "role": "parent"},
            {"ref": "b", "given_name": "Bert", "family_name": "Dijk",
             "birth_date": "1968-07-08", "role": "other"},
            {"ref": "k", "given_name": "Kim", "family_name": "Dijk",
             "birth_date": years_ago(17), "role": "child"}]})
    ids = {m["ref"]: m["id"] for m in made.json()["members"]} | {"household": made.json()["id"]}
    path = f"/api/v1/households/{ids['household']}/representatives"
    mentor = client.post(path, headers=regisseur.headers, json={
        "subject_id": ids["a"], "representative_id": ids["b"], "kind": "mentor",
        "court_decision": COURT})
    assert mentor.status_code == 201, mentor.text
    assert "gezondheid" in mentor.json()["categories"]
    # While she can weigh her interests, Ans decides herself, mentor or not.
    assert grant(client, regisseur, ids["a"], [ids["a"]], jggz, ["gezondheid"]) \
        .status_code == 201
    judged = client.post(f"/api/v1/households/{ids['household']}/incapacities",
                         headers=regisseur.headers, json={
                             "subject_id": ids["a"], "categories": ["gezondheid", "financien"],
                             "reason": "Dementie.", "valid_until": days_from_today(90)})
    assert judged.status_code == 201, judged.text
    care = grant(client, regisseur, ids["a"], [ids["a"]], jggz, ["gezondheid"])
    assert care.status_code == 422 and care.json()["code"] == "capacity"
    assert grant(client, regisseur, ids["a"], [ids["b"]], jggz, ["gezondheid"]) \
        .status_code == 201
    money = grant(client, regisseur, ids["a"], [ids["a"]], jggz, ["financien"])
    assert money.status_code == 422  # not a mentor's matter: a curator or bewindvoerder's
    assert money.json()["missing"] == [{"member_id": None, "role": "representative"}]
    decision = decide(client, jggz, ids["a"], "gezondheid")
    assert decision["effect"] == "permit"
    assert any("mentor" in r and "BW art. 1:450" in r for r in decision["reasons"])
    for body, code in (({"kind": "bewind"}, "representative_kind"),
                       ({"subject_id": ids["k"]}, "not_an_adult"),
                       ({"representative_id": ids["k"]}, "representative"),
                       ({"representative_id": ids["a"]}, "representative")):
        wrong = client.post(path, headers=regisseur.headers, json={
            "subject_id": ids["a"], "representative_id": ids["b"], "kind": "curator",
            "court_decision": COURT} | body)
        assert wrong.status_code == 422 and wrong.json()["code"] == code, (body, wrong.text)
    ended = client.post(f"{path}/{mentor.json()['id']}/end", headers=regisseur.headers)
    assert ended.status_code == 200
    assert grant(client, regisseur, ids["a"], [ids["b"]], jggz, ["gezondheid"]) \
        .json()["code"] == "capacity"  # Bert no longer represents her


def test_custody_changes_on_its_page_with_the_court_decision(
        client: TestClient, session: Session, policy: Policy) -> None:
    """The household page links to 'Gezag'; the regisseur gives Noor a GI as guardian."""
    from tests.consent.test_pages import arrange
    from tests.factories import PASSWORD, make_org
    from tests.identity.flows import csrf_of, login

    _, ids = arrange(session, policy)
    gi = make_org(session, policy, party="gi", name="Jeugdbescherming West")
    login(client, "reg@example.org", PASSWORD)
    household = client.get(f"/huishoudens/{ids['household']}")
    assert f"/huishoudens/{ids['household']}/gezag" in household.text
    page = client.get(f"/huishoudens/{ids['household']}/gezag")
    assert page.status_code == 200 and "Jeugdbescherming West" in page.text
    fields = {"csrf_token": csrf_of(page.text), f"custody:{ids['c1']}": f"org:{gi.id}",
              "reference": "C/09/7", "date": COURT["date"]}
    missing = client.post(f"/huishoudens/{ids['household']}/gezag",
                          data={**fields, "reference": ""})
    assert missing.status_code == 422 and "kenmerk" in missing.text
    saved = client.post(f"/huishoudens/{ids['household']}/gezag", data=fields,
                        follow_redirects=False)
    assert saved.status_code == 303, saved.text
    after = client.get(f"/huishoudens/{ids['household']}/gezag").text
    now_part = after.split('id="wijzigen"')[0]
    assert "Jeugdbescherming West" in now_part and "Sanne Jansen" not in now_part
    assert "bij aanmelding" in after  # Sanne's custody, ended, in the history


def test_the_consent_form_names_who_signs_for_the_matters_ticked(
        client: TestClient, session: Session, policy: Policy) -> None:
    """Noor (13), judged unable in health matters: for gezondheid her mother signs alone,
    for onderwijs Noor signs too; a GI as guardian is named by its name."""
    from broker.households.custody import change_custody, record_incapacity
    from broker.households.schemas import CustodyChange, IncapacityCreate
    from tests.consent.test_pages import arrange
    from tests.factories import PASSWORD, make_org
    from tests.identity.flows import login

    actor, ids = arrange(session, policy)
    record_incapacity(session, actor=actor, household_id=ids["household"],
                      body=IncapacityCreate(subject_id=ids["c1"], categories=["gezondheid"],
                                            reason="Psychose.",
                                            valid_until=today() + timedelta(days=30)))
    login(client, "reg@example.org", PASSWORD)
    path = f"/huishoudens/{ids['household']}/toestemming/wie"
    form = client.get(f"/huishoudens/{ids['household']}/toestemming").text
    assert 'hx-include="[name=\'subject_id\'],[name=\'categories\']"' in form
    health = client.get(path, params={"subject_id": ids["c1"], "categories": "gezondheid"})
    assert health.status_code == 200 and "zelf" not in health.text
    assert "Sanne Jansen" in health.text
    school = client.get(path, params={"subject_id": ids["c1"], "categories": "onderwijs"})
    assert "Noor Jansen" in school.text and "zelf" in school.text
    gi = make_org(session, policy, party="gi", name="Jeugdbescherming Oost")
    change_custody(session, actor=actor, household_id=ids["household"], body=CustodyChange(
        custody=[{"custodian_organisation_id": gi.id, "child": ids["c1"]}],
        court_decision=COURT))
    guardian = client.get(path, params={"subject_id": ids["c1"], "categories": "gezondheid"})
    assert guardian.status_code == 200, guardian.text
    assert "Jeugdbescherming Oost" in guardian.text and "voogd" in guardian.text
