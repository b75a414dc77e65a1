"""Issue 11 item 2: family transparency. A parent sees exactly the disclosures about
themselves and the children under 16 in their custody, nothing about the other parent;
override disclosures appear once the inform-parents date has passed; every view is
recorded; consent is withdrawn and destruction requested on the family page."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from broker.audit.models import AuditPending
from broker.clock import frozen_at, local_day, now
from broker.households.models import Member
from broker.policy import Policy
from tests.consent.helpers import Caller, caller, consent_body
from tests.dates import days_from_today, years_ago
from tests.identity.flows import csrf_of
from tests.meldcode.helpers import ANSWERS, colleague


@dataclass
class Family:
    regisseur: Caller
    school: Caller
    ids: dict[str, str]  # m, p: parents; c1 13 (both), c2 11 (mother only), c3 16 (both)

    @property
    def household(self) -> str:
        return self.ids["household"]


@pytest.fixture
def family(client: TestClient, session: Session, policy: Policy) -> Family:
    return make_family(client, session, policy)


def make_family(client: TestClient, session: Session, policy: Policy) -> Family:
    """The Vissers, each with a consent for the school signed by exactly whom their age asks."""
    regisseur = caller(client, session, policy, party="wijkteam", roles=["regisseur"])
    school = caller(client, session, policy, party="school", name="OBS De Linde",
                    roles=["partner", "aandachtsfunctionaris"])
    body = {"label": "Gezin V.", "members": [
        {"ref": "m", "given_name": "Sanne", "family_name": "Visser", "birth_date": "1985-03-02",
         "role": "parent", "email": "sanne@example.org"},
        {"ref": "p", "given_name": "Piet", "family_name": "Visser", "birth_date": "1983-06-12",
         "role": "parent"},
        {"ref": "c1", "given_name": "Noor", "family_name": "Visser",
         "birth_date": years_ago(13, 30), "role": "child"},
        {"ref": "c2", "given_name": "Daan", "family_name": "Bakker",
         "birth_date": years_ago(11, 30), "role": "child"},
        {"ref": "c3", "given_name": "Lisa", "family_name": "Visser",
         "birth_date": years_ago(16, 30), "role": "child"}],
        "custody": [{"custodian": "m", "child": "c1"}, {"custodian": "p", "child": "c1"},
                    {"custodian": "m", "child": "c2"},
                    {"custodian": "m", "child": "c3"}, {"custodian": "p", "child": "c3"}]}
    made = client.post("/api/v1/households", json=body, headers=regisseur.headers)
    assert made.status_code == 201, made.text
    ids = {m["ref"]: m["id"] for m in made.json()["members"]} | {"household": made.json()["id"]}
    grantors = {"m": ["m"], "p": ["p"], "c1": ["c1", "m", "p"], "c2": ["m"], "c3": ["c3"]}
    for ref, signers in grantors.items():
        granted = client.post("/api/v1/consents", headers=regisseur.headers, json=consent_body(
            ids[ref], [ids[s] for s in signers], categories=["basisgegevens"],
            recipients=[{"organisation_id": school.org.id}]))
        assert granted.status_code == 201, granted.text
    seen = client.get(f"/api/v1/households/{ids['household']}", headers=school.headers)
    assert seen.status_code == 200  # one disclosure about each of the five
    return Family(regisseur, school, ids)


def link(client: TestClient, f: Family, ref: str) -> str:
    made = client.post(f"/api/v1/households/{f.household}/members/{f.ids[ref]}/link",
                       headers=f.regisseur.headers, json={"send": False})
    assert made.status_code == 201, made.text
    return str(made.json()["url"]).split("/mijn/link/")[1]


def open_page(client: TestClient, f: Family, ref: str) -> None:
    """Use the member's personal link in this client (the family session cookie)."""
    token = link(client, f, ref)
    page = client.get(f"/mijn/link/{token}")
    assert page.status_code == 200
    used = client.post(f"/mijn/link/{token}", data={"csrf_token": csrf_of(page.text)},
                       follow_redirects=False)
    assert used.status_code == 303 and used.headers["location"] == "/mijn"


def mine(client: TestClient) -> dict[str, Any]:
    response = client.get("/api/v1/me/disclosures")
    assert response.status_code == 200, response.text
    return dict(response.json())


def about(client: TestClient) -> set[str]:
    return {d["about"] for d in mine(client)["disclosures"]}


@pytest.mark.parametrize(("ref", "sees"), [
    ("p", {"p", "c1"}),  # his own, and Noor's; not Sanne's, not Daan's, not Lisa's (16)
    ("m", {"m", "c1", "c2"}),  # her own, Noor's and Daan's; not Piet's, not Lisa's
    ("c3", {"c3"}),  # Lisa, 16: her own only
    ("c1", {"c1"}),  # Noor, 13: her own only
])
def test_acceptance_a_member_sees_exactly_themselves_and_the_children_in_their_custody(
        client: TestClient, family: Family, ref: str, sees: set[str]) -> None:
    open_page(client, family, ref)
    assert about(client) == {family.ids[r] for r in sees}
    people = mine(client)["people"]
    assert [p["id"] for p in people if p["is_me"]] == [family.ids[ref]]
    page = client.get("/mijn")
    assert page.status_code == 200
    for other in {"m", "p", "c1", "c2", "c3"} - sees:
        assert f'data-about="{family.ids[other]}"' not in page.text
    assert "OBS De Linde" in page.text and "u (of uw kind) gaf toestemming" in page.text.lower()


def test_a_child_under_12_gets_no_link_and_only_the_regisseur_makes_links(
        client: TestClient, family: Family) -> None:
    young = client.post(f"/api/v1/households/{family.household}/members/{family.ids['c2']}"
                        "/link", headers=family.regisseur.headers, json={"send": False})
    assert young.status_code == 422 and young.json()["code"] == "too_young"
    other = client.post(f"/api/v1/households/{family.household}/members/{family.ids['m']}"
                        "/link", headers=family.school.headers, json={"send": False})
    assert other.status_code == 403


def test_a_link_works_once_and_without_it_there_is_no_page(client: TestClient,
                                                          family: Family) -> None:
    assert client.get("/api/v1/me/disclosures").status_code == 401
    assert client.get("/api/v1/me/disclosures",
                      headers=family.regisseur.headers).status_code == 401  # not a member
    token = link(client, family, "p")
    csrf = csrf_of(client.get(f"/mijn/link/{token}").text)
    assert client.post(f"/mijn/link/{token}", data={"csrf_token": csrf},
                       follow_redirects=False).status_code == 303
    again = client.post(f"/mijn/link/{token}", data={"csrf_token": csrf})
    assert again.status_code == 404
    expired = link(client, family, "m")
    with frozen_at(now() + timedelta(days=15)):
        late = client.post(f"/mijn/link/{expired}", data={"csrf_token": csrf})
        assert late.status_code == 404


def test_the_link_is_mailed_without_a_name(client: TestClient, session: Session,
                                           family: Family, smtp_server: Any) -> None:

    smtp_server.serve(session)
    made = client.post(f"/api/v1/households/{family.household}/members/{family.ids['m']}/link",
                       headers=family.regisseur.headers, json={})
    assert made.status_code == 201 and made.json()["sent_to"] == "sanne@example.org"
    (message,) = smtp_server.messages
    text = message.decode()
    assert made.json()["url"] in text
    for name in ("Sanne", "Visser", "Noor"):
        assert name not in text


def test_every_view_is_recorded_per_person_shown(client: TestClient, session: Session,
                                                 family: Family) -> None:
    open_page(client, family, "p")
    before = session.scalars(select(AuditPending.id).where(
        AuditPending.action == "family.view")).all()
    mine(client)
    after = session.scalars(select(AuditPending.id).where(
        AuditPending.action == "family.view")).all()
    assert len(after) - len(before) == 2  # Piet and Noor


def test_override_disclosures_appear_once_the_parents_are_to_be_informed(
        client: TestClient, session: Session, policy: Policy, family: Family) -> None:
    gp = caller(client, session, policy, party="huisarts", roles=["partner"])
    officer = colleague(client, session, family.school.org, ["aandachtsfunctionaris"])
    noor = family.ids["c1"]
    case = client.post("/api/v1/meldcode/cases", headers=family.school.headers,
                       json={"child_id": noor}).json()["id"]
    for number in range(1, 5):
        step: dict[str, Any] = {"step": number, "content": f"Stap {number}."}
        if number == 4:
            step["answers"] = ANSWERS
        client.post(f"/api/v1/meldcode/cases/{case}/steps", headers=family.school.headers,
                    json=step)
    override = client.post(f"/api/v1/meldcode/cases/{case}/overrides",
                           headers=family.school.headers, json={
        "subject_ids": [noor], "categories": ["gezondheid"],
        "recipients": [{"organisation_id": gp.org.id,
                        "legal_ground": "WGBO art. 7:457 (conflict van plichten)"},
                       {"organisation_id": family.regisseur.org.id}],
        "justification": "Nodig.",
        "valid_until": (now() + timedelta(days=14)).isoformat(),
        "inform_parents": {"planned_on": (now() + timedelta(days=2)).date().isoformat()}})
    assert override.status_code == 201, override.text
    approved = client.post(f"/api/v1/overrides/{override.json()['id']}/approve",
                           headers=officer.headers)
    assert approved.status_code == 200, approved.text
    # What the school knows may now go to the network (the override releases its own only).
    shared_by_school = client.post("/api/v1/observations", headers=family.school.headers, json={
        "subject_id": noor, "category": "gezondheid", "concern": "high",
        "observed_on": local_day(now()).isoformat(), "body": "Letsel gezien."})
    assert shared_by_school.status_code == 201, shared_by_school.text
    read = client.get(f"/api/v1/households/{family.household}/observations", headers=gp.headers)
    assert read.status_code == 200
    open_page(client, family, "p")
    assert "override" not in {d["basis"] for d in mine(client)["disclosures"]}
    with frozen_at(now() + timedelta(days=3)):
        open_page(client, family, "p")  # the session of three days ago has ended
        shared = [d for d in mine(client)["disclosures"] if d["basis"] == "override"]
        assert shared and {d["about"] for d in shared} == {noor}
        assert {d["organisation_id"] for d in shared} == {gp.org.id, family.regisseur.org.id}


def test_a_parent_withdraws_consent_on_the_family_page(client: TestClient,
                                                       family: Family) -> None:
    open_page(client, family, "m")
    page = client.get("/mijn")
    consents = client.get("/api/v1/consents", params={"subject_id": family.ids["c2"]},
                          headers=family.regisseur.headers).json()["items"]
    (consent,) = [c for c in consents if c["status"] == "active"]
    withdrawn = client.post(f"/mijn/toestemming/{consent['id']}/intrekken",
                            data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert withdrawn.status_code == 303
    after = client.get("/api/v1/consents", params={"subject_id": family.ids["c2"]},
                       headers=family.regisseur.headers).json()["items"]
    assert [c["status"] for c in after] == ["withdrawn"]
    assert client.get(f"/api/v1/households/{family.household}",
                      headers=family.school.headers).json()["members"]  # still answers


def test_piet_cannot_withdraw_sannes_consent(client: TestClient, family: Family) -> None:
    open_page(client, family, "p")
    consents = client.get("/api/v1/consents", params={"subject_id": family.ids["m"]},
                          headers=family.regisseur.headers).json()["items"]
    refused = client.post(f"/api/v1/me/consents/{consents[0]['id']}/withdraw")
    assert refused.status_code == 404


def test_destruction_is_requested_by_the_family_and_decided_by_the_privacy_officer(
        client: TestClient, session: Session, policy: Policy, family: Family) -> None:
    fg = caller(client, session, policy, party="gemeente", roles=["privacy_officer"])
    for ref, text in (("m", "Geheime tekst over Sanne."), ("c1", "Tekst over Noor.")):
        client.post("/api/v1/observations", headers=family.regisseur.headers, json={
            "subject_id": family.ids[ref], "category": "onderwijs", "concern": "low",
            "observed_on": days_from_today(-3), "body": text})
    open_page(client, family, "m")
    asked = client.post("/api/v1/me/destruction-request")
    assert asked.status_code == 201, asked.text
    request = asked.json()
    assert request["status"] == "open" and not request["overdue"]
    twice = client.post("/api/v1/me/destruction-request")
    assert twice.status_code == 409 and twice.json()["code"] == "request_open"
    listed = client.get("/api/v1/destruction-requests", headers=fg.headers).json()
    assert [r["id"] for r in listed] == [request["id"]]
    assert client.get("/api/v1/destruction-requests",
                      headers=family.regisseur.headers).status_code == 403
    with frozen_at(now() + timedelta(days=95)):
        overdue = client.get("/api/v1/destruction-requests", headers=fg.headers).json()
        assert overdue[0]["overdue"]
    decided = client.post(f"/api/v1/destruction-requests/{request['id']}/decision",
                          headers=fg.headers, json={"destroy": True})
    assert decided.status_code == 200 and decided.json()["status"] == "destroyed"
    names = dict(session.execute(select(Member.ref, Member.given_name).where(
        Member.household_id == family.household)).all())
    assert names == {"m": "—", "p": "Piet", "c1": "Noor", "c2": "Daan", "c3": "Lisa"}
    texts = client.get(f"/api/v1/households/{family.household}/observations",
                       headers=family.regisseur.headers).text
    assert "Geheime tekst" not in texts and "Tekst over Noor." in texts  # hers alone
    again = client.post(f"/api/v1/destruction-requests/{request['id']}/decision",
                        headers=fg.headers, json={"destroy": True})
    assert again.status_code == 409


def test_a_refusal_needs_a_reason_the_family_reads(client: TestClient, session: Session,
                                                   policy: Policy, family: Family) -> None:
    fg = caller(client, session, policy, party="gemeente", roles=["privacy_officer"])
    open_page(client, family, "p")
    request = client.post("/api/v1/me/destruction-request").json()
    path = f"/api/v1/destruction-requests/{request['id']}/decision"
    bare = client.post(path, headers=fg.headers, json={"destroy": False})
    assert bare.status_code == 422 and bare.json()["code"] == "refusal_ground"
    free = client.post(path, headers=fg.headers, json={
        "destroy": False, "ground": "het kan niet", "reason": "Liever niet."})
    assert free.status_code == 422 and free.json()["code"] == "refusal_ground"
    unexplained = client.post(path, headers=fg.headers, json={
        "destroy": False, "ground": "aanmerkelijk_belang_ander"})
    assert unexplained.status_code == 422 and unexplained.json()["code"] == "reason_required"
    refused = client.post(path, headers=fg.headers, json={
        "destroy": False, "ground": "aanmerkelijk_belang_ander",
        "reason": "Van groot belang voor de veiligheid van Noor."})
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    assert refused.json()["ground"] == "aanmerkelijk_belang_ander"
    page = client.get("/mijn")
    assert "Van groot belang voor de veiligheid van Noor." in page.text
    assert "het bewaren is van aanmerkelijk belang voor een ander" in page.text
