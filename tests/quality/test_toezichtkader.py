"""Issue 21, acceptance 1 and 2: every criterion of the Toezichtkader Stelseltoezicht Jeugd
(seed 000, Bijlage 1), themes 'Toeleiding en toegang' (T1-T6) and 'In zorg' (Z1-Z7), with a
household that fails it and one that meets it; each child seen and spoken and the feedback to
a signaller (seed 002); and seed 002's pattern flagged at each step, its closure refused."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from broker.clock import frozen_at, local_day, now
from broker.policy import Policy
from tests.consent.helpers import caller, consent_body
from tests.quality.test_readiness import (
    World,
    at_risk,
    held_meeting,
    readiness,
    reported_and_handed_back,
    signal,
)


def today(days: int = 0) -> str:
    return (local_day(now()) + timedelta(days=days)).isoformat()


def indicator(client: TestClient, w: World, name: str) -> dict[str, Any]:
    return next(i for i in readiness(client, w)["indicators"] if i["id"] == name)


def status(client: TestClient, w: World, name: str) -> str:
    return str(indicator(client, w, name)["status"])


def post(client: TestClient, w: World, part: str, body: dict[str, Any], *,
         expect: int = 201) -> dict[str, Any]:
    response = client.post(f"/api/v1/households/{w.household}/{part}",
                           headers=w.s.regisseur.headers, json=body)
    assert response.status_code == expect, response.text
    return dict(response.json())


def answers(policy: Policy, *, worrying: bool = False) -> dict[str, bool]:
    """The uniform safety questions answered; none demands a full assessment unless
    `worrying`."""
    return {q.id: q.full_assessment_when if worrying and q.id == "zorgen_veiligheid"
            else not q.full_assessment_when for q in policy.safety.questions}


def intake(client: TestClient, w: World, policy: Policy, **changes: Any) -> dict[str, Any]:
    f = w.s.family
    body: dict[str, Any] = {
        "question": "Rust in huis en Noor weer elke dag naar school.",
        "formulated_with": [f["m"], f["p"], f["c1"], f["c2"]],
        "life_domains": [c for c in policy.categories if c != "basisgegevens"],
        "safety_questions": answers(policy),
        "zrm_by_member": {f["m"]: {"financien": 2}, f["p"]: {"financien": 3}}}
    return post(client, w, "help-requests", body | changes)


def assessment(client: TestClient, w: World, outcome: str, **changes: Any) -> dict[str, Any]:
    return post(client, w, "safety-assessments", {
        "instrument": "LIRIK", "outcome": outcome, "safety_scale": 6,
        "rationale": "Afspraken over toezicht worden nagekomen."} | changes)


def spoken(client: TestClient, w: World, child: str, **changes: Any) -> dict[str, Any]:
    return post(client, w, "child-contacts", {
        "child_id": w.s.family[child], "on": today(), "seen": True, "spoken": True,
        "place": "school", "view": {"worries": "Ruzie thuis.", "good_things": "Voetbal.",
                                    "wishes": "Dat papa en mama rustig praten."}} | changes)


def escalate(client: TestClient, w: World, **changes: Any) -> dict[str, Any]:
    return post(client, w, "escalations", {
        "to": "veilig_thuis", "why": "family_withdrew", "on": today(),
        "reason": "Het gezin stopt met de hulp terwijl de zorgen blijven."} | changes)


def close(client: TestClient, w: World, reason: str, *, expect: int = 201,
          **changes: Any) -> dict[str, Any]:
    return post(client, w, "close", {"reason": reason} | changes, expect=expect)


# -- Thema 'Toeleiding en toegang' --------------------------------------------------------


def test_toegang_1_de_hulpvraag_is_in_dialoog_met_het_gezin_geformuleerd(
        client: TestClient, world: World, policy: Policy) -> None:
    assert status(client, world, "help_request") == "missing"  # no help request at all
    f = world.s.family
    intake(client, world, policy, formulated_with=[f["m"], f["p"]])
    found = indicator(client, world, "help_request")
    assert found["status"] == "attention"  # the parents only: Noor and Daan not asked
    assert found["reason"] == ("De hulpvraag is geformuleerd zonder de kinderen die mee "
                               "kunnen praten (2 van 2).")
    intake(client, world, policy)  # again, with the parents and both children
    # the first help request of the help counts: formulated without the children
    assert status(client, world, "help_request") == "attention"


def test_toegang_1_met_ouders_en_kinderen_is_in_orde(
        client: TestClient, world: World, policy: Policy) -> None:
    intake(client, world, policy)
    assert status(client, world, "help_request") == "ok"


def test_toegang_2_achterliggende_hulpvragen_op_alle_leefgebieden(
        client: TestClient, world: World, policy: Policy) -> None:
    assert status(client, world, "life_domains") == "missing"
    intake(client, world, policy, life_domains=["financien", "opvoeding"])
    found = indicator(client, world, "life_domains")
    assert found["status"] == "attention" and "huisvesting" in found["reason"]
    unknown = post(client, world, "help-requests", {
        "question": "?", "formulated_with": [], "life_domains": ["sterrenkunde"],
        "safety_questions": answers(policy)}, expect=422)
    assert unknown["code"] == "life_domains"


def test_toegang_2_alle_leefgebieden_bekeken_is_in_orde(
        client: TestClient, world: World, policy: Policy) -> None:
    intake(client, world, policy)
    assert status(client, world, "life_domains") == "ok"


def test_toegang_3_veiligheidsrisicos_bij_de_start_eenduidig_en_tijdig_ingeschat(
        client: TestClient, world: World, policy: Policy) -> None:
    assert status(client, world, "safety_questions") == "missing"  # the questions not asked
    partly = post(client, world, "help-requests", {
        "question": "Hulp bij schulden.", "formulated_with": [world.s.family["m"]],
        "life_domains": ["financien"], "safety_questions": {"zorgen_veiligheid": False}},
        expect=422)
    assert partly["code"] == "safety_questions"  # every uniform question, even for light help
    intake(client, world, policy, safety_questions=answers(policy, worrying=True))
    term = policy.safety.terms.assessment_after_intake_days
    assert status(client, world, "safety_questions") == "attention"  # within the term
    with frozen_at(now() + timedelta(days=term + 1)):
        assert status(client, world, "safety_questions") == "missing"
        assert "violence_without_assessment" in at_risk(client, world)[world.household]


def test_toegang_3_een_volledige_taxatie_met_een_instrument_is_in_orde(
        client: TestClient, world: World, policy: Policy) -> None:
    intake(client, world, policy, safety_questions=answers(policy, worrying=True))
    unnamed = post(client, world, "safety-assessments", {
        "instrument": "onderbuikgevoel", "outcome": "risico", "rationale": "."}, expect=422)
    assert unnamed["code"] == "instrument"
    assessment(client, world, "risico")
    assert status(client, world, "safety_questions") == "ok"


def test_toegang_3_lichte_hulpvraag_zonder_zorgen_is_in_orde(
        client: TestClient, world: World, policy: Policy) -> None:
    intake(client, world, policy)
    found = indicator(client, world, "safety_questions")
    assert found["status"] == "ok" and "geen aanleiding" in found["reason"]


def test_toegang_4_de_zelfredzaamheid_is_ingeschat(
        client: TestClient, world: World, policy: Policy) -> None:
    assert status(client, world, "self_reliance") == "missing"
    f = world.s.family
    intake(client, world, policy, zrm_by_member={f["m"]: {"financien": 2}})
    assert indicator(client, world, "self_reliance")["reason"] == (
        "De zelfredzaamheid van 1 van de 2 volwassenen is niet ingeschat (ZRM).")
    child = post(client, world, "help-requests", {
        "question": "?", "formulated_with": [], "life_domains": [],
        "safety_questions": answers(policy), "zrm_by_member": {f["c1"]: {"financien": 2}}},
        expect=422)
    assert child["code"] == "zrm"  # ZRM is per adult


def test_toegang_4_zrm_van_elke_volwassene_is_in_orde(
        client: TestClient, world: World, policy: Policy) -> None:
    intake(client, world, policy)
    assert status(client, world, "self_reliance") == "ok"


def test_toegang_5_verbinding_met_de_relevante_partijen_benoemt_wie_niet_is_gevraagd(
        client: TestClient, world: World, policy: Policy) -> None:
    held_meeting(client, world, assessment=False)  # the school only
    found = indicator(client, world, "partners_asked")
    assert found["status"] == "attention"
    assert found["reason"] == ("Gevraagd: school. Niet gevraagd: huisarts, "
                               "jeugdgezondheidszorg (consultatiebureau, ggd).")


def test_toegang_5_huisarts_school_en_jgz_gevraagd_is_in_orde(
        client: TestClient, session: Any, world: World, policy: Policy) -> None:
    jgz = caller(client, session, policy, party="jeugdgezondheidszorg", roles=["partner"],
                 name="GGD Jeugd")
    meeting = client.post("/api/v1/meetings", headers=world.s.regisseur.headers, json={
        "household_id": world.household, "title": "Bijeenkomst", "duration_minutes": 60,
        "location": "Wijkcentrum", "slots": [{"start": (now() + timedelta(days=7)).isoformat()}],
        "invitees": [{"organisation_id": world.s.gp.org.id},
                     {"organisation_id": world.s.teacher.org.id},
                     {"organisation_id": jgz.org.id}]})
    assert meeting.status_code == 201, meeting.text
    found = indicator(client, world, "partners_asked")
    assert found["status"] == "ok", found


def test_toegang_5_een_partner_met_een_signaal_hoort_erbij(
        client: TestClient, session: Any, world: World, policy: Policy) -> None:
    housing = caller(client, session, policy, party="woningcorporatie", roles=["partner"])
    consent = client.post("/api/v1/consents", headers=world.s.regisseur.headers,
                          json=consent_body(world.s.family["m"], [world.s.family["m"]],
                                            categories=["huisvesting"], recipients=[
                                                {"organisation_id": housing.org.id},
                                                {"party": "wijkteam"}]))
    assert consent.status_code == 201, consent.text
    raised = client.post("/api/v1/observations", headers=housing.headers, json={
        "subject_id": world.s.family["m"], "category": "huisvesting", "concern": "medium",
        "observed_on": today(), "body": "Huurachterstand van drie maanden."})
    assert raised.status_code == 201, raised.text
    held_meeting(client, world, assessment=False)
    assert "woningcorporatie (signaal)" in indicator(client, world, "partners_asked")["reason"]


def test_toegang_6_het_gezin_in_de_gelegenheid_gesteld_een_familiegroepsplan_te_maken(
        client: TestClient, world: World) -> None:
    assert status(client, world, "family_group_plan") == "missing"
    early = post(client, world, "family-group-plan", {"status": "received", "on": today(),
                                                      "reference": "FGP-1"}, expect=409)
    assert early["code"] == "not_offered"
    post(client, world, "family-group-plan", {"status": "offered", "on": today()})
    assert status(client, world, "family_group_plan") == "attention"
    bare = post(client, world, "family-group-plan", {"status": "declined", "on": today()},
                expect=422)
    assert bare["code"] == "declined_without_reason"
    post(client, world, "family-group-plan", {
        "status": "declined", "on": today(), "decided_by": [world.s.family["m"]],
        "note": "Wil de familie er niet bij betrekken."})
    # declined, but the plan was not made with the parents
    assert status(client, world, "family_group_plan") == "attention"


def test_toegang_6_afgezien_en_een_plan_met_de_ouders_is_in_orde(
        client: TestClient, world: World) -> None:
    post(client, world, "family-group-plan", {"status": "offered", "on": today()})
    post(client, world, "family-group-plan", {
        "status": "declined", "on": today(), "decided_by": [world.s.family["m"]],
        "note": "Wil de familie er niet bij betrekken."})
    s = world.s
    meeting = client.post("/api/v1/meetings", headers=s.regisseur.headers, json={
        "household_id": world.household, "title": "Plan maken", "duration_minutes": 60,
        "location": "Thuis", "slots": [{"start": (now() + timedelta(days=3)).isoformat()}],
        "invitees": [{"member_id": s.family["m"]}, {"organisation_id": s.teacher.org.id}]})
    assert meeting.status_code == 201, meeting.text
    path = f"/api/v1/meetings/{meeting.json()['id']}"
    assert client.post(path + "/schedule", headers=s.regisseur.headers, json={
        "slot_id": meeting.json()["slots"][0]["id"]}).status_code == 200
    from tests.meetings.test_outcome import outcome
    saved = client.post(path + "/outcome", headers=s.regisseur.headers,
                        json=outcome(s.regisseur.professional.id, s.teacher.org.id,
                                     assessment=False))
    assert saved.status_code == 201, saved.text
    assert status(client, world, "family_group_plan") == "ok"


def test_toegang_6_ontvangen_familiegroepsplan_waarop_het_plan_is_gebaseerd_is_in_orde(
        client: TestClient, world: World) -> None:
    post(client, world, "family-group-plan", {"status": "offered", "on": today()})
    received = post(client, world, "family-group-plan", {"status": "received", "on": today(),
                                                         "reference": "FGP-2026-12"})
    held_meeting(client, world, assessment=False)
    assert status(client, world, "family_group_plan") == "attention"  # not based on it
    held_meeting(client, world, assessment=False, family_group_plan_id=received["id"])
    assert status(client, world, "family_group_plan") == "ok"


# -- Thema 'In zorg' -------------------------------------------------------------------


def test_in_zorg_1_een_gezin_een_plan_een_regisseur(client: TestClient, world: World) -> None:
    assert status(client, world, "one_plan_one_regisseur") == "ok"
    other = post(client, world, "other-plans", {
        "organisation_id": world.s.gp.org.id, "kind": "plan", "reference": "Behandelplan 4",
        "contact": "POH-GGZ", "since": today(-20)})
    found = indicator(client, world, "one_plan_one_regisseur")
    assert found["status"] == "attention" and "niet afgestemd" in found["reason"]
    linked = client.patch(f"/api/v1/other-plans/{other['id']}",
                          headers=world.s.regisseur.headers, json={"linked": True})
    assert linked.status_code == 200, linked.text
    assert status(client, world, "one_plan_one_regisseur") == "ok"
    post(client, world, "other-plans", {
        "organisation_id": world.s.teacher.org.id, "kind": "regisseur",
        "reference": "Zorgteam", "since": today(-5)})
    assert indicator(client, world, "one_plan_one_regisseur")["reason"] == (
        "Andere organisaties die ook zeggen de regie te voeren: 1. Spreek af wie de regisseur "
        "is.")


def test_in_zorg_2_doelen_geprioriteerd_concreet_en_gericht_op_effecten(
        client: TestClient, world: World) -> None:
    assert status(client, world, "plan_goals") == "missing"
    held_meeting(client, world, assessment=False)
    assert status(client, world, "plan_goals") == "ok"


def test_in_zorg_3_systematisch_en_samen_met_het_gezin_geevalueerd(
        client: TestClient, world: World) -> None:
    held_meeting(client, world, assessment=False)  # the next evaluation in 90 days
    f = world.s.family
    with frozen_at(now() + timedelta(days=91)):
        assert status(client, world, "evaluation_due") == "overdue"
        evaluation = {"on": today(), "participants": [], "goals": [
            {"priority": 1, "start": 3, "now": 6}], "safety_scale": 7,
            "safety_outcome": "veilig", "next_evaluation": today(90)}
        post(client, world, "evaluations", evaluation)
        assert status(client, world, "evaluation_due") == "attention"  # without the family
        post(client, world, "evaluations", evaluation | {"participants": [f["m"], f["c1"]]})
        assert status(client, world, "evaluation_due") == "ok"
        late = post(client, world, "evaluations", evaluation | {"next_evaluation": today()},
                    expect=422)
        assert late["code"] == "next_evaluation"


def test_in_zorg_3_evalueren_zonder_plan_kan_niet(client: TestClient, world: World) -> None:
    refused = post(client, world, "evaluations", {
        "on": today(), "participants": [], "goals": [{"priority": 1, "start": 3, "now": 6}],
        "safety_scale": 7, "safety_outcome": "veilig", "next_evaluation": today(90)},
        expect=409)
    assert refused["code"] == "no_plan"


def test_in_zorg_4_evaluatie_vergelijkt_de_veiligheid_bij_de_start_met_nu(
        client: TestClient, world: World) -> None:
    held_meeting(client, world, assessment=False)
    evaluation = {"on": today(), "participants": [world.s.family["m"]],
                  "goals": [{"priority": 1, "start": 3, "now": 6}], "safety_scale": 7,
                  "safety_outcome": "veilig", "next_evaluation": today(90)}
    assert status(client, world, "evaluation_safety") == "missing"  # not evaluated yet
    post(client, world, "evaluations", evaluation)
    # no assessment at the start: nothing to compare with
    assert status(client, world, "evaluation_safety") == "attention"


def test_in_zorg_4_start_en_nu_vergeleken_is_in_orde(client: TestClient, world: World) -> None:
    assessment(client, world, "risico", safety_scale=4, on=today(-60))
    held_meeting(client, world, assessment=False)
    post(client, world, "evaluations", {
        "on": today(), "participants": [world.s.family["m"]],
        "goals": [{"priority": 1, "start": 3, "now": 6}], "safety_scale": 7,
        "safety_outcome": "veilig", "next_evaluation": today(90)})
    found = indicator(client, world, "evaluation_safety")
    assert found["status"] == "ok"
    assert "veiligheid bij de start risico, nu veilig" in found["reason"]  # in words
    path = client.get(f"/api/v1/households/{world.household}/care-path",
                      headers=world.s.regisseur.headers).json()
    assert (path["evaluations"][0]["start_outcome"], path["evaluations"][0]["start_scale"],
            path["evaluations"][0]["safety_outcome"]) == ("risico", 4, "veilig")


def test_in_zorg_5_opschaling_wanneer_vrijwillige_hulp_niet_toereikend_is(
        client: TestClient, world: World, policy: Policy) -> None:
    assert status(client, world, "escalation") == "ok"  # no reason to
    intake(client, world, policy)
    assessment(client, world, "onveilig_structureel")
    assert status(client, world, "escalation") == "ok"  # voluntary help under conditions
    assessment(client, world, "onveilig_acuut")
    assert status(client, world, "escalation") == "missing"
    assert "unsafe_without_escalation" in at_risk(client, world)[world.household]
    escalated = escalate(client, world, to="jeugdbeschermingstafel", why="not_effective")
    assert status(client, world, "escalation") == "ok"
    outcome = client.post(f"/api/v1/escalations/{escalated['id']}/outcome",
                          headers=world.s.regisseur.headers,
                          json={"outcome": "Raad start onderzoek.", "on": today()})
    assert outcome.status_code == 200, outcome.text


def test_in_zorg_5_evaluatie_onveilig_en_niet_beter_vraagt_om_opschaling(
        client: TestClient, world: World, policy: Policy) -> None:
    assessment(client, world, "onveilig_structureel", safety_scale=4, on=today(-90))
    held_meeting(client, world, assessment=False)
    post(client, world, "evaluations", {
        "on": today(), "participants": [world.s.family["m"]],
        "goals": [{"priority": 1, "start": 3, "now": 3}], "safety_scale": 4,
        "safety_outcome": "onveilig_structureel", "next_evaluation": today(60)})
    assert status(client, world, "escalation") == "missing"  # the help does not work
    escalate(client, world, why="not_effective", to="raad")
    assert status(client, world, "escalation") == "ok"


def test_in_zorg_5_stagnerende_acties_vragen_om_opschaling(
        client: TestClient, world: World, policy: Policy) -> None:
    held_meeting(client, world, assessment=False)  # actions due in 30 days
    stalled = policy.safety.terms.stagnation_escalate_days
    with frozen_at(now() + timedelta(days=30 + stalled + 2)):
        assert status(client, world, "escalation") == "attention"
        escalate(client, world, to="doorzettingsmacht", why="not_accepted")
        assert status(client, world, "escalation") == "ok"


def test_in_zorg_6_bij_veranderde_behoefte_worden_de_doelen_bijgesteld(
        client: TestClient, world: World, policy: Policy) -> None:
    held_meeting(client, world, assessment=False)
    assert status(client, world, "plan_adjusted") == "ok"
    post(client, world, "evaluations", {
        "on": today(), "participants": [world.s.family["m"]],
        "goals": [{"priority": 1, "start": 3, "now": 3}], "safety_scale": 6,
        "safety_outcome": "risico", "needs_changed": True, "next_evaluation": today(90)})
    assert status(client, world, "plan_adjusted") == "attention"
    with frozen_at(now() + timedelta(days=policy.safety.terms.adjust_plan_days + 1)):
        assert status(client, world, "plan_adjusted") == "overdue"
        held_meeting(client, world, assessment=False)  # a new version of the plan
        assert status(client, world, "plan_adjusted") == "ok"


def test_in_zorg_7_afsluiten_als_het_gezin_zelfstandig_verder_kan_of_met_nazorg(
        client: TestClient, world: World, policy: Policy) -> None:
    intake(client, world, policy)
    alone = close(client, world, "zelfstandig", expect=422)
    assert alone["code"] == "closure_unsafe"  # no assessment says the family can go on
    no_one = close(client, world, "nazorg", expect=422)
    assert no_one["code"] == "aftercare"
    assessment(client, world, "veilig")
    close(client, world, "zelfstandig")
    found = indicator(client, world, "closure")
    assert found["status"] == "ok" and found["reason"].startswith("Afgesloten op")
    assert status(client, world, "evaluation_due") == "ok"  # no evaluation after closure
    again = close(client, world, "zelfstandig", expect=409)
    assert again["code"] == "help_closed"
    intake(client, world, policy)  # a new help request opens the help again
    assert indicator(client, world, "closure")["reason"] == "De hulp loopt."


def test_in_zorg_7_nazorg_geregeld_is_in_orde(client: TestClient, world: World,
                                              policy: Policy) -> None:
    intake(client, world, policy)
    close(client, world, "nazorg", aftercare_organisation_id=world.s.gp.org.id,
          note="POH-GGZ houdt contact.")
    assert indicator(client, world, "closure")["reason"].endswith("met nazorg.")


def test_in_zorg_7_onveilig_afsluiten_vraagt_eerst_opschaling(
        client: TestClient, world: World, policy: Policy) -> None:
    intake(client, world, policy)
    assessment(client, world, "onveilig_acuut")
    refused = close(client, world, "nazorg", aftercare_organisation_id=world.s.gp.org.id,
                    expect=422)
    assert refused["code"] == "closure_unsafe"
    assert refused["last_outcome"] == "onveilig_acuut"
    escalate(client, world, why="unsafe")
    close(client, world, "nazorg", aftercare_organisation_id=world.s.gp.org.id)


# -- Each child seen and spoken; feedback to the signaller (seed 002) ------------------------


def test_elk_kind_gezien_en_gesproken_binnen_de_termijn(
        client: TestClient, world: World, policy: Policy) -> None:
    intake(client, world, policy)
    days = policy.safety.terms.child_seen_days
    assert status(client, world, "child_seen") == "attention"  # within the term
    spoken(client, world, "c1")
    with frozen_at(now() + timedelta(days=days + 1)):
        found = indicator(client, world, "child_seen")
        assert found["status"] == "missing"
        assert found["reason"] == (f"Niet binnen {days} dagen gezien en gesproken: 1 van de "
                                   "2 kinderen.")
        assert "child_not_seen" in at_risk(client, world)[world.household]
        spoken(client, world, "c2")
        assert status(client, world, "child_seen") == "ok"


def test_kindgesprek_eigen_woorden_alleen_als_het_kind_gesproken_is(
        client: TestClient, world: World) -> None:
    refused = post(client, world, "child-contacts", {
        "child_id": world.s.family["c1"], "on": today(), "seen": True, "spoken": False,
        "view": {"wishes": "?"}}, expect=422)
    assert refused["code"] == "view_without_conversation"
    post(client, world, "child-contacts", {"child_id": world.s.family["c1"], "on": today(),
                                           "seen": True, "spoken": False})
    assert status(client, world, "child_seen") == "attention"  # seen, not spoken


def test_terugkoppeling_aan_de_partner_die_een_signaal_gaf(
        client: TestClient, world: World, policy: Policy) -> None:
    assert status(client, world, "feedback_to_signaller") == "ok"  # no partner signals
    f = world.s.family
    shared = client.post("/api/v1/consents", headers=world.s.regisseur.headers, json=consent_body(
        f["c1"], [f["c1"], f["m"], f["p"]], recipients=[{"party": "wijkteam"}]))
    assert shared.status_code == 201, shared.text
    raised = client.post("/api/v1/observations", headers=world.s.teacher.headers, json={
        "subject_id": world.s.family["c1"], "category": "onderwijs", "concern": "medium",
        "observed_on": today(), "body": "Noor is vaak te laat."})
    assert raised.status_code == 201, raised.text
    assert status(client, world, "feedback_to_signaller") == "attention"
    with frozen_at(now() + timedelta(days=policy.safety.terms.feedback_days + 1)):
        assert status(client, world, "feedback_to_signaller") == "overdue"
        own = post(client, world, "signal-feedback", {
            "observation_id": signal(client, world), "outcome": "in_plan"}, expect=422)
        assert own["code"] == "not_a_signal"  # the regisseur's own observation
        post(client, world, "signal-feedback", {"observation_id": raised.json()["id"],
                                                "outcome": "meeting"})
        assert status(client, world, "feedback_to_signaller") == "ok"
        twice = post(client, world, "signal-feedback", {
            "observation_id": raised.json()["id"], "outcome": "in_plan"}, expect=409)
        assert twice["code"] == "feedback_given"


# -- Acceptance 2: the pattern of seed 002 ----------------------------------------------


def test_acceptance_2_seed_002_pattern_flagged_at_each_step_and_the_closure_refused(
        client: TestClient, world: World, policy: Policy) -> None:
    """Signals of violence, Veilig Thuis hands back, light help without an assessment, one
    child never spoken to, the family stops cooperating and the case would close."""
    w = world
    signal(client, w, on=local_day(now()) - timedelta(days=2))  # signals of violence
    assert "violence_without_assessment" in at_risk(client, w)[w.household]
    reported_and_handed_back(client, w)  # Veilig Thuis hands back
    handed_back = indicator(client, w, "safety_assessment")
    assert handed_back["status"] == "attention"  # a new assessment is due within the term
    assert handed_back["reason"].startswith("Afgeschaald op")
    intake(client, w, policy)  # light help: no answer demands a full assessment
    spoken(client, w, "c1")  # Daan is never spoken to
    later = policy.safety.terms.child_seen_days + policy.meldcode.terms.handback_assessment_days
    with frozen_at(now() + timedelta(days=later + 1)):
        flags = at_risk(client, w)[w.household]
        assert {"deescalated_without_assessment", "child_not_seen"} <= set(flags)
        assert status(client, w, "safety_assessment") == "missing"
        assert status(client, w, "child_seen") == "missing"
        refused = close(client, w, "gezin_stopt", expect=422)  # the family stops
        assert refused["code"] == "closure_unsafe"
        assert readiness(client, w)["indicators"][0]["status"] == "missing"
        path = client.get(f"/api/v1/households/{w.household}/care-path",
                          headers=w.s.regisseur.headers).json()
        assert path["closures"] == [] and path["closed"] is False  # nothing left behind


def test_the_care_path_is_the_teams_only(client: TestClient, world: World,
                                         policy: Policy) -> None:
    intake(client, world, policy)
    spoken(client, world, "c1")
    mine = client.get(f"/api/v1/households/{world.household}/care-path",
                      headers=world.s.regisseur.headers)
    assert mine.status_code == 200, mine.text
    assert mine.json()["child_contacts"][0]["view"]["wishes"] == \
        "Dat papa en mama rustig praten."
    assert mine.json()["help_requests"][0]["question"].startswith("Rust in huis")
    partner = client.get(f"/api/v1/households/{world.household}/care-path",
                         headers=world.s.teacher.headers)
    assert partner.status_code == 403 and partner.json()["code"] == "not_the_team"
    stranger = client.get(f"/api/v1/households/{world.household}/care-path",
                          headers=world.s.gp.headers)
    assert stranger.status_code == 404
    refused = client.post(f"/api/v1/households/{world.household}/child-contacts",
                          headers=world.s.gp.headers, json={
                              "child_id": world.s.family["c1"], "on": today(),
                              "seen": True, "spoken": False})
    assert refused.status_code == 404


def test_nothing_in_the_future_is_recorded_as_done(client: TestClient, world: World) -> None:
    future = post(client, world, "child-contacts", {
        "child_id": world.s.family["c1"], "on": today(3), "seen": True, "spoken": True},
        expect=422)
    assert future["code"] == "in_future"


def test_a_child_too_young_to_talk_is_seen_not_spoken(policy: Policy) -> None:
    """From `child_voice_from_age` a child is spoken; a younger child is seen."""
    from broker.quality import criteria, path

    day = local_day(now())
    voice = policy.safety.child_voice_from_age
    baby, youth = day.replace(year=day.year - 1), day.replace(year=day.year - voice - 2)
    facts = path.PathFacts(created=day - timedelta(days=60),
                           children={"baby": baby, "youth": youth})
    facts.seen = {"baby": day, "youth": day}
    found = criteria.child_seen(facts, policy, day, [])
    assert (found.status, found.values["count"]) == ("missing", 1)  # the youth not spoken
    facts.spoken = {"youth": day}
    assert criteria.child_seen(facts, policy, day, []).status == "ok"


def test_of_two_judgements_on_one_day_the_later_counts(
        client: TestClient, world: World, policy: Policy) -> None:
    """Fresh eyes on issue 21: an evaluation said 'veilig', then the same afternoon an
    assessment 'onveilig_acuut': the family cannot be let go alone."""
    intake(client, world, policy)
    held_meeting(client, world, assessment=False)
    post(client, world, "evaluations", {
        "on": today(), "participants": [world.s.family["m"]],
        "goals": [{"priority": 1, "start": 3, "now": 6}], "safety_scale": 8,
        "safety_outcome": "veilig", "next_evaluation": today(90)})
    assessment(client, world, "onveilig_acuut", safety_scale=1)
    refused = close(client, world, "zelfstandig", expect=422)
    assert (refused["code"], refused["last_outcome"]) == ("closure_unsafe", "onveilig_acuut")
    assert status(client, world, "escalation") == "missing"


def test_dates_before_their_beginning_and_a_stranger_as_speaker_are_refused(
        client: TestClient, session: Any, world: World, policy: Policy) -> None:
    f = world.s.family
    before_birth = post(client, world, "child-contacts", {
        "child_id": f["c1"], "on": "2000-01-01", "seen": True, "spoken": True}, expect=422)
    assert before_birth["code"] == "too_early"
    intake(client, world, policy, on=today(-10))
    before_help = close(client, world, "nazorg", on=today(-20),
                        aftercare_organisation_id=world.s.gp.org.id, expect=422)
    assert before_help["code"] == "too_early"
    escalated = escalate(client, world, on=today(-2))
    early = client.post(f"/api/v1/escalations/{escalated['id']}/outcome",
                        headers=world.s.regisseur.headers,
                        json={"outcome": "Raad start onderzoek.", "on": today(-5)})
    assert early.status_code == 422 and early.json()["code"] == "too_early"
    stranger = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    elsewhere = post(client, world, "child-contacts", {
        "child_id": f["c1"], "on": today(), "seen": True, "spoken": True,
        "by_professional_id": stranger.professional.id}, expect=422)
    assert elsewhere["code"] == "professional"


def test_another_plan_counts_from_its_start_until_its_end(
        client: TestClient, world: World) -> None:
    future = post(client, world, "other-plans", {
        "organisation_id": world.s.gp.org.id, "kind": "regisseur", "reference": "Later",
        "since": today(30)}, expect=422)
    assert future["code"] == "in_future"
    claim = post(client, world, "other-plans", {
        "organisation_id": world.s.gp.org.id, "kind": "regisseur", "reference": "Zorgteam",
        "since": today(-3)})
    ending = client.patch(f"/api/v1/other-plans/{claim['id']}",
                          headers=world.s.regisseur.headers, json={"ended_on": today(30)})
    assert ending.status_code == 200, ending.text
    assert status(client, world, "one_plan_one_regisseur") == "attention"  # still in force
    with frozen_at(now() + timedelta(days=31)):
        assert status(client, world, "one_plan_one_regisseur") == "ok"
