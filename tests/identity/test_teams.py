"""Issue 17, defect 4: access follows the professional, not only the organisation. A household
belongs to its regisseur's team; in the regisseur's organisation only that team (colleagues
standing in, the team's lead) sees it. Another team, its lead and the organisation's partner
system without a user get what a made-up household gets."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from broker.clock import local_day, now
from broker.identity.models import Organisation, Team
from broker.policy import Policy
from tests.conftest import Mailbox
from tests.consent.helpers import Caller, jansen, member_of
from tests.factories import (
    BearerHeaders,
    make_org,
    make_professional,
    make_secret_client,
    make_team,
)
from tests.observations.helpers import TEXT, observation


@dataclass
class Wijkteam:
    org: Organisation
    south: Team
    north: Team
    regisseur: Caller  # team Zuid: directs the Jansens
    colleague: Caller  # team Zuid: stands in
    lead: Caller  # leads team Zuid
    other: Caller  # a regisseur of team Noord
    other_lead: Caller  # leads team Noord
    system: Caller  # the wijkteam's partner system without a user
    family: dict[str, str]


@pytest.fixture
def wijkteam(client: TestClient, session: Session, policy: Policy) -> Wijkteam:
    org = make_org(session, policy, party="wijkteam")
    south, north = make_team(session, org, "Team Zuid"), make_team(session, org, "Team Noord")
    regisseur = member_of(client, session, org, ["regisseur"], [south])
    return Wijkteam(
        org, south, north, regisseur, member_of(client, session, org, ["regisseur"], [south]),
        member_of(client, session, org, ["teamleider"], [south]),
        member_of(client, session, org, ["regisseur"], [north]),
        member_of(client, session, org, ["teamleider"], [north]),
        Caller(org, BearerHeaders(client, make_secret_client(session, org))),
        jansen(client, regisseur))


def test_the_household_belongs_to_its_regisseurs_team(client: TestClient,
                                                      wijkteam: Wijkteam) -> None:
    household = wijkteam.family["household"]
    created = client.get(f"/api/v1/households/{household}", headers=wijkteam.regisseur.headers)
    assert created.json()["regisseur"]["team_id"] == wijkteam.south.id
    for who in (wijkteam.colleague, wijkteam.lead):  # the team sees names
        seen = client.get(f"/api/v1/households/{household}", headers=who.headers)
        assert seen.status_code == 200
        assert {m.get("given_name") for m in seen.json()["members"]} >= {"Noor", "Sanne"}


def test_another_team_its_lead_and_the_organisations_system_see_nothing(
        client: TestClient, wijkteam: Wijkteam) -> None:
    household = wijkteam.family["household"]
    shared = client.post("/api/v1/observations", headers=wijkteam.regisseur.headers,
                         json=observation(wijkteam.family["c1"], category="veiligheid"))
    assert shared.status_code == 201, shared.text
    item = shared.json()["id"]
    for who in (wijkteam.other, wijkteam.other_lead, wijkteam.system):
        for path in ("/api/v1/households/{household}", "/api/v1/households/{household}/"
                     "observations"):
            real = client.get(path.format(household=household), headers=who.headers)
            made_up = client.get(path.format(household="nope"), headers=who.headers)
            assert real.status_code == made_up.status_code == 404
            assert real.json()["detail"] == made_up.json()["detail"]
        # nor the observation their organisation shared through the household's regisseur
        own = client.get(f"/api/v1/observations/{item}", headers=who.headers)
        assert own.status_code == (403 if who is wijkteam.other_lead else 404)  # a role apart
        assert TEXT not in own.text
        assert "Noor" not in client.get("/api/v1/consents", headers=who.headers,
                                        params={"subject_id": wijkteam.family["c1"]}).text


def test_a_team_lead_sees_the_quality_of_their_own_teams_only(client: TestClient,
                                                               wijkteam: Wijkteam) -> None:
    path = f"/api/v1/quality/households/{wijkteam.family['household']}"
    assert client.get(path, headers=wijkteam.lead.headers).status_code == 200
    assert client.get(path, headers=wijkteam.other_lead.headers).status_code == 404
    own = client.get("/api/v1/quality/summary", headers=wijkteam.lead.headers).json()
    other = client.get("/api/v1/quality/summary", headers=wijkteam.other_lead.headers).json()
    assert (own["households"], other["households"]) == (1, 0)


def test_a_regisseur_in_several_teams_names_the_households_team(
        client: TestClient, session: Session, wijkteam: Wijkteam) -> None:
    both = member_of(client, session, wijkteam.org, ["regisseur"],
                     [wijkteam.south, wijkteam.north])
    body = {"label": "Gezin K.", "members": [{"ref": "a", "given_name": "Ad",
                                              "family_name": "Kok", "birth_date": "1980-01-01",
                                              "role": "parent"}]}
    unnamed = client.post("/api/v1/households", headers=both.headers, json=body)
    assert unnamed.status_code == 422 and unnamed.json()["code"] == "team_required"
    foreign = client.post("/api/v1/households", headers=wijkteam.regisseur.headers,
                          json=body | {"team_id": wijkteam.north.id})
    assert foreign.status_code == 422 and foreign.json()["code"] == "not_in_team"
    named = client.post("/api/v1/households", headers=both.headers,
                        json=body | {"team_id": wijkteam.north.id})
    assert named.status_code == 201
    assert named.json()["regisseur"]["team_id"] == wijkteam.north.id
    seen = client.get(f"/api/v1/households/{named.json()['id']}",
                      headers=wijkteam.other.headers)
    assert seen.status_code == 200


def test_a_hand_over_to_another_team_moves_the_household(client: TestClient,
                                                         wijkteam: Wijkteam) -> None:
    household = wijkteam.family["household"]
    assert wijkteam.other.professional is not None
    moved = client.put(f"/api/v1/households/{household}/regisseur",
                       headers=wijkteam.regisseur.headers,
                       json={"professional_id": wijkteam.other.professional.id})
    assert moved.status_code == 200 and moved.json()["team_id"] == wijkteam.north.id
    path = f"/api/v1/households/{household}"
    assert client.get(path, headers=wijkteam.other_lead.headers).status_code == 200
    assert client.get(path, headers=wijkteam.colleague.headers).status_code == 404
    assert client.get(path, headers=wijkteam.regisseur.headers).status_code == 404


def test_a_team_of_another_organisation_cannot_be_joined(session: Session,
                                                         policy: Policy) -> None:
    from broker.errors import Invalid

    ours, theirs = make_org(session, policy), make_org(session, policy)
    with pytest.raises(Invalid) as refused:
        make_professional(session, ours, teams=[make_team(session, theirs)])
    assert refused.value.code == "unknown_team"


def test_the_organisations_aandachtsfunctionaris_weighs_overrides_of_every_team(
        client: TestClient, session: Session, wijkteam: Wijkteam) -> None:
    """The aandachtsfunctionaris supports the whole organisation: it sees and approves an
    override of a team it is not in, but not the household itself."""
    from tests.meldcode.helpers import ANSWERS

    officer = member_of(client, session, wijkteam.org, ["aandachtsfunctionaris"], [])
    case = client.post("/api/v1/meldcode/cases", headers=wijkteam.regisseur.headers,
                       json={"child_id": wijkteam.family["c1"]})
    assert case.status_code == 201, case.text
    path = f"/api/v1/meldcode/cases/{case.json()['id']}"
    for number in range(1, 5):
        step = {"step": number, "content": f"Stap {number}."} | (
            {"answers": ANSWERS} if number == 4 else {})
        assert client.post(path + "/steps", headers=wijkteam.regisseur.headers,
                           json=step).status_code == 201
    today = local_day(now())
    override = client.post(path + "/overrides", headers=wijkteam.regisseur.headers, json={
        "subject_ids": [wijkteam.family["c1"]], "categories": ["gezondheid"],
        "recipients": [{"organisation_id": wijkteam.org.id}], "justification": "Nodig.",
        "valid_until": (now() + timedelta(days=7)).isoformat(), "urgent": False,
        "inform_parents": {"planned_on": today.isoformat()}})
    assert override.status_code == 201, override.text
    approve = f"/api/v1/overrides/{override.json()['id']}/approve"
    assert client.post(approve, headers=wijkteam.other.headers, json={}).status_code == 404
    assert client.post(approve, headers=officer.headers, json={}).status_code == 200
    household = f"/api/v1/households/{wijkteam.family['household']}"
    assert client.get(household, headers=officer.headers).status_code == 404


def test_another_team_cannot_update_an_action_its_organisation_owns(
        client: TestClient, session: Session, wijkteam: Wijkteam, smtp_server: Mailbox) -> None:
    from tests.meetings.test_outcome import outcome

    smtp_server.serve(session)
    regisseur = wijkteam.regisseur
    assert regisseur.professional is not None and wijkteam.colleague.professional is not None
    meeting = client.post("/api/v1/meetings", headers=regisseur.headers, json={
        "household_id": wijkteam.family["household"], "title": "Bijeenkomst",
        "duration_minutes": 60, "location": "Wijkcentrum",
        "slots": [{"start": (now() + timedelta(days=7)).isoformat()}],
        "invitees": [{"professional_id": wijkteam.colleague.professional.id}]})
    assert meeting.status_code == 201, meeting.text
    path = f"/api/v1/meetings/{meeting.json()['id']}"
    scheduled = client.post(path + "/schedule", headers=regisseur.headers,
                            json={"slot_id": meeting.json()["slots"][0]["id"]})
    assert scheduled.status_code == 200, scheduled.text
    body = outcome(regisseur.professional.id, wijkteam.org.id, assessment=True)
    for action in body["plan"]["actions"]:
        action["due"] = (local_day(now()) + timedelta(days=30)).isoformat()
    body["next_evaluation"] = (local_day(now()) + timedelta(days=90)).isoformat()
    plan = client.post(path + "/outcome", headers=regisseur.headers, json=body)
    assert plan.status_code == 201, plan.text
    action = f"/api/v1/plans/actions/{plan.json()['actions'][0]['id']}"
    for who in (wijkteam.other, wijkteam.system):
        refused = client.post(action, headers=who.headers, json={"status": "done"})
        made_up = client.post("/api/v1/plans/actions/nope", headers=who.headers,
                              json={"status": "done"})
        assert refused.status_code == made_up.status_code == 404
    done = client.post(action, headers=wijkteam.colleague.headers, json={"status": "done"})
    assert done.status_code == 200, done.text
